package harness

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// G is one goroutine as runtime.Stack(all) prints it (the debug=2 format).
type G struct {
	ID        int64
	State     string   // bracket text up to the first ", " (minutes etc. dropped); labels dropped
	Funcs     []string // frame function names, innermost first
	CreatedBy string   // without " in goroutine N"
	Parent    int64    // "in goroutine N" (Go 1.21+), else -1
}

// Top is the goroutine's first frame of package main: its user site.
func (g G) Top() string {
	for _, f := range g.Funcs {
		if strings.HasPrefix(f, "main.") {
			return f
		}
	}
	return ""
}

// Has reports whether fn is one of the goroutine's frames.
func (g G) Has(fn string) bool {
	for _, f := range g.Funcs {
		if f == fn {
			return true
		}
	}
	return false
}

// Caller returns the function that called fn on this goroutine's stack
// (the frame below fn), or "".
func (g G) Caller(fn string) string {
	for i, f := range g.Funcs {
		if f == fn && i+1 < len(g.Funcs) {
			return g.Funcs[i+1]
		}
	}
	return ""
}

// AtSite is the corpus's definition of a leak site: for fn in package main,
// fn is the goroutine's first main.* frame; for any other fn (goroutines
// with no frame of the program, such as an unread body's readLoop), the
// goroutine has no main.* frame and fn is one of its frames.
func AtSite(g G, fn string) bool {
	if strings.HasPrefix(fn, "main.") {
		return g.Top() == fn
	}
	return g.Top() == "" && g.Has(fn)
}

// Goroutines parses runtime.Stack(all) of this process.
func Goroutines() []G {
	var out []G
	for _, blk := range stackBlocks() {
		if g, ok := parseBlock(blk); ok {
			out = append(out, g)
		}
	}
	return out
}

// stackBlocks is runtime.Stack(all) of this process, one goroutine a block.
func stackBlocks() []string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Split(string(buf), "\n\n")
}

// parseBlock parses one goroutine of runtime.Stack's output.
func parseBlock(blk string) (G, bool) {
	lines := strings.Split(blk, "\n")
	h := lines[0]
	lb := strings.IndexByte(h, '[')
	if !strings.HasPrefix(h, "goroutine ") || lb < 0 {
		return G{}, false
	}
	g := G{Parent: -1}
	g.ID, _ = strconv.ParseInt(strings.Fields(h)[1], 10, 64)
	rb := strings.LastIndexByte(h, ']')
	if rb < lb {
		return G{}, false
	}
	g.State = h[lb+1 : rb]
	if i := strings.Index(g.State, " labels:{"); i >= 0 { // Go 1.26 tracebacklabels=1
		g.State = g.State[:i]
	}
	if i := strings.Index(g.State, ", "); i >= 0 {
		g.State = g.State[:i]
	}
	for _, l := range lines[1:] {
		if l == "" || l[0] == '\t' {
			continue
		}
		if strings.HasPrefix(l, "created by ") {
			c := l[len("created by "):]
			if j := strings.Index(c, " in goroutine "); j >= 0 {
				g.Parent, _ = strconv.ParseInt(c[j+len(" in goroutine "):], 10, 64)
				c = c[:j]
			}
			g.CreatedBy = c
			continue
		}
		if j := strings.LastIndexByte(l, '('); j > 0 {
			g.Funcs = append(g.Funcs, l[:j])
		}
	}
	return g, true
}

// SelfID is the calling goroutine's id.
func SelfID() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.ParseInt(strings.Fields(string(buf))[1], 10, 64)
	return id
}

// GoMinor is the Go minor version of the running binary ("go1.27.3" -> 27).
func GoMinor() int {
	var major, minor int
	fmt.Sscanf(strings.TrimPrefix(runtime.Version(), "go"), "%d.%d", &major, &minor)
	return minor
}

// Count returns how many goroutines match pred and their common state
// ("mixed" when they differ). The " (leaked)" mark of a goroutineleak
// fetch does not make states differ: a group can be partly marked (the
// goroutines that were unreachable at the last fetch); the state returned
// carries the mark when every one has it.
func Count(pred func(G) bool) (n int, state string) {
	marked := 0
	for _, g := range Goroutines() {
		if pred(g) {
			n++
			st := strings.TrimSuffix(g.State, " (leaked)")
			if st != g.State {
				marked++
			}
			if state == "" {
				state = st
			} else if state != st {
				state = "mixed"
			}
		}
	}
	if n > 0 && marked == n && state != "mixed" {
		state += " (leaked)"
	}
	return n, state
}

// Marked counts the goroutines matching pred whose state carries the
// " (leaked)" mark of an earlier goroutineleak fetch.
func Marked(pred func(G) bool) int {
	n := 0
	for _, g := range Goroutines() {
		if pred(g) && strings.HasSuffix(g.State, " (leaked)") {
			n++
		}
	}
	return n
}

// settleTimeout bounds every wait for the ground truth.
const settleTimeout = 30 * time.Second

// Settle waits until exactly want goroutines match pred, all in one parked
// state, for 5 polls in a row, and returns that state. It fails the program
// when that never happens.
func Settle(what string, want int, pred func(G) bool) string {
	deadline := time.Now().Add(settleTimeout)
	for stable := 0; ; {
		n, st := Count(pred)
		if n == want && st != "mixed" && st != "running" && st != "runnable" {
			if stable++; stable >= 5 {
				return st
			}
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			Fail("%s: have %d goroutines (%s), want %d", what, n, st, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
