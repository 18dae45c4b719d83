package main

// The walkthrough in docs/, and its Chinese mirror in docs/zh/, is checked
// against the code by the tests in this file, so that every page stays
// true as the code changes. "docs/*.md" below means both trees.
//
//   - TestDocsQuotes: every ```go block in docs/*.md is quoted from a real
//     file. The line before it names the source, <!-- quote: PATH DECL -->,
//     and the block must equal that declaration in PATH, doc comment
//     included, byte for byte. A block in another language may quote a
//     whole file: <!-- quote: PATH -->.
//   - TestDocsOutputs: every ```console block after <!-- output: NAME -->
//     must equal the transcript that docsOutputs[NAME] makes by sending the
//     same requests to the real servers (or, for an sqlite3 command,
//     running the same query on the same database).
//   - TestDocsDiagrams: the Mermaid block after <!-- diagram: NAME --> must
//     equal what docsDiagrams[NAME] draws from the code.
//   - TestDocsLinks: every relative link in docs/*.md and README.md must
//     name a file that exists, and for a #fragment, a heading in it.
//   - TestDocsTranslations: docs/zh/ has the same pages as docs/, and each
//     pair has the same marked blocks in the same order, so the two
//     languages quote the same code and show the same transcripts.
//   - TestStarterCopy: step 12's recipe, run on a copy of the tree.
//
// go test -run TestDocs -update rewrites the quote, output and diagram
// blocks from the code.
//
// DECL names a top-level declaration of PATH, as go doc would:
//
//   - Name: a function, or a type, constant or variable. A name declared
//     in a parenthesized group (const ( … )) quotes the whole group, with
//     the group's doc comment, since that comment describes them all.
//   - Recv.Name: a method, with a pointer or value receiver.
//   - package: the package clause with the package comment.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/printer"
	"go/token"
	"io"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"example.com/miniweb/db"
	"example.com/miniweb/framework"
	"example.com/miniweb/internal/testdb"
	"example.com/miniweb/throttle"
)

var update = flag.Bool("update", false, "rewrite the quote, output and diagram blocks in docs/*.md")

// Example_handler is the gateway application of docs/02-gateway-interface.md:
// WSGI's application(environ, start_response) written as a Go
// http.Handler, and called the way a server calls it.
func Example_handler() {
	hello := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.URL.Query().Get("name") // environ["QUERY_STRING"], parsed
		if name == "" {
			name = "world"
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8") // start_response's headers
		w.WriteHeader(http.StatusOK)                                // start_response's status
		fmt.Fprintf(w, "Hello, %s!\n", name)                        // the body iterable
	})

	// httptest builds the request and records the response, as
	// wsgiref.util.setup_testing_defaults and a fake start_response would.
	rec := httptest.NewRecorder()
	hello.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/hello?name=Ada", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	fmt.Print(rec.Body)
	// Output:
	// 200 text/plain; charset=utf-8
	// Hello, Ada!
}

// docsMarker matches the comment that names the source of the block after
// it: <!-- quote: framework/routes.go Routes.ServeHTTP -->.
var docsMarker = regexp.MustCompile(`^<!-- (quote|output|diagram): (.+?) -->$`)

// docsBlock is a fenced code block in a Markdown file.
type docsBlock struct {
	lang         string // the fence's info string: "go", "console", …
	open, close  int    // indexes of the fence lines
	kind, source string // from the marker on the line before, if any
}

// docsPage is a Markdown file of the walkthrough, as lines.
type docsPage struct {
	path    string
	lines   []string
	blocks  []docsBlock
	orphans []int // indexes of markers not followed by a fenced block
}

// readDocsPage reads the Markdown file at path and finds its fenced
// blocks and markers.
func readDocsPage(path string) (*docsPage, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	page := &docsPage{path: path, lines: strings.Split(strings.TrimSuffix(string(text), "\n"), "\n")}
	for i := 0; i < len(page.lines); i++ {
		if docsMarker.MatchString(page.lines[i]) && (i+1 == len(page.lines) || !strings.HasPrefix(page.lines[i+1], "```")) {
			page.orphans = append(page.orphans, i)
		}
		fence, lang, ok := docsFence(page.lines[i])
		if !ok {
			continue
		}
		block := docsBlock{lang: lang, open: i, close: len(page.lines)}
		for j := i + 1; j < len(page.lines); j++ {
			if closing, info, ok := docsFence(page.lines[j]); ok && info == "" && len(closing) >= len(fence) {
				block.close = j
				break
			}
		}
		if i > 0 {
			if m := docsMarker.FindStringSubmatch(page.lines[i-1]); m != nil {
				block.kind, block.source = m[1], m[2]
			}
		}
		page.blocks = append(page.blocks, block)
		i = block.close
	}
	return page, nil
}

// docsFence reports whether line opens or closes a fenced code block with
// backticks, and returns the backticks and the info string.
func docsFence(line string) (fence, info string, ok bool) {
	trimmed := strings.TrimLeft(line, " ")
	if len(line)-len(trimmed) > 3 || !strings.HasPrefix(trimmed, "```") {
		return "", "", false
	}
	info = strings.TrimLeft(trimmed, "`")
	fence = trimmed[:len(trimmed)-len(info)]
	return fence, strings.TrimSpace(info), true
}

// content returns the text between the block's fences.
func (p *docsPage) content(b docsBlock) string {
	return strings.Join(p.lines[b.open+1:b.close], "\n")
}

// docsTrees are the folders of the walkthrough, one a language: the
// English pages and their Chinese mirror. Both trees have the same files,
// and TestDocsTranslations checks that they quote the same code.
var docsTrees = []string{"docs", filepath.Join("docs", "zh")}

// docsPaths returns the Markdown files of every tree in docsTrees.
func docsPaths(t *testing.T) []string {
	t.Helper()
	var paths []string
	for _, tree := range docsTrees {
		found, err := filepath.Glob(filepath.Join(tree, "*.md"))
		if err != nil {
			t.Fatal(err)
		}
		if len(found) == 0 {
			t.Fatalf("no %s/*.md files", tree)
		}
		paths = append(paths, found...)
	}
	return paths
}

// docsPages reads every Markdown file of the walkthrough, in both trees.
func docsPages(t *testing.T) []*docsPage {
	t.Helper()
	paths := docsPaths(t)
	var pages []*docsPage
	for _, path := range paths {
		page, err := readDocsPage(path)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, page)
	}
	return pages
}

