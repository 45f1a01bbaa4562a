// states: one group of goroutines per goroutine state a dump can show, each
// parked in its own clearly named function with a distinct count, so a parser
// can be checked state by state. All channels and locks are package-level, so
// only the nil-channel and select{} goroutines are GC-provable leaks (marked
// "(leaked)" by Go 1.26+/1.27's goroutineleak profile).
//
// Version-dependent states (printed per version in the .expect file):
// Mutex/RWMutex waits are "semacquire" up to Go 1.19, WaitGroup.Wait up to 1.23.
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
	"syscall"
	"time"
)

var (
	recvCh         = make(chan int)
	sendCh         = make(chan int)
	selA, selB     = make(chan int), make(chan int)
	nilCh          chan int // never made: sends and receives block forever
	mu             sync.Mutex
	rwHeldByWriter sync.RWMutex // write-locked by main: readers wait in RLock
	rwHeldByReader sync.RWMutex // read-locked by main: writers wait in Lock
	wg             sync.WaitGroup
	condMu         sync.Mutex
	cond           = sync.NewCond(&condMu)
	lockedCh       = make(chan int)
	genericCh      = make(chan string)
	nestedCh       = make(chan int)
	conns          []net.Conn // both ends of the IO-wait connections
	pipeR, pipeW   int        // blocking pipe for the syscall readers
	servers        []*server
	spin           uint64
)

func chanReceiver() { <-recvCh }

func chanSender() { sendCh <- 1 }

func selectWaiter() {
	select {
	case <-selA:
	case selB <- 1:
	}
}

func selectNoCases() { select {} }

func nilSender() { nilCh <- 1 }

func nilReceiver() { <-nilCh }

func mutexWaiter() {
	mu.Lock()
	mu.Unlock()
}

func rwReader() {
	rwHeldByWriter.RLock()
	rwHeldByWriter.RUnlock()
}

func rwWriter() {
	rwHeldByReader.Lock()
	rwHeldByReader.Unlock()
}

func wgWaiter() { wg.Wait() }

func condWaiter() {
	condMu.Lock()
	for {
		cond.Wait()
	}
}

func ioReader(c net.Conn) {
	buf := make([]byte, 1)
	c.Read(buf)
}

// syscallReader blocks in read(2) on a blocking pipe fd (not the netpoller).
func syscallReader(fd int) {
	var b [1]byte
	syscall.Read(fd, b[:])
}

func sleeper() { time.Sleep(time.Hour) }

// busyLoop never blocks: it shows as running or runnable.
func busyLoop() {
	for {
		spin++
	}
}

func lockedWaiter() {
	runtime.LockOSThread()
	<-lockedCh
}

func genericWait[T any](ch chan T) T { return <-ch }

type server struct{ reqs chan int }

func (s *server) loop() {
	for range s.reqs {
	}
}

// startServers starts each loop through a method value (s.loop), whose
// goroutine entry is the main.(*server).loop-fm wrapper.
func startServers(n int) {
	for i := 0; i < n; i++ {
		s := &server{reqs: make(chan int)}
		servers = append(servers, s)
		f := s.loop
		go f()
	}
}

// nestedStart's closure starts an inner closure and returns.
func nestedStart(n int) {
	go func() {
		for i := 0; i < n; i++ {
			go func() { <-nestedCh }()
		}
	}()
}

func startN(n int, f func()) {
	for i := 0; i < n; i++ {
		go f()
	}
}

func main() {
	ln := listenDebug()
	minor := goMinor()
	mutexLock, rwRLock, rwLock, wgWait := "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.WaitGroup.Wait"
	if minor < 20 {
		mutexLock, rwRLock, rwLock = "semacquire", "semacquire", "semacquire"
	}
	if minor < 24 {
		wgWait = "semacquire"
	}

	mu.Lock()
	rwHeldByWriter.Lock()
	rwHeldByReader.RLock()
	wg.Add(1)

	startN(3, chanReceiver)
	startN(4, chanSender)
	startN(5, selectWaiter)
	startN(6, selectNoCases)
	startN(7, nilSender)
	startN(8, nilReceiver)
	startN(9, mutexWaiter)
	startN(10, rwReader)
	// The first writer takes the RWMutex's inner writer Mutex and waits for the
	// reader to leave; the other 10 wait for that inner Mutex.
	go rwWriter()
	waitCount("first rwWriter", 1, siteState("main.rwWriter", rwLock))
	startN(10, rwWriter)
	startN(12, wgWaiter)
	startN(13, condWaiter)

	l2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	for i := 0; i < 14; i++ {
		c, err := net.Dial("tcp", l2.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		s, err := l2.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		conns = append(conns, c, s)
		go ioReader(s)
	}
	l2.Close()

	var p [2]int
	if err := syscall.Pipe(p[:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	pipeR, pipeW = p[0], p[1]
	for i := 0; i < 2; i++ {
		go syscallReader(pipeR)
	}

	startN(15, sleeper)
	go busyLoop()
	startN(16, lockedWaiter)
	for i := 0; i < 17; i++ {
		go genericWait(genericCh)
	}
	startServers(18)
	nestedStart(19)

	expectState("chan receive", "main.chanReceiver", 3)
	expectState("chan send", "main.chanSender", 4)
	expectState("select", "main.selectWaiter", 5)
	expectState("select (no cases)", "main.selectNoCases", 6, "gc_leak=1")
	expectState("chan send (nil chan)", "main.nilSender", 7, "gc_leak=1")
	expectState("chan receive (nil chan)", "main.nilReceiver", 8, "gc_leak=1")
	expectState(mutexLock, "main.mutexWaiter", 9)
	expectState(rwRLock, "main.rwReader", 10)
	if minor < 20 {
		expectState("semacquire", "main.rwWriter", 11)
	} else {
		expectState(rwLock, "main.rwWriter", 1)
		expectState(mutexLock, "main.rwWriter", 10, "note=writers_behind_the_first_wait_on_the_inner_Mutex")
	}
	expectState(wgWait, "main.wgWaiter", 12)
	expectState("sync.Cond.Wait", "main.condWaiter", 13)
	expectState("IO wait", "main.ioReader", 14)
	expectState("syscall", "main.syscallReader", 2)
	expectState("sleep", "main.sleeper", 15)
	waitCount("busyLoop", 1, siteState("main.busyLoop", ""))
	expect("state=running|runnable", "count=1", "site=main.busyLoop", "note=either_state_depending_on_timing")
	expectState("chan receive", "main.lockedWaiter", 16, "locked=1")
	expectState("chan receive", "main.genericWait[...]", 17)
	expectState("chan receive", "main.(*server).loop", 18, "via=method_value_-fm")
	expectState("chan receive", "main.nestedStart.func1.1", 19, "created_by=main.nestedStart.func1")
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
