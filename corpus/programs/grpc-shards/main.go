// grpc-shards: an inventory gateway that routes each SKU to one of 50
// shards and holds one gRPC ClientConn per shard (client keepalive on, as in
// production), against two warehouse backends that serve 25 shards each in
// the same process. A short load through the HTTP front end, then the
// gateway sits idle. Healthy.
//
// Every ClientConn keeps grpc's connection management parked: the
// balancer wrapper's watcher (select), the addrConn's resetTransport waiting
// for its transport to close (chan receive on a channel closed only when
// the connection drops), the transport's reader (IO wait), loopy writer and
// keepalive loop; each server end adds its reader, loopy writer and
// keepalive loop. 50 of each, all created once at dial time by grpc itself.
package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"time"

	wrappers "github.com/golang/protobuf/ptypes/wrappers"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"gorleakcorpus/harness"
	"gorleakcorpus/programs/grpc-shards/inventorypb"
)

const (
	shards     = 50
	warehouses = 2
	frontConns = 4
)

// warehouse is one backend serving its shards' stock levels.
type warehouse struct{ name string }

func (w *warehouse) GetStock(ctx context.Context, sku *wrappers.StringValue) (*wrappers.Int64Value, error) {
	h := fnv.New32a()
	h.Write([]byte(w.name + sku.GetValue()))
	return &wrappers.Int64Value{Value: int64(h.Sum32() % 500)}, nil
}

func startWarehouse(name string) string {
	ln := harness.Listen()
	s := grpc.NewServer(grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Minute}))
	inventorypb.RegisterInventoryServer(s, &warehouse{name: name})
	hs := health.NewServer()
	hs.SetServingStatus("inventory.v1.Inventory", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	go s.Serve(ln)
	return ln.Addr().String()
}

// ShardRouter holds one client per shard.
type ShardRouter struct {
	conns   []*grpc.ClientConn
	clients []inventorypb.InventoryClient
}

func DialShards(ctx context.Context, addrs []string) (*ShardRouter, error) {
	r := &ShardRouter{}
	for i := 0; i < shards; i++ {
		addr := addrs[i%len(addrs)]
		cc, err := grpc.DialContext(ctx, addr,
			grpc.WithInsecure(), grpc.WithBlock(),
			grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 2 * time.Minute, Timeout: 20 * time.Second}))
		if err != nil {
			return nil, fmt.Errorf("shard %d (%s): %w", i, addr, err)
		}
		resp, err := healthpb.NewHealthClient(cc).Check(ctx, &healthpb.HealthCheckRequest{Service: "inventory.v1.Inventory"})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			return nil, fmt.Errorf("shard %d not serving: %v %v", i, resp.GetStatus(), err)
		}
		r.conns = append(r.conns, cc)
		r.clients = append(r.clients, inventorypb.NewInventoryClient(cc))
	}
	return r, nil
}

func (r *ShardRouter) For(sku string) inventorypb.InventoryClient {
	h := fnv.New32a()
	h.Write([]byte(sku))
	return r.clients[h.Sum32()%uint32(len(r.clients))]
}

type stockHandler struct{ router *ShardRouter }

func (h stockHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sku := r.URL.Query().Get("sku")
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	n, err := h.router.For(sku).GetStock(ctx, &wrappers.StringValue{Value: sku})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "%s: %d in stock\n", sku, n.GetValue())
}

func main() {
	debug := harness.Listen()
	var addrs []string
	for i := 0; i < warehouses; i++ {
		addrs = append(addrs, startWarehouse("warehouse-"+strconv.Itoa(i)))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	router, err := DialShards(ctx, addrs)
	cancel()
	harness.Must(err, "dial shards")

	ln := harness.Listen()
	go http.Serve(ln, stockHandler{router})
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: frontConns}}
	base := "http://" + ln.Addr().String() + "/stock?sku=SKU-"
	harness.Load(600, frontConns, func(i int) { harness.Get(client, base+strconv.Itoa(i)) })

	harness.Healthy()
	const grpcPkg, tr = "google.golang.org/grpc", "google.golang.org/grpc/internal/transport"
	harness.Fact("role=background", grpcPkg+".(*ccBalancerWrapper).watcher", "select", shards,
		"created_by="+grpcPkg+".newCCBalancerWrapper", "note=one per ClientConn")
	harness.Fact("role=background", grpcPkg+".(*addrConn).resetTransport", "chan receive", shards,
		"created_by="+grpcPkg+".(*addrConn).connect", "note=one per ClientConn: waits for its transport to close")
	harness.Fact("role=background", tr+".(*http2Client).reader", "IO wait", shards,
		"created_by="+tr+".newHTTP2Client", "note=client transport reader")
	harness.Fact("role=background", tr+".(*http2Client).keepalive", "select", shards,
		"created_by="+tr+".newHTTP2Client", "note=client keepalive (Time: 2m)")
	harness.Fact("role=background", loopy("newHTTP2Client"), "select", shards,
		"created_by="+tr+".newHTTP2Client", "note=client loopy writer")
	harness.Fact("role=background", tr+".(*http2Server).HandleStreams", "IO wait", shards,
		"created_by="+grpcPkg+".(*Server).handleRawConn", "note=server transport reader")
	harness.Fact("role=background", tr+".(*http2Server).keepalive", "select", shards,
		"created_by="+tr+".newHTTP2Server", "note=server keepalive")
	harness.Fact("role=background", loopy("newHTTP2Server"), "select", shards,
		"created_by="+tr+".newHTTP2Server", "note=server loopy writer")
	harness.Fact("role=background", grpcPkg+".(*Server).Serve", "IO wait", warehouses,
		"created_by=main.startWarehouse")
	harness.Serve(debug)
}

// loopy names the func literal that runs a transport's loopy writer: the
// entry frame of the goroutines its constructor creates that run
// (*loopyWriter).run (the literal's number depends on the grpc version).
func loopy(constructor string) string {
	want := "google.golang.org/grpc/internal/transport." + constructor
	for _, g := range harness.Goroutines() {
		if g.CreatedBy == want && g.Has("google.golang.org/grpc/internal/transport.(*loopyWriter).run") {
			return g.Funcs[len(g.Funcs)-1]
		}
	}
	harness.Fail("no loopy writer created by %s", want)
	return ""
}
