package framework

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/securecookie"
)

// testLifetime is the session lifetime in these tests.
const testLifetime = time.Hour

// testTime is the reading of the clock injected into Sessions in these
// tests. It has no fraction of a second, as IssuedAt has none.
var testTime = time.Date(2026, time.November, 22, 14, 3, 59, 0, time.UTC)

// keyPair returns a hash key and a block key made of repeated bytes: a
// different b gives different keys.
func keyPair(b byte) [][]byte {
	return [][]byte{bytes.Repeat([]byte{b}, HashKeyBytes), bytes.Repeat([]byte{b + 1}, BlockKeyBytes)}
}

// newTestSessions returns Sessions with testLifetime, keyPairs and a clock
// stopped at testTime.
func newTestSessions(t testing.TB, keyPairs ...[]byte) *Sessions {
	t.Helper()
	s, err := NewSessions(nil, testLifetime, keyPairs...)
	if err != nil {
		t.Fatal(err)
	}
	s.now = func() time.Time { return testTime }
	return s
}

// saveCookie returns the cookie that s.Save sets for session on a GET of
// target, served through mount when it is not "".
func saveCookie(t *testing.T, s *Sessions, mount, target string, session Session) (*http.Cookie, string) {
	t.Helper()
	var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.Save(w, r, session); err != nil {
			t.Fatal(err)
		}
	})
	if mount != "" {
		handler = Mount(mount, handler)
	}
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		t.Fatalf("GET %s, Save: %d cookies set, want 1: %q", target, len(cookies), rec.Header()["Set-Cookie"])
	}
	return cookies[0], rec.Header().Get("Set-Cookie")
}

// start returns s.Start(user), failing t on an error.
func start(t testing.TB, s *Sessions, user string) Session {
	t.Helper()
	session, err := s.Start(context.Background(), user)
	if err != nil {
		t.Fatal(err)
	}
	return session
}

// loadUser returns the user of s.Load(w, r), failing t on an error.
func loadUser(t testing.TB, s *Sessions, w http.ResponseWriter, r *http.Request) string {
	t.Helper()
	session, err := s.Load(w, r)
	if err != nil {
		t.Fatal(err)
	}
	return session.User
}

// load returns what s.Load finds in a request for "/" with the header
// Cookie: name=value, and the Set-Cookie headers it writes.
func load(s *Sessions, name, value string) (Session, []*http.Cookie) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Cookie", name+"="+value)
	rec := httptest.NewRecorder()
	var session Session
	s.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		session, _ = s.Load(w, r) // memory generations: no error
	})).ServeHTTP(rec, r)
	return session, rec.Result().Cookies()
}

func TestSessionsRoundTrip(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	tests := []struct {
		name    string
		session Session
	}{
		{name: "logged in", session: start(t, s, "ann")},
		{name: "flashes", session: Session{ID: "x", User: "ann", IssuedAt: testTime.Unix(), LastSeen: testTime.Unix(), Flashes: []string{"Welcome back.", "<b>ok</b>"}}},
		{name: "anonymous flash", session: Session{Flashes: []string{"Logged out."}}},
		{name: "user name with markup", session: Session{ID: "y", User: `ann"; Path=/evil <x>`, IssuedAt: testTime.Unix(), LastSeen: testTime.Unix()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cookie, _ := saveCookie(t, s, "", "/", tc.session)
			got, deleted := load(s, cookie.Name, cookie.Value)
			if !reflect.DeepEqual(got, tc.session) {
				t.Errorf("Save %+v then Load = %+v", tc.session, got)
			}
			if len(deleted) != 0 {
				t.Errorf("Save %+v then Load set cookies %v, want none", tc.session, deleted)
			}
		})
	}
}

func TestSessionsNoCookie(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	rec := httptest.NewRecorder()
	var got Session
	s.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = s.Load(w, r) // memory generations: no error
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if !reflect.DeepEqual(got, Session{}) {
		t.Errorf("Load without a cookie = %+v, want the zero Session", got)
	}
	if header := rec.Header().Get("Set-Cookie"); header != "" {
		t.Errorf("Load without a cookie: Set-Cookie = %q, want none", header)
	}
}

