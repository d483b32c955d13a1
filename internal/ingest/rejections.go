package ingest

import (
	"log/slog"
	"sync"
	"time"
)

// Rejection is one refused message or reading, kept for operators.
type Rejection struct {
	Time    time.Time `json:"time"`
	Topic   string    `json:"topic"`
	Reason  string    `json:"reason"`
	Detail  string    `json:"detail"`
	Payload string    `json:"payload"` // the first 512 bytes
}

// Rejections keeps the latest rejections in a ring and logs them at a
// bounded rate: the first of each reason at once, then at most one line
// per reason every logEvery, carrying how many were not logged. A flood of
// hostile messages thus cannot flood the log.
type Rejections struct {
	mu     sync.Mutex
	ring   []Rejection
	next   int
	full   bool
	log    *slog.Logger
	logged map[string]time.Time
	quiet  map[string]int
}

const logEvery = 10 * time.Second

func newRejections(n int, log *slog.Logger) *Rejections {
	return &Rejections{ring: make([]Rejection, n), log: log,
		logged: map[string]time.Time{}, quiet: map[string]int{}}
}

func (r *Rejections) add(x Rejection) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring[r.next] = x
	r.next = (r.next + 1) % len(r.ring)
	r.full = r.full || r.next == 0
	if last, ok := r.logged[x.Reason]; ok && x.Time.Sub(last) < logEvery {
		r.quiet[x.Reason]++
		return
	}
	r.log.Warn("telemetry rejected", "reason", x.Reason, "topic", x.Topic,
		"detail", x.Detail, "not_logged_since_last", r.quiet[x.Reason])
	r.logged[x.Reason], r.quiet[x.Reason] = x.Time, 0
}

// Recent returns the kept rejections, newest first.
func (r *Rejections) Recent() []Rejection {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.ring)
	}
	out := make([]Rejection, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.ring[(r.next-i+len(r.ring))%len(r.ring)])
	}
	return out
}
