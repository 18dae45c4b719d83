module example.com/miniweb

go 1.26.0

require (
	github.com/alexedwards/argon2id v1.0.0
	github.com/chromedp/chromedp v0.23.0
	github.com/flosch/pongo2/v6 v6.0.0
	github.com/gorilla/securecookie v1.1.2
	golang.org/x/net v0.62.0
	golang.org/x/time v0.16.0
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	golang.org/x/crypto v0.58.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/text v0.43.0 // indirect
)