func TestSessionsCookieAttributes(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	tests := []struct {
		name       string
		mount      string
		target     string
		session    Session
		wantName   string
		wantPath   string
		wantSecure bool
		wantMaxAge int
	}{
		{name: "root", target: "/login", session: start(t, s, "ann"),
			wantName: "session", wantPath: "/", wantMaxAge: int(testLifetime.Seconds())},
		{name: "root over TLS", target: "https://example.com/login", session: start(t, s, "ann"),
			wantName: "__Host-session", wantPath: "/", wantSecure: true, wantMaxAge: int(testLifetime.Seconds())},
		{name: "mounted", mount: "/app", target: "/app/login", session: start(t, s, "ann"),
			wantName: "session", wantPath: "/app", wantMaxAge: int(testLifetime.Seconds())},
		{name: "mounted over TLS", mount: "/app", target: "https://example.com/app/login", session: start(t, s, "ann"),
			wantName: "session", wantPath: "/app", wantSecure: true, wantMaxAge: int(testLifetime.Seconds())},
		{name: "time left of the lifetime", target: "/", session: Session{ID: "x", User: "ann", IssuedAt: testTime.Add(-20 * time.Minute).Unix()},
			wantName: "session", wantPath: "/", wantMaxAge: int((testLifetime - 20*time.Minute).Seconds())},
		{name: "no user", target: "/", session: Session{Flashes: []string{"Logged out."}},
			wantName: "session", wantPath: "/", wantMaxAge: int(testLifetime.Seconds())},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cookie, header := saveCookie(t, s, tc.mount, tc.target, tc.session)
			if cookie.Name != tc.wantName {
				t.Errorf("GET %s: cookie name = %q, want %q", tc.target, cookie.Name, tc.wantName)
			}
			if cookie.Path != tc.wantPath {
				t.Errorf("GET %s: Path = %q, want %q", tc.target, cookie.Path, tc.wantPath)
			}
			if cookie.Secure != tc.wantSecure {
				t.Errorf("GET %s: Secure = %v, want %v", tc.target, cookie.Secure, tc.wantSecure)
			}
			if !cookie.HttpOnly {
				t.Errorf("GET %s: HttpOnly = false, want true", tc.target)
			}
			if cookie.SameSite != http.SameSiteLaxMode {
				t.Errorf("GET %s: SameSite = %v, want Lax (%v)", tc.target, cookie.SameSite, http.SameSiteLaxMode)
			}
			if cookie.MaxAge != tc.wantMaxAge {
				t.Errorf("GET %s: Max-Age = %d, want %d", tc.target, cookie.MaxAge, tc.wantMaxAge)
			}
			if cookie.Domain != "" {
				t.Errorf("GET %s: Domain = %q, want none", tc.target, cookie.Domain)
			}
			for _, attribute := range []string{"HttpOnly", "SameSite=Lax", "Max-Age=" + strconv.Itoa(tc.wantMaxAge)} {
				if !strings.Contains(header, attribute) {
					t.Errorf("GET %s: Set-Cookie %q lacks %s", tc.target, header, attribute)
				}
			}
		})
	}
}

// TestSessionsMaxAgeMidSecond checks Max-Age when the login happens in
// the middle of a second: IssuedAt keeps whole seconds, so the cookie may
// end up to a second before the lifetime, never after it.
func TestSessionsMaxAgeMidSecond(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	for _, offset := range []time.Duration{0, time.Millisecond, 400 * time.Millisecond, 999 * time.Millisecond} {
		s.now = func() time.Time { return testTime.Add(offset) }
		cookie, _ := saveCookie(t, s, "", "/", start(t, s, "ann"))
		lifetime := int(testLifetime.Seconds())
		if cookie.MaxAge < lifetime-1 || cookie.MaxAge > lifetime {
			t.Errorf("login %v into a second: Max-Age = %d, want %d or %d", offset, cookie.MaxAge, lifetime-1, lifetime)
		}
	}
}

