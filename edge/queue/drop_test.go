package queue

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestMaxBytesDropsOldest(t *testing.T) {
	const size = 100
	recLen := int64(headerSize + size)
	o := testOptions(t)
	o.SegmentBytes = 8 * recLen
	o.MaxBytes = 4 * o.SegmentBytes
	q := open(t, o)

	appendN(t, q, 0, 20, size)
	if err := q.Ack(10); err != nil {
		t.Fatal(err)
	}
	appendN(t, q, 20, 100, size)

	st, err := q.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.Bytes > o.MaxBytes {
		t.Fatalf("bytes %d over max %d", st.Bytes, o.MaxBytes)
	}
	es := readAll(t, q, 0)
	if len(es) == 0 || es[len(es)-1].Index != 100 {
		t.Fatalf("newest record missing: %d entries", len(es))
	}
	first := es[0].Index
	checkContiguous(t, es, first, size)
	// Records 1..10 were acked: dropping them lost nothing.
	if want := first - 1 - 10; st.Dropped != want {
		t.Fatalf("dropped %d, want %d (first kept %d)", st.Dropped, want, first)
	}
	if st.Records != uint64(len(es)) {
		t.Fatalf("stats records %d, read %d", st.Records, len(es))
	}
}

// TestMaxBytesOneSegment checks the segment being written is never
// dropped, even when a record needs all of MaxBytes.
func TestMaxBytesOneSegment(t *testing.T) {
	o := testOptions(t)
	o.SegmentBytes = 1024
	o.MaxBytes = 1024
	q := open(t, o)
	appendN(t, q, 0, 5, 100)
	idx, err := q.Append(make([]byte, 1024-headerSize))
	if err != nil {
		t.Fatal(err)
	}
	es := readAll(t, q, 0)
	if len(es) != 1 || es[0].Index != idx {
		t.Fatalf("kept %d records", len(es))
	}
	if st, _ := q.Stats(); st.Dropped != 5 || st.Bytes != 1024 {
		t.Fatalf("stats %+v", st)
	}
}

// clock is a settable time source for tests.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestMaxAge(t *testing.T) {
	const size = 110
	c := &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	o := testOptions(t)
	o.SegmentBytes = 4 * (headerSize + size)
	o.MaxAge = 10 * time.Minute
	o.Now = c.now
	q := open(t, o)

	// One record a minute for 40 minutes.
	start := c.t
	for i := range 40 {
		if i > 0 {
			c.advance(time.Minute)
		}
		appendN(t, q, i, i+1, size)
	}

	// Records are four to a segment; a mark at each segment's first
	// record. At 8:39 the cutoff is 8:29 (record 30): segments up to
	// record 28 are old, and so is the mark at record 29.
	es := readAll(t, q, 0)
	checkContiguous(t, es, 30, size)
	cutoff := c.t.Add(-o.MaxAge)
	if es[0].Time.Before(cutoff) || !es[0].Time.Equal(start.Add(29*time.Minute)) {
		t.Fatalf("oldest kept %v, cutoff %v", es[0].Time, cutoff)
	}
	st, _ := q.Stats()
	if st.Dropped != 29 || !st.Oldest.Equal(es[0].Time) {
		t.Fatalf("stats %+v", st)
	}

	// Time passes without appends: Expire drops the rest.
	c.advance(time.Hour)
	if err := q.Expire(); err != nil {
		t.Fatal(err)
	}
	if es := readAll(t, q, 0); len(es) != 0 {
		t.Fatalf("%d records left after an hour", len(es))
	}
	if st, _ := q.Stats(); st.Dropped != 40 || st.Records != 0 || !st.Oldest.IsZero() {
		t.Fatalf("stats %+v", st)
	}
	if idx, _ := q.Append(nil); idx != 41 {
		t.Fatalf("next index %d, want 41", idx)
	}
}

// TestDropLoggedOnce checks a burst of drops makes one log line with the
// count, not one per record or per segment.
func TestDropLoggedOnce(t *testing.T) {
	var logs bytes.Buffer
	o := testOptions(t)
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	o.SegmentBytes = 1024
	o.MaxBytes = 2048
	q := open(t, o)
	appendN(t, q, 0, 100, 100)
	st, _ := q.Stats()
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	// Drops are logged by the once-a-second flusher and at Close, so a slow
	// machine may split the burst in two; the counts must add up.
	lines, sum := 0, uint64(0)
	for _, l := range strings.Split(logs.String(), "\n") {
		var n uint64
		i := strings.Index(l, "over_capacity=")
		if !strings.Contains(l, "dropped undelivered records") || i < 0 {
			continue
		}
		fmt.Sscanf(l[i:], "over_capacity=%d", &n)
		lines++
		sum += n
	}
	if st.Dropped < 50 || lines == 0 || lines > 2 || sum != st.Dropped {
		t.Fatalf("%d drop lines for %d of %d dropped:\n%s",
			lines, sum, st.Dropped, logs.String())
	}
}
