// Package e2e holds miniweb's end-to-end tests. They build the demo once
// with go build and run the binary as a user runs it, with its flags and
// environment, on loopback, and with the programs a deployment puts
// around it:
//
//   - TestBrowser: a headless Chromium, driven with chromedp, logs in and
//     out with the forms, signs up, changes a password, writes a note, and
//     visits pages of another origin that submit forms to the demo by
//     themselves, as a cross-site request forgery would.
//   - TestBrowserChinese: a Chromium whose language is Chinese logs in
//     and gets the Python notes' messages, then switches to English.
//   - TestCGI: net/http/cgi runs the binary as a CGI script, one process
//     a request, and the login flow runs through it.
//   - TestFastCGIBehindNginx: a real nginx passes the login flow to the
//     binary serving FastCGI on a unix socket.
//   - TestLoginFloodMemory: 200 logins at once, and the binary's peak
//     resident memory, read from /proc (Linux only).
//   - TestScaleOut: two instances on one PostgreSQL database behind an
//     nginx upstream share logins, logouts and the throttle.
//
// # What they need
//
// Go, and three programs from Debian: nginx (apt-get install nginx),
// Chromium (apt-get install chromium) and PostgreSQL (apt-get install
// postgresql), whose throwaway clusters internal/testdb starts. A test
// whose program is missing skips, unless the CI environment variable is
// set: then it fails, since CI must run every test. .ci/run installs all
// three.
//
// # Dropping them
//
// Nothing imports this package, and only it needs chromedp. A copy of
// the tree made as the start of another application
// (docs/12-make-it-yours.md) drops it, and with it the module's
// requirement of chromedp, in one move:
//
//	rm -r e2e && go mod tidy
//
// The copy's go test ./... then needs nothing but Go.
package e2e