// TestSessionsLoadUnderMount checks that a cookie saved under a mount and
// over TLS is read back there, under the same name.
func TestSessionsLoadUnderMount(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	for _, target := range []string{"/app/login", "https://example.com/app/login", "https://example.com/login"} {
		t.Run(target, func(t *testing.T) {
			mount := ""
			if strings.Contains(target, "/app/") {
				mount = "/app"
			}
			cookie, _ := saveCookie(t, s, mount, target, start(t, s, "ann"))
			var got Session
			var handler http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, _ = s.Load(w, r) // memory generations: no error
			})
			handler = s.Middleware()(handler)
			if mount != "" {
				handler = Mount(mount, handler)
			}
			r := httptest.NewRequest(http.MethodGet, target, nil)
			r.AddCookie(cookie)
			handler.ServeHTTP(httptest.NewRecorder(), r)
			if got.User != "ann" {
				t.Errorf("GET %s with cookie %s: user = %q, want %q", target, cookie.Name, got.User, "ann")
			}
		})
	}
}

func TestSessionsRejectsBadCookies(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	good, _ := saveCookie(t, s, "", "/", start(t, s, "ann"))
	other, _ := saveCookie(t, newTestSessions(t, keyPair('x')...), "", "/", start(t, s, "ann"))
	tlsCookie, _ := saveCookie(t, s, "", "https://example.com/", start(t, s, "ann"))

	tests := []struct {
		name  string
		value string
	}{
		{name: "tampered", value: flip(good.Value, len(good.Value)/2)},
		{name: "tampered start", value: flip(good.Value, 0)},
		{name: "tampered timestamp", value: restamp(t, good.Value)},
		{name: "truncated", value: good.Value[:len(good.Value)/2]},
		{name: "one byte short", value: good.Value[:len(good.Value)-1]},
		{name: "garbage", value: "not-a-session-cookie"},
		{name: "empty", value: ""},
		{name: "base64 of nothing useful", value: base64.URLEncoding.EncodeToString([]byte("1|2|3"))},
		{name: "other keys", value: other.Value},
		{name: "signed for another name", value: tlsCookie.Value},
		{name: "too long", value: strings.Repeat("A", 5000)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, cookies := load(s, "session", tc.value)
			if !reflect.DeepEqual(got, Session{}) {
				t.Errorf("Load(session=%.20q…) = %+v, want the zero Session", tc.value, got)
			}
			checkDeleted(t, fmt.Sprintf("Load(session=%.20q…)", tc.value), cookies)
		})
	}
}

// checkDeleted checks that cookies is one Set-Cookie that deletes the
// session cookie at "/".
func checkDeleted(t *testing.T, call string, cookies []*http.Cookie) {
	t.Helper()
	if len(cookies) != 1 {
		t.Fatalf("%s: set %d cookies, want 1 that deletes the session", call, len(cookies))
	}
	cookie := cookies[0]
	if cookie.Name != "session" || cookie.Value != "" || cookie.MaxAge >= 0 || cookie.Path != "/" {
		t.Errorf("%s: Set-Cookie %s, want session=; Path=/; Max-Age=0", call, cookie)
	}
	if !strings.Contains(cookie.String(), "Max-Age=0") {
		t.Errorf("%s: Set-Cookie %s lacks Max-Age=0", call, cookie)
	}
}

