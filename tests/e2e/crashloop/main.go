// crashloop is the subject of the crash-loop test (tests/test_crash_repeats.cpp):
// a service that dies at start-up, restarted by its supervisor again and
// again, so its log holds the same panic many times. Each run serves one
// request on a real HTTP server; the handler panics in a goroutine of its
// own (a panic there is not recovered by net/http), with a cause chosen by
// the argument. Standard library only; builds with every Go from 1.19 on.
//
//	crashloop nilmap|index
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

type cache struct{ entries map[string]int }

// warm fills a cache whose map was never made.
func (c *cache) warm(key string) { c.entries[key]++ }

// pick reads past the end of a list it was handed.
func pick(list []int, at int) int { return list[at] }

func refresh(kind string, done chan<- struct{}) {
	defer close(done)
	switch kind {
	case "nilmap":
		var c cache
		c.warm("orders")
	default:
		fmt.Println(pick(make([]int, 2), len(os.Args)+3))
	}
}

func main() {
	kind := os.Args[1]
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/refresh", func(w http.ResponseWriter, r *http.Request) {
		done := make(chan struct{})
		go refresh(kind, done)
		<-done
	})
	go http.Serve(ln, nil)
	fmt.Fprintf(os.Stderr, "%s crashloop[%d]: listening on %s\n", time.Now().UTC().Format(time.RFC3339), os.Getpid(), ln.Addr())
	http.Get("http://" + ln.Addr().String() + "/refresh")
	time.Sleep(10 * time.Second) // the panic ends the process first
}
