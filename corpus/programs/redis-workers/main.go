// redis-workers: a thumbnail job queue on Redis (redigo). POST /jobs pushes
// jobs onto a Redis list; a pool of 32 workers, started once by
// NewWorkerPool, pops them through a redis.Pool (32 idle connections) and,
// when the list is empty, sleeps before polling again. Each worker checks
// the service context on every turn, so shutdown stops them. After a burst
// of 400 jobs the queue is empty and the 32 workers sleep between polls.
// Healthy: a fixed pool that looks like 32 sleep-pollers.
package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gomodule/redigo/redis"

	"gorleakcorpus/harness"
)

const (
	workers   = 32
	jobs      = 400
	idlePoll  = 2 * time.Second
	queueName = "thumbnails:pending"
)

type WorkerPool struct {
	ctx       context.Context
	pool      *redis.Pool
	processed int64
}

func NewWorkerPool(ctx context.Context, pool *redis.Pool, n int) *WorkerPool {
	wp := &WorkerPool{ctx: ctx, pool: pool}
	for i := 0; i < n; i++ {
		go wp.work()
	}
	return wp
}

func (wp *WorkerPool) work() {
	for {
		select {
		case <-wp.ctx.Done():
			return
		default:
		}
		job, err := wp.next()
		if err == redis.ErrNil {
			time.Sleep(idlePoll)
			continue
		}
		if err != nil {
			time.Sleep(idlePoll)
			continue
		}
		wp.render(job)
	}
}

func (wp *WorkerPool) next() (string, error) {
	c := wp.pool.Get()
	defer c.Close()
	return redis.String(c.Do("RPOP", queueName))
}

func (wp *WorkerPool) render(job string) {
	time.Sleep(time.Millisecond) // the resize
	atomic.AddInt64(&wp.processed, 1)
}

type jobsHandler struct{ pool *redis.Pool }

func (h jobsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.pool.Get()
	defer c.Close()
	if _, err := c.Do("LPUSH", queueName, r.URL.Query().Get("image")); err != nil {
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func main() {
	addr := harness.Env("GORLEAK_REDIS_ADDR")
	debug := harness.Listen()
	pool := &redis.Pool{
		MaxIdle:     workers,
		IdleTimeout: 5 * time.Minute,
		Dial:        func() (redis.Conn, error) { return redis.Dial("tcp", addr) },
	}
	c := pool.Get()
	_, err := c.Do("DEL", queueName)
	harness.Must(err, "reset queue")
	c.Close()

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	wp := NewWorkerPool(ctx, pool, workers)

	ln := harness.Listen()
	go http.Serve(ln, jobsHandler{pool})
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
	url := "http://" + ln.Addr().String() + "/jobs?image=img-"
	harness.Load(jobs, 2, func(i int) { harness.Get(client, url+strconv.Itoa(i)+".png") })
	for deadline := time.Now().Add(30 * time.Second); atomic.LoadInt64(&wp.processed) < jobs; {
		if time.Now().After(deadline) {
			harness.Fail("only %d of %d jobs processed", atomic.LoadInt64(&wp.processed), jobs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	client.CloseIdleConnections()

	harness.Healthy()
	harness.Fact("role=background", "main.(*WorkerPool).work", "sleep", workers, "created_by=main.NewWorkerPool",
		fmt.Sprintf("note=a fixed pool polling an empty queue every %v; stops on the service context", idlePoll))
	harness.Serve(debug)
}
