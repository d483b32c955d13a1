package registry

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// oneEnterprise is a registry file with the given points of hazard source
// HS under enterprise E.
func oneEnterprise(ids ...string) string {
	var b strings.Builder
	b.WriteString("enterprises: [{code: E, name: n, district: d, industry: other}]\n")
	b.WriteString("hazard_sources:\n  - {code: HS, name: n, grade: 3, enterprise: E, points: [\n")
	for _, id := range ids {
		b.WriteString("    {id: " + id + ", name: n, kind: other, expected_interval: 1s},\n")
	}
	b.WriteString("  ]}\n")
	return b.String()
}

// syncBuffer is a bytes.Buffer safe for the watcher's goroutine and the
// test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// bumpModTime moves the file's modification time on, so a rewrite of the
// same size is seen even where the file system clock is coarse.
func bumpModTime(t *testing.T, path string, d time.Duration) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	mt := fi.ModTime().Add(d)
	if err := os.Chtimes(path, mt, mt); err != nil {
		t.Fatal(err)
	}
}

var clock = time.Date(2025, 6, 1, 8, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newTestWatcher(t *testing.T, content string, onChange func(*Registry),
	opts ...Option) (*Watcher, string, *syncBuffer) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "registry.yaml")
	writeFile(t, path, content)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	opts = append([]Option{WithClock(func() time.Time { return clock })}, opts...)
	w, err := NewWatcher(path, log, onChange, opts...)
	if err != nil {
		t.Fatalf("NewWatcher: %v", err)
	}
	return w, path, logs
}

func TestNewWatcherRefusesBadFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registry.yaml")
	writeFile(t, path, "enterprises: [{code: E}]")
	_, err := NewWatcher(path, slog.New(slog.DiscardHandler), nil)
	if err == nil || !strings.Contains(err.Error(), "enterprises[0].name") {
		t.Errorf("NewWatcher err = %v", err)
	}
	if _, err := NewWatcher(path+".missing", slog.New(slog.DiscardHandler), nil); err == nil {
		t.Error("NewWatcher on a missing file succeeded")
	}
}

// TestWatcherCheck drives the checks by hand: a change is loaded once it
// has held still for one check, a broken file keeps the old registry, and
// the error is logged once.
func TestWatcherCheck(t *testing.T) {
	var changes []*Registry
	w, path, logs := newTestWatcher(t, oneEnterprise("P1"),
		func(r *Registry) { changes = append(changes, r) })
	first := w.Current()
	if _, ok := first.Point("E", "P1"); !ok {
		t.Fatal("P1 missing")
	}
	if st := w.Status(); !st.LoadedAt.Equal(clock) || st.Points != 1 ||
		st.LastError != "" || st.File != path {
		t.Errorf("Status = %+v", st)
	}

	// Unchanged: nothing happens.
	w.check()
	w.check()
	if len(changes) != 0 {
		t.Fatalf("%d changes without a change", len(changes))
	}

	// A new point: seen on one check, loaded on the next.
	writeFile(t, path, oneEnterprise("P1", "P2"))
	w.check()
	if _, ok := w.Current().Point("E", "P2"); ok {
		t.Error("loaded before the file held still")
	}
	w.check()
	if _, ok := w.Current().Point("E", "P2"); !ok {
		t.Fatal("P2 not loaded")
	}
	if len(changes) != 1 || changes[0] != w.Current() {
		t.Fatalf("onChange calls = %d", len(changes))
	}
	if _, ok := first.Point("E", "P2"); ok {
		t.Error("the old snapshot changed")
	}

	// A broken file: the registry stays, the error is kept and logged once.
	good := w.Current()
	writeFile(t, path, oneEnterprise("P1", "P 3"))
	w.check()
	w.check()
	if w.Current() != good {
		t.Error("a broken file replaced the registry")
	}
	if err := w.LastError(); err == nil || !strings.Contains(err.Error(), "(P 3): id") {
		t.Fatalf("LastError = %v", err)
	}
	if err := w.Reload(); err == nil {
		t.Error("Reload of a broken file succeeded")
	}
	bumpModTime(t, path, time.Second)
	w.check()
	w.check()
	if n := strings.Count(logs.String(), "registry file refused"); n != 1 {
		t.Errorf("error logged %d times, want once:\n%s", n, logs)
	}
	if st := w.Status(); st.LastError == "" || st.LastErrorAt == nil ||
		st.Points != 2 {
		t.Errorf("Status = %+v", st)
	}

	// Fixed again: loaded, error gone.
	writeFile(t, path, oneEnterprise("P1", "P2", "P3"))
	w.check()
	w.check()
	if _, ok := w.Current().Point("E", "P3"); !ok {
		t.Fatal("P3 not loaded after the fix")
	}
	if err := w.LastError(); err != nil {
		t.Errorf("LastError after the fix = %v", err)
	}
	if len(changes) != 2 {
		t.Errorf("onChange calls = %d, want 2", len(changes))
	}
}

func TestWatcherMissingFile(t *testing.T) {
	w, path, _ := newTestWatcher(t, oneEnterprise("P1"), nil)
	old := w.Current()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	w.check()
	if w.Current() != old {
		t.Error("registry replaced")
	}
	if err := w.LastError(); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("LastError = %v, want not exist", err)
	}

	// Back again: loaded after it held still.
	writeFile(t, path, oneEnterprise("P1", "P9"))
	w.check()
	w.check()
	if _, ok := w.Current().Point("E", "P9"); !ok {
		t.Error("P9 not loaded")
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// TestWatcherReload loads at once, changed or not, as on SIGHUP.
func TestWatcherReload(t *testing.T) {
	calls := 0
	w, path, _ := newTestWatcher(t, oneEnterprise("P1"),
		func(*Registry) { calls++ })
	writeFile(t, path, oneEnterprise("P1", "P2"))
	if err := w.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Current().Point("E", "P2"); !ok || calls != 1 {
		t.Errorf("after Reload: P2 %v, %d calls", ok, calls)
	}
	// The check that follows sees nothing new.
	w.check()
	w.check()
	if calls != 1 {
		t.Errorf("%d calls, want 1", calls)
	}
}

// TestWatcherRun runs the real loop on a short interval.
func TestWatcherRun(t *testing.T) {
	changed := make(chan *Registry, 4)
	w, path, _ := newTestWatcher(t, oneEnterprise("P1"),
		func(r *Registry) { changed <- r }, WithCheckInterval(5*time.Millisecond))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()

	writeFile(t, path, oneEnterprise("P1", "P2"))
	select {
	case r := <-changed:
		if _, ok := r.Point("E", "P2"); !ok || w.Current() != r {
			t.Error("new registry lacks P2 or is not current")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no change seen")
	}

	writeFile(t, path, "enterprises: [")
	deadline := time.Now().Add(10 * time.Second)
	for w.LastError() == nil && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if w.LastError() == nil {
		t.Fatal("broken file not noticed")
	}
	if _, ok := w.Current().Point("E", "P2"); !ok {
		t.Error("broken file dropped the registry")
	}

	writeFile(t, path, oneEnterprise("P1", "P2", "P3"))
	select {
	case r := <-changed:
		if _, ok := r.Point("E", "P3"); !ok {
			t.Error("fixed registry lacks P3")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("fix not seen")
	}
	if w.LastError() != nil {
		t.Errorf("LastError after fix = %v", w.LastError())
	}

	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}
