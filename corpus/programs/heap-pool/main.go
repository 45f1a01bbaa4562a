// heap-pool: a sync.Pool of 64 KiB scratch buffers used wrongly. Each
// request takes a buffer, renders into it and keeps it in a list of recent
// responses instead of putting it back (or, the same to the heap, puts it
// back while still holding it: the GC then drops the pool's copy and New
// allocates again). A pool only saves allocations for objects that come
// back, so main.newBuffer allocates on every request: 600 requests leave
// about 38 MB in use under sync.(*Pool).Get, all it ever allocated.
//
// Healthy twin (phase "healthy"): main.renderTwin copies the little it
// keeps and puts the buffer back; a few buffers serve every request.
package main

import (
	"sync"

	"gorleakcorpus/harness"
)

const requests = 600

func newBuffer() any { return make([]byte, 64<<10) }

var pool = sync.Pool{New: newBuffer}

var recent [][]byte

// render uses a pooled buffer and keeps it (the bug): it never goes back.
func render(i int) {
	buf := pool.Get().([]byte)
	buf[0] = byte(i)
	recent = append(recent, buf)
}

var kept [][]byte

// renderTwin keeps a copy of the little it needs.
func renderTwin(i int) {
	buf := pool.Get().([]byte)
	buf[0] = byte(i)
	kept = append(kept[:0], append([]byte(nil), buf[:16]...))
	pool.Put(buf)
}

func main() {
	debug := harness.Listen()
	harness.Phases([]string{"idle", "healthy", "loaded", "after"}, map[string]func(){
		"idle": func() { harness.Healthy() },
		"healthy": func() {
			for i := 0; i < requests; i++ {
				renderTwin(i)
			}
			harness.Healthy()
		},
		"loaded": func() {
			var mu sync.Mutex
			harness.Load(requests, 8, func(i int) {
				mu.Lock()
				defer mu.Unlock()
				render(i)
			})
			harness.Expect("heap_rule=heap-pool-objects-held", "site=main.newBuffer")
		},
		"after": func() { harness.Expect("heap_rule=heap-pool-objects-held", "site=main.newBuffer") },
	})
	harness.Capture("heap")
	harness.Serve(debug)
}
