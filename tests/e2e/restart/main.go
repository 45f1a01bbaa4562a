// restart is the subject of the baseline end-to-end test
// (tests/test_go_bridge.cpp): one program, run several times, as a service
// is restarted. Each run parks goroutines at the same leak sites (with
// counts that differ from run to run, as load does), writes its own
// debug=2 goroutine dump and exits. With "extra", it also leaks at a site
// the other runs do not have: the new leak a baseline must let through.
// Standard library only; builds with every Go from 1.19 on.
//
//	restart DUMP_FILE SENDERS [extra]
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"
)

var (
	results  = make(chan int) // nobody reads: every sender blocks forever
	never    = make(chan int) // nobody sends or closes
	nilQueue chan int
)

// sendResult is "first result wins" gone wrong: the caller returned.
func sendResult(i int) { results <- i }

// waitNil blocks forever on a channel that was never made.
func waitNil() { <-nilQueue }

// awaitShutdown waits for a close that never comes (only with "extra").
func awaitShutdown() { <-never }

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: restart DUMP_FILE SENDERS [extra]")
		os.Exit(2)
	}
	senders, err := strconv.Atoi(os.Args[2])
	if err != nil || senders < 1 {
		fmt.Fprintln(os.Stderr, "SENDERS must be a positive number")
		os.Exit(2)
	}
	extra := len(os.Args) > 3 && os.Args[3] == "extra"
	want := runtime.NumGoroutine() + senders + 6
	for i := 0; i < senders; i++ {
		go sendResult(i)
	}
	for i := 0; i < 6; i++ {
		go waitNil()
	}
	if extra {
		want += 17
		for i := 0; i < 17; i++ {
			go awaitShutdown()
		}
	}
	deadline := time.Now().Add(20 * time.Second)
	for runtime.NumGoroutine() < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // let the last ones park
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.Lookup("goroutine").WriteTo(f, 2); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("GOROUTINES %d\n", runtime.NumGoroutine())
}
