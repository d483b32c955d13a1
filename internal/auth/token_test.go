package auth_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/testclock"
)

var (
	ctx = context.Background()
	t0  = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	pd  = auth.Principal{Name: "浦东值班员", Role: hazard.DistrictOperator,
		District: "浦东新区"}
)

// fixture is a token store on a fresh database with a test clock and a
// captured log.
type fixture struct {
	db    *store.DB
	s     *auth.Store
	clock *testclock.Clock
	log   *bytes.Buffer
}

func newFixture(t *testing.T, d store.Dialect) *fixture {
	t.Helper()
	f := &fixture{db: storetest.Open(t, d), clock: testclock.New(t0),
		log: &bytes.Buffer{}}
	log := slog.New(slog.NewTextHandler(f.log, &slog.HandlerOptions{
		Level: slog.LevelDebug}))
	f.s = auth.NewStore(f.db, auth.Options{Logger: log, Now: f.clock.Now})
	return f
}

func (f *fixture) create(t *testing.T, p auth.Principal, exp time.Duration) string {
	t.Helper()
	tok, err := f.s.Create(ctx, p, exp)
	if err != nil {
		t.Fatalf("create token for %s: %v", p.Name, err)
	}
	return tok
}

func TestTokenLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		tok := f.create(t, pd, 0)
		if len(tok) != 43 {
			t.Fatalf("token %d characters, want 43 (32 bytes base64url)", len(tok))
		}
		p, err := f.s.Authenticate(ctx, tok)
		if err != nil {
			t.Fatalf("authenticate: %v", err)
		}
		want := pd
		want.ID = p.ID
		if p != want || p.ID == "" {
			t.Fatalf("principal %+v, want %+v with an id", p, want)
		}

		id := onlyToken(t, f).ID
		if err := f.s.Revoke(ctx, id); err != nil {
			t.Fatalf("revoke: %v", err)
		}
		wantUnauthorized(t, f, tok, "revoked")
		if err := f.s.Revoke(ctx, id); err != nil {
			t.Fatalf("revoke again: %v, want success", err)
		}
		if err := f.s.Revoke(ctx, id+100); !errors.Is(err, auth.ErrNotFound) {
			t.Fatalf("revoke unknown: %v, want ErrNotFound", err)
		}
		if strings.Contains(f.log.String(), tok) {
			t.Fatalf("token in the log:\n%s", f.log)
		}
	})
}

func TestTokenStoredHashed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		tok := f.create(t, pd, time.Hour)
		var hash, name, role, district string
		err := f.db.Reader().QueryRowContext(ctx, `SELECT token_hash, name,
			role, district FROM api_tokens`).Scan(&hash, &name, &role, &district)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(tok))
		if hash != hex.EncodeToString(sum[:]) {
			t.Fatalf("token_hash %s, want the SHA-256 of the token", hash)
		}
		row := strings.Join([]string{hash, name, role, district}, "|")
		if strings.Contains(row, tok) {
			t.Fatalf("plaintext token stored: %s", row)
		}
	})
}

func TestTokenExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		tok := f.create(t, pd, time.Hour)
		never := f.create(t, auth.Principal{Name: "admin", Role: hazard.CityAdmin}, 0)
		f.clock.Add(time.Hour - time.Millisecond)
		if _, err := f.s.Authenticate(ctx, tok); err != nil {
			t.Fatalf("just before expiry: %v", err)
		}
		f.clock.Add(time.Millisecond)
		wantUnauthorized(t, f, tok, "expired")
		f.clock.Add(10 * 365 * 24 * time.Hour)
		if _, err := f.s.Authenticate(ctx, never); err != nil {
			t.Fatalf("token without expiry after ten years: %v", err)
		}
	})
}

func TestAuthenticateRefuses(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		tok := f.create(t, pd, 0)
		for name, bad := range map[string]string{
			"empty":     "",
			"short":     tok[:42],
			"not b64":   strings.Repeat("!", 43),
			"unknown":   strings.Repeat("A", 43),
			"long":      tok + "A",
			"with pad":  tok + "=",
			"hash sent": onlyTokenHash(t, f),
		} {
			if _, err := f.s.Authenticate(ctx, bad); !errors.Is(err, auth.ErrUnauthorized) {
				t.Errorf("%s: %v, want ErrUnauthorized", name, err)
			}
		}
	})
}

// TestLastUsedThrottled checks that last_used_at is written at most once
// a minute per token.
func TestLastUsedThrottled(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		tok := f.create(t, pd, 0)
		if got := onlyToken(t, f).LastUsedAt; !got.IsZero() {
			t.Fatalf("last used %v before any use", got)
		}
		steps := []struct {
			after time.Duration
			want  time.Time
		}{
			{0, t0},
			{30 * time.Second, t0},
			{29 * time.Second, t0},
			{time.Second, t0.Add(time.Minute)},
			{10 * time.Second, t0.Add(time.Minute)},
		}
		for i, s := range steps {
			f.clock.Add(s.after)
			if _, err := f.s.Authenticate(ctx, tok); err != nil {
				t.Fatal(err)
			}
			if got := onlyToken(t, f).LastUsedAt; !got.Equal(s.want) {
				t.Fatalf("step %d: last used %v, want %v", i, got, s.want)
			}
		}
	})
}

func TestCreateValidates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for _, p := range []auth.Principal{
			{Name: "", Role: hazard.CityAdmin},
			{Name: "x", Role: "system"},
			{Name: "x", Role: "root"},
			{Name: "x", Role: hazard.DistrictOperator},
			{Name: "x", Role: hazard.Department, District: "浦东新区"},
			{Name: "x", Role: hazard.EnterpriseUser, Unit: "市应急管理局"},
		} {
			if _, err := f.s.Create(ctx, p, 0); !errors.Is(err, auth.ErrInvalid) {
				t.Errorf("create %+v: %v, want ErrInvalid", p, err)
			}
		}
		if _, err := f.s.Create(ctx, pd, -time.Hour); !errors.Is(err, auth.ErrInvalid) {
			t.Errorf("negative expiry: %v, want ErrInvalid", err)
		}
		if list, err := f.s.List(ctx); err != nil || len(list) != 0 {
			t.Fatalf("list %v %v, want no tokens", list, err)
		}
	})
}

func wantUnauthorized(t *testing.T, f *fixture, tok, why string) {
	t.Helper()
	_, err := f.s.Authenticate(ctx, tok)
	if !errors.Is(err, auth.ErrUnauthorized) || !strings.Contains(err.Error(), why) {
		t.Fatalf("authenticate: %v, want ErrUnauthorized (%s)", err, why)
	}
}

func onlyToken(t *testing.T, f *fixture) auth.Token {
	t.Helper()
	list, err := f.s.List(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v, want one token", list, err)
	}
	return list[0]
}

func onlyTokenHash(t *testing.T, f *fixture) string {
	t.Helper()
	var h string
	err := f.db.Reader().QueryRowContext(ctx,
		"SELECT token_hash FROM api_tokens").Scan(&h)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
