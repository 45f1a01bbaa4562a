// svc-mirror: a package mirror. POST /sync?pkg=P answers 202 at once and
// starts a background fetch of P from the origin (one goroutine per
// request, main.(*Mirror).fetch). The origin streams each 16 MiB package
// slowly: it sends the headers and the first 32 KiB, then waits for its
// storage before sending the rest (16 MiB in all).
//
// Phases:
//
//	loaded: 10 downloads in progress. healthy: every fetch is visibly
//	        reading its body (IO wait under io.Copy in main.(*Mirror).fetch)
//	        while its connection's readLoop waits in select for the body to
//	        be consumed: live downloads, not unread bodies. leak: the mirror
//	        already has a package's checksum and returns on the "unchanged"
//	        path without closing the body: the readLoops wait for a reader
//	        that is gone (10 bodies, 2 goroutines each: readLoop + writeLoop).
//	after:  the origin's storage answers. healthy: every download completes,
//	        two connections stay idle in the pool. leak: the 10 readLoops and
//	        writeLoops stay, and the origin's handlers block writing the rest
//	        of the bodies (IO wait).
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	downloads = 10
	pkgSize   = 16 << 20 // more than the loopback socket buffers hold
	firstPart = 32 << 10
)

// Origin serves package files, throttled by its storage.
type Origin struct {
	mu      sync.Mutex
	storage chan struct{} // closed when the rest of every file can be read
}

func (o *Origin) serveFile(w http.ResponseWriter, r *http.Request) {
	chunk := bytes.Repeat([]byte(r.URL.Path), 64<<10/len(r.URL.Path)+1)[:64<<10]
	w.Header().Set("Content-Length", strconv.Itoa(pkgSize))
	w.Header().Set("X-Checksum", fmt.Sprintf("%x", sha256.Sum256([]byte(r.URL.Path))))
	w.Write(chunk[:firstPart])
	w.(http.Flusher).Flush()
	o.mu.Lock()
	storage := o.storage
	o.mu.Unlock()
	select {
	case <-storage:
	case <-r.Context().Done():
		return
	}
	for left := pkgSize - firstPart; left > 0; left -= len(chunk) {
		if left < len(chunk) {
			chunk = chunk[:left]
		}
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

type Mirror struct {
	client    *http.Client
	origin    string
	mu        sync.Mutex
	checksums map[string]string
	sizes     map[string]int64
	done      sync.WaitGroup
}

// fetch refreshes one package from the origin.
func (m *Mirror) fetch(pkg string) {
	defer m.done.Done()
	resp, err := m.client.Get(m.origin + "/files/" + pkg)
	if err != nil {
		return
	}
	m.mu.Lock()
	known := m.checksums[pkg]
	m.mu.Unlock()
	if known != "" && resp.Header.Get("X-Checksum") == known {
		return // unchanged: the body is never read nor closed
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return
	}
	m.mu.Lock()
	m.checksums[pkg] = resp.Header.Get("X-Checksum")
	m.sizes[pkg] = n
	m.mu.Unlock()
}

func (m *Mirror) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	pkg := r.URL.Query().Get("pkg")
	m.done.Add(1)
	go m.fetch(pkg)
	w.WriteHeader(http.StatusAccepted)
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()

	origin := &Origin{storage: make(chan struct{})}
	omux := http.NewServeMux()
	omux.HandleFunc("/files/", origin.serveFile)
	oln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen origin")
	go http.Serve(oln, omux)

	m := &Mirror{client: &http.Client{}, origin: "http://" + oln.Addr().String(),
		checksums: map[string]string{}, sizes: map[string]int64{}}
	pkgs := make([]string, downloads)
	for i := range pkgs {
		pkgs[i] = fmt.Sprintf("libfoo-%d.2.%d.tar.gz", i%4, i)
		if variant == "leak" { // checksums from an earlier sync
			m.checksums[pkgs[i]] = fmt.Sprintf("%x", sha256.Sum256([]byte("/files/"+pkgs[i])))
		}
	}
	mux := http.NewServeMux()
	mux.Handle("/sync", m)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{}}
	base := "http://" + ln.Addr().String()

	harness.Phases([]string{"loaded", "after"}, map[string]func(){
		"loaded": func() {
			harness.Load(downloads, 4, func(i int) {
				resp, err := client.Post(base+"/sync?pkg="+pkgs[i], "text/plain", nil)
				harness.Must(err, "POST /sync")
				resp.Body.Close()
			})
			client.CloseIdleConnections() // the load's own, not the mirror's
			if variant == "leak" {
				harness.Fact("rule=unclosed-response-body", "net/http.(*persistConn).readLoop", "select", downloads,
					"units="+strconv.Itoa(downloads), "caller=main.(*Mirror).fetch", "note=2 goroutines per body: readLoop + writeLoop")
				harness.Fact("role=companion", "net/http.(*persistConn).writeLoop", "select", downloads)
			} else {
				harness.Healthy()
				harness.Fact("role=background", "main.(*Mirror).fetch", "IO wait", downloads,
					"created_by=main.(*Mirror).ServeHTTP", "note=downloads in progress, reading the body in io.Copy")
				harness.Fact("role=background", "net/http.(*persistConn).readLoop", "select", downloads,
					"note=waiting for the body to be read: its reader is busy in main.(*Mirror).fetch")
				harness.Fact("role=background", "net/http.(*persistConn).writeLoop", "select", downloads)
			}
			harness.Fact("role=background", "main.(*Origin).serveFile", "select", downloads,
				"note=origin handlers waiting for their storage")
		},
		"after": func() {
			origin.mu.Lock()
			close(origin.storage)
			origin.mu.Unlock()
			if variant == "leak" {
				harness.Fact("rule=unclosed-response-body", "net/http.(*persistConn).readLoop", "select", downloads,
					"units="+strconv.Itoa(downloads), "caller=main.(*Mirror).fetch", "note=2 goroutines per body: readLoop + writeLoop")
				harness.Fact("role=companion", "net/http.(*persistConn).writeLoop", "select", downloads)
				harness.Fact("role=companion", "main.(*Origin).serveFile", "IO wait", downloads,
					"note=origin handlers blocked writing bodies nobody reads")
				return
			}
			m.done.Wait()
			harness.Healthy()
			harness.Fact("role=background", "main.(*Mirror).fetch", "IO wait", 0)
			harness.Fact("role=background", "net/http.(*persistConn).readLoop", "IO wait", 2,
				"note=idle keep-alive connections (MaxIdleConnsPerHost 2)")
			harness.Fact("role=background", "net/http.(*persistConn).writeLoop", "select", 2)
			harness.Fact("role=background", "main.(*Origin).serveFile", "select", 0)
		},
	})
	harness.Serve(debug)
}