// checkDocsBlocks compares every block marked kind in docs/*.md with what
// want returns for its source, and under -update rewrites the blocks that
// differ. lang, if not empty, is the language such blocks must have. It
// returns the sources it checked.
func checkDocsBlocks(t *testing.T, kind, lang string, want func(source string) (string, error)) []string {
	t.Helper()
	var sources []string
	for _, page := range docsPages(t) {
		for _, i := range page.orphans {
			if docsMarker.FindStringSubmatch(page.lines[i])[1] == kind {
				t.Errorf("%s:%d: %s is not followed by a fenced block", page.path, i+1, page.lines[i])
			}
		}
		changed := false
		for k := len(page.blocks) - 1; k >= 0; k-- {
			block := page.blocks[k]
			if block.kind != kind {
				continue
			}
			where := fmt.Sprintf("%s:%d", page.path, block.open+1)
			sources = append(sources, block.source)
			if lang != "" && block.lang != lang {
				t.Errorf("%s: a %s block is a ```%s block, want ```%s", where, kind, block.lang, lang)
				continue
			}
			text, err := want(block.source)
			if err != nil {
				t.Errorf("%s: %s %s: %v", where, kind, block.source, err)
				continue
			}
			got := page.content(block)
			if got == text {
				continue
			}
			if *update {
				page.lines = slices.Replace(page.lines, block.open+1, block.close, strings.Split(text, "\n")...)
				changed = true
				continue
			}
			t.Errorf("%s: the %s block differs from %s (- the page, + the code; go test -run TestDocs -update rewrites the page):\n%s",
				where, kind, block.source, docsDiff(got, text))
		}
		if changed {
			if err := os.WriteFile(page.path, []byte(strings.Join(page.lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote %s", page.path)
		}
	}
	return sources
}

// docsDiff returns a line diff that turns page, a block as the page has
// it, into code, the block as the code makes it: "-" lines are only on
// the page, "+" lines only in the code.
func docsDiff(page, code string) string {
	a, b := strings.Split(page, "\n"), strings.Split(code, "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var diff strings.Builder
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			fmt.Fprintf(&diff, "  %s\n", a[i])
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			fmt.Fprintf(&diff, "- %s\n", a[i])
			i++
		default:
			fmt.Fprintf(&diff, "+ %s\n", b[j])
			j++
		}
	}
	return diff.String()
}

// TestDocsQuotes checks that every Go block in docs/*.md is quoted from a
// real file, and that every quote equals its source.
func TestDocsQuotes(t *testing.T) {
	sources := checkDocsBlocks(t, "quote", "", docsQuote)
	for _, page := range docsPages(t) {
		for _, block := range page.blocks {
			if block.lang == "go" && block.kind != "quote" {
				t.Errorf("%s:%d: a ```go block without <!-- quote: PATH DECL --> on the line before: docs quote compiled code only",
					page.path, block.open+1)
			}
		}
	}
	t.Logf("%d quotes", len(sources))
}

// docsQuote returns the text that source, "PATH DECL" or "PATH", quotes.
func docsQuote(source string) (string, error) {
	fields := strings.Fields(source)
	if len(fields) == 0 || len(fields) > 2 {
		return "", errors.New(`want "PATH DECL" or "PATH"`)
	}
	path := fields[0]
	if !filepath.IsLocal(path) {
		return "", fmt.Errorf("%s is not a path inside the repository", path)
	}
	text, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(fields) == 1 {
		return strings.TrimSuffix(string(text), "\n"), nil
	}
	if !strings.HasSuffix(path, ".go") {
		return "", fmt.Errorf("%s is not a Go file, and only Go files have declarations", path)
	}
	return docsDeclaration(path, text, fields[1])
}

// docsDeclaration returns the declaration called decl in the Go source
// text, from the start of its doc comment to its end, exactly as written.
func docsDeclaration(path string, text []byte, decl string) (string, error) {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, text, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	slice := func(doc *ast.CommentGroup, start, end token.Pos) string {
		if doc != nil {
			start = doc.Pos()
		}
		return string(text[fset.Position(start).Offset:fset.Position(end).Offset])
	}
	if decl == "package" {
		if file.Doc == nil {
			return "", fmt.Errorf("%s has no package comment", path)
		}
		return slice(file.Doc, file.Package, file.Name.End()), nil
	}
	receiver, name, isMethod := strings.Cut(decl, ".")
	if !isMethod {
		receiver, name = "", decl
	}
	var found []string
	for _, d := range file.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Name.Name == name && docsReceiver(d) == receiver {
				found = append(found, slice(d.Doc, d.Pos(), d.End()))
			}
		case *ast.GenDecl:
			if receiver == "" && slices.Contains(docsDeclaredNames(d), name) {
				found = append(found, slice(d.Doc, d.Pos(), d.End()))
			}
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s declares no %s", path, decl)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s declares %s %d times", path, decl, len(found))
}

// docsReceiver returns the name of the receiver's type of the method f,
// or "" for a function.
func docsReceiver(f *ast.FuncDecl) string {
	if f.Recv == nil || len(f.Recv.List) == 0 {
		return ""
	}
	expr := f.Recv.List[0].Type
	if star, ok := expr.(*ast.StarExpr); ok {
		expr = star.X
	}
	switch x := expr.(type) {
	case *ast.IndexExpr:
		expr = x.X
	case *ast.IndexListExpr:
		expr = x.X
	}
	if ident, ok := expr.(*ast.Ident); ok {
		return ident.Name
	}
	return ""
}

// docsDeclaredNames returns the names that the type, const or var declaration
// d declares.
func docsDeclaredNames(d *ast.GenDecl) []string {
	var names []string
	for _, spec := range d.Specs {
		switch spec := spec.(type) {
		case *ast.TypeSpec:
			names = append(names, spec.Name.Name)
		case *ast.ValueSpec:
			for _, name := range spec.Names {
				names = append(names, name.Name)
			}
		}
	}
	return names
}

// TestDocsTranslations checks that every tree of docsTrees has the same
// pages, and that a page and its translation have the same fenced blocks
// (quotes, transcripts, diagrams, commands), in the same order and with
// the same text: the prose is translated, the code is not.
func TestDocsTranslations(t *testing.T) {
	byName := make(map[string][]*docsPage) // file name → its page in each tree
	for _, page := range docsPages(t) {
		name := filepath.Base(page.path)
		byName[name] = append(byName[name], page)
	}
	for _, name := range slices.Sorted(maps.Keys(byName)) {
		pages := byName[name]
		if len(pages) != len(docsTrees) {
			t.Errorf("%s is in %d of the %d trees %v: every page needs its translation", name, len(pages), len(docsTrees), docsTrees)
			continue
		}
		want := docsCodeBlocks(pages[0])
		for _, page := range pages[1:] {
			got := docsCodeBlocks(page)
			for i := range max(len(want), len(got)) {
				switch {
				case i >= len(got):
					t.Errorf("%s lacks %s's block %d, %s", page.path, pages[0].path, i+1, want[i].name)
				case i >= len(want):
					t.Errorf("%s has a block %d, %s, that %s lacks", page.path, i+1, got[i].name, pages[0].path)
				case got[i] != want[i]:
					t.Errorf("%s: block %d is %s, but in %s it is %s, or its text differs (the translation must show the same code)",
						page.path, i+1, got[i].name, pages[0].path, want[i].name)
				}
				if i < len(got) && i < len(want) && got[i] != want[i] {
					break // one error a page: the blocks after it may be shifted
				}
			}
		}
	}
}

// docsCodeBlock is a block that must be the same in every language.
type docsCodeBlock struct {
	name string // "quote framework/routes.go Routes", or the language of an unmarked block: "sh"
	text string
}

// docsCodeBlocks returns page's fenced blocks, in order.
func docsCodeBlocks(page *docsPage) []docsCodeBlock {
	var blocks []docsCodeBlock
	for _, b := range page.blocks {
		name := b.kind + " " + b.source
		if b.kind == "" {
			name = "```" + b.lang
		}
		blocks = append(blocks, docsCodeBlock{name: name, text: page.content(b)})
	}
	return blocks
}

// TestDocsLinks checks that every relative link in docs/*.md and
// README.md names a file or directory that exists, and that a #fragment
// names a heading of the Markdown file it points into, as GitHub makes
// the anchors.
func TestDocsLinks(t *testing.T) {
	paths := append(docsPaths(t), "README.md")
	links := 0
	for _, path := range paths {
		page, err := readDocsPage(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range page.lines {
			if page.inBlock(i) {
				continue
			}
			for _, m := range docsLink.FindAllStringSubmatch(docsCodeSpan.ReplaceAllStringFunc(line, docsKeepLinkText), -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				links++
				where := fmt.Sprintf("%s:%d: link %s", path, i+1, target)
				file, fragment, _ := strings.Cut(target, "#")
				file, err := url.PathUnescape(file)
				if err != nil {
					t.Errorf("%s: %v", where, err)
					continue
				}
				resolved := path
				if file != "" {
					resolved = filepath.Join(filepath.Dir(path), filepath.FromSlash(file))
				}
				if _, err := os.Stat(resolved); err != nil {
					t.Errorf("%s: %v", where, err)
					continue
				}
				if fragment == "" {
					continue
				}
				if !strings.HasSuffix(resolved, ".md") {
					t.Errorf("%s: a #fragment in a link to a file that is not Markdown", where)
					continue
				}
				anchors, err := docsAnchors(resolved)
				if err != nil {
					t.Errorf("%s: %v", where, err)
				} else if !anchors[fragment] {
					t.Errorf("%s: %s has no heading with the anchor #%s", where, resolved, fragment)
				}
			}
		}
	}
	t.Logf("%d relative links", links)
}

var (
	// docsLink matches an inline Markdown link or image and captures its
	// target: [text](target) or [text](target "title").
	docsLink = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	// docsCodeSpan matches an inline code span, where brackets are text.
	docsCodeSpan = regexp.MustCompile("`[^`]*`")
)

// docsKeepLinkText returns a code span with its brackets and parentheses
// blanked, so that docsLink sees no link inside it.
func docsKeepLinkText(span string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("[]()", r) {
			return ' '
		}
		return r
	}, span)
}

// inBlock reports whether line i of the page is inside a fenced block,
// fences included.
func (p *docsPage) inBlock(i int) bool {
	for _, block := range p.blocks {
		if block.open <= i && i <= block.close {
			return true
		}
	}
	return false
}

// docsAnchors returns the anchors GitHub makes for the headings of the
// Markdown file at path.
func docsAnchors(path string) (map[string]bool, error) {
	page, err := readDocsPage(path)
	if err != nil {
		return nil, err
	}
	anchors := make(map[string]bool)
	seen := make(map[string]int)
	for i, line := range page.lines {
		if page.inBlock(i) {
			continue
		}
		hashes := len(line) - len(strings.TrimLeft(line, "#"))
		if hashes == 0 || hashes > 6 || !strings.HasPrefix(line[hashes:], " ") {
			continue
		}
		slug := docsSlug(strings.TrimRight(strings.TrimSpace(line[hashes:]), "#"))
		if n := seen[slug]; n > 0 {
			anchors[slug+"-"+strconv.Itoa(n)] = true
		} else {
			anchors[slug] = true
		}
		seen[slug]++
	}
	return anchors, nil
}

// docsSlug returns GitHub's anchor for a heading: lower case, letters,
// digits, "-" and "_" kept, spaces made "-", everything else dropped.
func docsSlug(heading string) string {
	var slug strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsNumber(r) || r == '-' || r == '_':
			slug.WriteRune(r)
		case r == ' ':
			slug.WriteByte('-')
		}
	}
	return slug.String()
}

// TestDocsDiagrams checks the diagrams that are drawn from the code.
func TestDocsDiagrams(t *testing.T) {
	sources := checkDocsBlocks(t, "diagram", "mermaid", func(name string) (string, error) {
		draw, ok := docsDiagrams[name]
		if !ok {
			return "", errors.New("no such diagram in docsDiagrams")
		}
		return draw()
	})
	for name := range docsDiagrams {
		if !slices.Contains(sources, name) {
			t.Errorf("diagram %s is not used in docs/*.md", name)
		}
	}
}

