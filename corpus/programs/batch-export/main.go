// batch-export: a nightly export job (a command, not a server). It fetches
// every account's statement in a goroutine of its own and writes them out;
// a logger goroutine prints progress, and a pool of 8 writers encodes the
// statements.
//
//	deadlock: the statements come back on an unbuffered channel that the
//	          job reads only after wg.Wait(): every fetcher waits to send,
//	          the job waits for the fetchers, the writers and the logger
//	          wait for work. Nothing can run again, and the runtime ends the
//	          program with "fatal error: all goroutines are asleep -
//	          deadlock!", listing them all: every one is proven stuck.
//	panic:    the results channel has room, but one statement is malformed
//	          and a writer panics on it (writing to a nil map). The traceback
//	          is set to "all", so the crash lists the other 7 writers
//	          waiting for work and the logger: a healthy pool, not a leak.
package main

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"

	"gorleakcorpus/harness"
)

const (
	accounts = 24
	writers  = 8
)

type statement struct {
	account int
	lines   map[string]int
}

type Exporter struct {
	results chan statement
	work    chan statement
	logs    chan string
}

func (e *Exporter) fetch(account int, wg *sync.WaitGroup) {
	defer wg.Done()
	st := statement{account: account, lines: map[string]int{"opening": account * 10}}
	if account == accounts-1 {
		st.lines = nil // the malformed one (panic variant)
	}
	e.results <- st
}

func (e *Exporter) write(out *strings.Builder, mu *sync.Mutex, done *sync.WaitGroup) {
	defer done.Done()
	for st := range e.work {
		st.lines["closing"] = st.lines["opening"] + 1 // panics on a nil map
		mu.Lock()
		fmt.Fprintf(out, "%d %v\n", st.account, st.lines)
		mu.Unlock()
	}
}

func (e *Exporter) logger() {
	for line := range e.logs {
		fmt.Fprintln(os.Stdout, "export:", line)
	}
}

// Run fetches every account, then hands the statements to the writers.
// settled runs once the fetchers are in place.
func (e *Exporter) Run(settled func()) {
	var wg sync.WaitGroup
	for a := 0; a < accounts; a++ {
		wg.Add(1)
		go e.fetch(a, &wg)
	}
	settled()
	wg.Wait() // deadlock variant: nobody reads results until every fetch is done
	close(e.results)
	for st := range e.results {
		e.work <- st
	}
	close(e.work)
}

func main() {
	variant := harness.Variant("deadlock", "panic")
	debug.SetTraceback("all")
	e := &Exporter{work: make(chan statement), logs: make(chan string)}
	if variant == "deadlock" {
		e.results = make(chan statement)
	} else {
		e.results = make(chan statement, accounts)
	}
	var out strings.Builder
	var mu sync.Mutex
	var written sync.WaitGroup
	go e.logger()
	for i := 0; i < writers; i++ {
		written.Add(1)
		go e.write(&out, &mu, &written)
	}
	e.logs <- "starting"
	e.Run(func() {
		if variant == "deadlock" {
			harness.Fact("rule=chan-send-blocked", "main.(*Exporter).fetch", "chan send", accounts,
				"created_by=main.(*Exporter).Run", "note=the deadlock report proves every goroutine stuck")
			harness.Fact("rule=chan-receive-never-closed", "main.(*Exporter).write", "chan receive", writers,
				"created_by=main.main", "note=stuck with the rest of the program")
			harness.Fact("rule=chan-receive-never-closed", "main.(*Exporter).logger", "chan receive", 1,
				"created_by=main.main", "note=stuck with the rest of the program")
			// Not yet parked (it is the goroutine printing this): stated, not
			// counted.
			harness.Expect("rule=waitgroup-never-done", "count=1", "site=main.(*Exporter).Run",
				"note=main, in wg.Wait() for fetchers that cannot finish")
			return
		}
		harness.Fact("role=background", "main.(*Exporter).fetch", "", 0,
			"note=the buffered results let every fetch finish")
		harness.Healthy()
		harness.Fact("role=background", "main.(*Exporter).write", "chan receive", writers,
			"created_by=main.main", "note=7 of them in the crash: one panics")
	})
	written.Wait()
	fmt.Print(out.String())
}
