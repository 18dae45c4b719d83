package main

import (
	"crypto/subtle"
	"fmt"
	"html"
	"net/url"
	"strings"
)

// demoUser and demoPassword are the one account /login accepts. A real
// server would store a password hash, never the password.
const (
	demoUser     = "admin"
	demoPassword = "secure123"
)

// routes returns the route table: it maps a request path, exactly as sent
// and still percent-encoded, to the view that answers it, like the
// URL_PATTERNS dict in the Python notes. A path with no entry gets 404.
func routes() map[string]func(*request) response {
	return map[string]func(*request) response{
		"/":      index,
		"/hello": hello,
		"/login": login,
	}
}

// index serves the home page on GET and HEAD, and 405 otherwise.
func index(r *request) response {
	if r.method != "GET" && r.method != "HEAD" {
		return methodNotAllowed("GET, HEAD")
	}
	return response{status: statusOK, body: page("Home",
		`<p>This page came from a raw socket server.</p>
<ul>
<li><a href="/hello?name=%E4%BD%A0">/hello?name=%E4%BD%A0</a></li>
<li><a href="/login">/login</a></li>
</ul>`)}
}

// hello greets the name in the query string, "world" if there is none, on
// GET and HEAD, and lists every query field as parsed by hand. It answers
// other methods with 405.
func hello(r *request) response {
	if r.method != "GET" && r.method != "HEAD" {
		return methodNotAllowed("GET, HEAD")
	}
	query, err := parseForm(r.query)
	if err != nil {
		return errorPage(statusBadRequest, "invalid query string")
	}
	name := formValue(query, "name")
	if name == "" {
		name = "world"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "<p>Hello, %s!</p>\n<p>Query fields, parsed by hand:</p>\n<ul>\n", escape(name))
	for _, f := range query {
		fmt.Fprintf(&b, "<li><code>%s</code> = <code>%s</code></li>\n", escape(f.name), escape(f.value))
	}
	b.WriteString("</ul>")
	return response{status: statusOK, body: page("Hello", b.String())}
}

// login shows the login form on GET and HEAD. On POST it reads the
// urlencoded username and password from the body and answers 200 with a
// welcome for the demo account, or 422 Unprocessable Content
// (RFC 9110 §15.5.21) with the form and one message for any wrong user or
// password. A POST body of another type gets 415 (RFC 9110 §15.5.16), and
// other methods 405 with Allow: GET, HEAD, POST.
func login(r *request) response {
	switch r.method {
	case "GET", "HEAD":
		return response{status: statusOK, body: page("Log in", loginForm(""))}
	case "POST":
	default:
		return methodNotAllowed("GET, HEAD, POST")
	}

	contentTypes := r.values("content-type")
	if len(contentTypes) != 1 || !isForm(contentTypes[0]) {
		return errorPage(statusUnsupportedMediaType, "send the form as application/x-www-form-urlencoded")
	}
	form, err := parseForm(string(r.body))
	if err != nil {
		return errorPage(statusBadRequest, "invalid form body")
	}
	username, password := formValue(form, "username"), formValue(form, "password")
	// Compare both fields in constant time, and both always, so the
	// response time does not tell which one was wrong or how much of it
	// matched. (ConstantTimeCompare still returns early on a length
	// mismatch, which reveals only the length.)
	userOK := subtle.ConstantTimeCompare([]byte(username), []byte(demoUser))
	passwordOK := subtle.ConstantTimeCompare([]byte(password), []byte(demoPassword))
	if userOK&passwordOK != 1 {
		return response{status: statusUnprocessableContent, body: page("Log in",
			loginForm("Invalid username or password."))}
	}
	return response{status: statusOK, body: page("Welcome",
		fmt.Sprintf("<p>Welcome back, %s!</p>", escape(username)))}
}

// isForm reports whether the Content-Type value contentType names an
// urlencoded form, ignoring parameters such as charset (RFC 9110 §8.3.1).
func isForm(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(mediaType), "application/x-www-form-urlencoded")
}

// loginForm returns the login form's HTML, after message if there is one.
func loginForm(message string) string {
	var b strings.Builder
	if message != "" {
		fmt.Fprintf(&b, "<p class=\"error\">%s</p>\n", escape(message))
	}
	b.WriteString(`<form method="post" action="/login">
<p><label>Username <input name="username" autocomplete="username"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>
<p><button type="submit">Log in</button></p>
</form>
<p>The demo account is admin / secure123.</p>`)
	return b.String()
}

// notFound is the page for a path with no route.
func notFound(r *request) response {
	return response{status: statusNotFound, body: page("Not Found",
		fmt.Sprintf("<p>No page at <code>%s</code>.</p>", escape(r.path)))}
}

// methodNotAllowed is the 405 Method Not Allowed response
// (RFC 9110 §15.5.6), whose Allow header lists the methods that work.
func methodNotAllowed(allow string) response {
	resp := errorPage(statusMethodNotAllowed, "allowed methods: "+allow)
	resp.allow = allow
	return resp
}

// errorPage is a short page for an error status that shows reason.
func errorPage(status int, reason string) response {
	title := fmt.Sprintf("%d %s", status, statusText(status))
	return response{status: status, body: page(title, "<p>"+escape(reason)+"</p>")}
}

// page returns a whole HTML document with title as its title and heading,
// then content, which must already be HTML.
func page(title, content string) string {
	return fmt.Sprintf(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>%[1]s</title></head>
<body>
<h1>%[1]s</h1>
%[2]s
</body>
</html>
`, escape(title), content)
}

// escape returns s escaped for HTML text and attribute values, with any
// invalid UTF-8 (a percent-decoded %FF, say) replaced by U+FFFD, since the
// page says it is UTF-8.
func escape(s string) string {
	return html.EscapeString(strings.ToValidUTF8(s, "\uFFFD"))
}

// parseForm splits an application/x-www-form-urlencoded string, such as a
// query string or a login body, into its fields by hand, as the Python
// notes do: pairs split on "&", each pair on its first "=", then "+"
// becomes a space and %XX a byte ([url.QueryUnescape]). Empty pairs are
// skipped. It fails on a "%" without two hex digits after it.
func parseForm(s string) ([]field, error) {
	var form []field
	for pair := range strings.SplitSeq(s, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return nil, err
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, err
		}
		form = append(form, field{name, value})
	}
	return form, nil
}

// formValue returns the first value of the field called name, or "".
func formValue(form []field, name string) string {
	for _, f := range form {
		if f.name == name {
			return f.value
		}
	}
	return ""
}
