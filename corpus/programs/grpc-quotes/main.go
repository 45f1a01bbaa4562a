// grpc-quotes: a web front end for a market-data service. GET /quote?sym=S
// opens a server-streaming gRPC Watch on the quotes backend (same process,
// real gRPC over 127.0.0.1), answers with the first price and returns. The
// stream gets its own cancellable context because a subscription is meant
// to outlive a request when the caller asks for ?follow=1.
//
// leak: the handler cancels only on its error paths; on success the stream
// is neither cancelled nor drained. Each request leaves grpc's per-stream
// context watcher (google.golang.org/grpc.newClientStream.func*, select on
// the ClientConn's and the stream's Done channels) on the client side and,
// because the client never ends the stream, the backend's Watch handler
// waiting for price updates on the server side: 1 + 1 goroutines per stream,
// 103 streams from 3 keep-alive front-end connections.
//
// healthy: `defer cancel()`; the streams end with the request. Both variants
// keep a board of 4 symbols followed for the life of the process (the same
// watcher and handler goroutines, bounded), and the idle gRPC and HTTP
// connections.
package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	wrappers "github.com/golang/protobuf/ptypes/wrappers"
	"google.golang.org/grpc"

	"gorleakcorpus/harness"
	"gorleakcorpus/programs/grpc-quotes/quotespb"
)

const (
	requests     = 103
	frontConns   = 3
	boardSymbols = 4
)

// ---- the quotes backend ----------------------------------------------------

// Market fans price updates out to subscribers. Prices only move when the
// exchange feed says so, which it does not during this run.
type Market struct {
	mu     sync.Mutex
	prices map[string]float64
	subs   map[string]map[chan float64]struct{}
}

func NewMarket() *Market {
	return &Market{prices: map[string]float64{}, subs: map[string]map[chan float64]struct{}{}}
}

func (m *Market) Subscribe(sym string) (float64, chan float64, func()) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.prices[sym]
	if !ok {
		p = 100 + float64(len(sym))*1.25
		m.prices[sym] = p
	}
	ch := make(chan float64, 8)
	if m.subs[sym] == nil {
		m.subs[sym] = map[chan float64]struct{}{}
	}
	m.subs[sym][ch] = struct{}{}
	return p, ch, func() {
		m.mu.Lock()
		delete(m.subs[sym], ch)
		m.mu.Unlock()
	}
}

type quoteServer struct{ market *Market }

// Watch sends the current price, then every update until the client goes.
func (s *quoteServer) Watch(req *wrappers.StringValue, stream quotespb.QuoteService_WatchServer) error {
	price, updates, unsubscribe := s.market.Subscribe(req.GetValue())
	defer unsubscribe()
	if err := stream.Send(&wrappers.DoubleValue{Value: price}); err != nil {
		return err
	}
	for {
		select {
		case <-stream.Context().Done():
			return stream.Context().Err()
		case p := <-updates:
			if err := stream.Send(&wrappers.DoubleValue{Value: p}); err != nil {
				return err
			}
		}
	}
}

// ---- the web front end -----------------------------------------------------

type QuoteHandler struct {
	quotes quotespb.QuoteServiceClient
	base   context.Context // subscriptions may outlive the request
	leaky  bool
}

