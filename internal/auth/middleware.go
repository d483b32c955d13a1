package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/hazardwatch/hazardwatch/internal/secret"
)

// WebSocketProtocol is the subprotocol a browser offers beside
// "bearer.<token>" when it opens a websocket:
//
//	new WebSocket(url, ["hazardwatch.v1", "bearer." + token])
//
// The websocket handler must select WebSocketProtocol (gorilla:
// Upgrader.Subprotocols), for two reasons: browsers fail the handshake
// when they offered protocols and the server selects none, and the server
// must never echo the bearer entry, which would put the token in a
// response header.
const WebSocketProtocol = "hazardwatch.v1"

// bearerProtocolPrefix marks the subprotocol entry that carries a token.
const bearerProtocolPrefix = "bearer."

// ctxKey keys the principal in a request context.
type ctxKey struct{}

// NewContext returns ctx carrying p, as Middleware does; tests and
// in-process callers use it to act as p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal Middleware put into ctx.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// ActorFromRequest returns the name of the request's principal, for
// handlers that record who acted (the alarm API's Deps.Actor). It fails
// with ErrUnauthorized when Middleware did not authenticate the request.
func ActorFromRequest(r *http.Request) (string, error) {
	p, ok := FromContext(r.Context())
	if !ok {
		return "", fmt.Errorf("%w: request not authenticated", ErrUnauthorized)
	}
	return p.Name, nil
}

// Middleware authenticates every request to next and puts the principal
// into its context; anything else is answered 401 with a JSON error.
//
// The token comes from "Authorization: Bearer <token>". A browser cannot
// set that header on a websocket, and the one header it lets a page set
// there is Sec-WebSocket-Protocol, so a websocket upgrade may carry the
// token as the protocol "bearer.<token>" beside WebSocketProtocol; the
// entry is removed from the request before next sees it. A token in the
// URL query is refused: URLs land in access logs, proxy logs and browser
// history. Which paths need no token (health, metrics) is the caller's
// choice: it wraps only what needs authentication.
func (s *Store) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, err := bearer(r)
		if err != nil {
			unauthorized(w, err)
			return
		}
		p, err := s.Authenticate(r.Context(), tok.Reveal())
		if errors.Is(err, ErrUnauthorized) {
			unauthorized(w, err)
			return
		}
		if err != nil {
			s.log.Error("authenticate request", "path", r.URL.Path, "err", err)
			writeError(w, http.StatusServiceUnavailable, "unavailable",
				"token store unavailable, try again")
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
	})
}

// bearer finds the request's token; secret.String keeps it out of any
// log line or error it might reach.
func bearer(r *http.Request) (secret.String, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			return "", fmt.Errorf("%w: Authorization header is not "+
				"\"Bearer <token>\"", ErrUnauthorized)
		}
		return secret.String(strings.TrimSpace(tok)), nil
	}
	if isWebSocket(r) {
		if tok, ok := takeProtocolToken(r.Header); ok {
			return tok, nil
		}
	}
	if q := r.URL.Query(); q.Has("access_token") || q.Has("token") {
		return "", fmt.Errorf("%w: a token in the URL is not accepted, "+
			"send \"Authorization: Bearer <token>\"", ErrUnauthorized)
	}
	return "", fmt.Errorf("%w: missing \"Authorization: Bearer <token>\"",
		ErrUnauthorized)
}

func isWebSocket(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "websocket") {
				return true
			}
		}
	}
	return false
}

// takeProtocolToken removes the "bearer.<token>" entries from h's
// Sec-WebSocket-Protocol list and returns the first one's token.
func takeProtocolToken(h http.Header) (secret.String, bool) {
	var tok secret.String
	var rest []string
	for _, v := range h.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			if t, ok := strings.CutPrefix(p, bearerProtocolPrefix); ok {
				if tok == "" {
					tok = secret.String(t)
				}
				continue // every bearer entry is dropped, not only the first
			}
			if p != "" {
				rest = append(rest, p)
			}
		}
	}
	if tok == "" {
		return "", false
	}
	h.Del("Sec-WebSocket-Protocol")
	if len(rest) > 0 {
		h.Set("Sec-WebSocket-Protocol", strings.Join(rest, ", "))
	}
	return tok, true
}

func unauthorized(w http.ResponseWriter, err error) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="hazardwatch"`)
	writeError(w, http.StatusUnauthorized, "unauthorized", err.Error())
}

// writeError answers {"error": msg, "code": code}, the API's error body.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg, "code": code})
}