// flip returns value with the byte at i changed to another base64
// character, so that it still decodes but to different bytes.
func flip(value string, i int) string {
	b := []byte(value)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// restamp returns value, a securecookie value "date|value|mac" in base64,
// with the date moved one second on, and the MAC left as it was.
func restamp(t *testing.T, value string) string {
	t.Helper()
	decoded, err := base64.URLEncoding.DecodeString(value)
	if err != nil {
		t.Fatal(err)
	}
	date, rest, ok := bytes.Cut(decoded, []byte("|"))
	if !ok {
		t.Fatalf("cookie value %q has no |", decoded)
	}
	seconds, err := strconv.ParseInt(string(date), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	restamped := append([]byte(strconv.FormatInt(seconds+1, 10)+"|"), rest...)
	return base64.URLEncoding.EncodeToString(restamped)
}

func TestSessionsExpire(t *testing.T) {
	tests := []struct {
		name     string
		after    time.Duration // time between Start and Load
		wantUser string
	}{
		{name: "at once", after: 0, wantUser: "ann"},
		{name: "just before the end", after: testLifetime - time.Second, wantUser: "ann"},
		{name: "just after the end", after: testLifetime + time.Second, wantUser: ""},
		{name: "a year later", after: 365 * 24 * time.Hour, wantUser: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSessions(t, keyPair('a')...)
			session := start(t, s, "ann")
			// Last seen at the Load, so that the idle timeout is out of
			// the way: this test is about the lifetime.
			session.LastSeen = testTime.Add(tc.after).Unix()
			cookie, _ := saveCookie(t, s, "", "/", session)
			s.now = func() time.Time { return testTime.Add(tc.after) }
			got, cookies := load(s, cookie.Name, cookie.Value)
			if got.User != tc.wantUser {
				t.Errorf("Load %v after Start: user = %q, want %q", tc.after, got.User, tc.wantUser)
			}
			if tc.wantUser == "" {
				if !reflect.DeepEqual(got, Session{}) {
					t.Errorf("Load %v after Start = %+v, want the zero Session", tc.after, got)
				}
				checkDeleted(t, fmt.Sprintf("Load %v after Start", tc.after), cookies)
			} else if len(cookies) > 0 && cookies[0].MaxAge < 0 {
				t.Errorf("Load %v after Start deleted the cookie: %v", tc.after, cookies)
			}
		})
	}
}

func TestSessionsSessionIdleTimeout(t *testing.T) {
	tests := []struct {
		name        string
		after       time.Duration // time between Start and Load
		wantUser    string
		wantRefresh bool // a Set-Cookie with LastSeen moved to now
	}{
		{name: "at once", after: 0, wantUser: "ann"},
		{name: "within the minute: no new cookie", after: lastSeenResolution - time.Second, wantUser: "ann"},
		{name: "after a minute: LastSeen refreshed", after: lastSeenResolution, wantUser: "ann", wantRefresh: true},
		{name: "just before the idle timeout", after: SessionIdleTimeout, wantUser: "ann", wantRefresh: true},
		{name: "just after the idle timeout", after: SessionIdleTimeout + time.Second, wantUser: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestSessions(t, keyPair('a')...)
			cookie, _ := saveCookie(t, s, "", "/", start(t, s, "ann"))
			s.now = func() time.Time { return testTime.Add(tc.after) }
			got, cookies := load(s, cookie.Name, cookie.Value)
			if got.User != tc.wantUser {
				t.Fatalf("Load %v after Start: user = %q, want %q", tc.after, got.User, tc.wantUser)
			}
			if tc.wantUser == "" {
				checkDeleted(t, fmt.Sprintf("Load %v after Start", tc.after), cookies)
				return
			}
			if refreshed := len(cookies) == 1 && cookies[0].MaxAge > 0; refreshed != tc.wantRefresh {
				t.Errorf("Load %v after Start: set cookies %v, want a refresh: %v", tc.after, cookies, tc.wantRefresh)
			}
			if tc.wantRefresh && got.LastSeen != testTime.Add(tc.after).Unix() {
				t.Errorf("Load %v after Start: LastSeen = %d, want %d", tc.after, got.LastSeen, testTime.Add(tc.after).Unix())
			}
		})
	}
}

// TestSessionsIdleRefreshKeepsAlive checks that a user who makes a request
// every 20 minutes stays logged in past the 30-minute idle timeout.
func TestSessionsIdleRefreshKeepsAlive(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	cookie, _ := saveCookie(t, s, "", "/", start(t, s, "ann"))
	for step := 1; step <= 3; step++ {
		s.now = func() time.Time { return testTime.Add(time.Duration(step) * 20 * time.Minute) }
		got, cookies := load(s, cookie.Name, cookie.Value)
		if got.User != "ann" || len(cookies) != 1 {
			t.Fatalf("request %d, %d minutes after login: user %q, cookies %v; want ann and a refreshed cookie",
				step, step*20, got.User, cookies)
		}
		cookie = cookies[0]
	}
}

// TestSessionsRevoke checks that logout ends copies of the cookie too.
func TestSessionsRevoke(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	before, _ := saveCookie(t, s, "", "/", start(t, s, "ann"))
	other, _ := saveCookie(t, s, "", "/", start(t, s, "bob"))

	if err := s.Revoke(t.Context(), "ann"); err != nil {
		t.Fatal(err)
	}

	got, cookies := load(s, before.Name, before.Value)
	if got.User != "" {
		t.Errorf("Load of a cookie issued before Revoke: user = %q, want none", got.User)
	}
	checkDeleted(t, "Load of a revoked cookie", cookies)
	if got, _ := load(s, other.Name, other.Value); got.User != "bob" {
		t.Errorf("Load of another user's cookie after Revoke(ann): user = %q, want bob", got.User)
	}
	after, _ := saveCookie(t, s, "", "/", start(t, s, "ann"))
	if got, _ := load(s, after.Name, after.Value); got.User != "ann" {
		t.Errorf("Load of a cookie issued after Revoke: user = %q, want ann", got.User)
	}
}

