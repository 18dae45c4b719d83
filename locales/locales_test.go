package locales

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// placeholder matches a go-i18n placeholder, {{.Name}}, and captures
// the name.
var placeholder = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// readMessages returns each message of the message file name in fsys, by
// ID, as the set of its placeholders' names across its plural forms.
func readMessages(t *testing.T, fsys fs.FS, name string) map[string][]string {
	t.Helper()
	contents, err := fs.ReadFile(fsys, name)
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(contents, &file); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	messages := make(map[string][]string, len(file))
	for id, raw := range file {
		var texts []string
		var text string
		if err := json.Unmarshal(raw, &text); err == nil {
			texts = []string{text}
		} else {
			var forms map[string]string
			if err := json.Unmarshal(raw, &forms); err != nil {
				t.Fatalf("%s: %s is neither a text nor an object of texts: %v", name, id, err)
			}
			for form, text := range forms {
				if form != "description" && form != "hash" {
					texts = append(texts, text)
				}
			}
		}
		var names []string
		for _, text := range texts {
			if strings.TrimSpace(text) == "" {
				t.Errorf("%s: %s is empty", name, id)
			}
			for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
				names = append(names, m[1])
			}
		}
		slices.Sort(names)
		messages[id] = slices.Compact(names)
	}
	return messages
}

// TestCatalogueParity checks that every language has every message of
// en.json and no other, with the same placeholders.
func TestCatalogueParity(t *testing.T) {
	names, err := fs.Glob(files, "*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 2 {
		t.Fatalf("message files %v: want English and at least one other language", names)
	}
	english := readMessages(t, files, "en.json")
	for _, name := range names {
		if name == "en.json" {
			continue
		}
		messages := readMessages(t, files, name)
		for _, id := range slices.Sorted(maps.Keys(english)) {
			placeholders, ok := messages[id]
			switch {
			case !ok:
				t.Errorf("%s lacks %s, which en.json has", name, id)
			case !slices.Equal(placeholders, english[id]):
				t.Errorf("%s: %s has the placeholders %v, en.json has %v", name, id, placeholders, english[id])
			}
		}
		for _, id := range slices.Sorted(maps.Keys(messages)) {
			if _, ok := english[id]; !ok {
				t.Errorf("%s has %s, which en.json lacks", name, id)
			}
		}
	}
}

// TestFor checks the choice of language for a request: the cookie first,
// then Accept-Language, then English, never an error.
func TestFor(t *testing.T) {
	catalogue, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		acceptLanguage string // "" for no header
		cookie         string // "" for no cookie
		want           string
	}{
		{name: "no header", want: "en"},
		{name: "zh", acceptLanguage: "zh", want: "zh-Hans"},
		{name: "zh-CN", acceptLanguage: "zh-CN", want: "zh-Hans"},
		{name: "zh-Hans", acceptLanguage: "zh-Hans", want: "zh-Hans"},
		{name: "zh-TW: Simplified is the best Chinese there is", acceptLanguage: "zh-TW", want: "zh-Hans"},
		{name: "a browser's Chinese list", acceptLanguage: "zh-CN,zh;q=0.9,en;q=0.8", want: "zh-Hans"},
		{name: "English preferred", acceptLanguage: "en-US,en;q=0.9,zh-CN;q=0.5", want: "en"},
		{name: "en-GB", acceptLanguage: "en-GB", want: "en"},
		{name: "fr: not in the catalogue", acceptLanguage: "fr", want: "en"},
		{name: "fr, then Chinese", acceptLanguage: "fr, zh-CN;q=0.5", want: "zh-Hans"},
		{name: "wildcard", acceptLanguage: "*", want: "en"},
		{name: "malformed", acceptLanguage: "zh-CN;q=abc,,,;;", want: "en"},
		{name: "garbage", acceptLanguage: "\x00\xff", want: "en"},
		{name: "cookie beats the header", acceptLanguage: "zh-CN", cookie: "en", want: "en"},
		{name: "cookie chooses Chinese", acceptLanguage: "en-US", cookie: "zh-Hans", want: "zh-Hans"},
		{name: "unknown cookie: the header decides", acceptLanguage: "zh-CN", cookie: "fr", want: "zh-Hans"},
		{name: "cookie must be the catalogue's spelling", cookie: "zh-hans", want: "en"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			if tc.acceptLanguage != "" {
				r.Header.Set("Accept-Language", tc.acceptLanguage)
			}
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tc.cookie})
			}
			if got := catalogue.For(r).String(); got != tc.want {
				t.Errorf("Accept-Language %q, cookie %q: language = %s, want %s", tc.acceptLanguage, tc.cookie, got, tc.want)
			}
		})
	}
}

// TestForRemembersBoundedly checks that For remembers its choice for at
// most MaxRememberedMatches header values, and still matches the values
// past the bound.
func TestForRemembersBoundedly(t *testing.T) {
	catalogue, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for i := range MaxRememberedMatches + 50 {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", fmt.Sprintf("zh-CN;q=0.%03d", i+1))
		for range 2 { // the second time, from memory if remembered
			if got := catalogue.For(r).String(); got != "zh-Hans" {
				t.Fatalf("Accept-Language %q: %s, want zh-Hans", r.Header.Get("Accept-Language"), got)
			}
		}
	}
	remembered := 0
	catalogue.matches.Range(func(any, any) bool { remembered++; return true })
	if remembered != MaxRememberedMatches {
		t.Errorf("remembered %d header values, want %d", remembered, MaxRememberedMatches)
	}
}

