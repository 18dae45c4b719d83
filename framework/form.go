package framework

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"unicode/utf8"
)

// MaxFormBytes is the limit, in bytes, on an urlencoded request body that
// [ReadForm] reads: 64 KiB. ReadForm returns an error that wraps ErrBodyTooLarge for
// a longer body; the caller answers 413 Content Too Large
// (RFC 9110 §15.5.14).
const MaxFormBytes = 64 << 10

// Errors that [ReadForm] wraps. [FormErrorStatus] maps them to a status.
var (
	// ErrBodyTooLarge means the body is longer than [MaxFormBytes].
	ErrBodyTooLarge = errors.New("framework: request body too large")
	// ErrUnsupportedMediaType means the body is not
	// application/x-www-form-urlencoded.
	ErrUnsupportedMediaType = errors.New("framework: request body is not application/x-www-form-urlencoded")
)

// ReadForm reads r's body, at most [MaxFormBytes] of it, as an HTML form
// in application/x-www-form-urlencoded encoding and returns its fields.
// Unlike [http.Request.ParseForm], it reads the body alone, answers a
// body over the limit or of another type with an error that names the
// status to send, and fills in none of r's fields.
// Only the body counts: fields in the query string are not returned, so a
// password never travels in a URL. A field that appears more than once
// keeps all its values in order; url.Values.Get returns the first.
//
// The error wraps [ErrUnsupportedMediaType] for a missing or other
// Content-Type, [ErrBodyTooLarge] for a body over the limit, and otherwise
// describes a malformed body ("%zz", a ";" separator, invalid UTF-8).
// [FormErrorStatus] gives the status code to answer with.
func ReadForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "application/x-www-form-urlencoded" {
		return nil, ErrUnsupportedMediaType
	}
	// Read the body and parse it alone: r.ParseForm would also parse the
	// query string and fail on a malformed one.
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	body, err := io.ReadAll(r.Body)
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		return nil, ErrBodyTooLarge
	}
	if err != nil {
		// The error names the connection's addresses ("read tcp
		// 127.0.0.1:8080->…: i/o timeout"): keep it for errors.Is and the
		// log, out of the message a client may be shown.
		return nil, readError{err}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("framework: malformed form: %w", err)
	}
	for field, values := range form {
		for _, value := range values {
			if !utf8.ValidString(field) || !utf8.ValidString(value) {
				return nil, errors.New("framework: malformed form: invalid UTF-8")
			}
		}
	}
	return form, nil
}

// readError is a failure to read a form's body. Its message says no more
// than that; Unwrap gives the cause.
type readError struct{ err error }

func (e readError) Error() string { return "framework: reading the form failed" }
func (e readError) Unwrap() error { return e.err }

// FormErrorStatus returns the status code that answers an error from
// [ReadForm]: 413 Content Too Large for [ErrBodyTooLarge], 415 Unsupported
// Media Type for [ErrUnsupportedMediaType] (RFC 9110 §15.5.16), and 400 Bad
// Request for any other error.
func FormErrorStatus(err error) int {
	switch {
	case errors.Is(err, ErrBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrUnsupportedMediaType):
		return http.StatusUnsupportedMediaType
	default:
		return http.StatusBadRequest
	}
}

// FieldErrors collects validation messages for a form, one per field:
// field name → message to show next to it. The zero value is not usable;
// start with FieldErrors{}. The first message recorded for a field wins.
type FieldErrors map[string]string

// Required records message for field unless the form has a non-empty
// value for it.
func (errs FieldErrors) Required(form url.Values, field, message string) {
	if form.Get(field) == "" {
		errs.add(field, message)
	}
}

// MaxLength records message for field if its value is longer than max
// bytes of UTF-8.
func (errs FieldErrors) MaxLength(form url.Values, field string, max int, message string) {
	if len(form.Get(field)) > max {
		errs.add(field, message)
	}
}

func (errs FieldErrors) add(field, message string) {
	if _, ok := errs[field]; !ok {
		errs[field] = message
	}
}
