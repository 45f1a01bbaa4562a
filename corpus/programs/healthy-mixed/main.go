// healthy-mixed: a small realistic service, idle between requests, with every
// healthy look-alike at once:
//   - app http.Server accept loop + 2 idle served keep-alive connections
//     (raw TCP clients held by this process, no client goroutines)
//   - an outbound http.Client with 2 idle keep-alive connections to a local
//     "upstream API" (4 parallel requests, MaxIdleConnsPerHost=2), which also
//     shows that upstream server's accept loop and 2 idle conn.serve
//   - a fixed pool of 6 workers ranging over a jobs channel
//   - a SIGHUP reload loop; main waits for SIGTERM/SIGINT
//   - one ticker loop (main.(*Service).monitor) and one background flusher
//     (main.(*Flusher).run), both stopping on the root context
//   - one sync.Cond consumer waiting for rare work
//   - one coordinator in WaitGroup.Wait for 3 running downloads (in IO wait
//     on a slow local stream that has not sent anything yet)
//
// Everything is reachable from package variables, so nothing is a leak and
// the goroutineleak profile stays empty.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	poolSize   = 6
	downloads  = 3
	idleServed = 2
	idleOut    = 2
	parallel   = 4
)

type Service struct {
	ctx     context.Context
	jobs    chan func()
	hup     chan os.Signal
	reloads int
	ticks   int
	batchWG sync.WaitGroup
	doneN   int
}

func (s *Service) worker() {
	for j := range s.jobs {
		j()
	}
}

func (s *Service) signalLoop() {
	for range s.hup {
		s.reloads++
	}
}

func (s *Service) monitor() {
	t := time.NewTicker(3 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.ticks++
		}
	}
}

// runBatch starts the downloads and waits for them: a coordinator in
// WaitGroup.Wait while its workers are still running.
func (s *Service) runBatch(addr string) {
	for i := 0; i < downloads; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		s.batchWG.Add(1)
		go s.download(c)
	}
	s.batchWG.Wait()
	s.doneN++
}

func (s *Service) download(c net.Conn) {
	defer s.batchWG.Done()
	defer c.Close()
	io.Copy(io.Discard, c)
}

// Flusher buffers writes and flushes them every second or on shutdown.
type Flusher struct {
	in      chan string
	buf     []string
	flushed int
}

func (f *Flusher) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			f.flush()
			return
		case s := <-f.in:
			f.buf = append(f.buf, s)
		case <-t.C:
			f.flush()
		}
	}
}

func (f *Flusher) flush() { f.flushed += len(f.buf); f.buf = f.buf[:0] }

// RareQueue: one consumer waits on a sync.Cond for work that rarely comes.
type RareQueue struct {
	mu    sync.Mutex
	cond  *sync.Cond
	items []int
	seen  int
}

func (q *RareQueue) consume() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for {
		for len(q.items) == 0 {
			q.cond.Wait()
		}
		q.seen += len(q.items)
		q.items = q.items[:0]
	}
}

// slowUpstream accepts stream connections and sends nothing for now.
type slowUpstream struct {
	ln    net.Listener
	conns []net.Conn
}

func (u *slowUpstream) accept() {
	for {
		c, err := u.ln.Accept()
		if err != nil {
			return
		}
		u.conns = append(u.conns, c)
	}
}

var (
	svc      *Service
	flusher  = &Flusher{in: make(chan string)}
	rare     = &RareQueue{}
	upstream *slowUpstream
	app, api *http.Server
	client   *http.Client
	rawConns []net.Conn
	term     = make(chan os.Signal, 1)
	cancel   context.CancelFunc
)

func listen() net.Listener {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	return l
}

