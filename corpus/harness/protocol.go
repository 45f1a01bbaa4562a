package harness

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // the endpoints regen fetches: /debug/pprof/goroutine, goroutineleak, heap
	"os"
	"strings"
	"sync"
)

// phase is the phase being switched to while a /phase request runs; Expect
// prefixes its lines with it.
var (
	phaseMu sync.Mutex
	phase   string
)

// Expect prints one ground-truth line: "GORLEAK-EXPECT [phase=P] k=v ...".
func Expect(kv ...string) {
	if phase != "" {
		kv = append([]string{"phase=" + phase}, kv...)
	}
	fmt.Println("GORLEAK-EXPECT " + strings.Join(kv, " "))
}

// Fail prints GORLEAK-ERROR (regen then fails the run) and exits.
func Fail(format string, args ...any) {
	msg := "GORLEAK-ERROR " + fmt.Sprintf(format, args...)
	fmt.Println(msg)
	fmt.Fprintln(os.Stderr, msg)
	os.Exit(3)
}

// Must ends the program through Fail when err is not nil.
func Must(err error, what string) {
	if err != nil {
		Fail("%s: %v", what, err)
	}
}

// Listen opens a listener on a free loopback port: for pprof (its handlers
// are on http.DefaultServeMux) or for one of the program's own servers.
func Listen() net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	Must(err, "listen")
	return ln
}

// Ready prints GORLEAK-READY: every goroutine of the first phase is in place.
func Ready(ln net.Listener) { fmt.Printf("GORLEAK-READY addr=%s\n", ln.Addr()) }

// Serve prints READY and serves pprof on the calling goroutine (usually
// main), so the main goroutine is the debug server's accept loop rather
// than one more parked goroutine. It never returns.
func Serve(ln net.Listener) {
	Ready(ln)
	Fail("debug server: %v", http.Serve(ln, nil))
}

// Phases prints GORLEAK-PHASES and serves GET /phase?name=P: it runs P's
// switch (which must settle and print its Expect lines, each then starting
// with phase=P) and replies "ok". Call it before Serve.
func Phases(order []string, run map[string]func()) {
	for _, p := range order {
		if run[p] == nil {
			Fail("phase %q has no switch", p)
		}
	}
	fmt.Println("GORLEAK-PHASES " + strings.Join(order, ","))
	http.HandleFunc("/phase", func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name")
		f := run[name]
		if f == nil {
			http.Error(w, "unknown phase", http.StatusNotFound)
			return
		}
		phaseMu.Lock()
		defer phaseMu.Unlock()
		phase = name
		f()
		phase = ""
		fmt.Fprintln(w, "ok")
	})
}

// Env returns a setting regen passes to the program (the DSN of the
// PostgreSQL server it started, the Redis address…), or fails.
func Env(name string) string {
	v := os.Getenv(name)
	if v == "" {
		Fail("%s is not set: run the program through corpus/regen.sh, which starts the servers", name)
	}
	return v
}

// Variant returns which of a program's variants to run (GORLEAK_VARIANT,
// set by regen from the program's `variants` file), failing on any value
// not in allowed. A leak and its healthy twin are one program with two
// variants, so the dumps differ only by the shape under test.
func Variant(allowed ...string) string {
	v := os.Getenv("GORLEAK_VARIANT")
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	Fail("GORLEAK_VARIANT=%q: want one of %v", v, allowed)
	return ""
}
