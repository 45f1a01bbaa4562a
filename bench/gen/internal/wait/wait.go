// Package wait holds the places where benchmark goroutines block, one
// function per blocking state, so each state gets its own leaf frames the way
// real code has its own call sites.
package wait

import (
	"net"
	"sync"
	"time"
)

// Kind is the blocking state a goroutine ends in.
type Kind int

const (
	ChanRecv Kind = iota
	ChanSend
	Select
	SelectForever // select {}
	NilChanRecv
	MutexLock
	RWMutexRLock
	RWMutexLock
	WaitGroupWait
	CondWait
	Sleep
	numKinds
)

// NumKinds is the number of non-IO kinds.
const NumKinds = int(numKinds)

func (k Kind) String() string {
	return [...]string{"chan-recv", "chan-send", "select", "select-forever",
		"nil-chan-recv", "mutex", "rwmutex-rlock", "rwmutex-lock", "waitgroup",
		"cond", "sleep"}[k]
}

// Hub owns the shared objects goroutines block on. Hold() must run before
// any goroutine blocks on a lock, so that the locks are never free.
type Hub struct {
	Orders  chan int
	Results chan int
	Cancel  chan struct{}
	mu      [16]sync.Mutex
	rw      [8]sync.RWMutex
	rwRead  [8]sync.RWMutex // read-held: writers wait for readers
	wg      sync.WaitGroup
	condMu  sync.Mutex
	cond    *sync.Cond
}

func NewHub() *Hub {
	h := &Hub{Orders: make(chan int), Results: make(chan int), Cancel: make(chan struct{})}
	h.cond = sync.NewCond(&h.condMu)
	return h
}

// Hold takes every lock for good (the "stuck holder" of a real incident).
func (h *Hub) Hold() {
	for i := range h.mu {
		h.mu[i].Lock()
	}
	for i := range h.rw {
		h.rw[i].Lock()
	}
	for i := range h.rwRead {
		h.rwRead[i].RLock()
	}
	h.wg.Add(1)
}

// Block parks the calling goroutine in state k forever. arrived is called
// just before blocking so the generator knows when everything is in place.
//
//go:noinline
func (h *Hub) Block(k Kind, slot int, arrived func()) {
	switch k {
	case ChanRecv:
		h.awaitOrder(arrived)
	case ChanSend:
		h.publishResult(slot, arrived)
	case Select:
		h.awaitOrderOrCancel(arrived)
	case SelectForever:
		parkForever(arrived)
	case NilChanRecv:
		drainDisabled(arrived)
	case MutexLock:
		h.withAccount(slot, arrived)
	case RWMutexRLock:
		h.readCatalog(slot, arrived)
	case RWMutexLock:
		h.updateCatalog(slot, arrived)
	case WaitGroupWait:
		h.awaitShutdown(arrived)
	case CondWait:
		h.awaitSignal(arrived)
	case Sleep:
		backoff(arrived)
	}
}

//go:noinline
func (h *Hub) awaitOrder(arrived func()) {
	arrived()
	<-h.Orders
}

//go:noinline
func (h *Hub) publishResult(v int, arrived func()) {
	arrived()
	h.Results <- v
}

//go:noinline
func (h *Hub) awaitOrderOrCancel(arrived func()) {
	arrived()
	select {
	case <-h.Orders:
	case <-h.Cancel:
	}
}

//go:noinline
func parkForever(arrived func()) {
	arrived()
	select {}
}

//go:noinline
func drainDisabled(arrived func()) {
	var disabled chan int
	arrived()
	<-disabled
}

//go:noinline
func (h *Hub) withAccount(slot int, arrived func()) {
	arrived()
	m := &h.mu[slot%len(h.mu)]
	m.Lock()
	m.Unlock()
}

//go:noinline
func (h *Hub) readCatalog(slot int, arrived func()) {
	arrived()
	m := &h.rw[slot%len(h.rw)]
	m.RLock()
	m.RUnlock()
}

//go:noinline
func (h *Hub) updateCatalog(slot int, arrived func()) {
	arrived()
	m := &h.rwRead[slot%len(h.rwRead)]
	m.Lock()
	m.Unlock()
}

//go:noinline
func (h *Hub) awaitShutdown(arrived func()) {
	arrived()
	h.wg.Wait()
}

//go:noinline
func (h *Hub) awaitSignal(arrived func()) {
	h.condMu.Lock()
	arrived()
	for {
		h.cond.Wait()
	}
}

//go:noinline
func backoff(arrived func()) {
	arrived()
	for {
		time.Sleep(1000 * time.Hour)
	}
}

// ReadFrame blocks in IO wait on an idle connection (a keep-alive client
// nobody talks to).
//
//go:noinline
func ReadFrame(c net.Conn, arrived func()) {
	buf := make([]byte, 512)
	arrived()
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}
