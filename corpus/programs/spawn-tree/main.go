// spawn-tree: goroutine creation trees. From Go 1.21 the dump says
// "created by F in goroutine N"; before, only "created by F".
//   - main.(*Server).serve (one goroutine) starts 300 main.(*Server).handle
//     goroutines, gives each a reply channel and drops it: all 300 block
//     forever in chan send, a GC-provable leak that the goroutineleak
//     profile marks "(leaked)". The spawner itself stays alive in chan
//     receive.
//   - main.(*Janitor).run starts 7 main.(*Janitor).sweep goroutines that wait
//     in select for work, then waits for them in WaitGroup.Wait.
//   - nested spawns, 3 levels, all alive: main.level1 (1) -> main.level2 (2)
//     -> main.level3 (3 each, 6 in all), waiting in chan receive.
//   - main.launchBatch starts 11 main.batchItem goroutines and returns: their
//     parent id names a goroutine that is no longer in the dump.
//
// EXPECT lines give each spawner's goroutine id (read from its own
// runtime.Stack header) and how many goroutines it created.
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

const (
	handlers = 300
	sweepers = 7
	fanout2  = 2
	fanout3  = 3
	batch    = 11
	rule     = "rule=chan-send-blocked"
)

var (
	idsMu sync.Mutex
	ids   = map[string][]int64{} // spawner function -> goroutine ids
)

func record(fn string) {
	id := selfID()
	idsMu.Lock()
	ids[fn] = append(ids[fn], id)
	idsMu.Unlock()
}

type Server struct {
	stop chan struct{}
}

func (s *Server) serve() {
	record("main.(*Server).serve")
	for i := 0; i < handlers; i++ {
		// Bug: the request is handled asynchronously and its reply channel
		// is dropped here, so every handler blocks forever on its send.
		reply := make(chan int)
		go s.handle(i, reply)
	}
	<-s.stop
}

func (s *Server) handle(i int, reply chan<- int) {
	reply <- i * 2
}

type Janitor struct {
	kick chan struct{}
	wg   sync.WaitGroup
}

func (j *Janitor) run() {
	record("main.(*Janitor).run")
	for i := 0; i < sweepers; i++ {
		j.wg.Add(1)
		go j.sweep(i)
	}
	j.wg.Wait()
}

func (j *Janitor) sweep(shard int) {
	defer j.wg.Done()
	for {
		select {
		case <-j.kick:
		case <-release:
			return
		}
	}
}

var release = make(chan struct{}) // never closed while the dumps are taken

func level1() {
	record("main.level1")
	for i := 0; i < fanout2; i++ {
		go level2(i)
	}
	<-release
}

func level2(i int) {
	record("main.level2")
	for k := 0; k < fanout3; k++ {
		go level3(i, k)
	}
	<-release
}

func level3(i, k int) { <-release }

func launchBatch() {
	record("main.launchBatch")
	for i := 0; i < batch; i++ {
		go batchItem(i)
	}
}

func batchItem(i int) { <-release }

var (
	server  = &Server{stop: make(chan struct{})}
	janitor = &Janitor{kick: make(chan struct{})}
)

// children counts goroutines created by fn in goroutine parent (by function
// only when the runtime prints no parent ids, as before Go 1.21).
func children(fn string, parent int64) func(gor) bool {
	return func(g gor) bool {
		return g.createdBy == fn && (g.parent == -1 || g.parent == parent)
	}
}

