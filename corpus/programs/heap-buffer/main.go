// heap-buffer: a session log kept in a bytes.Buffer that is written to and
// never reset, and a strings.Builder report that only grows. Each growth
// allocates a buffer twice as large and drops the old one, so the site
// holds one ever larger buffer: 32 MB of messages leave a 32 MB-plus buffer
// in use under bytes.(*Buffer).Write and a 16 MB-plus one under
// strings.(*Builder).WriteString.
//
// Healthy twin (phase "healthy"): the same messages through a buffer that
// is flushed (Reset) after every message, and a Builder rebuilt per report.
package main

import (
	"bytes"
	"strings"

	"gorleakcorpus/harness"
)

const messages = 32768

type Session struct {
	log    bytes.Buffer
	report strings.Builder
}

var (
	leaky Session
	sink  int
)

// record appends a message to the session log; nothing ever flushes it.
func (s *Session) record(msg []byte) {
	s.log.Write(msg)
	s.report.WriteString(string(msg[:512]))
}

// recordTwin writes the message out and starts the next one empty.
func recordTwin(buf *bytes.Buffer, msg []byte) {
	buf.Write(msg)
	sink += buf.Len()
	buf.Reset()
	var b strings.Builder
	b.WriteString(string(msg[:512]))
	sink += b.Len()
}

func main() {
	debug := harness.Listen()
	msg := bytes.Repeat([]byte("x"), 1024)
	var twin bytes.Buffer
	harness.Phases([]string{"idle", "healthy", "loaded", "after"}, map[string]func(){
		"idle": func() { harness.Healthy() },
		"healthy": func() {
			for i := 0; i < messages; i++ {
				recordTwin(&twin, msg)
			}
			harness.Healthy()
		},
		"loaded": func() {
			for i := 0; i < messages; i++ {
				leaky.record(msg)
			}
			harness.Expect("heap_rule=heap-growing-buffer", "site=main.(*Session).record")
		},
		"after": func() {
			harness.Expect("heap_rule=heap-growing-buffer", "site=main.(*Session).record")
		},
	})
	harness.Capture("heap")
	harness.Serve(debug)
}
