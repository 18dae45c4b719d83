package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

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
// Content Too Large (RFC 9110 §15.5.14) before any of the body is read.
const defaultMaxBodyBytes = 64 << 10

// limits bounds what readRequest and readBody accept, so that a request
// costs the server a known amount of memory. Every field must be positive.
type limits struct {
	maxTargetBytes int   // request-target, in bytes (414 past it)
	maxFieldBytes  int   // one field line, in bytes (431 past it)
	maxHeaderBytes int   // all field lines together, in bytes (431 past it)
	maxFields      int   // number of field lines (431 past it)
	maxBodyBytes   int64 // Content-Length, in bytes (413 past it)
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

// request is one parsed HTTP/1.x request (RFC 9112 §2.1).
type request struct {
	method        string  // method token, case-sensitive: "GET" (RFC 9110 §9.1)
	target        string  // request-target as sent: "/hello?name=x" (RFC 9112 §3.2)
	path          string  // path part of the target, still percent-encoded: "/hello"
	query         string  // query part of the target without "?": "name=x"
	proto         string  // HTTP version: "HTTP/1.1" (RFC 9112 §2.3)
	header        []field // field lines in the order received
	contentLength int64   // Content-Length, 0 when absent (RFC 9112 §6.3)
	body          []byte  // content, filled in by readBody
}

// field is one name/value pair: a header field line (RFC 9110 §5) with its
// name lowercased, or one pair of an urlencoded form.
type field struct {
	name, value string
}

// values returns the values of every field named name, which must be
// lowercase, in the order received.
func (r *request) values(name string) []string {
	var values []string
	for _, f := range r.header {
		if f.name == name {
			values = append(values, f.value)
		}
	}
	return values
}

// requestError is a request the server refuses. It carries the status code
// to answer with and a short lowercase reason that the error page shows.
type requestError struct {
	status int
	reason string
}

func (e *requestError) Error() string {
	return fmt.Sprintf("rawsocket: %d %s: %s", e.status, statusText(e.status), e.reason)
}

// badRequest returns a 400 Bad Request error (RFC 9110 §15.5.1) with reason.
func badRequest(reason string) *requestError {
	return &requestError{statusBadRequest, reason}
}

// readRequest reads one request line and header section (RFC 9112 §2.1)
// from br, checks them against RFC 9112 and RFC 9110, and stops before the
// body: see readBody. It never reads more than the limits allow.
//
// Every error is a *requestError holding the status to answer with: 400
// for a malformed message or an incomplete one (the reader hit EOF), 408 if
// the reader fails with [os.ErrDeadlineExceeded], 414 and 431 past a limit
// (see limits), and 501 and 505 as parseRequestLine and checkHeader say. On
// error the returned request holds whatever was parsed before the problem,
// so that the caller can log it.
//
// It is stricter than RFC 9112 allows in a few places, always with 400:
// lines must end in CRLF (§2.2 lets a recipient accept a bare LF), leading
// empty lines are not skipped (§2.2), the target may hold only visible
// ASCII, the asterisk and authority forms (§3.2.3, §3.2.4) are refused, and
// a Content-Length may appear only once (§6.3 allows identical repeats).
func readRequest(br *bufio.Reader, lim limits) (*request, error) {
	r := new(request)
	line, err := readLine(br, lim.maxTargetBytes+requestLineSlack,
		&requestError{statusURITooLong, "request line too long"})
	if err != nil {
		return r, err
	}
	if err := r.parseRequestLine(line, lim.maxTargetBytes); err != nil {
		return r, err
	}

	headerBytes := 0
	for {
		limit := min(lim.maxFieldBytes, lim.maxHeaderBytes-headerBytes)
		line, err := readLine(br, limit,
			&requestError{statusRequestHeaderFieldsTooLarge, "header field or section too large"})
		if err != nil {
			return r, err
		}
		if line == "" { // The empty line that ends the header section.
			break
		}
		headerBytes += len(line)
		if len(r.header) == lim.maxFields {
			return r, &requestError{statusRequestHeaderFieldsTooLarge, "too many header fields"}
		}
		f, err := parseField(line)
		if err != nil {
			return r, err
		}
		r.header = append(r.header, f)
	}
	return r, r.checkHeader()
}

// readLine reads one line ending in CRLF and returns it without the CRLF.
// A line longer than limit bytes fails with tooLong. A bare LF, or a CR not
// followed by LF, fails with 400 (RFC 9112 §2.2).
func readLine(br *bufio.Reader, limit int, tooLong *requestError) (string, error) {
	var line []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			return "", readError(err)
		}
		switch {
		case c == '\n':
			return "", badRequest("line ends in a bare LF, not CRLF")
		case c == '\r':
			c, err = br.ReadByte()
			if err != nil {
				return "", readError(err)
			}
			if c != '\n' {
				return "", badRequest("bare CR")
			}
			return string(line), nil
		case len(line) >= limit:
			return "", tooLong
		}
		line = append(line, c)
	}
}