// TestSaveReplacesCookie checks that saving twice in one response sends
// one Set-Cookie for the session, the last.
func TestSaveReplacesCookie(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	http.SetCookie(rec, &http.Cookie{Name: "other", Value: "1"})
	s.Clear(rec, r)
	if err := s.Save(rec, r, start(t, s, "ann")); err != nil {
		t.Fatal(err)
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 2 || cookies[0].Name != "other" || cookies[1].Name != "session" || cookies[1].MaxAge <= 0 {
		t.Errorf("Set-Cookie after Clear then Save = %v, want other=1 and the saved session", cookies)
	}
}

func TestSessionsKeyRotation(t *testing.T) {
	oldPair, newPair := keyPair('a'), keyPair('x')
	old := newTestSessions(t, oldPair...)
	rotated := newTestSessions(t, append(newPair[:2:2], oldPair...)...)
	onlyNew := newTestSessions(t, newPair...)

	oldCookie, _ := saveCookie(t, old, "", "/", start(t, old, "ann"))
	if got, _ := load(rotated, oldCookie.Name, oldCookie.Value); got.User != "ann" {
		t.Errorf("cookie from the old pair, read with new+old: user = %q, want %q", got.User, "ann")
	}

	newCookie, _ := saveCookie(t, rotated, "", "/", start(t, rotated, "bob"))
	if got, _ := load(onlyNew, newCookie.Name, newCookie.Value); got.User != "bob" {
		t.Errorf("cookie from new+old, read with the new pair: user = %q, want %q (written with the new pair)", got.User, "bob")
	}
	if got, _ := load(old, newCookie.Name, newCookie.Value); got.User != "" {
		t.Errorf("cookie from new+old, read with the old pair: user = %q, want none (not written with the old pair)", got.User)
	}
}

func TestNewSessions(t *testing.T) {
	hashKey, blockKey := keyPair('a')[0], keyPair('a')[1]
	tests := []struct {
		name         string
		lifetime     time.Duration
		keyPairs     [][]byte
		wantErr      string // "" for success
		wantLifetime time.Duration
	}{
		{name: "one pair", lifetime: time.Hour, keyPairs: keyPair('a'), wantLifetime: time.Hour},
		{name: "default lifetime", lifetime: 0, keyPairs: keyPair('a'), wantLifetime: DefaultSessionLifetime},
		{name: "two pairs", lifetime: time.Minute, keyPairs: append(keyPair('x'), keyPair('a')...), wantLifetime: time.Minute},
		{name: "no keys", keyPairs: nil, wantErr: "pairs"},
		{name: "hash key only", keyPairs: [][]byte{hashKey}, wantErr: "pairs"},
		{name: "three keys", keyPairs: [][]byte{hashKey, blockKey, hashKey}, wantErr: "pairs"},
		{name: "short hash key", keyPairs: [][]byte{hashKey[:HashKeyBytes-1], blockKey}, wantErr: "pair 1"},
		{name: "long hash key", keyPairs: [][]byte{append(hashKey, 'a'), blockKey}, wantErr: "pair 1"},
		{name: "short block key", keyPairs: [][]byte{hashKey, blockKey[:BlockKeyBytes-1]}, wantErr: "pair 1"},
		{name: "AES-128 block key", keyPairs: [][]byte{hashKey, blockKey[:16]}, wantErr: "pair 1"},
		{name: "nil block key", keyPairs: [][]byte{hashKey, nil}, wantErr: "pair 1"},
		{name: "bad second pair", keyPairs: [][]byte{hashKey, blockKey, hashKey, blockKey[:1]}, wantErr: "pair 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSessions(nil, tc.lifetime, tc.keyPairs...)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("NewSessions(%v, %d keys): %v", tc.lifetime, len(tc.keyPairs), err)
				}
				if s.lifetime != tc.wantLifetime {
					t.Errorf("NewSessions(%v, %d keys): lifetime = %v, want %v", tc.lifetime, len(tc.keyPairs), s.lifetime, tc.wantLifetime)
				}
				return
			}
			if err == nil {
				t.Fatalf("NewSessions(%v, %d keys): no error, want one mentioning %q", tc.lifetime, len(tc.keyPairs), tc.wantErr)
			}
			if !strings.HasPrefix(err.Error(), "framework: ") || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("NewSessions(%v, %d keys): error %q, want %q in a framework: error", tc.lifetime, len(tc.keyPairs), err, tc.wantErr)
			}
		})
	}
}

