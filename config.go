package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"strings"

	"example.com/miniweb/db"
	"example.com/miniweb/framework"
	"example.com/miniweb/users"
)

// Environment variables that configure the demo.
const (
	// hashKeyVariable and blockKeyVariable hold the session keys, in hex
	// or base64: 64 bytes to sign, 32 bytes to encrypt.
	hashKeyVariable  = "MINIWEB_HASH_KEY"
	blockKeyVariable = "MINIWEB_BLOCK_KEY"
	// oldHashKeyVariable and oldBlockKeyVariable hold the previous pair
	// while keys rotate: cookies it encoded still decode.
	oldHashKeyVariable  = "MINIWEB_OLD_HASH_KEY"
	oldBlockKeyVariable = "MINIWEB_OLD_BLOCK_KEY"
	// passwordVariable holds the password for the user named by -user.
	passwordVariable = "MINIWEB_PASSWORD"
	// databaseVariable holds the database URL when -db is not given.
	databaseVariable = "DATABASE_URL"
	// portVariable, when set and -addr is not given, makes the server
	// listen on that port on every interface, as hosting platforms expect.
	portVariable = "PORT"
)

// The demo account, documented in README.md: the first account of an
// empty database, unless -user names another.
const (
	demoUser     = "admin"
	demoPassword = "secure123"
)

// config is what flags and the environment decide.
type config struct {
	addr       string         // listen address, host:port
	dev        bool           // read templates and static files from disk on every request
	mount      string         // SCRIPT_NAME prefix such as "/app", or ""
	trustProxy []netip.Prefix // the reverse proxies whose X-Forwarded-* to believe
	fastCGI    string         // FastCGI listen address, or "" for HTTP
	cgi        bool           // started as a CGI script
	check      bool           // run the deploy check instead of serving

	// report, when set, receives every HTTP rule a response breaks
	// (package framework/validate); -dev logs them, tests fail on them.
	report func(r *http.Request, violation string)

	database      string   // database URL (package db): "" for SQLite in miniweb.db
	firstUser     string   // the account an empty database starts with
	firstPassword string   // its password
	sessionKeys   [][]byte // hash key, block key, newest pair first
	generatedKeys bool     // sessionKeys are random, for this process only
}

// makesDemoAccount reports whether the first account c makes in an empty
// database is the demo account, with its published password.
func (c config) makesDemoAccount() bool {
	return c.firstUser == demoUser && c.firstPassword == demoPassword
}

// startupAccounts returns what the start-up line says of the accounts:
// the first account when this start created it in an empty database, and
// otherwise that the database holds them, since they may have other names
// and passwords by now.
func (c config) startupAccounts(created bool) string {
	switch {
	case !created:
		return "accounts from the database"
	case c.makesDemoAccount():
		return "demo account " + demoUser + " / " + demoPassword
	}
	return "first account " + c.firstUser + ", password from $" + passwordVariable
}

