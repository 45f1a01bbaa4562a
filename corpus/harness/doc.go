// Package harness is what every corpus program shares: the pprof listener,
// the regen protocol (GORLEAK-EXPECT / GORLEAK-PHASES / GORLEAK-READY /
// GORLEAK-ERROR lines on stdout, see corpus/README.md), ground truth checked
// against the program's own runtime.Stack before it is printed, and small
// load helpers. A program is then only its shape and its healthy twin.
//
// Programs import it as "gorleakcorpus/harness" and are built in GOPATH mode
// (no go.mod): corpus/regen.sh puts this folder on GOPATH next to
// /usr/share/gocode, where Debian's Go libraries live.
//
// The ground truth must be exact: every Fact waits until the program's own
// goroutines show exactly the count it states, for a few polls in a row, and
// ends the program with GORLEAK-ERROR if that never happens.
package harness
