// svc-media: a media service with healthy pools of two sizes and shapes,
// caught idle, under load and after it. Healthy in every phase.
//
//   - thumbnails: a generic worker pool Pool[T] of 3 workers started at once
//     by NewPool, ranging over its jobs channel (chan receive when idle);
//   - uploads: a Dispatcher that starts workers lazily as load arrives,
//     capped at 64. Each worker is started by the request handler that found
//     no idle worker, so the 64 workers have as many distinct parents, and the
//     count grows under load and stays: idle 1, loaded 64, after 64. Idle
//     workers select on the jobs channel and the server's context.
//   - a cache janitor (one ticker loop), an admin server's accept loop and
//     the idle keep-alive connections of the load.
//
// Loaded: 76 uploads in flight over their own client connections (no
// client goroutines): 64 workers wait on the blob store (chan receive),
// 64 handlers wait for their result and 12 wait to hand their job over
// (chan send: back-pressure, not a leak). After: the store answers, every
// upload completes, the clients hang up.
package main

import (
	"context"
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
	thumbWorkers  = 3
	uploadWorkers = 64
	uploads       = 76
)

// Pool is a fixed set of workers applying handle to every job.
type Pool[T any] struct {
	jobs   chan T
	handle func(T)
}

func NewPool[T any](n int, handle func(T)) *Pool[T] {
	p := &Pool[T]{jobs: make(chan T), handle: handle}
	for i := 0; i < n; i++ {
		go p.run()
	}
	return p
}

func (p *Pool[T]) run() {
	for j := range p.jobs {
		p.handle(j)
	}
}

func (p *Pool[T]) Submit(j T) { p.jobs <- j }

type thumbJob struct {
	name string
	size int
	out  chan string
}

// Upload is one blob to store, streamed from the request body by the
// worker that stores it.
type Upload struct {
	key  string
	body io.Reader
	err  chan error
}

// BlobStore stands for the object store; while it is throttled every Put
// waits for it.
type BlobStore struct {
	mu        sync.Mutex
	blobs     map[string]int
	available chan struct{} // closed when the store accepts writes
}

func (s *BlobStore) Throttle() {
	s.mu.Lock()
	s.available = make(chan struct{})
	s.mu.Unlock()
}

func (s *BlobStore) Resume() {
	s.mu.Lock()
	close(s.available)
	s.mu.Unlock()
}

func (s *BlobStore) Put(key string, body io.Reader) error {
	s.mu.Lock()
	available := s.available
	s.mu.Unlock()
	<-available
	data, err := io.ReadAll(body)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.blobs[key] = len(data)
	s.mu.Unlock()
	return nil
}

// Dispatcher runs uploads on workers it starts on demand, at most max.
type Dispatcher struct {
	ctx   context.Context
	store *BlobStore
	jobs  chan *Upload

	mu      sync.Mutex
	started int
	max     int
}

func (d *Dispatcher) worker() {
	for {
		select {
		case u := <-d.jobs:
			u.err <- d.store.Put(u.key, u.body)
		case <-d.ctx.Done():
			return
		}
	}
}

// Submit hands u to an idle worker, starting one if none is idle and the
// cap allows, else waits for one to free up.
func (d *Dispatcher) Submit(u *Upload) {
	select {
	case d.jobs <- u:
		return
	default:
	}
	d.mu.Lock()
	if d.started < d.max {
		d.started++
		go d.worker()
	}
	d.mu.Unlock()
	d.jobs <- u
}

func (d *Dispatcher) Do(u *Upload) error {
	d.Submit(u)
	return <-u.err
}

// Cache holds rendered thumbnails; its janitor evicts old ones.
type Cache struct {
	mu      sync.Mutex
	entries map[string]time.Time
	stop    chan struct{}
}