// parseConfig reads the command-line flags in args and the environment
// through getenv. Usage and flag errors go to output.
func parseConfig(args []string, getenv func(string) string, output io.Writer) (config, error) {
	flags := flag.NewFlagSet("miniweb", flag.ContinueOnError)
	flags.SetOutput(output)
	addr := flags.String("addr", "127.0.0.1:8080", "listen `address`, host:port (default from $PORT when set)")
	dev := flags.Bool("dev", false, "development mode: templates and static files from disk, recompiled on every request; /environ; HTTP rule violations logged")
	mount := flags.String("mount", "", "serve the application under this `prefix` (SCRIPT_NAME), such as /app")
	trustProxy := flags.String("trust-proxy", "", "believe X-Forwarded-Proto and X-Forwarded-For from the reverse proxies at these `addresses`: a comma-separated list of IP addresses or prefixes, such as 127.0.0.1 or 10.0.0.0/8")
	fastCGI := flags.String("fcgi", "", "serve FastCGI on this `address`: host:port, or a unix socket path (one with a /)")
	check := flags.Bool("check", false, "check the production configuration (session keys, development mode, demo account) and exit")
	user := flags.String("user", "", "start an empty database with this `name`'s account instead of the demo account; the password comes from $"+passwordVariable)
	database := flags.String("db", "", "database `URL`: postgres://… for PostgreSQL, or an SQLite file path (default $"+databaseVariable+", or "+db.DefaultSQLiteFile+")")
	if err := flags.Parse(args); err != nil {
		return config{}, err
	}
	if flags.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments: %q", flags.Args())
	}

	c := config{addr: *addr, dev: *dev, mount: *mount, fastCGI: *fastCGI, check: *check}
	// A web server that runs a CGI script sets GATEWAY_INTERFACE (RFC 3875
	// §4.1.4), and SCRIPT_NAME to where it mounted the script.
	c.cgi = getenv("GATEWAY_INTERFACE") != ""
	if scriptName := strings.TrimSuffix(getenv("SCRIPT_NAME"), "/"); c.cgi && c.mount == "" {
		c.mount = scriptName
	}
	addrSet := false
	flags.Visit(func(f *flag.Flag) { addrSet = addrSet || f.Name == "addr" })
	if port := getenv(portVariable); port != "" && !addrSet {
		c.addr = ":" + port
	}
	if *trustProxy != "" {
		if c.cgi || c.fastCGI != "" {
			// The web server passes the client's address in REMOTE_ADDR
			// itself; a header can only be the client's own words.
			return config{}, errors.New("-trust-proxy: under CGI and FastCGI the web server gives the client's address itself: drop -trust-proxy")
		}
		for _, field := range strings.Split(*trustProxy, ",") {
			prefix, err := parseProxy(strings.TrimSpace(field))
			if err != nil {
				return config{}, fmt.Errorf("-trust-proxy %q: %w", *trustProxy, err)
			}
			c.trustProxy = append(c.trustProxy, prefix)
		}
	}
	if c.mount != "" && (!strings.HasPrefix(c.mount, "/") || strings.HasSuffix(c.mount, "/")) {
		return config{}, fmt.Errorf("-mount %q: want a path that starts and does not end with a slash, such as /app", c.mount)
	}

	c.database = *database
	if c.database == "" {
		c.database = getenv(databaseVariable)
	}
	c.firstUser, c.firstPassword = demoUser, demoPassword
	if *user != "" {
		password := getenv(passwordVariable)
		if password == "" {
			return config{}, fmt.Errorf("-user %s: set the password in $%s", *user, passwordVariable)
		}
		if err := users.CheckUsername(*user); err != nil {
			return config{}, fmt.Errorf("-user %q: %w", *user, err)
		}
		c.firstUser, c.firstPassword = *user, password
	}

	keys, err := sessionKeys(getenv)
	if err != nil {
		return config{}, err
	}
	if keys == nil && (c.cgi || c.fastCGI != "") {
		// Random keys would change with every process: every CGI request,
		// every FastCGI restart would log everyone out.
		return config{}, fmt.Errorf("CGI and FastCGI need session keys: set $%s and $%s", hashKeyVariable, blockKeyVariable)
	}
	if keys == nil {
		keys = [][]byte{randomKey(framework.HashKeyBytes), randomKey(framework.BlockKeyBytes)}
		c.generatedKeys = true
	}
	c.sessionKeys = keys
	return c, nil
}

// parseProxy parses one proxy address of -trust-proxy: an IP address, the
// one-address prefix of it, or a prefix such as 10.0.0.0/8.
func parseProxy(text string) (netip.Prefix, error) {
	if strings.Contains(text, "/") {
		prefix, err := netip.ParsePrefix(text)
		return prefix.Masked(), err
	}
	address, err := netip.ParseAddr(text)
	if err != nil {
		return netip.Prefix{}, err
	}
	address = address.Unmap()
	return netip.PrefixFrom(address, address.BitLen()), nil
}

// sessionKeys reads the session key pairs from the environment: the
// current pair, then the old one if set. It returns nil if none is set.
func sessionKeys(getenv func(string) string) ([][]byte, error) {
	var keys [][]byte
	for _, pair := range [][2]string{
		{hashKeyVariable, blockKeyVariable},
		{oldHashKeyVariable, oldBlockKeyVariable},
	} {
		hashKey, blockKey := getenv(pair[0]), getenv(pair[1])
		if hashKey == "" && blockKey == "" {
			continue
		}
		if hashKey == "" || blockKey == "" {
			return nil, fmt.Errorf("set both $%s and $%s, or neither", pair[0], pair[1])
		}
		for _, variable := range pair {
			key, err := decodeKey(getenv(variable))
			if err != nil {
				return nil, fmt.Errorf("$%s: %w", variable, err)
			}
			keys = append(keys, key)
		}
	}
	if len(keys) > 0 && getenv(hashKeyVariable) == "" {
		return nil, fmt.Errorf("$%s is set without $%s", oldHashKeyVariable, hashKeyVariable)
	}
	return keys, nil
}

// decodeKey decodes a key written in hex or in standard or URL-safe
// base64, padded or not.
func decodeKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if key, err := hex.DecodeString(text); err == nil {
		return key, nil
	}
	for _, encoding := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if key, err := encoding.DecodeString(text); err == nil {
			return key, nil
		}
	}
	return nil, errors.New("not hex or base64")
}

// randomKey returns n random bytes.
func randomKey(n int) []byte {
	key := make([]byte, n)
	rand.Read(key) // never returns an error (crypto/rand docs, Go 1.24+)
	return key
}
