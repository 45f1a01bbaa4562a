package harness

import (
	"strconv"
	"strings"
)

// Fact waits for n goroutines at site fn (AtSite) in state st (any parked
// state when st is "") and prints
//
//	KIND count=N site=FN state=ST [marked_leaked=1] [extra...]
//
// KIND is "rule=ID" for a leak, "role=companion" for goroutines the leak
// keeps alive, or "role=background" for healthy goroutines. The state
// printed is the one observed (semacquire vs sync.Mutex.Lock depends on the
// Go version), without the " (leaked)" mark that an earlier goroutineleak
// fetch leaves on Go 1.26+; marked_leaked=1 says the headers carry it,
// marked_leaked_partial=K that K of the N do.
func Fact(kind, fn, st string, n int, extra ...string) {
	FactWhere(kind, fn, st, n, func(g G) bool { return AtSite(g, fn) }, extra...)
}

// FactWhere is Fact with a custom predicate (still reported as site=fn).
// A created_by=F among extra is checked too: every goroutine counted must
// have been created by F.
func FactWhere(kind, fn, st string, n int, pred func(G) bool, extra ...string) {
	match := func(g G) bool {
		return pred(g) && (st == "" || strings.TrimSuffix(g.State, " (leaked)") == st)
	}
	got := Settle(kind+" at "+fn, n, match)
	for _, kv := range extra {
		if want := strings.TrimPrefix(kv, "created_by="); want != kv {
			for _, g := range Goroutines() {
				if match(g) && g.CreatedBy != want {
					Fail("%s at %s: goroutine %d was created by %q, not %s", kind, fn, g.ID, g.CreatedBy, want)
				}
			}
		}
	}
	marked := strings.HasSuffix(got, " (leaked)")
	if n > 0 {
		st = strings.TrimSuffix(got, " (leaked)")
	}
	kv := []string{kind, "count=" + strconv.Itoa(n), "site=" + fn, "state=" + st}
	if marked {
		kv = append(kv, "marked_leaked=1")
	} else if k := Marked(match); k > 0 {
		kv = append(kv, "marked_leaked_partial="+strconv.Itoa(k))
	}
	Expect(append(kv, extra...)...)
}

// Healthy marks the program (or the current phase) as having no leak.
func Healthy() { Expect("healthy=1") }

// HeapHealthy marks the current phase's heap as holding no leak while its
// goroutines may still show one (a leak-shaped loop that has not yet run).
func HeapHealthy() { Expect("heap_healthy=1") }
