// svc-notify: user notifications over HTTP. GET /events?user=U subscribes
// to the user's events; 8 subscribers are connected (their own
// connections, no client goroutines) and waiting in main.(*Notifier).deliver.
//
//	loop:    a server-sent-events stream: `for { select { case ev := <-sub:
//	         ...; case <-time.After(keepAlive): ping; case <-ctx.Done() } }`.
//	         Every event runs the loop again and makes a new 2-minute timer.
//	         Before Go 1.23 each timer lives until it fires: 400 events per
//	         subscriber leave 3,200 timers in the heap (time-after-in-loop:
//	         a leak on 1.19 and 1.22, not on 1.23+, where unreferenced timers
//	         are collected). The timers are not goroutines: a goroutine dump
//	         only shows the select's source line.
//	oneshot: a long poll: one `select` with time.After and no loop, healthy
//	         on every version.
package main

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	subscribers = 8
	events      = 400 // per subscriber, loop variant
	keepAlive   = 2 * time.Minute
)

type Notifier struct {
	mu     sync.Mutex
	subs   map[string]chan string
	stream bool
}

func (n *Notifier) subscribe(user string) chan string {
	ch := make(chan string, 16)
	n.mu.Lock()
	n.subs[user] = ch
	n.mu.Unlock()
	return ch
}

func (n *Notifier) publish(user, ev string) {
	n.mu.Lock()
	ch := n.subs[user]
	n.mu.Unlock()
	ch <- ev
}

func (n *Notifier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sub := n.subscribe(r.URL.Query().Get("user"))
	if n.stream {
		w.Header().Set("Content-Type", "text/event-stream")
	}
	n.deliver(w, r, sub)
}

// deliver streams events until the client goes away, pinging when idle;
// a long-poll client gets the next event, or 204 when none comes in time.
func (n *Notifier) deliver(w http.ResponseWriter, r *http.Request, sub <-chan string) {
	if !n.stream {
		select {
		case ev := <-sub:
			fmt.Fprintln(w, ev)
		case <-time.After(keepAlive):
			w.WriteHeader(http.StatusNoContent)
		case <-r.Context().Done():
		}
		return
	}
	flusher := w.(http.Flusher)
	for {
		select {
		case ev := <-sub:
			fmt.Fprintf(w, "data: %s\n\n", ev)
		case <-time.After(keepAlive):
			fmt.Fprint(w, ": ping\n\n")
		case <-r.Context().Done():
			return
		}
		flusher.Flush()
	}
}

func main() {
	variant := harness.Variant("loop", "oneshot")
	debug := harness.Listen()
	n := &Notifier{subs: map[string]chan string{}, stream: variant == "loop"}
	mux := http.NewServeMux()
	mux.Handle("/events", n)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	const site = "main.(*Notifier).deliver"
	conns := harness.DialN(ln.Addr().String(), subscribers)
	for i, c := range conns {
		c.Send("/events?user=u"+strconv.Itoa(i), "")
	}
	harness.Settle("subscribers", subscribers, func(g harness.G) bool { return harness.AtSite(g, site) })
	if n.stream {
		for e := 0; e < events; e++ {
			for i := range conns {
				n.publish("u"+strconv.Itoa(i), fmt.Sprintf("order %d shipped", e))
			}
		}
	}
	time.Sleep(100 * time.Millisecond)

	line := "source_line=" + harness.SourceLine(site)
	switch {
	case variant == "oneshot":
		harness.Healthy()
		harness.Fact("role=background", site, "select", subscribers, line,
			"note=one-shot select with time.After: not a leak on any Go version")
	case harness.GoMinor() < 23:
		harness.Fact("rule=time-after-in-loop", site, "select", subscribers, line,
			"note=a leak before Go 1.23: each iteration's timer lives until it fires (3200 timers here)")
	default:
		harness.Healthy()
		harness.Fact("role=background", site, "select", subscribers, line,
			"note=time.After in a loop: not a leak since Go 1.23 (unreferenced timers are collected)")
	}
	harness.Serve(debug)
}
