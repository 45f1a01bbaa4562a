// time-after-loop: rule time-after-in-loop. Three main.eventLoop goroutines
// each run a select loop that calls time.After(time.Minute) on every
// iteration while events arrive every 10ms. The timers are not goroutines:
// the dump shows only three loops in "select" at the select's source line
// (EXPECT source_line), while before Go 1.23 every iteration's timer stays
// alive for a minute (heap growth, not visible in a goroutine dump).
package main

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

const loops = 3

var (
	selectLine string // file:line of eventLoop's select, as a traceback shows it
	lineOnce   sync.Once
	handled    [loops]int
)

func eventLoop(id int, in <-chan int) {
	idle := 0
	_, file, line, _ := runtime.Caller(0) // keep exactly 3 lines above the select
	lineOnce.Do(func() { selectLine = fmt.Sprintf("%s:%d", file, line+3) })
	for {
		select {
		case v := <-in:
			handled[id] += v
		case <-time.After(time.Minute): // a new timer every iteration
			idle++
		}
	}
}

// produce feeds the loops an event every 10ms (healthy background).
func produce(outs []chan int) {
	for {
		for _, c := range outs {
			c <- 1
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func main() {
	ln := listenDebug()
	var outs []chan int
	for i := 0; i < loops; i++ {
		c := make(chan int)
		outs = append(outs, c)
		go eventLoop(i, c)
	}
	go produce(outs)
	time.Sleep(200 * time.Millisecond)      // let each loop go round ~20 times
	expectTimeAfterLoops(loops, selectLine) // a leak before Go 1.23 only
	expectRole("background", "main.produce", "", 1, "created_by=main.main")
	serveAndBlock(ln)
}

// ===== gorleak corpus expectation helpers (states and leak-shape programs) =====

// goMinor is the Go minor version of the running binary ("go1.27.3" -> 27).
func goMinor() int {
	var major, minor int
	fmt.Sscanf(strings.TrimPrefix(runtime.Version(), "go"), "%d.%d", &major, &minor)
	return minor
}

// siteState matches goroutines whose first main.* frame is fn and, unless st
// is empty, whose state (bracket text before ", ") is st.
func siteState(fn, st string) func(gor) bool {
	return func(g gor) bool { return g.top() == fn && (st == "" || g.state == st) }
}

// waitCount waits until exactly n goroutines match pred in 5 polls in a row.
// The ground truth must be exact: it exits the program if that never happens.
func waitCount(desc string, n int, pred func(gor) bool) {
	deadline := time.Now().Add(20 * time.Second)
	for stable := 0; stable < 5; {
		c, st := count(pred)
		if c == n {
			stable++
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("GORLEAK-ERROR %s: have %d goroutines (%s), want %d", desc, c, st, n)
			fmt.Println(msg)
			fmt.Fprintln(os.Stderr, msg)
			os.Exit(3)
		}
		time.Sleep(40 * time.Millisecond)
	}
}

// expectState waits for n goroutines at site fn in state st and prints
// "state=ST count=N site=FN [extra...]".
func expectState(st, fn string, n int, extra ...string) {
	waitCount(fn+" in "+st, n, siteState(fn, st))
	expect(append([]string{"state=" + st, "count=" + strconv.Itoa(n), "site=" + fn}, extra...)...)
}

// expectLeak waits for n goroutines at site fn (see atSite) in state st, and
// prints "rule=RULE count=N site=FN state=ST [extra...]".
func expectLeak(rule, fn, st string, n int, extra ...string) {
	waitCount(rule+" at "+fn, n, func(g gor) bool { return atSite(g, fn) && (st == "" || g.state == st) })
	expect(append([]string{"rule=" + rule, "count=" + strconv.Itoa(n), "site=" + fn, stateKV(st)}, extra...)...)
}

// expectRole is like expectLeak for goroutines that are not the leak itself:
// role=companion (created by, or kept alive by, the leak) or role=background
// (healthy goroutines of the program).
func expectRole(role, fn, st string, n int, extra ...string) {
	waitCount(role+" at "+fn, n, func(g gor) bool { return atSite(g, fn) && (st == "" || g.state == st) })
	expect(append([]string{"role=" + role, "count=" + strconv.Itoa(n), "site=" + fn, stateKV(st)}, extra...)...)
}

// stateKV is "state=ST", or "state=any" when any state is accepted.
func stateKV(st string) string {
	if st == "" {
		return "state=any"
	}
	return "state=" + st
}

// atSite: for fn in package main, fn is the goroutine's first main.* frame;
// for a stdlib fn (leaks with no user frame), one of its frames is fn.
func atSite(g gor, fn string) bool {
	if strings.HasPrefix(fn, "main.") {
		return g.top() == fn
	}
	return g.top() == "" && g.has(fn)
}

// serveAndBlock prints READY and serves pprof on the main goroutine, so main
// itself is the net/http accept loop (IO wait), not an extra parked goroutine.
func serveAndBlock(ln net.Listener) {
	ready(ln)
	http.Serve(ln, nil)
}

// ===== gorleak corpus helpers: the same block ends every corpus program =====

// expect prints one ground-truth line for the regen script.
func expect(kv ...string) { fmt.Println("GORLEAK-EXPECT " + strings.Join(kv, " ")) }

// gor is one goroutine as runtime.Stack(all) prints it (the debug=2 format).
type gor struct {
	id        int64
	state     string   // bracket text up to the first ", " (minutes etc. dropped)
	funcs     []string // frame function names, innermost first
	createdBy string
	parent    int64 // "in goroutine N" (Go 1.21+), else -1
}

// top is the first frame of package main: the goroutine's user site.
func (g gor) top() string {
	for _, f := range g.funcs {
		if strings.HasPrefix(f, "main.") {
			return f
		}
	}
	return ""
}

func (g gor) has(fn string) bool {
	for _, f := range g.funcs {
		if f == fn {
			return true
		}
	}
	return false
}

func goroutines() []gor {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	var out []gor
	for _, blk := range strings.Split(string(buf), "\n\n") {
		lines := strings.Split(blk, "\n")
		h := lines[0]
		lb := strings.IndexByte(h, '[')
		if !strings.HasPrefix(h, "goroutine ") || lb < 0 {
			continue
		}
		g := gor{parent: -1}
		g.id, _ = strconv.ParseInt(strings.Fields(h)[1], 10, 64)
		rb := lb + strings.IndexByte(h[lb:], ']')
		g.state = h[lb+1 : rb]
		if i := strings.Index(g.state, ", "); i >= 0 {
			g.state = g.state[:i]
		}
		for _, l := range lines[1:] {
			if l == "" || l[0] == '\t' {
				continue
			}
			if strings.HasPrefix(l, "created by ") {
				c := l[len("created by "):]
				if j := strings.Index(c, " in goroutine "); j >= 0 {
					g.parent, _ = strconv.ParseInt(c[j+len(" in goroutine "):], 10, 64)
					c = c[:j]
				}
				g.createdBy = c
				continue
			}
			if j := strings.LastIndexByte(l, '('); j > 0 {
				g.funcs = append(g.funcs, l[:j])
			}
		}
		out = append(out, g)
	}
	return out
}

// selfID is the calling goroutine's id, from the first line "goroutine N [".
func selfID() int64 {
	buf := make([]byte, 64)
	buf = buf[:runtime.Stack(buf, false)]
	id, _ := strconv.ParseInt(strings.Fields(string(buf))[1], 10, 64)
	return id
}

func count(pred func(gor) bool) (n int, state string) {
	for _, g := range goroutines() {
		if pred(g) {
			n++
			if state == "" {
				state = g.state
			} else if state != g.state {
				state = "mixed"
			}
		}
	}
	return n, state
}

// topIs matches goroutines whose user site is fn.
func topIs(fn string) func(gor) bool { return func(g gor) bool { return g.top() == fn } }

// settle waits until exactly want goroutines match (for 250ms in a row) and
// returns the EXPECT fragment "group=... state=... count=N". It exits the
// program if that never happens: the ground truth must be exact.
func settle(group string, want int, pred func(gor) bool) string {
	deadline := time.Now().Add(20 * time.Second)
	for stable := 0; ; {
		n, st := count(pred)
		if n == want && st != "mixed" && st != "running" && st != "runnable" {
			if stable++; stable >= 5 {
				if n == 0 {
					return fmt.Sprintf("group=%s count=0", group)
				}
				return fmt.Sprintf("group=%s state=%s count=%d", group, st, n)
			}
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "settle %s: have %d (%s), want %d\n", group, n, st, want)
			os.Exit(3)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func settleTop(fn string, want int) string { return settle(fn, want, topIs(fn)) }

// listenDebug opens the pprof listener (net/http/pprof is on DefaultServeMux).
func listenDebug() net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return ln
}

func ready(ln net.Listener) { fmt.Printf("GORLEAK-READY addr=%s\n", ln.Addr()) }

// servePhases prints GORLEAK-PHASES and serves GET /phase?name=P: run P's
// switch (which settles and prints its EXPECT lines), then reply "ok".
func servePhases(order []string, run map[string]func()) {
	fmt.Println("GORLEAK-PHASES " + strings.Join(order, ","))
	var mu sync.Mutex
	http.HandleFunc("/phase", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		f := run[name]
		if f == nil {
			http.Error(w, "unknown phase", http.StatusNotFound)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		f()
		fmt.Fprintln(w, "ok")
	})
}

// expectTimeAfterLoops states the eventLoops' truth for this Go version:
// before Go 1.23 every time.After timer lives until it fires (a leak);
// from 1.23 unreferenced timers are collected, and the same loops are
// healthy. (Defined last so the lines above keep their numbers.)
func expectTimeAfterLoops(loops int, selectLine string) {
	if goMinor() < 23 {
		expectLeak("time-after-in-loop", "main.eventLoop", "select", loops, "source_line="+selectLine, "created_by=main.main")
		return
	}
	expect("healthy=1")
	expectRole("background", "main.eventLoop", "select", loops, "source_line="+selectLine, "created_by=main.main",
		"note=time.After in a loop is not a leak since Go 1.23")
}
