// heap-bufio: an HTTP client that never reads or closes response bodies
// (main.fetchStatus looks at the status code only). A connection whose body
// is still open cannot go back to the pool, so every request dials a new
// one, and each leaked connection keeps its buffers: net/http's Transport
// gives every connection a 4 KiB bufio.Reader and bufio.Writer
// (dialConn), and the server side of the same connection its own pair
// (conn.serve). 400 requests leave about 400 of each, under
// net/http.(*Transport).dialConnFor and net/http.(*conn).serve. The
// goroutine dump shows the same leak as readLoop/writeLoop goroutines.
//
// Healthy twin (phase "healthy"): main.fetchTwin drains and closes each
// body, so one or two connections serve every request.
package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"gorleakcorpus/harness"
)

const requests = 400

var (
	client = &http.Client{Timeout: 30 * time.Second}
	base   string
)

// fetchStatus checks that the item exists: the body is never read or closed.
func fetchStatus(url string) int {
	resp, err := client.Get(url)
	harness.Must(err, "GET "+url)
	return resp.StatusCode
}

// fetchTwin reads the body to the end and closes it.
func fetchTwin(url string) int {
	resp, err := client.Get(url)
	harness.Must(err, "GET "+url)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func main() {
	debug := harness.Listen()
	page := strings.Repeat("<p>item</p>\n", 16384) // 192 KiB: more than the buffers hold
	mux := http.NewServeMux()
	mux.HandleFunc("/item", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, page) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)
	base = "http://" + ln.Addr().String() + "/item"
	harness.Phases([]string{"idle", "healthy", "loaded", "after"}, map[string]func(){
		"idle": func() { harness.Healthy() },
		"healthy": func() {
			harness.Load(requests, 4, func(int) { fetchTwin(base) })
			client.CloseIdleConnections()
			harness.Healthy()
		},
		"loaded": func() {
			harness.Load(requests, 8, func(int) { fetchStatus(base) })
			harness.Expect("heap_rule=heap-http-conn-buffers", "site=net/http.(*Transport).dialConnFor",
				"connections=400")
			harness.Expect("heap_rule=heap-http-conn-buffers", "site=net/http.(*conn).serve",
				"connections=400")
			harness.Fact("rule=unclosed-response-body", "net/http.(*persistConn).readLoop", "select", requests)
		},
		"after": func() {
			harness.Expect("heap_rule=heap-http-conn-buffers", "site=net/http.(*Transport).dialConnFor",
				"connections=400")
			harness.Expect("heap_rule=heap-http-conn-buffers", "site=net/http.(*conn).serve",
				"connections=400")
			harness.Fact("rule=unclosed-response-body", "net/http.(*persistConn).readLoop", "select", requests)
		},
	})
	harness.Capture("heap")
	harness.Serve(debug)
}