func (c *Cache) janitor(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case now := <-t.C:
			c.mu.Lock()
			for k, at := range c.entries {
				if now.Sub(at) > time.Hour {
					delete(c.entries, k)
				}
			}
			c.mu.Unlock()
		case <-c.stop:
			return
		}
	}
}

func main() {
	debug := harness.Listen()
	ctx := context.Background()
	store := &BlobStore{blobs: map[string]int{}}
	store.Throttle()
	disp := &Dispatcher{ctx: ctx, store: store, jobs: make(chan *Upload), max: uploadWorkers}
	cache := &Cache{entries: map[string]time.Time{}, stop: make(chan struct{})}
	go cache.janitor(time.Minute)
	thumbs := NewPool(thumbWorkers, func(j thumbJob) {
		cache.mu.Lock()
		cache.entries[j.name] = time.Now()
		cache.mu.Unlock()
		j.out <- fmt.Sprintf("%s@%dpx", j.name, j.size)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("/thumb", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.Atoi(r.URL.Query().Get("size"))
		j := thumbJob{name: r.URL.Query().Get("name"), size: size, out: make(chan string, 1)}
		thumbs.Submit(j)
		io.WriteString(w, <-j.out)
	})
	mux.HandleFunc("/upload", func(w http.ResponseWriter, r *http.Request) {
		u := &Upload{key: r.URL.Query().Get("key"), body: r.Body, err: make(chan error, 1)}
		if err := disp.Do(u); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		fmt.Fprintf(w, "stored %s\n", u.key)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	admin := http.NewServeMux()
	admin.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok\n") })
	adminLn, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen admin")
	go (&http.Server{Handler: admin}).Serve(adminLn)

	client := &http.Client{Timeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()

	background := func() {
		harness.Fact("role=background", "main.(*Pool[...]).run", "chan receive", thumbWorkers,
			"created_by=main.NewPool[...]", "note=generic pool of 3")
		harness.Fact("role=background", "main.(*Cache).janitor", "select", 1, "created_by=main.main")
	}
	var conns []*harness.Conn
	harness.Phases([]string{"idle", "loaded", "after"}, map[string]func(){
		"idle": func() {
			harness.Load(30, 2, func(i int) { harness.Get(client, fmt.Sprintf("%s/thumb?name=img%d&size=%d", base, i, 64*(1+i%4))) })
			store.Resume() // warm-up: the store answers at once
			harness.Get(client, base+"/upload?key=warmup")
			store.Throttle()
			harness.Healthy()
			background()
			harness.Fact("role=background", "main.(*Dispatcher).worker", "select", 1,
				"created_by=main.(*Dispatcher).Submit", "note=lazily started upload worker, idle")
		},
		"loaded": func() {
			conns = harness.DialN(ln.Addr().String(), uploads)
			for i, c := range conns {
				c.Send("/upload?key=video-"+strconv.Itoa(i), "chunk-"+strconv.Itoa(i))
			}
			harness.Healthy()
			background()
			harness.Fact("role=background", "main.(*BlobStore).Put", "chan receive", uploadWorkers,
				"created_by=main.(*Dispatcher).Submit", "note=busy upload workers waiting on the throttled store")
			harness.Fact("role=background", "main.(*Dispatcher).Do", "chan receive", uploadWorkers,
				"note=handlers waiting for their upload's result")
			harness.Fact("role=background", "main.(*Dispatcher).Submit", "chan send", uploads-uploadWorkers,
				"note=handlers queued behind the capped pool (back-pressure)")
		},
		"after": func() {
			store.Resume()
			for _, c := range conns {
				if status, body := c.Receive(10 * time.Second); status != http.StatusOK {
					harness.Fail("upload: %d %s", status, body)
				}
				c.Close()
			}
			harness.Healthy()
			background()
			harness.Fact("role=background", "main.(*Dispatcher).worker", "select", uploadWorkers,
				"created_by=main.(*Dispatcher).Submit", "note=lazily started upload workers, capped at 64, idle")
		},
	})
	harness.Serve(debug)
}