// readError turns a failed read into the status to answer with: 408
// Request Timeout (RFC 9110 §15.5.9) when a read deadline passed, and 400
// Bad Request when the client closed the connection mid-request.
func readError(err error) *requestError {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &requestError{statusRequestTimeout, "request not received in time"}
	}
	return badRequest("incomplete request")
}

// parseRequestLine fills in method, target, path, query and proto from the
// request line: method SP request-target SP HTTP-version (RFC 9112 §3). It
// fails with 505 for a version other than HTTP/1.x, 414 for a target over
// maxTargetBytes, 501 for a method knownMethod does not know, and 400 for
// anything malformed.
func (r *request) parseRequestLine(line string, maxTargetBytes int) error {
	parts := strings.Split(line, " ")
	if len(parts) != 3 {
		return badRequest("request line is not method, target and version split by single spaces")
	}
	method, target, proto := parts[0], parts[1], parts[2]

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
	r.proto = proto

	if !isToken(method) {
		return badRequest("method is not a token")
	}
	r.method = method

	if len(target) > maxTargetBytes {
		return &requestError{statusURITooLong, "request-target too long"}
	}
	if !validTarget(target) {
		return badRequest("invalid request-target")
	}
	path, query, ok := splitTarget(target)
	if !ok {
		return badRequest("request-target is neither origin-form nor absolute-form")
	}
	r.target, r.path, r.query = target, path, query

	if !knownMethod(method) {
		// RFC 9110 §9.1: 501 for a method the server does not recognize.
		return &requestError{statusNotImplemented, "unknown method"}
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

// splitTarget splits a request-target into its path and query. It accepts
// the origin-form "/path?query" (RFC 9112 §3.2.1) and the absolute-form
// "http://host/path?query" (RFC 9112 §3.2.2), whose empty path means "/".
// It reports false for any other form.
func splitTarget(target string) (path, query string, ok bool) {
	path, query, _ = strings.Cut(target, "?")
	if strings.HasPrefix(path, "/") {
		return path, query, true
	}
	scheme, rest, found := strings.Cut(path, "://")
	if !found || !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") {
		return "", "", false
	}
	authority, path := rest, "/"
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	// RFC 9110 §4.2.1: an http URI with an empty host is invalid.
	if authority == "" || !validHost(authority) {
		return "", "", false
	}
	return path, query, true
}

// parseField splits a field line into its lowercased name and its value
// (RFC 9112 §5.1): field-name ":" OWS field-value OWS.
func parseField(line string) (field, error) {
	if line[0] == ' ' || line[0] == '\t' {
		// RFC 9112 §5.2: obs-fold continues the previous line; a server
		// must reject it or replace it, and we reject.
		return field{}, badRequest("obsolete line folding")
	}
	name, value, ok := strings.Cut(line, ":")
	if !ok {
		return field{}, badRequest("field line without a colon")
	}
	if strings.TrimRight(name, " \t") != name {
		// RFC 9112 §5.1: whitespace before the colon must get 400.
		return field{}, badRequest("whitespace between field name and colon")
	}
	if !isToken(name) {
		return field{}, badRequest("invalid field name")
	}
	value = strings.Trim(value, " \t")
	for i := 0; i < len(value); i++ {
		// RFC 9110 §5.5: VCHAR, obs-text, SP and HTAB; no other controls.
		if c := value[i]; c < ' ' && c != '\t' || c == 0x7f {
			return field{}, badRequest("control character in field value")
		}
	}
	return field{strings.ToLower(name), value}, nil
}

// checkHeader checks the fields that frame the message: Host
// (RFC 9112 §3.2), Transfer-Encoding (RFC 9112 §6.1) and Content-Length
// (RFC 9112 §6.3), and sets contentLength.
func (r *request) checkHeader() error {
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

	if len(r.values("transfer-encoding")) > 0 {
		if r.proto == "HTTP/1.0" {
			// RFC 9112 §6.1: the framing of such a message is faulty.
			return badRequest("Transfer-Encoding in an HTTP/1.0 request")
		}
		return &requestError{statusNotImplemented, "Transfer-Encoding is not supported"}
	}

	lengths := r.values("content-length")
	switch {
	case len(lengths) > 1:
		return badRequest("more than one Content-Length")
	case len(lengths) == 1:
		n, ok := parseContentLength(lengths[0])
		if !ok {
			return badRequest("invalid Content-Length")
		}
		r.contentLength = n
	}
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

// readBody reads the request body, exactly r.contentLength bytes
// (RFC 9112 §6.3), into r.body. A Content-Length over maxBytes gets 413
// Content Too Large (RFC 9110 §15.5.14) without reading; a body cut short
// gets 400, or 408 if a read deadline passed.
func readBody(br *bufio.Reader, r *request, maxBytes int64) error {
	if r.contentLength > maxBytes {
		return &requestError{statusContentTooLarge, "request body too large"}
	}
	body := make([]byte, r.contentLength)
	if _, err := io.ReadFull(br, body); err != nil {
		return readError(err)
	}
	r.body = body
	return nil
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