// docsHashKey and docsBlockKey stand for the session keys the pages make
// with head -c … /dev/urandom: fixed, so that each run's transcripts are
// the same, and as varied as random ones, so that -check takes them.
var docsHashKey, docsBlockKey = func() (string, string) {
	hash, block := sha512.Sum512([]byte("docs hash key")), sha512.Sum512([]byte("docs block key"))
	return hex.EncodeToString(hash[:framework.HashKeyBytes]), hex.EncodeToString(block[:framework.BlockKeyBytes])
}()

// docsDiagrams draws the diagrams of the walkthrough, by name.
var docsDiagrams = map[string]func() (string, error){
	"request-path": docsDrawRequestPath,
	"notes-shift":  docsDrawNotesShift,
}

// docsNotesSegments says what views.Notes does with each segment it
// shifts off the path of docsDrawNotesShift.
var docsNotesSegments = map[string]string{
	"notes": "the resource: its SCRIPT_NAME is the base of its links",
	"12":    "the id: framework.ParseID",
	"edit":  "the action: GET the form, POST saves",
}

// docsDrawNotesShift draws how views.Notes reads PATH_INFO
// /notes/12/edit, with the application at the root and under -mount
// /app: SCRIPT_NAME and PATH_INFO before and after each
// framework.ShiftPath, and what the view makes of each segment.
func docsDrawNotesShift() (string, error) {
	quote := func(s string) string { return "#quot;" + s + "#quot;" }
	var b strings.Builder
	b.WriteString("flowchart LR")
	for i, mount := range []string{"", "/app"} {
		scriptName, pathInfo := mount, "/notes/12/edit"
		node := func(step int) string {
			return fmt.Sprintf("m%d_%d[\"SCRIPT_NAME %s<br>PATH_INFO %s\"]", i, step, quote(scriptName), quote(pathInfo))
		}
		b.WriteString("\n    " + node(0))
		for step := 1; pathInfo != ""; step++ {
			segment, newScriptName, newPathInfo, ok := framework.ShiftPath(scriptName, pathInfo)
			if !ok {
				return "", fmt.Errorf("ShiftPath(%q, %q): not ok", scriptName, pathInfo)
			}
			what, known := docsNotesSegments[segment]
			if !known {
				return "", fmt.Errorf("ShiftPath(%q, %q) gives the segment %q, which docsNotesSegments does not know", scriptName, pathInfo, segment)
			}
			scriptName, pathInfo = newScriptName, newPathInfo
			fmt.Fprintf(&b, " -- \"shift %s<br>%s\" --> %s", quote(segment), what, node(step))
		}
	}
	return b.String(), nil
}

// docsDrawRequestPath draws the path of a request from the socket to the
// view, with the middleware in the order withMiddleware in main.go wraps
// it, outermost first.
func docsDrawRequestPath() (string, error) {
	const path = "main.go"
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
	if err != nil {
		return "", err
	}
	var body *ast.BlockStmt
	for _, d := range file.Decls {
		if f, ok := d.(*ast.FuncDecl); ok && f.Name.Name == "withMiddleware" && f.Recv == nil {
			body = f.Body
		}
	}
	if body == nil {
		return "", fmt.Errorf("%s declares no withMiddleware", path)
	}
	show := func(node ast.Node) string {
		var b strings.Builder
		printer.Fprint(&b, fset, node)
		return strings.ReplaceAll(b.String(), `"`, "#quot;")
	}
	// layer is one middleware of withMiddleware's chain, or the handler
	// the chain wraps.
	type layer struct{ call, condition string }
	var layers []layer // outermost first
	// name returns the name of the middleware that argument of append
	// makes: the function called, or the function a literal returns.
	var name func(argument ast.Expr) string
	name = func(argument ast.Expr) string {
		switch e := argument.(type) {
		case *ast.CallExpr:
			return show(e.Fun)
		case *ast.FuncLit:
			if r, ok := e.Body.List[len(e.Body.List)-1].(*ast.ReturnStmt); ok && len(r.Results) == 1 {
				return name(r.Results[0])
			}
		}
		return show(argument)
	}
	var walk func(statements []ast.Stmt, condition string)
	walk = func(statements []ast.Stmt, condition string) {
		for _, statement := range statements {
			switch s := statement.(type) {
			case *ast.AssignStmt: // chain = append(chain, …), or handler := the routes
				call, ok := s.Rhs[0].(*ast.CallExpr)
				if !ok || len(s.Lhs) != 1 {
					continue
				}
				if show(call.Fun) == "append" {
					for _, argument := range call.Args[1:] {
						layers = append(layers, layer{name(argument), condition})
					}
				} else if s.Tok == token.DEFINE {
					layers = append(layers, layer{name(call), condition})
				}
			case *ast.IfStmt:
				walk(s.Body.List, show(s.Cond))
			}
		}
	}
	walk(body.List, "")
	if len(layers) == 0 {
		return "", fmt.Errorf("found no chain = append(chain, …) in %s withMiddleware", path)
	}

	var b strings.Builder
	b.WriteString("flowchart TD\n")
	b.WriteString("    client([\"curl or a browser\"]) -- \"TCP connection\" --> listener[\"net.Listener<br>127.0.0.1:8080\"]\n")
	b.WriteString("    listener --> server[\"http.Server, from newServer<br>reads and parses each request,<br>one goroutine per connection\"]\n")
	previous := "server"
	edge := ` -- "ServeHTTP(w, r)" --> `
	for i, l := range layers {
		node := fmt.Sprintf("layer%d", i+1)
		label := l.call
		if what := docsLayerPurpose[l.call]; what != "" {
			label += "<br>" + what
		}
		if l.condition != "" {
			label += "<br>only if " + l.condition
		}
		fmt.Fprintf(&b, "    %s%s%s[\"%s\"]\n", previous, edge, node, label)
		previous, edge = node, " --> "
	}
	fmt.Fprintf(&b, "    %s --> methods[\"framework.Methods<br>r.Method → handler; HEAD, OPTIONS, 405\"]\n", previous)
	b.WriteString("    methods --> view[\"a view, such as views.Login\"]\n")
	b.WriteString("    view --> render[\"Pages.Render<br>template → buffer → w.Write\"]")
	return b.String(), nil
}

// docsLayerPurpose says in a few words what each layer of withMiddleware
// does, for the request-path diagram. A layer missing here is drawn by
// name alone.
var docsLayerPurpose = map[string]string{
	"validate.Handler":                        "reports broken HTTP rules",
	"framework.TrustProxy":                    "believes X-Forwarded-Proto and -For",
	"framework.SecurityHeaders":               "sets CSP, nosniff, Referrer-Policy",
	"framework.AccessLog":                     "logs one record per request",
	"framework.RefuseTransferEncoding":        "400 and close for a Transfer-Encoding",
	"framework.Recover":                       "turns a panic into the 500 page",
	"app.sessions.Middleware":                 "decodes the session cookie once",
	"http.NewCrossOriginProtection().Handler": "403 for cross-origin POSTs",
	"framework.Mount":                         "moves the prefix from PATH_INFO to SCRIPT_NAME",
	"app.routes.WithNotFound":                 "the route table: r.URL.Path → handler,<br>or the 404 page",
}

// TestDocsOutputs checks the shell transcripts in docs/*.md: each is made
// again by sending the same requests to the real servers, started as the
// page says (or running the same SQL query on the same database), and
// compared after docsNormalize.
func TestDocsOutputs(t *testing.T) {
	env := &docsEnv{t: t}
	made := make(map[string]string) // each language's page shows the same transcript
	sources := checkDocsBlocks(t, "output", "console", func(name string) (string, error) {
		if text, ok := made[name]; ok {
			return text, nil
		}
		produce, ok := docsOutputs[name]
		if !ok {
			return "", errors.New("no such transcript in docsOutputs")
		}
		made[name] = docsNormalize(produce(env))
		return made[name], nil
	})
	for name := range docsOutputs {
		if !slices.Contains(sources, name) {
			t.Errorf("transcript %s is not used in docs/*.md", name)
		}
	}
}

// The addresses the pages show: the default ones of go run . and go run
// ./cmd/rawsocket. The tests listen on free ports and show these instead.
const (
	docsDemoAddress = "127.0.0.1:8080"
	docsRawAddress  = "127.0.0.1:8000"
	// docsUserAgent is the User-Agent header of the curl that made the
	// transcripts.
	docsUserAgent = "curl/7.88.1"
)

// docsNormalize replaces what changes from run to run in a transcript with
// fixed values: dates, times, the client's port, cookie values and the
// seconds that count down while the test runs (a throttle's Retry-After, a
// cookie's Max-Age). It drops the empty lines at the end, which a fenced
// block would show.
func docsNormalize(text string) string {
	for _, r := range docsNormalizations {
		text = r.pattern.ReplaceAllString(text, r.replacement)
	}
	return strings.TrimRight(text, "\n")
}

var docsNormalizations = []struct {
	pattern     *regexp.Regexp
	replacement string
}{
	{regexp.MustCompile(`(?m)^Date: .*$`), "Date: Sun, 22 Nov 2026 14:03:59 GMT"},
	{regexp.MustCompile(`time=\S+`), "time=2026-11-22T14:03:59.000Z"},
	{regexp.MustCompile(`REMOTE_PORT=\d+`), "REMOTE_PORT=52814"},
	{regexp.MustCompile(`(?m)^(Set-Cookie: (?:__Host-)?session=)[^;\s]+;`), "${1}…;"},
	{regexp.MustCompile(`Retry-After: 1[5-8]\d`), "Retry-After: 180"},
	// A login's cookie has the lifetime less the fraction of a second
	// since IssuedAt, in whole seconds: 43199, or less on a slow machine.
	{regexp.MustCompile(`Max-Age=431\d\d`), "Max-Age=43199"},
}

