package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProvisionCommand runs the command on the demo registry twice and
// checks that it prints no password.
func TestProvisionCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"-registry", "../../configs/registry-tankfarm.yaml", "-out", out,
		"-broker-url", "ssl://broker.test:8883"}
	for i := range 2 {
		var stdout, stderr bytes.Buffer
		if err := run(args, &stdout, &stderr); err != nil {
			t.Fatalf("run %d: %v\n%s", i, err, stderr.String())
		}
		if !strings.Contains(stdout.String(), "provisioned 1 gateways") {
			t.Errorf("run %d printed %q", i, stdout.String())
		}
		cred, err := os.ReadFile(filepath.Join(out, "center", "credentials.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		_, pw, _ := strings.Cut(string(cred), "password: ")
		pw = strings.Trim(strings.TrimSpace(pw), `"`)
		if pw == "" || strings.Contains(stdout.String()+stderr.String(), pw) {
			t.Errorf("run %d: password empty or printed", i)
		}
	}
}

// TestProvisionCommandUsage refuses stray arguments and bad flags.
func TestProvisionCommandUsage(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"-nope"}} {
		var stdout, stderr bytes.Buffer
		if err := run(args, &stdout, &stderr); !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want usage", args, err)
		}
	}
	var stdout, stderr bytes.Buffer
	err := run([]string{"-broker-url", "tcp://x:1883"}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "-broker-url") {
		t.Errorf("plain broker URL: err = %v", err)
	}
}
