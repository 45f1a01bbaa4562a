// series-growth: the series-send-leak fan-out under load that keeps coming,
// captured after each wave, for `gorleak trend`. Every /search request asks
// three backends (main.search.func1) and keeps the first answer; the two
// losers block forever in chan send.
//
//	idle:  one /healthz request; no leak
//	wave1: 10 /search requests -> 20 leaked senders
//	wave2: 10 more -> 40
//	wave3: 10 more -> 60
//	after: load stopped; the 60 senders stay
//
// The per-request channels are unreachable, so Go 1.26+/1.27 goroutineleak
// profiles mark the senders "(leaked)".
package main

import (
	"bufio"
	"fmt"
	"io"
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
	requests = 10
	backends = 3
	leakSite = "main.search.func1"
	rule     = "rule=chan-send-blocked"
)

func query(backend int, q string) string { return fmt.Sprintf("backend%d:%s", backend, q) }

// search returns the first backend's answer and forgets the others.
func search(q string) string {
	ch := make(chan string)
	for b := 0; b < backends; b++ {
		go func(b int) {
			ch <- query(b, q)
		}(b)
	}
	return <-ch
}

func handleSearch(w http.ResponseWriter, r *http.Request) {
	io.WriteString(w, search(r.URL.Query().Get("q")))
}

var (
	app    *http.Server
	loader *rawClient
)

type rawClient struct {
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(addr string) *rawClient {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return &rawClient{c: c, br: bufio.NewReader(c)}
}

func (rc *rawClient) get(path string) {
	fmt.Fprintf(rc.c, "GET %s HTTP/1.1\r\nHost: app\r\n\r\n", path)
	resp, err := http.ReadResponse(rc.br, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func main() {
	ln := listenDebug()
	aln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/search", handleSearch)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	app = &http.Server{Handler: mux}
	go app.Serve(aln)
	loader = dialRaw(aln.Addr().String())

	report := func(leaked int) {
		fact(rule, leakSite, "chan send", leaked, "created_by=main.search", "gc_leak=1")
		fact("role=background", "net/http.(*conn).serve", "IO wait", 1, "note=app_side_of_the_loader_conn")
		fact("role=background", "net/http.(*Server).Serve", "IO wait", 1, "created_by=main.main", "note=app_accept_loop")
	}
	sent := 0
	wave := func() {
		for i := 0; i < requests; i++ {
			loader.get("/search?q=" + strconv.Itoa(sent))
			sent++
		}
		report(sent * (backends - 1))
	}
	var once [3]sync.Once
	servePhases([]string{"idle", "wave1", "wave2", "wave3", "after"}, map[string]func(){
		"idle": func() {
			loader.get("/healthz")
			report(0)
		},
		"wave1": func() { once[0].Do(wave) },
		"wave2": func() { once[1].Do(wave) },
		"wave3": func() { once[2].Do(wave) },
		"after": func() {
			time.Sleep(200 * time.Millisecond)
			report(sent * (backends - 1))
		},
	})
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