// docsEnv starts the servers that the transcripts talk to.
type docsEnv struct {
	t *testing.T

	rawOnce    sync.Once
	rawAddress string // where cmd/rawsocket listens, once started
	rawStartup string // what it printed

	restartOnce sync.Once
	restarted   docsRestart // the restart of docs/07-database.md, once run

	notesOnce sync.Once
	notes     docsNotes // the notes of docs/08-notes.md, once written
}

// rawsocket builds and starts cmd/rawsocket, once for all transcripts,
// since it keeps no state between requests, and returns its address.
func (e *docsEnv) rawsocket() string {
	e.rawOnce.Do(func() {
		t := e.t
		binary := filepath.Join(t.TempDir(), "rawsocket")
		if output, err := exec.Command("go", "build", "-o", binary, "./cmd/rawsocket").CombinedOutput(); err != nil {
			t.Fatalf("go build ./cmd/rawsocket: %v\n%s", err, output)
		}
		cmd := exec.Command(binary, "-addr", "127.0.0.1:0")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if cmd.Process.Signal(os.Interrupt) != nil {
				cmd.Process.Kill()
			}
			cmd.Wait()
		})
		line, err := bufio.NewReader(stdout).ReadString('\n')
		if err != nil {
			t.Fatalf("go run ./cmd/rawsocket: no start-up line: %v", err)
		}
		_, address, ok := strings.Cut(strings.TrimSpace(line), "http://")
		if !ok {
			t.Fatalf("go run ./cmd/rawsocket: start-up line %q has no address", line)
		}
		e.rawAddress = address
		e.rawStartup = strings.ReplaceAll(line, address, docsRawAddress)
	})
	return e.rawAddress
}

// docsDemo is the demo served by run, as go run . serves it.
type docsDemo struct {
	address string // where it listens
	startup string // what it printed on start-up, log first, then stdout
	jars    map[string]map[string]string
	stop    func() // stops it, as Ctrl+C does, and waits; the test's end calls it too
}

// demo starts the demo with args on a free port and with the environment
// env, by calling run as main does, and stops it when the test ends, or
// before with its stop.
func (e *docsEnv) demo(env map[string]string, args ...string) *docsDemo {
	t := e.t
	ctx, cancel := context.WithCancel(context.Background())
	output := &docsTerminal{serving: make(chan struct{})}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(args, "-addr", "127.0.0.1:0"), testGetenv(e.t, env),
			docsStdout{output}, output)
	}()
	select {
	case <-output.serving:
	case err := <-done:
		t.Fatalf("run %q returned before serving: %v", args, err)
	}
	stop := sync.OnceFunc(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run %q after cancel: %v", args, err)
		}
	})
	t.Cleanup(stop)
	startup := output.String()
	_, rest, ok := strings.Cut(startup, "miniweb: serving http://")
	if !ok {
		t.Fatalf("run %q: no start-up line with a URL in %q", args, startup)
	}
	address, _, _ := strings.Cut(rest, "/")
	return &docsDemo{
		address: address,
		startup: strings.ReplaceAll(startup, address, docsDemoAddress),
		jars:    make(map[string]map[string]string),
		stop:    stop,
	}
}

// docsTerminal collects what run writes to stdout and stderr, in order,
// as a terminal shows it.
type docsTerminal struct {
	mu      sync.Mutex
	text    strings.Builder
	serving chan struct{} // closed at the first write to stdout, the start-up line
	started bool
}

func (d *docsTerminal) Write(b []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.text.Write(b)
}

func (d *docsTerminal) String() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.text.String()
}

// docsStdout is the stdout side of a docsTerminal.
type docsStdout struct{ terminal *docsTerminal }

func (s docsStdout) Write(b []byte) (int, error) {
	n, err := s.terminal.Write(b)
	s.terminal.mu.Lock()
	defer s.terminal.mu.Unlock()
	if !s.terminal.started {
		s.terminal.started = true
		close(s.terminal.serving)
	}
	return n, err
}

