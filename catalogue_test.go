package main

// Tests that every text a user reads comes from the message catalogue
// (locales/), so that a translator who edits one file per language
// translates the whole demo.

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// catalogueIDs returns the message IDs of locales/en.json.
func catalogueIDs(t *testing.T) map[string]bool {
	t.Helper()
	contents, err := os.ReadFile(filepath.Join("locales", "en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var messages map[string]json.RawMessage
	if err := json.Unmarshal(contents, &messages); err != nil {
		t.Fatal(err)
	}
	ids := make(map[string]bool, len(messages))
	for id := range messages {
		ids[id] = true
	}
	return ids
}

var (
	// templateComment matches a {% comment %} block, which no one reads.
	templateComment = regexp.MustCompile(`(?s){%\s*comment\s*%}.*?{%\s*endcomment\s*%}`)
	// templateCode matches a {{ value }} or a {% tag %}.
	templateCode = regexp.MustCompile(`(?s){{.*?}}|{%.*?%}`)
	// templateMessage matches t("ID" and captures the ID.
	templateMessage = regexp.MustCompile(`\bt\("(\w+)"`)
	// templateLiteralText matches an include's label="…" or hint="…":
	// text the user reads, written in the template instead of t("…").
	templateLiteralText = regexp.MustCompile(`\b(label|hint)="`)
)

// untranslated is the text a template may show outside the catalogue:
// the site's name.
var untranslated = []string{"miniweb"}

// readableAttributes are the attributes whose values a user reads or
// hears (a screen reader speaks aria-label).
var readableAttributes = []string{"title", "alt", "placeholder", "aria-label"}

// TestTemplatesUseCatalogue checks that the templates show no text of
// their own: every word a user reads is a t("ID") of the catalogue, and
// every such ID is in it.
func TestTemplatesUseCatalogue(t *testing.T) {
	ids := catalogueIDs(t)
	names, err := fs.Glob(os.DirFS("templates"), "*.html")
	if err != nil || len(names) == 0 {
		t.Fatalf("templates: %v, %v", names, err)
	}
	for _, name := range names {
		contents, err := os.ReadFile(filepath.Join("templates", name))
		if err != nil {
			t.Fatal(err)
		}
		source := templateComment.ReplaceAllString(string(contents), "")
		for _, m := range templateMessage.FindAllStringSubmatch(source, -1) {
			if !ids[m[1]] {
				t.Errorf("%s: t(%q): no such message in locales/en.json", name, m[1])
			}
		}
		for _, code := range templateCode.FindAllString(source, -1) {
			if templateLiteralText.MatchString(code) {
				t.Errorf("%s: %s: a label or hint written in the template; use t(\"ID\")", name, code)
			}
		}
		markup := templateCode.ReplaceAllString(source, "")
		tokens := html.NewTokenizer(strings.NewReader(markup))
		for {
			kind := tokens.Next()
			if kind == html.ErrorToken {
				break
			}
			token := tokens.Token()
			switch kind {
			case html.TextToken:
				if text := strings.TrimSpace(token.Data); readable(text) {
					t.Errorf("%s: the text %q is not from the catalogue; use {{ t(\"ID\") }}", name, text)
				}
			case html.StartTagToken, html.SelfClosingTagToken:
				for _, attribute := range token.Attr {
					if slices.Contains(readableAttributes, attribute.Key) && readable(attribute.Val) {
						t.Errorf("%s: <%s %s=%q> is not from the catalogue", name, token.Data, attribute.Key, attribute.Val)
					}
				}
			}
		}
	}
}

// readable reports whether text, with the untranslated words taken out,
// still has a letter in it: punctuation and symbols ("·") need no
// translation.
func readable(text string) bool {
	for _, word := range untranslated {
		text = strings.ReplaceAll(text, word, "")
	}
	return strings.ContainsFunc(text, unicode.IsLetter)
}

// TestViewsUseCatalogue checks that every message ID the views pass to
// Text, or keep as a flash message (AddFlash, or a session's Flashes),
// as a string or as a constant, is in the catalogue: base.html renders
// flashes with t.
func TestViewsUseCatalogue(t *testing.T) {
	ids := catalogueIDs(t)
	fset := token.NewFileSet()
	paths, err := filepath.Glob(filepath.Join("views", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	constants := make(map[string]string) // the views' string constants, by name
	for _, path := range paths {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, file)
		for _, decl := range file.Decls {
			if decl, ok := decl.(*ast.GenDecl); ok && decl.Tok == token.CONST {
				for _, spec := range decl.Specs {
					spec := spec.(*ast.ValueSpec)
					for i, name := range spec.Names {
						if i < len(spec.Values) {
							if literal, ok := spec.Values[i].(*ast.BasicLit); ok && literal.Kind == token.STRING {
								constants[name.Name], _ = strconv.Unquote(literal.Value)
							}
						}
					}
				}
			}
		}
	}
	calls := 0
	// check checks the message ID that the expression arg, in the call or
	// assignment at where, names.
	check := func(where token.Position, what string, arg ast.Expr) {
		calls++
		var id string
		switch arg := arg.(type) {
		case *ast.BasicLit:
			id, _ = strconv.Unquote(arg.Value)
		case *ast.Ident:
			value, ok := constants[arg.Name]
			if !ok {
				t.Errorf("%s: %s(%s): not a string constant of the views, so the test cannot check it", where, what, arg.Name)
				return
			}
			id = value
		default:
			t.Errorf("%s: %s: the message is neither a string nor a constant", where, what)
			return
		}
		if !ids[id] {
			t.Errorf("%s: %s(%q): no such message in locales/en.json", where, what, id)
		}
	}
	for _, file := range files {
		ast.Inspect(file, func(node ast.Node) bool {
			switch node := node.(type) {
			case *ast.CallExpr:
				selector, ok := node.Fun.(*ast.SelectorExpr)
				switch {
				case ok && selector.Sel.Name == "Text" && len(node.Args) > 0:
					check(fset.Position(node.Pos()), "Text", node.Args[0])
				case ok && selector.Sel.Name == "AddFlash" && len(node.Args) == 3:
					check(fset.Position(node.Pos()), "AddFlash", node.Args[2])
				}
			case *ast.AssignStmt:
				for i, left := range node.Lhs {
					selector, ok := left.(*ast.SelectorExpr)
					if !ok || selector.Sel.Name != "Flashes" || i >= len(node.Rhs) {
						continue
					}
					list, ok := node.Rhs[i].(*ast.CompositeLit)
					if !ok {
						t.Errorf("%s: Flashes set to something other than a list of IDs", fset.Position(node.Pos()))
						continue
					}
					for _, element := range list.Elts {
						check(fset.Position(element.Pos()), "Flashes", element)
					}
				}
			}
			return true
		})
	}
	if calls == 0 {
		t.Fatal("found no messages in views/*.go")
	}
	t.Logf("%d messages", calls)
}
