package harness

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// childEnv names the role a re-executed program runs as.
const childEnv = "GORLEAK_CHILD"

// Child runs the program as a helper process when it was started as one by
// StartChild (the peers or upstream servers of the service under test, so
// that their goroutines stay out of the service's dumps, as they would in
// production). It returns at once in the main process. In a helper, serve
// (picked by role) answers each command line read on stdin with one reply
// line; the helper exits when stdin closes, i.e. when the main process is
// gone.
func Child(roles map[string]func(cmd string) string) {
	role := os.Getenv(childEnv)
	if role == "" {
		return
	}
	serve := roles[role]
	if serve == nil {
		fmt.Fprintf(os.Stderr, "unknown child role %q\n", role)
		os.Exit(2)
	}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		fmt.Println(serve(in.Text()))
	}
	os.Exit(0)
}

// Helper is a child process started by StartChild.
type Helper struct {
	role string
	in   io.Writer
	out  *bufio.Scanner
}

// helpers keeps every Helper reachable: a collected one would close its
// stdin pipe (the *os.File finalizer) and so end the child.
var helpers []*Helper

// StartChild re-executes the program as role (see Child). Its stdin and
// stdout are pipes without copying goroutines; regen's process-group kill
// and the closed stdin end it.
func StartChild(role string) *Helper {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), childEnv+"="+role)
	in, err := cmd.StdinPipe()
	Must(err, role+" stdin")
	out, err := cmd.StdoutPipe()
	Must(err, role+" stdout")
	cmd.Stderr = os.Stderr
	Must(cmd.Start(), "start "+role)
	h := &Helper{role: role, in: in, out: bufio.NewScanner(out)}
	helpers = append(helpers, h)
	return h
}

// Do sends one command and returns the reply line; a reply starting with
// "error" fails the program.
func (h *Helper) Do(cmd string) string {
	fmt.Fprintln(h.in, cmd)
	if !h.out.Scan() {
		Fail("%s %q: no reply (%v)", h.role, cmd, h.out.Err())
	}
	reply := h.out.Text()
	if strings.HasPrefix(reply, "error") {
		Fail("%s %q: %s", h.role, cmd, reply)
	}
	return reply
}
