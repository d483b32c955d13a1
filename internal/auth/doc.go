// Package auth authenticates callers of the center's HTTP API with bearer
// tokens and tells the handlers who is calling.
//
// A token is 32 random bytes, base64url without padding, shown once when
// it is created (hw-admin token create) and stored only as its SHA-256.
// Each token carries a Principal: a name for the audit trail and the
// hazard ledger's role with its scope (district, unit or enterprise).
//
// Clients send the token in the Authorization header:
//
//	Authorization: Bearer <token>
//
// Browsers cannot set headers on a websocket, so a websocket upgrade may
// carry it as a subprotocol instead (see Middleware). A token in the URL
// query is never accepted: URLs end up in access logs, proxy logs and
// browser history, where a token would outlive its revocation.
package auth
