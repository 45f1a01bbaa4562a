// heap-cache: a response cache kept in a map inside a long-lived struct,
// with no eviction and keys that never repeat (a request id in the key):
// every request adds a 4 KiB entry that is never freed. 6,000 requests
// leave about 24 MB in use at main.(*Cache).Put, which still holds all it
// ever allocated.
//
// Healthy twin (phase "healthy"): main.(*LRU).Put keeps at most 256
// entries and drops the oldest, so it holds a small, steady part of what it
// allocates however many requests come. Healthy look-alike in every phase:
// main.loadTable fills an 8 MiB lookup table once at start-up and keeps it,
// all it allocated and a large share of the heap, but it never grows.
package main

import (
	"container/list"
	"fmt"
	"strconv"

	"gorleakcorpus/harness"
)

const requests = 6000

type Cache struct{ m map[string][]byte }

// Put stores a rendered response under its key, forever.
func (c *Cache) Put(key string, size int) {
	c.m[key] = make([]byte, size)
}

type LRU struct {
	max   int
	order *list.List
	m     map[string]*list.Element
}

type entry struct {
	key string
	val []byte
}

func (c *LRU) Put(key string, size int) {
	c.m[key] = c.order.PushFront(&entry{key, make([]byte, size)})
	if c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.m, old.Value.(*entry).key)
	}
}

// loadTable builds the lookup table the service needs for its lifetime.
func loadTable() [][]byte {
	t := make([][]byte, 2048)
	for i := range t {
		t[i] = make([]byte, 4096)
	}
	return t
}

var (
	table = loadTable()
	cache = &Cache{m: map[string][]byte{}}
	twin  = &LRU{max: 256, order: list.New(), m: map[string]*list.Element{}}
)

func render(put func(string, int), i int) { put(fmt.Sprintf("/item?id=%d&req=%d", i%97, i), 4096) }

func main() {
	debug := harness.Listen()
	_ = table[0]
	harness.Phases([]string{"idle", "healthy", "loaded", "after"}, map[string]func(){
		"idle": func() { harness.Healthy() },
		"healthy": func() {
			for i := 0; i < requests; i++ {
				render(twin.Put, i)
			}
			harness.Healthy()
		},
		"loaded": func() {
			for i := 0; i < requests; i++ {
				render(cache.Put, i)
			}
			harness.Expect("heap_rule=heap-growing-structure", "site=main.(*Cache).Put",
				"entries="+strconv.Itoa(requests))
		},
		"after": func() {
			harness.Expect("heap_rule=heap-growing-structure", "site=main.(*Cache).Put",
				"entries="+strconv.Itoa(len(cache.m)))
		},
	})
	harness.Capture("heap")
	harness.Serve(debug)
}
