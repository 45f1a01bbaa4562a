// Command orderservice (the benchmark dump generator) starts a large number
// of goroutines in the blocking states a Go service in trouble shows, with
// realistic stack depths and a chosen number of distinct stacks, then writes
// its own goroutine dump as debug=2 and debug=1 text. With -leak it then
// starts a batch of leaking goroutines and writes a second pair of dumps: an
// idle/loaded pair of one process for diff benchmarks.
//
//	go build -o gen . && ./gen -n 100000 -stacks 1000 -debug2 d2.txt -debug1 d1.txt
//
// Why a real program instead of printing text: the dumps then come from the
// Go runtime itself (headers, runtime frames, argument forms, elision, the
// debug=1 record layout) and stay right when the runtime's format changes.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"sync/atomic"
	"syscall"
	"time"

	"example.com/acme/orderservice/internal/pipeline"
	"example.com/acme/orderservice/internal/wait"
)

type config struct {
	n             int
	stacks        int
	io            int
	labels        float64
	requestLabels float64
	seed          uint64
	debug2        string
	debug1        string
	leak          int
	leakDebug2    string
	leakDebug1    string
}

func main() {
	var c config
	flag.IntVar(&c.n, "n", 100000, "goroutines to start (including the IO ones), up to a few million")
	flag.IntVar(&c.stacks, "stacks", 1000, "distinct stack shapes (the dump has about this many distinct stacks, plus IO and runtime ones)")
	flag.IntVar(&c.io, "io", 1000, "loopback connection pairs blocked in IO wait (two goroutines each; capped by RLIMIT_NOFILE)")
	flag.Float64Var(&c.labels, "labels", 0.2, "fraction of goroutines with low-cardinality pprof labels (component, tenant)")
	flag.Float64Var(&c.requestLabels, "request-labels", 0, "fraction of goroutines with a unique request_id label (each becomes its own debug=1 record)")
	var seed uint64
	flag.Uint64Var(&seed, "seed", 1, "seed for shapes and assignment")
	flag.StringVar(&c.debug2, "debug2", "", "write the debug=2 dump (runtime.Stack, all goroutines, no 64 MiB cap) here")
	flag.StringVar(&c.debug1, "debug1", "", "write the pprof goroutine debug=1 profile here")
	flag.IntVar(&c.leak, "leak", 0, "after the first dumps, start this many leaking goroutines and dump again")
	flag.StringVar(&c.leakDebug2, "leak-debug2", "", "debug=2 dump after the leak")
	flag.StringVar(&c.leakDebug1, "leak-debug1", "", "debug=1 dump after the leak")
	flag.Parse()
	c.seed = seed
	if c.stacks < 1 {
		c.stacks = 1
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// splitmix64: a fixed, seedable hash so shapes are the same across runs and
// Go versions (math/rand's streams changed between releases).
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

type shape struct {
	kind   wait.Kind
	digits []uint8
}

// Weights of the blocking kinds, in wait.Kind order: roughly what a busy
// service shows (select and channel receives dominate).
var kindWeights = [wait.NumKinds]int{
	wait.ChanRecv: 25, wait.ChanSend: 8, wait.Select: 32, wait.SelectForever: 2,
	wait.NilChanRecv: 1, wait.MutexLock: 8, wait.RWMutexRLock: 5,
	wait.RWMutexLock: 2, wait.WaitGroupWait: 5, wait.CondWait: 4, wait.Sleep: 8,
}

// makeShape turns shape number s into a kind and a route. The first
// `prefix` digits spell s in base 4, so distinct s give distinct stacks; the
// remaining digits and the depth come from a hash of s.
func makeShape(s, prefix int, seed uint64) shape {
	h := mix(seed ^ uint64(s)*0x100000001b3)
	total := 0
	for _, w := range kindWeights {
		total += w
	}
	pick := int(h % uint64(total))
	kind := wait.Kind(0)
	for k, w := range kindWeights {
		if pick < w {
			kind = wait.Kind(k)
			break
		}
		pick -= w
	}
	// Depth of the route: mostly shallow, a long tail, and 3% deep enough
	// (100+ frames) for the runtime to print "...N frames elided...".
	h2 := mix(h)
	var depth int
	switch u := h2 % 1000; {
	case u < 600:
		depth = 3 + int(h2>>10%10)
	case u < 900:
		depth = 12 + int(h2>>10%19)
	case u < 970:
		depth = 30 + int(h2>>10%31)
	default:
		depth = 100 + int(h2>>10%31)
	}
	if depth < prefix {
		depth = prefix
	}
	d := make([]uint8, depth)
	v := s
	for i := 0; i < prefix; i++ {
		d[i] = uint8(v % 4)
		v /= 4
	}
	r := mix(h2)
	for i := prefix; i < depth; i++ {
		if i%32 == 0 {
			r = mix(r)
		}
		d[i] = uint8(r >> (2 * (i % 32)) & 3)
	}
	return shape{kind: kind, digits: d}
}

func prefixDigits(stacks int) int {
	n := 1
	for p := 4; p < stacks; p *= 4 {
		n++
	}
	return n
}

type server struct {
	hub     *wait.Hub
	arrived int64
	started int64
}

// One spawner per component, so the dump has several `created by` sites.

//go:noinline
func (sv *server) startWorkers(p *pipeline.Plan, st *pipeline.Stage, lbl map[string]string) {
	sv.started++
	go func() {
		setLabels(lbl)
		pipeline.Run(p, st)
	}()
}

//go:noinline
func (sv *server) startWatchers(p *pipeline.Plan, st *pipeline.Stage, lbl map[string]string) {
	sv.started++
	go func() {
		setLabels(lbl)
		pipeline.Run(p, st)
	}()
}

//go:noinline
func startJanitor(sv *server, p *pipeline.Plan, st *pipeline.Stage, lbl map[string]string) {
	sv.started++
	go func() {
		setLabels(lbl)
		pipeline.Run(p, st)
	}()
}

func setLabels(lbl map[string]string) {
	if len(lbl) == 0 {
		return
	}
	var kv []string
	for k, v := range lbl {
		kv = append(kv, k, v)
	}
	pprof.SetGoroutineLabels(pprof.WithLabels(context.Background(), pprof.Labels(kv...)))
}

var components = []string{"ingest", "billing", "catalog", "shipping"}

func (sv *server) spawn(c config, i int, sh shape) {
	kind := sh.kind
	slot := i
	arrived := func() { atomic.AddInt64(&sv.arrived, 1) }
	p := &pipeline.Plan{Digits: sh.digits, Leaf: func(int) { sv.hub.Block(kind, slot, arrived) }}
	st := &pipeline.Stage{Name: "order", Retry: i % 7}
	var lbl map[string]string
	h := mix(c.seed ^ 0xabcdef ^ uint64(i))
	u := float64(h%1000000) / 1e6
	if u < c.requestLabels {
		lbl = map[string]string{"request_id": fmt.Sprintf("req-%08x", mix(uint64(i))&0xffffffff)}
	} else if u < c.requestLabels+c.labels {
		lbl = map[string]string{"component": components[int(kind)%len(components)],
			"tenant": fmt.Sprintf("t%d", h>>32%8)}
	}
	switch kind {
	case wait.ChanRecv, wait.ChanSend, wait.Select:
		sv.startWorkers(p, st, lbl)
	case wait.Sleep, wait.SelectForever, wait.NilChanRecv:
		startJanitor(sv, p, st, lbl)
	default:
		sv.startWatchers(p, st, lbl)
	}
}

func raiseFileLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 1024
	}
	rl.Cur = rl.Max
	_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl)
	return int(rl.Cur)
}

