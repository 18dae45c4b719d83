package main

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds what the textbook server in parse.go and server.go leaves
// out: the limits, timeouts and checks that make it safe to read what
// strangers send, and the care that gets a response to them intact.

// defaultMaxTargetBytes is the default limit, in bytes, on the
// request-target: 8000. RFC 9112 §3 recommends supporting request lines of
// at least 8000 octets. A longer target gets 414 URI Too Long
// (RFC 9110 §15.5.15).
const defaultMaxTargetBytes = 8000

// requestLineSlack is how many bytes, beyond the request-target limit, the
// request line may use for the method, the version and two spaces: 64. A
// longer request line gets 414 URI Too Long before it is split up.
const requestLineSlack = 64

// defaultMaxFieldBytes is the default limit, in bytes, on one field line
// ("Name: value", without its CRLF): 8 KiB. A longer line gets 431 Request
// Header Fields Too Large (RFC 6585 §5).
const defaultMaxFieldBytes = 8 << 10

// defaultMaxHeaderBytes is the default limit, in bytes, on the header
// section: 32 KiB, counting every field line without its CRLF. A larger
// section gets 431 Request Header Fields Too Large (RFC 6585 §5).
const defaultMaxHeaderBytes = 32 << 10

// defaultMaxFields is the default limit on the number of field lines: 100.
// One more gets 431 Request Header Fields Too Large (RFC 6585 §5).
const defaultMaxFields = 100

// defaultMaxBodyBytes is the default limit, in bytes, on a request body:
// 64 KiB, plenty for a login form. A larger Content-Length gets 413
// Content Too Large (RFC 9110 §15.5.14) before any of the body is read; a
// chunked body gets it at the chunk that would pass the limit.
const defaultMaxBodyBytes = 64 << 10

// limits bounds what readRequest and readBody accept, so that a request
// costs the server a known amount of memory. Every field must be positive.
type limits struct {
	maxTargetBytes int   // request-target, in bytes (414 past it)
	maxFieldBytes  int   // one field line, in bytes (431 past it); one chunk line too (400 past it)
	maxHeaderBytes int   // all field lines of a section together, in bytes (431 past it)
	maxFields      int   // number of field lines in a section (431 past it)
	maxBodyBytes   int64 // the body, given by length or chunked, in bytes (413 past it)
}

// defaultLimits returns the limits the server uses unless a test sets others.
func defaultLimits() limits {
	return limits{
		maxTargetBytes: defaultMaxTargetBytes,
		maxFieldBytes:  defaultMaxFieldBytes,
		maxHeaderBytes: defaultMaxHeaderBytes,
		maxFields:      defaultMaxFields,
		maxBodyBytes:   defaultMaxBodyBytes,
	}
}

// defaultHeaderTimeout is how long a client has, by default, to send the
// request line and header section once it connects: 10 seconds. A client
// that is mid-request when it passes gets 408 Request Timeout.
const defaultHeaderTimeout = 10 * time.Second

// defaultBodyTimeout is how long a client has, by default, to send the
// body once the header section is in: 10 seconds, then 408.
const defaultBodyTimeout = 10 * time.Second

// defaultWriteTimeout is how long, by default, writing a response may
// take before the server gives up on a client that does not read: 10 seconds.
const defaultWriteTimeout = 10 * time.Second

// defaultIdleTimeout is how long, by default, a kept-alive connection may
// wait for its next request before the server closes it: 30 seconds.
const defaultIdleTimeout = 30 * time.Second

// defaultMaxRequests is how many requests, by default, one connection may
// make: 1000. The answer to the last says Connection: close, so that no
// client holds a connection, and its goroutine, for ever.
const defaultMaxRequests = 1000

