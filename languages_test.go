package main

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"example.com/miniweb/locales"
	"example.com/miniweb/views"
)

// getIn sends a GET for target with Accept-Language acceptLanguage ("" for
// none) through client.
func getIn(t *testing.T, client *http.Client, target, acceptLanguage string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	return send(t, client, req)
}

// postIn sends form to target with Accept-Language acceptLanguage through
// client.
func postIn(t *testing.T, client *http.Client, target, acceptLanguage string, form url.Values) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Language", acceptLanguage)
	return send(t, client, req)
}

// TestPageLanguages requests every page with the Accept-Language headers
// of Chinese, English and other readers, and a malformed one, and checks
// that each page comes in the language it should, says so in <html lang>
// and Content-Language, and varies by Accept-Language: never a 4xx or
// 5xx it would not get in English.
func TestPageLanguages(t *testing.T) {
	server, _ := newTestServer(t)
	catalogue, err := locales.Load()
	if err != nil {
		t.Fatal(err)
	}
	client := browser(t)
	res := do(t, client, http.MethodPost, server.URL+"/login", credentials("admin", "secure123"))
	wantStatus(t, "POST /login", res, http.StatusSeeOther)
	anonymous := browser(t)

	pages := []struct {
		path    string
		client  *http.Client
		status  int
		titleID string // the message of the page's <title>
	}{
		{"/login", anonymous, http.StatusOK, "LogIn"},
		{"/register", anonymous, http.StatusOK, "SignUp"},
		{"/nowhere", anonymous, http.StatusNotFound, "NotFoundTitle"},
		{"/home", client, http.StatusOK, "HomeTitle"},
		{"/notes", client, http.StatusOK, "Notes"},
		{"/notes/new", client, http.StatusOK, "NewNote"},
		{"/account", client, http.StatusOK, "AccountTitle"},
	}
	languages := []struct {
		acceptLanguage string
		want           string
	}{
		{"zh-CN", "zh-Hans"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"},
		{"zh-TW", "zh-Hans"},
		{"en-US", "en"},
		{"fr", "en"},
		{"", "en"},
		{"zh-CN;q=abc,,;;", "en"},
	}
	for _, page := range pages {
		for _, language := range languages {
			what := "GET " + page.path + " with Accept-Language " + language.acceptLanguage
			res := getIn(t, page.client, server.URL+page.path, language.acceptLanguage)
			wantStatus(t, what, res, page.status)
			if got := res.header.Get("Content-Language"); got != language.want {
				t.Errorf("%s: Content-Language = %q, want %q", what, got, language.want)
			}
			if got := res.header.Values("Vary"); !slices.Equal(got, []string{"Accept-Language"}) {
				t.Errorf("%s: Vary = %q, want Accept-Language once", what, got)
			}
			wantBody(t, what, res, `<html lang="`+language.want+`">`)
			title := catalogue.Lookup(language.want).Text(page.titleID)
			wantBody(t, what, res, "<title>"+title+" · miniweb</title>")
		}
	}
	// The forms' hints state the stores' bounds, in each language.
	for acceptLanguage, hint := range map[string]string{"en": "3 to 32 characters", "zh-CN": "3 到 32 个字符"} {
		res := getIn(t, anonymous, server.URL+"/register", acceptLanguage)
		wantBody(t, "GET /register with Accept-Language "+acceptLanguage, res, hint)
	}
}

// TestMethodNotAllowedPageLanguages checks that the 405 page, like every
// other, comes in the request's language, with Allow.
func TestMethodNotAllowedPageLanguages(t *testing.T) {
	server, _ := newTestServer(t)
	for _, tc := range []struct{ acceptLanguage, want, heading string }{
		{"zh-CN", "zh-Hans", "405 不允许使用该方法"},
		{"en-GB", "en", "405 Method Not Allowed"},
	} {
		res := getIn(t, browser(t), server.URL+"/logout", tc.acceptLanguage)
		what := "GET /logout with Accept-Language " + tc.acceptLanguage
		wantStatus(t, what, res, http.StatusMethodNotAllowed)
		wantBody(t, what, res, "<h1>"+tc.heading+"</h1>")
		if got := res.header.Get("Content-Language"); got != tc.want {
			t.Errorf("%s: Content-Language = %q, want %q", what, got, tc.want)
		}
		if got := res.header.Get("Allow"); got != "OPTIONS, POST" {
			t.Errorf("%s: Allow = %q, want %q", what, got, "OPTIONS, POST")
		}
	}
}

// TestNotesMessages sends the Python notes' own login app's inputs to the
// demo under Accept-Language: zh-CN, and checks that it answers with the
// notes' words.
func TestNotesMessages(t *testing.T) {
	server, _ := newTestServer(t)
	client := browser(t)
	res := postIn(t, client, server.URL+"/login", "zh-CN", credentials("admin", "wrong"))
	wantStatus(t, "POST /login with a wrong password in Chinese", res, http.StatusUnprocessableEntity)
	wantBody(t, "POST /login with a wrong password in Chinese", res, "用户名或密码错误！")

	res = postIn(t, client, server.URL+"/login", "zh-CN", credentials("admin", "secure123"))
	wantStatus(t, "POST /login in Chinese", res, http.StatusSeeOther)
	res = getIn(t, client, server.URL+"/home", "zh-CN")
	wantStatus(t, "GET /home in Chinese", res, http.StatusOK)
	wantBody(t, "GET /home in Chinese", res, "欢迎回来, admin!")
	wantBody(t, "GET /home in Chinese", res, "你已登录。") // the flash, in the language of the login
}

// TestLanguageSwitch switches the language with the footer's form, at the
// root and mounted, and checks that the choice wins over Accept-Language,
// outlives login and logout, and refuses what is not a language of the
// site.
func TestLanguageSwitch(t *testing.T) {
	for _, mount := range []string{"", "/app"} {
		t.Run("mount="+mount, func(t *testing.T) {
			server, _ := newTestServer(t, mountArgs(mount)...)
			base := server.URL + mount
			client := browser(t)

			page := getIn(t, client, base+"/register?from=footer", "en-US")
			wantBody(t, "GET /register", page, `<input type="hidden" name="next" value="/register?from=footer">`)
			wantBody(t, "GET /register", page, `<button type="submit" name="lang" value="zh-Hans" lang="zh-Hans">中文</button>`)

			res := postIn(t, client, base+"/language", "en-US", url.Values{"lang": {"zh-Hans"}, "next": {"/register?from=footer"}})
			wantStatus(t, "POST /language", res, http.StatusSeeOther)
			wantLocation(t, "POST /language", res, mount+"/register?from=footer")
			cookies := (&http.Response{Header: res.header}).Cookies()
			wantPath := mount
			if wantPath == "" {
				wantPath = "/"
			}
			if len(cookies) != 1 || cookies[0].Name != locales.CookieName || cookies[0].Value != "zh-Hans" ||
				cookies[0].Path != wantPath || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteLaxMode ||
				cookies[0].MaxAge != int(views.LanguageCookieLifetime.Seconds()) || cookies[0].Secure {
				t.Errorf("POST /language: cookies %v, want lang=zh-Hans, Path=%s, HttpOnly, SameSite=Lax, Max-Age=%d, not Secure over plain HTTP",
					cookies, wantPath, int(views.LanguageCookieLifetime.Seconds()))
			}

			res = getIn(t, client, base+"/register", "en-US")
			wantBody(t, "GET /register after choosing Chinese", res, `<html lang="zh-Hans">`)
			res = postIn(t, client, base+"/login", "en-US", credentials("admin", "secure123"))
			wantStatus(t, "POST /login", res, http.StatusSeeOther)
			res = getIn(t, client, base+"/home", "en-US")
			wantBody(t, "GET /home after choosing Chinese", res, "欢迎回来, admin!")
			res = postIn(t, client, base+"/logout", "en-US", url.Values{})
			wantStatus(t, "POST /logout", res, http.StatusSeeOther)
			res = getIn(t, client, base+"/login", "en-US")
			wantBody(t, "GET /login after logout", res, "你已退出登录。")

			res = postIn(t, client, base+"/language", "en-US", url.Values{"lang": {"en"}, "next": {"//evil.example/"}})
			wantLocation(t, "POST /language back to English, next elsewhere", res, mount+"/")
			res = getIn(t, client, base+"/login", "zh-CN")
			wantBody(t, "GET /login after choosing English", res, `<html lang="en">`)

			for _, lang := range []string{"fr", "zh-hans", ""} {
				res = postIn(t, client, base+"/language", "en-US", url.Values{"lang": {lang}, "next": {"/"}})
				wantStatus(t, "POST /language lang="+lang, res, http.StatusBadRequest)
			}
			res = do(t, client, http.MethodGet, base+"/language", nil)
			wantStatus(t, "GET /language", res, http.StatusMethodNotAllowed)
		})
	}
}
