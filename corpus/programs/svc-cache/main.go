// svc-cache: a session cache behind net/http. PUT /session stores a session
// and starts one goroutine for it, which waits in the cache's pause helper
// (time.Sleep); one janitor started by main sweeps the cache every minute.
//
//	leak:    the goroutine keeps the session fresh, pausing then refreshing
//	         in a loop with no way out: 200 sessions leave 200 refreshers in
//	         "sleep" at (*Cache).pause, called from a for loop, for good
//	healthy: the goroutine expires the session, pausing once for its TTL
//	         and then deleting it: 200 expiries in "sleep" at the same
//	         (*Cache).pause line, started the same way, that all end. Only
//	         the source tells them apart: no `for` around the pause
package main

import (
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	sessions = 200
	ttl      = 10 * time.Minute
)

type Cache struct {
	mu       sync.Mutex
	sessions map[string]time.Time
}

// pause waits between a session's steps; one place to stub in tests.
func (c *Cache) pause(d time.Duration) {
	time.Sleep(d)
}

// keepFresh renews a session's deadline every half TTL, forever.
func (c *Cache) keepFresh(id string) {
	for {
		c.pause(ttl / 2)
		c.mu.Lock()
		c.sessions[id] = time.Now().Add(ttl)
		c.mu.Unlock()
	}
}

// expire drops a session once its TTL has passed.
func (c *Cache) expire(id string) {
	c.pause(ttl)
	c.mu.Lock()
	delete(c.sessions, id)
	c.mu.Unlock()
}

func (c *Cache) janitor() {
	for {
		time.Sleep(time.Minute)
		c.mu.Lock()
		for id, until := range c.sessions {
			if time.Now().After(until) {
				delete(c.sessions, id)
			}
		}
		c.mu.Unlock()
	}
}

type Server struct {
	cache      *Cache
	keepsFresh bool
}

func (s *Server) put(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("id")
	s.cache.mu.Lock()
	s.cache.sessions[id] = time.Now().Add(ttl)
	s.cache.mu.Unlock()
	if s.keepsFresh {
		go s.cache.keepFresh(id)
	} else {
		go s.cache.expire(id)
	}
	io.WriteString(w, "stored\n")
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	cache := &Cache{sessions: map[string]time.Time{}}
	go cache.janitor()
	srv := &Server{cache: cache, keepsFresh: variant == "leak"}
	mux := http.NewServeMux()
	mux.HandleFunc("/session", srv.put)
	base := harness.ServeHTTP(mux)
	harness.LoadGets(sessions, 8, func(i int) string { return base + "/session?id=s" + strconv.Itoa(i) })

	if variant == "leak" {
		harness.Fact("rule=sleep-poller", "main.(*Cache).pause", "sleep", sessions,
			"created_by=main.(*Server).put")
	} else {
		harness.Healthy()
		harness.Fact("role=background", "main.(*Cache).pause", "sleep", sessions,
			"created_by=main.(*Server).put")
	}
	harness.Fact("role=background", "main.(*Cache).janitor", "sleep", 1, "created_by=main.main")
	harness.Serve(debug)
}
