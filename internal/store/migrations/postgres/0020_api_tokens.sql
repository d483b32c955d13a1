-- API tokens of the center's HTTP API (package internal/auth). Only the
-- SHA-256 of a token is stored: whoever reads this table (a backup, a
-- replica) cannot use it to call the API. Times are Unix milliseconds
-- (UTC); NULL where the token has no such time. This file and its
-- sqlite twin differ only in the identity column.
CREATE TABLE api_tokens (
    id           BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash   TEXT    NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    name         TEXT    NOT NULL CHECK (name <> ''),
    role         TEXT    NOT NULL CHECK (role IN ('city_admin',
        'city_operator', 'district_operator', 'department', 'enterprise')),
    district     TEXT    NOT NULL DEFAULT '',
    unit         TEXT    NOT NULL DEFAULT '',
    enterprise   TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    last_used_at BIGINT
);
