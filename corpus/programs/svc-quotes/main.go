// svc-quotes: a price-quote gateway. GET /quote?sym=S asks every upstream
// feed at once and answers with the first quote that arrives ("first result
// wins"). The client load comes through only 3 keep-alive connections, as
// from a load balancer, so the per-request goroutines have just 3 distinct
// parents. Beside it: a background symbol-table refresher and the idle
// keep-alive connections left after the load.
//
//	leak:    the answers channel is unbuffered; the two slower feeds of every
//	         request block forever in chan send in (*QuoteService).ask
//	         (64 requests -> 128 goroutines, all GC-provably leaked)
//	healthy: the channel has room for every feed's answer; nothing stays
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
	requests = 64
	conns    = 3 // keep-alive client connections, hence parents of the leak
)

type Quote struct {
	Feed  string
	Price float64
}

type Feed interface {
	Name() string
	Quote(sym string) Quote
}

// staticFeed quotes from a table; the real service would call out.
type staticFeed struct {
	name   string
	spread float64
}

func (f staticFeed) Name() string { return f.name }
func (f staticFeed) Quote(sym string) Quote {
	return Quote{Feed: f.name, Price: float64(len(sym))*10 + f.spread}
}

type QuoteService struct {
	feeds    []Feed
	buffered bool

	mu      sync.RWMutex
	symbols map[string]bool
}

// Best returns the first quote any feed gives for sym.
func (s *QuoteService) Best(sym string) Quote {
	var answers chan Quote
	if s.buffered {
		answers = make(chan Quote, len(s.feeds))
	} else {
		answers = make(chan Quote)
	}
	for _, f := range s.feeds {
		go s.ask(f, sym, answers)
	}
	return <-answers
}

func (s *QuoteService) ask(f Feed, sym string, answers chan<- Quote) {
	answers <- f.Quote(sym)
}

func (s *QuoteService) known(sym string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.symbols[sym]
}

// refreshSymbols reloads the symbol table every few minutes.
func (s *QuoteService) refreshSymbols(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		s.mu.Lock()
		s.symbols["NEW"] = true
		s.mu.Unlock()
	}
}

func (s *QuoteService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sym := strings.ToUpper(r.URL.Query().Get("sym"))
	if !s.known(sym) {
		http.Error(w, "unknown symbol", http.StatusNotFound)
		return
	}
	q := s.Best(sym)
	fmt.Fprintf(w, "%s %.2f (%s)\n", sym, q.Price, q.Feed)
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()

	svc := &QuoteService{
		feeds:    []Feed{staticFeed{"nyse", 0.01}, staticFeed{"lse", 0.02}, staticFeed{"tse", 0.03}},
		buffered: variant == "healthy",
		symbols:  map[string]bool{"ACME": true, "GLOBEX": true, "INITECH": true, "UMBRELLA": true},
	}
	go svc.refreshSymbols(5 * time.Minute)

	mux := http.NewServeMux()
	mux.Handle("/quote", svc)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxConnsPerHost: conns, MaxIdleConnsPerHost: conns},
	}
	base := "http://" + ln.Addr().String()
	syms := []string{"acme", "globex", "initech", "umbrella"}
	harness.Load(requests, conns, func(i int) { harness.Get(client, base+"/quote?sym="+syms[i%len(syms)]) })

	if variant == "leak" {
		harness.Fact("rule=chan-send-blocked", "main.(*QuoteService).ask", "chan send", requests*(len(svc.feeds)-1),
			"created_by=main.(*QuoteService).Best", "gc_leak=1")
	} else {
		harness.Healthy()
	}
	harness.Fact("role=background", "main.(*QuoteService).refreshSymbols", "chan receive", 1, "created_by=main.main")
	harness.Fact("role=background", "net/http.(*persistConn).readLoop", "IO wait", conns, "note=idle keep-alive client connections")
	harness.Fact("role=background", "net/http.(*persistConn).writeLoop", "select", conns)
	harness.Fact("role=background", "net/http.(*conn).serve", "IO wait", conns, "note=idle served keep-alive connections")
	harness.Serve(debug)
}