// BenchmarkFor measures the choice of language for a browser's
// Accept-Language: remembered, and matched anew.
func BenchmarkFor(b *testing.B) {
	catalogue, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	b.Run("header=remembered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			catalogue.For(r)
		}
	})
	b.Run("header=new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			catalogue.match("zh-CN,zh;q=0.9,en;q=0.8")
		}
	})
}

// TestText checks placeholders, plural forms and a missing ID.
func TestText(t *testing.T) {
	catalogue, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	english, chinese := catalogue.Lookup("en"), catalogue.Lookup("zh-Hans")
	tests := []struct {
		localizer *Localizer
		id        string
		pairs     []any
		want      string
	}{
		{english, "WelcomeBack", []any{"Name", "admin"}, "Welcome back, admin!"},
		{chinese, "WelcomeBack", []any{"Name", "admin"}, "欢迎回来, admin!"},
		{english, "LoginFailed", nil, "Invalid username or password."},
		{chinese, "LoginFailed", nil, "用户名或密码错误！"},
		{english, "TooManyAttempts", []any{"Count", 1}, "Too many attempts. Try again in a minute."},
		{english, "TooManyAttempts", []any{"Count", 15}, "Too many attempts. Try again in 15 minutes."},
		{chinese, "TooManyAttempts", []any{"Count", 1}, "尝试次数过多，请 1 分钟后再试。"},
		{english, "UsernameLength", []any{"Min", 3, "Max", 32}, "A username has 3 to 32 characters."},
		{english, "TooManyAttempts", []any{"Count", uint(1)}, "Too many attempts. Try again in a minute."},
		{english, "TooManyAttempts", []any{"Count", int32(2)}, "Too many attempts. Try again in 2 minutes."},
		{english, "TooManyAttempts", []any{"Count", "a lot"}, "TooManyAttempts"},
		{english, "WelcomeBack", nil, "WelcomeBack"},
		{english, "WelcomeBack", []any{"Nme", "admin"}, "WelcomeBack"},
		{english, "NoSuchMessage", nil, "NoSuchMessage"},
		{english, "LanguageName", nil, "English"},
		{chinese, "LanguageName", nil, "中文"},
	}
	for _, tc := range tests {
		if got := tc.localizer.Text(tc.id, tc.pairs...); got != tc.want {
			t.Errorf("%s: Text(%q, %v) = %q, want %q", tc.localizer, tc.id, tc.pairs, got, tc.want)
		}
	}
}

// TestTextFallsBackToEnglish checks that a message a language lacks comes
// in English, with its placeholders filled.
func TestTextFallsBackToEnglish(t *testing.T) {
	catalogue, err := loadFS(fstest.MapFS{
		"en.json":      {Data: []byte(`{"Hello": "Hello, {{.Name}}!", "Bye": "Bye"}`)},
		"zh-Hans.json": {Data: []byte(`{"Bye": "再见"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	chinese := catalogue.Lookup("zh-Hans")
	if got, want := chinese.Text("Hello", "Name", "Ada"), "Hello, Ada!"; got != want {
		t.Errorf("zh-Hans without Hello: Text = %q, want %q", got, want)
	}
	if got, want := chinese.Text("Bye"), "再见"; got != want {
		t.Errorf("zh-Hans: Text(Bye) = %q, want %q", got, want)
	}
}

// TestLoadErrors checks that a catalogue without English, or with a file
// go-i18n cannot parse, is an error.
func TestLoadErrors(t *testing.T) {
	tests := map[string]fstest.MapFS{
		"no English":  {"zh-Hans.json": {Data: []byte(`{"Hello": "你好"}`)}},
		"broken JSON": {"en.json": {Data: []byte(`{"Hello": `)}},
	}
	for name, fsys := range tests {
		if _, err := loadFS(fsys); err == nil {
			t.Errorf("%s: loadFS succeeded, want an error", name)
		}
	}
}

// TestLanguages checks that English comes first, so that the matcher
// falls back to it.
func TestLanguages(t *testing.T) {
	catalogue, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, localizer := range catalogue.Languages() {
		got = append(got, localizer.String()+" "+localizer.Name())
	}
	if want := []string{"en English", "zh-Hans 中文"}; !slices.Equal(got, want) {
		t.Errorf("Languages() = %q, want %q", got, want)
	}
}

// BenchmarkText measures a message without placeholders, which Text
// serves from the texts read at Load, and one with a placeholder, which
// go-i18n renders.
func BenchmarkText(b *testing.B) {
	catalogue, err := Load()
	if err != nil {
		b.Fatal(err)
	}
	chinese := catalogue.Lookup("zh-Hans")
	b.Run("message=plain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			chinese.Text("LoginFailed")
		}
	})
	b.Run("message=placeholder", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			chinese.Text("WelcomeBack", "Name", "admin")
		}
	})
}

// TestPlainTexts checks that the texts Text serves without go-i18n are
// what go-i18n renders, for every such message of every language, and
// that messages with placeholders or plural forms are left to go-i18n.
func TestPlainTexts(t *testing.T) {
	catalogue, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, localizer := range catalogue.Languages() {
		if len(localizer.plain) == 0 {
			t.Fatalf("%s: no plain texts", localizer)
		}
		for id, text := range localizer.plain {
			rendered, err := localizer.localizer.Localize(&i18n.LocalizeConfig{MessageID: id})
			if err != nil || rendered != text {
				t.Errorf("%s: %s: plain %q, go-i18n %q, %v", localizer, id, text, rendered, err)
			}
		}
		for _, id := range []string{"WelcomeBack", "TooManyAttempts", "PageNumber"} {
			if _, ok := localizer.plain[id]; ok {
				t.Errorf("%s: %s has a placeholder or plural forms, but is a plain text", localizer, id)
			}
		}
	}
}
