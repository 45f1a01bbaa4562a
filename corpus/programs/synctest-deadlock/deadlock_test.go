// A test whose bubble deadlocks, for a real synctest report: "panic:
// deadlock: all goroutines in bubble are blocked" (Go 1.25+).
// corpus/regen.sh runs it with `go test` and keeps its output as
// dumps/synctest-deadlock.goV.test.txt.
//
// The test collects a batch of lookups after wg.Wait() from an unbuffered
// channel: the 6 lookups block in chan send, the bubble's main goroutine in
// wg.Wait(), and nothing in the bubble can wake them.
package synctestdeadlock

import (
	"sync"
	"testing"
	"testing/synctest"
)

func lookupAll(keys []string) map[string]int {
	results := make(chan [2]any)
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Add(1)
		go func(i int, k string) {
			defer wg.Done()
			results <- [2]any{k, i}
		}(i, k)
	}
	wg.Wait() // nobody reads results until every lookup is done
	close(results)
	out := map[string]int{}
	for r := range results {
		out[r[0].(string)] = r[1].(int)
	}
	return out
}

func TestLookupAllDeadlocks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		if got := lookupAll([]string{"a", "b", "c", "d", "e", "f"}); len(got) != 6 {
			t.Fatalf("lookupAll = %v", got)
		}
	})
}
