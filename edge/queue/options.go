package queue

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"
)

// SyncPolicy says when appended records are forced to stable storage with
// fsync. Whatever the policy, a record is in the operating system's page
// cache when Append returns, so the death of the process alone (kill -9,
// panic, OOM kill) loses nothing; the policies differ only in what a power
// cut or a kernel crash can take.
type SyncPolicy uint8

// Sync policies.
const (
	// SyncInterval fsyncs the segment being written at most once per
	// Options.SyncInterval, from a background goroutine, when something was
	// appended since the last fsync. A power cut loses at most the records
	// appended during the last SyncInterval (plus the fsync's own duration).
	SyncInterval SyncPolicy = iota
	// SyncAlways fsyncs before Append returns. A power cut loses nothing
	// Append has returned; it costs one fsync per record.
	SyncAlways
	// SyncNever leaves write-back to the operating system (on Linux about
	// 30 s by default, vm.dirty_expire_centisecs). A power cut loses what the
	// kernel had not yet written back. Close still fsyncs.
	SyncNever
)

var syncNames = [...]string{
	SyncInterval: "interval",
	SyncAlways:   "always",
	SyncNever:    "never",
}

// String returns the configuration name of p: interval, always or never.
func (p SyncPolicy) String() string {
	if int(p) < len(syncNames) {
		return syncNames[p]
	}
	return "sync_policy(" + strconv.Itoa(int(p)) + ")"
}

// Options configure a Queue. Start from DefaultOptions.
type Options struct {
	// Dir is the directory holding the queue; Open creates it.
	Dir string
	// MaxBytes caps the bytes on disk. An Append that would pass it drops
	// the oldest segments first (see Queue.Append). At least SegmentBytes.
	MaxBytes int64
	// MaxAge drops records older than this, oldest first (see Queue.Expire).
	// Zero keeps records however old they are.
	MaxAge time.Duration
	// SegmentBytes is the size at which a new segment file is started. It is
	// also the unit in which space is given back, so MaxBytes should be many
	// segments. At least 512.
	SegmentBytes int64
	// Sync is the fsync policy; see SyncPolicy for the loss window of each.
	Sync SyncPolicy
	// SyncInterval is the period of SyncInterval; zero means 1 s.
	SyncInterval time.Duration
	// Now returns the current time, stamped on records and used for MaxAge.
	// Nil means time.Now; tests inject a clock.
	Now func() time.Time
	// Logger receives recovery reports, drops and background fsync
	// failures. Nil discards them.
	Logger *slog.Logger
}

// Defaults used by DefaultOptions.
const (
	DefaultMaxBytes     = 1 << 30
	DefaultSegmentBytes = 16 << 20
	DefaultSyncInterval = time.Second
	minSegmentBytes     = 512
)

// DefaultOptions returns the options for a queue in dir: 1 GiB on disk, no
// age limit, 16 MiB segments, fsync once a second.
func DefaultOptions(dir string) Options {
	return Options{
		Dir:          dir,
		MaxBytes:     DefaultMaxBytes,
		SegmentBytes: DefaultSegmentBytes,
		Sync:         SyncInterval,
		SyncInterval: DefaultSyncInterval,
	}
}

// Validate reports the first option that is out of range, naming it.
func (o Options) Validate() error {
	switch {
	case o.Dir == "":
		return errors.New("queue option dir: must not be empty")
	case o.SegmentBytes < minSegmentBytes:
		return fmt.Errorf("queue option segment_bytes: %d is below the minimum %d",
			o.SegmentBytes, minSegmentBytes)
	case o.MaxBytes < o.SegmentBytes:
		return fmt.Errorf("queue option max_bytes: %d is below segment_bytes %d",
			o.MaxBytes, o.SegmentBytes)
	case o.MaxAge < 0:
		return fmt.Errorf("queue option max_age: %v is negative", o.MaxAge)
	case int(o.Sync) >= len(syncNames):
		return fmt.Errorf("queue option sync: %v is not one of interval, always, never",
			o.Sync)
	case o.SyncInterval < 0:
		return fmt.Errorf("queue option sync_interval: %v is negative", o.SyncInterval)
	}
	return nil
}

// withDefaults fills the zero fields that have a default.
func (o Options) withDefaults() Options {
	if o.SyncInterval == 0 {
		o.SyncInterval = DefaultSyncInterval
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}
