// svc-pricing: a pricing service. GET /reprice?sku=S answers at once and
// reprices the item in the background: three lookups (list price,
// discount, tax) run at once and their results come back over a channel.
// GET /watch?since=N is a long poll: the handler waits on a sync.Cond
// until the price book moves past N.
//
//	leak:    the results channel is unbuffered and read only after
//	         wg.Wait(): each lookup waits to send, the repricer waits for
//	         the lookups, and neither ever moves. 20 repricings leave 60
//	         lookups in chan send at (*Repricer).reprice.func1 and 20
//	         repricers in WaitGroup.Wait, below every count threshold.
//	healthy: a collector started beside the lookups reads the results and
//	         publishes them; the publisher is paused (a slow downstream),
//	         so the collectors wait to publish and the lookups wait for the
//	         collectors (40: each collector holds the first result), the
//	         repricers in WaitGroup.Wait: the same frames, back-pressure that
//	         drains when the publisher resumes.
//
// Both: 120 long polls in flight on the price book's Cond, held open by a
// client process (requests in flight, not a leak), and the publisher.
package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	repricings = 20
	watchers   = 120
)

type Book struct {
	mu      sync.Mutex
	changed *sync.Cond
	version int
}

// waitPast parks until the book moves past version since.
func (b *Book) waitPast(since int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.version <= since {
		b.changed.Wait()
	}
	return b.version
}

type Publisher struct {
	out    chan string
	resume chan struct{}
}

// run publishes price updates once the downstream accepts them again.
func (p *Publisher) run() {
	<-p.resume
	for range p.out {
	}
}

type Repricer struct {
	pub       *Publisher
	collector bool // healthy: results are read while the lookups run
}

func lookup(kind, sku string) string {
	time.Sleep(time.Millisecond)
	return kind + ":" + sku
}

func (r *Repricer) reprice(sku string) {
	kinds := []string{"list", "discount", "tax"}
	results := make(chan string)
	var wg sync.WaitGroup
	for _, k := range kinds {
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			results <- lookup(k, sku)
		}(k)
	}
	if r.collector {
		go r.collect(results)
		wg.Wait()
		close(results)
		return
	}
	wg.Wait()
	close(results)
	var parts []string
	for p := range results {
		parts = append(parts, p)
	}
	r.pub.out <- strings.Join(parts, ",")
}

// collect publishes each result as it comes.
func (r *Repricer) collect(results chan string) {
	for p := range results {
		r.pub.out <- p
	}
}

type Server struct {
	rp   *Repricer
	book *Book
}

func (s *Server) reprice(w http.ResponseWriter, r *http.Request) {
	go s.rp.reprice(r.URL.Query().Get("sku"))
	io.WriteString(w, "repricing\n")
}

func (s *Server) watch(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.Atoi(r.URL.Query().Get("since"))
	fmt.Fprintln(w, s.book.waitPast(since))
}

func main() {
	harness.Child(map[string]func(string) string{"watchers": harness.Callers})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	book := &Book{version: 1}
	book.changed = sync.NewCond(&book.mu)
	pub := &Publisher{out: make(chan string), resume: make(chan struct{})}
	go pub.run()
	s := &Server{rp: &Repricer{pub: pub, collector: variant == "healthy"}, book: book}
	mux := http.NewServeMux()
	mux.HandleFunc("/reprice", s.reprice)
	mux.HandleFunc("/watch", s.watch)
	base := harness.ServeHTTP(mux)
	// Long polls opened a few milliseconds apart, as they arrive.
	harness.StartChild("watchers").Do(fmt.Sprintf("hold %d 3ms %s/watch?since=1000", watchers, base))
	harness.LoadGets(repricings, 4, func(i int) string { return base + "/reprice?sku=sku-" + strconv.Itoa(i) })

	if variant == "leak" {
		harness.Fact("rule=chan-send-blocked", "main.(*Repricer).reprice.func1", "chan send", 3*repricings,
			"created_by=main.(*Repricer).reprice", "gc_leak=1", "note=results read only after wg.Wait(): a deadlock per repricing")
		harness.Fact("rule=waitgroup-never-done", "main.(*Repricer).reprice", "", repricings,
			"created_by=main.(*Server).reprice", "gc_leak=1", "note=waits for its lookups, which wait for it")
	} else {
		harness.Healthy()
		harness.Fact("role=background", "main.(*Repricer).reprice.func1", "chan send", 2*repricings,
			"created_by=main.(*Repricer).reprice", "note=wait for their collector, which holds the first result (back-pressure)")
		harness.Fact("role=background", "main.(*Repricer).collect", "chan send", repricings,
			"created_by=main.(*Repricer).reprice", "note=wait for the paused publisher")
		harness.Fact("role=background", "main.(*Repricer).reprice", "", repricings,
			"created_by=main.(*Server).reprice", "note=wait for their lookups in WaitGroup.Wait")
	}
	harness.Fact("role=background", "main.(*Book).waitPast", "", watchers,
		"created_by=net/http.(*Server).Serve", "note=long polls in flight")
	harness.Fact("role=background", "main.(*Publisher).run", "chan receive", 1, "created_by=main.main")
	harness.Serve(debug)
}
