// heap-ticker: every request handled by main.handleRequest starts a
// time.Ticker and a main.monitorLoop goroutine ranging over it; nothing
// stops the ticker or ends the loop. 4,000 requests leave 4,000 tickers (and
// their channels) in use at main.handleRequest, on every Go version: the
// goroutine still refers to its ticker, so even Go 1.23, which collects
// unreferenced tickers, cannot free them. The goroutine dump shows the
// same leak as 4,000 main.monitorLoop goroutines in chan receive.
//
// Healthy twin (phase "healthy"): main.handleTwin stops its ticker and its
// loop ends when the request is done.
//
// The program samples every 32 KiB allocated (runtime.MemProfileRate) so
// that tickers of a few hundred bytes each show with a few thousand of them.
package main

import (
	"runtime"
	"strconv"
	"time"

	"gorleakcorpus/harness"
)

const requests = 4000

var ticks int

// monitorLoop samples something forever: nothing stops the ticker or the loop.
func monitorLoop(t *time.Ticker) {
	for range t.C {
		ticks++
	}
}

// handleRequest starts a monitor for the request and returns.
func handleRequest() {
	t := time.NewTicker(time.Hour)
	go monitorLoop(t) // bug: t.Stop() never called, the loop has no exit
}

// twinLoop is monitorLoop with an exit.
func twinLoop(t *time.Ticker, done <-chan struct{}) {
	defer t.Stop()
	for {
		select {
		case <-t.C:
			ticks++
		case <-done:
			return
		}
	}
}

func handleTwin() {
	t := time.NewTicker(time.Hour)
	done := make(chan struct{})
	go twinLoop(t, done)
	close(done) // the request is over
}

func main() {
	runtime.MemProfileRate = 32 << 10
	debug := harness.Listen()
	harness.Phases([]string{"idle", "healthy", "loaded", "after"}, map[string]func(){
		"idle": func() { harness.Healthy() },
		"healthy": func() {
			harness.Load(requests, 16, func(int) { handleTwin() })
			harness.Healthy()
			harness.Fact("role=background", "main.twinLoop", "", 0)
		},
		"loaded": func() {
			harness.Load(requests, 16, func(int) { handleRequest() })
			harness.Expect("heap_rule=heap-ticker-never-stopped", "site=main.handleRequest",
				"tickers="+strconv.Itoa(requests))
			harness.Fact("rule=ticker-without-stop", "main.monitorLoop", "chan receive", requests,
				"created_by=main.handleRequest")
		},
		"after": func() {
			harness.Expect("heap_rule=heap-ticker-never-stopped", "site=main.handleRequest",
				"tickers="+strconv.Itoa(requests))
			harness.Fact("rule=ticker-without-stop", "main.monitorLoop", "chan receive", requests,
				"created_by=main.handleRequest")
		},
	})
	harness.Capture("heap", "debug2") // debug=2 shows who created the loops
	harness.Serve(debug)
}
