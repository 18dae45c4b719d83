package framework

import (
	"bufio"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRefuseTransferEncoding sends requests over a raw connection to a
// real server, each followed by a GET that a request smuggler would hide
// in the body, and checks the first answer's status and that the
// connection then closes, so that the hidden GET gets no answer.
func TestRefuseTransferEncoding(t *testing.T) {
	server := httptest.NewServer(RefuseTransferEncoding()(text("home")))
	defer server.Close()
	const hidden = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	tests := []struct {
		name       string
		raw        string
		want       int
		wantClosed bool
	}{
		{name: "Content-Length", raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", want: http.StatusOK},
		{name: "Content-Length and chunked: the smuggling case",
			raw:  "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 46\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
			want: http.StatusBadRequest, wantClosed: true},
		{name: "chunked", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
			want: http.StatusBadRequest, wantClosed: true},
		{name: "Chunked, with a body that is not chunked, and Content-Length",
			raw:  "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: Chunked\r\n\r\nhello",
			want: http.StatusBadRequest, wantClosed: true},
		// net/http answers these itself, before any handler runs: 501, and
		// it closes. RFC 9112 §6.3 asks for 400; that is Go's to change.
		{name: "chunked not last", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n",
			want: http.StatusNotImplemented, wantClosed: true},
		{name: "empty Transfer-Encoding with Content-Length", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\nContent-Length: 5\r\n\r\nhello",
			want: http.StatusNotImplemented, wantClosed: true},
		{name: "chunked and identity", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n",
			want: http.StatusNotImplemented, wantClosed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(server.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(5 * time.Second)) // a stall fails the test
			io.WriteString(conn, tc.raw+hidden)
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodPost})
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != tc.want || resp.Close != tc.wantClosed {
				t.Errorf("status %d, Connection: close = %v; want %d, %v", resp.StatusCode, resp.Close, tc.want, tc.wantClosed)
			}
			if !tc.wantClosed {
				return
			}
			if b, err := br.ReadByte(); !errors.Is(err, io.EOF) {
				t.Errorf("after the answer: read %q, %v; want the connection closed, no second answer", b, err)
			}
		})
	}
}
