package framework

import (
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

const formContentType = "application/x-www-form-urlencoded"

// newFormRequest returns a POST request to target with body and, unless
// contentType is "", that Content-Type.
func newFormRequest(target, contentType, body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

// params returns an urlencoded body with n parameters "a=1".
func params(n int) string {
	return strings.Repeat("a=1&", n-1) + "a=1"
}

func TestReadForm(t *testing.T) {
	tests := []struct {
		name        string
		target      string // "/login" when empty
		contentType string
		body        string
		want        url.Values // the form, when wantStatus is 0
		wantErr     error      // a sentinel the error must wrap, or nil
		wantStatus  int        // FormErrorStatus of the error, or 0 for no error
	}{
		{name: "valid", contentType: formContentType, body: "username=ann&password=s3cret",
			want: url.Values{"username": {"ann"}, "password": {"s3cret"}}},
		{name: "escapes decoded", contentType: formContentType, body: "username=ann+lee&password=a%26b%3Dc%C3%A9",
			want: url.Values{"username": {"ann lee"}, "password": {"a&b=cé"}}},
		{name: "empty body", contentType: formContentType, body: "",
			want: url.Values{}},
		{name: "query string not returned", target: "/login?username=mallory&next=/x", contentType: formContentType, body: "username=ann",
			want: url.Values{"username": {"ann"}}},
		{name: "malformed query string ignored", target: "/login?next=%zz&a;b", contentType: formContentType, body: "username=ann",
			want: url.Values{"username": {"ann"}}},
		{name: "repeated field keeps order", contentType: formContentType, body: "a=2&b=3&a=1",
			want: url.Values{"a": {"2", "1"}, "b": {"3"}}},
		{name: "charset parameter", contentType: formContentType + "; charset=utf-8", body: "a=1",
			want: url.Values{"a": {"1"}}},
		{name: "media type case-insensitive", contentType: "Application/X-WWW-Form-URLEncoded", body: "a=1",
			want: url.Values{"a": {"1"}}},
		{name: "exactly MaxFormBytes", contentType: formContentType, body: "a=" + strings.Repeat("x", MaxFormBytes-2),
			want: url.Values{"a": {strings.Repeat("x", MaxFormBytes-2)}}},
		{name: "MaxFormBytes+1", contentType: formContentType, body: "a=" + strings.Repeat("x", MaxFormBytes-1),
			wantErr: ErrBodyTooLarge, wantStatus: http.StatusRequestEntityTooLarge},
		{name: "bad escape", contentType: formContentType, body: "a=%zz",
			wantStatus: http.StatusBadRequest},
		{name: "semicolon separator", contentType: formContentType, body: "a=1;b=2",
			wantStatus: http.StatusBadRequest},
		{name: "invalid UTF-8 value", contentType: formContentType, body: "a=%ff",
			wantStatus: http.StatusBadRequest},
		{name: "invalid UTF-8 name", contentType: formContentType, body: "%c3=1",
			wantStatus: http.StatusBadRequest},
		{name: "raw invalid UTF-8", contentType: formContentType, body: "a=\xff",
			wantStatus: http.StatusBadRequest},
		// Go's url.ParseQuery accepts at most 10,000 parameters
		// (GODEBUG urlmaxqueryparams).
		{name: "10,000 parameters", contentType: formContentType, body: params(10_000),
			want: url.Values{"a": slices.Repeat([]string{"1"}, 10_000)}},
		{name: "10,001 parameters", contentType: formContentType, body: params(10_001),
			wantStatus: http.StatusBadRequest},
		{name: "no Content-Type", contentType: "", body: "a=1",
			wantErr: ErrUnsupportedMediaType, wantStatus: http.StatusUnsupportedMediaType},
		{name: "text/plain", contentType: "text/plain", body: "a=1",
			wantErr: ErrUnsupportedMediaType, wantStatus: http.StatusUnsupportedMediaType},
		{name: "multipart", contentType: "multipart/form-data; boundary=x", body: "--x--",
			wantErr: ErrUnsupportedMediaType, wantStatus: http.StatusUnsupportedMediaType},
		{name: "JSON", contentType: "application/json", body: `{"a":1}`,
			wantErr: ErrUnsupportedMediaType, wantStatus: http.StatusUnsupportedMediaType},
		{name: "malformed Content-Type", contentType: formContentType + "; charset", body: "a=1",
			wantErr: ErrUnsupportedMediaType, wantStatus: http.StatusUnsupportedMediaType},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.target
			if target == "" {
				target = "/login"
			}
			form, err := ReadForm(httptest.NewRecorder(), newFormRequest(target, tc.contentType, tc.body))
			if tc.wantStatus == 0 {
				if err != nil {
					t.Fatalf("POST %s %q: error %v, want none", tc.contentType, abbreviate(tc.body), err)
				}
				if !maps.EqualFunc(form, tc.want, slices.Equal) {
					t.Errorf("POST %s %q: form = %v, want %v", tc.contentType, abbreviate(tc.body), abbreviateForm(form), abbreviateForm(tc.want))
				}
				return
			}
			if err == nil {
				t.Fatalf("POST %s %q: form %v, want an error", tc.contentType, abbreviate(tc.body), abbreviateForm(form))
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("POST %s %q: error %v, want %v", tc.contentType, abbreviate(tc.body), err, tc.wantErr)
			}
			if got := FormErrorStatus(err); got != tc.wantStatus {
				t.Errorf("POST %s %q: FormErrorStatus(%v) = %d, want %d", tc.contentType, abbreviate(tc.body), err, got, tc.wantStatus)
			}
			if !strings.HasPrefix(err.Error(), "framework: ") {
				t.Errorf("POST %s %q: error %q does not start with %q", tc.contentType, abbreviate(tc.body), err, "framework: ")
			}
			if form != nil {
				t.Errorf("POST %s %q: form = %v with the error, want nil", tc.contentType, abbreviate(tc.body), abbreviateForm(form))
			}
		})
	}
}

