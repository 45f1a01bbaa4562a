// svc-remind: a reminders service. GET /remind?user=U schedules a reminder
// with time.AfterFunc; when it fires, the callback hands it to the
// dispatcher, which forwards reminders to the push gateway. GET
// /digest?user=U renders the user's digest behind http.TimeoutHandler: the
// handler queues a job for the renderer and waits for its reply.
//
//	leak:    the dispatcher stopped when the push gateway went away, so each
//	         fired callback waits forever to hand its reminder over: 120 in
//	         chan send at (*Dispatcher).hand, created by time.goFunc (the
//	         runtime starts each callback in a goroutine of its own). The
//	         renderer hangs on its template store, and the digest handlers
//	         wait for it without the request's context: TimeoutHandler
//	         answers 503 after 100 ms, and the 120 handlers stay parked in
//	         chan receive at (*Digests).render.
//	healthy: the dispatcher keeps up, so no callback is left; the renderer
//	         is slow and the handlers wait for it with the request's context
//	         under a 30 s timeout. The dump is taken while a client process
//	         holds the 120 digest requests open: the same frames, and each
//	         handler ends with its request.
package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"gorleakcorpus/harness"
)

const requests = 120

type Dispatcher struct {
	ch     chan string
	pushed int
}

// hand gives a fired reminder to the dispatcher.
func (d *Dispatcher) hand(reminder string) { d.ch <- reminder }

// run forwards reminders until the push gateway goes away.
func (d *Dispatcher) run(gatewayGone bool) {
	for r := range d.ch {
		if gatewayGone {
			return // the gateway refused: the dispatcher gives up
		}
		_ = r
		d.pushed++
	}
}

type Reminders struct{ d *Dispatcher }

func (s *Reminders) schedule(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	time.AfterFunc(10*time.Millisecond, func() { s.d.hand("call " + user) })
	io.WriteString(w, "scheduled\n")
}

type job struct {
	user  string
	reply chan string
}

type Digests struct {
	jobs    chan job
	store   chan struct{} // the template store's answers
	withCtx bool
}

// renderer takes one job at a time; the template store it loads from
// either hangs (leak) or takes a minute per digest (healthy).
func (d *Digests) renderer() {
	for j := range d.jobs {
		<-d.store
		j.reply <- "digest for " + j.user
	}
}

func (d *Digests) render(w http.ResponseWriter, r *http.Request) {
	j := job{user: r.URL.Query().Get("user"), reply: make(chan string, 1)}
	d.jobs <- j
	if d.withCtx {
		select {
		case s := <-j.reply:
			io.WriteString(w, s)
		case <-r.Context().Done():
		}
		return
	}
	io.WriteString(w, <-j.reply)
}

func main() {
	harness.Child(map[string]func(string) string{"callers": harness.Callers})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	d := &Dispatcher{ch: make(chan string)}
	go d.run(variant == "leak")
	// The store never answers within the dump.
	dg := &Digests{jobs: make(chan job, 2*requests), store: make(chan struct{}), withCtx: variant == "healthy"}
	go dg.renderer()
	timeout := 100 * time.Millisecond
	if variant == "healthy" {
		timeout = 30 * time.Second
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/remind", (&Reminders{d: d}).schedule)
	mux.Handle("/digest", http.TimeoutHandler(http.HandlerFunc(dg.render), timeout, "try later\n"))
	base := harness.ServeHTTP(mux)

	harness.LoadGets(requests, 8, func(i int) string { return base + "/remind?user=u" + strconv.Itoa(i) })
	if variant == "leak" {
		harness.LoadGets(requests, 8, func(i int) string { return base + "/digest?user=u" + strconv.Itoa(i) })
		harness.Fact("rule=chan-send-blocked", "main.(*Dispatcher).hand", "chan send", requests-1,
			"created_by=time.goFunc", "note=the first reminder made the dispatcher give up")
		harness.Fact("rule=handler-outlived-timeout", "main.(*Digests).render", "chan receive", requests,
			"created_by=net/http.(*timeoutHandler).ServeHTTP", "note=each request was answered 503 after 100 ms")
	} else {
		harness.StartChild("callers").Do(fmt.Sprintf("hold %d 0s %s/digest?user=u{i}", requests, base))
		harness.Healthy()
		harness.Fact("role=background", "main.(*Digests).render", "select", requests,
			"created_by=net/http.(*timeoutHandler).ServeHTTP", "note=in flight within their 30 s")
		harness.Fact("role=background", "main.(*Dispatcher).run", "chan receive", 1, "created_by=main.main")
	}
	harness.Fact("role=background", "main.(*Digests).renderer", "chan receive", 1, "created_by=main.main")
	harness.Serve(debug)
}