func (h *QuoteHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sym := r.URL.Query().Get("sym")
	ctx, cancel := context.WithCancel(h.base)
	if !h.leaky {
		defer cancel()
	}
	stream, err := h.quotes.Watch(ctx, &wrappers.StringValue{Value: sym})
	if err != nil {
		cancel()
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	first, err := stream.Recv()
	if err != nil {
		cancel()
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "%s %.2f\n", sym, first.GetValue())
}

// Board follows a few symbols for the life of the process (the ticker tape
// on the landing page): long-lived streams on purpose.
type Board struct {
	mu     sync.Mutex
	last   map[string]float64
	quotes quotespb.QuoteServiceClient
}

func (b *Board) follow(ctx context.Context, sym string, started *sync.WaitGroup) {
	stream, err := b.quotes.Watch(ctx, &wrappers.StringValue{Value: sym})
	harness.Must(err, "board watch "+sym)
	for first := true; ; first = false {
		q, err := stream.Recv()
		if err != nil {
			return
		}
		b.mu.Lock()
		b.last[sym] = q.GetValue()
		b.mu.Unlock()
		if first {
			started.Done()
		}
	}
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()

	gln := harness.Listen()
	gs := grpc.NewServer()
	quotespb.RegisterQuoteServiceServer(gs, &quoteServer{market: NewMarket()})
	go gs.Serve(gln)

	cc, err := grpc.Dial(gln.Addr().String(), grpc.WithInsecure(), grpc.WithBlock())
	harness.Must(err, "dial quotes")
	quotes := quotespb.NewQuoteServiceClient(cc)

	root := context.Background()
	board := &Board{last: map[string]float64{}, quotes: quotes}
	var started sync.WaitGroup
	for _, sym := range []string{"ACME", "GLOBEX", "INITECH", "UMBRELLA"}[:boardSymbols] {
		started.Add(1)
		go board.follow(root, sym, &started)
	}
	started.Wait()

	hln := harness.Listen()
	mux := http.NewServeMux()
	mux.Handle("/quote", &QuoteHandler{quotes: quotes, base: root, leaky: variant == "leak"})
	go http.Serve(hln, mux)

	// The load balancer in front keeps 3 connections open.
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: frontConns}}
	url := "http://" + hln.Addr().String() + "/quote?sym="
	harness.Load(requests, frontConns, func(i int) { harness.Get(client, url+"SYM"+strconv.Itoa(i)) })

	streams := boardSymbols
	if variant == "leak" {
		streams += requests
	}
	// Every stream, the board's and the leaked ones, has one watcher with
	// the same frames: one line for them, units say how many leaked.
	watcher := streamWatcher()
	if variant == "leak" {
		harness.Fact("rule=grpc-stream-not-closed", watcher, "select", streams,
			"units="+strconv.Itoa(requests), "created_by=google.golang.org/grpc.newClientStream",
			"caller=main.(*QuoteHandler).ServeHTTP", "library=google.golang.org/grpc.(*ClientConn).NewStream",
			fmt.Sprintf("note=%d request streams never cancelled (parents: the %d front-end connections' goroutines) + the board's %d streams (parents: main.(*Board).follow)", requests, frontConns, boardSymbols))
	} else {
		harness.Healthy()
		harness.Fact("role=background", watcher, "select", streams,
			"created_by=google.golang.org/grpc.newClientStream", "note=the board's long-lived streams")
	}
	harness.Fact("role=background", "main.(*Board).follow", "select", boardSymbols, "created_by=main.main")
	harness.Fact("role=companion", "main.(*quoteServer).Watch", "select", streams,
		"created_by=google.golang.org/grpc.(*Server).serveStreams.func1",
		"note=the backend's handler of every open stream, waiting for price updates")
	// grpc's own connection management for the one ClientConn.
	harness.Fact("role=background", "google.golang.org/grpc.(*addrConn).resetTransport", "chan receive", 1,
		"created_by=google.golang.org/grpc.(*addrConn).connect", "note=waits for the transport to close")
	harness.Fact("role=background", "google.golang.org/grpc.(*ccBalancerWrapper).watcher", "select", 1,
		"created_by=google.golang.org/grpc.newCCBalancerWrapper")
	harness.Serve(debug)
}

// streamWatcher names grpc's per-stream context watcher, the func literal
// in newClientStream (its number depends on the grpc version): the top
// frame of the goroutines newClientStream creates.
func streamWatcher() string {
	for _, g := range harness.Goroutines() {
		if g.CreatedBy == "google.golang.org/grpc.newClientStream" && len(g.Funcs) > 0 {
			return g.Funcs[0]
		}
	}
	harness.Fail("no goroutine created by grpc.newClientStream")
	return ""
}
