// svc-carts: a shopping-cart service on Redis (redigo). GET /cart?user=U
// reads the user's cart through a redis.Pool of 8 connections that callers
// wait for when all are in use (Wait: true); GET /cart/watch?user=U waits
// up to 20 s for the cart to change (BLPOP on the user's event list).
//
//	leak:    the cart handler takes a connection and returns it only after
//	         a cart was found: each empty cart keeps a connection for good.
//	         8 empty carts later the pool is empty, and every caller waits
//	         in (*Pool).waitVacantConn forever: 60 handlers, whose callers
//	         gave up after 300 ms.
//	healthy: `defer c.Close()`. 8 watchers hold the pool's connections in
//	         BLPOP while 60 cart reads wait for one (a pool saturated by
//	         slow commands, the same frames), their callers still
//	         connected: each read gets a connection as a watch ends.
package main

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gomodule/redigo/redis"

	"gorleakcorpus/harness"
)

const (
	poolSize = 8
	readers  = 60
)

type Carts struct {
	pool        *redis.Pool
	closeOnMiss bool
}

func (c *Carts) cart(w http.ResponseWriter, r *http.Request) {
	conn := c.pool.Get()
	if c.closeOnMiss {
		defer conn.Close()
	}
	items, err := redis.Strings(conn.Do("LRANGE", "cart:"+r.URL.Query().Get("user"), 0, -1))
	if err != nil || len(items) == 0 {
		http.NotFound(w, r)
		return // leak: the connection is never given back
	}
	if !c.closeOnMiss {
		defer conn.Close()
	}
	fmt.Fprintln(w, strings.Join(items, ","))
}

func (c *Carts) watch(w http.ResponseWriter, r *http.Request) {
	conn := c.pool.Get()
	defer conn.Close()
	ev, err := redis.Strings(conn.Do("BLPOP", "cart-events:"+r.URL.Query().Get("user"), 20))
	if err != nil {
		io.WriteString(w, "no change\n")
		return
	}
	fmt.Fprintln(w, ev)
}

func main() {
	harness.Child(map[string]func(string) string{"callers": harness.Callers})
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	addr := harness.Env("GORLEAK_REDIS_ADDR")
	c := &Carts{
		pool: &redis.Pool{
			MaxActive: poolSize, MaxIdle: poolSize, Wait: true, IdleTimeout: time.Minute,
			Dial: func() (redis.Conn, error) { return redis.Dial("tcp", addr) },
		},
		closeOnMiss: variant == "healthy",
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/cart", c.cart)
	mux.HandleFunc("/cart/watch", c.watch)
	base := harness.ServeHTTP(mux)

	const site = "main.(*Carts).cart"
	if variant == "leak" {
		impatient := &http.Client{Timeout: 300 * time.Millisecond}
		get := func(i int) {
			if resp, err := impatient.Get(base + "/cart?user=u" + strconv.Itoa(i)); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}
		harness.Load(poolSize, 1, get) // 8 empty carts: the pool is gone
		harness.Load(readers, 12, get) // everyone after them waits
		harness.Fact("rule=redis-pool-exhausted", site, "select", readers,
			"note=8 connections never given back; callers hung up")
	} else {
		cl := harness.StartChild("callers")
		cl.Do(fmt.Sprintf("hold %d 0s %s/cart/watch?user=w{i}", poolSize, base))
		harness.Fact("role=background", "main.(*Carts).watch", "IO wait", poolSize, "note=each holds a pooled connection in BLPOP")
		cl.Do(fmt.Sprintf("hold %d 0s %s/cart?user=u{i}", readers, base))
		harness.Healthy()
		harness.Fact("role=background", site, "select", readers, "note=waiting for a connection as watches end")
	}
	harness.Serve(debug)
}
