package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestStringNeverShowsItself(t *testing.T) {
	s := String("hunter2")
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "password", s)
	j, _ := json.Marshal(struct{ P String }{s})
	outs := []string{fmt.Sprint(s), fmt.Sprintf("%v %s %#v", s, s, s), logs.String(), string(j)}
	for _, out := range outs {
		if strings.Contains(out, "hunter2") {
			t.Errorf("secret leaked: %s", out)
		}
	}
	if s.Reveal() != "hunter2" {
		t.Errorf("Reveal = %q", s.Reveal())
	}
}

func TestStringDecodesFromYAML(t *testing.T) {
	var c struct {
		Token String `yaml:"token"`
	}
	if err := yaml.Unmarshal([]byte("token: abc"), &c); err != nil {
		t.Fatal(err)
	}
	if c.Token.Reveal() != "abc" {
		t.Fatalf("token = %q", c.Token.Reveal())
	}
}
