// Command shapes writes synthetic goroutine dumps and crash logs in the text
// form of Go 1.22 (runtime.Stack, as pprof debug=2 and panics print it), for
// the shapes bench/gen cannot reach: bench/gen starts real goroutines through
// four recursive functions, so its stacks are long, share one vocabulary and
// number about 10k. Users also have monoliths with tens of thousands of
// distinct stacks, services with one short stack per goroutine, and logs of
// crash-looping services. Here the vocabulary (packages of a main module and
// its dependencies, types, methods, closures, files; see vocab.go), the call
// graph and the shape are drawn from one seed, so a file is the same on every
// run and machine.
//
//	shapes -shape distinct  -n 200000 -stacks 50000 -out F  # depths 5–40
//	shapes -shape onestack  -n 300000 -out F                # every goroutine its own stack
//	shapes -shape short     -size 512M -stacks 2000 -out F  # 1–3 frames, ≈420 B per goroutine
//	shapes -shape crashloop -size 460M -out F               # one crash repeated
//	shapes -shape crashes   -n 200000 -out F                # crash records, a dozen causes in runs
//
// It prints the number of goroutines and distinct stacks it wrote on stderr
// (`shapes: N goroutines, M distinct stacks, B bytes`), which the benchmark
// reads back from the sidecar file F.meta.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
)

type rng struct{ s uint64 }

// splitmix64, as in bench/gen: fixed across Go versions.
func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	x := r.s
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
func (r *rng) intn(n int) int        { return int(r.next() % uint64(n)) }
func (r *rng) float() float64        { return float64(r.next()>>11) / (1 << 53) }
func (r *rng) chance(p float64) bool { return r.float() < p }

type site struct{ fn, at int } // at: callee index, or -1 for the wait line

// A stack as the dump prints it: user frames innermost first under the
// standard-library frames of the innermost one's wait, then `created by`.
type stack struct {
	user    []site
	spawner site
}

type writer struct {
	*bufio.Writer
	v     *vocab
	r     *rng
	n     int64
	id    int
	count int
}

func (w *writer) printf(format string, a ...any) {
	k, _ := fmt.Fprintf(w.Writer, format, a...)
	w.n += int64(k)
}

func (w *writer) str(s string) {
	k, _ := w.WriteString(s)
	w.n += int64(k)
}

// args prints a frame's argument list. Pointer arguments range over the
// function's objects: one shared server or pool for some functions, one
// object per connection or request for others, so that a function line
// repeats across goroutines as often as in a real dump. Some words are the
// ones Go marks as possibly stale ("?").
func (w *writer) args(f *function) string {
	if f.inlined {
		return "(...)"
	}
	var b strings.Builder
	b.WriteByte('(')
	for i, kind := range f.args {
		if i > 0 {
			b.WriteString(", ")
		}
		obj := 0xc000100000 + uint64(len(f.name)*0x10000+i*0x1000000) + uint64(w.r.intn(f.objects))*0x40
		switch kind {
		case 0, 1, 2:
			fmt.Fprintf(&b, "0x%x", obj)
		case 3:
			fmt.Fprintf(&b, "{0x%x, 0x%x}", 0x7c8000+len(f.name)*8, obj)
		case 4:
			fmt.Fprintf(&b, "0x%x?", len(f.file)%0x20)
		default:
			fmt.Fprintf(&b, "{0x%x, 0x%x, 0x%x}", obj, 16+w.r.intn(48), 64)
		}
	}
	b.WriteByte(')')
	return b.String()
}

func (w *writer) userFrame(s site) {
	f := &w.v.funcs[s.fn]
	line, pc := f.waitLine(), f.pc[len(f.pc)-1]
	if s.at >= 0 {
		line, pc = f.callLine(s.at), f.pc[s.at]
	}
	if f.inlined {
		w.printf("%s(...)\n\t%s:%d\n", f.name, f.file, line)
		return
	}
	w.printf("%s%s\n\t%s:%d +0x%x\n", f.name, w.args(f), f.file, line, pc)
}

