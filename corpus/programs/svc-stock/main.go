// svc-stock: a shop's stock service. POST-like GET /refresh?sku=S answers
// at once and refreshes the item's stock in the background: a goroutine per
// request dials the inventory daemon, sends one line and reads the reply
// line over raw TCP. The daemon (another machine in production; a
// listener in this process here) has hung: it accepts and never answers.
//
//	leak:    the reply is read with no deadline: 120 refreshes wait in IO
//	         wait at (*Inventory).refresh for good, one per request
//	healthy: the read has a 30 s deadline; the dump is taken while the 120
//	         refreshes are still waiting, in the same frames, and every one
//	         of them ends at its deadline
package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const refreshes = 120

type Inventory struct {
	addr     string
	deadline time.Duration // 0: none
	mu       sync.Mutex
	stock    map[string]int
}

// refresh asks the daemon for an item's stock and records the answer.
func (inv *Inventory) refresh(sku string) {
	conn, err := net.DialTimeout("tcp", inv.addr, 2*time.Second)
	if err != nil {
		return
	}
	defer conn.Close()
	if inv.deadline > 0 {
		conn.SetReadDeadline(time.Now().Add(inv.deadline))
	}
	fmt.Fprintf(conn, "STOCK %s\n", sku)
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return
	}
	n, _ := strconv.Atoi(line[:len(line)-1])
	inv.mu.Lock()
	inv.stock[sku] = n
	inv.mu.Unlock()
}

// hungDaemon accepts connections and holds them without a word.
func hungDaemon(ln net.Listener) {
	var held []net.Conn
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		held = append(held, c)
	}
}

type Server struct{ inv *Inventory }

func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	go s.inv.refresh(r.URL.Query().Get("sku"))
	io.WriteString(w, "refresh queued\n")
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	daemon := harness.Listen()
	go hungDaemon(daemon)
	inv := &Inventory{addr: daemon.Addr().String(), stock: map[string]int{}}
	if variant == "healthy" {
		inv.deadline = 30 * time.Second
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/refresh", (&Server{inv: inv}).refresh)
	base := harness.ServeHTTP(mux)
	harness.LoadGets(refreshes, 8, func(i int) string { return base + "/refresh?sku=sku-" + strconv.Itoa(i) })

	if variant == "leak" {
		harness.Fact("rule=net-read-no-deadline", "main.(*Inventory).refresh", "IO wait", refreshes,
			"created_by=main.(*Server).refresh")
	} else {
		harness.Healthy()
		harness.Fact("role=background", "main.(*Inventory).refresh", "IO wait", refreshes,
			"created_by=main.(*Server).refresh", "note=in flight until their 30 s deadline")
	}
	harness.Fact("role=background", "main.hungDaemon", "IO wait", 1, "created_by=main.main")
	harness.Serve(debug)
}
