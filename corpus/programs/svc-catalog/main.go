// svc-catalog: a product catalog that caches prices from a pricing
// upstream. GET /item?id=N takes the catalog's mutex; when the prices are
// stale, the first caller refreshes them while holding the lock, with an
// HTTP call to the upstream. The upstream hangs (it never answers). Clients
// connect from outside (their own connections, no client goroutines).
//
// Phases:
//
//	loaded: the holder waits for the upstream and the other callers pile up
//	        on the lock (sync.Mutex.Lock in main.(*Catalog).Price): 16 in
//	        the leak variant, 24 in the healthy one. Alike in a dump, but the
//	        leak variant's are stuck already (a rule line); the healthy
//	        variant's are saturation.
//	after:  healthy: the refresh has an 8 s timeout; it fails, the catalog
//	        serves the stale prices, backs off, and every caller completes.
//	        leak: the refresh's client has no timeout, so the holder never
//	        returns; 84 more requests arrive and the clients give up: 100
//	        callers stay on the lock.
package main

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const backoff = time.Minute

type Catalog struct {
	upstream string
	client   *http.Client

	mu      sync.Mutex
	prices  map[string]float64
	fetched time.Time
	lastTry time.Time
	ttl     time.Duration
}

// Price returns the cached price of id, refreshing the cache when it is
// stale (at most once per backoff period).
func (c *Catalog) Price(id string) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.fetched) > c.ttl && time.Since(c.lastTry) > backoff {
		c.lastTry = time.Now()
		c.refresh()
	}
	return c.prices[id]
}

// refresh reloads every price; the caller holds c.mu.
func (c *Catalog) refresh() error {
	resp, err := c.client.Get(c.upstream + "/v2/prices")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var id string
	var price float64
	for {
		if _, err := fmt.Fscan(resp.Body, &id, &price); err != nil {
			break
		}
		c.prices[id] = price
	}
	c.fetched = time.Now()
	return nil
}

func (c *Catalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	fmt.Fprintf(w, "%s %.2f\n", id, c.Price(id))
}

// pricing is the hung upstream: it accepts the request and never answers.
type pricing struct{ stuck chan struct{} }

func (p *pricing) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	select {
	case <-p.stuck: // never closed
	case <-r.Context().Done():
	}
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	up := &pricing{stuck: make(chan struct{})}
	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen upstream")
	go http.Serve(upLn, up)

	cat := &Catalog{upstream: "http://" + upLn.Addr().String(), client: &http.Client{},
		prices: map[string]float64{"1": 9.99, "2": 24.5, "3": 3.75}, ttl: 5 * time.Minute}
	waiting, more := 16, 84
	if variant == "healthy" {
		cat.client.Timeout = 8 * time.Second
		waiting, more = 24, 0
	}
	mux := http.NewServeMux()
	mux.Handle("/item", cat)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)
	addr := ln.Addr().String()

	role := "role=companion"
	if variant == "healthy" {
		role = "role=background"
	}
	holder := func(n int) {
		harness.Fact(role, "main.(*Catalog).refresh", "select", n,
			"note=holds the catalog lock across the call to the hung upstream")
		harness.Fact(role, "main.(*pricing).ServeHTTP", "select", n, "note=the hung upstream")
	}
	var conns []*harness.Conn
	send := func(n int) {
		for i := 0; i < n; i++ {
			c := harness.Dial(addr)
			c.Send("/item?id="+strconv.Itoa(1+len(conns)%3), "")
			conns = append(conns, c)
		}
	}
	harness.Phases([]string{"loaded", "after"}, map[string]func(){
		"loaded": func() {
			send(1)
			harness.Settle("lock holder", 1, func(g harness.G) bool { return harness.AtSite(g, "main.(*Catalog).refresh") })
			send(waiting)
			holder(1)
			if variant == "healthy" {
				harness.Healthy()
				harness.Fact("role=background", "main.(*Catalog).Price", "sync.Mutex.Lock", waiting,
					"note=saturation: callers waiting for the lock while the holder waits for the upstream")
				return
			}
			// Stuck already: the holder's call has no timeout and the
			// upstream never answers. One dump cannot tell this from the
			// healthy variant's saturation; the series can.
			harness.Fact("rule=mutex-pileup", "main.(*Catalog).Price", "sync.Mutex.Lock", waiting,
				"library=sync.(*Mutex).Lock", "note=the holder's call has no timeout and the upstream hangs: stuck from the start")
		},
		"after": func() {
			if variant == "healthy" {
				for _, c := range conns {
					c.Receive(15 * time.Second)
					c.Close()
				}
				harness.Healthy()
				holder(0)
				harness.Fact("role=background", "main.(*Catalog).Price", "sync.Mutex.Lock", 0)
				return
			}
			send(more)
			harness.Settle("callers on the lock", waiting+more, func(g harness.G) bool { return harness.AtSite(g, "main.(*Catalog).Price") })
			for _, c := range conns {
				c.Close() // the clients give up
			}
			holder(1)
			harness.Fact("rule=mutex-pileup", "main.(*Catalog).Price", "sync.Mutex.Lock", waiting+more,
				"library=sync.(*Mutex).Lock", "note=the root cause is the holder: a call without timeout to a hung upstream")
		},
	})
	harness.Serve(debug)
}
