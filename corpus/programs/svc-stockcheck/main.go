// svc-stockcheck: a storefront API. GET /stock?wh=W&sku=S asks warehouse W
// (gRPC, a backend in a process of its own) for the stock of S. The
// warehouses' addresses come from a directory; each warehouse has its own
// address, so the handler needs a client connection for W.
//
//	leak:    the handler dials W on every request and closes the
//	         connection only on its error path: each of 120 requests leaves
//	         a grpc.ClientConn open, with its balancer watcher (select,
//	         created by grpc.newCCBalancerWrapper in the handler), its
//	         addrConn waiting for the transport to close, and the
//	         transport's reader, loopy writer and keepalive loop.
//	healthy: connections are cached per warehouse, dialed by the first
//	         request that needs one: 40 warehouses, 40 ClientConns for the
//	         life of the process, started lazily from handlers (the same
//	         frames and creators), however many requests come.
//
// The RPC types are grpc-shards' inventory service.
package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	wrappers "github.com/golang/protobuf/ptypes/wrappers"
	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"

	"gorleakcorpus/harness"
	"gorleakcorpus/programs/grpc-shards/inventorypb"
)

const (
	requests   = 120
	warehouses = 40
)

type warehouse struct{}

func (warehouse) GetStock(ctx context.Context, sku *wrappers.StringValue) (*wrappers.Int64Value, error) {
	h := fnv.New32a()
	h.Write([]byte(sku.GetValue()))
	return &wrappers.Int64Value{Value: int64(h.Sum32() % 500)}, nil
}

// backends is the warehouses' process: "serve N" starts N gRPC servers and
// answers their addresses, space-separated.
func backends(cmd string) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(cmd, "serve "))
	var addrs []string
	for i := 0; i < n; i++ {
		ln := harness.Listen()
		s := grpc.NewServer(grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Minute}))
		inventorypb.RegisterInventoryServer(s, warehouse{})
		go s.Serve(ln)
		addrs = append(addrs, ln.Addr().String())
	}
	return strings.Join(addrs, " ")
}

type Storefront struct {
	directory []string // warehouse addresses
	cached    bool
	mu        sync.Mutex
	conns     map[string]*grpc.ClientConn
}

func (s *Storefront) dial(ctx context.Context, addr string) (*grpc.ClientConn, error) {
	return grpc.DialContext(ctx, addr, grpc.WithInsecure(), grpc.WithBlock(),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 2 * time.Minute, Timeout: 20 * time.Second}))
}

// conn returns a connection to addr: a new one per call (leak), or the
// cached one (healthy).
func (s *Storefront) conn(ctx context.Context, addr string) (*grpc.ClientConn, error) {
	if !s.cached {
		return s.dial(ctx, addr)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cc, ok := s.conns[addr]; ok {
		return cc, nil
	}
	cc, err := s.dial(ctx, addr)
	if err == nil {
		s.conns[addr] = cc
	}
	return cc, err
}

func (s *Storefront) stock(w http.ResponseWriter, r *http.Request) {
	wh, _ := strconv.Atoi(r.URL.Query().Get("wh"))
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	cc, err := s.conn(ctx, s.directory[wh%len(s.directory)])
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	n, err := inventorypb.NewInventoryClient(cc).GetStock(ctx, &wrappers.StringValue{Value: r.URL.Query().Get("sku")})
	if err != nil {
		if !s.cached {
			cc.Close()
		}
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "%d in stock\n", n.GetValue())
}

func main() {
	harness.Child(map[string]func(string) string{"warehouses": backends})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	n := requests
	if variant == "healthy" {
		n = warehouses
	}
	s := &Storefront{
		directory: strings.Fields(harness.StartChild("warehouses").Do(fmt.Sprintf("serve %d", n))),
		cached:    variant == "healthy",
		conns:     map[string]*grpc.ClientConn{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/stock", s.stock)
	base := harness.ServeHTTP(mux)
	// Every request goes to another warehouse; the healthy twin's 40 each
	// get three.
	harness.LoadGets(requests, 6, func(i int) string {
		return fmt.Sprintf("%s/stock?wh=%d&sku=SKU-%d", base, i, i)
	})

	const grpcPkg = "google.golang.org/grpc"
	conns := requests
	if variant == "healthy" {
		conns = warehouses
		harness.Healthy()
		harness.Fact("role=background", grpcPkg+".(*ccBalancerWrapper).watcher", "select", conns,
			"created_by="+grpcPkg+".newCCBalancerWrapper", "note=one per cached ClientConn, dialed lazily by handlers")
	} else {
		harness.Fact("rule=grpc-conn-not-closed", grpcPkg+".(*ccBalancerWrapper).watcher", "select", conns,
			"created_by="+grpcPkg+".newCCBalancerWrapper", "note=one per request: the ClientConn is never closed")
	}
	harness.Fact("role=companion", grpcPkg+".(*addrConn).resetTransport", "chan receive", conns,
		"created_by="+grpcPkg+".(*addrConn).connect", "note=one per ClientConn")
	harness.Serve(debug)
}
