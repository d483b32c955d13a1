package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/secret"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// centerYAML is a center config with other sections that hw-admin must
// leave alone.
const centerYAML = `log:
  level: info
http:
  listen: 127.0.0.1:8080
mqtt:
  broker: tcp://127.0.0.1:11883
store:
  driver: %DRIVER%
  dsn: "%DSN%"
  max_conns: 2
`

func writeConfig(t *testing.T, cfg store.Config) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "center.yaml")
	text := strings.NewReplacer("%DRIVER%", cfg.Driver,
		"%DSN%", cfg.DSN.Reveal()).Replace(centerYAML)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// admin runs hw-admin with args and returns its standard output.
func admin(t *testing.T, config string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(append([]string{"-config", config}, args...), &out, &errOut)
	if err != nil {
		t.Logf("hw-admin %v: %s", args, errOut.String())
	}
	return out.String(), err
}

func TestTokenCommands(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		cfg := storetest.Config(t, d)
		path := writeConfig(t, cfg)

		out, err := admin(t, path, "token", "create", "-name", "浦东值班员",
			"-role", "district_operator", "-district", "浦东新区", "-expires", "1h")
		if err != nil {
			t.Fatal(err)
		}
		tok := strings.TrimSpace(out)
		db := storetest.OpenConfig(t, cfg)
		defer db.Close()
		tokens := auth.NewStore(db, auth.Options{})
		p, err := tokens.Authenticate(context.Background(), tok)
		if err != nil || p.District != "浦东新区" {
			t.Fatalf("printed token authenticates as %+v, %v", p, err)
		}

		out, err = admin(t, path, "token", "list")
		if err != nil || !strings.Contains(out, "浦东值班员") ||
			!strings.Contains(out, "active") || strings.Contains(out, tok) {
			t.Fatalf("list: %v\n%s", err, out)
		}
		if _, err := admin(t, path, "token", "revoke", "-id", p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := tokens.Authenticate(context.Background(), tok); !errors.Is(err, auth.ErrUnauthorized) {
			t.Fatalf("revoked token: %v, want ErrUnauthorized", err)
		}
		if out, _ := admin(t, path, "token", "list"); !strings.Contains(out, "revoked") {
			t.Fatalf("list after revoke:\n%s", out)
		}
	})
}

func TestCommandErrors(t *testing.T) {
	cfg := store.DefaultConfig()
	cfg.DSN = secret.String(filepath.Join(t.TempDir(), "ledger.db"))
	path := writeConfig(t, cfg)
	for _, c := range []struct {
		args  []string
		usage bool
	}{
		{nil, true},
		{[]string{"token"}, true},
		{[]string{"token", "rotate"}, true},
		{[]string{"token", "revoke"}, true},
		{[]string{"token", "list", "extra"}, true},
		{[]string{"token", "create", "-bogus"}, true},
		{[]string{"token", "create", "-name", "x", "-role", "department"}, false},
		{[]string{"token", "create", "-name", "x", "-role", "root"}, false},
		{[]string{"token", "revoke", "-id", "99"}, false},
	} {
		_, err := admin(t, path, c.args...)
		if err == nil || errors.Is(err, errUsage) != c.usage {
			t.Errorf("hw-admin %v: %v, want a failure (usage %v)", c.args, err, c.usage)
		}
	}
	if _, err := admin(t, filepath.Join(t.TempDir(), "none.yaml"), "token", "list"); err == nil {
		t.Errorf("missing config file accepted")
	}
}
