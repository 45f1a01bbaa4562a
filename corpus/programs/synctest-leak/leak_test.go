// A test that leaks inside a testing/synctest bubble, for a real synctest
// report: "panic: deadlock: main bubble goroutine has exited but blocked
// goroutines remain" (Go 1.25+). corpus/regen-tests.sh runs it with
// `go test` and keeps its output as dumps/synctest-leak.goV.test.txt.
//
// Two shapes stay blocked after the bubble's main goroutine returns:
//   - 4 "first result wins" senders: fetchFirst reads one result from an
//     unbuffered channel and returns, so the other 4 block in chan send;
//   - 1 subscriber ranging over a channel nobody closes (chan receive).
package synctestleak

import (
	"testing"
	"testing/synctest"
)

func fetchFirst(backends int) int {
	results := make(chan int)
	for i := 0; i < backends; i++ {
		go func(i int) { results <- i }(i)
	}
	return <-results
}

func subscribe(events <-chan string, seen *int) {
	go func() {
		for range events {
			*seen++
		}
	}()
}

func TestFetchFirstLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if got := fetchFirst(5); got < 0 {
			t.Fatalf("fetchFirst = %d", got)
		}
		events := make(chan string)
		seen := 0
		subscribe(events, &seen)
		events <- "hello"
		synctest.Wait()
		if seen != 1 {
			t.Fatalf("seen = %d", seen)
		}
	})
}
