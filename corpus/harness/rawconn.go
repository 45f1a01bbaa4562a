package harness

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"
)

// Conn is one HTTP/1.1 keep-alive client connection driven by hand: Send
// writes a request and returns at once, Receive later reads its response on
// the caller's goroutine. A request in flight therefore costs the process
// no client goroutine, as when the load comes from another machine: the
// dump shows only the server's side of it. Every read has a deadline.
type Conn struct {
	c  net.Conn
	br *bufio.Reader
}

// Dial opens a connection to addr (host:port).
func Dial(addr string) *Conn {
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	Must(err, "dial "+addr)
	conn := &Conn{c: c, br: bufio.NewReader(c)}
	open.Store(conn, true)
	return conn
}

// open holds every Conn until Close: a connection the program no longer
// references would otherwise be closed by the garbage collector (net.Conn
// finalizers), hanging up on the server behind the program's back.
var open sync.Map

// DialN opens n connections to addr.
func DialN(addr string, n int) []*Conn {
	out := make([]*Conn, n)
	for i := range out {
		out[i] = Dial(addr)
	}
	return out
}

// Send writes one request (a GET when body is empty, else a POST with it).
func (c *Conn) Send(path, body string) {
	var err error
	if body == "" {
		_, err = fmt.Fprintf(c.c, "GET %s HTTP/1.1\r\nHost: svc\r\n\r\n", path)
	} else {
		_, err = fmt.Fprintf(c.c, "POST %s HTTP/1.1\r\nHost: svc\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n%s",
			path, len(body), body)
	}
	Must(err, "send "+path)
}

// Receive reads the response to the oldest request sent and returns its
// status code and body; it fails the program after timeout.
func (c *Conn) Receive(timeout time.Duration) (int, string) {
	c.c.SetReadDeadline(time.Now().Add(timeout))
	defer c.c.SetReadDeadline(time.Time{})
	resp, err := http.ReadResponse(c.br, nil)
	Must(err, "receive")
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	Must(err, "receive body")
	return resp.StatusCode, string(b)
}

// Do is Send then Receive.
func (c *Conn) Do(path, body string) (int, string) {
	c.Send(path, body)
	return c.Receive(30 * time.Second)
}

// Close hangs up, as a client that gave up waiting does.
func (c *Conn) Close() {
	open.Delete(c)
	c.c.Close()
}
