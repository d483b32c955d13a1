// Package web serves the operators' dashboard: a few static files (HTML,
// CSS and JavaScript modules, embedded in the binary, no framework and
// nothing loaded from elsewhere) and the trend API the dashboard's
// charts read. The dashboard talks to the center's JSON API and its live
// websocket feed with the operator's API token; see docs/dashboard.md.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed static
var static embed.FS

// contentTypes maps the extensions the dashboard uses to their types, so
// that a machine's mime.types cannot change how a module is served.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".svg":  "image/svg+xml",
	".json": "application/json; charset=utf-8",
	".ico":  "image/x-icon",
}

// securityPolicy lets the page load only its own files and talk only to
// its own origin (the API and the websocket). Inline styles are allowed
// for the dispatch report, which the page opens from a blob.
const securityPolicy = "default-src 'self'; script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; " +
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// asset is one embedded file, read once.
type asset struct {
	body        []byte
	etag        string
	contentType string
}

type staticHandler struct {
	once   sync.Once
	assets map[string]*asset
	err    error
}

// Handler serves the dashboard: "/" is index.html, other paths the files
// under static/. Every answer has a strong ETag (a hash of the file), so
// browsers revalidate cheaply. index.html is never stored, so a new
// release's page is seen at once; the other files are stored but
// revalidated on each use (no-cache), so a module never lags behind the
// page that imports it.
func Handler() http.Handler { return &staticHandler{} }

func (h *staticHandler) load() {
	h.assets = map[string]*asset{}
	h.err = fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		ct, ok := contentTypes[path.Ext(p)]
		if !ok {
			return nil
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read embedded %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		h.assets[strings.TrimPrefix(p, "static")] = &asset{body: body, contentType: ct,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`}
		return nil
	})
}

func (h *staticHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.once.Do(h.load)
	if h.err != nil {
		http.Error(w, "dashboard files unreadable", http.StatusInternalServerError)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	name := path.Clean("/" + r.URL.Path)
	if name == "/" {
		name = "/index.html"
	}
	a, ok := h.assets[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("ETag", a.etag)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if name == "/index.html" {
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Security-Policy", securityPolicy)
		hd.Set("X-Frame-Options", "DENY")
	} else {
		hd.Set("Cache-Control", "no-cache")
	}
	// ServeContent answers If-None-Match with 304 and serves ranges.
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a.body))
}
