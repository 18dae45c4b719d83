package framework

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strings"
)

// StaticCacheControl is the Cache-Control header value for files that
// [StaticFiles] serves: browsers and proxies may keep them for an hour
// (RFC 9111 §5.2.2.1).
const StaticCacheControl = "public, max-age=3600"

// StaticFiles returns one route per file in fsys, at prefix followed by
// the file's name: with prefix "/static/", the file css/site.css is
// served at "/static/css/site.css". Add them to a [Routes] table with
// [maps.Copy].
//
// Because every route names one file, a directory is never listed, and
// no path, however encoded ("../", "%2e%2e/"), reaches a file outside
// fsys. Files and directories whose names start with "." (.env, .git) are
// left out. Each file is served by [http.ServeContent], which sets
// Content-Type and answers conditional and range requests, with
// Cache-Control: [StaticCacheControl]; it answers GET and HEAD.
//
// prefix must start and end with "/"; StaticFiles returns an error
// otherwise, as for a directory it cannot read. The table is built once: a file added to fsys later is not served until
// StaticFiles runs again.
func StaticFiles(fsys fs.FS, prefix string) (Routes, error) {
	if !strings.HasPrefix(prefix, "/") || !strings.HasSuffix(prefix, "/") {
		return nil, fmt.Errorf("framework: StaticFiles prefix must start and end with a slash: %q", prefix)
	}
	routes := Routes{}
	err := fs.WalkDir(fsys, ".", func(name string, entry fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name != "." && strings.HasPrefix(entry.Name(), ".") {
			if entry.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if entry.Type().IsRegular() {
			routes[prefix+name] = Methods{http.MethodGet: staticFile(fsys, name)}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("framework: listing static files: %w", err)
	}
	return routes, nil
}

// staticFile serves the file called name with [http.ServeContent].
// (http.ServeFileFS would redirect a request for ".../index.html" to
// ".../", a path with no route.)
func staticFile(fsys fs.FS, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		file, err := fsys.Open(name)
		if err != nil {
			http.NotFound(w, r) // removed since StaticFiles listed it
			return
		}
		defer file.Close()
		info, err := file.Stat()
		content, seekable := file.(io.ReadSeeker)
		if err != nil || !seekable {
			http.Error(w, "500 internal server error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Cache-Control", StaticCacheControl)
		http.ServeContent(w, r, name, info.ModTime(), content)
	})
}