// docsCurlRequest returns the bytes curl sends for method and target (a path
// and query) to host: the request line, Host, User-Agent and Accept, then
// header, then for a body, Content-Length and, unless header sets one, the
// Content-Type of curl -d.
func docsCurlRequest(method, host, target string, header []string, body string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: %s\r\nAccept: */*\r\n", method, target, host, docsUserAgent)
	contentType := false
	for _, line := range header {
		b.WriteString(line + "\r\n")
		contentType = contentType || strings.HasPrefix(strings.ToLower(line), "content-type:")
	}
	if body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
		if !contentType {
			b.WriteString("Content-Type: application/x-www-form-urlencoded\r\n")
		}
	}
	b.WriteString("\r\n" + body)
	return b.String()
}

// exchange sends request, raw bytes, to address and returns the response
// as received: its header section, with LF line ends and without the
// empty line, and its body.
func (e *docsEnv) exchange(address, request string) (head, body string) {
	t := e.t
	conn, err := net.Dial("tcp", address)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	var raw bytes.Buffer
	method, _, _ := strings.Cut(request, " ")
	res, err := http.ReadResponse(bufio.NewReader(io.TeeReader(conn, &raw)), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%.40q: reading the response: %v", request, err)
	}
	if _, err := io.ReadAll(res.Body); err != nil {
		t.Fatalf("%.40q: reading the body: %v", request, err)
	}
	head, body, _ = strings.Cut(raw.String(), "\r\n\r\n")
	return strings.ReplaceAll(head, "\r\n", "\n"), body
}

// curl sends the demo a request as curl does, with the cookies of jar (a
// name, as in curl -b jar -c jar; "" for none), and returns the response's
// header section and body.
func (d *docsDemo) curl(e *docsEnv, jar, method, target string, header []string, body string) (head, resBody string) {
	cookies := d.jars[jar]
	if jar != "" && len(cookies) > 0 {
		var pairs []string
		for _, name := range slices.Sorted(maps.Keys(cookies)) {
			pairs = append(pairs, name+"="+cookies[name])
		}
		header = append([]string{"Cookie: " + strings.Join(pairs, "; ")}, header...)
	}
	head, resBody = e.exchange(d.address, docsCurlRequest(method, docsDemoAddress, target, header, body))
	if jar != "" {
		if cookies == nil {
			cookies = make(map[string]string)
			d.jars[jar] = cookies
		}
		for line := range strings.Lines(head) {
			value, ok := strings.CutPrefix(strings.TrimSpace(line), "Set-Cookie: ")
			if !ok {
				continue
			}
			cookie, err := http.ParseSetCookie(value)
			if err != nil {
				e.t.Fatal(err)
			}
			if cookie.MaxAge < 0 {
				delete(cookies, cookie.Name)
			} else {
				cookies[cookie.Name] = cookie.Value
			}
		}
	}
	return head, resBody
}

// docsRedirect returns what curl -w '%{http_code} %{redirect_url}\n'
// prints for a response with header section head to a request for
// target on the demo.
func docsRedirect(head, target string) string {
	statusLine, _, _ := strings.Cut(head, "\n")
	fields := strings.Fields(statusLine)
	redirect := ""
	for line := range strings.Lines(head) {
		if location, ok := strings.CutPrefix(strings.TrimSpace(line), "Location: "); ok {
			base, _ := url.Parse("http://" + docsDemoAddress + target)
			ref, _ := url.Parse(location)
			redirect = base.ResolveReference(ref).String()
		}
	}
	return fields[1] + " " + redirect + "\n"
}

// grep returns the lines of text that match pattern, as grep -E does.
func docsGrep(pattern, text string) string {
	re := regexp.MustCompile(pattern)
	var b strings.Builder
	for line := range strings.Lines(text) {
		if re.MatchString(strings.TrimSuffix(line, "\n")) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// docsForm is the urlencoded body that curl -d sends for fields.
func docsForm(fields ...string) string { return strings.Join(fields, "&") }

// docsStatus is the curl option that prints a response's status code and
// where its redirect points, as docsRedirect makes it.
const docsStatus = "-o /dev/null -w '%{http_code} %{redirect_url}\\n'"

// docsAdaPassword is the password Ada signs up with in
// docs/07-database.md.
const docsAdaPassword = "analytical-engine"

// docsRestart is the scenario of "Run it" in docs/07-database.md, as the
// three transcripts there show it: Ada logs in, keeps a copy of her
// cookie and logs out (logout); the demo stops and starts again, with the
// same keys and the same database (startup); the copy no longer logs in,
// and the users table holds her generation (copy).
type docsRestart struct{ logout, startup, copy string }

// restart runs the scenario of docsRestart once, and returns its
// transcripts.
func (e *docsEnv) restart() docsRestart {
	e.restartOnce.Do(func() {
		env := map[string]string{
			hashKeyVariable:  docsHashKey,
			blockKeyVariable: docsBlockKey,
			databaseVariable: testdb.SQLiteURL(e.t), // one database for both runs
		}
		first := e.demo(env)
		// Ada signed up earlier on the page.
		first.curl(e, "", "POST", "/register", nil,
			docsForm("username=Ada", "password="+docsAdaPassword, "confirm="+docsAdaPassword))
		var logout strings.Builder
		head, _ := first.curl(e, "/tmp/cookies.txt", "POST", "/login", nil, docsForm("username=ada", "password="+docsAdaPassword))
		logout.WriteString("$ curl -s -c /tmp/cookies.txt " + docsStatus + " -d username=ada -d password=" + docsAdaPassword + " http://127.0.0.1:8080/login\n")
		logout.WriteString(docsRedirect(head, "/login"))
		first.jars["/tmp/copy.txt"] = maps.Clone(first.jars["/tmp/cookies.txt"])
		logout.WriteString("$ cp /tmp/cookies.txt /tmp/copy.txt\n")
		head, _ = first.curl(e, "/tmp/cookies.txt", "POST", "/logout", nil, "")
		logout.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt " + docsStatus + " -X POST http://127.0.0.1:8080/logout\n")
		logout.WriteString(docsRedirect(head, "/logout"))
		first.stop()

		second := e.demo(env)
		second.jars["/tmp/copy.txt"] = first.jars["/tmp/copy.txt"]
		head, _ = second.curl(e, "/tmp/copy.txt", "GET", "/home", nil, "")
		refused := "$ curl -s -b /tmp/copy.txt " + docsStatus + " http://127.0.0.1:8080/home\n" + docsRedirect(head, "/home")
		// What the sqlite3 program prints for the query, in its default
		// list mode: the columns joined with "|".
		database, err := db.Open(context.Background(), env[databaseVariable])
		if err != nil {
			e.t.Fatal(err)
		}
		defer database.Close()
		const query = "SELECT username, session_generation FROM users WHERE username = 'ada'"
		var name string
		var generation int64
		if err := database.QueryRowContext(context.Background(), query).Scan(&name, &generation); err != nil {
			e.t.Fatalf("%s: %v", query, err)
		}
		refused += "$ sqlite3 miniweb.db \"" + query + "\"\n" + fmt.Sprintf("%s|%d\n", name, generation)
		e.restarted = docsRestart{logout: logout.String(), startup: "$ go run .\n" + second.startup, copy: refused}
	})
	return e.restarted
}

// docsNotes is the scenario of docs/08-notes.md, as its transcripts show
// it, on one database, as the reader's miniweb.db: a visitor is sent to
// log in, but gets 405 for a method no note page has (anonymous); admin
// logs in, sees the login's flash, writes note 1 and sees "Note saved."
// once (create), and gets the form again for a note without a title
// (invalid); Ada, who signed up in step 7, writes note 2, and admin
// gets the same 404 page for it as for a missing note and a misspelled
// id (others); admin saves note 1 from two tabs (conflict) and asks for
// pages of the list (pages); then the demo restarts under -mount /app,
// where admin writes note 3 and deletes it (mounted).
type docsNotes struct{ anonymous, create, invalid, others, conflict, pages, mounted string }

// notesScenario runs the scenario of docsNotes once, and returns its transcripts.
func (e *docsEnv) notesScenario() docsNotes {
	e.notesOnce.Do(func() {
		env := map[string]string{
			hashKeyVariable:  docsHashKey, // set in step 7
			blockKeyVariable: docsBlockKey,
			databaseVariable: testdb.SQLiteURL(e.t), // one database for both runs
		}
		demo := e.demo(env)
		// Ada signed up in step 7.
		demo.curl(e, "", "POST", "/register", nil,
			docsForm("username=Ada", "password="+docsAdaPassword, "confirm="+docsAdaPassword))
		const site = "http://127.0.0.1:8080"
		var b strings.Builder
		status := func(jar, method, target string, body string) {
			head, _ := demo.curl(e, jar, method, target, nil, body)
			b.WriteString(docsRedirect(head, target))
		}

		// A visitor.
		status("", "GET", "/notes", "")
		head, _ := demo.curl(e, "", "DELETE", "/notes/1", nil, "")
		e.notes.anonymous = "$ curl -s " + docsStatus + " " + site + "/notes\n" + b.String() +
			"$ curl -si -X DELETE " + site + "/notes/1 | grep -E '^(HTTP|Allow)'\n" +
			docsGrep("^(HTTP|Allow)", head+"\n\n")

		// Admin writes a note.
		b.Reset()
		b.WriteString("$ curl -s -c /tmp/cookies.txt " + docsStatus + " -d username=admin -d password=secure123 " + site + "/login\n")
		status("/tmp/cookies.txt", "POST", "/login", docsForm("username=admin", "password=secure123"))
		_, body := demo.curl(e, "/tmp/cookies.txt", "GET", "/home", nil, "")
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt " + site + "/home | grep flash\n" + docsGrep("flash", body))
		head, _ = demo.curl(e, "/tmp/cookies.txt", "POST", "/notes/new", nil, docsForm("title=Shopping", "body=milk"))
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt -D - -o /dev/null -d title=Shopping -d body=milk " + site + "/notes/new\n" + head + "\n\n")
		for range 2 {
			_, body = demo.curl(e, "/tmp/cookies.txt", "GET", "/notes/1", nil, "")
			b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt " + site + "/notes/1 | grep -E 'flash|<h1>'\n" + docsGrep("flash|<h1>", body))
		}
		e.notes.create = b.String()

		// A note without a title.
		const fieldLines = `^HTTP|name="title"|field-error`
		head, body = demo.curl(e, "/tmp/cookies.txt", "POST", "/notes/new", nil, docsForm("title=", "body=milk"))
		e.notes.invalid = "$ curl -si -b /tmp/cookies.txt -c /tmp/cookies.txt -d title= -d body=milk " + site + "/notes/new | grep -E '" + fieldLines + "'\n" +
			docsGrep(fieldLines, head+"\n\n"+body)

		// Ada writes one; admin cannot tell it from none.
		b.Reset()
		adaLogin := docsForm("username=ada", "password="+docsAdaPassword)
		b.WriteString("$ curl -s -c /tmp/ada.txt " + docsStatus + " -d username=ada -d password=" + docsAdaPassword + " " + site + "/login\n")
		status("/tmp/ada.txt", "POST", "/login", adaLogin)
		b.WriteString("$ curl -s -b /tmp/ada.txt -c /tmp/ada.txt " + docsStatus + " -d title=Engines -d body=Babbage " + site + "/notes/new\n")
		status("/tmp/ada.txt", "POST", "/notes/new", docsForm("title=Engines", "body=Babbage"))
		b.WriteString(`$ for id in 2 3 007; do curl -s -b /tmp/cookies.txt -o /dev/null -w "$id: %{http_code} %{size_download}\n" ` + site + "/notes/$id; done\n")
		for _, id := range []string{"2", "3", "007"} {
			head, body := demo.curl(e, "/tmp/cookies.txt", "GET", "/notes/"+id, nil, "")
			code := strings.Fields(head)[1]
			fmt.Fprintf(&b, "%s: %s %d\n", id, code, len(body))
		}
		e.notes.others = b.String()

		// Two tabs hold the form at version 1; the first saves.
		b.Reset()
		_, body = demo.curl(e, "/tmp/cookies.txt", "GET", "/notes/1/edit", nil, "")
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt " + site + "/notes/1/edit | grep 'name=\"version\"'\n" + docsGrep(`name="version"`, body))
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt " + docsStatus + " -d version=1 -d title=Shopping -d body=eggs " + site + "/notes/1/edit\n")
		status("/tmp/cookies.txt", "POST", "/notes/1/edit", docsForm("version=1", "title=Shopping", "body=eggs"))
		_, body = demo.curl(e, "/tmp/cookies.txt", "GET", "/notes/1", nil, "")
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt " + site + "/notes/1 | grep flash\n" + docsGrep("flash", body))
		const conflictLines = `^HTTP|class="error"|note-body|name="version"|<textarea`
		head, body = demo.curl(e, "/tmp/cookies.txt", "POST", "/notes/1/edit", nil, docsForm("version=1", "title=Shopping", "body=bread"))
		b.WriteString("$ curl -si -b /tmp/cookies.txt -c /tmp/cookies.txt -d version=1 -d title=Shopping -d body=bread " + site + "/notes/1/edit | grep -E '" + conflictLines + "'\n" +
			docsGrep(conflictLines, head+"\n\n"+body))
		e.notes.conflict = b.String()

		// Pages of the list.
		b.Reset()
		b.WriteString(`$ for page in 1 2 007; do curl -s -b /tmp/cookies.txt -o /dev/null -w "$page: %{http_code}\n" "` + site + `/notes?page=$page"; done` + "\n")
		for _, page := range []string{"1", "2", "007"} {
			head, _ := demo.curl(e, "/tmp/cookies.txt", "GET", "/notes?page="+page, nil, "")
			fmt.Fprintf(&b, "%s: %s\n", page, strings.Fields(head)[1])
		}
		_, body = demo.curl(e, "/tmp/cookies.txt", "GET", "/notes?page=007", nil, "")
		b.WriteString("$ curl -s -b /tmp/cookies.txt '" + site + "/notes?page=007'\n" + body)
		e.notes.pages = b.String()
		demo.stop()

		// Under -mount /app.
		mounted := e.demo(env, "-mount", "/app")
		b.Reset()
		b.WriteString("$ go run . -mount /app\n" + mounted.startup)
		demo = mounted
		b.WriteString("$ curl -s -c /tmp/app.txt " + docsStatus + " -d username=admin -d password=secure123 " + site + "/app/login\n")
		status("/tmp/app.txt", "POST", "/app/login", docsForm("username=admin", "password=secure123"))
		b.WriteString("$ curl -s -b /tmp/app.txt -c /tmp/app.txt " + docsStatus + " -d title=Mounted -d body=here " + site + "/app/notes/new\n")
		status("/tmp/app.txt", "POST", "/app/notes/new", docsForm("title=Mounted", "body=here"))
		_, body = demo.curl(e, "/tmp/app.txt", "GET", "/app/notes/3", nil, "")
		b.WriteString("$ curl -s -b /tmp/app.txt -c /tmp/app.txt " + site + "/app/notes/3 | grep /app/notes\n" + docsGrep("/app/notes", body))
		b.WriteString("$ curl -s -b /tmp/app.txt -c /tmp/app.txt " + docsStatus + " -X POST " + site + "/app/notes/3/delete\n")
		status("/tmp/app.txt", "POST", "/app/notes/3/delete", "")
		e.notes.mounted = b.String()
	})
	return e.notes
}

// The transcripts of docs/*.md, by name: each returns the commands, after
// "$ ", and their output, made by sending the same bytes to the same
// server as the commands do, or, for sqlite3, by running the same query
// on the same database and printing the row as sqlite3 does.
var docsOutputs = map[string]func(e *docsEnv) string{
	// docs/01-http-by-hand.md
	"rawsocket-start": func(e *docsEnv) string {
		e.rawsocket()
		return "$ go run ./cmd/rawsocket\n" + e.rawStartup
	},
	"rawsocket-wire": func(e *docsEnv) string {
		head, body := e.exchange(e.rawsocket(), "GET /hello?name=Ada HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n")
		return `$ printf 'GET /hello?name=Ada HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n' | curl -s telnet://127.0.0.1:8000` + "\n" +
			head + "\n\n" + body
	},
	"rawsocket-404": func(e *docsEnv) string {
		head, body := e.exchange(e.rawsocket(), docsCurlRequest("GET", docsRawAddress, "/nowhere", nil, ""))
		return "$ curl -i http://127.0.0.1:8000/nowhere\n" + head + "\n\n" + body
	},
	"rawsocket-long": func(e *docsEnv) string {
		padding := "X-Padding: " + strings.Repeat("x", 3000)
		_, body := e.exchange(e.rawsocket(), docsCurlRequest("POST", docsRawAddress, "/login", []string{padding},
			docsForm("username=admin", "password=secure123")))
		return "$ padding=$(head -c 3000 /dev/zero | tr '\\0' x)\n" +
			`$ curl -s -H "X-Padding: $padding" -d username=admin -d password=secure123 http://127.0.0.1:8000/login | grep 'Welcome back'` + "\n" +
			docsGrep("Welcome back", body)
	},
	"rawsocket-malformed": func(e *docsEnv) string {
		head, body := e.exchange(e.rawsocket(), "GET /\r\n\r\n")
		return `$ printf 'GET /\r\n\r\n' | curl -s telnet://127.0.0.1:8000` + "\n" + head + "\n\n" + body
	},

	// docs/02-gateway-interface.md
	"demo-start": func(e *docsEnv) string {
		return "$ go run .\n" + e.demo(nil).startup
	},
	"demo-login-header": func(e *docsEnv) string {
		head, _ := e.demo(nil).curl(e, "", "GET", "/login", nil, "")
		return "$ curl -s -D - -o /dev/null http://127.0.0.1:8080/login\n" + head + "\n"
	},
	"demo-environ": func(e *docsEnv) string {
		_, body := e.demo(nil, "-dev").curl(e, "", "GET", "/environ?name=Ada", nil, "")
		return "$ curl -s 'http://127.0.0.1:8080/environ?name=Ada'\n" + body
	},

	// docs/03-routing.md
	"demo-methods": func(e *docsEnv) string {
		demo := e.demo(nil)
		head404, _ := demo.curl(e, "", "GET", "/nowhere", nil, "")
		head405, _ := demo.curl(e, "", "DELETE", "/login", nil, "")
		headHEAD, _ := demo.curl(e, "", "HEAD", "/login", nil, "")
		return "$ curl -s -D - -o /dev/null http://127.0.0.1:8080/nowhere\n" + head404 + "\n\n" +
			"$ curl -s -D - -o /dev/null -X DELETE http://127.0.0.1:8080/login\n" + head405 + "\n\n" +
			"$ curl -I http://127.0.0.1:8080/login\n" + headHEAD + "\n"
	},
	"demo-mounted": func(e *docsEnv) string {
		demo := e.demo(nil, "-dev", "-mount", "/app")
		_, body := demo.curl(e, "", "GET", "/app/environ", nil, "")
		head, _ := demo.curl(e, "", "GET", "/environ", nil, "")
		status, _, _ := strings.Cut(strings.TrimPrefix(head, "HTTP/1.1 "), " ")
		return "$ curl -s http://127.0.0.1:8080/app/environ | grep -E '^(SCRIPT_NAME|PATH_INFO)='\n" +
			docsGrep(`^(SCRIPT_NAME|PATH_INFO)=`, body) +
			"$ curl -s -o /dev/null -w '%{http_code}\\n' http://127.0.0.1:8080/environ\n" +
			status + "\n"
	},

	// docs/04-templates.md
	"demo-languages": func(e *docsEnv) string {
		demo := e.demo(nil)
		chinese := []string{"Accept-Language: zh-CN,zh;q=0.9"}
		head, _ := demo.curl(e, "", "GET", "/login", chinese, "")
		_, body := demo.curl(e, "", "POST", "/login", chinese, docsForm("username=admin", "password=wrong"))
		return "$ curl -s -D - -o /dev/null -H 'Accept-Language: zh-CN,zh;q=0.9' http://127.0.0.1:8080/login | grep -E '^(Content-Language|Vary):'\n" +
			docsGrep(`^(Content-Language|Vary):`, head) +
			"$ curl -s -H 'Accept-Language: zh-CN,zh;q=0.9' -d username=admin -d password=wrong http://127.0.0.1:8080/login | grep -E '<html|<title>|role=\"alert\"'\n" +
			docsGrep(`<html|<title>|role="alert"`, body)
	},
	"demo-escape": func(e *docsEnv) string {
		_, body := e.demo(nil).curl(e, "", "POST", "/login", nil,
			docsForm("username="+url.QueryEscape("<b>Ada</b>"), "password=x"))
		return `$ curl -s --data-urlencode 'username=<b>Ada</b>' -d password=x http://127.0.0.1:8080/login | grep 'id="username"'` + "\n" +
			docsGrep(`id="username"`, body)
	},

	// docs/05-forms.md
	"demo-form-errors": func(e *docsEnv) string {
		demo := e.demo(nil)
		head422, body422 := demo.curl(e, "", "POST", "/login", nil, docsForm("username=admin", "password=wrong"))
		head415, body415 := demo.curl(e, "", "POST", "/login", []string{"Content-Type: application/json"}, `{"username":"admin"}`)
		return "$ curl -si -d username=admin -d password=wrong http://127.0.0.1:8080/login | grep -E '^HTTP|class=\"error\"|name=\"username\"'\n" +
			docsGrep(`^HTTP|class="error"|name="username"`, head422+"\n\n"+body422) +
			"$ curl -si -H 'Content-Type: application/json' -d '{\"username\":\"admin\"}' http://127.0.0.1:8080/login\n" +
			head415 + "\n\n" + body415
	},
	"demo-form-limit": func(e *docsEnv) string {
		head, body := e.demo(nil).curl(e, "", "POST", "/login", nil, strings.Repeat("a", 70000))
		return `$ head -c 70000 /dev/zero | tr '\0' a | curl -si --data-binary @- http://127.0.0.1:8080/login` + "\n" +
			head + "\n\n" + body
	},
	"demo-login": func(e *docsEnv) string {
		head, _ := e.demo(nil).curl(e, "", "POST", "/login", nil, docsForm("username=admin", "password=secure123"))
		return "$ curl -s -D - -o /dev/null -d username=admin -d password=secure123 http://127.0.0.1:8080/login\n" + head + "\n"
	},

	// docs/06-sessions.md
	"demo-session": func(e *docsEnv) string {
		demo := e.demo(nil)
		var b strings.Builder
		head, _ := demo.curl(e, "/tmp/cookies.txt", "POST", "/login", nil, docsForm("username=admin", "password=secure123"))
		b.WriteString("$ curl -s -c /tmp/cookies.txt " + docsStatus + " -d username=admin -d password=secure123 http://127.0.0.1:8080/login\n")
		b.WriteString(docsRedirect(head, "/login"))
		demo.jars["/tmp/copy.txt"] = maps.Clone(demo.jars["/tmp/cookies.txt"])
		b.WriteString("$ cp /tmp/cookies.txt /tmp/copy.txt\n")
		_, body := demo.curl(e, "/tmp/cookies.txt", "GET", "/home", nil, "")
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt http://127.0.0.1:8080/home | grep Welcome\n")
		b.WriteString(docsGrep("Welcome", body))
		head, _ = demo.curl(e, "/tmp/cookies.txt", "POST", "/logout", nil, "")
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt " + docsStatus + " -X POST http://127.0.0.1:8080/logout\n")
		b.WriteString(docsRedirect(head, "/logout"))
		_, body = demo.curl(e, "/tmp/cookies.txt", "GET", "/login", nil, "")
		b.WriteString("$ curl -s -b /tmp/cookies.txt -c /tmp/cookies.txt http://127.0.0.1:8080/login | grep flash\n")
		b.WriteString(docsGrep("flash", body))
		head, _ = demo.curl(e, "/tmp/copy.txt", "GET", "/home", nil, "")
		b.WriteString("$ curl -s -b /tmp/copy.txt " + docsStatus + " http://127.0.0.1:8080/home\n")
		b.WriteString(docsRedirect(head, "/home"))
		return b.String()
	},

	// docs/07-database.md
	"demo-register": func(e *docsEnv) string {
		demo := e.demo(nil)
		head, _ := demo.curl(e, "", "POST", "/register", nil,
			docsForm("username=Ada", "password="+docsAdaPassword, "confirm="+docsAdaPassword))
		head422, body422 := demo.curl(e, "", "POST", "/register", nil,
			docsForm("username="+url.QueryEscape("ａｄａ"), "password="+docsAdaPassword, "confirm="+docsAdaPassword))
		return "$ curl -s " + docsStatus + " -d username=Ada -d password=" + docsAdaPassword + " -d confirm=" + docsAdaPassword + " http://127.0.0.1:8080/register\n" +
			docsRedirect(head, "/register") +
			"$ curl -si --data-urlencode username=ａｄａ -d password=" + docsAdaPassword + " -d confirm=" + docsAdaPassword + " http://127.0.0.1:8080/register | grep -E '^HTTP|name=\"username\"|field-error'\n" +
			docsGrep(`^HTTP|name="username"|field-error`, head422+"\n\n"+body422)
	},
	"demo-restart-logout": func(e *docsEnv) string { return e.restart().logout },
	"demo-restart-start":  func(e *docsEnv) string { return e.restart().startup },
	"demo-restart-copy":   func(e *docsEnv) string { return e.restart().copy },

	// docs/08-notes.md
	"notes-anonymous": func(e *docsEnv) string { return e.notesScenario().anonymous },
	"notes-create":    func(e *docsEnv) string { return e.notesScenario().create },
	"notes-invalid":   func(e *docsEnv) string { return e.notesScenario().invalid },
	"notes-others":    func(e *docsEnv) string { return e.notesScenario().others },
	"notes-conflict":  func(e *docsEnv) string { return e.notesScenario().conflict },
	"notes-pages":     func(e *docsEnv) string { return e.notesScenario().pages },
	"notes-mounted":   func(e *docsEnv) string { return e.notesScenario().mounted },

	// docs/09-security.md
	"demo-cross-origin": func(e *docsEnv) string {
		head, body := e.demo(nil).curl(e, "", "POST", "/login", []string{"Sec-Fetch-Site: cross-site"},
			docsForm("username=admin", "password=secure123"))
		return "$ curl -si -H 'Sec-Fetch-Site: cross-site' -d username=admin -d password=secure123 http://127.0.0.1:8080/login\n" +
			head + "\n\n" + body
	},
	"demo-throttle": func(e *docsEnv) string {
		demo := e.demo(nil)
		for range throttle.FailuresPerUserFromClient {
			demo.curl(e, "", "POST", "/login", nil, docsForm("username=admin", "password=wrong"))
		}
		head, body := demo.curl(e, "", "POST", "/login", nil, docsForm("username=admin", "password=secure123"))
		return "$ for i in 1 2 3 4 5; do curl -s -o /dev/null -d username=admin -d password=wrong http://127.0.0.1:8080/login; done\n" +
			"$ curl -si -d username=admin -d password=secure123 http://127.0.0.1:8080/login | grep -E '^(HTTP|Retry-After)|class=\"error\"'\n" +
			docsGrep(`^(HTTP|Retry-After)|class="error"`, head+"\n\n"+body)
	},

	// docs/11-deploying.md
	"demo-fastcgi": func(e *docsEnv) string {
		socket := filepath.Join(e.t.TempDir(), "miniweb.sock")
		env := map[string]string{hashKeyVariable: docsHashKey, blockKeyVariable: docsBlockKey}
		ctx, cancel := context.WithCancel(context.Background())
		output := &docsTerminal{serving: make(chan struct{})}
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"-fcgi", socket, "-mount", "/app", "-db", filepath.Join(e.t.TempDir(), "fcgi.db")}, testGetenv(e.t, env),
				docsStdout{output}, output)
		}()
		select {
		case <-output.serving:
		case err := <-done:
			e.t.Fatalf("run -fcgi returned before serving: %v", err)
		}
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("run -fcgi after cancel: %v", err)
		}
		return "$ export MINIWEB_HASH_KEY=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \\n')\n" +
			"$ export MINIWEB_BLOCK_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n')\n" +
			"$ go run . -fcgi /tmp/miniweb.sock -mount /app -db /tmp/fcgi.db\n" +
			strings.ReplaceAll(output.String(), socket, "/tmp/miniweb.sock")
	},
	"deploy-check-demo": func(e *docsEnv) string {
		var stdout strings.Builder
		err := run(context.Background(), []string{"-check"}, testGetenv(e.t, nil), &stdout, io.Discard)
		if err == nil {
			e.t.Fatal("go run . -check with the demo's defaults: passed, want it to fail")
		}
		return "$ go run . -check\n" + stdout.String() + "miniweb: " + err.Error() + "\nexit status 1"
	},
	"deploy-check-production": func(e *docsEnv) string {
		env := map[string]string{
			hashKeyVariable:  docsHashKey,
			blockKeyVariable: docsBlockKey,
			passwordVariable: "correct horse battery staple",
		}
		var stdout strings.Builder
		if err := run(context.Background(), []string{"-check", "-user", "ops"}, testGetenv(e.t, env), &stdout, io.Discard); err != nil {
			e.t.Errorf("go run . -check -user ops: %v", err)
		}
		return "$ export MINIWEB_HASH_KEY=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \\n')\n" +
			"$ export MINIWEB_BLOCK_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \\n')\n" +
			"$ export DATABASE_URL=/tmp/miniweb-ops.db\n" +
			"$ MINIWEB_PASSWORD='correct horse battery staple' go run . -check -user ops\n" + stdout.String()
	},
}

// starterCopyVariable, set in the environment, marks a go command run on
// the starter copy, so that the copy's tests do not copy the tree again.
const starterCopyVariable = "MINIWEB_STARTER_COPY"

// TestStarterCopy follows docs/12-make-it-yours.md on a copy of the tree
// in a temporary directory, and checks that the copy, a new application
// called example.com/mysite, builds and passes go vet and all its tests
// with nothing but Go:
//
//  1. Copy the tree, without .git and without the demo's database,
//     miniweb.db and the -wal and -shm files beside it, which go run .
//     leaves in the tree.
//  2. Rename the module: go mod edit -module example.com/mysite, then
//     example.com/miniweb becomes example.com/mysite in every .go file.
//  3. Drop the walkthrough, the hand-parsed server and the end-to-end
//     tests: docs/, docs_test.go, cmd/rawsocket/ and e2e/. Then go mod
//     tidy drops the modules that only they needed: go.mod must no
//     longer require chromedp.
//  4. Add a resource, bookmarks, built as notes is: the commands of
//     starterResource, which the page must show as they are, then the
//     lines of starterMainEdits in main.go.
//  5. Run go build ./..., go vet ./... and go test ./....
//
// The go commands run with PATH set to the Go toolchain's bin directory
// alone, so that no other program, such as nginx, Chromium or curl, can
// be found, and with CI unset, as on a copier's machine: there the
// stores' tests against PostgreSQL skip, as they do wherever it is not
// installed, while the copy's own CI installs it and requires them.
func TestStarterCopy(t *testing.T) {
	if os.Getenv(starterCopyVariable) != "" {
		t.Skip("in the starter copy already")
	}
	if testing.Short() {
		t.Skip("builds and tests a copy of the whole tree")
	}
	const module = "example.com/mysite"
	dir := filepath.Join(t.TempDir(), "mysite")

	// 1. Copy the tree, without .git and the demo's database.
	err := filepath.WalkDir(".", func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if entry.IsDir() && entry.Name() == ".git" {
			return fs.SkipDir
		}
		if strings.HasPrefix(path, db.DefaultSQLiteFile) {
			return nil // miniweb.db, miniweb.db-wal, miniweb.db-shm
		}
		target := filepath.Join(dir, path)
		if entry.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !entry.Type().IsRegular() {
			return nil
		}
		info, err := entry.Info()
		if err != nil {
			return err
		}
		contents, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, contents, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}

	// 2. Rename the module.
	starterGo(t, dir, "mod", "edit", "-module", module)
	err = filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(path, ".go") {
			return err
		}
		contents, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		renamed := bytes.ReplaceAll(contents, []byte("example.com/miniweb"), []byte(module))
		return os.WriteFile(path, renamed, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}

	// 3. Drop the walkthrough, the hand-parsed server and the end-to-end
	// tests, then the modules only they needed.
	for _, path := range []string{"docs", "docs_test.go", filepath.Join("cmd", "rawsocket"), "e2e"} {
		if err := os.RemoveAll(filepath.Join(dir, path)); err != nil {
			t.Fatal(err)
		}
	}
	// Offline, go mod tidy fails on a module missing from the module
	// cache, as those that only the tests of dependencies import may be
	// (pongo2's gopkg.in/check.v1, and its github.com/kr/pretty): no
	// build downloads them. -e lets it go on without their checksums; the
	// build, vet and test below fail if the copy lacks a module it builds.
	starterGo(t, dir, "mod", "tidy", "-e")
	var goMod struct{ Require []struct{ Path string } }
	if err := json.Unmarshal(starterGo(t, dir, "mod", "edit", "-json"), &goMod); err != nil {
		t.Fatalf("go mod edit -json in the copy: %v", err)
	}
	for _, require := range goMod.Require {
		if require.Path == "github.com/chromedp/chromedp" {
			t.Errorf("the copy's go.mod after go mod tidy: requires %s, want it dropped with e2e/", require.Path)
		}
	}

	// 4. Add bookmarks, built as notes is.
	starterAddResource(t, dir)

	// 5. Build, vet and test the copy.
	starterGo(t, dir, "build", "./...")
	starterGo(t, dir, "vet", "./...")
	t.Logf("go test ./... in the copy:\n%s", starterGo(t, dir, "test", "./..."))
}

// starterResource is step 4 of docs/12-make-it-yours.md: the commands
// that copy notes into a new resource, bookmarks, and rename it, as the
// page shows them. starterAddResource checks that the page shows each
// and does what it does.
var starterResource = struct {
	copies       [][2]string // cp FROM TO, in order
	rename       string      // sed over every copy
	renameHelper string      // sed that renames the test helper the copy declares again
	removeBackup string
}{
	copies: [][2]string{
		{"notes/notes.go", "bookmarks/bookmarks.go"},
		{"notes/notes_test.go", "bookmarks/bookmarks_test.go"},
		{"views/notes.go", "views/bookmarks.go"},
		{"views/notes_test.go", "views/bookmarks_test.go"},
		{"templates/notes.html", "templates/bookmarks.html"},
		{"templates/note.html", "templates/bookmark.html"},
		{"templates/note_form.html", "templates/bookmark_form.html"},
		{"migrations/sqlite/00003_notes.sql", "migrations/sqlite/00004_bookmarks.sql"},
		{"migrations/postgres/00003_notes.sql", "migrations/postgres/00004_bookmarks.sql"},
	},
	rename: "sed -i.bak -e 's/note/bookmark/g' -e 's/Note/Bookmark/g' -e 's/00003_/00004_/g' " +
		"bookmarks/*.go views/bookmarks*.go templates/bookmark*.html migrations/*/00004_bookmarks.sql",
	renameHelper: "sed -i.bak 's/logInAs/bookmarkLogInAs/g' views/bookmarks_test.go",
	removeBackup: "find . -name '*.bak' -delete",
}