// abbreviate shortens s for a test message.
func abbreviate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// abbreviateForm shortens the values of form for a test message.
func abbreviateForm(form url.Values) url.Values {
	short := url.Values{}
	for field, values := range form {
		if len(values) > 4 {
			values = append(values[:4:4], "…")
		}
		for _, value := range values {
			short[abbreviate(field)] = append(short[abbreviate(field)], abbreviate(value))
		}
	}
	return short
}

func TestReadFormFirstValue(t *testing.T) {
	form, err := ReadForm(httptest.NewRecorder(), newFormRequest("/login", formContentType, "username=ann&username=mallory"))
	if err != nil {
		t.Fatal(err)
	}
	if got := form.Get("username"); got != "ann" {
		t.Errorf("POST username=ann&username=mallory: Get(%q) = %q, want %q", "username", got, "ann")
	}
}

func TestFormErrorStatus(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{name: "too large", err: ErrBodyTooLarge, want: http.StatusRequestEntityTooLarge},
		{name: "too large, wrapped", err: errors.Join(errors.New("reading"), ErrBodyTooLarge), want: http.StatusRequestEntityTooLarge},
		{name: "media type", err: ErrUnsupportedMediaType, want: http.StatusUnsupportedMediaType},
		{name: "other", err: errors.New("framework: malformed form"), want: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormErrorStatus(tc.err); got != tc.want {
				t.Errorf("FormErrorStatus(%v) = %d, want %d", tc.err, got, tc.want)
			}
		})
	}
}

