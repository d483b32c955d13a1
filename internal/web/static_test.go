package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestStaticHandler(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()

	tests := []struct {
		path, contentType, cache, contains string
		status                             int
	}{
		{"/", "text/html; charset=utf-8", "no-store", `<script type="module" src="/js/app.js">`, 200},
		{"/index.html", "text/html; charset=utf-8", "no-store", "重大危险源在线监测", 200},
		{"/style.css", "text/css; charset=utf-8", "no-cache", "--alarm", 200},
		{"/js/app.js", "text/javascript; charset=utf-8", "no-cache", "LiveFeed", 200},
		{"/js/api.js", "text/javascript; charset=utf-8", "no-cache", `"bearer." + token()`, 200},
		{"/js/i18n.js", "text/javascript; charset=utf-8", "no-cache", "二级报警", 200},
		{"/js/trend.js", "text/javascript; charset=utf-8", "no-cache", "viewBox", 200},
		{"/js/missing.js", "", "", "", 404},
		{"/../static/index.html", "", "", "", 404},
		{"/static.go", "", "", "", 404},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, srv.URL+tc.path, "")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status != 200 {
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tc.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.contentType)
			}
			if got := resp.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no nosniff")
			}
			if !strings.Contains(body, tc.contains) {
				t.Errorf("body lacks %q", tc.contains)
			}

			// The ETag answers a revalidation with 304 and no body.
			etag := resp.Header.Get("ETag")
			if !strings.HasPrefix(etag, `"`) {
				t.Fatalf("ETag %q", etag)
			}
			again, rest := get(t, srv.URL+tc.path, etag)
			if again.StatusCode != http.StatusNotModified || rest != "" {
				t.Errorf("revalidation: %d with %d bytes, want 304", again.StatusCode, len(rest))
			}
		})
	}
}

func TestStaticHandlerPolicy(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	resp, _ := get(t, srv.URL+"/", "")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("policy %q lacks %q", csp, want)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", nil)
	post, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	post.Body.Close()
	if post.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", post.StatusCode)
	}
}

func get(t *testing.T, url, etag string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
