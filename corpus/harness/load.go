package harness

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
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

// ServeHTTP serves h in the background on a free loopback port, as the
// program's own server, and returns its base URL ("http://127.0.0.1:N").
func ServeHTTP(h http.Handler) string {
	ln := Listen()
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String()
}

// LoadGets runs n GETs of url(i), parallel at a time, through one client
// with a timeout, then closes the client's idle connections: the dump then
// holds the server's side of the load only.
func LoadGets(n, parallel int, url func(i int) string) {
	client := &http.Client{Timeout: 10 * time.Second}
	Load(n, parallel, func(i int) { Get(client, url(i)) })
	client.CloseIdleConnections()
}

// Callers is a Child role standing for clients on other machines, so that
// their goroutines stay out of the service's dumps: "hold N GAP URL" opens
// N GETs of URL, with "{i}" in it replaced by 0..N-1, GAP apart (a Go
// duration: "0s", "3ms"), and leaves them waiting for their answers, which
// are read and dropped when they come. It replies "ok" once all are sent.
func Callers(cmd string) string {
	f := strings.Fields(cmd)
	if len(f) != 4 || f[0] != "hold" {
		return "error: want hold N GAP URL, got " + cmd
	}
	n, err := strconv.Atoi(f[1])
	if err != nil {
		return "error: " + err.Error()
	}
	gap, err := time.ParseDuration(f[2])
	if err != nil {
		return "error: " + err.Error()
	}
	for i := 0; i < n; i++ {
		url := strings.ReplaceAll(f[3], "{i}", strconv.Itoa(i))
		go func() {
			if resp, err := http.Get(url); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
		time.Sleep(gap)
	}
	return "ok"
}
