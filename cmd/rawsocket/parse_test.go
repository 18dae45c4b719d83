package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"maps"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// parseTest is one row of parseTests or hardeningTests: raw request bytes
// and the status the server answers them with, http.StatusOK for a request
// it accepts.
type parseTest struct {
	name  string
	raw   string
	stall bool // after raw, the reader fails as if a read deadline passed
	want  int
}

// get returns a GET request for target with Host: x and extra, a string of
// field lines each ending in CRLF.
func get(target, extra string) string {
	return "GET " + target + " HTTP/1.1\r\nHost: x\r\n" + extra + "\r\n"
}

// withLength returns a POST / request with Content-Length: length and body.
func withLength(length, body string) string {
	return "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n" + body
}

// parseTests lists requests for every rule of the textbook path in
// parse.go, each with the status the server answers it with. The rules of
// hardening.go have their own list, hardeningTests.
func parseTests() []parseTest {
	return []parseTest{
		// Requests the server accepts.
		{name: "origin-form GET", raw: "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", want: http.StatusOK},
		{name: "HEAD with query", raw: "HEAD /hello?name=x HTTP/1.1\r\nHost: localhost:8000\r\n\r\n", want: http.StatusOK},
		{name: "POST with body", raw: withLength("5", "hello"), want: http.StatusOK},
		{name: "GET with body", raw: "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", want: http.StatusOK},
		{name: "zero Content-Length", raw: withLength("0", ""), want: http.StatusOK},
		{name: "HTTP/1.0 with Host", raw: "GET / HTTP/1.0\r\nHost: x\r\n\r\n", want: http.StatusOK},
		{name: "lower-case field names", raw: "GET / HTTP/1.1\r\nhost: x\r\ncontent-length: 0\r\n\r\n", want: http.StatusOK},
		{name: "OWS around value", raw: "GET / HTTP/1.1\r\nHost:\t x \t\r\nX-Empty:\r\n\r\n", want: http.StatusOK},
		{name: "repeated field", raw: get("/", "Accept: a\r\nAccept: b\r\n"), want: http.StatusOK},

		// 400 Bad Request: an incomplete message.
		{name: "empty input", raw: "", want: http.StatusBadRequest},
		{name: "EOF in request line", raw: "GET / HTTP/1.1", want: http.StatusBadRequest},
		{name: "EOF after CR", raw: "GET / HTTP/1.1\r", want: http.StatusBadRequest},
		{name: "EOF in header section", raw: "GET / HTTP/1.1\r\nHost: x\r\n", want: http.StatusBadRequest},
		{name: "EOF in body", raw: withLength("10", "abc"), want: http.StatusBadRequest},

		// 400 Bad Request: a malformed request line (RFC 9112 §3).
		{name: "HTTP/0.9 request line", raw: "GET /\r\n\r\n", want: http.StatusBadRequest},
		{name: "missing target", raw: "GET HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "two spaces", raw: "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "trailing space", raw: "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "tab separator", raw: "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "leading empty line", raw: "\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},

		// 400 Bad Request: bad line endings (RFC 9112 §2.2).
		{name: "bare LF", raw: "GET / HTTP/1.1\nHost: x\n\n", want: http.StatusBadRequest},
		{name: "bare LF after field", raw: "GET / HTTP/1.1\r\nHost: x\n\r\n", want: http.StatusBadRequest},
		{name: "bare CR in request line", raw: "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", want: http.StatusBadRequest},
		{name: "bare CR in field value", raw: get("/", "X-A: a\rb\r\n"), want: http.StatusBadRequest},
		{name: "CR CR LF", raw: get("/", "X-A: a\r\r\n"), want: http.StatusBadRequest},

		// 400 Bad Request: Content-Length (RFC 9110 §8.6, RFC 9112 §6.3).
		{name: "two equal Content-Lengths", raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", want: http.StatusBadRequest},
		{name: "two different Content-Lengths", raw: "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", want: http.StatusBadRequest},

		// 408 Request Timeout: a read deadline passed mid-request.
		{name: "stall in request line", raw: "GET / HT", stall: true, want: http.StatusRequestTimeout},
		{name: "stall in header section", raw: "GET / HTTP/1.1\r\nHost: x\r\n", stall: true, want: http.StatusRequestTimeout},
		{name: "stall in body", raw: withLength("10", "abc"), stall: true, want: http.StatusRequestTimeout},
	}
}

// reader returns a reader of tc.raw that, if tc.stall is set, then fails
// as a connection does when its read deadline passes.
func (tc parseTest) reader() io.Reader {
	if tc.stall {
		return io.MultiReader(strings.NewReader(tc.raw), iotest.ErrReader(os.ErrDeadlineExceeded))
	}
	return strings.NewReader(tc.raw)
}

// parse reads one request and its body from rd within lim, as the server
// does, and returns them with the status the server answers with:
// http.StatusOK if it accepts the request. It returns -1 for an error that
// is not a *requestError, which is a bug.
func parse(rd io.Reader, lim limits) (*request, int) {
	br := bufio.NewReader(rd)
	r, err := readRequest(br, lim)
	if err == nil {
		err = readBody(br, r, lim)
	}
	var reqErr *requestError
	switch {
	case err == nil:
		return r, http.StatusOK
	case errors.As(err, &reqErr) && statusText(reqErr.status) != "":
		return r, reqErr.status
	}
	return r, -1
}

// TestReadRequest checks that readRequest and readBody answer each row of
// parseTests, hardeningTests and chunkedTests with its status, whether
// the request comes all at once or one byte at a time.
func TestReadRequest(t *testing.T) {
	for _, tc := range slices.Concat(parseTests(), hardeningTests(), chunkedTests()) {
		t.Run(tc.name, func(t *testing.T) {
			if _, got := parse(tc.reader(), defaultLimits()); got != tc.want {
				t.Errorf("%.80q: status = %d, want %d", tc.raw, got, tc.want)
			}
			if _, got := parse(iotest.OneByteReader(tc.reader()), defaultLimits()); got != tc.want {
				t.Errorf("%.80q one byte at a time: status = %d, want %d", tc.raw, got, tc.want)
			}
		})
	}
}

func TestReadRequestFields(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want request
	}{
		{
			name: "origin-form",
			raw:  "POST /login?next=%2F HTTP/1.1\r\nHost: localhost:8000\r\nContent-Type:  text/plain \r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 2\r\n\r\nhi",
			want: request{
				method: "POST", target: "/login?next=%2F", path: "/login", query: "next=%2F", proto: "HTTP/1.1",
				header: []field{
					{"host", "localhost:8000"}, {"content-type", "text/plain"},
					{"x-a", "1"}, {"x-a", "2"}, {"content-length", "2"},
				},
				contentLength: 2, body: []byte("hi"),
			},
		},
		{
			name: "absolute-form",
			raw:  "GET http://example.com?q HTTP/1.0\r\n\r\n",
			want: request{
				method: "GET", target: "http://example.com?q", path: "/", query: "q", proto: "HTTP/1.0",
				body: []byte{},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, status := parse(strings.NewReader(tc.raw), defaultLimits())
			if status != http.StatusOK {
				t.Fatalf("%q: status = %d, want %d", tc.raw, status, http.StatusOK)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("%q:\n got %+v\nwant %+v", tc.raw, *got, tc.want)
			}
		})
	}
}

// FuzzParseRequest checks that readRequest and readBody never panic, fail
// only with a *requestError, and accept nothing that net/http's
// http.ReadRequest rejects or reads differently: same method, target,
// version, query, Host, header fields and body.
//
// It uses small limits, so that short inputs reach every limit and memory
// stays bounded, and is seeded with the rows of parseTests and
// hardeningTests up to 1 KiB; the longer rows, which test the default
// limits, would slow the fuzzer down.
func FuzzParseRequest(f *testing.F) {
	for _, tc := range slices.Concat(parseTests(), hardeningTests(), chunkedTests()) {
		if len(tc.raw) <= 1<<10 {
			f.Add([]byte(tc.raw))
		}
	}
	lim := limits{maxTargetBytes: 100, maxFieldBytes: 100, maxHeaderBytes: 300, maxFields: 10, maxBodyBytes: 100}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ours, status := parse(bytes.NewReader(raw), lim)
		if status == -1 {
			t.Fatalf("%.200q: error is not a *requestError with a known status", raw)
		}
		if status != http.StatusOK {
			return
		}

		theirsReader := bufio.NewReader(bytes.NewReader(raw))
		theirs, err := http.ReadRequest(theirsReader)
		if err != nil {
			t.Fatalf("%.200q: we accept, http.ReadRequest fails: %v", raw, err)
		}
		body, err := io.ReadAll(theirs.Body)
		if err != nil {
			t.Fatalf("%.200q: we accept, reading the body with net/http fails: %v", raw, err)
		}
		// Keep-alive (RFC 9112 §9.3): net/http's Close is our !keepAlive.
		if keepAlive(ours) == theirs.Close {
			t.Errorf("%.200q: keep alive = %v, net/http says Close = %v", raw, keepAlive(ours), theirs.Close)
		}
		// Pipelining: when raw is exactly one request, as net/http reads
		// it, the same request sent twice on one connection reads as two.
		if _, err := theirsReader.Peek(1); errors.Is(err, io.EOF) {
			br := bufio.NewReader(bytes.NewReader(slices.Concat(raw, raw)))
			for i := range 2 {
				again, err := readRequest(br, lim)
				if err == nil {
					err = readBody(br, again, lim)
				}
				if err != nil || again.method != ours.method || again.target != ours.target || !bytes.Equal(again.body, ours.body) {
					t.Errorf("%.200q sent twice: request %d reads as %q %q %q, %v", raw, i+1, again.method, again.target, again.body, err)
				}
			}
			if br.Buffered() != 0 {
				t.Errorf("%.200q sent twice: %d bytes left after two requests", raw, br.Buffered())
			}
		}
		if ours.method != theirs.Method || ours.target != theirs.RequestURI || ours.proto != theirs.Proto {
			t.Errorf("%.200q: request line = %q %q %q, net/http has %q %q %q",
				raw, ours.method, ours.target, ours.proto, theirs.Method, theirs.RequestURI, theirs.Proto)
		}
		if ours.query != theirs.URL.RawQuery {
			t.Errorf("%.200q: query = %q, net/http has %q", raw, ours.query, theirs.URL.RawQuery)
		}
		if ours.contentLength != theirs.ContentLength || !bytes.Equal(ours.body, body) {
			t.Errorf("%.200q: body = %d bytes %.200q, net/http has %d bytes %.200q",
				raw, ours.contentLength, ours.body, theirs.ContentLength, body)
		}
		header := make(http.Header)
		for _, f := range ours.header {
			header.Add(f.name, f.value)
		}
		// http.ReadRequest moves Host from the header to Request.Host, where
		// the absolute-form's authority overrides it (RFC 9112 §3.2.2).
		if host := header.Get("Host"); strings.HasPrefix(ours.target, "/") && host != theirs.Host {
			t.Errorf("%.200q: Host = %q, net/http has %q", raw, host, theirs.Host)
		}
		header.Del("Host")
		// http.ReadRequest moves Transfer-Encoding to Request.TransferEncoding.
		if ours.chunked() != slices.Equal(theirs.TransferEncoding, []string{"chunked"}) {
			t.Errorf("%.200q: chunked = %v, net/http has Transfer-Encoding %q", raw, ours.chunked(), theirs.TransferEncoding)
		}
		header.Del("Transfer-Encoding")
		if _, ok := header["Cache-Control"]; !ok && header.Get("Pragma") == "no-cache" {
			// http.ReadRequest adds Cache-Control: no-cache for
			// HTTP/1.0 caches (RFC 9111 §5.4).
			header.Set("Cache-Control", "no-cache")
		}
		if !maps.EqualFunc(header, theirs.Header, slices.Equal) {
			t.Errorf("%.200q: header = %q, net/http has %q", raw, header, theirs.Header)
		}
	})
}

// browserRequest is what a browser sends for a page: the request the
// parser meets most.
const browserRequest = "GET /hello?name=ada HTTP/1.1\r\n" +
	"Host: 127.0.0.1:8000\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Connection: keep-alive\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-Site: none\r\n" +
	"Sec-Fetch-User: ?1\r\n" +
	"\r\n"

// BenchmarkParseRequest measures the hand-written parser on a typical
// browser request, beside net/http's http.ReadRequest on the same bytes.
func BenchmarkParseRequest(b *testing.B) {
	reader := strings.NewReader(browserRequest)
	br := bufio.NewReader(reader)
	b.Run("parser=rawsocket", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reader.Reset(browserRequest)
			br.Reset(reader)
			if _, err := readRequest(br, defaultLimits()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parser=nethttp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			reader.Reset(browserRequest)
			br.Reset(reader)
			if _, err := http.ReadRequest(br); err != nil {
				b.Fatal(err)
			}
		}
	})
}
