package auth

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzBearer feeds arbitrary Authorization and Sec-WebSocket-Protocol
// headers to the token extraction: it must not panic, a token it returns
// is never empty nor a list, and the bearer entry never reaches the
// handler.
func FuzzBearer(f *testing.F) {
	f.Add("Bearer abc", "")
	f.Add("", "hazardwatch.v1, bearer.abc")
	f.Add("", "bearer., bearer.x,,")
	f.Add("Basic x", "bearer.abc")
	f.Add("", "bearer.a, hazardwatch.v1, bearer.b")
	f.Fuzz(func(t *testing.T, authz, protocols string) {
		r := httptest.NewRequest("GET", "/live", nil)
		r.Header.Set("Upgrade", "websocket")
		if authz != "" {
			r.Header.Set("Authorization", authz)
		}
		if protocols != "" {
			r.Header.Set("Sec-WebSocket-Protocol", protocols)
		}
		tok, err := bearer(r)
		if err != nil {
			return
		}
		s := tok.Reveal()
		if strings.TrimSpace(s) == "" || (authz == "" && strings.Contains(s, ",")) {
			t.Fatalf("token %q from %q %q", s, authz, protocols)
		}
		left := r.Header.Get("Sec-WebSocket-Protocol")
		for _, p := range strings.Split(left, ",") {
			if authz == "" && strings.HasPrefix(strings.TrimSpace(p), bearerProtocolPrefix) {
				t.Fatalf("bearer entry left in %q", left)
			}
		}
	})
}
