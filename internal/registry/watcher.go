package registry

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultCheckInterval is how often a Watcher looks at its file.
const DefaultCheckInterval = time.Second

// Watcher keeps the current Registry of a file and swaps in a new one
// when the file changes and the new contents are valid. A file that fails
// to load leaves the registry in service as it was: a typo must never
// make the center forget what it monitors.
type Watcher struct {
	path     string
	log      *slog.Logger
	onChange func(*Registry)
	now      func() time.Time
	interval time.Duration

	cur atomic.Pointer[Registry]

	// reloadMu serializes loads, so onChange sees registries in order.
	reloadMu sync.Mutex
	// loaded is the stamp of the file in service; pending the stamp seen
	// on the last check, which must hold still for one interval before
	// it is loaded. Both are guarded by reloadMu.
	loaded, pending stamp

	mu        sync.Mutex // guards the status fields below
	loadedAt  time.Time
	lastErr   error
	lastErrAt time.Time
}

// stamp is what a check compares to tell that the file changed.
type stamp struct {
	modTime time.Time
	size    int64
}

// Option changes a Watcher's defaults.
type Option func(*Watcher)

// WithClock sets the clock that stamps loads and errors (time.Now by
// default).
func WithClock(now func() time.Time) Option {
	return func(w *Watcher) { w.now = now }
}

// WithCheckInterval sets how often Run looks at the file
// (DefaultCheckInterval by default).
func WithCheckInterval(d time.Duration) Option {
	return func(w *Watcher) { w.interval = d }
}

// NewWatcher loads the registry at path and returns a Watcher serving it.
// onChange (may be nil) is called with every registry swapped in later,
// not with the first; it runs on the goroutine that reloads and must not
// call Reload. The file must be valid at start: a center without a
// registry could accept nothing.
func NewWatcher(path string, log *slog.Logger, onChange func(*Registry),
	opts ...Option) (*Watcher, error) {
	w := &Watcher{
		path:     path,
		log:      log.With("file", path),
		onChange: onChange,
		now:      time.Now,
		interval: DefaultCheckInterval,
	}
	for _, o := range opts {
		o(w)
	}
	st, err := statFile(path)
	if err != nil {
		return nil, err
	}
	r, err := Load(path)
	if err != nil {
		return nil, err
	}
	w.loaded, w.pending = st, st
	w.swap(r)
	w.logLoaded(r)
	return w, nil
}

// Current returns the registry in service. It never returns nil.
func (w *Watcher) Current() *Registry {
	return w.cur.Load()
}

// LastError returns why the file's latest contents were refused, or nil
// once a load has succeeded since.
func (w *Watcher) LastError() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.lastErr
}

// Run checks the file every interval until ctx is done, and returns nil
// then. A change is loaded once the file's modification time and size
// have held still for one interval, so a file caught half written is not
// loaded; writing the file elsewhere and renaming it into place is safer
// still.
//
// Not yet: a change that keeps both size and modification time (possible
// on file systems with a coarse clock) goes unseen until Reload.
func (w *Watcher) Run(ctx context.Context) error {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			w.check()
		}
	}
}

// check loads the file if it changed and has held still since the last
// check.
func (w *Watcher) check() {
	w.reloadMu.Lock()
	defer w.reloadMu.Unlock()

	st, err := statFile(w.path)
	if err != nil {
		w.pending = stamp{}
		w.fail(err)
		return
	}
	if st == w.loaded {
		return
	}
	if st != w.pending {
		w.pending = st
		return
	}
	w.loadLocked(st)
}

// Reload loads the file now, changed or not, as on SIGHUP. It returns why
// the file was refused, the error LastError keeps; the watcher logs it
// too (once per distinct error), so the caller need not.
func (w *Watcher) Reload() error {
	w.reloadMu.Lock()
	defer w.reloadMu.Unlock()

	st, err := statFile(w.path)
	if err != nil {
		w.fail(err)
		return err
	}
	return w.loadLocked(st)
}

// loadLocked loads the file whose stamp was st; reloadMu is held.
func (w *Watcher) loadLocked(st stamp) error {
	// The stamp is taken as seen even when the load fails: the same
	// contents would fail again, so only a new change is worth a retry.
	w.loaded, w.pending = st, st
	r, err := Load(w.path)
	if err != nil {
		w.fail(err)
		return err
	}
	w.swap(r)
	w.logLoaded(r)
	if w.onChange != nil {
		w.onChange(r)
	}
	return nil
}

func (w *Watcher) logLoaded(r *Registry) {
	w.log.Info("registry loaded", "enterprises", len(r.enterpriseList),
		"hazard_sources", len(r.sourceList), "points", len(r.pointList))
}

func (w *Watcher) swap(r *Registry) {
	w.cur.Store(r)
	w.mu.Lock()
	w.loadedAt = w.now()
	w.lastErr = nil
	w.mu.Unlock()
}

// fail keeps err for LastError and logs it unless it is the error already
// kept: a broken file is checked every second and must not flood the log.
func (w *Watcher) fail(err error) {
	w.mu.Lock()
	repeated := w.lastErr != nil && w.lastErr.Error() == err.Error()
	w.lastErr = err
	if !repeated {
		w.lastErrAt = w.now()
	}
	w.mu.Unlock()
	if !repeated {
		w.log.Warn("registry file refused, keeping the registry in service",
			"err", err)
	}
}

func statFile(path string) (stamp, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return stamp{}, fmt.Errorf("stat registry: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return stamp{}, fmt.Errorf("registry %s: not a regular file: %w",
			path, fs.ErrInvalid)
	}
	return stamp{modTime: fi.ModTime(), size: fi.Size()}, nil
}

// Status describes the watcher for the API.
type Status struct {
	// File is the registry file's path.
	File string `json:"file"`
	// LoadedAt is when the registry in service was loaded.
	LoadedAt time.Time `json:"loaded_at"`
	// LastError is why the file's latest contents were refused; empty
	// when they are in service.
	LastError string `json:"last_error,omitempty"`
	// LastErrorAt is when LastError was first seen.
	LastErrorAt *time.Time `json:"last_error_at,omitempty"`
	// Counts of the registry in service.
	Enterprises   int `json:"enterprises"`
	HazardSources int `json:"hazard_sources"`
	Points        int `json:"points"`
}

// Status returns the watcher's state.
func (w *Watcher) Status() Status {
	r := w.Current()
	s := Status{File: w.path, Enterprises: len(r.enterpriseList),
		HazardSources: len(r.sourceList), Points: len(r.pointList)}
	w.mu.Lock()
	defer w.mu.Unlock()
	s.LoadedAt = w.loadedAt
	if w.lastErr != nil {
		s.LastError = w.lastErr.Error()
		at := w.lastErrAt
		s.LastErrorAt = &at
	}
	return s
}
