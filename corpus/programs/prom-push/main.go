// prom-push: a data-export service that reports each export's metrics to a
// Prometheus Pushgateway (client_golang's push package). POST /exports
// answers 202 and runs the export in a goroutine, which ends by pushing
// the export's duration and row count.
//
// leak: the Pushgateway hangs (accepts connections, never answers) and the
// pusher is given an http.Client without a timeout: every export's push
// waits forever in net/http under push.(*Pusher).Push, with its
// connection's readLoop and writeLoop: 3 goroutines per export, 109 exports.
// healthy: a client with a 5 s timeout against a gateway that answers.
// The gateway is a separate process (this program re-executed), so the
// dumps show only the service.
package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/push"

	"gorleakcorpus/harness"
)

const (
	exports    = 109
	frontConns = 2
)

type ExportService struct {
	gateway string
	client  *http.Client
	done    sync.WaitGroup
}

func (s *ExportService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	s.done.Add(1)
	go s.runExport(id)
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, "export %s started\n", id)
}

func (s *ExportService) runExport(id string) {
	defer s.done.Done()
	start := time.Now()
	rows := 1000 + len(id)*37 // the export itself
	s.publishMetrics(id, time.Since(start), rows)
}

// publishMetrics pushes the export's metrics, grouped by export id.
func (s *ExportService) publishMetrics(id string, took time.Duration, rows int) {
	duration := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "export_duration_seconds", Help: "How long the export took.",
	})
	duration.Set(took.Seconds())
	exported := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "export_rows", Help: "Rows written by the export.",
	})
	exported.Set(float64(rows))
	err := push.New(s.gateway, "data_export").
		Collector(duration).Collector(exported).
		Grouping("export", id).
		Client(s.client).
		Push()
	if err != nil {
		fmt.Println("push failed:", err)
	}
}

// gateway runs in the child process: "hung" starts a Pushgateway that
// accepts and never answers, "ok" one that answers 200; both reply with
// the address.
func gateway(cmd string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "error " + err.Error()
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
	})
	if cmd == "hung" {
		h = func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	}
	go http.Serve(ln, h)
	return ln.Addr().String()
}

func main() {
	harness.Child(map[string]func(string) string{"gateway": gateway})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()

	svc := &ExportService{client: &http.Client{}}
	gw := harness.StartChild("gateway")
	if variant == "leak" {
		svc.gateway = "http://" + gw.Do("hung")
	} else {
		svc.gateway = "http://" + gw.Do("ok")
		svc.client = &http.Client{Timeout: 5 * time.Second}
	}

	ln := harness.Listen()
	go http.Serve(ln, svc)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: frontConns}}
	url := "http://" + ln.Addr().String() + "/exports?id=exp-"
	harness.Load(exports, frontConns, func(i int) { harness.Get(client, url+strconv.Itoa(i)) })
	client.CloseIdleConnections()

	const site = "main.(*ExportService).publishMetrics"
	if variant == "leak" {
		harness.Fact("rule=http-client-no-timeout", site, "select", exports,
			"units="+strconv.Itoa(exports), "created_by=main.(*ExportService).ServeHTTP",
			"library=github.com/prometheus/client_golang/prometheus/push.(*Pusher).Push",
			"note=3 goroutines per push: this caller, its connection's readLoop and writeLoop")
		harness.Fact("role=companion", "net/http.(*persistConn).readLoop", "IO wait", exports,
			"created_by=net/http.(*Transport).dialConn", "note=waiting for the gateway's answer")
		harness.Fact("role=companion", "net/http.(*persistConn).writeLoop", "select", exports,
			"created_by=net/http.(*Transport).dialConn")
	} else {
		svc.done.Wait()
		harness.Healthy()
		harness.Fact("role=background", site, "", 0)
		harness.Fact("role=background", "net/http.(*persistConn).readLoop", "IO wait", 2,
			"created_by=net/http.(*Transport).dialConn", "note=idle keep-alive connections to the gateway (MaxIdleConnsPerHost 2)")
		harness.Fact("role=background", "net/http.(*persistConn).writeLoop", "select", 2,
			"created_by=net/http.(*Transport).dialConn")
	}
	harness.Serve(debug)
}
