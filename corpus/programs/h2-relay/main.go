// h2-relay: a webhook relay. POST /events answers 202 and delivers the
// event in a goroutine to a subscriber's endpoint over HTTP/2 (cleartext
// h2c, golang.org/x/net/http2's Transport), one multiplexed connection for
// all deliveries.
//
// leak: the subscriber hangs (never answers) and deliveries carry no
// timeout or deadline: each one waits forever in the HTTP/2 client stream,
// as 2 goroutines (the caller in (*ClientConn).RoundTrip and the stream's
// doRequest goroutine waiting for the peer to close the stream); 113
// events. healthy: each delivery has a 3 s deadline and the subscriber
// answers. The subscriber runs in a separate process (this program
// re-executed), so the dumps show only the relay.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/h2c"

	"gorleakcorpus/harness"
)

const events = 113

type Relay struct {
	endpoint  string
	client    *http.Client
	deadlines bool // the fix
	inflight  sync.WaitGroup
}

func (rl *Relay) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rl.inflight.Add(1)
	go rl.deliver(body)
	w.WriteHeader(http.StatusAccepted)
}

// deliver posts one event to the subscriber.
func (rl *Relay) deliver(event []byte) {
	defer rl.inflight.Done()
	ctx := context.Background()
	if rl.deadlines {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rl.endpoint, bytes.NewReader(event))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := rl.client.Do(req)
	if err != nil {
		fmt.Println("delivery failed:", err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

// subscriber runs in the child process: "hung" serves h2c and never
// answers, "ok" answers 204; both reply with the address.
func subscriber(cmd string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "error " + err.Error()
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusNoContent)
	})
	if cmd == "hung" {
		h = func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	}
	go http.Serve(ln, h2c.NewHandler(h, &http2.Server{}))
	return ln.Addr().String()
}

func main() {
	harness.Child(map[string]func(string) string{"subscriber": subscriber})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()

	sub := harness.StartChild("subscriber")
	mode := "ok"
	if variant == "leak" {
		mode = "hung"
	}
	h2 := &http2.Transport{
		AllowHTTP: true, // h2c: HTTP/2 over plain TCP
		DialTLSContext: func(ctx context.Context, network, addr string, _ *tls.Config) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
	relay := &Relay{endpoint: "http://" + sub.Do(mode) + "/hooks/orders", client: &http.Client{Transport: h2}, deadlines: variant == "healthy"}

	ln := harness.Listen()
	go http.Serve(ln, relay)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	url := "http://" + ln.Addr().String() + "/events"
	harness.Load(events, 2, func(i int) {
		resp, err := client.Post(url, "application/json", bytes.NewBufferString(`{"order":`+strconv.Itoa(i)+`}`))
		harness.Must(err, "post event")
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	})
	client.CloseIdleConnections()

	const site = "main.(*Relay).deliver"
	if variant == "leak" {
		harness.Fact("rule=http2-client-no-timeout", site, "select", events,
			"units="+strconv.Itoa(events), "created_by=main.(*Relay).ServeHTTP",
			"library=golang.org/x/net/http2.(*Transport).RoundTrip",
			"note=2 goroutines per request: this caller in (*ClientConn).RoundTrip and the stream's doRequest")
		harness.Fact("role=companion", "golang.org/x/net/http2.(*clientStream).doRequest", "select", events,
			"created_by=golang.org/x/net/http2.(*ClientConn).RoundTrip", "note=waits for the peer to end the stream")
	} else {
		relay.inflight.Wait()
		harness.Healthy()
		harness.Fact("role=background", site, "", 0)
	}
	harness.Fact("role=background", "golang.org/x/net/http2.(*ClientConn).readLoop", "IO wait", 1,
		"created_by=golang.org/x/net/http2.(*Transport).newClientConn", "note=the one multiplexed connection")
	harness.Serve(debug)
}
