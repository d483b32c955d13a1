package monitor

import (
	"errors"
	"fmt"
	"time"
)

// Config is the alarm service's configuration, the "monitor" section of
// the center's config file.
type Config struct {
	// OfflineAfter is how long a gateway may send no telemetry before it
	// is taken to be offline, when no last will has said so already.
	OfflineAfter time.Duration `yaml:"offline_after"`
	// EscalateAfter is how long an alarm may stay active and
	// unacknowledged before it is escalated; 0 never escalates.
	EscalateAfter time.Duration `yaml:"escalate_after"`
	// MaxShelve is the longest an operator may shelve an alarm.
	MaxShelve time.Duration `yaml:"max_shelve"`
	// TickInterval is how often time is let pass without readings: stale
	// points, delays, shelve expiry, escalation, silent gateways.
	TickInterval time.Duration `yaml:"tick_interval"`
	// LedgerResend is how often active alarms are sent to the hazard
	// ledger again, so that it can judge hold times.
	LedgerResend time.Duration `yaml:"ledger_resend"`
	// AnnotationQueue is how many alarm events may wait for InfluxDB;
	// when full, the oldest is dropped (the SQL journal keeps it).
	AnnotationQueue int `yaml:"annotation_queue"`
}

// DefaultConfig returns the defaults: gateways offline after 60 s of
// silence, escalation after 15 minutes unacknowledged, shelving for at
// most 8 hours (one shift), a tick every second, a ledger re-send every
// 30 s and 10000 queued annotations.
func DefaultConfig() Config {
	return Config{
		OfflineAfter:    60 * time.Second,
		EscalateAfter:   15 * time.Minute,
		MaxShelve:       8 * time.Hour,
		TickInterval:    time.Second,
		LedgerResend:    30 * time.Second,
		AnnotationQueue: 10000,
	}
}

// Validate checks the settings against each other and names the key.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("monitor."+key+": "+format, args...))
	}
	if c.TickInterval <= 0 || c.TickInterval > time.Minute {
		bad("tick_interval", "%v, want more than 0 and at most 1m",
			c.TickInterval)
	}
	// A gateway must get at least two ticks to be heard from, or one
	// late tick would take it offline.
	if c.OfflineAfter < 2*c.TickInterval {
		bad("offline_after", "%v, want at least twice tick_interval (%v)",
			c.OfflineAfter, c.TickInterval)
	}
	if c.EscalateAfter < 0 {
		bad("escalate_after", "%v, want 0 (never) or more", c.EscalateAfter)
	}
	// ISA-18.2 wants every shelve to end by itself.
	if c.MaxShelve <= 0 {
		bad("max_shelve", "%v, want a positive duration", c.MaxShelve)
	}
	if c.LedgerResend < c.TickInterval {
		bad("ledger_resend", "%v, want at least tick_interval (%v)",
			c.LedgerResend, c.TickInterval)
	}
	if c.AnnotationQueue < 1 {
		bad("annotation_queue", "%d, want 1 or more", c.AnnotationQueue)
	}
	return errors.Join(errs...)
}