func (w *writer) stdFrames(frames []stdFrame) {
	for _, sf := range frames {
		args := sf.args
		if n := strings.Count(args, "%"); n > 0 {
			vals := make([]any, n)
			for i := range vals {
				vals[i] = w.r.intn(0xffffff)
			}
			args = fmt.Sprintf(args, vals...)
		}
		if sf.pc == "" {
			w.printf("%s%s\n\t%s%s:%d\n", sf.name, args, goroot, sf.file, sf.line)
		} else {
			w.printf("%s%s\n\t%s%s:%d %s\n", sf.name, args, goroot, sf.file, sf.line, sf.pc)
		}
	}
}

// goroutine writes one goroutine of a debug=2 dump.
func (w *writer) goroutine(s *stack) {
	w.id += 1 + w.r.intn(3)
	w.count++
	top := &w.v.funcs[s.user[0].fn]
	wk := waitKinds[top.wait]
	if w.r.chance(0.6) {
		w.printf("goroutine %d [%s, %d minutes]:\n", w.id, wk.state, int(math.Exp(w.r.float()*8)))
	} else {
		w.printf("goroutine %d [%s]:\n", w.id, wk.state)
	}
	w.stdFrames(wk.frames)
	for _, u := range s.user {
		w.userFrame(u)
	}
	sp := &w.v.funcs[s.spawner.fn]
	w.printf("created by %s in goroutine %d\n\t%s:%d +0x%x\n\n", sp.name, 1+w.r.intn(w.id),
		sp.file, sp.callLine(s.spawner.at), sp.pc[s.spawner.at])
}

func (s *stack) frames(v *vocab) int {
	return len(s.user) + len(waitKinds[v.funcs[s.user[0].fn].wait].frames)
}

func (s *stack) key() string {
	var b strings.Builder
	for _, u := range s.user {
		b.WriteString(strconv.Itoa(u.fn))
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(u.at))
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "/%d:%d", s.spawner.fn, s.spawner.at)
	return b.String()
}

// walk descends from `entry` through callees until the stack (user frames
// plus the innermost one's wait frames) is `depth` frames deep.
func walk(v *vocab, r *rng, entry, depth int) []site {
	var path []site
	cur := entry
	for {
		f := &v.funcs[cur]
		if len(path)+1+len(waitKinds[f.wait].frames) >= depth {
			path = append(path, site{cur, -1})
			break
		}
		at := r.intn(len(f.callees))
		path = append(path, site{cur, at})
		cur = f.callees[at]
	}
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	return path
}

