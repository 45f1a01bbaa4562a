// svc-search: scatter-gather search with a deadline. GET /search asks the
// 6 index shards in parallel (one goroutine per shard, a WaitGroup, and a
// closer goroutine that waits for the group and closes the results
// channel), and answers with whatever arrived within 100 ms. Five shards
// are cold (still loading their index), so every request answers with one
// shard's hits and leaves 5 shard goroutines and the closer behind.
//
// Phases:
//
//	loaded: 8 requests answered; per request 5 shard queries wait for their
//	        index (chan receive in (*Shard).Query) and the closer waits for
//	        them (WaitGroup.Wait). The closer waits for workers that are alive
//	        and busy elsewhere: not a missing Done. Same in both variants.
//	after:  the indexes finish loading. leak: the results channel is
//	        unbuffered and its reader is gone, so the 40 shard goroutines
//	        block in chan send; the 8 closers still wait for them, a
//	        consequence of the senders' block (their Done never runs).
//	        healthy: the channel has room for every shard; all exit.
package main

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	requests = 8
	shards   = 6
	cold     = 5
	deadline = 100 * time.Millisecond
)

type Hit struct {
	Shard int
	Doc   string
}

type Shard struct {
	id     int
	mu     sync.Mutex
	loaded chan struct{} // closed once the index is in memory
	docs   []string
}

func (s *Shard) ready() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loaded
}

func (s *Shard) Query(q string) []Hit {
	<-s.ready()
	var hits []Hit
	for _, d := range s.docs {
		if strings.Contains(d, q) {
			hits = append(hits, Hit{s.id, d})
		}
	}
	return hits
}

type Searcher struct {
	shards   []*Shard
	buffered bool
}

func (s *Searcher) Search(q string) []Hit {
	var results chan []Hit
	if s.buffered {
		results = make(chan []Hit, len(s.shards))
	} else {
		results = make(chan []Hit)
	}
	var wg sync.WaitGroup
	for _, sh := range s.shards {
		wg.Add(1)
		go func(sh *Shard) {
			defer wg.Done()
			results <- sh.Query(q)
		}(sh)
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	var all []Hit
	timeout := time.After(deadline)
	for {
		select {
		case hits, ok := <-results:
			if !ok {
				return all
			}
			all = append(all, hits...)
		case <-timeout:
			return all
		}
	}
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	s := &Searcher{buffered: variant == "healthy"}
	for i := 0; i < shards; i++ {
		sh := &Shard{id: i, loaded: make(chan struct{}), docs: []string{"golang leak", "goroutine dump", "pprof heap"}}
		if i >= cold {
			close(sh.loaded)
		}
		s.shards = append(s.shards, sh)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		for _, h := range s.Search(r.URL.Query().Get("q")) {
			fmt.Fprintf(w, "%d\t%s\n", h.Shard, h.Doc)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)
	client := &http.Client{Timeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()

	facts := func(queries, senders, closers int, closerNote string) {
		harness.Fact("role=background", "main.(*Shard).Query", "chan receive", queries,
			"note=shard queries in flight, waiting for their index")
		wgState := "sync.WaitGroup.Wait"
		if harness.GoMinor() <= 23 {
			wgState = "semacquire"
		}
		if variant == "leak" {
			harness.Fact("rule=chan-send-blocked", "main.(*Searcher).Search.func1", "chan send", senders,
				"created_by=main.(*Searcher).Search", "gc_leak=1")
		}
		extra := []string{"created_by=main.(*Searcher).Search", "note=" + closerNote}
		if senders > 0 {
			harness.Fact("role=companion", "main.(*Searcher).Search.func2", wgState, closers,
				append(extra, "gc_leak=1", "cause=main.(*Searcher).Search.func1")...)
		} else {
			harness.Fact("role=background", "main.(*Searcher).Search.func2", wgState, closers, extra...)
		}
	}
	harness.Phases([]string{"loaded", "after"}, map[string]func(){
		"loaded": func() {
			harness.Load(requests, 4, func(int) { harness.Get(client, base+"/search?q=go") })
			harness.Healthy()
			facts(requests*cold, 0, requests, "waits for live workers busy in (*Shard).Query")
		},
		"after": func() {
			for _, sh := range s.shards[:cold] {
				sh.mu.Lock()
				close(sh.loaded)
				sh.mu.Unlock()
			}
			if variant == "leak" {
				facts(0, requests*cold, requests, "consequence: its workers are blocked in chan send and never reach Done")
			} else {
				harness.Healthy()
				facts(0, 0, 0, "")
			}
		},
	})
	harness.Serve(debug)
}
