// prom-catalog: a product catalog API instrumented with client_golang:
// every route is wrapped in promhttp's in-flight, duration and counter
// middleware, and /metrics serves the registry. Healthy.
//
// Phases: idle (after a warm-up of 300 requests and a scrape); loaded = 23
// search requests in flight (held by a slow recommendations backend; they
// come from raw client connections, so no client goroutine is in the dump)
// while /metrics is scraped; after = the backend recovers and the requests
// finish.
package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gorleakcorpus/harness"
)

const inFlight = 23

// Recommender stands for a slow downstream service: while it is degraded,
// calls wait until it recovers or the caller gives up.
type Recommender struct {
	mu      sync.Mutex
	healthy chan struct{} // closed while the backend answers
}

func NewRecommender() *Recommender {
	r := &Recommender{healthy: make(chan struct{})}
	close(r.healthy)
	return r
}

func (r *Recommender) Degrade() {
	r.mu.Lock()
	r.healthy = make(chan struct{})
	r.mu.Unlock()
}

func (r *Recommender) Recover() {
	r.mu.Lock()
	close(r.healthy)
	r.mu.Unlock()
}

func (r *Recommender) Similar(ctx context.Context, sku string) ([]string, error) {
	r.mu.Lock()
	ready := r.healthy
	r.mu.Unlock()
	select {
	case <-ready:
		return []string{sku + "-a", sku + "-b"}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type CatalogAPI struct{ recs *Recommender }

func (c *CatalogAPI) search(w http.ResponseWriter, r *http.Request) {
	sku := r.URL.Query().Get("q")
	similar, err := c.recs.Similar(r.Context(), sku)
	if err != nil {
		http.Error(w, err.Error(), http.StatusGatewayTimeout)
		return
	}
	fmt.Fprintf(w, "%s: %v\n", sku, similar)
}

func (c *CatalogAPI) product(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "product %s\n", r.URL.Query().Get("id"))
}

func instrument(reg prometheus.Registerer, route string, h http.HandlerFunc) http.Handler {
	inflight := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "http_requests_in_flight", Help: "Requests being served.", ConstLabels: prometheus.Labels{"route": route},
	})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "http_request_duration_seconds", Help: "Request latency.", ConstLabels: prometheus.Labels{"route": route},
	}, []string{"code", "method"})
	total := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "Requests served.", ConstLabels: prometheus.Labels{"route": route},
	}, []string{"code", "method"})
	reg.MustRegister(inflight, duration, total)
	return promhttp.InstrumentHandlerInFlight(inflight,
		promhttp.InstrumentHandlerDuration(duration, promhttp.InstrumentHandlerCounter(total, h)))
}

func main() {
	debug := harness.Listen()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	api := &CatalogAPI{recs: NewRecommender()}
	mux := http.NewServeMux()
	mux.Handle("/search", instrument(reg, "search", api.search))
	mux.Handle("/product", instrument(reg, "product", api.product))
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	ln := harness.Listen()
	go http.Serve(ln, mux)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 3}}
	base := "http://" + ln.Addr().String()
	scrape := func() {
		if body := harness.Get(client, base+"/metrics"); len(body) < 1000 {
			harness.Fail("short scrape: %q", body)
		}
	}
	var held []*harness.Conn
	const search = "main.(*Recommender).Similar"
	harness.Phases([]string{"idle", "loaded", "after"}, map[string]func(){
		"idle": func() {
			harness.Load(300, 3, func(i int) {
				if i%3 == 0 {
					harness.Get(client, base+"/search?q=sku-"+strconv.Itoa(i))
				} else {
					harness.Get(client, base+"/product?id="+strconv.Itoa(i))
				}
			})
			scrape()
			harness.Healthy()
			harness.Fact("role=background", search, "", 0)
		},
		"loaded": func() {
			api.recs.Degrade()
			for i := 0; i < inFlight; i++ {
				c := harness.Dial(ln.Addr().String())
				c.Send(fmt.Sprintf("/search?q=sku-%d", i), "")
				held = append(held, c)
			}
			scrape()
			harness.Healthy()
			harness.Fact("role=background", search, "select", inFlight, "created_by=net/http.(*Server).Serve",
				"note=search requests in flight behind a slow backend, under promhttp's middleware")
		},
		"after": func() {
			api.recs.Recover()
			for _, c := range held {
				c.Receive(10 * time.Second)
				c.Close()
			}
			scrape()
			harness.Healthy()
			harness.Fact("role=background", search, "", 0)
		},
	})
	harness.Serve(debug)
}
