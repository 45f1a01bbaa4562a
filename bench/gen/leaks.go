package main

import (
	"sync"
	"sync/atomic"
	"time"

	"example.com/acme/orderservice/internal/wait"
)

// api holds the three leaks of the "loaded" dump, each a textbook shape from
// docs/leak-shapes: a fan-out whose losers can never send their answer, a
// refresher queued behind a lock nobody releases, and a poller whose stop
// channel is never closed.
type api struct {
	hub     *wait.Hub
	cacheMu sync.Mutex
	once    sync.Once
	stop    chan struct{}
}

func (a *api) handle(sv *server, i int) {
	a.once.Do(func() {
		a.cacheMu.Lock() // held by a request that never finished
		a.stop = make(chan struct{})
	})
	arrived := func() { atomic.AddInt64(&sv.arrived, 1) }
	switch h := mix(uint64(i)) % 100; {
	case h < 60:
		sv.started++
		a.fanOut(i, arrived)
	case h < 85:
		sv.started++
		go a.refreshCache(arrived)
	default:
		sv.started++
		go a.pollUpstream(arrived)
	}
}

// fanOut asks a replica and "returns the first answer": the caller is gone,
// so the unbuffered send blocks forever.
//
//go:noinline
func (a *api) fanOut(i int, arrived func()) {
	results := make(chan int)
	go func() {
		arrived()
		results <- i
	}()
}

//go:noinline
func (a *api) refreshCache(arrived func()) {
	arrived()
	a.cacheMu.Lock()
	a.cacheMu.Unlock()
}

//go:noinline
func (a *api) pollUpstream(arrived func()) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	arrived()
	for {
		select {
		case <-t.C:
		case <-a.stop:
			return
		}
	}
}
