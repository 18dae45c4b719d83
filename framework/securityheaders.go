package framework

import "net/http"

// Security headers that [SecurityHeaders] sets.
const (
	// ContentSecurityPolicy lets pages load scripts, styles, images and
	// fonts from their own origin only, post forms only to it, and be
	// framed by nobody (W3C CSP Level 3; frame-ancestors replaces
	// X-Frame-Options).
	ContentSecurityPolicy = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"
	// ReferrerPolicy sends the Referer header to this origin only.
	ReferrerPolicy = "same-origin"
	// StrictTransportSecurity tells a browser that reached the site over
	// HTTPS to use nothing else for it for two years (RFC 6797), so that
	// no later request, and no cookie, travels in the clear.
	StrictTransportSecurity = "max-age=63072000"
)

// Header values that every response shares, so that setting them costs
// no allocation. Assigning them to a Header's map under names that are
// canonical already does what Header.Set does. Sharing is safe because
// nothing writes into a Header's value slices: Set replaces one, Add
// appends to it (a one-element slice moves to a new array), Del drops it.
var (
	nosniff               = []string{"nosniff"}
	contentSecurityPolicy = []string{ContentSecurityPolicy}
	referrerPolicy        = []string{ReferrerPolicy}
	strictTransport       = []string{StrictTransportSecurity}
)

// SecurityHeaders returns middleware that sets security headers on every
// response, then calls the next handler: X-Content-Type-Options: nosniff
// (as in the Python notes), Content-Security-Policy:
// [ContentSecurityPolicy] and Referrer-Policy: [ReferrerPolicy]; and over
// HTTPS ([GuessScheme]: a TLS connection, or a trusted proxy's word),
// Strict-Transport-Security: [StrictTransportSecurity]. Browsers ignore
// that header over plain HTTP (RFC 6797 §8.1), where it is not sent.
func SecurityHeaders() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			header := w.Header()
			header["X-Content-Type-Options"] = nosniff
			header["Content-Security-Policy"] = contentSecurityPolicy
			header["Referrer-Policy"] = referrerPolicy
			if GuessScheme(r) == "https" {
				header["Strict-Transport-Security"] = strictTransport
			}
			next.ServeHTTP(w, r)
		})
	}
}
