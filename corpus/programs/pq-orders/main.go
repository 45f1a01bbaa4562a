// pq-orders: an order-status API on PostgreSQL (lib/pq) with a pool of 8
// connections. GET /orders/latest?customer=C looks up the customer's latest
// order (a query on the service's own context, so that a slow database is
// not retried by every impatient client) and records an audit row in the
// background with db.Exec.
//
// leak: (*OrderStore).latestOrder returns from inside the rows loop without
// rows.Close(). The first 8 requests keep their connections for good (each
// with database/sql's awaitDone goroutine and lib/pq's cancel watcher); the
// pool is exhausted and every later request waits in database/sql.(*DB).conn
// forever, as do the audits of the first 8. Clients time out after 1 s; the
// handlers stay.
// healthy: `defer rows.Close()`.
//
// Phases: idle; loaded = 44 requests caught mid-load while PostgreSQL is
// slow (an advisory lock the program holds keeps the first 8 queries
// running; 36 handlers wait for a connection; their clients have given up):
// the same picture in both variants; after = PostgreSQL recovers (lock
// released) and 70 more requests arrive. The healthy twin drains; the leak
// keeps 8 held rows and 106 waiting handlers.
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	_ "github.com/lib/pq"

	"gorleakcorpus/harness"
)

const (
	poolSize   = 8
	firstWave  = 44
	secondWave = 70
	customers  = 40
)

type Order struct {
	ID     int64
	Status string
}

type OrderStore struct {
	db     *sql.DB
	ctx    context.Context // the service's lifetime: cancelled on shutdown
	gate   string
	closes bool // the fix
}

var errNoOrders = errors.New("no orders")

// latestOrder returns the customer's most recent order that is not
// cancelled.
func (s *OrderStore) latestOrder(customer int) (Order, error) {
	rows, err := s.db.QueryContext(s.ctx,
		`WITH slow AS (SELECT `+s.gate+` AS g)
		 SELECT id, status FROM pqorders_orders, slow WHERE customer = $1 ORDER BY id DESC`, customer)
	if err != nil {
		return Order{}, err
	}
	if s.closes {
		defer rows.Close()
	}
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Status); err != nil {
			return Order{}, err
		}
		if o.Status != "cancelled" {
			return o, nil
		}
	}
	return Order{}, errNoOrders
}

type OrderService struct {
	store *OrderStore
	db    *sql.DB
}

func (s *OrderService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	customer, _ := strconv.Atoi(r.URL.Query().Get("customer"))
	o, err := s.store.latestOrder(customer)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	go s.audit(customer, o.ID)
	fmt.Fprintf(w, "order %d: %s\n", o.ID, o.Status)
}

func (s *OrderService) audit(customer int, order int64) {
	s.db.Exec("INSERT INTO pqorders_audit (customer, order_id) VALUES ($1, $2)", customer, order)
}

func setup(db *sql.DB) {
	harness.Exec(db,
		`CREATE TABLE IF NOT EXISTS pqorders_orders (id serial PRIMARY KEY, customer int NOT NULL, status text NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS pqorders_audit (customer int, order_id bigint, at timestamptz DEFAULT now())`,
		`TRUNCATE pqorders_orders, pqorders_audit`,
		`INSERT INTO pqorders_orders (customer, status)
		 SELECT i % 40, CASE WHEN i % 7 = 0 THEN 'cancelled' ELSE 'shipped' END FROM generate_series(1, 400) i`,
	)
}

