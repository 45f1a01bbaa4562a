// svc-export: a PDF export service. POST /export takes one of 8 render
// slots (a channel semaphore), reads the document, and waits for the render
// farm. Clients connect from outside (their own connections, no client
// goroutines in this process).
//
// Phases (after two exports went through):
//
//	loaded: 68 exports in flight: 8 hold a slot and wait for the farm
//	        (select), 60 wait for a slot (chan send in Limiter.Acquire). Both
//	        variants look the same here: a saturated semaphore.
//	after:  the farm answers. healthy: every export completes and the
//	        clients hang up. leak: the farm fails the 8 in flight and the
//	        error path returns without releasing the slot, so all 8 slots
//	        are gone; the 60 callers stay in chan send after their clients
//	        gave up. The dumps are taken more than a minute after a GC saw
//	        them blocked, so they print ", 1 minutes".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	slots   = 8
	exports = 68
)

// Limiter bounds concurrent renders.
type Limiter struct{ slots chan struct{} }

func NewLimiter(n int) *Limiter { return &Limiter{slots: make(chan struct{}, n)} }

func (l *Limiter) Acquire() { l.slots <- struct{}{} }
func (l *Limiter) Release() { <-l.slots }

// RenderFarm is the remote renderer; it answers when it is up.
type RenderFarm struct {
	mu    sync.Mutex
	up    chan struct{}
	fails bool
}

var errFarm = errors.New("render farm: worker lost")

func (f *RenderFarm) Render(ctx context.Context, doc []byte) ([]byte, error) {
	f.mu.Lock()
	up := f.up
	f.mu.Unlock()
	select {
	case <-up:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails {
		return nil, errFarm
	}
	return append([]byte("%PDF-1.7 "), doc...), nil
}

func (f *RenderFarm) Answer(fail bool) {
	f.mu.Lock()
	f.fails = fail
	close(f.up)
	f.mu.Unlock()
}

type ExportService struct {
	limit         *Limiter
	farm          *RenderFarm
	releaseOnFail bool
}

func (s *ExportService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.limit.Acquire()
	if s.releaseOnFail {
		defer s.limit.Release()
	}
	doc, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	pdf, err := s.farm.Render(r.Context(), doc)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !s.releaseOnFail {
		s.limit.Release()
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Write(pdf)
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	farm := &RenderFarm{up: make(chan struct{})}
	svc := &ExportService{limit: NewLimiter(slots), farm: farm, releaseOnFail: variant == "healthy"}
	mux := http.NewServeMux()
	mux.Handle("/export", svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)
	addr := ln.Addr().String()

	// The clients are raw connections: each request in flight is one
	// handler goroutine here and nothing else.
	waiting := func(n int) {
		harness.Fact("role=background", "main.(*Limiter).Acquire", "chan send", n,
			"note=saturated: waiting for one of 8 render slots")
	}
	var conns []*harness.Conn
	var stamped time.Time // when a GC last saw the waiters blocked
	// Warm up: two exports go through.
	farm.Answer(false)
	c := harness.Dial(addr)
	for i := 0; i < 2; i++ {
		if status, body := c.Do("/export", "invoice "+strconv.Itoa(i)); status != http.StatusOK {
			harness.Fail("export: %d %s", status, body)
		}
	}
	c.Close()
	farm.mu.Lock()
	farm.up = make(chan struct{})
	farm.mu.Unlock()

	harness.Phases([]string{"loaded", "after"}, map[string]func(){
		"loaded": func() {
			conns = harness.DialN(addr, exports)
			for i, c := range conns {
				c.Send("/export", fmt.Sprintf("report %d: quarterly figures", i))
			}
			harness.Healthy()
			harness.Fact("role=background", "main.(*RenderFarm).Render", "select", slots,
				"note=slot holders waiting for the render farm")
			waiting(exports - slots)
			runtime.GC() // stamps the waiters' wait start (see "after")
			stamped = time.Now()
			if variant == "leak" {
				// Still loaded; part of the minute "after" must wait (each
				// /phase request must answer within regen's 60 s).
				time.Sleep(12 * time.Second)
			}
		},
		"after": func() {
			farm.Answer(variant == "leak")
			if variant == "healthy" {
				for _, c := range conns {
					if status, body := c.Receive(10 * time.Second); status != http.StatusOK {
						harness.Fail("export: %d %s", status, body)
					}
					c.Close()
				}
				harness.Healthy()
				harness.Fact("role=background", "main.(*RenderFarm).Render", "select", 0)
				waiting(0)
				return
			}
			// The clients give up: the 8 failed ones got their 502, the
			// others time out.
			for _, c := range conns {
				c.Close()
			}
			time.Sleep(time.Until(stamped.Add(62 * time.Second)))
			harness.Fact("role=background", "main.(*RenderFarm).Render", "select", 0)
			harness.Fact("rule=semaphore-not-released", "main.(*Limiter).Acquire", "chan send", exports-slots,
				"wait_minutes=1", "note=every slot was taken by a request that failed and never released it; a GC saw them blocked more than a minute ago")
		},
	})
	harness.Serve(debug)
}
