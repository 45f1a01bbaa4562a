// svc-gateway: an API gateway. GET /quote?sku=N asks the pricing service
// (an upstream in a process of its own) for the price and answers with it;
// a refresher loop reloads the currency table on a ticker.
//
//	leak:    the gateway's client has no timeout and the pricing service
//	         hangs. The callers give up after 300 ms and hang up, but each
//	         handler still waits for the upstream: 120 in select at
//	         (*Gateway).quote under (*persistConn).roundTrip, with no client
//	         left to answer.
//	healthy: the client has a 30 s timeout and the pricing service is slow
//	         (a minute a quote). The dump is taken while a client process
//	         holds the 120 quote requests open: the same frames and count,
//	         and net/http still reads each caller's connection in the
//	         background (connReader.backgroundRead), because the callers
//	         wait.
package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const requests = 120

type Gateway struct {
	pricing string
	client  *http.Client
	rates   sync.Map
}

func (g *Gateway) quote(w http.ResponseWriter, r *http.Request) {
	resp, err := g.client.Get(g.pricing + "/price?sku=" + r.URL.Query().Get("sku"))
	if err != nil {
		http.Error(w, "pricing unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	io.Copy(w, resp.Body)
}

// refresh reloads the currency table for as long as the gateway runs.
func (g *Gateway) refresh(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		g.rates.Store("EUR", 1.08)
	}
}

// pricing is the upstream's process: "serve hang" or "serve slow" starts
// it and answers its address.
func pricing(cmd string) string {
	hang := cmd == "serve hang"
	mux := http.NewServeMux()
	mux.HandleFunc("/price", func(w http.ResponseWriter, r *http.Request) {
		if hang {
			<-r.Context().Done() // answers nobody, however long they wait
			return
		}
		select {
		case <-time.After(time.Minute):
			io.WriteString(w, "9.99\n")
		case <-r.Context().Done():
		}
	})
	return harness.ServeHTTP(mux)
}

func main() {
	harness.Child(map[string]func(string) string{"pricing": pricing, "callers": harness.Callers})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	g := &Gateway{client: &http.Client{}}
	if variant == "leak" {
		g.pricing = harness.StartChild("pricing").Do("serve hang")
	} else {
		g.pricing = harness.StartChild("pricing").Do("serve slow")
		g.client.Timeout = 30 * time.Second
	}
	go g.refresh(time.Second)
	mux := http.NewServeMux()
	mux.HandleFunc("/quote", g.quote)
	base := harness.ServeHTTP(mux)

	const site = "main.(*Gateway).quote"
	if variant == "leak" {
		impatient := &http.Client{Timeout: 300 * time.Millisecond}
		harness.Load(requests, 24, func(i int) {
			if resp, err := impatient.Get(base + "/quote?sku=" + strconv.Itoa(i)); err == nil {
				resp.Body.Close()
			}
		})
		harness.Fact("rule=http-client-no-timeout", site, "select", requests,
			"created_by=net/http.(*Server).Serve", "note=every caller hung up after 300 ms")
	} else {
		harness.StartChild("callers").Do(fmt.Sprintf("hold %d 0s %s/quote?sku={i}", requests, base))
		harness.Healthy()
		harness.Fact("role=background", site, "select", requests,
			"created_by=net/http.(*Server).Serve", "note=in flight within 30 s, callers connected")
	}
	harness.Fact("role=background", "main.(*Gateway).refresh", "chan receive", 1, "created_by=main.main")
	harness.Serve(debug)
}