// checkVersion checks the HTTP-version of a request line (RFC 9112 §2.3).
// HTTP/1.0 and HTTP/1.1 pass, and so do HTTP/1.2 to HTTP/1.9, which are
// served as HTTP/1.1. Any other well-formed version fails with 505 HTTP
// Version Not Supported (RFC 9110 §15.6.6), and a malformed one with 400.
func checkVersion(proto string) error {
	switch {
	case proto == "HTTP/1.0" || proto == "HTTP/1.1":
	case len(proto) == len("HTTP/x.y") && strings.HasPrefix(proto, "HTTP/1.") && isDigit(proto[7]):
		// RFC 9110 §2.5: a higher minor version within a major version we
		// implement is served as the highest one we know, HTTP/1.1.
	case len(proto) == len("HTTP/x.y") && strings.HasPrefix(proto, "HTTP/") &&
		isDigit(proto[5]) && proto[6] == '.' && isDigit(proto[7]):
		return &requestError{statusHTTPVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported"}
	default:
		return badRequest("malformed HTTP version")
	}
	return nil
}

// knownMethod reports whether method is one this server recognizes: those
// of RFC 9110 §9 and PATCH (RFC 5789). The views implement only some of
// them and answer the rest with 405 Method Not Allowed.
func knownMethod(method string) bool {
	switch method {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH":
		return true
	}
	return false
}

// checkTarget checks a request-target before it is split: one over
// maxTargetBytes gets 414 URI Too Long (RFC 9110 §15.5.15), and one that
// validTarget refuses gets 400.
func checkTarget(target string, maxTargetBytes int) error {
	if len(target) > maxTargetBytes {
		return &requestError{statusURITooLong, "request-target too long"}
	}
	if !validTarget(target) {
		return badRequest("invalid request-target")
	}
	return nil
}

// validTarget reports whether every byte of target is visible ASCII other
// than "#", and every "%" starts a percent-encoded octet (RFC 3986 §2.1).
// Like net/http, it lets through characters such as "|" and "{" that
// RFC 3986 forbids but browsers send unencoded. Non-ASCII bytes must be
// percent-encoded.
func validTarget(target string) bool {
	for i := 0; i < len(target); i++ {
		c := target[i]
		switch {
		case c <= ' ' || c >= 0x7f || c == '#':
			return false
		case c == '%' && (i+2 >= len(target) || !isHex(target[i+1]) || !isHex(target[i+2])):
			return false
		}
	}
	return true
}

// absoluteFormPath returns the path of uri, a request-target in
// absolute-form without its query: "http://host/path" (RFC 9112 §3.2.2),
// with "/" for an empty path. It reports false unless the scheme is http or
// https, in any case, and the authority is a valid host.
func absoluteFormPath(uri string) (path string, ok bool) {
	scheme, rest, found := strings.Cut(uri, "://")
	if !found || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return "", false
	}
	authority, path := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	// RFC 9110 §4.2.1: an http URI with an empty host is invalid.
	if authority == "" || !validHost(authority) {
		return "", false
	}
	return path, true
}

// checkFieldLine checks a field line against RFC 9112 §5 before parseField
// splits it, and fails with 400 for obs-fold, a missing colon, whitespace
// before the colon, a field name that is not a token, or a control
// character in the value.
func checkFieldLine(line string) error {
	if line[0] == ' ' || line[0] == '\t' {
		// RFC 9112 §5.2: obs-fold continues the previous line; a server
		// must reject it or replace it, and we reject.
		return badRequest("obsolete line folding")
	}
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return badRequest("field line without a colon")
	}
	if strings.TrimRight(name, " \t") != name {
		// RFC 9112 §5.1: whitespace before the colon must get 400.
		return badRequest("whitespace between field name and colon")
	}
	if !isToken(name) {
		return badRequest("invalid field name")
	}
	for i := 0; i < len(value); i++ {
		// RFC 9110 §5.5: VCHAR, obs-text, SP and HTAB; no other controls.
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return badRequest("control character in field value")
		}
	}
	return nil
}

// checkHost checks the Host field (RFC 9112 §3.2): an HTTP/1.1 request
// must have exactly one, an HTTP/1.0 request at most one, and its value
// must be empty or a valid host. Anything else gets 400.
func (r *request) checkHost() error {
	hosts := r.values("host")
	switch {
	case len(hosts) == 0 && r.proto != "HTTP/1.0":
		return badRequest("missing Host header")
	case len(hosts) > 1:
		return badRequest("more than one Host header")
	case len(hosts) == 1 && hosts[0] != "" && !validHost(hosts[0]):
		// An empty Host is valid: RFC 9112 §3.2 has clients send one when
		// the target URI has no authority.
		return badRequest("invalid Host header")
	}
	return nil
}

// validHost reports whether s is uri-host [ ":" port ] with a non-empty
// host (RFC 9110 §7.2, RFC 3986 §3.2.2): a registered name without
// percent-encoding, or an IPv6 address in brackets, then an optional port.
func validHost(s string) bool {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return false
		}
		addr, err := netip.ParseAddr(s[1:end])
		if err != nil || !addr.Is6() || addr.Zone() != "" {
			return false
		}
		port := s[end+1:]
		return port == "" || port[0] == ':' && allDigits(port[1:])
	}
	host, port, _ := strings.Cut(s, ":")
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !isAlphaNum(c) && !strings.ContainsRune("-._~!$&'()*+,;=", rune(c)) {
			return false
		}
	}
	return host != "" && allDigits(port)
}

