// Command scale grows a real goroutine dump to a target size without making
// it unrealistic, streaming the output:
//
//	scale -in d2.txt -out d2-4g.txt -size 4G
//
// debug=2 input (one runtime.Stack dump): the goroutines are repeated as if
// the process had run more of the same work. Copy c renumbers every goroutine
// id to id + c*stride (stride: the next power of ten above the largest id), so
// ids stay unique and `goroutine 1` appears once; `created by … in goroutine
// N` follows its parent into the same copy. Copies after the first leave out
// goroutine 1 and goroutines without a user creator (main, runtime). Waiting
// goroutines get a varied `, N minutes` (most long-lived goroutines in a real
// dump show one; values are log-uniform between 1 and 30000), and about 2% of
// frames get a different first argument word. The set of distinct stacks is
// unchanged: that is the point of the exercise (memory must stay bounded by
// distinct stacks while the input grows).
//
// debug=1 input (a pprof goroutine profile): the profile is repeated as
// further profiles appended to one file, each with every record's count drifted
// by -20%..+25% and re-sorted, and a matching `total` line. This is what a
// sidecar appending /debug/pprof/goroutine?debug=1 every minute produces.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	in := flag.String("in", "", "input dump (debug=2 or debug=1)")
	out := flag.String("out", "", "output file ('-' for stdout)")
	sizeArg := flag.String("size", "1G", "target size: bytes, or with K/M/G suffix (binary)")
	seed := flag.Uint64("seed", 7, "seed for minutes, arguments and count drift")
	minutes := flag.Float64("minutes", 0.75, "fraction of waiting goroutines given a wait time")
	flag.Parse()
	size, err := parseSize(*sizeArg)
	if err != nil || *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: scale -in FILE -out FILE -size 4G")
		os.Exit(2)
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		fatal(err)
	}
	var f *os.File
	if *out == "-" {
		f = os.Stdout
	} else if f, err = os.Create(*out); err != nil {
		fatal(err)
	}
	w := &countingWriter{w: bufio.NewWriterSize(f, 4<<20)}
	r := rng{s: *seed}
	if bytes.HasPrefix(data, []byte("goroutine profile: total ")) || bytes.HasPrefix(data, []byte("goroutineleak profile: total ")) {
		err = scaleDebug1(data, size, w, &r)
	} else {
		err = scaleDebug2(data, size, w, &r, *minutes)
	}
	if err == nil {
		err = w.w.Flush()
	}
	if err == nil && f != os.Stdout {
		err = f.Close()
	}
	if err != nil {
		fatal(err)
	}
	fmt.Fprintf(os.Stderr, "scale: wrote %.1f MiB\n", float64(w.n)/(1<<20))
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "scale:", err)
	os.Exit(1)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, s[:len(s)-1]
	}
	v, err := strconv.ParseFloat(s, 64)
	return int64(v * float64(mult)), err
}

type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// rng: splitmix64, deterministic across Go versions.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	x := r.s
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// ---- debug=2 ----

type block struct {
	text     []byte // from "goroutine " to the end of its last line, '\n' included
	id       uint64
	copyable bool // repeated in copies after the first
}

func splitBlocks(data []byte) ([]block, uint64, error) {
	var blocks []block
	var maxID uint64
	start := 0
	for start < len(data) {
		end := bytes.Index(data[start:], []byte("\n\ngoroutine "))
		next := 0
		if end < 0 {
			end = len(data)
			next = len(data)
		} else {
			end += start + 1 // keep one '\n'
			next = end + 1
		}
		text := data[start:end]
		if !bytes.HasPrefix(text, []byte("goroutine ")) {
			return nil, 0, fmt.Errorf("input is not a plain debug=2 dump (offset %d does not start a goroutine block)", start)
		}
		if text[len(text)-1] != '\n' {
			text = append(text[:len(text):len(text)], '\n')
		}
		b := block{text: text}
		idEnd := bytes.IndexByte(text[10:], ' ')
		if idEnd < 0 {
			return nil, 0, fmt.Errorf("bad header at offset %d", start)
		}
		b.id, _ = strconv.ParseUint(string(text[10:10+idEnd]), 10, 64)
		if b.id > maxID {
			maxID = b.id
		}
		cb := bytes.Index(text, []byte("\ncreated by "))
		b.copyable = b.id != 1 && cb >= 0 && !bytes.HasPrefix(text[cb+12:], []byte("runtime."))
		blocks = append(blocks, b)
		start = next
	}
	return blocks, maxID, nil
}

func scaleDebug2(data []byte, size int64, w *countingWriter, r *rng, minutesFrac float64) error {
	blocks, maxID, err := splitBlocks(data)
	if err != nil {
		return err
	}
	stride := uint64(10)
	for stride <= maxID {
		stride *= 10
	}
	copyable := make(map[uint64]bool, len(blocks))
	for _, b := range blocks {
		if b.copyable {
			copyable[b.id] = true
		}
	}
	if len(copyable) == 0 {
		return fmt.Errorf("no goroutine with a user `created by` to repeat")
	}
	var line []byte
	first := true
	for c := uint64(0); w.n < size; c++ {
		for _, b := range blocks {
			if w.n >= size {
				break
			}
			if c > 0 && !b.copyable {
				continue
			}
			if !first {
				w.Write([]byte{'\n'})
			}
			first = false
			text := b.text
			for len(text) > 0 {
				nl := bytes.IndexByte(text, '\n')
				line, text = text[:nl+1], text[nl+1:]
				switch {
				case bytes.HasPrefix(line, []byte("goroutine ")):
					writeHeader(w, line, c*stride, r, minutesFrac)
				case bytes.HasPrefix(line, []byte("created by ")):
					writeCreatedBy(w, line, c*stride, copyable)
				case line[0] != '\t' && line[0] != '.' && r.next()%50 == 0:
					writeVariedArgs(w, line, r)
				default:
					w.Write(line)
				}
			}
		}
	}
	return nil
}

