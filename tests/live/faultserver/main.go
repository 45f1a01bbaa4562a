// faultserver: a small real HTTP server that fails in the ways a pprof
// endpoint can fail, for gorleak's URL tests (tests/test_fetch.cpp), plus a
// client (`faultserver get URL`) that tests use as a probe's load command.
//
//	faultserver [-dump FILE] [-tls CERT,KEY] [-pprof] [-deep N -depth D] [-lifetime 2m]
//	faultserver get URL
//
// It listens on 127.0.0.1:0, prints "GORLEAK-READY addr=127.0.0.1:PORT" and
// serves until -lifetime ends. Under /fault/ (FILE is -dump):
//
//	/fault/dump             FILE, text/plain, streamed in 32 KiB writes
//	/fault/status?code=N    status N with a one-line body
//	/fault/html, /fault/json  a 200 page that is not a dump
//	/fault/empty            200, no body
//	/fault/cut?at=N         the first N bytes of FILE, then the connection is dropped
//	/fault/stall?after=N    N bytes, then nothing (until the client leaves or 60 s)
//	/fault/trickle?every=D  FILE, 64 bytes every D (a Go duration)
//	/fault/gzip             FILE with Content-Encoding: gzip
//	/fault/gzipfile         FILE gzipped, served as a file (application/gzip)
//	/fault/redirect?to=P    302 to P;  /fault/loop redirects to itself
//	/fault/generate?bytes=N a generated debug=2 dump of N bytes (streamed, never held)
//
// -pprof also serves net/http/pprof; -deep parks N goroutines D frames deep
// in main.deep (their debug=2 dump passes Go's 64 MiB limit) and prints
// "GORLEAK-EXPECT deep=N".
package main

import (
	"bytes"
	"compress/gzip"
	"crypto/tls"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"strconv"
	"strings"
	"time"
)

var dump []byte

func main() {
	if len(os.Args) == 3 && os.Args[1] == "get" {
		os.Exit(get(os.Args[2]))
	}
	dumpPath := flag.String("dump", "", "dump file served under /fault/")
	tlsPair := flag.String("tls", "", "CERT,KEY: serve HTTPS")
	withPprof := flag.Bool("pprof", false, "serve net/http/pprof")
	deepN := flag.Int("deep", 0, "goroutines parked deep")
	depth := flag.Int("depth", 100, "frames of main.deep per parked goroutine")
	lifetime := flag.Duration("lifetime", 2*time.Minute, "exit after this long")
	flag.Parse()
	if *dumpPath != "" {
		var err error
		if dump, err = os.ReadFile(*dumpPath); err != nil {
			fmt.Println("GORLEAK-ERROR", err)
			os.Exit(1)
		}
	}
	mux := http.NewServeMux()
	fault(mux)
	if *withPprof {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
	}
	if *deepN > 0 {
		parked := make(chan struct{}, *deepN)
		for i := 0; i < *deepN; i++ {
			go deep(*depth, 1<<40, 2<<40, 3<<40, 4<<40, 5<<40, 6<<40, 7<<40, 8<<40, parked)
		}
		for i := 0; i < *deepN; i++ {
			<-parked
		}
		fmt.Printf("GORLEAK-EXPECT deep=%d site=main.deep\n", *deepN)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println("GORLEAK-ERROR", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: mux}
	if *tlsPair != "" {
		parts := strings.SplitN(*tlsPair, ",", 2)
		cert, err := tls.LoadX509KeyPair(parts[0], parts[1])
		if err != nil {
			fmt.Println("GORLEAK-ERROR", err)
			os.Exit(1)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	time.AfterFunc(*lifetime, func() { os.Exit(0) })
	fmt.Printf("GORLEAK-READY addr=%s\n", ln.Addr())
	srv.Serve(ln)
}

var block = make(chan struct{})

// deep recurses n frames, then parks for good. The arguments make each
// frame's line long, so fewer goroutines pass 64 MiB (Go's traceback is
// slow per frame, not per byte).
//
//go:noinline
func deep(n, a, b, c, d, e, f, g, h int, parked chan<- struct{}) {
	if n > 1 {
		deep(n-1, a+1, b+1, c+1, d+1, e+1, f+1, g+1, h+1, parked)
		return
	}
	parked <- struct{}{}
	<-block
}

func fault(mux *http.ServeMux) {
	mux.HandleFunc("/fault/dump", func(w http.ResponseWriter, r *http.Request) { stream(w, dump, 32<<10, 0) })
	mux.HandleFunc("/fault/status", func(w http.ResponseWriter, r *http.Request) {
		code, _ := strconv.Atoi(r.URL.Query().Get("code"))
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(code)
		fmt.Fprintf(w, "%s: fault server says no\n", http.StatusText(code))
	})
	mux.HandleFunc("/fault/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n<body><form>user <input name=u></form></body></html>\n")
	})
	mux.HandleFunc("/fault/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "{\"error\": \"upstream unavailable\", \"code\": 503}\n")
	})
	mux.HandleFunc("/fault/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/fault/cut", func(w http.ResponseWriter, r *http.Request) {
		at, _ := strconv.Atoi(r.URL.Query().Get("at"))
		stream(w, dump[:at], 32<<10, 0)
		panic(http.ErrAbortHandler) // drops the connection: no end of the chunked body
	})
	mux.HandleFunc("/fault/stall", func(w http.ResponseWriter, r *http.Request) {
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		stream(w, dump[:after], 32<<10, 0)
		select {
		case <-r.Context().Done():
		case <-time.After(60 * time.Second):
		}
	})
	mux.HandleFunc("/fault/trickle", func(w http.ResponseWriter, r *http.Request) {
		every, _ := time.ParseDuration(r.URL.Query().Get("every"))
		stream(w, dump, 64, every)
	})
	mux.HandleFunc("/fault/gzip", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gzipped(dump))
	})
	mux.HandleFunc("/fault/gzipfile", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/gzip")
		w.Write(gzipped(dump))
	})
	mux.HandleFunc("/fault/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Query().Get("to"), http.StatusFound)
	})
	mux.HandleFunc("/fault/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/fault/loop", http.StatusFound)
	})
	mux.HandleFunc("/fault/generate", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.ParseInt(r.URL.Query().Get("bytes"), 10, 64)
		generate(w, n)
	})
}

