package main

import (
	"fmt"
	"strings"
)

// The vocabulary of a large Go service: packages of the main module and of
// its dependencies, types, methods, closures and files, with the paths a
// build without -trimpath prints. Every function knows its file, where its
// body starts, which functions it calls (each from its own line) and how it
// blocks when it is the innermost user frame.

const goroot = "/usr/local/go/src/"

// Modules a service like this depends on: import path, and the directory
// its files are printed under when built in the golang Docker image
// (GOPATH=/go, the main module in /app). The main module is listed three
// times: most frames of a service are its own.
var modules = []struct{ path, dir string }{
	{"github.com/acme/orderservice", "/app"},
	{"github.com/acme/orderservice", "/app"},
	{"github.com/acme/orderservice", "/app"},
	{"github.com/acme/platform", "/go/pkg/mod/github.com/acme/platform@v1.42.0"},
	{"github.com/acme/payments-client", "/go/pkg/mod/github.com/acme/payments-client@v0.18.3"},
	{"google.golang.org/grpc", "/go/pkg/mod/google.golang.org/grpc@v1.62.1"},
	{"github.com/jackc/pgx/v5", "/go/pkg/mod/github.com/jackc/pgx/v5@v5.5.4"},
	{"github.com/redis/go-redis/v9", "/go/pkg/mod/github.com/redis/go-redis/v9@v9.5.1"},
	{"github.com/segmentio/kafka-go", "/go/pkg/mod/github.com/segmentio/kafka-go@v0.4.47"},
	{"go.opentelemetry.io/otel/sdk", "/go/pkg/mod/go.opentelemetry.io/otel/sdk@v1.24.0"},
	{"go.uber.org/zap", "/go/pkg/mod/go.uber.org/zap@v1.27.0"},
	{"github.com/aws/aws-sdk-go-v2/service/s3", "/go/pkg/mod/github.com/aws/aws-sdk-go-v2/service/s3@v1.51.4"},
}

var subdirs = []string{
	"internal/api", "internal/api/v2", "internal/store", "internal/store/pg", "internal/cache",
	"internal/billing", "internal/ledger", "internal/worker", "internal/queue", "internal/auth",
	"internal/session", "internal/ratelimit", "internal/notify", "internal/search", "internal/export",
	"internal/importer", "internal/scheduler", "internal/metrics", "internal/inventory",
	"internal/shipping", "internal/pricing", "internal/catalog", "internal/fraud", "internal/audit",
	"pkg/client", "pkg/retry", "pkg/pool", "pkg/stream", "pkg/codec", "pkg/health", "pkg/events",
	"transport", "internal/transport", "balancer", "pgconn", "pgxpool", "internal/pool", "protocol",
	"trace", "zapcore", "internal/resolver", "cmd/orderd", "internal/webhook", "internal/tenant",
}

var typeWords = []string{
	"Server", "Client", "Handler", "Store", "Repo", "Cache", "Worker", "Pool", "Queue",
	"Dispatcher", "Consumer", "Producer", "Manager", "Service", "Router", "Session", "Conn",
	"Batch", "Ledger", "Scheduler", "Reconciler", "Watcher", "Fetcher", "Syncer", "Broker",
	"Limiter", "Tracker", "Exporter", "Importer", "Resolver", "Balancer", "Stream", "Writer",
	"Reader", "Encoder", "Indexer", "Notifier", "Gateway", "Registry", "Controller",
}

var verbWords = []string{
	"Get", "Put", "Handle", "Serve", "Process", "Run", "loop", "dispatch", "fetch", "flush",
	"commit", "Apply", "Validate", "Decode", "Encode", "Lookup", "Refresh", "Sync", "Publish",
	"Subscribe", "Wait", "Close", "retry", "withTx", "Query", "Exec", "Send", "Recv", "poll",
	"drain", "acquire", "release", "Load", "Store", "Reconcile", "Watch", "Start", "Stop",
	"handleEvent", "processBatch", "writeLoop", "readLoop", "heartbeat", "Authorize", "Charge",
	"Reserve", "Ship", "Quote", "Index", "Search", "Export", "Import", "Schedule", "Notify",
}

var nounWords = []string{
	"Order", "Orders", "Item", "Cart", "Payment", "Invoice", "Refund", "Customer", "Account",
	"Tenant", "Token", "Event", "Message", "Record", "Row", "Batch", "Request", "Response",
	"Shipment", "Price", "Quote", "Stock", "Report", "Webhook", "Job", "Task", "Lease",
}

// How the innermost user frame waits: the goroutine's state and the
// standard-library frames Go 1.22's runtime.Stack prints above it.
type waitKind struct {
	state  string
	frames []stdFrame
}

type stdFrame struct {
	name, args, file string
	line             int
	pc               string // "" for an inlined frame
}

