// pq-indexer: a search indexer on PostgreSQL (lib/pq). POST /reindex queues
// documents; a fixed pool of 64 workers (started once by NewIndexer) takes
// them and refreshes each document's search vector through a database pool
// of 8 connections (SetMaxOpenConns(8), connections recycled every 5 min).
// Healthy: a saturated pool that drains.
//
// Phases: idle = workers waiting for jobs; loaded = 640 documents queued
// while PostgreSQL is slow (an advisory lock the program holds keeps the 8
// running statements waiting in the server): 8 workers wait inside their
// query (IO wait) and 56 wait in database/sql.(*DB).conn for a connection,
// the picture of an exhausted pool; after = PostgreSQL recovers (lock
// released) and the queue drains.
package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	_ "github.com/lib/pq"

	"gorleakcorpus/harness"
)

const (
	workers  = 64
	poolSize = 8
	docs     = 640
)

type Indexer struct {
	db      *sql.DB
	ctx     context.Context
	gate    string
	queue   chan int64
	pending sync.WaitGroup
}

func NewIndexer(ctx context.Context, db *sql.DB, gate string) *Indexer {
	ix := &Indexer{db: db, ctx: ctx, gate: gate, queue: make(chan int64, 4096)}
	for i := 0; i < workers; i++ {
		go ix.worker()
	}
	return ix
}

func (ix *Indexer) worker() {
	for id := range ix.queue {
		if err := ix.refresh(id); err != nil {
			fmt.Println("GORLEAK-ERROR refresh", id, err)
		}
		ix.pending.Done()
	}
}

// refresh recomputes one document's search vector.
func (ix *Indexer) refresh(id int64) error {
	var n int64
	return ix.db.QueryRowContext(ix.ctx,
		`WITH slow AS (SELECT `+ix.gate+` AS g)
		 UPDATE pqindexer_docs SET tsv = to_tsvector('simple', body) FROM slow WHERE id = $1 RETURNING id`, id).Scan(&n)
}

func (ix *Indexer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.URL.Query().Get("n"))
	for i := 0; i < n; i++ {
		ix.pending.Add(1)
		ix.queue <- int64(1 + i%200)
	}
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, "%d queued\n", n)
}

func setup(db *sql.DB) {
	harness.Exec(db,
		`CREATE TABLE IF NOT EXISTS pqindexer_docs (id bigint PRIMARY KEY, body text NOT NULL, tsv tsvector)`,
		`TRUNCATE pqindexer_docs`,
		`INSERT INTO pqindexer_docs (id, body) SELECT i, 'document number ' || i || ' about goroutines and pools' FROM generate_series(1, 200) i`,
	)
}

func main() {
	dsn := harness.Env("GORLEAK_PG_DSN")
	debug := harness.Listen()
	db, err := sql.Open("postgres", dsn+" application_name=indexer")
	harness.Must(err, "open")
	db.SetMaxOpenConns(poolSize)
	db.SetMaxIdleConns(poolSize)
	db.SetConnMaxLifetime(5 * time.Minute)
	setup(db)
	gate := harness.NewGate(db.Driver(), dsn, 7002)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	ix := NewIndexer(ctx, db, gate.SQL())

	ln := harness.Listen()
	go http.Serve(ln, ix)
	client := &http.Client{Timeout: 10 * time.Second}
	reindex := "http://" + ln.Addr().String() + "/reindex?n="

	const worker = "main.(*Indexer).worker"
	const refresh = "main.(*Indexer).refresh"
	pool := func() {
		harness.Fact("role=background", "database/sql.(*DB).connectionOpener", "select", 1, "created_by=database/sql.OpenDB")
		harness.Fact("role=background", "database/sql.(*DB).connectionCleaner", "select", 1,
			"created_by=database/sql.(*DB).startCleanerLocked", "note=SetConnMaxLifetime")
	}
	harness.Phases([]string{"idle", "loaded", "after"}, map[string]func(){
		"idle": func() {
			harness.Load(1, 1, func(int) { harness.Get(client, reindex+"200") })
			ix.pending.Wait()
			harness.Healthy()
			harness.Fact("role=background", worker, "chan receive", workers, "created_by=main.NewIndexer",
				"note=a fixed pool of 64 waiting for jobs")
			pool()
		},
		"loaded": func() {
			gate.Close()
			harness.Load(1, 1, func(int) { harness.Get(client, reindex+strconv.Itoa(docs)) })
			harness.Healthy()
			harness.FactWhere("role=background", refresh, "select", workers-poolSize,
				func(g harness.G) bool { return harness.AtSite(g, refresh) && g.Has("database/sql.(*DB).conn") },
				"created_by=main.NewIndexer", "library=database/sql.(*DB).QueryRowContext",
				"note=workers waiting for one of the 8 connections in database/sql.(*DB).conn: saturation, not a leak")
			harness.Fact("role=background", refresh, "IO wait", poolSize, "created_by=main.NewIndexer",
				"note=statements running, waiting inside PostgreSQL")
			harness.Fact("role=background", "github.com/lib/pq.(*conn).watchCancel.func1", "select", poolSize,
				"created_by=github.com/lib/pq.(*conn).watchCancel", "note=one per running statement on a cancellable context")
			pool()
		},
		"after": func() {
			gate.Open()
			ix.pending.Wait()
			harness.Healthy()
			harness.Fact("role=background", worker, "chan receive", workers, "created_by=main.NewIndexer")
			pool()
		},
	})
	harness.Serve(debug)
}