func rawRequest(c net.Conn, br *bufio.Reader, path string) {
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: app\r\n\r\n", path)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func main() {
	ln := listenDebug()
	var ctx context.Context
	ctx, cancel = context.WithCancel(context.Background())
	svc = &Service{ctx: ctx, jobs: make(chan func()), hup: make(chan os.Signal, 1)}
	rare.cond = sync.NewCond(&rare.mu)
	signal.Notify(svc.hup, syscall.SIGHUP)
	signal.Notify(term, syscall.SIGTERM, syscall.SIGINT)

	// Upstream API (stands in for a remote service) and its keep-alive client.
	apiLn := listen()
	var arrived sync.WaitGroup
	arrived.Add(parallel)
	allIn := make(chan struct{})
	go func() { arrived.Wait(); close(allIn) }()
	api = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived.Done()
		<-allIn
		io.WriteString(w, `{"ok":true}`)
	})}
	go api.Serve(apiLn)
	client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: idleOut}, Timeout: 10 * time.Second}

	// The app server: its handler uses the pool, the flusher and the client.
	mux := http.NewServeMux()
	var once sync.Once
	mux.HandleFunc("/work", func(w http.ResponseWriter, r *http.Request) {
		done := make(chan int, 1)
		svc.jobs <- func() { done <- 42 }
		flusher.in <- r.URL.Path
		once.Do(func() {
			var wg sync.WaitGroup
			for i := 0; i < parallel; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp, err := client.Get("http://" + apiLn.Addr().String() + "/v1/thing")
					if err != nil {
						fmt.Fprintln(os.Stderr, err)
						os.Exit(2)
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}()
			}
			wg.Wait()
		})
		fmt.Fprintln(w, <-done)
	})
	appLn := listen()
	app = &http.Server{Handler: mux}
	go app.Serve(appLn)

	for i := 0; i < poolSize; i++ {
		go svc.worker()
	}
	go svc.signalLoop()
	go svc.monitor()
	go flusher.run(ctx)
	go rare.consume()
	upstream = &slowUpstream{ln: listen()}
	go upstream.accept()
	go svc.runBatch(upstream.ln.Addr().String())
	go http.Serve(ln, nil)

	for i := 0; i < idleServed; i++ {
		c, err := net.Dial("tcp", appLn.Addr().String())
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		br := bufio.NewReader(c)
		for j := 0; j < 3; j++ {
			rawRequest(c, br, "/work")
		}
		rawConns = append(rawConns, c)
	}
	rare.mu.Lock()
	rare.items = append(rare.items, 1)
	rare.cond.Signal()
	rare.mu.Unlock()

	go func() {
		bg := "role=background"
		expect("healthy=1")
		fact(bg, "main.(*Service).worker", "chan receive", poolSize, "created_by=main.main", "note=fixed_pool")
		fact(bg, "main.(*Service).signalLoop", "chan receive", 1, "created_by=main.main", "note=SIGHUP_loop")
		fact(bg, "main.(*Service).monitor", "select", 1, "created_by=main.main", "note=ticker_loop")
		fact(bg, "main.(*Flusher).run", "select", 1, "created_by=main.main", "note=background_flusher")
		fact(bg, "main.(*RareQueue).consume", "sync.Cond.Wait", 1, "created_by=main.main", "note=cond_consumer_rare_work")
		fact(bg, "main.(*Service).runBatch", "", 1, "created_by=main.main", "note=coordinator_in_WaitGroup.Wait")
		fact(bg, "main.(*Service).download", "IO wait", downloads, "created_by=main.(*Service).runBatch", "note=running_workers")
		fact(bg, "main.(*slowUpstream).accept", "IO wait", 1, "created_by=main.main")
		fact(bg, "main.main", "chan receive", 1, "note=waits_for_SIGTERM")
		fact(bg, "net/http.(*persistConn).readLoop", "IO wait", idleOut,
			"created_by=net/http.(*Transport).dialConn", "note=idle_outbound_keepalive_conns")
		fact(bg, "net/http.(*persistConn).writeLoop", "select", idleOut, "created_by=net/http.(*Transport).dialConn")
		fact(bg, "net/http.(*conn).serve", "IO wait", idleServed+idleOut,
			"created_by=net/http.(*Server).Serve", "note=2_app_plus_2_upstream_api_idle_conns")
		fact(bg, "net/http.(*Server).Serve", "IO wait", 3, "note=app_api_and_pprof_accept_loops")
		fact(bg, "os/signal.loop", "", 1, "note=os_signal_internal")
		ready(ln)
	}()
	<-term
	cancel()
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
