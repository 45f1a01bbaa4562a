// heap-timeafter: an event loop that waits for the next event or an hour's
// timeout with time.After inside its select, the loop every Go memory-leak
// guide warns about. Before Go 1.23 each time.After timer, with its
// channel, stays in the runtime's timer heap until it fires an hour later,
// although nobody waits on it once the loop moves on: 100,000 events leave
// 100,000 timers (about 20 MB) in use at main.eventLoop. Go 1.23 collects
// timers nothing refers to, so the same code holds nothing there.
//
// Healthy twin (phase "healthy", before the leak): main.twinLoop handles the
// same events with one time.Timer, stopped and reset each iteration.
//
// Phases: idle; healthy (twin handles the events); loaded (eventLoop
// handles them); after (no more events; the timers are still pending).
package main

import (
	"runtime"
	"strconv"
	"time"

	"gorleakcorpus/harness"
)

const events = 100000

// eventLoop handles events; time.After arms a new hour-long timer on every
// iteration.
func eventLoop(in <-chan int, done chan<- int) {
	n := 0
	for {
		select {
		case ev := <-in:
			n += ev
			done <- n
		case <-time.After(time.Hour):
			return
		}
	}
}

// twinLoop is eventLoop with one timer, re-armed instead of re-made.
func twinLoop(in <-chan int, done chan<- int) {
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	n := 0
	for {
		select {
		case ev := <-in:
			n += ev
			done <- n
		case <-t.C:
			return
		}
		if !t.Stop() {
			select {
			case <-t.C:
			default:
			}
		}
		t.Reset(time.Hour)
	}
}

func drive(in chan<- int, done <-chan int) {
	for i := 0; i < events; i++ {
		in <- 1
		<-done
	}
}

func main() {
	debug := harness.Listen()
	leakIn, leakDone := make(chan int), make(chan int)
	twinIn, twinDone := make(chan int), make(chan int)
	go eventLoop(leakIn, leakDone)
	go twinLoop(twinIn, twinDone)
	leaks := harness.GoMinor() < 23
	// Before Go 1.23 the loop is the time-after-in-loop shape in every
	// phase, whether or not it has run yet: its one goroutine is the
	// goroutine dump's truth; the heap's follows the events.
	shape := func() {
		if leaks {
			harness.Expect("rule=time-after-in-loop", "site=main.eventLoop", "count=1")
		}
	}
	heapHealthy := func() {
		if leaks {
			harness.HeapHealthy()
		} else {
			harness.Healthy()
		}
	}
	harness.Phases([]string{"idle", "healthy", "loaded", "after"}, map[string]func(){
		"idle": func() {
			shape()
			heapHealthy()
		},
		"healthy": func() {
			drive(twinIn, twinDone)
			shape()
			heapHealthy()
		},
		"loaded": func() {
			drive(leakIn, leakDone)
			runtime.GC()
			shape()
			if leaks {
				harness.Expect("heap_rule=heap-time-after", "site=main.eventLoop", "timers="+strconv.Itoa(events))
			} else {
				harness.Healthy()
			}
		},
		"after": func() {
			shape()
			if leaks {
				harness.Expect("heap_rule=heap-time-after", "site=main.eventLoop", "timers="+strconv.Itoa(events))
			} else {
				harness.Healthy()
			}
		},
	})
	harness.Capture("heap")
	harness.Serve(debug)
}
