// pq-tenants: a multi-tenant reporting API on PostgreSQL (lib/pq). Each
// tenant has its own connection settings (here: its application_name), so
// the service keeps a *sql.DB per tenant.
//
// leak: tenantDB calls sql.Open on every request and never closes the
// result: each call leaves database/sql's connectionOpener goroutine (and
// an idle PostgreSQL connection) behind, created by database/sql.OpenDB
// from the request's goroutine. 150 requests through 3 keep-alive
// connections. On Go 1.26+ the goroutineleak profile proves these: nothing
// references a dropped sql.DB.
// healthy: tenantDB caches one *sql.DB per tenant (4 tenants).
//
// Phases: idle (no tenant opened yet); loaded = mid-load, 100 of the 150
// requests done; after = all done.
package main

import (
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
	requests   = 150
	midLoad    = 100
	tenants    = 4
	frontConns = 3
)

type ReportService struct {
	dsn   string
	cache bool // the fix

	mu  sync.Mutex
	dbs map[string]*sql.DB
}

// tenantDB returns the database handle for one tenant.
func (s *ReportService) tenantDB(tenant string) (*sql.DB, error) {
	if !s.cache {
		return sql.Open("postgres", s.dsn+" application_name="+tenant)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if db, ok := s.dbs[tenant]; ok {
		return db, nil
	}
	db, err := sql.Open("postgres", s.dsn+" application_name="+tenant)
	if err != nil {
		return nil, err
	}
	s.dbs[tenant] = db
	return db, nil
}

func (s *ReportService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tenant := r.URL.Query().Get("tenant")
	db, err := s.tenantDB(tenant)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var app string
	var rows int
	err = db.QueryRowContext(r.Context(),
		"SELECT current_setting('application_name'), count(*) FROM generate_series(1, 40)").Scan(&app, &rows)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	fmt.Fprintf(w, "%s: %d rows\n", app, rows)
}

func main() {
	variant := harness.Variant("leak", "healthy")
	dsn := harness.Env("GORLEAK_PG_DSN")
	debug := harness.Listen()
	svc := &ReportService{dsn: dsn, cache: variant == "healthy", dbs: map[string]*sql.DB{}}

	ln := harness.Listen()
	go http.Serve(ln, svc)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: frontConns}}
	url := "http://" + ln.Addr().String() + "/report?tenant=tenant-"
	done := 0
	load := func(upTo int) {
		harness.Load(upTo-done, frontConns, func(i int) { harness.Get(client, url+strconv.Itoa((done+i)%tenants)) })
		done = upTo
	}

	const opener = "database/sql.(*DB).connectionOpener"
	opened := func() {
		if variant == "leak" {
			harness.Fact("rule=sql-db-per-call", opener, "select", done,
				"units="+strconv.Itoa(done), "gc_leak=1", "created_by=database/sql.OpenDB",
				"caller=main.(*ReportService).tenantDB", "library=database/sql.Open",
				"note=one per sql.DB opened by a request and dropped")
		} else {
			harness.Healthy()
			harness.Fact("role=background", opener, "select", tenants,
				"created_by=database/sql.OpenDB", "note=one cached DB per tenant")
		}
	}
	harness.Phases([]string{"idle", "loaded", "after"}, map[string]func(){
		"idle": func() {
			if variant == "leak" {
				harness.Expect("rule=sql-db-per-call", "count=0", "units=0", "site="+opener, "state=")
			} else {
				harness.Healthy()
			}
		},
		"loaded": func() {
			load(midLoad)
			opened()
		},
		"after": func() {
			load(requests)
			opened()
		},
	})
	harness.Serve(debug)
}
