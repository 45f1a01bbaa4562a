// ws-hub: a live-notification server on gorilla/websocket, the hub of the
// library's chat example as services copy it: one (*Hub).run goroutine and,
// per connection, a readPump and a writePump (pinging every 5 s). The
// clients are a separate process (this program re-executed as a "fleet"),
// so the dumps show only the server, as in production.
//
// Phases: idle = 50 live subscribers that answer pings; loaded = 64 more
// browser tabs connect; after = those 64 peers vanish without closing
// (they stop reading and writing but keep the TCP connection: a laptop lid
// closed, a NAT entry dropped).
//
// leak: readPump sets no read deadline, so a dead peer's readPump waits in
// ReadMessage (IO wait) forever and its writePump keeps pinging into the
// kernel buffer: 2 goroutines per dead peer stay.
// healthy: readPump sets a read deadline (8 s) and extends it in a pong
// handler; the dead peers miss their pongs and both pumps exit. The 50 live
// subscribers stay in both.
package main

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"gorleakcorpus/harness"
)

const (
	liveSubscribers = 50
	tabs            = 64
	writeWait       = 2 * time.Second
	pongWait        = 8 * time.Second
	pingPeriod      = 5 * time.Second
)

// ---- the server --------------------------------------------------------------

type Hub struct {
	clients       map[*Client]bool
	broadcast     chan []byte
	register      chan *Client
	unregister    chan *Client
	readDeadlines bool
}

func newHub(readDeadlines bool) *Hub {
	return &Hub{
		clients:       map[*Client]bool{},
		broadcast:     make(chan []byte),
		register:      make(chan *Client),
		unregister:    make(chan *Client),
		readDeadlines: readDeadlines,
	}
}

func (h *Hub) run() {
	for {
		select {
		case c := <-h.register:
			h.clients[c] = true
		case c := <-h.unregister:
			if h.clients[c] {
				delete(h.clients, c)
				close(c.send)
			}
		case msg := <-h.broadcast:
			for c := range h.clients {
				select {
				case c.send <- msg:
				default:
					delete(h.clients, c)
					close(c.send)
				}
			}
		}
	}
}

type Client struct {
	hub  *Hub
	conn *websocket.Conn
	send chan []byte
}

func (c *Client) readPump() {
	defer func() {
		c.hub.unregister <- c
		c.conn.Close()
	}()
	c.conn.SetReadLimit(4096)
	if c.hub.readDeadlines {
		c.conn.SetReadDeadline(time.Now().Add(pongWait))
		c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(pongWait)) })
	}
	for {
		_, msg, err := c.conn.ReadMessage()
		if err != nil {
			return
		}
		c.hub.broadcast <- msg
	}
}

func (c *Client) writePump() {
	ticker := time.NewTicker(pingPeriod)
	defer func() {
		ticker.Stop()
		c.conn.Close()
	}()
	for {
		select {
		case msg, ok := <-c.send:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if !ok {
				c.conn.WriteMessage(websocket.CloseMessage, []byte{})
				return
			}
			if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
				return
			}
		case <-ticker.C:
			c.conn.SetWriteDeadline(time.Now().Add(writeWait))
			if err := c.conn.WriteMessage(websocket.PingMessage, nil); err != nil {
				return
			}
		}
	}
}

var upgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}

func serveWs(hub *Hub, w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	client := &Client{hub: hub, conn: conn, send: make(chan []byte, 256)}
	hub.register <- client
	go client.writePump()
	go client.readPump()
}

// ---- the client fleet (a child process) ---------------------------------------

// fleet serves the child's commands: "live N URL" (N subscribers that read
// and so answer pings), "tabs N URL" (N more that answer pings until told
// otherwise), "vanish" (the tabs stop answering: their readers park in the
// ping handler and the sockets stay open).
func fleet() func(cmd string) string {
	var gate sync.Mutex // locked for good when the tabs vanish
	return func(cmd string) string {
		f := strings.Fields(cmd)
		if f[0] == "vanish" {
			gate.Lock()
			return "ok"
		}
		n, _ := strconv.Atoi(f[1])
		for i := 0; i < n; i++ {
			c, _, err := websocket.DefaultDialer.Dial(f[2], nil)
			if err != nil {
				return "error " + err.Error()
			}
			if f[0] == "tabs" {
				c.SetPingHandler(func(data string) error {
					gate.Lock()
					gate.Unlock()
					return c.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait))
				})
			}
			go func() {
				for {
					if _, _, err := c.ReadMessage(); err != nil {
						return
					}
				}
			}()
		}
		return "ok"
	}
}

func main() {
	harness.Child(map[string]func(string) string{"fleet": fleet()})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	hub := newHub(variant == "healthy")
	go hub.run()
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) { serveWs(hub, w, r) })
	ln := harness.Listen()
	go http.Serve(ln, mux)
	f := harness.StartChild("fleet")
	url := "ws://" + ln.Addr().String() + "/ws"

	facts := func(open, dead int) {
		if variant == "leak" && dead == 0 {
			// No rule line yet: the live subscribers share the site.
			harness.Fact("role=background", "main.(*Client).readPump", "IO wait", open,
				"created_by=main.serveWs", "note=live subscribers")
		} else if variant == "leak" {
			harness.Fact("rule=websocket-no-read-deadline", "main.(*Client).readPump", "IO wait", open,
				"units="+strconv.Itoa(dead), "created_by=main.serveWs",
				"library=github.com/gorilla/websocket.(*Conn).ReadMessage",
				fmt.Sprintf("note=%d dead peers + %d live subscribers (same frames)", dead, open-dead))
		} else {
			harness.Healthy()
			harness.Fact("role=background", "main.(*Client).readPump", "IO wait", open,
				"created_by=main.serveWs", "note=live subscribers")
		}
		harness.Fact("role=companion", "main.(*Client).writePump", "select", open, "created_by=main.serveWs",
			"note=one per open connection; pings every 5s")
		harness.Fact("role=background", "main.(*Hub).run", "select", 1, "created_by=main.main")
	}
	harness.Phases([]string{"idle", "loaded", "after"}, map[string]func(){
		"idle": func() {
			f.Do("live " + strconv.Itoa(liveSubscribers) + " " + url)
			facts(liveSubscribers, 0)
		},
		"loaded": func() {
			f.Do("tabs " + strconv.Itoa(tabs) + " " + url)
			facts(liveSubscribers+tabs, 0)
		},
		"after": func() {
			f.Do("vanish")
			if variant == "leak" {
				time.Sleep(pongWait + pingPeriod) // what the healthy twin waits for
				facts(liveSubscribers+tabs, tabs)
			} else {
				facts(liveSubscribers, 0)
			}
		},
	})
	harness.Serve(debug)
}
