// Package secret holds passwords and tokens so that they never reach a log
// line, an error message or a JSON dump by accident.
package secret

import "log/slog"

// String is a secret text. It prints, logs and marshals as "[redacted]";
// only Reveal returns the text itself.
type String string

const redacted = "[redacted]"

// Reveal returns the secret text, for handing to a client library.
func (s String) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s String) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString implements fmt.GoStringer, so %#v redacts too.
func (s String) GoString() string { return `secret.String("` + s.String() + `")` }

// LogValue implements slog.LogValuer.
func (s String) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText implements encoding.TextMarshaler (JSON, YAML output).
func (s String) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