var waitKinds = []waitKind{
	{"chan receive", nil},
	{"chan receive", nil},
	{"chan send", nil},
	{"select", nil},
	{"select", nil},
	{"select", nil},
	{"IO wait", []stdFrame{
		{"internal/poll.runtime_pollWait", "(0x7f3a1c%06x, 0x72)", "runtime/netpoll.go", 345, "+0x85"},
		{"internal/poll.(*pollDesc).wait", "(0xc000%06x?, 0xc000%06x?, 0x0)", "internal/poll/fd_poll_runtime.go", 84, "+0x27"},
		{"internal/poll.(*pollDesc).waitRead", "(...)", "internal/poll/fd_poll_runtime.go", 89, ""},
		{"internal/poll.(*FD).Read", "(0xc000%06x, {0xc000%06x, 0x1000, 0x1000})", "internal/poll/fd_unix.go", 164, "+0x27a"},
		{"net.(*netFD).Read", "(0xc000%06x, {0xc000%06x?, 0x0?, 0x0?})", "net/fd_posix.go", 55, "+0x25"},
		{"net.(*conn).Read", "(0xc000%06x, {0xc000%06x?, 0x0?, 0x0?})", "net/net.go", 179, "+0x45"},
		{"bufio.(*Reader).fill", "(0xc000%06x)", "bufio/bufio.go", 110, "+0x103"},
	}},
	{"sync.Mutex.Lock", []stdFrame{
		{"sync.runtime_SemacquireMutex", "(0xc000%06x?, 0x0?, 0x3?)", "runtime/sema.go", 77, "+0x25"},
		{"sync.(*Mutex).lockSlow", "(0xc000%06x)", "sync/mutex.go", 171, "+0x15d"},
		{"sync.(*Mutex).Lock", "(...)", "sync/mutex.go", 90, ""},
	}},
	{"sync.RWMutex.RLock", []stdFrame{
		{"sync.runtime_SemacquireRWMutexR", "(0xc000%06x?, 0x0?, 0x0?)", "runtime/sema.go", 82, "+0x25"},
		{"sync.(*RWMutex).RLock", "(...)", "sync/rwmutex.go", 70, ""},
	}},
	{"semacquire", []stdFrame{
		{"sync.runtime_Semacquire", "(0xc000%06x?)", "runtime/sema.go", 62, "+0x25"},
		{"sync.(*WaitGroup).Wait", "(0xc000%06x?)", "sync/waitgroup.go", 116, "+0x48"},
	}},
	{"sync.Cond.Wait", []stdFrame{
		{"sync.runtime_notifyListWait", "(0xc000%06x, 0x%x)", "runtime/sema.go", 569, "+0x159"},
		{"sync.(*Cond).Wait", "(0xc000%06x?)", "sync/cond.go", 70, "+0x85"},
	}},
	{"sleep", []stdFrame{
		{"time.Sleep", "(0x%x)", "runtime/time.go", 195, "+0x125"},
	}},
}

type function struct {
	name    string
	file    string
	line    int   // first line of the body
	args    []int // the kind of each argument word (writer.args)
	objects int   // how many objects its pointer arguments range over
	inlined bool
	wait    int   // index into waitKinds when this is the innermost user frame
	callees []int // each called from line+1+2*index
	pc      []int // PC offset per call site and, last, of the wait
}

type vocab struct {
	funcs   []function
	entries []int // goroutine entry functions
}

func (f *function) callLine(i int) int { return f.line + 1 + 2*i }
func (f *function) waitLine() int      { return f.line + 1 + 2*len(f.callees) }

func pick[T any](r *rng, xs []T) T { return xs[r.intn(len(xs))] }

func newVocab(r *rng, nfuncs int) *vocab {
	v := &vocab{}
	type pkg struct{ path, dir string }
	var pkgs []pkg
	seen := map[string]bool{}
	for len(pkgs) < nfuncs/15+4 {
		m := pick(r, modules)
		sub := pick(r, subdirs)
		if r.intn(3) == 0 {
			sub += "/" + strings.ToLower(pick(r, nounWords))
		}
		p := m.path + "/" + sub
		if seen[p] {
			// a monolith this large repeats its directory names under new roots
			sub = fmt.Sprintf("%s/%s%d", sub, strings.ToLower(pick(r, typeWords)), len(pkgs))
			p = m.path + "/" + sub
		}
		seen[p] = true
		pkgs = append(pkgs, pkg{p, m.dir + "/" + sub})
	}
	names := map[string]bool{}
	for len(v.funcs) < nfuncs {
		p := pick(r, pkgs)
		typ := pick(r, nounWords) + pick(r, typeWords)
		if r.intn(3) == 0 {
			typ = pick(r, typeWords)
		}
		verb := pick(r, verbWords)
		if r.intn(2) == 0 {
			verb += pick(r, nounWords)
		}
		var name, file string
		switch k := r.intn(100); {
		case k < 50:
			name = fmt.Sprintf("%s.(*%s).%s", p.path, typ, verb)
		case k < 58:
			name = fmt.Sprintf("%s.%s.%s", p.path, typ, verb)
		case k < 78:
			name = fmt.Sprintf("%s.%s", p.path, verb)
		case k < 93:
			name = fmt.Sprintf("%s.(*%s).%s.func%d", p.path, typ, verb, 1+r.intn(4))
		case k < 97:
			name = fmt.Sprintf("%s.%s.func%d.%d", p.path, verb, 1+r.intn(3), 1+r.intn(3))
		default:
			name = fmt.Sprintf("%s.(*%s[...]).%s", p.path, typ, verb)
		}
		if names[name] {
			continue
		}
		names[name] = true
		if r.intn(4) == 0 {
			file = p.dir + "/" + strings.ToLower(verb) + ".go"
		} else {
			file = p.dir + "/" + snake(typ) + ".go"
		}
		f := function{name: name, file: file, line: 20 + r.intn(900),
			objects: 1 << r.intn(12), inlined: r.intn(12) == 0, wait: r.intn(len(waitKinds))}
		for n := r.intn(3); n > 0; n-- {
			f.args = append(f.args, r.intn(6))
		}
		v.funcs = append(v.funcs, f)
	}
	for i := range v.funcs {
		f := &v.funcs[i]
		n := 1 + r.intn(6)
		for j := 0; j < n; j++ {
			f.callees = append(f.callees, r.intn(len(v.funcs)))
			f.pc = append(f.pc, 0x1a+r.intn(0x600))
		}
		f.pc = append(f.pc, 0x1a+r.intn(0x600))
		if r.intn(8) == 0 {
			v.entries = append(v.entries, i)
		}
	}
	return v
}

func snake(s string) string {
	var b strings.Builder
	for i, c := range s {
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}
