// svc-geo: a geocoding front end. GET /lookup?q=ADDR asks the upstream
// geocoder over HTTP, reads the whole answer and closes the body (a
// well-behaved caller). Clients connect from outside (raw connections, no
// client goroutines) and hang up when done.
//
//	leak:    lookup builds a new http.Client with its own http.Transport for
//	         every request (to set a dial timeout). Each transport keeps its
//	         connection idle for reuse, with no idle timeout, and is then
//	         dropped: 16 requests leave 16 idle connections, each a readLoop
//	         (IO wait) and a writeLoop (select), plus the upstream server's
//	         conn.serve per connection
//	healthy: one transport shared by all lookups: two idle connections
//	         (MaxIdleConnsPerHost's default)
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gorleakcorpus/harness"
)

const requests = 16

type Geocoder struct {
	upstream string
	shared   *http.Client // nil: one client per lookup
}

func (g *Geocoder) client() *http.Client {
	if g.shared != nil {
		return g.shared
	}
	return &http.Client{
		Timeout: 5 * time.Second,
		Transport: &http.Transport{
			DialContext: (&net.Dialer{Timeout: 2 * time.Second}).DialContext,
		},
	}
}

func (g *Geocoder) lookup(addr string) (string, error) {
	resp, err := g.client().Get(g.upstream + "/v1/geocode?q=" + url.QueryEscape(addr))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func (g *Geocoder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	loc, err := g.lookup(r.URL.Query().Get("q"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintln(w, loc)
}

func geocode(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	fmt.Fprintf(w, "%s: %.4f,%.4f\n", q, 48+float64(len(q))/100, 2+float64(len(q))/1000)
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	up := http.NewServeMux()
	up.HandleFunc("/v1/geocode", geocode)
	upLn, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen upstream")
	go http.Serve(upLn, up)

	g := &Geocoder{upstream: "http://" + upLn.Addr().String()}
	idle := requests
	if variant == "healthy" {
		g.shared = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{}}
		idle = 2
	}
	mux := http.NewServeMux()
	mux.Handle("/lookup", g)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	streets := []string{"1 Rue de Rivoli", "10 Downing St", "221B Baker St", "1600 Amphitheatre Pkwy", "Unter den Linden 77"}
	conns := harness.DialN(ln.Addr().String(), 8)
	harness.Load(len(conns), len(conns), func(k int) {
		for i := k; i < requests; i += len(conns) {
			if status, body := conns[k].Do("/lookup?q="+url.QueryEscape(streets[i%len(streets)]), ""); status != http.StatusOK {
				harness.Fail("lookup: %d %s", status, body)
			}
		}
	})
	for _, c := range conns {
		c.Close()
	}

	if variant == "leak" {
		harness.Fact("rule=http-transport-per-request", "net/http.(*persistConn).readLoop", "IO wait", requests,
			"units="+strconv.Itoa(requests), "caller=main.(*Geocoder).lookup",
			"note=one transport per request; 2 goroutines per transport (readLoop + writeLoop)")
		harness.Fact("role=companion", "net/http.(*persistConn).writeLoop", "select", requests)
		harness.Fact("role=companion", "net/http.(*conn).serve", "IO wait", requests,
			"note=the upstream's side of the idle connections")
	} else {
		harness.Healthy()
		harness.Fact("role=background", "net/http.(*persistConn).readLoop", "IO wait", idle,
			"note=idle keep-alive connections of the shared transport")
		harness.Fact("role=background", "net/http.(*persistConn).writeLoop", "select", idle)
		harness.Fact("role=background", "net/http.(*conn).serve", "IO wait", idle,
			"note=the upstream's side of the idle connections")
	}
	harness.Serve(debug)
}
