package main

import (
	"fmt"
	"io"
)

// deployCheck checks what configuration can change and production needs,
// and writes one line per check to out, "ok" or "FAIL" and what was
// checked. It reports whether every check passed. What no configuration
// can change (the server's limits, the cookie's flags, the security
// headers) is proved by the tests instead.
func deployCheck(config config, out io.Writer) bool {
	passed := true
	report := func(ok bool, format string, args ...any) {
		status := "ok  "
		if !ok {
			status, passed = "FAIL", false
		}
		fmt.Fprintf(out, "%s %s\n", status, fmt.Sprintf(format, args...))
	}
	report(!config.generatedKeys, "session keys from $%s and $%s, not random ones that end every session at a restart",
		hashKeyVariable, blockKeyVariable)
	report(!config.dev, "development mode off (-dev serves templates from disk and /environ)")
	report(config.users[demoUser] != demoPassword, "demo account %s / %s replaced (-user and $%s)",
		demoUser, demoPassword, passwordVariable)
	report(!config.cgi, "one long-lived process, not a CGI script per request: the login throttle and logout's "+
		"session revocation live in memory, and a CGI process forgets them when it exits")
	return passed
}
