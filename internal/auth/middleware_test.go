package auth_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// whoami answers the principal's name, or upgrades a websocket and
// sends the name and the protocols the handler was shown.
func whoami(t *testing.T) http.Handler {
	up := websocket.Upgrader{Subprotocols: []string{auth.WebSocketProtocol}}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, err := auth.ActorFromRequest(r)
		if err != nil {
			t.Errorf("handler reached without a principal: %v", err)
		}
		if !websocket.IsWebSocketUpgrade(r) {
			fmt.Fprint(w, name)
			return
		}
		seen := r.Header.Get("Sec-WebSocket-Protocol")
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return // the upgrader has answered
		}
		defer c.Close()
		_ = c.WriteMessage(websocket.TextMessage, []byte(name+"|"+seen))
	})
}

func TestMiddleware(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		tok := f.create(t, pd, 0)
		srv := httptest.NewServer(f.s.Middleware(whoami(t)))
		defer srv.Close()

		for _, c := range []struct {
			name, query string
			header      http.Header
			want        int
		}{
			{"bearer", "", hdr("Authorization", "Bearer "+tok), 200},
			{"scheme case", "", hdr("Authorization", "bearer "+tok), 200},
			{"missing", "", nil, 401},
			{"basic", "", hdr("Authorization", "Basic "+tok), 401},
			{"bare token", "", hdr("Authorization", tok), 401},
			{"unknown", "", hdr("Authorization", "Bearer "+strings.Repeat("x", 43)), 401},
			{"access_token query", "?access_token=" + tok, nil, 401},
			{"token query", "?token=" + tok, nil, 401},
			{"protocol without upgrade", "",
				hdr("Sec-WebSocket-Protocol", "bearer."+tok), 401},
		} {
			t.Run(c.name, func(t *testing.T) {
				status, body := get(t, srv.URL+"/x"+c.query, c.header)
				if status != c.want {
					t.Fatalf("status %d, want %d: %s", status, c.want, body)
				}
				if c.want == 200 && body != pd.Name {
					t.Fatalf("body %q, want the principal's name", body)
				}
				if c.want == 401 {
					wantErrorBody(t, body, "unauthorized")
				}
			})
		}
		testWebSocket(t, srv.URL, tok)
		if strings.Contains(f.log.String(), tok) {
			t.Fatalf("token in the log:\n%s", f.log)
		}
	})
}

// testWebSocket opens a real websocket as a browser would: the token as
// a subprotocol beside WebSocketProtocol.
func testWebSocket(t *testing.T, url, tok string) {
	ws := "ws" + strings.TrimPrefix(url, "http") + "/live"
	dial := func(protocols ...string) (*websocket.Conn, *http.Response, error) {
		d := websocket.Dialer{Subprotocols: protocols}
		return d.Dial(ws, nil)
	}

	c, resp, err := dial(auth.WebSocketProtocol, "bearer."+tok)
	if err != nil {
		t.Fatalf("websocket with the bearer protocol: %v", err)
	}
	defer c.Close()
	if got := resp.Header.Get("Sec-WebSocket-Protocol"); got != auth.WebSocketProtocol {
		t.Fatalf("selected protocol %q, want %q", got, auth.WebSocketProtocol)
	}
	_, msg, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	if want := pd.Name + "|" + auth.WebSocketProtocol; string(msg) != want {
		t.Fatalf("handler saw %q, want %q (bearer entry removed)", msg, want)
	}

	_, resp, err = dial(auth.WebSocketProtocol)
	if !errors.Is(err, websocket.ErrBadHandshake) || resp.StatusCode != 401 {
		t.Fatalf("websocket without a token: %v, want 401", err)
	}
	_, resp, err = dial(auth.WebSocketProtocol, "bearer."+strings.Repeat("y", 43))
	if !errors.Is(err, websocket.ErrBadHandshake) || resp.StatusCode != 401 {
		t.Fatalf("websocket with an unknown token: %v, want 401", err)
	}
}

func TestActorFromRequestUnauthenticated(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	if _, err := auth.ActorFromRequest(r); !errors.Is(err, auth.ErrUnauthorized) {
		t.Fatalf("%v, want ErrUnauthorized", err)
	}
	r = r.WithContext(auth.NewContext(ctx, pd))
	if name, err := auth.ActorFromRequest(r); err != nil || name != pd.Name {
		t.Fatalf("%q %v, want %q", name, err, pd.Name)
	}
}

func hdr(k, v string) http.Header { return http.Header{k: {v}} }

func get(t *testing.T, url string, h http.Header) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		req.Header[k] = vs
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
	return resp.StatusCode, string(b)
}

func wantErrorBody(t *testing.T, body, code string) {
	t.Helper()
	var e struct{ Error, Code string }
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("error body %q: %v", body, err)
	}
	if e.Code != code || e.Error == "" {
		t.Fatalf("error body %q, want code %q and a message", body, code)
	}
}