// startIO opens `pairs` loopback connections and parks a reader on both ends.
func (sv *server) startIO(pairs int) ([]net.Conn, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var conns []net.Conn
	accepted := make(chan net.Conn, pairs)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	arrived := func() { atomic.AddInt64(&sv.arrived, 1) }
	for i := 0; i < pairs; i++ {
		cl, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			return conns, err
		}
		srv := <-accepted
		conns = append(conns, cl, srv)
		// Short routes, 16 shapes per side: connection handlers are shallow.
		for side, conn := range []net.Conn{srv, cl} {
			d := make([]uint8, 3+i%4)
			d[0] = uint8(side * 2)
			d[1] = uint8(i % 4)
			conn := conn
			p := &pipeline.Plan{Digits: d, Leaf: func(int) { wait.ReadFrame(conn, arrived) }}
			st := &pipeline.Stage{Name: "conn", Retry: i}
			sv.started++
			if side == 0 {
				go serveConn(p, st)
			} else {
				go keepAlive(p, st)
			}
		}
	}
	ln.Close()
	return conns, nil
}

//go:noinline
func serveConn(p *pipeline.Plan, st *pipeline.Stage) { pipeline.Run(p, st) }

//go:noinline
func keepAlive(p *pipeline.Plan, st *pipeline.Stage) { pipeline.Run(p, st) }

