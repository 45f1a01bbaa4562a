// svc-render: a thumbnail render farm. A real net/http server hands each
// POST /render to a fixed farm of 192 renderers that range over one jobs
// channel; the farm is started once at start-up by NewFarm and is the
// program's healthy pool, bigger than any pool a count threshold allows.
// Each render reports progress on a channel of its own, which a progress
// goroutine started per request relays to the job's log.
//
//	leak:    Render returns without closing the progress channel, so every
//	         request leaves its progress goroutine in chan receive for good:
//	         240 after the load, started one per request by the handlers
//	healthy: Render closes the progress channel and the relay exits; the
//	         192 idle renderers look like receivers on a channel nobody
//	         closes, frame for frame, but were all started in one burst by
//	         one goroutine that still runs, and serve every request
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"gorleakcorpus/harness"
)

const (
	renderers = 192
	requests  = 240
)

type job struct {
	width    int
	progress chan<- int
	done     chan string
}

type Farm struct {
	jobs       chan job
	closesFeed bool
	relayed    atomic.Int64
}

// farm is global so that the idle renderers' channel stays reachable: Go
// 1.26+'s goroutineleak profile must not call the healthy pool leaked.
var farm *Farm

func NewFarm(n int, closesFeed bool) *Farm {
	f := &Farm{jobs: make(chan job), closesFeed: closesFeed}
	for i := 0; i < n; i++ {
		go f.renderer()
	}
	return f
}

func (f *Farm) renderer() {
	for j := range f.jobs {
		j.progress <- 50
		time.Sleep(time.Millisecond) // the render
		j.progress <- 100
		j.done <- fmt.Sprintf("thumbnail %dpx", j.width)
	}
}

// progress relays one render's progress to its log until the feed closes.
func (f *Farm) progress(feed <-chan int) {
	for pct := range feed {
		if pct == 100 {
			f.relayed.Add(1)
		}
	}
}

// Render runs one job on the farm and waits for its result.
func (f *Farm) Render(width int) string {
	feed := make(chan int)
	go f.progress(feed)
	j := job{width: width, progress: feed, done: make(chan string, 1)}
	f.jobs <- j
	out := <-j.done
	if f.closesFeed {
		close(feed)
	}
	return out
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	farm = NewFarm(renderers, variant == "healthy")
	mux := http.NewServeMux()
	mux.HandleFunc("/render", func(w http.ResponseWriter, r *http.Request) {
		width, _ := strconv.Atoi(r.URL.Query().Get("w"))
		io.WriteString(w, farm.Render(width))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	client := &http.Client{Timeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	harness.Load(requests, 16, func(i int) { harness.Get(client, base+"/render?w="+strconv.Itoa(64+i)) })
	client.CloseIdleConnections()

	if variant == "leak" {
		harness.Fact("rule=chan-receive-never-closed", "main.(*Farm).progress", "chan receive", requests,
			"created_by=main.(*Farm).Render", "gc_leak=1")
	} else {
		harness.Healthy()
		harness.Fact("role=background", "main.(*Farm).progress", "chan receive", 0)
	}
	harness.Fact("role=background", "main.(*Farm).renderer", "chan receive", renderers,
		"created_by=main.NewFarm")
	harness.Serve(debug)
}