func TestSessionsStart(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	first, second := start(t, s, "ann"), start(t, s, "ann")
	for _, session := range []Session{first, second} {
		if session.User != "ann" || session.IssuedAt != testTime.Unix() || session.ID == "" || session.Flashes != nil {
			t.Errorf("Start(%q) = %+v, want user ann, IssuedAt %d, an ID and no flashes", "ann", session, testTime.Unix())
		}
	}
	if first.ID == second.ID {
		t.Errorf("Start twice: both IDs are %q, want distinct", first.ID)
	}
}

func FuzzSessionDecode(f *testing.F) {
	s := newTestSessions(f, keyPair('a')...)
	// The fuzzing engine runs this function again in each worker process,
	// so the one valid session must not depend on chance, as Start's ID
	// does.
	signed := Session{ID: "FUZZ", User: "ann", IssuedAt: testTime.Unix()}
	value, err := encodeSession(s, signed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(value)
	f.Add(flip(value, len(value)/2))
	f.Add(value[:len(value)/2])
	f.Add("")
	f.Add("not-a-session-cookie")
	f.Add(`"quoted"`)
	f.Add(base64.URLEncoding.EncodeToString([]byte("1|2|3")))
	f.Fuzz(func(t *testing.T, value string) {
		got, _ := load(s, "session", value)
		// Without the keys, no input decodes, except the cookie the keys
		// signed (and encodings of the same bytes that base64 tolerates).
		if !reflect.DeepEqual(got, Session{}) && !reflect.DeepEqual(got, signed) {
			t.Fatalf("Load(session=%q) = %+v, want the zero Session", value, got)
		}
	})
}

// encodeSession returns the cookie value that s.Save writes for session
// on a request to "/" over HTTP.
func encodeSession(s *Sessions, session Session) (string, error) {
	rec := httptest.NewRecorder()
	if err := s.Save(rec, httptest.NewRequest(http.MethodGet, "/", nil), session); err != nil {
		return "", err
	}
	cookies := rec.Result().Cookies()
	if len(cookies) != 1 {
		return "", fmt.Errorf("Save set %d cookies, want 1", len(cookies))
	}
	return cookies[0].Value, nil
}

// TestSessionsMiddlewareCaches checks that under Middleware a request
// decodes its cookie once, and that Save and Clear update what later
// Loads see.
func TestSessionsMiddlewareCaches(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	cookie, _ := saveCookie(t, s, "", "/", start(t, s, "ann"))
	var users []string
	handler := s.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		users = append(users, loadUser(t, s, w, r))
		r.Header.Set("Cookie", "session=garbage") // a second decode would fail
		users = append(users, loadUser(t, s, w, r))
		if err := s.Save(w, r, start(t, s, "bob")); err != nil {
			t.Fatal(err)
		}
		users = append(users, loadUser(t, s, w, r))
		s.Clear(w, r)
		users = append(users, loadUser(t, s, w, r))
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(cookie)
	handler.ServeHTTP(httptest.NewRecorder(), r)
	if want := []string{"ann", "ann", "bob", ""}; !reflect.DeepEqual(users, want) {
		t.Errorf("Load under Middleware: users %q, want %q", users, want)
	}
}

// TestSessionsLoadOutsideMiddleware checks that loading a session in a
// handler chain without Middleware is a wiring mistake that fails loudly
// on the first request, not a cache that is silently missing.
func TestSessionsLoadOutsideMiddleware(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	defer func() {
		if message, _ := recover().(string); !strings.Contains(message, "Sessions.Middleware") {
			t.Errorf("Load outside Middleware: panic %q, want one that names Sessions.Middleware", message)
		}
	}()
	s.Load(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
}

// TestSessionsRejectsSignedMalformed checks that a cookie whose signature
// is good but whose value does not decode into a Session, such as one
// written before a field changed type, is a visitor who is not logged in:
// Load never returns what it half decoded.
func TestSessionsRejectsSignedMalformed(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	value, err := securecookie.EncodeMulti("session", map[string]any{"user": "ann", "gen": "not a number"}, s.codecs...)
	if err != nil {
		t.Fatal(err)
	}
	got, cookies := load(s, "session", value)
	if !reflect.DeepEqual(got, Session{}) {
		t.Errorf("Load of a signed cookie with a malformed value = %+v, want the zero Session", got)
	}
	checkDeleted(t, "Load of a signed cookie with a malformed value", cookies)
}

// failingGenerations is a generations store that is down, as a database
// can be: every call fails.
type failingGenerations struct{}

var errStoreDown = errors.New("store down")

func (failingGenerations) Generation(context.Context, string) (uint64, error) { return 0, errStoreDown }
func (failingGenerations) Revoke(context.Context, string) error               { return errStoreDown }

// TestSessionsGenerationsDown checks that a generations store that fails
// makes Start, Revoke and the Load of a logged-in session fail with its
// error, never a session that might have been revoked; and that a
// visitor's session, which needs no generation, still loads.
func TestSessionsGenerationsDown(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	s.generations = failingGenerations{}
	if _, err := s.Start(t.Context(), "ann"); !errors.Is(err, errStoreDown) {
		t.Errorf("Start with the store down: %v, want %v", err, errStoreDown)
	}
	if err := s.Revoke(t.Context(), "ann"); !errors.Is(err, errStoreDown) {
		t.Errorf("Revoke with the store down: %v, want %v", err, errStoreDown)
	}
	for _, tc := range []struct {
		name    string
		session Session
		wantErr error
	}{
		{name: "logged in", session: Session{User: "ann", IssuedAt: testTime.Unix(), LastSeen: testTime.Unix()}, wantErr: errStoreDown},
		{name: "flash only", session: Session{Flashes: []string{"bye"}}, wantErr: nil},
	} {
		cookie, _ := saveCookie(t, s, "", "/", tc.session)
		var err error
		var cookies []*http.Cookie
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(cookie)
		s.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, err = s.Load(w, r)
		})).ServeHTTP(rec, r)
		cookies = rec.Result().Cookies()
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("Load of a %s session with the store down: %v, want %v", tc.name, err, tc.wantErr)
		}
		if tc.wantErr != nil && len(cookies) != 0 {
			t.Errorf("Load of a %s session with the store down set cookies %v, want none: the session may be good", tc.name, cookies)
		}
	}
}

