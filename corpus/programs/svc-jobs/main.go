// svc-jobs: a job scheduler whose requests derive their context from the
// server's lifetime context, a custom context.Context type (drainCtx, done
// when the server starts draining) written by the service itself. Because
// drainCtx is neither a context package type nor has an AfterFunc method,
// every context.WithCancel(drainCtx) makes the context package start a
// goroutine (context.(*cancelCtx).propagateCancel.func2 on Go 1.21+,
// context.propagateCancel.func1 before) that waits for either context to
// end. Beside it, one reaper loop.
//
//	leak:    the job keeps its cancel func for the abort endpoint and it is
//	         never called when the job completes: 32 propagateCancel
//	         goroutines stay in select, one per job (no frame of the program;
//	         the caller of WithCancel is main.(*Scheduler).Run)
//	healthy: the job's context is cancelled when it completes; the context
//	         package's goroutine exits with it
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

const jobs = 32

// drainCtx is done once the server starts draining.
type drainCtx struct {
	mu   sync.Mutex
	done chan struct{}
	err  error
}

func newDrainCtx() *drainCtx { return &drainCtx{done: make(chan struct{})} }

func (d *drainCtx) Deadline() (time.Time, bool)       { return time.Time{}, false }
func (d *drainCtx) Done() <-chan struct{}             { return d.done }
func (d *drainCtx) Value(key interface{}) interface{} { return nil }
func (d *drainCtx) Err() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.err
}

func (d *drainCtx) Drain() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err == nil {
		d.err = context.Canceled
		close(d.done)
	}
}

type Job struct {
	ID     int
	Kind   string
	ctx    context.Context
	cancel context.CancelFunc // for POST /jobs/abort
}

type Scheduler struct {
	lifetime *drainCtx
	mu       sync.Mutex
	jobs     map[int]*Job
	next     int
	tidy     bool // cancel a job's context when it completes
}

func (s *Scheduler) Run(kind string) (*Job, error) {
	ctx, cancel := context.WithCancel(s.lifetime)
	s.mu.Lock()
	s.next++
	j := &Job{ID: s.next, Kind: kind, ctx: ctx, cancel: cancel}
	s.jobs[j.ID] = j
	s.mu.Unlock()
	err := s.execute(j)
	s.mu.Lock()
	delete(s.jobs, j.ID)
	s.mu.Unlock()
	if s.tidy {
		j.cancel()
	}
	return j, err
}

func (s *Scheduler) execute(j *Job) error {
	select {
	case <-j.ctx.Done():
		return j.ctx.Err()
	default:
	}
	_ = fmt.Sprintf("%s #%d done", j.Kind, j.ID)
	return nil
}

// reaper reports stuck jobs.
func (s *Scheduler) reaper(every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.mu.Lock()
			_ = len(s.jobs)
			s.mu.Unlock()
		case <-s.lifetime.Done():
			return
		}
	}
}

func (s *Scheduler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	j, err := s.Run(r.URL.Query().Get("kind"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "job %d done\n", j.ID)
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	s := &Scheduler{lifetime: newDrainCtx(), jobs: map[int]*Job{}, tidy: variant == "healthy"}
	go s.reaper(time.Minute)
	mux := http.NewServeMux()
	mux.Handle("/jobs", s)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	client := &http.Client{Timeout: 10 * time.Second}
	base := "http://" + ln.Addr().String()
	kinds := []string{"reindex", "thumbnail", "export", "billing"}
	harness.Load(jobs, 4, func(i int) { harness.Get(client, base+"/jobs?kind="+kinds[i%len(kinds)]+"&n="+strconv.Itoa(i)) })

	site, creator := "context.(*cancelCtx).propagateCancel.func2", "context.(*cancelCtx).propagateCancel"
	if harness.GoMinor() < 21 {
		site, creator = "context.propagateCancel.func1", "context.propagateCancel"
	}
	if variant == "leak" {
		harness.Fact("rule=context-custom-parent", site, "select", jobs,
			"created_by="+creator, "caller=main.(*Scheduler).Run",
			"note=custom parent context (main.drainCtx); the child is never cancelled")
	} else {
		harness.Healthy()
		harness.Fact("role=background", site, "select", 0)
	}
	harness.Fact("role=background", "main.(*Scheduler).reaper", "select", 1, "created_by=main.main")
	harness.Serve(debug)
}
