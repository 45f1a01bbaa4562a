// svc-chat: a line-based chat broker over raw TCP. Every connection gets a
// reader (main.(*Client).readPump, IO wait on the socket) and a writer
// (main.(*Client).writePump, which waits on the client's outbox, a
// sync.Cond-guarded queue, for messages to send). A hub goroutine fans
// messages out to every outbox. Clients are raw connections held by this
// process (no client goroutines).
//
//	healthy: phase busy: 200 clients connected and chatting: 200 writers
//	         in sync.Cond.Wait, each paired with its reader in IO wait. Live
//	         connections, not a leak. Phase quiet: 184 clients hang up; their
//	         readers close the outboxes and both goroutines of each exit, 16
//	         pairs stay (the SIGQUIT dump is of this phase).
//	leak:    48 clients connected, chatted and hung up. The reader sees EOF
//	         and unregisters the client but never closes its outbox, so the
//	         writer waits in sync.Cond.Wait forever with no reader beside it
//	         (cond-wait-forever, GC-provably leaked: nothing else references
//	         the outbox).
package main

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

// outbox is a client's queue of messages to send.
type outbox struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []string
	closed bool
}

func newOutbox() *outbox {
	o := &outbox{}
	o.cond = sync.NewCond(&o.mu)
	return o
}

func (o *outbox) push(msg string) {
	o.mu.Lock()
	o.queue = append(o.queue, msg)
	o.mu.Unlock()
	o.cond.Signal()
}

// next waits for a message; ok is false once the outbox is closed.
func (o *outbox) next() (msg string, ok bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for len(o.queue) == 0 && !o.closed {
		o.cond.Wait()
	}
	if len(o.queue) == 0 {
		return "", false
	}
	msg, o.queue = o.queue[0], o.queue[1:]
	return msg, true
}

func (o *outbox) Close() {
	o.mu.Lock()
	o.closed = true
	o.mu.Unlock()
	o.cond.Broadcast()
}

type Client struct {
	hub  *Hub
	conn net.Conn
	name string
	out  *outbox
}

func (c *Client) readPump() {
	buf := make([]byte, 4096)
	var pending string
	for {
		n, err := c.conn.Read(buf)
		if err != nil {
			c.hub.unregister(c)
			if c.hub.closeOutboxes {
				c.out.Close()
			}
			c.conn.Close()
			return
		}
		pending += string(buf[:n])
		for {
			i := strings.IndexByte(pending, '\n')
			if i < 0 {
				break
			}
			c.hub.broadcast <- c.name + ": " + pending[:i]
			pending = pending[i+1:]
		}
	}
}

func (c *Client) writePump() {
	for {
		msg, ok := c.out.next()
		if !ok {
			return
		}
		c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprintln(c.conn, msg); err != nil {
			return
		}
	}
}

type Hub struct {
	mu            sync.Mutex
	clients       map[*Client]bool
	broadcast     chan string
	closeOutboxes bool
	seq           int
}

func (h *Hub) run() {
	for msg := range h.broadcast {
		h.mu.Lock()
		for c := range h.clients {
			c.out.push(msg)
		}
		h.mu.Unlock()
	}
}

func (h *Hub) unregister(c *Client) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
}

func (h *Hub) serve(ln net.Listener) {
	for {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		h.mu.Lock()
		h.seq++
		c := &Client{hub: h, conn: conn, name: fmt.Sprintf("user%d", h.seq), out: newOutbox()}
		h.clients[c] = true
		h.mu.Unlock()
		go c.readPump()
		go c.writePump()
	}
}

func (h *Hub) size() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

const stay = 16 // clients still connected in the healthy variant's quiet phase

// clients are the far ends of the connections; a package variable, so the
// garbage collector does not close them behind the program's back.
var clients []net.Conn

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	hub := &Hub{clients: map[*Client]bool{}, broadcast: make(chan string), closeOutboxes: variant == "healthy"}
	go hub.run()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go hub.serve(ln)

	n := 200
	if variant == "leak" {
		n = 48
	}
	clients = make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	for i := range clients {
		c, err := net.Dial("tcp", ln.Addr().String())
		harness.Must(err, "dial")
		clients[i], readers[i] = c, bufio.NewReader(c)
	}
	for hub.size() < n {
		time.Sleep(10 * time.Millisecond)
	}
	// Everyone says hello; everyone hears everyone's.
	for i, c := range clients {
		fmt.Fprintf(c, "hello from %d\n", i)
	}
	for _, r := range readers {
		for j := 0; j < n; j++ {
			r.ReadString('\n')
		}
	}
	hubFacts := func() {
		harness.Fact("role=background", "main.(*Hub).run", "chan receive", 1, "created_by=main.main")
		harness.Fact("role=background", "main.(*Hub).serve", "IO wait", 1, "created_by=main.main", "note=accept loop")
	}
	live := func(n int) {
		harness.Healthy()
		harness.Fact("role=background", "main.(*outbox).next", "sync.Cond.Wait", n,
			"created_by=main.(*Hub).serve", "note=writers of live connections, each paired with its reader")
		harness.Fact("role=background", "main.(*Client).readPump", "IO wait", n,
			"created_by=main.(*Hub).serve", "note=readers of live connections")
		hubFacts()
	}
	if variant == "leak" {
		for _, c := range clients {
			c.Close()
		}
		harness.Fact("rule=cond-wait-forever", "main.(*outbox).next", "sync.Cond.Wait", n,
			"created_by=main.(*Hub).serve", "gc_leak=1",
			"note=writers of disconnected clients: no reader beside them, outbox never closed")
		harness.Fact("role=background", "main.(*Client).readPump", "IO wait", 0)
		hubFacts()
	} else {
		harness.Phases([]string{"busy", "quiet"}, map[string]func(){
			"busy": func() { live(n) },
			"quiet": func() {
				for _, c := range clients[stay:] {
					c.Close()
				}
				live(stay)
			},
		})
	}
	harness.Serve(debug)
}
