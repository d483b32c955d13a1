package auth

import "errors"

// Sentinel errors of the package; returned errors wrap them.
var (
	// ErrUnauthorized: the token is missing, malformed, unknown, revoked
	// or expired; the message says which, never the token.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrNotFound: no token has the id.
	ErrNotFound = errors.New("token not found")
	// ErrInvalid: a principal lacks a field its role needs, or has an
	// unknown role.
	ErrInvalid = errors.New("invalid principal")
)