// distinctStacks draws `n` different stacks; `depth` gives each one's depth.
// With anyEntry, a stack may start in any function, from any spawner (a
// vocabulary of N functions then has far more than N distinct short
// stacks); maxFrames (0: no limit) drops stacks whose wait frames make them
// deeper.
func distinctStacks(v *vocab, r *rng, n int, anyEntry bool, maxFrames int, depth func() int) []stack {
	seen := make(map[string]bool, n)
	out := make([]stack, 0, n)
	for tries := 0; len(out) < n; tries++ {
		if tries > 50*n {
			fatal(fmt.Errorf("only %d distinct stacks from this vocabulary; use more -funcs", len(out)))
		}
		entry := pick(r, v.entries)
		if anyEntry {
			entry = r.intn(len(v.funcs))
		}
		// A goroutine entry is started from one or two places.
		h := uint64(entry)*0x9e3779b97f4a7c15 + uint64(r.intn(2))
		sp := int(h>>17) % len(v.funcs)
		s := stack{user: walk(v, r, entry, depth()), spawner: site{sp, int(h>>7) % len(v.funcs[sp].callees)}}
		if anyEntry {
			sp = r.intn(len(v.funcs))
			s.spawner = site{sp, r.intn(len(v.funcs[sp].callees))}
		}
		if maxFrames > 0 && s.frames(v) > maxFrames {
			continue
		}
		if k := s.key(); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// skewed returns goroutine i's stack: every stack once, then u² so that a
// few stacks hold most goroutines, as in a real incident.
func skewed(r *rng, stacks []stack, i int) *stack {
	if i < len(stacks) {
		return &stacks[i]
	}
	u := r.float()
	return &stacks[int(u*u*float64(len(stacks)))]
}

// dump writes a debug=2 dump: goroutine 1 (main, blocked in its server
// loop) first, then `n` goroutines (or up to `size` bytes) over `stacks`.
func dump(w *writer, stacks []stack, n int, size int64, order func(i int) *stack) {
	w.str("goroutine 1 [IO wait, 4211 minutes]:\n")
	w.stdFrames(waitKinds[6].frames[:3])
	w.printf("internal/poll.(*FD).Accept(0xc%09x)\n\t%sinternal/poll/fd_unix.go:611 +0x2ac\n", 0x1f4000, goroot)
	w.printf("net.(*netFD).accept(0xc%09x)\n\t%snet/fd_unix.go:172 +0x29\n", 0x1f4000, goroot)
	w.printf("net.(*TCPListener).Accept(0xc%09x)\n\t%snet/tcpsock.go:327 +0x30\n", 0x1b80e0, goroot)
	w.printf("net/http.(*Server).Serve(0xc%09x, {0x9ca278, 0xc%09x})\n\t%snet/http/server.go:3260 +0x33e\n", 0x1f60f0, 0x1b80e0, goroot)
	w.printf("main.main()\n\t%s/cmd/orderd/main.go:118 +0x7a5\n\n", modules[0].dir)
	w.count, w.id = 1, 1
	for i := 0; (n > 0 && i < n) || (size > 0 && w.n < size); i++ {
		w.goroutine(order(i))
	}
}

// crash writes one crash of goroutine `gid` (1: main) in `s`, as a Go
// program prints it when it dies of a panic.
func (w *writer) crash(panicLine string, explicit bool, s *stack, gid int) {
	w.str(panicLine)
	w.printf("\ngoroutine %d [running]:\n", gid)
	if explicit {
		w.printf("panic({0x%x?, 0xc%09x?})\n\t%sruntime/panic.go:770 +0x132\n", 0x9c2f40, 0x012345+w.r.intn(0xffff)*16, goroot)
	}
	for _, u := range s.user {
		w.userFrame(u)
	}
	if gid == 1 {
		w.printf("main.main()\n\t%s/cmd/orderd/main.go:31 +0x1c5\n", modules[0].dir)
	} else {
		sp := &w.v.funcs[s.spawner.fn]
		w.printf("created by %s in goroutine %d\n\t%s:%d +0x%x\n", sp.name, 1+w.r.intn(40),
			sp.file, sp.callLine(s.spawner.at), sp.pc[s.spawner.at])
	}
	w.str("exit status 2\n")
	w.count++
}

var panics = []struct {
	line     string
	explicit bool
}{
	{"panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc=0x9c4f1a]\n", false},
	{"panic: assignment to entry in nil map\n", false},
	{"panic: runtime error: index out of range [3] with length 3\n", false},
	{"panic: runtime error: slice bounds out of range [:-1]\n", false},
	{"panic: send on closed channel\n", false},
	{"panic: config: missing ORDERD_DB_URL\n", true},
	{"panic: interface conversion: interface {} is nil, not *orders.Order\n", false},
	{"panic: sql: database is closed\n", true},
}

func main() {
	shape := flag.String("shape", "", "distinct, onestack, short, crashloop or crashes")
	out := flag.String("out", "", "output file")
	n := flag.Int("n", 0, "goroutines (distinct, onestack) or crash records (crashes)")
	nstacks := flag.Int("stacks", 0, "distinct stacks (distinct, short)")
	sizeArg := flag.String("size", "", "target size (short, crashloop): bytes or K/M/G")
	nfuncs := flag.Int("funcs", 0, "functions in the vocabulary (default by shape)")
	seed := flag.Uint64("seed", 1, "seed")
	flag.Parse()
	size, err := parseSize(*sizeArg)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: shapes -shape distinct|onestack|short|crashloop|crashes -out FILE [-n N] [-stacks N] [-size S]")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fatal(err)
	}
	r := &rng{s: *seed}
	funcs := *nfuncs
	if funcs == 0 {
		funcs = map[string]int{"onestack": 30000, "short": 3000, "crashloop": 200, "crashes": 2000}[*shape]
		if funcs == 0 {
			funcs = 8000
		}
	}
	v := newVocab(r, funcs)
	w := &writer{Writer: bufio.NewWriterSize(f, 4<<20), v: v, r: r}
	distinct := 0
	switch *shape {
	case "distinct": // depths 5–40, most of them short (mean ≈ 12)
		stacks := distinctStacks(v, r, *nstacks, false, 0, func() int { u := r.float(); return 5 + int(36*u*u*u*u*u) })
		distinct = len(stacks) + 1
		perm := shuffled(r, *n)
		dump(w, stacks, *n, 0, func(i int) *stack { return skewed(r, stacks, perm[i]) })
	case "onestack": // one or two frames, every goroutine its own stack
		stacks := distinctStacks(v, r, *n, true, 2, func() int { return 1 + r.intn(2) })
		distinct = len(stacks) + 1
		dump(w, stacks, *n, 0, func(i int) *stack { return &stacks[i] })
	case "short": // 1–3 frames, mostly 1–2
		stacks := distinctStacks(v, r, *nstacks, true, 3, func() int { return 1 + r.intn(2) })
		distinct = len(stacks) + 1
		dump(w, stacks, 0, size, func(i int) *stack { return skewed(r, stacks, i) })
	case "crashloop": // a service restarted after every crash, its stderr appended to one log
		s := stack{user: walk(v, r, v.entries[0], 3)}
		for w.n < size {
			w.crash(panics[0].line, false, &s, 1)
		}
		distinct = 1
	case "crashes": // a dozen causes, each repeated for a while before the next
		var causes []stack
		for len(causes) < 12 {
			causes = append(causes, stack{user: walk(v, r, pick(r, v.entries), 3+r.intn(6)),
				spawner: site{0, 0}})
		}
		distinct = len(causes)
		for i := 0; i < *n; {
			c := r.intn(len(causes))
			run := 1 + int(-math.Log(1-r.float())*40) // geometric, mean ≈ 40
			for k := 0; k < run && i < *n; k, i = k+1, i+1 {
				w.printf("%s orderd[%d]: starting orderd v1.4.%d\n", timestamp(i), 1000+i%30000, c%3)
				p := panics[c%len(panics)]
				gid := 1
				if c%3 == 2 {
					gid = 40 + c
				}
				w.crash(p.line, p.explicit, &causes[c], gid)
			}
		}
	default:
		fatal(fmt.Errorf("unknown -shape %q", *shape))
	}
	if err := w.Flush(); err != nil {
		fatal(err)
	}
	if err := f.Close(); err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "shapes: %d goroutines, %d distinct stacks, %d bytes\n", w.count, distinct, w.n)
	meta := fmt.Sprintf("goroutines %d\nstacks %d\nbytes %d\n", w.count, distinct, w.n)
	if err := os.WriteFile(strings.TrimSuffix(*out, ".tmp")+".meta", []byte(meta), 0o644); err != nil {
		fatal(err)
	}
}

func timestamp(i int) string {
	s := i * 7 // a crash every few seconds
	return fmt.Sprintf("2026-11-%02dT%02d:%02d:%02dZ", 1+s/86400%28, s/3600%24, s/60%60, s%60)
}

func shuffled(r *rng, n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	switch s[len(s)-1] {
	case 'K', 'k':
		mult = 1 << 10
	case 'M', 'm':
		mult = 1 << 20
	case 'G', 'g':
		mult = 1 << 30
	}
	if mult > 1 {
		s = s[:len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v * mult, err
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "shapes:", err)
	os.Exit(1)
}
