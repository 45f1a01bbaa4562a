// svc-ingest: a log-ingest endpoint. POST /ingest carries a batch of lines;
// the handler parses them and streams the records over a per-request
// channel to a consumer goroutine that ranges over it and updates the
// search index. Requests arrive over many short-lived connections (no
// keep-alive), so every consumer has its own parent. Beside it, a fixed
// pool of 5 flush workers ranges over a long-lived channel: the same state
// and shape as the leak, but 5 goroutines made once at start-up.
//
//	leak:    a batch with a malformed line returns early without closing the
//	         records channel: 37 consumers stay in chan receive
//	         (main.(*Indexer).consume, GC-provably leaked)
//	healthy: the channel is closed on every path (defer close)
package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	requests     = 37
	flushWorkers = 5
)

type Record struct {
	Service string
	Level   string
	Msg     string
}

type Indexer struct {
	mu     sync.Mutex
	terms  map[string]int
	flushq chan []string
	closes bool // close the records channel on every path
}

func NewIndexer(workers int) *Indexer {
	ix := &Indexer{terms: map[string]int{}, flushq: make(chan []string)}
	for i := 0; i < workers; i++ {
		go ix.flushWorker(i)
	}
	return ix
}

// flushWorker writes term batches to the segment files.
func (ix *Indexer) flushWorker(id int) {
	for batch := range ix.flushq {
		_ = fmt.Sprintf("segment-%d: %d terms", id, len(batch))
	}
}

// consume indexes the records of one batch as they are parsed.
func (ix *Indexer) consume(records <-chan Record) {
	var terms []string
	for r := range records {
		ix.mu.Lock()
		for _, w := range strings.Fields(r.Msg) {
			ix.terms[w]++
			terms = append(terms, w)
		}
		ix.mu.Unlock()
	}
	ix.flushq <- terms
}

func parseLine(line string) (Record, error) {
	parts := strings.SplitN(line, " ", 3)
	if len(parts) != 3 {
		return Record{}, fmt.Errorf("malformed line %q", line)
	}
	return Record{Service: parts[0], Level: parts[1], Msg: parts[2]}, nil
}

func (ix *Indexer) Ingest(w http.ResponseWriter, r *http.Request) {
	records := make(chan Record)
	if ix.closes {
		defer close(records)
	}
	go ix.consume(records)
	sc := bufio.NewScanner(r.Body)
	n := 0
	for sc.Scan() {
		rec, err := parseLine(sc.Text())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		records <- rec
		n++
	}
	if !ix.closes {
		close(records)
	}
	fmt.Fprintf(w, "indexed %d records\n", n)
}

// withRequestID is the service's middleware.
func withRequestID(next http.HandlerFunc) http.HandlerFunc {
	var seq int64
	var mu sync.Mutex
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seq++
		id := seq
		mu.Unlock()
		w.Header().Set("X-Request-Id", strconv.FormatInt(id, 10))
		next(w, r)
	}
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	ix := NewIndexer(flushWorkers)
	ix.closes = variant == "healthy"

	mux := http.NewServeMux()
	mux.HandleFunc("/ingest", withRequestID(ix.Ingest))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	url := "http://" + ln.Addr().String() + "/ingest"
	harness.Load(requests, 8, func(i int) {
		// Every batch ends with a truncated line.
		body := fmt.Sprintf("api INFO GET /v1/orders/%d 200\nworker WARN retry job %d\ntruncated", i, i)
		resp, err := client.Post(url, "text/plain", strings.NewReader(body))
		harness.Must(err, "POST /ingest")
		resp.Body.Close()
	})

	if variant == "leak" {
		harness.Fact("rule=chan-receive-never-closed", "main.(*Indexer).consume", "chan receive", requests,
			"created_by=main.(*Indexer).Ingest", "gc_leak=1")
	} else {
		harness.Healthy()
	}
	harness.Fact("role=background", "main.(*Indexer).flushWorker", "chan receive", flushWorkers,
		"created_by=main.NewIndexer", "note=fixed pool ranging over a long-lived channel")
	harness.Serve(debug)
}
