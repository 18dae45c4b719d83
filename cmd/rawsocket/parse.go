package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

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

	r.header, err = readFields(br, lim, "header")
	if err != nil {
		return r, err
	}
	return r, r.checkHeader()
}

// readFields reads field lines up to the empty line that ends their
// section (RFC 9112 §5): the header section, or the trailer section after
// a chunked body (§7.1.2), which section names in errors. It fails with
// 431 past lim.maxFieldBytes for a line, lim.maxHeaderBytes for the
// section or lim.maxFields fields, and 400 for a malformed line. On error
// it returns the fields read before the problem.
func readFields(br *bufio.Reader, lim limits, section string) ([]field, error) {
	var fields []field
	sectionBytes := 0
	for {
		limit := min(lim.maxFieldBytes, lim.maxHeaderBytes-sectionBytes)
		line, err := readLine(br, limit,
			&requestError{statusRequestHeaderFieldsTooLarge, section + " field or section too large"})
		if err != nil {
			return fields, err
		}
		if line == "" { // The empty line that ends the section.
			return fields, nil
		}
		sectionBytes += len(line)
		if len(fields) == lim.maxFields {
			return fields, &requestError{statusRequestHeaderFieldsTooLarge, "too many " + section + " fields"}
		}
		f, err := parseField(line)
		if err != nil {
			return fields, err
		}
		fields = append(fields, f)
	}
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

	if err := checkVersion(proto); err != nil {
		return err
	}
	r.proto = proto

	if !isToken(method) {
		return badRequest("method is not a token")
	}
	r.method = method

	if err := checkTarget(target, maxTargetBytes); err != nil {
		return err
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

// splitTarget splits a request-target into its path and query. It accepts
// the origin-form "/path?query" (RFC 9112 §3.2.1) and the absolute-form
// "http://host/path?query" (RFC 9112 §3.2.2), whose empty path means "/".
// It reports false for any other form.
func splitTarget(target string) (path, query string, ok bool) {
	path, query, _ = strings.Cut(target, "?")
	if strings.HasPrefix(path, "/") {
		return path, query, true
	}
	if path, ok = absoluteFormPath(path); !ok {
		return "", "", false
	}
	return path, query, true
}

// parseField splits a field line into its lowercased name and its value
// (RFC 9112 §5.1): field-name ":" OWS field-value OWS. checkFieldLine
// refuses a line that is not of that form.
func parseField(line string) (field, error) {
	if err := checkFieldLine(line); err != nil {
		return field{}, err
	}
	name, value, _ := strings.Cut(line, ":")
	return field{strings.ToLower(name), strings.Trim(value, " \t")}, nil
}

// checkHeader checks the fields that frame the message: Host
// (RFC 9112 §3.2), Transfer-Encoding (RFC 9112 §6.1) and Content-Length
// (RFC 9112 §6.3), and sets contentLength.
func (r *request) checkHeader() error {
	if err := r.checkHost(); err != nil {
		return err
	}
	if err := r.checkTransferEncoding(); err != nil {
		return err
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

// readBody reads the request body into r.body: exactly r.contentLength
// bytes (RFC 9112 §6.3), or a chunked body (readChunked). A Content-Length
// over lim.maxBodyBytes gets 413 Content Too Large (RFC 9110 §15.5.14)
// without reading; a body cut short gets 400, or 408 if a read deadline
// passed.
func readBody(br *bufio.Reader, r *request, lim limits) error {
	if r.chunked() {
		return readChunked(br, r, lim)
	}
	maxBytes := lim.maxBodyBytes
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

// request is one parsed HTTP/1.x request (RFC 9112 §2.1).
type request struct {
	method        string  // method token, case-sensitive: "GET" (RFC 9110 §9.1)
	target        string  // request-target as sent: "/hello?name=x" (RFC 9112 §3.2)
	path          string  // path part of the target, still percent-encoded: "/hello"
	query         string  // query part of the target without "?": "name=x"
	proto         string  // HTTP version: "HTTP/1.1" (RFC 9112 §2.3)
	header        []field // field lines in the order received
	contentLength int64   // Content-Length, 0 when absent, -1 for a chunked body (RFC 9112 §6.3)
	body          []byte  // content, filled in by readBody
}

// chunked reports whether r's body is chunked (Transfer-Encoding: chunked,
// RFC 9112 §7.1), which the length of -1 says.
func (r *request) chunked() bool {
	return r.contentLength == -1
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

// readError turns a failed read into the status to answer with: 408
// Request Timeout (RFC 9110 §15.5.9) when a read deadline passed, and 400
// Bad Request when the client closed the connection mid-request.
func readError(err error) *requestError {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &requestError{statusRequestTimeout, "request not received in time"}
	}
	return badRequest("incomplete request")
}
