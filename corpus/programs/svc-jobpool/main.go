// svc-jobpool: an image-resize service. Requests arrive through a real
// net/http server and hand their work to a fixed pool of 16 workers that
// range over a jobs channel; after the load the pool sits idle. Frame for
// frame the idle workers look like receivers on a channel nobody closes
// (chan receive in main.(*Pool).worker, created by main.NewPool), but there
// are exactly 16, started at once by one goroutine at start-up, and the
// count never grows with requests. Healthy.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"gorleakcorpus/harness"
)

const workers = 16

type job struct {
	width int
	done  chan string
}

type Pool struct{ jobs chan job }

func NewPool(n int) *Pool {
	p := &Pool{jobs: make(chan job)}
	for i := 0; i < n; i++ {
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	for j := range p.jobs {
		time.Sleep(time.Millisecond) // the resize
		j.done <- fmt.Sprintf("resized to %dpx", j.width)
	}
}

// Submit runs one job on the pool and waits for its result.
func (p *Pool) Submit(width int) string {
	j := job{width: width, done: make(chan string, 1)}
	p.jobs <- j
	return <-j.done
}

func main() {
	debug := harness.Listen()
	pool := NewPool(workers)
	mux := http.NewServeMux()
	mux.HandleFunc("/resize", func(w http.ResponseWriter, r *http.Request) {
		width, _ := strconv.Atoi(r.URL.Query().Get("w"))
		io.WriteString(w, pool.Submit(width))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	client := &http.Client{Timeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	harness.Load(400, 24, func(i int) { harness.Get(client, base+"/resize?w="+strconv.Itoa(100+i)) })
	client.CloseIdleConnections()

	harness.Healthy()
	harness.Fact("role=background", "main.(*Pool).worker", "chan receive", workers, "created_by=main.NewPool")
	harness.Serve(debug)
}