// starterMainEdits are the lines that step 4 of
// docs/12-make-it-yours.md adds to main.go by hand, add after the first
// line that contains after: the store's import, the view, and the route
// table's two entries for it. gofmt then sorts the imports and aligns the
// table.
var starterMainEdits = []struct{ after, add string }{
	{after: `"example.com/mysite/notes"`, add: `"example.com/mysite/bookmarks"`},
	{after: `myNotes := views.Notes(`, add: `myBookmarks := views.Bookmarks(bookmarks.NewStore(database), pages, sessions, catalogue)`},
	{after: `"/notes/":`, add: `"/bookmarks":  myBookmarks,
"/bookmarks/": myBookmarks, // a subtree: /bookmarks/12/edit too`},
}

// starterAddResource does step 4 of docs/12-make-it-yours.md in the copy
// at dir, as the shell commands of starterResource and the edits of
// starterMainEdits would, after checking that the page shows each
// command as it is.
func starterAddResource(t *testing.T, dir string) {
	t.Helper()
	const page = "docs/12-make-it-yours.md"
	text, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	commands := []string{"mkdir bookmarks", starterResource.rename, starterResource.renameHelper, starterResource.removeBackup}
	for _, c := range starterResource.copies {
		commands = append(commands, "cp "+c[0]+" "+c[1])
	}
	shown := make(map[string]bool)
	for line := range strings.Lines(string(text)) {
		shown[strings.TrimSpace(line)] = true
	}
	for _, command := range commands {
		if !shown[command] {
			t.Errorf("%s: no line %q, which TestStarterCopy runs", page, command)
		}
	}
	// The migration is the next number in both dialects.
	for _, dialect := range []string{"sqlite", "postgres"} {
		if taken, _ := filepath.Glob(filepath.Join(dir, "migrations", dialect, "00004_*")); len(taken) > 0 {
			t.Fatalf("%s: the recipe's migration 00004 is taken by %s: give the copy the next number", page, taken)
		}
	}

	if err := os.Mkdir(filepath.Join(dir, "bookmarks"), 0o755); err != nil {
		t.Fatal(err)
	}
	rename := strings.NewReplacer("note", "bookmark", "Note", "Bookmark", "00003_", "00004_")
	for _, c := range starterResource.copies {
		contents, err := os.ReadFile(filepath.Join(dir, c[0]))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, c[1]), []byte(rename.Replace(string(contents))), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// views/notes_test.go declares logInAs for all the views' tests; the
	// copy declares it again, under a name of its own.
	test := filepath.Join(dir, "views", "bookmarks_test.go")
	contents, err := os.ReadFile(test)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(contents, []byte("func (site *testSite) logInAs(")) {
		t.Fatalf("the copy of views/notes_test.go declares no logInAs: %s need not rename it", page)
	}
	if err := os.WriteFile(test, bytes.ReplaceAll(contents, []byte("logInAs"), []byte("bookmarkLogInAs")), 0o644); err != nil {
		t.Fatal(err)
	}

	main := filepath.Join(dir, "main.go")
	contents, err = os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(contents), "\n")
	for _, edit := range starterMainEdits {
		i := slices.IndexFunc(lines, func(line string) bool { return strings.Contains(line, edit.after) })
		if i < 0 {
			t.Fatalf("main.go has no line with %q, after which %s adds %q", edit.after, page, edit.add)
		}
		lines = slices.Insert(lines, i+1, strings.Split(edit.add, "\n")...)
	}
	formatted, err := format.Source([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("main.go with the lines for bookmarks: %v", err)
	}
	if err := os.WriteFile(main, formatted, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, file := range slices.Sorted(maps.Keys(starterMessages)) {
		path := filepath.Join(dir, "locales", file)
		contents, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		opening, rest, ok := strings.Cut(string(contents), "\n")
		if !ok || opening != "{" {
			t.Fatalf("locales/%s does not open with a line %q, after which %s adds the bookmarks' messages", file, "{", page)
		}
		edited := opening + "\n" + starterMessages[file] + "\n" + rest
		if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// starterMessages are the lines that step 4 of docs/12-make-it-yours.md
// adds by hand to each message file in locales/, after its opening
// brace: the words of the bookmarks' pages and flash messages, under the
// IDs that sed made of the notes' (NewNote became NewBookmark).
var starterMessages = map[string]string{
	"en.json": `  "Bookmarks": "Bookmarks",
  "YourBookmarks": "Your bookmarks",
  "NoBookmarks": "No bookmarks yet.",
  "NewBookmark": "New bookmark",
  "EditBookmark": "Edit bookmark",
  "AllBookmarks": "All bookmarks",
  "BookmarkSaved": "Bookmark saved.",
  "BookmarkDeleted": "Bookmark deleted.",
  "BookmarkConflict": "This bookmark was changed after you opened it. Here is the saved version; your text is in the form below. Saving again replaces the saved version.",
  "BookmarkTitleRequired": "Give the bookmark a title.",
  "BookmarkTitleTooLong": "A title has at most {{.Max}} characters.",
  "BookmarkBodyTooLong": "A bookmark has at most {{.Max}} characters.",`,
	"zh-Hans.json": `  "Bookmarks": "书签",
  "YourBookmarks": "你的书签",
  "NoBookmarks": "还没有书签。",
  "NewBookmark": "新建书签",
  "EditBookmark": "编辑书签",
  "AllBookmarks": "全部书签",
  "BookmarkSaved": "书签已保存。",
  "BookmarkDeleted": "书签已删除。",
  "BookmarkConflict": "你打开这个书签之后，它又被修改过。下面是已保存的版本，你写的内容在下方的表单里。再次保存会替换已保存的版本。",
  "BookmarkTitleRequired": "请给书签起个标题。",
  "BookmarkTitleTooLong": "标题最多 {{.Max}} 个字符。",
  "BookmarkBodyTooLong": "书签最多 {{.Max}} 个字符。",`,
}

// starterGo runs the go command with args in dir, with only the Go
// toolchain's bin directory in PATH and CI unset, and returns its output.
// It fails the test if the command fails.
func starterGo(t *testing.T, dir string, args ...string) []byte {
	t.Helper()
	// go test puts its own go command first in PATH.
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	bin := filepath.Join(strings.TrimSpace(string(goroot)), "bin")
	cmd := exec.Command(filepath.Join(bin, "go"), args...)
	cmd.Dir = dir
	// GOPROXY=off: the copy needs no module that this tree did not.
	cmd.Env = append(os.Environ(), "PATH="+bin, "CI=", starterCopyVariable+"=1", "GOPROXY=off", "GOWORK=off")
	start := time.Now()
	output, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in the copy: %v\n%s", strings.Join(args, " "), err, output)
	}
	t.Logf("go %s: %v", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	return output
}