func main() {
	ln := listenDebug()
	go server.serve()
	go janitor.run()
	go level1()
	go launchBatch()

	// Wait until every spawner has recorded itself.
	for {
		idsMu.Lock()
		n := len(ids["main.(*Server).serve"]) + len(ids["main.(*Janitor).run"]) + len(ids["main.level1"]) +
			len(ids["main.level2"]) + len(ids["main.launchBatch"])
		idsMu.Unlock()
		if n == 1+1+1+fanout2+1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	parentIDs := 0
	for _, g := range goroutines() {
		if g.parent >= 0 {
			parentIDs = 1
			break
		}
	}
	expect("parent_ids_in_dump=" + strconv.Itoa(parentIDs))

	// spawner=F goid=N created=K child=C: goroutine N (running F) created K
	// goroutines whose user site is C. With parent ids (Go 1.21+) the dump
	// shows "created by F in goroutine N" on each of them.
	spawner := func(fn string, i int, child string, k int, extra ...string) {
		id := ids[fn][i]
		want := k
		if parentIDs == 0 && fn == "main.level2" {
			want = fanout2 * fanout3 // no parent ids: only the function is known
		}
		settle("children of "+fn, want, children(fn, id))
		expect(append([]string{"spawner=" + fn, "goid=" + strconv.FormatInt(id, 10), "created=" + strconv.Itoa(k),
			"child=" + child}, extra...)...)
	}
	bg := "role=background"

	spawner("main.(*Server).serve", 0, "main.(*Server).handle", handlers)
	fact(rule, "main.(*Server).handle", "chan send", handlers, "created_by=main.(*Server).serve", "gc_leak=1")
	fact(bg, "main.(*Server).serve", "chan receive", 1, "created_by=main.main", "note=spawner_alive")

	spawner("main.(*Janitor).run", 0, "main.(*Janitor).sweep", sweepers)
	fact(bg, "main.(*Janitor).sweep", "select", sweepers, "created_by=main.(*Janitor).run")
	fact(bg, "main.(*Janitor).run", "", 1, "created_by=main.main", "note=spawner_alive_in_WaitGroup.Wait")

	l1 := strconv.FormatInt(ids["main.level1"][0], 10)
	spawner("main.level1", 0, "main.level2", fanout2, "parent_goid=1")
	for i := range ids["main.level2"] {
		spawner("main.level2", i, "main.level3", fanout3, "parent_goid="+l1)
	}
	fact(bg, "main.level1", "chan receive", 1, "created_by=main.main", "note=tree_level_1")
	fact(bg, "main.level2", "chan receive", fanout2, "created_by=main.level1", "note=tree_level_2")
	fact(bg, "main.level3", "chan receive", fanout2*fanout3, "created_by=main.level2", "note=tree_level_3")

	spawner("main.launchBatch", 0, "main.batchItem", batch, "spawner_alive=0", "parent_goid=1")
	fact(bg, "main.batchItem", "chan receive", batch, "created_by=main.launchBatch", "note=parent_exited")
	fact(bg, "main.launchBatch", "", 0)
	expect("spawner=main.main", "goid=1", "created=4", "child=main.(*Server).serve,main.(*Janitor).run,main.level1,main.launchBatch",
		"note=launchBatch_exited")
	ready(ln)
	http.Serve(ln, nil)
}

// ===== gorleak corpus helpers, phase revision (healthy-*, series-*, spawn-tree, labels) =====

// expect prints one ground-truth line for the regen script.
func expect(kv ...string) {
	if phase != "" {
		kv = append([]string{"phase=" + phase}, kv...)
	}
	fmt.Println("GORLEAK-EXPECT " + strings.Join(kv, " "))
}

// phase is the phase being switched to while a /phase request runs.
var phase string

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
		if i := strings.Index(g.state, " labels:{"); i >= 0 { // Go 1.26 tracebacklabels=1
			g.state = g.state[:i]
		}
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

// atSite: for fn in package main, fn is the goroutine's first main.* frame;
// for a stdlib fn (goroutines with no user frame), one of its frames is fn.
func atSite(g gor, fn string) bool {
	if strings.HasPrefix(fn, "main.") {
		return g.top() == fn
	}
	return g.top() == "" && g.has(fn)
}

// settle waits until exactly want goroutines match, for 250ms in a row, and
// returns their common state. The ground truth must be exact: if that never
// happens it prints GORLEAK-ERROR and exits.
func settle(what string, want int, pred func(gor) bool) string {
	deadline := time.Now().Add(20 * time.Second)
	for stable := 0; ; {
		n, st := count(pred)
		if n == want && st != "mixed" && st != "running" && st != "runnable" {
			if stable++; stable >= 5 {
				return st
			}
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("GORLEAK-ERROR %s: have %d goroutines (%s), want %d", what, n, st, want)
			fmt.Println(msg)
			fmt.Fprintln(os.Stderr, msg)
			os.Exit(3)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fact waits for n goroutines at site fn (in state st unless st is "") and
// prints "KIND count=N site=FN state=ST [marked_leaked=1] [extra...]", KIND
// being "rule=ID" or "role=background|companion". The state printed is the
// one observed (semacquire vs sync.Mutex.Lock depends on the Go version),
// without the " (leaked)" mark that an earlier goroutineleak profile leaves
// on Go 1.26+: marked_leaked=1 says the headers carry it.
func fact(kind, fn, st string, n int, extra ...string) {
	factWhere(kind, fn, st, n, func(g gor) bool { return atSite(g, fn) }, extra...)
}

// factWhere is fact with a custom predicate (still reported as site=fn).
func factWhere(kind, fn, st string, n int, pred func(gor) bool, extra ...string) {
	got := settle(kind+" at "+fn, n, func(g gor) bool {
		return pred(g) && (st == "" || strings.TrimSuffix(g.state, " (leaked)") == st)
	})
	marked := strings.HasSuffix(got, " (leaked)")
	if n > 0 {
		st = strings.TrimSuffix(got, " (leaked)")
	}
	kv := []string{kind, "count=" + strconv.Itoa(n), "site=" + fn, "state=" + st}
	if marked {
		kv = append(kv, "marked_leaked=1")
	}
	expect(append(kv, extra...)...)
}

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
// switch (which settles and prints its EXPECT lines, each starting with
// phase=P), then reply "ok".
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
		phase = name
		f()
		phase = ""
		fmt.Fprintln(w, "ok")
	})
}