// checkTransferEncoding reads Transfer-Encoding (RFC 9112 §6.1), the
// codings applied to the body, in order, across all its field lines:
//   - none: the body is framed by Content-Length, if any;
//   - chunked alone: the body is chunked (readChunked);
//   - any list whose last coding is not chunked, an empty or malformed
//     list, chunked twice, or Transfer-Encoding with Content-Length: 400,
//     since the body's end cannot be known for sure (§6.3 ¶3-4), and the
//     server closes the connection after answering;
//   - another coding before chunked, such as gzip: 501 Not Implemented
//     (RFC 9110 §15.6.2);
//   - any Transfer-Encoding in an HTTP/1.0 request: 400 (§6.1).
func (r *request) checkTransferEncoding() error {
	lines := r.values("transfer-encoding")
	if len(lines) == 0 {
		return nil
	}
	if r.proto == "HTTP/1.0" {
		return badRequest("Transfer-Encoding in an HTTP/1.0 request")
	}
	if len(r.values("content-length")) > 0 {
		return badRequest("both Transfer-Encoding and Content-Length")
	}
	var codings []string
	for _, line := range lines {
		for coding := range strings.SplitSeq(line, ",") {
			coding = strings.ToLower(strings.Trim(coding, " \t"))
			if !isToken(coding) {
				return badRequest("invalid Transfer-Encoding")
			}
			codings = append(codings, coding)
		}
	}
	last := len(codings) - 1
	switch {
	case codings[last] != "chunked":
		return badRequest("chunked is not the last Transfer-Encoding")
	case slices.Contains(codings[:last], "chunked"):
		return badRequest("chunked applied twice")
	case last > 0:
		return &requestError{statusNotImplemented, "Transfer-Encoding other than chunked is not supported"}
	}
	r.contentLength = -1 // chunked: the length is unknown until the last chunk
	return nil
}

// parseContentLength parses Content-Length = 1*DIGIT (RFC 9110 §8.6) and
// reports whether s is valid: no sign, no spaces, no list, no overflow.
func parseContentLength(s string) (int64, bool) {
	if s == "" || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil
}

// isToken reports whether s is a token (RFC 9110 §5.6.2): one or more
// tchar, that is, visible ASCII other than the delimiters "(),/:;<=>?@[\]{}.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isAlphaNum(c) && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return s != ""
}

// allDigits reports whether s holds only the digits 0-9; "" does.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool    { return '0' <= c && c <= '9' }
func isHex(c byte) bool      { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
func isAlphaNum(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// sendContinue writes the interim response 100 Continue to w if r expects
// it and has a body that readBody will read: chunked, or of 1 to
// maxBodyBytes bytes.
// The client then sends the body (RFC 9110 §10.1.1). A client whose body is
// over the limit gets 413 from readBody without having sent it.
func sendContinue(w io.Writer, r *request, maxBodyBytes int64) {
	if (r.chunked() || r.contentLength > 0 && r.contentLength <= maxBodyBytes) && expectsContinue(r) {
		fmt.Fprintf(w, "HTTP/1.1 %d %s\r\n\r\n", statusContinue, statusText(statusContinue))
	}
}

// expectsContinue reports whether r carries Expect: 100-continue
// (RFC 9110 §10.1.1), which curl sends before a large body. In an
// HTTP/1.0 request the expectation is ignored, as §10.1.1 requires.
func expectsContinue(r *request) bool {
	if r.proto == "HTTP/1.0" {
		return false
	}
	for _, value := range r.values("expect") {
		if strings.EqualFold(value, "100-continue") {
			return true
		}
	}
	return false
}

// lingerTimeout and lingerBytes bound the lingering close (RFC 9112 §9.6):
// after its response the server reads and discards what the client still
// sends for at most 1 second and 256 KiB, then closes.
const (
	lingerTimeout = 1 * time.Second
	lingerBytes   = 256 << 10
)

// lingeringClose closes conn in stages, as RFC 9112 §9.6 asks: it shuts
// down the sending side, then reads and discards whatever the client still
// sends until the client closes, lingerTimeout passes or lingerBytes have
// been read. Closing at once with unread bytes would make TCP send a reset,
// and the client could lose the response.
func lingeringClose(conn net.Conn) {
	if tcp, ok := conn.(interface{ CloseWrite() error }); ok && tcp.CloseWrite() == nil {
		conn.SetReadDeadline(time.Now().Add(lingerTimeout))
		io.Copy(io.Discard, io.LimitReader(conn, lingerBytes))
	}
	conn.Close()
}
