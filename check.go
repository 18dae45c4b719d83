package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"example.com/miniweb/framework"
)

// checkPanicPath is a route that exists only in the deploy check's copy of
// the app, to see the headers of a 500 page.
const checkPanicPath = "/deploy-check/panic"

// deployCheck checks that the configuration is fit for production and
// writes one line per check to out, "ok" or "FAIL" and what was checked.
// It reports whether every check passed. It serves requests to the same
// route table and middleware that run serves, in memory.
func deployCheck(config config, out io.Writer) bool {
	passed := true
	report := func(ok bool, format string, args ...any) {
		status := "ok  "
		if !ok {
			status, passed = "FAIL", false
		}
		fmt.Fprintf(out, "%s %s\n", status, fmt.Sprintf(format, args...))
	}

	server := newServer(http.NotFoundHandler(), slog.New(slog.DiscardHandler))
	report(server.ReadHeaderTimeout > 0 && server.ReadTimeout > 0 && server.WriteTimeout > 0 && server.IdleTimeout > 0,
		"server timeouts: read header %v, read %v, write %v, idle %v",
		server.ReadHeaderTimeout, server.ReadTimeout, server.WriteTimeout, server.IdleTimeout)
	report(server.MaxHeaderBytes > 0 && server.MaxHeaderBytes < http.DefaultMaxHeaderBytes,
		"MaxHeaderBytes %d, below net/http's default %d", server.MaxHeaderBytes, http.DefaultMaxHeaderBytes)
	report(!config.generatedKeys, "session keys from $%s and $%s (%d-byte hash key, %d-byte block key)",
		hashKeyVariable, blockKeyVariable, framework.HashKeyBytes, framework.BlockKeyBytes)
	report(!config.dev, "development mode off (-dev serves templates from disk and /environ)")
	report(config.users[demoUser] != demoPassword, "demo account %s / %s replaced (-user and $%s)",
		demoUser, demoPassword, passwordVariable)
	report(!config.cgi, "one long-lived process, not a CGI script per request: the login throttle and logout's "+
		"session revocation live in memory, and a CGI process forgets them when it exits")

	app, err := newRoutes(config, slog.New(slog.DiscardHandler))
	if err != nil {
		report(false, "building the app: %v", err)
		return false
	}
	app.routes[checkPanicPath] = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("deploy check: a handler that fails")
	})
	handler := withMiddleware(config, slog.New(slog.DiscardHandler), app)

	// The session cookie, as a login over HTTPS sets it.
	for user, password := range config.users {
		form := url.Values{"username": {user}, "password": {password}}
		r := httptest.NewRequest(http.MethodPost, "https://example.org"+config.mount+"/login", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, r)
		cookies := recorder.Result().Cookies()
		ok, description := recorder.Code == http.StatusSeeOther && len(cookies) == 1, "none"
		if ok {
			cookie := *cookies[0]
			ok = cookie.HttpOnly && cookie.Secure && cookie.SameSite == http.SameSiteLaxMode &&
				cookie.MaxAge > 0 && cookie.MaxAge <= int(framework.DefaultSessionLifetime.Seconds())
			cookie.Value = "redacted" // a live session: keep it out of the output
			description = cookie.String()
		}
		report(ok, "session cookie after a login over HTTPS: HttpOnly, Secure, SameSite=Lax, Max-Age within %v: %s",
			framework.DefaultSessionLifetime, description)
	}

	// The security headers, on every kind of response.
	for _, probe := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/login", http.StatusOK},
		{http.MethodGet, "/no-such-page", http.StatusNotFound},
		{http.MethodDelete, "/login", http.StatusMethodNotAllowed},
		{http.MethodGet, checkPanicPath, http.StatusInternalServerError},
		{http.MethodGet, "/static/style.css", http.StatusOK},
	} {
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, httptest.NewRequest(probe.method, config.mount+probe.path, nil))
		header := recorder.Header()
		ok := recorder.Code == probe.status &&
			header.Get("X-Content-Type-Options") == "nosniff" &&
			header.Get("Content-Security-Policy") == framework.ContentSecurityPolicy &&
			header.Get("Referrer-Policy") == framework.ReferrerPolicy
		report(ok, "security headers on %s %s: status %d (want %d)", probe.method, probe.path, recorder.Code, probe.status)
	}
	return passed
}
