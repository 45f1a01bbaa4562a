// Command panicparse-bench reads a goroutine dump with panicparse v2
// (github.com/maruel/panicparse, Debian's golang-github-maruel-panicparse-dev)
// the way its `pp` command does, without the parts that make pp unusable on
// large dumps, and prints what it found:
//
//	panicparse-bench FILE
//	→ "<seconds> <goroutines> <buckets> <snapshots>" on stdout
//
// Like `pp -rebase=false -parse=false`, every snapshot in the file is read
// with stack.ScanSnapshot and grouped with Aggregate(stack.AnyPointer), pp's
// default similarity. Unlike pp it neither names arguments (Opts.NameArguments,
// documented as O(n²): pp took 16 s on 20k goroutines of bench/shapes'
// distinct input) nor prints the buckets: the figure is parse + aggregate.
// bench/run.sh builds it in GOPATH mode against /usr/share/gocode; it is
// never part of gorleak's build.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/maruel/panicparse/v2/stack"
)

func main() {
	parseOnly := len(os.Args) == 3 && os.Args[1] == "-parse-only"
	if parseOnly {
		os.Args = os.Args[1:]
	}
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: panicparse-bench FILE")
		os.Exit(2)
	}
	t0 := time.Now()
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "panicparse-bench:", err)
		os.Exit(1)
	}
	defer f.Close()
	opts := &stack.Opts{NameArguments: false, GuessPaths: false, AnalyzeSources: false}
	var in io.Reader = bufio.NewReaderSize(f, 1<<20)
	goroutines, buckets, snapshots := 0, 0, 0
	var parse, aggregate time.Duration
	for {
		t := time.Now()
		s, suffix, err := stack.ScanSnapshot(in, io.Discard, opts)
		parse += time.Since(t)
		if s != nil {
			snapshots++
			goroutines += len(s.Goroutines)
			if !s.IsRace() && !parseOnly {
				t = time.Now()
				buckets += len(s.Aggregate(stack.AnyPointer).Buckets)
				aggregate += time.Since(t)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "panicparse-bench:", err)
			os.Exit(1)
		}
		in = io.MultiReader(bytes.NewReader(suffix), in)
	}
	fmt.Printf("%.6f %d %d %d %.6f %.6f\n", time.Since(t0).Seconds(), goroutines, buckets, snapshots,
		parse.Seconds(), aggregate.Seconds())
}