func (sv *server) waitArrived(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for atomic.LoadInt64(&sv.arrived) < sv.started {
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d goroutines reached their blocking point", atomic.LoadInt64(&sv.arrived), sv.started)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// arrived() runs just before the blocking call; give them time to park.
	time.Sleep(300 * time.Millisecond)
	return nil
}

// writeStacks writes runtime.Stack(all) in full. pprof's debug=2 writer gives
// up at 64 MiB, so the buffer grows here until the whole dump fits.
func writeStacks(path string, estimate int) (int, error) {
	size := estimate
	if size < 1<<20 {
		size = 1 << 20
	}
	var buf []byte
	for {
		buf = make([]byte, size)
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		size *= 2
	}
	return len(buf), os.WriteFile(path, buf, 0o644)
}

func writeDebug1(path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	if err := pprof.Lookup("goroutine").WriteTo(w, 1); err != nil {
		f.Close()
		return 0, err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return 0, err
	}
	st, _ := f.Stat()
	return st.Size(), f.Close()
}

func (sv *server) dump(d2, d1 string) error {
	runtime.GC() // so the dump reflects the live goroutines only
	if d2 != "" {
		t := time.Now()
		n, err := writeStacks(d2, runtime.NumGoroutine()*3000)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "gen: %s: %d goroutines, %.1f MiB debug=2 in %v\n", d2, runtime.NumGoroutine(), float64(n)/(1<<20), time.Since(t).Round(time.Millisecond))
	}
	if d1 != "" {
		t := time.Now()
		n, err := writeDebug1(d1)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "gen: %s: %.1f MiB debug=1 in %v\n", d1, float64(n)/(1<<20), time.Since(t).Round(time.Millisecond))
	}
	return nil
}

func run(c config) error {
	start := time.Now()
	sv := &server{hub: wait.NewHub()}
	sv.hub.Hold()

	limit := raiseFileLimit()
	if max := (limit - 200) / 2; c.io > max {
		fmt.Fprintf(os.Stderr, "gen: RLIMIT_NOFILE %d: capping -io at %d pairs\n", limit, max)
		c.io = max
	}
	if c.io < 0 {
		c.io = 0
	}
	conns, err := sv.startIO(c.io)
	if err != nil {
		return fmt.Errorf("loopback connections: %v", err)
	}
	defer func() {
		for _, cn := range conns {
			cn.Close()
		}
	}()

	// Shapes are built once and shared by the goroutines that use them.
	prefix := prefixDigits(c.stacks)
	shapes := make([]shape, c.stacks)
	for s := range shapes {
		shapes[s] = makeShape(s, prefix, c.seed)
	}
	rest := c.n - 2*c.io
	for i := 0; i < rest; i++ {
		// Every shape once, then a skewed draw: a few stacks hold most of
		// the goroutines, as in real dumps.
		s := i
		if i >= c.stacks {
			u := float64(mix(c.seed^uint64(i))%(1<<30)) / (1 << 30)
			s = int(u * u * float64(c.stacks))
		}
		sv.spawn(c, i, shapes[s])
	}
	if err := sv.waitArrived(5 * time.Minute); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: %d goroutines parked in %v (%d shapes, %d IO pairs)\n",
		runtime.NumGoroutine(), time.Since(start).Round(time.Millisecond), c.stacks, c.io)
	if err := sv.dump(c.debug2, c.debug1); err != nil {
		return err
	}
	if c.leak > 0 {
		a := &api{hub: sv.hub}
		for i := 0; i < c.leak; i++ {
			a.handle(sv, i)
		}
		if err := sv.waitArrived(5 * time.Minute); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "gen: leaked %d more goroutines\n", c.leak)
		if err := sv.dump(c.leakDebug2, c.leakDebug1); err != nil {
			return err
		}
	}
	return nil
}