func TestFieldErrors(t *testing.T) {
	form := url.Values{
		"present": {"ann"},
		"empty":   {""},
		"space":   {" "},
		"five":    {"abcde"},
		"accents": {"éé"}, // 2 runes, 4 bytes
		"mixed":   {"éa"}, // 2 runes, 3 bytes
		"twice":   {"", "second"},
	}
	type check func(errs FieldErrors)
	tests := []struct {
		name   string
		checks []check
		want   FieldErrors
	}{
		{name: "required present",
			checks: []check{func(errs FieldErrors) { errs.Required(form, "present", "needed") }},
			want:   FieldErrors{}},
		{name: "required missing",
			checks: []check{func(errs FieldErrors) { errs.Required(form, "absent", "needed") }},
			want:   FieldErrors{"absent": "needed"}},
		{name: "required empty",
			checks: []check{func(errs FieldErrors) { errs.Required(form, "empty", "needed") }},
			want:   FieldErrors{"empty": "needed"}},
		{name: "required space counts as a value",
			checks: []check{func(errs FieldErrors) { errs.Required(form, "space", "needed") }},
			want:   FieldErrors{}},
		{name: "required looks at the first value",
			checks: []check{func(errs FieldErrors) { errs.Required(form, "twice", "needed") }},
			want:   FieldErrors{"twice": "needed"}},
		{name: "max length at limit",
			checks: []check{func(errs FieldErrors) { errs.MaxLength(form, "five", 5, "too long") }},
			want:   FieldErrors{}},
		{name: "max length at limit+1",
			checks: []check{func(errs FieldErrors) { errs.MaxLength(form, "five", 4, "too long") }},
			want:   FieldErrors{"five": "too long"}},
		{name: "max length counts bytes, not runes",
			checks: []check{func(errs FieldErrors) { errs.MaxLength(form, "accents", 3, "too long") }},
			want:   FieldErrors{"accents": "too long"}},
		{name: "max length multi-byte at limit",
			checks: []check{func(errs FieldErrors) { errs.MaxLength(form, "mixed", 3, "too long") }},
			want:   FieldErrors{}},
		{name: "max length of a missing field",
			checks: []check{func(errs FieldErrors) { errs.MaxLength(form, "absent", 0, "too long") }},
			want:   FieldErrors{}},
		{name: "first message wins",
			checks: []check{
				func(errs FieldErrors) { errs.MaxLength(form, "five", 1, "too long") },
				func(errs FieldErrors) { errs.Required(form, "empty", "needed") },
				func(errs FieldErrors) { errs.MaxLength(form, "five", 2, "much too long") },
				func(errs FieldErrors) { errs.Required(form, "empty", "needed again") },
			},
			want: FieldErrors{"five": "too long", "empty": "needed"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			errs := FieldErrors{}
			for _, check := range tc.checks {
				check(errs)
			}
			if !maps.Equal(errs, tc.want) {
				t.Errorf("%v: FieldErrors = %v, want %v", form, errs, tc.want)
			}
		})
	}
}

func FuzzReadForm(f *testing.F) {
	for _, seed := range []string{
		"", "a=1", "username=ann&password=s3cret", "a=1&a=2", "a=%zz", "a=1;b=2", "a=%ff", "%c3=1",
		"=", "&&", "a", "a==b", "+=+", "%00=%00", "a=\xff", "\u00e9=\u00e9",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := ReadForm(httptest.NewRecorder(), newFormRequest("/login", formContentType, body))
		if err != nil {
			if status := FormErrorStatus(err); status != http.StatusBadRequest && status != http.StatusRequestEntityTooLarge {
				t.Fatalf("POST %q: FormErrorStatus(%v) = %d, want %d or %d",
					body, err, status, http.StatusBadRequest, http.StatusRequestEntityTooLarge)
			}
			return
		}
		for field, values := range form {
			for _, value := range values {
				if !utf8.ValidString(field) || !utf8.ValidString(value) {
					t.Fatalf("POST %q: accepted invalid UTF-8 %q=%q", body, field, value)
				}
			}
		}
		// Whatever ReadForm accepts, url.ParseQuery reads the same way.
		want, err := url.ParseQuery(body)
		if err != nil {
			t.Fatalf("POST %q: ReadForm accepted it, url.ParseQuery: %v", body, err)
		}
		if !maps.EqualFunc(form, want, slices.Equal) {
			t.Fatalf("POST %q: form = %v, url.ParseQuery gives %v", body, form, want)
		}
	})
}

// failingReader fails every read with an error that names addresses, as a
// connection's read deadline does.
type failingReader struct{}

func (failingReader) Read([]byte) (int, error) {
	return 0, errors.New("read tcp 127.0.0.1:8080->127.0.0.1:51000: i/o timeout")
}

// TestReadFormReadError checks that a body that cannot be read gives an
// error that keeps its cause for the log but shows no address: views send
// its message to the client.
func TestReadFormReadError(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/login", io.NopCloser(failingReader{}))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	_, err := ReadForm(httptest.NewRecorder(), r)
	if err == nil || strings.Contains(err.Error(), "127.0.0.1") || FormErrorStatus(err) != http.StatusBadRequest {
		t.Errorf("ReadForm of a body that fails: %v (status %d), want a 400 error without addresses", err, FormErrorStatus(err))
	}
	if cause := errors.Unwrap(err); cause == nil || !strings.Contains(cause.Error(), "i/o timeout") {
		t.Errorf("ReadForm of a body that fails: cause %v, want the read's error", cause)
	}
}