func main() {
	variant := harness.Variant("leak", "healthy")
	dsn := harness.Env("GORLEAK_PG_DSN")
	debug := harness.Listen()

	db, err := sql.Open("postgres", dsn+" application_name=orders")
	harness.Must(err, "open")
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	setup(db)
	gate := harness.NewGate(db.Driver(), dsn, 7003)
	ctx, shutdown := context.WithCancel(context.Background())
	defer shutdown()
	store := &OrderStore{db: db, ctx: ctx, gate: gate.SQL(), closes: variant == "healthy"}

	ln := harness.Listen()
	go http.Serve(ln, &OrderService{store: store, db: db})
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	url := "http://" + ln.Addr().String() + "/orders/latest?customer="
	// A client that gives up after a second, as browsers and proxies do.
	get := func(i int) {
		resp, err := client.Get(url + strconv.Itoa(i%customers))
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}
	// wave sends n requests at once and returns when every client has its
	// answer or has given up.
	wave := func(n int) { harness.Load(n, n, get) }

	const lookup, audit = "main.(*OrderStore).latestOrder", "main.(*OrderService).audit"
	inConn := func(fn string) func(harness.G) bool {
		return func(g harness.G) bool { return harness.AtSite(g, fn) && g.Has("database/sql.(*DB).conn") }
	}
	common := func() {
		harness.Fact("role=background", "database/sql.(*DB).connectionOpener", "select", 1, "created_by=database/sql.OpenDB")
	}
	harness.Phases([]string{"idle", "loaded", "after"}, map[string]func(){
		"idle": func() {
			if variant == "leak" {
				harness.Expect("rule=sql-pool-exhausted", "count=0", "site="+lookup, "state=")
				harness.Expect("rule=sql-rows-not-closed", "count=0", "site=database/sql.(*Rows).awaitDone", "state=")
			} else {
				harness.Healthy()
			}
			common()
		},
		"loaded": func() {
			gate.Close()
			wave(firstWave)
			if variant == "leak" {
				// Not yet: the pool is saturated by slow queries, as in the
				// healthy twin (the waiting handlers' line is below).
				harness.Expect("rule=sql-rows-not-closed", "count=0", "site=database/sql.(*Rows).awaitDone", "state=")
			} else {
				harness.Healthy()
			}
			harness.FactWhere("role=background", lookup, "select", firstWave-poolSize, inConn(lookup),
				"created_by=net/http.(*Server).Serve", "note=handlers waiting for a pool connection in database/sql.(*DB).conn")
			harness.Fact("role=background", lookup, "IO wait", poolSize,
				"created_by=net/http.(*Server).Serve", "note=queries running: waiting inside PostgreSQL")
			harness.Fact("role=background", "github.com/lib/pq.(*conn).watchCancel.func1", "select", poolSize,
				"created_by=github.com/lib/pq.(*conn).watchCancel", "note=one per running query on a cancellable context")
			common()
		},
		"after": func() {
			gate.Open()
			harness.Load(secondWave, 14, get)
			if variant == "leak" {
				stuck := firstWave + secondWave - poolSize
				harness.FactWhere("rule=sql-pool-exhausted", lookup, "select", stuck, inConn(lookup),
					"created_by=net/http.(*Server).Serve", "library=database/sql.(*DB).QueryContext",
					"note=handlers waiting for a connection that unclosed rows hold")
				harness.FactWhere("rule=sql-pool-exhausted", audit, "select", poolSize, inConn(audit),
					"created_by=main.(*OrderService).ServeHTTP", "library=database/sql.(*DB).Exec",
					"note=the audits of the 8 requests that got a connection")
				harness.Fact("rule=sql-rows-not-closed", "database/sql.(*Rows).awaitDone", "select", poolSize,
					"units="+strconv.Itoa(poolSize), "created_by=database/sql.(*Rows).initContextClose",
					"caller="+lookup, "library=database/sql.(*DB).QueryContext")
				harness.Fact("role=companion", "github.com/lib/pq.(*conn).watchCancel.func1", "select", poolSize,
					"created_by=github.com/lib/pq.(*conn).watchCancel", "note=lib/pq's cancel watcher of each unclosed rows")
			} else {
				harness.Healthy()
				harness.Fact("role=background", lookup, "", 0)
				harness.Fact("role=background", audit, "", 0)
			}
			common()
		},
	})
	harness.Serve(debug)
}
