// leaky is the end-to-end test's subject (tests/test_e2e_go.cpp): it parks
// goroutines in known states, counts them itself from runtime.Stack, prints
// those counts, writes its own debug=2 and debug=1 goroutine dumps and exits.
// Standard library only; builds with every Go from 1.19 on.
//
//	leaky DEBUG2_FILE DEBUG1_FILE
//
// Output (one line each):
//
//	COUNT total=N chan_send=N chan_receive=N select=N semacquire=N sleep=N running=N
//	SITE main.blockedSender=N main.blockedReceiver=N ...
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"time"
)

// How many goroutines of each kind. Distinct numbers, so a count that lands
// in the wrong bucket cannot match by accident.
const (
	nSend    = 37
	nRecv    = 23
	nSelect  = 11
	nMutex   = 7
	nWait    = 6
	nSleep   = 5
	nNilRecv = 3
)

var (
	sendTo  = make(chan int) // nobody receives
	recvOn  = make(chan int) // nobody sends
	mu      sync.Mutex
	wg      sync.WaitGroup
	nilChan chan int
)

func blockedSender(i int) { sendTo <- i }
func blockedReceiver()    { <-recvOn }
func blockedSelect(c chan int) {
	select {
	case <-recvOn:
	case <-c:
	}
}
func mutexWaiter() { mu.Lock() }
func wgWaiter()    { wg.Wait() }
func sleeper()     { time.Sleep(time.Hour) }
func nilReceiver() { <-nilChan }

// category folds a runtime wait reason the way gorleak's state table does,
// for the reasons this program produces.
func category(state string) string {
	switch {
	case state == "chan send":
		return "chan_send"
	case state == "chan receive" || state == "chan receive (nil chan)":
		return "chan_receive"
	case state == "select":
		return "select"
	case state == "semacquire" || strings.HasPrefix(state, "sync."):
		return "semacquire"
	case state == "sleep":
		return "sleep"
	case state == "running":
		return "running"
	}
	return "other:" + state
}

type gor struct {
	state string
	site  string // first main.* frame
}

func goroutines() []gor {
	buf := make([]byte, 1<<20)
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
		lb, rb := strings.IndexByte(h, '['), strings.LastIndexByte(h, ']')
		if !strings.HasPrefix(h, "goroutine ") || lb < 0 || rb < lb {
			continue
		}
		g := gor{state: h[lb+1 : rb]}
		if i := strings.Index(g.state, ", "); i >= 0 {
			g.state = g.state[:i]
		}
		for _, l := range lines[1:] {
			if l == "" || l[0] == '\t' || strings.HasPrefix(l, "created by ") {
				continue
			}
			if j := strings.LastIndexByte(l, '('); j > 0 && strings.HasPrefix(l, "main.") {
				g.site = l[:j]
				break
			}
		}
		out = append(out, g)
	}
	return out
}

// counts returns the goroutines by category and by site, and their total.
func counts() (map[string]int, map[string]int, int) {
	cats, sites := map[string]int{}, map[string]int{}
	gs := goroutines()
	for _, g := range gs {
		cats[category(g.state)]++
		// The running goroutine is this one: its site moves on while it
		// writes the dumps, so only its state is reported.
		if g.site != "" && g.state != "running" {
			sites[g.site]++
		}
	}
	return cats, sites, len(gs)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: leaky DEBUG2_FILE DEBUG1_FILE")
		os.Exit(2)
	}
	wg.Add(1)
	mu.Lock()
	for i := 0; i < nSend; i++ {
		go blockedSender(i)
	}
	for i := 0; i < nRecv; i++ {
		go blockedReceiver()
	}
	for i := 0; i < nSelect; i++ {
		go blockedSelect(make(chan int))
	}
	for i := 0; i < nMutex; i++ {
		go mutexWaiter()
	}
	for i := 0; i < nWait; i++ {
		go wgWaiter()
	}
	for i := 0; i < nSleep; i++ {
		go sleeper()
	}
	for i := 0; i < nNilRecv; i++ {
		go nilReceiver()
	}

	// Wait until every goroutine is parked where it belongs, twice in a row.
	want := map[string]int{
		"main.blockedSender": nSend, "main.blockedReceiver": nRecv,
		"main.blockedSelect": nSelect, "main.mutexWaiter": nMutex,
		"main.wgWaiter": nWait, "main.sleeper": nSleep, "main.nilReceiver": nNilRecv,
	}
	deadline := time.Now().Add(20 * time.Second)
	for stable := 0; stable < 2; {
		cats, sites, _ := counts()
		ok := cats["running"] == 1
		for k, v := range want {
			ok = ok && sites[k] == v
		}
		for k := range cats {
			ok = ok && !strings.HasPrefix(k, "other:") && k != "runnable"
		}
		if ok {
			stable++
		} else {
			stable = 0
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(os.Stderr, "goroutines never settled: %v %v\n", cats, sites)
			os.Exit(3)
		}
		time.Sleep(20 * time.Millisecond)
	}

	cats, sites, total := counts()
	fmt.Printf("COUNT total=%d", total)
	for _, k := range []string{"chan_send", "chan_receive", "select", "semacquire", "sleep", "running"} {
		fmt.Printf(" %s=%d", k, cats[k])
	}
	fmt.Println()
	var names []string
	for k := range sites {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Print("SITE")
	for _, k := range names {
		fmt.Printf(" %s=%d", k, sites[k])
	}
	fmt.Println()

	for i, level := range []int{2, 1} {
		f, err := os.Create(os.Args[1+i])
		if err == nil {
			err = pprof.Lookup("goroutine").WriteTo(f, level)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
