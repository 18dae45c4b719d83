// Command hello is net/http's hello world, for docs/loadtest.sh to measure
// cmd/rawsocket against: what a reader gets from the standard library
// with no framework at all. It answers every request with the page
// cmd/rawsocket sends for GET /, byte for byte (a test in cmd/rawsocket
// holds them equal).
//
//	go run ./docs/loadtest/hello -addr 127.0.0.1:18091
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
)

// page is the body of every answer.
const page = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Home</title></head>
<body>
<h1>Home</h1>
<p>This page came from a raw socket server.</p>
<ul>
<li><a href="/hello?name=%E4%BD%A0">/hello?name=%E4%BD%A0</a></li>
<li><a href="/login">/login</a></li>
</ul>
</body>
</html>
`

func main() {
	addr := flag.String("addr", "127.0.0.1:18091", "listen `address`")
	flag.Parse()
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, page)
	})))
}
