// Package locales holds the demo's message catalogue: every text a page
// or a view shows, one JSON file a language (en.json, zh-Hans.json), so
// that a translator edits one file and nothing else. The files are in
// go-i18n's format: a message ID maps to its text, or for a message that
// depends on a number, to its CLDR plural forms ("one", "other"); a
// placeholder is written {{.Name}}.
//
// The language of a response is the one the visitor chose with the
// language switch (a cookie), or else the best match for the request's
// Accept-Language (RFC 9110 §12.5.4), or else English.
//
// # Adding a language
//
// Copy en.json to a file named for the language's BCP 47 tag, such as
// fr.json, and translate each text; keep the IDs and the placeholders.
// [Load] picks the file up, the language switch offers it, and
// locales_test.go checks that it has every message with the same
// placeholders. The tests that name the languages (TestLanguages, and
// rows that expect fr to fall back to English) then need the new one.
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"github.com/nicksnyder/go-i18n/v2/i18n/template"
	"golang.org/x/text/language"
)

// files holds one message file a language.
//
//go:embed *.json
var files embed.FS

// CookieName is the name of the cookie that keeps the visitor's choice of
// language, a tag of the catalogue such as "zh-Hans".
const CookieName = "lang"

// MaxRememberedMatches is how many distinct Accept-Language values a
// [Catalogue] remembers its choice for: 256. Browsers send a handful of
// values, and matching one costs about 2 µs and 20 allocations a page.
// Past the bound, a new value is matched each time it comes, so that no
// client can grow the memory by sending new ones.
const MaxRememberedMatches = 256

// Catalogue is the demo's messages in every language it speaks. English,
// the language of the catalogue's source file en.json, is the answer when
// nothing the client accepts is in the catalogue. It is safe for
// concurrent use.
type Catalogue struct {
	languages  []*Localizer // English first
	matcher    language.Matcher
	matches    sync.Map     // Accept-Language value → *Localizer
	remembered atomic.Int64 // how many values matches has been given
}

// Load reads every message file of the package and returns the
// catalogue. It returns an error for a file that go-i18n cannot parse
// and for a catalogue without English.
func Load() (*Catalogue, error) {
	return loadFS(files)
}

// loadFS reads the *.json message files at the top of fsys.
func loadFS(fsys fs.FS) (*Catalogue, error) {
	bundle := i18n.NewBundle(language.English)
	names, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, err
	}
	var tags []language.Tag
	plain := make(map[language.Tag]map[string]string)
	for _, name := range names {
		file, err := bundle.LoadMessageFileFS(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("locales: %w", err)
		}
		tags = append(tags, file.Tag)
		plain[file.Tag] = plainTexts(file.Messages)
	}
	first := slices.Index(tags, language.English)
	if first < 0 {
		return nil, fmt.Errorf("locales: no message file for %s", language.English)
	}
	tags[0], tags[first] = tags[first], tags[0] // the matcher's default is its first tag
	c := &Catalogue{matcher: language.NewMatcher(tags)}
	// Shared by every call of Text, so that go-i18n parses each message's
	// template once; a placeholder without a value is an error, not
	// "<no value>" on the page.
	parser := &template.TextParser{Option: "missingkey=error"}
	for _, tag := range tags {
		c.languages = append(c.languages, &Localizer{
			name:      tag.String(),
			plain:     plain[tag],
			parser:    parser,
			localizer: i18n.NewLocalizer(bundle, tag.String()),
		})
	}
	return c, nil
}

// plainTexts returns the texts of the messages that have neither
// placeholders nor plural forms, by ID: most of a page's messages, which
// Text then serves without go-i18n's work (a language match and a
// template) on every call.
func plainTexts(messages []*i18n.Message) map[string]string {
	texts := make(map[string]string, len(messages))
	for _, m := range messages {
		delimiter := m.LeftDelim // of the placeholders: {{ unless the message says otherwise
		if delimiter == "" {
			delimiter = "{{"
		}
		plural := m.Zero != "" || m.One != "" || m.Two != "" || m.Few != "" || m.Many != ""
		if !plural && m.Other != "" && !strings.Contains(m.Other, delimiter) {
			texts[m.ID] = m.Other
		}
	}
	return texts
}

// Languages returns the localizer of each language of the catalogue,
// English first.
func (c *Catalogue) Languages() []*Localizer {
	return slices.Clone(c.languages)
}

