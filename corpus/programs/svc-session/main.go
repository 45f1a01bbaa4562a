// svc-session: a collaborative-editing session service. POST /sessions
// opens a session: it gets a heartbeat goroutine driven by a time.Ticker,
// and sessions that take the edit lease get a goroutine that releases the
// lease when the session's context is cancelled. DELETE /sessions?id=N
// closes it. Beside it, one store-wide expiry loop.
//
// Phases: loaded (31 sessions open, 19 with a lease), after (every session
// closed).
//
//	leak:    the heartbeat ranges over its ticker with no way out and nobody
//	         stops it (ticker-without-stop: 31 in chan receive stay), and
//	         Close forgets the lease's cancel func (context-never-cancelled:
//	         19 in chan receive stay; not GC-provable, the heartbeat still
//	         references the session)
//	healthy: the heartbeat selects on the ticker and the session's done
//	         channel and stops the ticker; Close cancels the lease context.
//	         Same functions; the heartbeat parks in select, not chan receive.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gorleakcorpus/harness"
)

const (
	sessions       = 31
	leased         = 19 // sessions that take the edit lease
	heartbeatEvery = 45 * time.Second
)

type Session struct {
	id       int
	store    *Store
	lastSeen time.Time
	done     chan struct{}
	cancel   context.CancelFunc
}

type Store struct {
	mu       sync.Mutex
	sessions map[int]*Session
	leases   map[int]bool
	next     int
	careful  bool // healthy variant
}

// heartbeat marks the session alive on every tick.
func (s *Session) heartbeat() {
	t := time.NewTicker(heartbeatEvery)
	if !s.store.careful {
		for range t.C {
			s.touch()
		}
		return
	}
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.touch()
		case <-s.done:
			return
		}
	}
}

func (s *Session) touch() {
	s.store.mu.Lock()
	s.lastSeen = time.Now()
	s.store.mu.Unlock()
}

// releaseLease gives the edit lease back once the session's context ends.
func (s *Session) releaseLease(ctx context.Context) {
	<-ctx.Done()
	s.store.mu.Lock()
	delete(s.store.leases, s.id)
	s.store.mu.Unlock()
}

func (st *Store) Open(lease bool) *Session {
	st.mu.Lock()
	st.next++
	s := &Session{id: st.next, store: st, lastSeen: time.Now(), done: make(chan struct{})}
	st.sessions[s.id] = s
	st.mu.Unlock()
	go s.heartbeat()
	if lease {
		ctx, cancel := context.WithCancel(context.Background())
		s.cancel = cancel
		st.mu.Lock()
		st.leases[s.id] = true
		st.mu.Unlock()
		go s.releaseLease(ctx)
	}
	return s
}

func (st *Store) Close(id int) bool {
	st.mu.Lock()
	s, ok := st.sessions[id]
	delete(st.sessions, id)
	st.mu.Unlock()
	if !ok {
		return false
	}
	if st.careful {
		close(s.done)
		if s.cancel != nil {
			s.cancel()
		}
	}
	return true
}

// expireLoop drops sessions idle for too long; one per store.
func (st *Store) expireLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			st.mu.Lock()
			for id, s := range st.sessions {
				if time.Since(s.lastSeen) > 10*time.Minute {
					delete(st.sessions, id)
				}
			}
			st.mu.Unlock()
		case <-ctx.Done():
			return
		}
	}
}

func (st *Store) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		s := st.Open(r.URL.Query().Get("lease") == "1")
		fmt.Fprintln(w, s.id)
	case http.MethodGet:
		st.mu.Lock()
		fmt.Fprintf(w, "%d sessions, %d leases\n", len(st.sessions), len(st.leases))
		st.mu.Unlock()
	case http.MethodDelete:
		id, _ := strconv.Atoi(r.URL.Query().Get("id"))
		if !st.Close(id) {
			http.NotFound(w, r)
		}
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func heartbeatNote(closed int) string {
	if closed == 0 {
		return "note=sessions still open; the loop has no way out"
	}
	return "note=sessions closed; their tickers are never stopped"
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	st := &Store{sessions: map[int]*Session{}, leases: map[int]bool{}, careful: variant == "healthy"}
	go st.expireLoop(context.Background())

	mux := http.NewServeMux()
	mux.Handle("/sessions", st)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	base := "http://" + ln.Addr().String() + "/sessions"
	do := func(method, url string) {
		req, err := http.NewRequest(method, url, nil)
		harness.Must(err, "request")
		resp, err := client.Do(req)
		harness.Must(err, method+" "+url)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			harness.Fail("%s %s: %s", method, url, resp.Status)
		}
	}
	harness.Get(client, base)

	// One line per site and state (the harness counts them all). The
	// heartbeat of the leak variant has no way out from the start; the lease
	// waiters of open sessions are in use until Close drops their cancel.
	facts := func(open, closed int) {
		lease := func(n int) int { return n * leased / sessions }
		if variant == "leak" {
			harness.Fact("rule=ticker-without-stop", "main.(*Session).heartbeat", "chan receive", open+closed,
				"created_by=main.(*Store).Open", heartbeatNote(closed))
			if open > 0 {
				harness.Fact("role=background", "main.(*Session).releaseLease", "chan receive", lease(open),
					"created_by=main.(*Store).Open", "note=open sessions holding the lease")
			} else {
				harness.Fact("rule=context-never-cancelled", "main.(*Session).releaseLease", "chan receive", lease(closed),
					"created_by=main.(*Store).Open",
					"note=not GC-provable: the leaked heartbeat still references the session and its cancel func")
			}
		} else {
			harness.Healthy()
			harness.Fact("role=background", "main.(*Session).heartbeat", "select", open,
				"created_by=main.(*Store).Open", "note=open sessions")
			harness.Fact("role=background", "main.(*Session).releaseLease", "chan receive", lease(open),
				"created_by=main.(*Store).Open", "note=open sessions holding the lease")
		}
		harness.Fact("role=background", "main.(*Store).expireLoop", "select", 1, "created_by=main.main")
	}
	var ids []int
	harness.Phases([]string{"loaded", "after"}, map[string]func(){
		"loaded": func() {
			var mu sync.Mutex
			harness.Load(sessions, 4, func(i int) {
				lease := "0"
				if i < leased {
					lease = "1"
				}
				resp, err := client.Post(base+"?lease="+lease, "text/plain", nil)
				harness.Must(err, "open session")
				var id int
				fmt.Fscan(resp.Body, &id)
				resp.Body.Close()
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			})
			facts(sessions, 0)
		},
		"after": func() {
			harness.Load(len(ids), 4, func(i int) { do(http.MethodDelete, base+"?id="+strconv.Itoa(ids[i])) })
			if variant == "leak" {
				facts(0, sessions)
			} else {
				facts(0, 0)
			}
		},
	})
	harness.Serve(debug)
}
