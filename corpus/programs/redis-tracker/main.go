// redis-tracker: order tracking with Redis pub/sub (redigo). GET
// /track?order=N&wait=D long-polls: it subscribes to the order's channel on
// a dedicated connection, a listener goroutine forwards the first status
// message, and the handler answers with it or with "pending" after D.
// A fleet watcher (one PSUBSCRIBE for the process's life) runs beside it.
//
// leak: the handler never unsubscribes nor closes the connection: every
// request leaves its listener blocked in PubSubConn.Receive (IO wait) on a
// subscribed connection. healthy: the handler unsubscribes, the listener
// sees the subscription count drop to 0, closes the connection and exits.
//
// Phases: idle (the fleet watcher); loaded = 89 short polls done (wait
// 20ms, "pending") and 12 long polls in flight (wait 60 s, from 12 client
// connections); after = the 12 orders get their status and the long polls
// answer.
package main

import (
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gomodule/redigo/redis"

	"gorleakcorpus/harness"
)

const (
	shortPolls = 89
	longPolls  = 12
	keepAlive  = 4
)

type Tracker struct {
	addr    string
	cleanup bool // the fix
}

func (t *Tracker) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	order := r.URL.Query().Get("order")
	wait, _ := time.ParseDuration(r.URL.Query().Get("wait"))
	conn, err := redis.Dial("tcp", t.addr)
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	psc := redis.PubSubConn{Conn: conn}
	if err := psc.Subscribe("order:" + order); err != nil {
		conn.Close()
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	status := make(chan string, 1)
	done := make(chan struct{})
	go t.listen(psc, status, done)
	if t.cleanup {
		defer func() {
			psc.Unsubscribe()
			<-done
		}()
	}
	select {
	case s := <-status:
		fmt.Fprintf(w, "order %s: %s\n", order, s)
	case <-time.After(wait):
		fmt.Fprintf(w, "order %s: pending\n", order)
	case <-r.Context().Done():
	}
}

// listen forwards the first status message and runs until the
// subscription ends.
func (t *Tracker) listen(psc redis.PubSubConn, status chan<- string, done chan<- struct{}) {
	defer close(done)
	defer psc.Close()
	for {
		switch v := psc.Receive().(type) {
		case redis.Message:
			select {
			case status <- string(v.Data):
			default:
			}
		case redis.Subscription:
			if v.Count == 0 {
				return
			}
		case error:
			return
		}
	}
}

// Fleet follows every courier's position for the dashboard.
type Fleet struct {
	mu   sync.Mutex
	last map[string]string
}

func (f *Fleet) run(psc redis.PubSubConn) {
	for {
		switch v := psc.Receive().(type) {
		case redis.Message:
			f.mu.Lock()
			f.last[v.Channel] = string(v.Data)
			f.mu.Unlock()
		case error:
			return
		}
	}
}

func main() {
	variant := harness.Variant("leak", "healthy")
	addr := harness.Env("GORLEAK_REDIS_ADDR")
	debug := harness.Listen()

	fc, err := redis.Dial("tcp", addr)
	harness.Must(err, "dial fleet")
	fleetSub := redis.PubSubConn{Conn: fc}
	harness.Must(fleetSub.PSubscribe("courier:*"), "psubscribe")
	go (&Fleet{last: map[string]string{}}).run(fleetSub)

	ln := harness.Listen()
	go http.Serve(ln, &Tracker{addr: addr, cleanup: variant == "healthy"})
	base := "http://" + ln.Addr().String() + "/track?order="
	short := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: keepAlive}}
	publisher, err := redis.Dial("tcp", addr)
	harness.Must(err, "dial publisher")

	const listen = "main.(*Tracker).listen"
	listeners := func(open, leaked int) {
		if variant == "leak" && leaked > 0 {
			note := "note=subscriptions never closed"
			if open > leaked {
				note = fmt.Sprintf("note=%d subscriptions never closed + %d of long polls in flight (same frames)", leaked, open-leaked)
			}
			harness.Fact("rule=redis-pubsub-not-closed", listen, "IO wait", open,
				"units="+strconv.Itoa(leaked), "created_by=main.(*Tracker).ServeHTTP",
				"library=github.com/gomodule/redigo/redis.PubSubConn.Receive", note)
		} else {
			if variant == "leak" {
				harness.Expect("rule=redis-pubsub-not-closed", "count=0", "units=0", "site="+listen, "state=")
			} else {
				harness.Healthy()
			}
			harness.Fact("role=background", listen, "IO wait", open, "created_by=main.(*Tracker).ServeHTTP",
				"note=subscriptions of requests in flight")
		}
		harness.Fact("role=background", "main.(*Fleet).run", "IO wait", 1, "created_by=main.main")
	}
	// The long polls come from browsers: raw connections the program holds,
	// so that no client goroutine of ours is in the dump.
	var polls []*harness.Conn
	harness.Phases([]string{"idle", "loaded", "after"}, map[string]func(){
		"idle": func() { listeners(0, 0) },
		"loaded": func() {
			harness.Load(shortPolls, keepAlive, func(i int) {
				harness.Get(short, base+strconv.Itoa(1000+i)+"&wait=20ms")
			})
			for i := 0; i < longPolls; i++ {
				c := harness.Dial(ln.Addr().String())
				c.Send(fmt.Sprintf("/track?order=%d&wait=60s", i), "")
				polls = append(polls, c)
			}
			leaked := 0
			if variant == "leak" {
				leaked = shortPolls
			}
			listeners(leaked+longPolls, leaked)
			harness.Fact("role=background", "main.(*Tracker).ServeHTTP", "select", longPolls,
				"created_by=net/http.(*Server).Serve", "note=long polls in flight")
		},
		"after": func() {
			for i := 0; i < longPolls; i++ {
				_, err := publisher.Do("PUBLISH", "order:"+strconv.Itoa(i), "out for delivery")
				harness.Must(err, "publish")
			}
			for _, c := range polls {
				c.Receive(10 * time.Second)
				c.Close()
			}
			if variant == "leak" {
				listeners(shortPolls+longPolls, shortPolls+longPolls)
			} else {
				listeners(0, 0)
			}
		},
	})
	harness.Serve(debug)
}
