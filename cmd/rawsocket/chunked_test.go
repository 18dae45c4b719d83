package main

import (
	"bufio"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// chunkedPost returns a POST / request with a chunked body, body being
// the chunked-body as sent, and the extra field lines given.
func chunkedPost(extra, body string) string {
	return "POST / HTTP/1.1\r\nHost: x\r\n" + extra + "Transfer-Encoding: chunked\r\n\r\n" + body
}

// chunkedTests are requests with Transfer-Encoding, and the status each
// must get from readRequest and readBody: http.StatusOK when they accept
// it (the cases of RFC 9112 §7.1 and of the conformance suites that found
// the gaps: h1spec, Http11Probe, http-garden).
func chunkedTests() []parseTest {
	return []parseTest{
		{name: "chunked", raw: chunkedPost("", "5\r\nhello\r\n0\r\n\r\n"), want: http.StatusOK},
		{name: "several chunks", raw: chunkedPost("", "5\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\n\r\n"), want: http.StatusOK},
		{name: "empty chunked body", raw: chunkedPost("", "0\r\n\r\n"), want: http.StatusOK},
		{name: "last chunk of zeros", raw: chunkedPost("", "000\r\n\r\n"), want: http.StatusOK},
		{name: "chunk extensions", raw: chunkedPost("", "5;ext=value\r\nhello\r\n0;last\r\n\r\n"), want: http.StatusOK},
		{name: "trailer section", raw: chunkedPost("", "5\r\nhello\r\n0\r\nX-Checksum: abc\r\n\r\n"), want: http.StatusOK},
		{name: "upper-case hex", raw: chunkedPost("", "A\r\n0123456789\r\n0\r\n\r\n"), want: http.StatusOK},
		{name: "Chunked in another case", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n", want: http.StatusOK},
		{name: "chunked, then a pipelined request", raw: chunkedPost("", "0\r\n\r\n") + get("/", ""), want: http.StatusOK},

		{name: "chunked not last", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", want: http.StatusBadRequest},
		{name: "empty Transfer-Encoding with Content-Length", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\nContent-Length: 5\r\n\r\nhello", want: http.StatusBadRequest},
		{name: "empty Transfer-Encoding", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n\r\n", want: http.StatusBadRequest},
		{name: "chunked then identity on two lines", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n0\r\n\r\n", want: http.StatusBadRequest},
		{name: "chunked twice", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", want: http.StatusBadRequest},
		{name: "a list with an empty member", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked\r\n\r\n0\r\n\r\n", want: http.StatusBadRequest},
		{name: "chunk size not hex", raw: chunkedPost("", "x\r\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "chunk size with a sign", raw: chunkedPost("", "+5\r\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "chunk size with 0x", raw: chunkedPost("", "0x5\r\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "space before an extension", raw: chunkedPost("", "5 ;ext\r\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "empty chunk size", raw: chunkedPost("", "\r\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "chunk data longer than its size", raw: chunkedPost("", "3\r\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "chunk data without CRLF", raw: chunkedPost("", "5\r\nhello0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "bare LF after a chunk size", raw: chunkedPost("", "5\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "no last chunk", raw: chunkedPost("", "5\r\nhello\r\n"), want: http.StatusBadRequest},
		{name: "no end of the trailer section", raw: chunkedPost("", "0\r\nX-A: b\r\n"), want: http.StatusBadRequest},
		{name: "malformed trailer field", raw: chunkedPost("", "0\r\nX-A b\r\n\r\n"), want: http.StatusBadRequest},
		{name: "cut short and stalled", raw: chunkedPost("", "5\r\nhel"), stall: true, want: http.StatusRequestTimeout},
		{name: "a chunk over the body limit", raw: chunkedPost("", "10001\r\n"), want: http.StatusRequestEntityTooLarge},
		{name: "chunks over the body limit together", raw: chunkedPost("", "8000\r\n"+strings.Repeat("a", 0x8000)+"\r\n8001\r\n"), want: http.StatusRequestEntityTooLarge},
		{name: "chunk size overflowing int64", raw: chunkedPost("", "fffffffffffffffff\r\n"), want: http.StatusRequestEntityTooLarge},
		{name: "chunk line over the field limit", raw: chunkedPost("", "5;"+strings.Repeat("e", defaultMaxFieldBytes-1)+"\r\nhello\r\n0\r\n\r\n"), want: http.StatusBadRequest},
		{name: "chunk line at the field limit", raw: chunkedPost("", "5;"+strings.Repeat("e", defaultMaxFieldBytes-2)+"\r\nhello\r\n0\r\n\r\n"), want: http.StatusOK},
		{name: "chunked body at the body limit", raw: chunkedPost("", fmt.Sprintf("%x\r\n", defaultMaxBodyBytes)+strings.Repeat("a", defaultMaxBodyBytes)+"\r\n0\r\n\r\n"), want: http.StatusOK},
		{name: "trailer field over the field limit", raw: chunkedPost("", "0\r\nX-A: "+strings.Repeat("b", defaultMaxFieldBytes)+"\r\n\r\n"), want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "too many trailer fields", raw: chunkedPost("", "0\r\n"+strings.Repeat("X-A: b\r\n", defaultMaxFields+1)+"\r\n"), want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "too many trailer fields, all of them framing fields", raw: chunkedPost("", "0\r\n"+strings.Repeat("Host: x\r\n", defaultMaxFields+1)+"\r\n"), want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "trailer fields at the limit", raw: chunkedPost("", "0\r\n"+strings.Repeat("X-A: b\r\n", defaultMaxFields)+"\r\n"), want: http.StatusOK},
		{name: "trailer section over the header limit", raw: chunkedPost("", "0\r\n"+strings.Repeat("X-A: "+strings.Repeat("b", 1000)+"\r\n", defaultMaxHeaderBytes/1000+1)+"\r\n"), want: http.StatusRequestHeaderFieldsTooLarge},
		{name: "gzip then chunked", raw: "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", want: http.StatusNotImplemented},
		{name: "Transfer-Encoding and Content-Length", raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: http.StatusBadRequest},
		{name: "Transfer-Encoding in HTTP/1.0", raw: "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", want: http.StatusBadRequest},
	}
}

// TestReadChunkedBody checks what a chunked request reads as: the body
// joined from its chunks, Content-Length unknown (-1, as net/http has
// it), and the header unchanged by the trailer's fields, which are read
// and discarded.
func TestReadChunkedBody(t *testing.T) {
	raw := chunkedPost("", "5;x=y\r\nhello\r\n6\r\n world\r\n0\r\n"+
		"X-Checksum: abc\r\nContent-Length: 99\r\nTransfer-Encoding: gzip\r\nHost: evil\r\nAuthorization: Basic eA==\r\nContent-Type: text/evil\r\n\r\n")
	br := bufio.NewReader(strings.NewReader(raw))
	r, err := readRequest(br, defaultLimits())
	if err == nil {
		err = readBody(br, r, defaultLimits())
	}
	if err != nil {
		t.Fatal(err)
	}
	if string(r.body) != "hello world" || r.contentLength != -1 || !r.chunked() {
		t.Errorf("body %q, Content-Length %d, chunked %v; want %q, -1, true", r.body, r.contentLength, r.chunked(), "hello world")
	}
	if got := r.values("host"); len(got) != 1 || got[0] != "x" {
		t.Errorf("Host after the trailer: %q, want the header's x", got)
	}
}