// For returns the localizer for r's language: the language named by r's
// CookieName cookie if the catalogue has it; else the catalogue's best
// match for r's Accept-Language header, so that zh, zh-CN and zh-TW get
// zh-Hans, the only Chinese it has, and en-GB gets English; else, for a
// header that is absent, malformed or names only languages the catalogue
// lacks, English. It remembers its choice for the first
// [MaxRememberedMatches] header values it meets.
func (c *Catalogue) For(r *http.Request) *Localizer {
	if cookie, err := r.Cookie(CookieName); err == nil {
		if localizer := c.Lookup(cookie.Value); localizer != nil {
			return localizer
		}
	}
	header := r.Header.Get("Accept-Language")
	if localizer, ok := c.matches.Load(header); ok {
		return localizer.(*Localizer)
	}
	localizer := c.match(header)
	if c.remembered.Add(1) <= MaxRememberedMatches {
		c.matches.Store(header, localizer)
	}
	return localizer
}

// match returns the localizer of the catalogue's best match for the
// value of an Accept-Language header, as For describes.
func (c *Catalogue) match(acceptLanguage string) *Localizer {
	accepted, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return c.languages[0]
	}
	_, index, confidence := c.matcher.Match(accepted...)
	if confidence == language.No {
		return c.languages[0]
	}
	return c.languages[index]
}

// Lookup returns the localizer for tag, written exactly as the catalogue
// writes it ("en", "zh-Hans"), or nil when the catalogue has no such
// language.
func (c *Catalogue) Lookup(tag string) *Localizer {
	for _, localizer := range c.languages {
		if localizer.name == tag {
			return localizer
		}
	}
	return nil
}

// Localizer renders the catalogue's messages in one language. The
// catalogue makes one for each of its languages, which every request in
// that language shares; it is safe for concurrent use.
type Localizer struct {
	name      string            // the language's BCP 47 tag, as the catalogue writes it: "zh-Hans"
	plain     map[string]string // texts without placeholders, by ID: see plainTexts
	parser    *template.TextParser
	localizer *i18n.Localizer
}

// Text returns the message id in l's language, with its placeholders
// filled from pairs: a name, then its value, as in
// Text("WelcomeBack", "Name", "admin"). A value named Count, a number of
// any integer or float type or a number written as a string ("1.5"),
// also chooses the plural form (CLDR's rules: English has "one" and
// "other", Chinese "other" alone). A message the language lacks comes in
// English. An id the catalogue lacks, a placeholder without a value and a
// Count that is no number give the id itself, which the tests catch.
func (l *Localizer) Text(id string, pairs ...any) string {
	if text, ok := l.plain[id]; ok && len(pairs) == 0 {
		return text
	}
	config := &i18n.LocalizeConfig{MessageID: id, TemplateParser: l.parser}
	if len(pairs) > 0 {
		data := make(map[string]any, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			name := fmt.Sprint(pairs[i])
			data[name] = pairs[i+1]
			if name == "Count" {
				config.PluralCount = pluralCount(pairs[i+1])
			}
		}
		config.TemplateData = data
	}
	text, err := l.localizer.Localize(config)
	var missing *i18n.MessageNotFoundErr
	if err != nil && (text == "" || !errors.As(err, &missing)) {
		return id // not a fallback to English, which Localize reports as an error too
	}
	return text
}

// pluralCount returns count in a type go-i18n takes for a plural count,
// which takes signed integers and numbers written as strings: an unsigned
// integer or a float becomes its decimal string.
func pluralCount(count any) any {
	switch n := count.(type) {
	case uint:
		return strconv.FormatUint(uint64(n), 10)
	case uint8:
		return strconv.FormatUint(uint64(n), 10)
	case uint16:
		return strconv.FormatUint(uint64(n), 10)
	case uint32:
		return strconv.FormatUint(uint64(n), 10)
	case uint64:
		return strconv.FormatUint(n, 10)
	case float32:
		return strconv.FormatFloat(float64(n), 'f', -1, 32)
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64)
	}
	return count
}

// String returns l's tag, as the catalogue writes it: "zh-Hans".
func (l *Localizer) String() string {
	return l.name
}

// Name returns the language's name in itself: "English", "中文".
func (l *Localizer) Name() string {
	return l.Text("LanguageName")
}
