package harness

import (
	"io"
	"net/http"
	"sync"
)

// Load runs n calls of fn with at most parallel running at once and waits
// for all of them: the shape of a load generator, so that the server under
// test spawns per request as it does in production.
func Load(n, parallel int, fn func(i int)) {
	if parallel < 1 {
		parallel = 1
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			fn(i)
		}(i)
	}
	wg.Wait()
}

// Get performs a GET with client, reads the body to the end and closes it
// (a well-behaved caller), and returns the body.
func Get(client *http.Client, url string) string {
	resp, err := client.Get(url)
	Must(err, "GET "+url)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Must(err, "read "+url)
	return string(b)
}
