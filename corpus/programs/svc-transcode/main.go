// svc-transcode: an audio upload service. POST /upload streams the request
// body through an io.Pipe into a checksum goroutine (one per request,
// main.(*Transcoder).checksum, reading the pipe with io.Copy) while the
// handler inspects the stream's header. 30 uploads are WAV files and
// complete; 29 are in a format the service refuses (415).
//
//	leak:    the refusal path returns without closing the pipe's writer, so
//	         29 checksum goroutines wait in io.(*pipe).read forever (select;
//	         GC-provably leaked: nothing else references the pipe)
//	healthy: the writer is closed on every path (CloseWithError); the
//	         reader sees the error and exits
package main

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"gorleakcorpus/harness"
)

const (
	accepted = 30
	refused  = 29
)

var errFormat = errors.New("unsupported audio format")

type Transcoder struct {
	closeOnError bool
}

type digest struct {
	sum string
	n   int64
	err error
}

// checksum hashes everything written to the pipe.
func (t *Transcoder) checksum(pr *io.PipeReader, out chan<- digest) {
	h := sha256.New()
	n, err := io.Copy(h, pr)
	out <- digest{fmt.Sprintf("%x", h.Sum(nil)), n, err}
}

func (t *Transcoder) Upload(w http.ResponseWriter, r *http.Request) {
	pr, pw := io.Pipe()
	sums := make(chan digest, 1)
	go t.checksum(pr, sums)

	err := t.stream(r.Body, pw)
	if t.closeOnError {
		pw.CloseWithError(err) // nil: a plain Close
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnsupportedMediaType)
		return
	}
	if !t.closeOnError {
		pw.Close()
	}
	d := <-sums
	fmt.Fprintf(w, "stored %d bytes sha256=%s\n", d.n, d.sum[:16])
}

// stream copies body into pw after checking the header.
func (t *Transcoder) stream(body io.Reader, pw *io.PipeWriter) error {
	head := make([]byte, 4)
	if _, err := io.ReadFull(body, head); err != nil {
		return err
	}
	if !bytes.Equal(head, []byte("RIFF")) {
		return errFormat
	}
	if _, err := pw.Write(head); err != nil {
		return err
	}
	_, err := io.Copy(pw, body)
	return err
}

func main() {
	variant := harness.Variant("leak", "healthy")
	debug := harness.Listen()
	t := &Transcoder{closeOnError: variant == "healthy"}
	mux := http.NewServeMux()
	mux.HandleFunc("/upload", t.Upload)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	harness.Must(err, "listen")
	go http.Serve(ln, mux)

	client := &http.Client{Timeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/upload"
	harness.Load(accepted+refused, 6, func(i int) {
		body, want := "RIFF....WAVEfmt "+strings.Repeat("\x00\x01", 512), http.StatusOK
		if total := accepted + refused; i*refused/total != (i+1)*refused/total { // spread the refusals out
			body, want = "ID3\x04 mp3 frames "+strings.Repeat("\xff\xfb", 512), http.StatusUnsupportedMediaType
		}
		resp, err := client.Post(url, "audio/wav", strings.NewReader(body))
		harness.Must(err, "POST /upload")
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			harness.Fail("upload %d: %s, want %d", i, resp.Status, want)
		}
	})

	if variant == "leak" {
		harness.Fact("rule=io-pipe-not-closed", "main.(*Transcoder).checksum", "select", refused,
			"created_by=main.(*Transcoder).Upload", "library=io.(*pipe).read", "gc_leak=1")
	} else {
		harness.Healthy()
		harness.Fact("role=background", "main.(*Transcoder).checksum", "select", 0)
	}
	harness.Serve(debug)
}
