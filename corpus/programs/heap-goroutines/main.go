// heap-goroutines: a goroutine leak as the heap profile sees it. Each
// request's main.fanOut starts three senders and takes the first answer;
// the other two block forever in chan send. 6,000 requests leave 12,000
// goroutines, and the heap holds one runtime.g (a few hundred bytes,
// allocated by runtime.malg under runtime.newproc1) for each goroutine that
// ever existed at once: the runtime reuses g structs and never frees them,
// so a heap that grows there means goroutines grew. Their stacks are not
// heap and show only in MemStats (StackInuse); the goroutine dump says
// which goroutines they are.
//
// Healthy twin (phase "healthy"): main.fanOutTwin gives each sender room in
// a buffered channel and waits for all three, so every goroutine ends with
// its request and the runtime keeps only as many g structs as were alive at
// once (about 16 requests x 4). A burst of thousands of short-lived
// goroutines would leave thousands of g structs too: the count is a
// high-water mark, which is why the rule points to a goroutine dump.
//
// The program samples every 32 KiB allocated (runtime.MemProfileRate), not
// every 512 KiB, so that structs of a few hundred bytes show in thousands.
package main

import (
	"runtime"
	"strconv"
	"sync"

	"gorleakcorpus/harness"
)

const requests = 6000

func answer(i int, out chan<- int) { out <- i }

// fanOut returns the first of three answers; the other senders leak.
func fanOut() int {
	out := make(chan int)
	for i := 0; i < 3; i++ {
		go answer(i, out)
	}
	return <-out
}

// fanOutTwin is fanOut with a buffer for every sender, and it waits for
// the senders it started.
func fanOutTwin() int {
	out := make(chan int, 3)
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			answer(i, out)
		}(i)
	}
	first := <-out
	wg.Wait()
	return first
}

func main() {
	runtime.MemProfileRate = 32 << 10
	debug := harness.Listen()
	harness.Phases([]string{"idle", "healthy", "loaded", "after"}, map[string]func(){
		"idle": func() { harness.Healthy() },
		"healthy": func() {
			harness.Load(requests, 16, func(int) { fanOutTwin() })
			harness.Healthy()
			harness.Fact("role=background", "main.answer", "", 0)
		},
		"loaded": func() {
			harness.Load(requests, 16, func(int) { fanOut() })
			harness.Expect("heap_rule=heap-goroutine-structs", "site=runtime.malg",
				"goroutines="+strconv.Itoa(2*requests))
			harness.Fact("rule=chan-send-blocked", "main.answer", "chan send", 2*requests,
				"created_by=main.fanOut")
		},
		"after": func() {
			harness.Expect("heap_rule=heap-goroutine-structs", "site=runtime.malg",
				"goroutines="+strconv.Itoa(2*requests))
			harness.Fact("rule=chan-send-blocked", "main.answer", "chan send", 2*requests,
				"created_by=main.fanOut")
		},
	})
	harness.Capture("heap")
	harness.Serve(debug)
}