// stream writes data in pieces of `piece` bytes, flushing each, `every` apart.
func stream(w http.ResponseWriter, data []byte, piece int, every time.Duration) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	f, _ := w.(http.Flusher)
	for len(data) > 0 {
		k := piece
		if k > len(data) {
			k = len(data)
		}
		if _, err := w.Write(data[:k]); err != nil {
			return
		}
		if f != nil {
			f.Flush()
		}
		data = data[k:]
		if every > 0 {
			time.Sleep(every)
		}
	}
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(data)
	z.Close()
	return b.Bytes()
}

// generate writes a debug=2 dump of exactly n bytes (the last goroutine is
// cut where n ends): 16 stacks in rotation, so a reader's memory is tested
// against size, not variety.
func generate(w http.ResponseWriter, n int64) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	var buf bytes.Buffer
	var written int64
	for id := 1; written < n; id++ {
		buf.Reset()
		k := id % 16
		fmt.Fprintf(&buf, "goroutine %d [chan receive, %d minutes]:\n", id, id%60)
		fmt.Fprintf(&buf, "main.worker%d(0xc000%06x)\n\t/src/app/worker.go:%d +0x%x\n", k, id%0xffffff, 40+k, 0x40+k)
		fmt.Fprintf(&buf, "main.pool.func%d()\n\t/src/app/pool.go:%d +0x29\n", k, 20+k)
		fmt.Fprintf(&buf, "created by main.start in goroutine 1\n\t/src/app/pool.go:%d +0x55\n\n", 18+k)
		if rest := n - written; int64(buf.Len()) > rest {
			buf.Truncate(int(rest))
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return
		}
		written += int64(buf.Len())
	}
}

// get fetches url and copies the body to stdout; exit 1 unless 200.
func get(url string) int {
	c := &http.Client{Timeout: 60 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer resp.Body.Close()
	io.Copy(os.Stdout, resp.Body)
	if resp.StatusCode != 200 {
		fmt.Fprintln(os.Stderr, resp.Status)
		return 1
	}
	return 0
}
