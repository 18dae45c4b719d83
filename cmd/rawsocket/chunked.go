package main

import (
	"bufio"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
)

// readChunked reads a chunked body (RFC 9112 §7.1) into r.body, and reads
// past the trailer section after it, whose fields it discards, as RFC 9112
// §7.1.2 allows a recipient to:
//
//	chunked-body = *chunk last-chunk trailer-section CRLF
//	chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
//	last-chunk   = 1*("0") [ chunk-ext ] CRLF
//
// A chunk-size is hexadecimal digits, in either case; chunk extensions
// after ";" are read and ignored, as RFC 9112 §7.1.1 allows. Whitespace
// before the ";" (the grammar's BWS) is refused, as net/http refuses it.
// The body's size is bounded by lim.maxBodyBytes (413 past it), a chunk
// line by lim.maxFieldBytes (400 past it, as net/http answers), and the
// trailer section by the header limits (431 past them). Anything
// malformed gets 400, a body cut short 400 or 408.
func readChunked(br *bufio.Reader, r *request, lim limits) error {
	tooLong := badRequest("chunk line too long")
	var body []byte
	for {
		line, err := readLine(br, lim.maxFieldBytes, tooLong)
		if err != nil {
			return err
		}
		sizeText, _, _ := strings.Cut(line, ";")
		// Unsigned base 16 refuses a sign, 0x, underscores and "".
		unsigned, err := strconv.ParseUint(sizeText, 16, 63)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return badRequest("invalid chunk size")
		}
		size := int64(unsigned)
		if err != nil || size > lim.maxBodyBytes-int64(len(body)) {
			return &requestError{statusContentTooLarge, "request body too large"}
		}
		if size == 0 {
			break
		}
		body = slices.Grow(body, int(size))
		chunk := body[len(body) : len(body)+int(size)]
		if _, err := io.ReadFull(br, chunk); err != nil {
			return readError(err)
		}
		body = body[:len(body)+int(size)]
		var end [2]byte
		if _, err := io.ReadFull(br, end[:]); err != nil {
			return readError(err)
		}
		if end != [2]byte{'\r', '\n'} {
			return badRequest("chunk data not followed by CRLF")
		}
	}
	r.body = body
	_, err := readFields(br, lim, "trailer")
	return err
}