// writeHeader renumbers the id and sets a varied wait time.
// "goroutine 42 [chan receive, 3 minutes, locked to thread]:" →
// "goroutine 1000042 [chan receive, 1717 minutes, locked to thread]:"
func writeHeader(w *countingWriter, line []byte, offset uint64, r *rng, minutesFrac float64) {
	rest := line[10:]
	sp := bytes.IndexByte(rest, ' ')
	id, _ := strconv.ParseUint(string(rest[:sp]), 10, 64)
	rest = rest[sp:] // " [state...]:\n" (or " gp=… [", kept as is)
	open := bytes.IndexByte(rest, '[')
	close := bytes.LastIndexByte(rest, ']')
	var b []byte
	b = append(b, "goroutine "...)
	b = strconv.AppendUint(b, id+offset, 10)
	if open < 0 || close < open {
		w.Write(append(b, rest...))
		return
	}
	b = append(b, rest[:open+1]...)
	items := strings.Split(string(rest[open+1:close]), ", ")
	state := items[0]
	var kept []string
	for _, it := range items[1:] {
		if !strings.HasSuffix(it, " minutes") {
			kept = append(kept, it)
		}
	}
	b = append(b, state...)
	if waits(state) && r.float() < minutesFrac {
		m := int(math.Exp(r.float() * math.Log(30000)))
		if m < 1 {
			m = 1
		}
		b = append(b, ", "...)
		b = strconv.AppendInt(b, int64(m), 10)
		b = append(b, " minutes"...)
	}
	for _, it := range kept {
		b = append(b, ", "...)
		b = append(b, it...)
	}
	b = append(b, rest[close:]...)
	w.Write(b)
}

// waits: minutes are printed only for waiting goroutines (and syscall), never
// for running/runnable ones or "(leaked)" ones.
func waits(state string) bool {
	switch state {
	case "running", "runnable", "idle", "dead", "copystack", "preempted":
		return false
	}
	return !strings.Contains(state, "(leaked)")
}

func writeCreatedBy(w *countingWriter, line []byte, offset uint64, copyable map[uint64]bool) {
	i := bytes.LastIndex(line, []byte(" in goroutine "))
	if i < 0 || offset == 0 {
		w.Write(line)
		return
	}
	num := bytes.TrimRight(line[i+14:], "\r\n")
	parent, err := strconv.ParseUint(string(num), 10, 64)
	if err != nil || !copyable[parent] {
		w.Write(line)
		return
	}
	var b []byte
	b = append(b, line[:i+14]...)
	b = strconv.AppendUint(b, parent+offset, 10)
	b = append(b, '\n')
	w.Write(b)
}

// writeVariedArgs replaces the first argument word of a function line with a
// heap-pointer-looking value, as two goroutines of one stack would differ.
func writeVariedArgs(w *countingWriter, line []byte, r *rng) {
	open := bytes.LastIndexByte(line, '(')
	if open < 0 || !bytes.HasPrefix(line[open+1:], []byte("0x")) {
		w.Write(line)
		return
	}
	end := open + 3
	for end < len(line) && isHex(line[end]) {
		end++
	}
	var b []byte
	b = append(b, line[:open+1]...)
	b = append(b, fmt.Sprintf("0xc%09x", 0x000010000+r.next()%0x1ffff000*8)...)
	b = append(b, line[end:]...)
	w.Write(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f'
}

// ---- debug=1 ----

type record struct {
	count uint64
	rest  []byte // " @ 0x…\n# labels…\n#\t…\n" up to and including the blank line
}

func scaleDebug1(data []byte, size int64, w *countingWriter, r *rng) error {
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 {
		return fmt.Errorf("empty profile")
	}
	header := string(data[:nl])
	name := header[:strings.Index(header, " total ")]
	body := data[nl+1:]
	if i := bytes.Index(body, []byte("\ngoroutine profile: total ")); i >= 0 {
		body = body[:i+1] // only the first profile
	}
	var recs []record
	for len(body) > 0 {
		end := bytes.Index(body, []byte("\n\n"))
		if end < 0 {
			end = len(body) - 2
		}
		chunk := body[:end+2]
		body = body[end+2:]
		at := bytes.Index(chunk, []byte(" @ "))
		if at < 0 {
			continue
		}
		n, err := strconv.ParseUint(string(chunk[:at]), 10, 64)
		if err != nil {
			return fmt.Errorf("bad record count %q", chunk[:at])
		}
		recs = append(recs, record{count: n, rest: chunk[at:]})
	}
	if len(recs) == 0 {
		return fmt.Errorf("no records in the profile")
	}
	counts := make([]uint64, len(recs))
	order := make([]int, len(recs))
	for p := 0; w.n < size; p++ {
		var total uint64
		for i, rc := range recs {
			c := rc.count
			if p > 0 {
				c = uint64(math.Round(float64(c) * (0.8 + 0.45*r.float())))
				if c == 0 {
					c = 1
				}
			}
			counts[i] = c
			order[i] = i
			total += c
		}
		sort.SliceStable(order, func(a, b int) bool { return counts[order[a]] > counts[order[b]] })
		fmt.Fprintf(w, "%s total %d\n", name, total)
		for _, i := range order {
			fmt.Fprintf(w, "%d", counts[i])
			w.Write(recs[i].rest)
		}
	}
	return nil
}
