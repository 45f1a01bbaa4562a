package harness

import (
	"fmt"
	"strings"
)

// Capture tells regen which profiles to fetch at each phase (call it before
// Serve). "heap": the goroutine profile in both forms (?debug=1 and
// protobuf, one right after the other: the same moment), the heap profile
// in protobuf form after a GC (?gc=1), and at the last phase also its
// debug=1 text; no debug=2 or SIGQUIT dumps, which a program holding
// thousands of goroutines would make large. With "debug2" after the kind,
// the last phase also gets ?debug=2, stored gzipped. Without a Capture line
// regen fetches the goroutine dumps of corpus/README.md.
func Capture(kind string, extra ...string) {
	fmt.Println("GORLEAK-CAPTURE " + strings.Join(append([]string{kind}, extra...), " "))
}
