package ingest

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestSequenceAccounting(t *testing.T) {
	type step struct {
		epoch   int64
		seq     uint64
		want    seqResult
		delta   int
		missing int
	}
	steps := []step{
		{1, 5, seqNewEpoch, 0, 0}, // the first message sets the start
		{1, 6, seqInOrder, 0, 0},
		{1, 9, seqGap, 2, 2},   // 7 and 8 missing
		{1, 7, seqLate, -1, 1}, // replayed late
		{1, 7, seqDuplicate, 0, 1},
		{1, 10, seqInOrder, 0, 1},
		{1, 8, seqLate, -1, 0},
		{2, 1, seqNewEpoch, 0, 0}, // the gateway lost its state
		{2, 3, seqGap, 1, 1},
		{3, 1, seqNewEpoch, -1, 0}, // a new epoch forgets the old gaps
	}
	var s sequence
	for i, st := range steps {
		got, delta := s.observe(st.epoch, st.seq)
		if got != st.want || delta != st.delta || len(s.missing) != st.missing {
			t.Fatalf("step %d (epoch %d seq %d): result %d delta %d missing %d; want %d %d %d",
				i, st.epoch, st.seq, got, delta, len(s.missing), st.want, st.delta, st.missing)
		}
	}
}

func TestSequenceGapIsBounded(t *testing.T) {
	var s sequence
	s.observe(1, 1)
	_, delta := s.observe(1, 2+maxMissing+500) // 2 .. maxMissing+501 missing
	if delta != maxMissing || len(s.missing) != maxMissing || s.overflow != 500 {
		t.Fatalf("delta %d, missing %d, overflow %d", delta, len(s.missing), s.overflow)
	}
}

func TestRejectionsRingAndRateLimitedLog(t *testing.T) {
	var logs bytes.Buffer
	r := newRejections(3, slog.New(slog.NewTextHandler(&logs, nil)))
	t0 := time.Unix(1000, 0)
	for i := range 5 {
		r.add(Rejection{Time: t0.Add(time.Duration(i) * time.Second), Reason: "bad_json",
			Detail: string(rune('a' + i))})
	}
	r.add(Rejection{Time: t0.Add(20 * time.Second), Reason: "bad_json", Detail: "f"})

	got := r.Recent()
	if len(got) != 3 || got[0].Detail != "f" || got[2].Detail != "d" {
		t.Fatalf("recent = %+v, want f, e, d", got)
	}
	lines := strings.Count(logs.String(), "telemetry rejected")
	if lines != 2 || !strings.Contains(logs.String(), "not_logged_since_last=4") {
		t.Fatalf("%d log lines, want 2 (the first, then one carrying the 4 not logged):\n%s",
			lines, logs.String())
	}
}
