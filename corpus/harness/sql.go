package harness

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
)

// Exec runs a program's set-up statements (schema, test data) in order.
func Exec(db *sql.DB, stmts ...string) {
	for _, q := range stmts {
		_, err := db.Exec(q)
		Must(err, q)
	}
}

// PGGate holds requests in flight inside PostgreSQL on demand, so that a
// phase can catch them mid-load with exact counts: it holds an advisory
// lock on a connection of its own, and queries that take the shared lock
// (that select the expression SQL returns) wait in the server until Open.
// The connection comes straight from the driver, without a sql.DB, so the
// gate adds no goroutine to the dump.
type PGGate struct {
	conn driver.Conn
	key  int64
}

// NewGate connects to dsn through drv (the program's *sql.DB Driver()).
func NewGate(drv driver.Driver, dsn string, key int64) *PGGate {
	c, err := drv.Open(dsn)
	Must(err, "gate connection")
	return &PGGate{conn: c, key: key}
}

// SQL is the expression a gated query selects: it waits while the gate is
// closed and holds nothing after its statement ends.
func (g *PGGate) SQL() string { return fmt.Sprintf("pg_advisory_xact_lock_shared(%d)", g.key) }

// Close makes gated queries wait; Open lets them (and later ones) through.
func (g *PGGate) Close() { g.exec("SELECT pg_advisory_lock(%d)") }
func (g *PGGate) Open()  { g.exec("SELECT pg_advisory_unlock(%d)") }

func (g *PGGate) exec(format string) {
	q := fmt.Sprintf(format, g.key)
	ex, ok := g.conn.(driver.ExecerContext)
	if !ok {
		Fail("gate: driver connection cannot Exec")
	}
	_, err := ex.ExecContext(context.Background(), q, nil)
	Must(err, q)
}
