package e2e

import (
	"context"
	"fmt"
	"html"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowser drives a real, headless Chromium through the demo: it logs
// in with the form, logs out with the button, signs a newcomer up, changes
// the newcomer's password and logs in with it, writes, edits and deletes
// a note, and visits pages of
// another origin that submit forms to the demo by themselves, as a
// cross-site request forgery would. The browser marks those requests with
// its own Sec-Fetch-Site header, and the demo must refuse them with 403:
// a forged login must not log the browser in, and a forged logout must not
// end its session.
//
// The browser reaches the demo's binary through a reverse proxy, which
// records each request and the status of its response.
//
// CI installs Chromium (Debian's chromium package) and fails the test
// without it; elsewhere the test skips when it is missing.
func TestBrowser(t *testing.T) {
	chromium := program(t, "chromium", "/usr/bin/chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	demo := startDemo(t, binary)
	var exchanges recorder
	proxy := &httputil.ReverseProxy{
		// The proxy passes the browser's Host on, so that the demo sees
		// the origin the browser uses.
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(&url.URL{Scheme: "http", Host: demo.address})
			r.Out.Host = r.In.Host
		},
		ModifyResponse: func(res *http.Response) error {
			exchanges.add(res)
			return nil
		},
	}
	app := httptest.NewServer(proxy) // http://127.0.0.1:PORT
	defer app.Close()

	// The attacker's pages, each a form that submits itself to the same
	// path on the demo: /login with the demo account, or /logout.
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var fields url.Values
		switch r.URL.Path {
		case "/login":
			fields = credentials("admin", "secure123")
		case "/logout":
		default:
			http.NotFound(w, r)
			return
		}
		var inputs strings.Builder
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			fmt.Fprintf(&inputs, `<input type="hidden" name="%s" value="%s">`, html.EscapeString(name), html.EscapeString(fields.Get(name)))
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Win a prize</title>
<form method="post" action="%s">%s</form>
<script>addEventListener("load", () => document.forms[0].submit())</script>
`, html.EscapeString(app.URL+r.URL.Path), inputs.String())
	}))
	defer attacker.Close()
	attackerURL, err := url.Parse(attacker.URL)
	if err != nil {
		t.Fatal(err)
	}
	// Another host name is another site. The same host on another port is
	// the same site but another origin, which
	// http.CrossOriginProtection refuses as well.
	attackers := []struct {
		name          string
		origin        string
		wantFetchSite string
	}{
		{name: "another site", origin: "http://localhost:" + attackerURL.Port(), wantFetchSite: "cross-site"},
		{name: "same site, another port", origin: attacker.URL, wantFetchSite: "same-site"},
	}

	ctx = startBrowser(t, ctx, chromium)

	steps := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(what, selector string) string {
		t.Helper()
		return pageText(t, ctx, what, selector)
	}
	// click clicks the element at selector and waits for the page it
	// leads to, which must be url.
	click := func(what, selector, url string) {
		t.Helper()
		res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(selector)))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if res.Status != http.StatusOK || res.URL != url {
			t.Fatalf("%s: page %s with status %d, want %s with status %d", what, res.URL, res.Status, url, http.StatusOK)
		}
	}
	// logInAs logs in with the form as user, whose name as the store
	// keeps it is shown, and lands on the home page.
	logInAs := func(what, user, password, shown string) {
		t.Helper()
		steps(what,
			chromedp.Navigate(app.URL+"/login"),
			chromedp.SendKeys(chromedp.ID("username"), user),
			chromedp.SendKeys(chromedp.ID("password"), password),
		)
		click(what, `main form button[type="submit"]`, app.URL+"/home")
		if got, want := text(what, "main h1"), "Welcome back, "+shown+"!"; got != want {
			t.Fatalf("%s: heading = %q, want %q", what, got, want)
		}
	}
	login := func(what string) { t.Helper(); logInAs(what, "admin", "secure123", "admin") }
	// wantHome visits /home and checks whether the browser is logged in.
	wantHome := func(what string, loggedIn bool) {
		t.Helper()
		steps(what, chromedp.Navigate(app.URL+"/home"))
		location, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		wantLocation, wantHeading := app.URL+"/login?next=/home", "Log in"
		if loggedIn {
			wantLocation, wantHeading = app.URL+"/home", "Welcome back, admin!"
		}
		if location != wantLocation {
			t.Errorf("%s: GET /home shows %s, want %s", what, location, wantLocation)
		}
		if got := text(what, "main h1"); got != wantHeading {
			t.Errorf("%s: GET /home: heading = %q, want %q", what, got, wantHeading)
		}
	}
	// forge opens the attacker's page for path at origin, waits for the
	// demo's answer to the form it submits, and checks that the answer is
	// 403, to the browser and on the server.
	forge := func(what, origin, path, wantFetchSite string) {
		t.Helper()
		before := exchanges.len()
		steps(what, chromedp.Navigate(origin+path))
		location, body := waitForOrigin(t, ctx, app.URL)
		if want := "cross-origin request detected"; location != app.URL+path || !strings.Contains(body, want) {
			t.Errorf("%s: the browser shows %s: %q, want %s: a page that contains %q", what, location, body, app.URL+path, want)
		}
		got, ok := exchanges.find(before, http.MethodPost, path)
		switch {
		case !ok:
			t.Errorf("%s: the demo saw no POST %s", what, path)
		case got.status != http.StatusForbidden || got.fetchSite != wantFetchSite:
			t.Errorf("%s: POST %s with Sec-Fetch-Site %q: status = %d, want %d with Sec-Fetch-Site %q",
				what, path, got.fetchSite, got.status, http.StatusForbidden, wantFetchSite)
		}
	}

	defer func() {
		if t.Failed() {
			t.Logf("requests the demo answered: %+v", exchanges.all())
		}
	}()
	login("log in with the form")
	click("click Log out", ".logout button", app.URL+"/login")
	if got := text("after Log out", ".flash"); got != loggedOutMessage {
		t.Errorf("after Log out: message = %q, want %q", got, loggedOutMessage)
	}

	for _, tc := range attackers {
		what := "forged login from " + tc.name + " (" + tc.origin + ")"
		forge(what, tc.origin, "/login", tc.wantFetchSite)
		wantHome(what, false)
	}

	login("log in again")
	for _, tc := range attackers {
		what := "forged logout from " + tc.name + " (" + tc.origin + ")"
		forge(what, tc.origin, "/logout", tc.wantFetchSite)
		wantHome(what, true)
	}

	// A newcomer signs up, lands on the home page, changes the password,
	// logs out, and logs in with the new password.
	click("log out before signing up", ".logout button", app.URL+"/login")
	steps("fill in the sign-up form",
		chromedp.Navigate(app.URL+"/register"),
		chromedp.SendKeys(chromedp.ID("username"), "Newcomer"),
		chromedp.SendKeys(chromedp.ID("password"), "a first long password"),
		chromedp.SendKeys(chromedp.ID("confirm"), "a first long password"),
	)
	click("sign up", `main form button[type="submit"]`, app.URL+"/home")
	if got, want := text("after signing up", "main h1"), "Welcome back, newcomer!"; got != want {
		t.Errorf("after signing up: heading = %q, want %q", got, want)
	}
	steps("fill in the password form",
		chromedp.Navigate(app.URL+"/account"),
		chromedp.SendKeys(chromedp.ID("current"), "a first long password"),
		chromedp.SendKeys(chromedp.ID("password"), "a second long password"),
		chromedp.SendKeys(chromedp.ID("confirm"), "a second long password"),
	)
	click("change the password", `main form button[type="submit"]`, app.URL+"/account")
	if got := text("after changing the password", ".flash"); !strings.HasPrefix(got, "Your password has been changed.") {
		t.Errorf("after changing the password: message = %q, want the change confirmed", got)
	}
	click("log out after changing the password", ".logout button", app.URL+"/login")
	logInAs("log in with the new password", "newcomer", "a second long password", "newcomer")

	// The newcomer writes a note, edits it, sees the flash, and deletes it.
	steps("fill in a new note",
		chromedp.Navigate(app.URL+"/notes/new"),
		chromedp.SendKeys(chromedp.ID("title"), "Groceries"),
		chromedp.SendKeys(chromedp.ID("body"), "milk\n<b>bread</b>"),
	)
	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
	if err != nil || res.Status != http.StatusOK || !strings.HasPrefix(res.URL, app.URL+"/notes/") {
		t.Fatalf("save a new note: %v, page %v", err, res)
	}
	notePage := res.URL
	if got := text("after saving the note", ".flash"); got != "Note saved." {
		t.Errorf("after saving the note: message = %q, want %q", got, "Note saved.")
	}
	if got := text("after saving the note", ".note-body"); got != "milk\n<b>bread</b>" {
		t.Errorf("after saving the note: text = %q, want it as typed, markup and line break kept", got)
	}
	steps("edit the note",
		chromedp.Navigate(notePage+"/edit"),
		chromedp.Clear(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), "Groceries and more"),
	)
	click("save the edit", `main form button[type="submit"]`, notePage)
	if got := text("after the edit", "main h1"); got != "Groceries and more" {
		t.Errorf("after the edit: heading = %q, want %q", got, "Groceries and more")
	}
	// Another user cannot open it.
	click("log out the newcomer", ".logout button", app.URL+"/login")
	login("log in as admin to try the newcomer's note")
	res, err = chromedp.RunResponse(ctx, chromedp.Navigate(notePage))
	if err != nil || res.Status != http.StatusNotFound {
		t.Errorf("admin opens the newcomer's note %s: %v, status %v; want %d", notePage, err, res, http.StatusNotFound)
	}
	// The newcomer deletes it.
	click("log out admin", ".logout button", app.URL+"/login")
	logInAs("log in as the newcomer again", "newcomer", "a second long password", "newcomer")
	steps("open the note", chromedp.Navigate(notePage))
	click("delete the note", "button.danger", app.URL+"/notes")
	if got := text("after deleting the note", ".flash"); got != "Note deleted." {
		t.Errorf("after deleting the note: message = %q, want %q", got, "Note deleted.")
	}
}

// pageText returns the text of the element at selector on the page the
// browser shows, trimmed; what names the step for the error.
func pageText(t *testing.T, ctx context.Context, what, selector string) string {
	t.Helper()
	got, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		t.Fatalf("%s: text of %s: %v", what, selector, err)
	}
	return strings.TrimSpace(got)
}

// startBrowser starts a headless Chromium, the program at chromium, with a
// profile of its own and the extra options, and returns the context that
// drives it; it stops when the test ends.
func startBrowser(t *testing.T, ctx context.Context, chromium string, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	options := slices.Concat(chromedp.DefaultExecAllocatorOptions[:], []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
	}, extra)
	allocatorCtx, cancelAllocator := chromedp.NewExecAllocator(ctx, options...)
	t.Cleanup(cancelAllocator)
	ctx, cancelBrowser := chromedp.NewContext(allocatorCtx)
	t.Cleanup(cancelBrowser)
	return ctx
}

// TestBrowserChinese drives a headless Chromium whose language is Chinese
// (--lang=zh-CN) through the login of the Python notes: the demo answers
// in the notes' words, and the footer's switch turns the pages English.
func TestBrowserChinese(t *testing.T) {
	chromium := program(t, "chromium", "/usr/bin/chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	demo := startDemo(t, binary)
	base := "http://" + demo.address
	// --lang sets a headed browser's Accept-Language; a headless one
	// takes it from --accept-lang.
	ctx = startBrowser(t, ctx, chromium, chromedp.Flag("lang", "zh-CN"), chromedp.Flag("accept-lang", "zh-CN,zh"))

	text := func(what, selector string) string {
		t.Helper()
		return pageText(t, ctx, what, selector)
	}
	language := func(what string) string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
		if err != nil {
			t.Fatalf("%s: <html lang>: %v", what, err)
		}
		return got
	}
	submit := func(what, username, password, wantURL string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(base+"/login"),
			chromedp.SendKeys(chromedp.ID("username"), username),
			chromedp.SendKeys(chromedp.ID("password"), password),
		); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)))
		if err != nil || res.URL != wantURL {
			t.Fatalf("%s: %v, page %v, want %s", what, err, res, wantURL)
		}
	}

	submit("a wrong password", "admin", "wrong", base+"/login")
	if got := language("a wrong password"); got != "zh-Hans" {
		t.Errorf("a wrong password: <html lang=%q>, want zh-Hans", got)
	}
	if got, want := text("a wrong password", ".error"), "用户名或密码错误！"; got != want {
		t.Errorf("a wrong password: message = %q, want %q", got, want)
	}
	submit("the right password", "admin", "secure123", base+"/home")
	if got, want := text("the right password", "main h1"), "欢迎回来, admin!"; got != want {
		t.Errorf("the right password: heading = %q, want %q", got, want)
	}

	res, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(`footer button[value="en"]`)))
	if err != nil || res.URL != base+"/home" {
		t.Fatalf("switch to English: %v, page %v", err, res)
	}
	if got, want := text("after switching to English", "main h1"), "Welcome back, admin!"; got != want {
		t.Errorf("after switching to English: heading = %q, want %q", got, want)
	}
}

// waitForOrigin waits, up to twenty seconds, until the browser's tab has
// loaded a page of origin, and returns its address and the text of its
// body. Pages that submit forms by themselves navigate on their own, so
// the test polls.
func waitForOrigin(t *testing.T, ctx context.Context, origin string) (location, body string) {
	t.Helper()
	const script = `document.readyState === "complete" && location.origin === %q ? [location.href, document.body.innerText] : null`
	deadline := time.Now().Add(20 * time.Second)
	ticker := time.NewTicker(20 * time.Millisecond)
	defer ticker.Stop()
	for range ticker.C {
		// An evaluation fails while the tab navigates; the next one runs
		// in the new page.
		page, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](fmt.Sprintf(script, origin)))
		if err == nil && len(page) == 2 {
			return page[0], page[1]
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			location, _ := chromedp.Run(ctx, chromedp.Location())
			t.Fatalf("the browser shows %s, want a page of %s loaded (last error: %v)", location, origin, err)
		}
	}
	return "", ""
}

// recorder records the requests a reverse proxy passes on and the
// status of each response, for tests that check what a browser sent and
// what it got.
type recorder struct {
	mu        sync.Mutex
	exchanges []exchange
}

// exchange is one request and the status of its response.
type exchange struct {
	method, path string
	fetchSite    string // the Sec-Fetch-Site header
	status       int
}

// add records res and the request it answers, for
// httputil.ReverseProxy.ModifyResponse.
func (rec *recorder) add(res *http.Response) {
	r := res.Request
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.exchanges = append(rec.exchanges, exchange{
		method: r.Method, path: r.URL.Path, fetchSite: r.Header.Get("Sec-Fetch-Site"), status: res.StatusCode,
	})
}

// all returns the exchanges recorded so far.
func (rec *recorder) all() []exchange {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return slices.Clone(rec.exchanges)
}

// len returns the number of exchanges recorded so far.
func (rec *recorder) len() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return len(rec.exchanges)
}

// find returns the first exchange for method and path from the from-th
// recorded on.
func (rec *recorder) find(from int, method, path string) (exchange, bool) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, e := range rec.exchanges[from:] {
		if e.method == method && e.path == path {
			return e, true
		}
	}
	return exchange{}, false
}
