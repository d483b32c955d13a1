package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
)

// tokenBytes is the entropy of a token: 256 bits, beyond any guessing.
const tokenBytes = 32

// touchEvery bounds how often Authenticate writes last_used_at for one
// token: a dashboard polling every second would otherwise turn every read
// of the API into a write, which SQLite's single writer serialises.
const touchEvery = time.Minute

// Store keeps API tokens in the center's database (table api_tokens).
// It is safe for concurrent use, also by several center instances on one
// PostgreSQL database.
type Store struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time
}

// Options are the Store's optional collaborators.
type Options struct {
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Now defaults to time.Now; tests drive expiry through it.
	Now func() time.Time
}

// NewStore returns a token store on db, which must be migrated (store.Open
// does that).
func NewStore(db *store.DB, opt Options) *Store {
	s := &Store{db: db, log: opt.Logger, now: opt.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Token is what the store knows of a token: never the token itself.
type Token struct {
	ID        int64     `json:"id"`
	Principal Principal `json:"principal"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiresAt, RevokedAt and LastUsedAt are zero when not set.
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

// Create issues a token for p that expires after expires (0: never) and
// returns it. The token is not stored and cannot be shown again; only its
// hash is kept.
func (s *Store) Create(ctx context.Context, p Principal, expires time.Duration) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	if expires < 0 {
		return "", fmt.Errorf("create token: %w: expiry %s, want 0 (never) "+
			"or more", ErrInvalid, expires)
	}
	tok, err := newToken()
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	now := s.now()
	var exp sql.NullInt64
	if expires > 0 {
		exp = sql.NullInt64{Int64: now.Add(expires).UnixMilli(), Valid: true}
	}
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO api_tokens
			(token_hash, name, role, district, unit, enterprise, created_at,
			expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
			hashToken(tok), p.Name, string(p.Role), p.District, p.Unit,
			p.Enterprise, now.UnixMilli(), exp)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create token for %q: %w", p.Name, err)
	}
	s.log.Info("api token created", "name", p.Name, "role", p.Role)
	return tok, nil
}

// newToken returns 32 random bytes as base64url without padding, which
// fits a header, a websocket subprotocol and a shell argument unquoted.
func newToken() (string, error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashToken returns the hex SHA-256 of tok, the only form the store keeps.
//
// A fast hash is right here, unlike for passwords: a token is 256 random
// bits, so no dictionary or brute force can invert its hash, and a slow
// hash (bcrypt, argon2) would only add tens of milliseconds to every
// request. A stolen table still gives no usable token. Because the
// lookup is by hash through a unique index, no secret is ever compared
// in Go, so there is no timing side channel to guard: learning a hash
// prefix says nothing about a token.
func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// wellFormed reports whether tok can be a token at all, so garbage is
// refused without a query.
func wellFormed(tok string) bool {
	if len(tok) != base64.RawURLEncoding.EncodedLen(tokenBytes) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(tok)
	return err == nil
}

// Authenticate returns the principal of tok. It fails with ErrUnauthorized
// when tok is malformed, unknown, revoked or expired. It records the use
// at most once a minute per token.
func (s *Store) Authenticate(ctx context.Context, tok string) (Principal, error) {
	if !wellFormed(tok) {
		return Principal{}, fmt.Errorf("%w: malformed token", ErrUnauthorized)
	}
	t, err := s.lookup(ctx, hashToken(tok))
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, fmt.Errorf("%w: unknown token", ErrUnauthorized)
	}
	if err != nil {
		return Principal{}, fmt.Errorf("authenticate: %w", err)
	}

	now := s.now()
	switch {
	case !t.RevokedAt.IsZero():
		return Principal{}, fmt.Errorf("%w: token %d revoked", ErrUnauthorized, t.ID)
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return Principal{}, fmt.Errorf("%w: token %d expired", ErrUnauthorized, t.ID)
	}
	// A client that hangs up must not cancel the bookkeeping half-way.
	s.touch(context.WithoutCancel(ctx), t, now)
	return t.Principal, nil
}

// touch records that t was used at now, unless that was done within the
// last minute. The conditional UPDATE keeps concurrent requests (and
// instances) from writing the same minute twice. A failure is logged, not
// returned: bookkeeping must not refuse a valid caller.
func (s *Store) touch(ctx context.Context, t Token, now time.Time) {
	if !t.LastUsedAt.IsZero() && now.Sub(t.LastUsedAt) < touchEvery {
		return
	}
	before := now.Add(-touchEvery).UnixMilli()
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`UPDATE api_tokens SET
			last_used_at = ? WHERE id = ? AND (last_used_at IS NULL
			OR last_used_at <= ?)`), now.UnixMilli(), t.ID, before)
		return err
	})
	if err != nil {
		s.log.Warn("record token use", "token_id", t.ID, "err", err)
	}
}

// Revoke revokes token id at once; revoking it again keeps the first
// revocation time. An unknown id fails with ErrNotFound.
func (s *Store) Revoke(ctx context.Context, id int64) error {
	var n int64
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE api_tokens SET
			revoked_at = ? WHERE id = ? AND revoked_at IS NULL`),
			s.now().UnixMilli(), id)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		return tx.QueryRowContext(ctx,
			s.q("SELECT id FROM api_tokens WHERE id = ?"), id).Scan(&n)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("revoke token %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("revoke token %d: %w", id, err)
	}
	s.log.Info("api token revoked", "token_id", id)
	return nil
}

// List returns every token, revoked and expired ones too, oldest first.
func (s *Store) List(ctx context.Context) ([]Token, error) {
	rows, err := s.db.Reader().QueryContext(ctx,
		"SELECT "+tokenColumns+" FROM api_tokens ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

func (s *Store) lookup(ctx context.Context, hash string) (Token, error) {
	row := s.db.Reader().QueryRowContext(ctx, s.q("SELECT "+tokenColumns+
		" FROM api_tokens WHERE token_hash = ?"), hash)
	return scanToken(row)
}

// q rebinds a query for the store's dialect.
func (s *Store) q(query string) string { return s.db.Dialect().Rebind(query) }

const tokenColumns = `id, name, role, district, unit, enterprise,
	created_at, expires_at, revoked_at, last_used_at`

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

func scanToken(sc scanner) (Token, error) {
	var t Token
	var role string
	var created int64
	var expires, revoked, used sql.NullInt64
	err := sc.Scan(&t.ID, &t.Principal.Name, &role, &t.Principal.District,
		&t.Principal.Unit, &t.Principal.Enterprise, &created, &expires,
		&revoked, &used)
	if err != nil {
		return t, err
	}
	t.Principal.ID = strconv.FormatInt(t.ID, 10)
	t.Principal.Role = hazard.Role(role)
	t.CreatedAt = time.UnixMilli(created).UTC()
	t.ExpiresAt, t.RevokedAt, t.LastUsedAt = ms(expires), ms(revoked), ms(used)
	return t, nil
}

// ms turns a nullable Unix millisecond column into a time, zero for NULL.
func ms(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}