// TestSessionsAddFlash checks that flash messages added in one request,
// logged in or not, are read once in the next: the one after shows none.
func TestSessionsAddFlash(t *testing.T) {
	s := newTestSessions(t, keyPair('a')...)
	for _, user := range []string{"", "ann"} {
		var cookie *http.Cookie
		if user != "" {
			cookie, _ = saveCookie(t, s, "", "/", start(t, s, user))
		}
		// serve sends a request with the cookie so far to handle, and
		// keeps the cookie it sets.
		serve := func(handle func(w http.ResponseWriter, r *http.Request)) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if cookie != nil {
				r.AddCookie(cookie)
			}
			rec := httptest.NewRecorder()
			s.Middleware()(http.HandlerFunc(handle)).ServeHTTP(rec, r)
			if cookies := rec.Result().Cookies(); len(cookies) == 1 {
				cookie = cookies[0]
			}
		}
		serve(func(w http.ResponseWriter, r *http.Request) {
			for _, message := range []string{"Note saved.", "Note deleted."} {
				if err := s.AddFlash(w, r, message); err != nil {
					t.Fatal(err)
				}
			}
		})
		for i, want := range [][]string{{"Note saved.", "Note deleted."}, nil} {
			serve(func(w http.ResponseWriter, r *http.Request) {
				flashes, err := s.Flashes(w, r)
				if err != nil || !reflect.DeepEqual(flashes, want) {
					t.Errorf("user %q, request %d after AddFlash: Flashes = %q, %v; want %q", user, i+1, flashes, err, want)
				}
				if got := loadUser(t, s, w, r); got != user {
					t.Errorf("user %q, request %d after AddFlash: user %q", user, i+1, got)
				}
			})
		}
	}
}
