package queue

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testOptions returns options for a queue in a fresh directory.
func testOptions(t testing.TB) Options {
	o := DefaultOptions(filepath.Join(t.TempDir(), "q"))
	o.Logger = testLogger(t)
	return o
}

// open opens a queue and closes it at the end of the test.
func open(t testing.TB, o Options) *Queue {
	t.Helper()
	q, err := Open(o)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { q.Close() })
	return q
}

// payload is the deterministic content of the record appended i-th.
func payload(i int, size int) []byte {
	b := []byte(fmt.Sprintf("record-%08d:", i))
	for len(b) < size {
		b = append(b, byte('a'+i%26))
	}
	return b[:max(size, 16)]
}

// appendN appends records from..to-1 and checks their indexes grow by one.
func appendN(t testing.TB, q *Queue, from, to, size int) {
	t.Helper()
	for i := from; i < to; i++ {
		idx, err := q.Append(payload(i, size))
		if err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
		if i > from && idx != q.Last() {
			t.Fatalf("append %d: index %d, last %d", i, idx, q.Last())
		}
	}
}

// readAll reads every record from index on, in small batches.
func readAll(t testing.TB, q *Queue, from uint64) []Entry {
	t.Helper()
	var all []Entry
	for {
		es, err := q.ReadFrom(from, 7, 0)
		if err != nil {
			t.Fatalf("read from %d: %v", from, err)
		}
		if len(es) == 0 {
			return all
		}
		all = append(all, es...)
		from = es[len(es)-1].Index + 1
	}
}

// checkContiguous checks es are the records first, first+1, ... and that
// the record with index i holds payload(i-1+shift).
func checkContiguous(t testing.TB, es []Entry, first uint64, size int) {
	t.Helper()
	for k, e := range es {
		want := first + uint64(k)
		if e.Index != want {
			t.Fatalf("entry %d: index %d, want %d", k, e.Index, want)
		}
		if !bytes.Equal(e.Data, payload(int(want-1), size)) {
			t.Fatalf("index %d: data %q", want, e.Data)
		}
	}
}

func TestAppendReadAckAcrossSegments(t *testing.T) {
	o := testOptions(t)
	o.SegmentBytes = 512
	q := open(t, o)
	const n, size = 500, 60
	appendN(t, q, 0, n, size)
	if q.Last() != n {
		t.Fatalf("last %d, want %d", q.Last(), n)
	}
	checkContiguous(t, readAll(t, q, 1), 1, size)
	st, _ := q.Stats()
	if st.Segments < 50 || st.Records != n {
		t.Fatalf("stats %+v", st)
	}

	// Ack part: the segments before go, the rest reads the same.
	if err := q.Ack(300); err != nil {
		t.Fatal(err)
	}
	st2, _ := q.Stats()
	if st2.Records != n-300 || st2.Segments >= st.Segments || st2.Bytes >= st.Bytes {
		t.Fatalf("after ack: %+v, before %+v", st2, st)
	}
	checkContiguous(t, readAll(t, q, 301), 301, size)

	// Reopen: epoch, cursor and indexes carry over, with no gap.
	epoch := q.Epoch()
	if err := q.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if err := q.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	q = open(t, o)
	if q.Epoch() != epoch || q.Acked() != 300 || q.Last() != n {
		t.Fatalf("reopened: epoch %d (want %d) acked %d last %d",
			q.Epoch(), epoch, q.Acked(), q.Last())
	}
	checkContiguous(t, readAll(t, q, q.Acked()+1), 301, size)
	idx, err := q.Append(payload(n, size))
	if err != nil || idx != n+1 {
		t.Fatalf("append after reopen: %d, %v", idx, err)
	}
	if _, err := q.ReadFrom(0, 1, 0); err != nil {
		t.Fatal(err)
	}
}

func TestReadFromLimits(t *testing.T) {
	q := open(t, testOptions(t))
	appendN(t, q, 0, 10, 100)
	es, _ := q.ReadFrom(0, 100, 250)
	if len(es) != 2 || es[0].Index != 1 {
		t.Fatalf("max bytes 250: %d entries", len(es))
	}
	es, _ = q.ReadFrom(3, 100, 50)
	if len(es) != 1 || es[0].Index != 3 {
		t.Fatalf("first record over max bytes: %d entries", len(es))
	}
	es, _ = q.ReadFrom(11, 100, 0)
	if len(es) != 0 {
		t.Fatalf("past last: %d entries", len(es))
	}
}

func TestUncleanStopLeavesGap(t *testing.T) {
	o := testOptions(t)
	q := open(t, o)
	appendN(t, q, 0, 10, 50)
	if err := q.Ack(4); err != nil {
		t.Fatal(err)
	}

	// A copy of the directory taken while open is what a crash leaves.
	o2 := o
	o2.Dir = filepath.Join(t.TempDir(), "crashed")
	copyDir(t, o.Dir, o2.Dir)
	q2 := open(t, o2)
	checkContiguous(t, readAll(t, q2, 1), 1, 50)
	idx, err := q2.Append([]byte("after crash"))
	if err != nil || idx <= 10 {
		t.Fatalf("append after crash: %d, %v", idx, err)
	}
	if q2.Epoch() != q.Epoch() {
		t.Fatalf("epoch changed")
	}
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	o := testOptions(t)
	q := open(t, o)
	if _, err := Open(o); !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if _, err := q.Append(make([]byte, MaxRecordBytes+1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("append too large: %v", err)
	}
	if err := q.Ack(1); !errors.Is(err, ErrBeyondLast) {
		t.Fatalf("ack beyond last: %v", err)
	}
	q.Close()
	if _, err := q.Append(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	if _, err := q.ReadFrom(1, 1, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Options)
		key  string
	}{
		{"default", func(*Options) {}, ""},
		{"no dir", func(o *Options) { o.Dir = "" }, "dir"},
		{"tiny segment", func(o *Options) { o.SegmentBytes = 10 }, "segment_bytes"},
		{"max below segment", func(o *Options) { o.MaxBytes = 1 << 20 }, "max_bytes"},
		{"negative age", func(o *Options) { o.MaxAge = -1 }, "max_age"},
		{"bad sync", func(o *Options) { o.Sync = 9 }, "sync"},
		{"negative interval", func(o *Options) { o.SyncInterval = -1 }, "sync_interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := DefaultOptions("/tmp/x")
			tt.edit(&o)
			err := o.Validate()
			if tt.key == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "option "+tt.key+":") {
				t.Fatalf("error %v, want one naming %s", err, tt.key)
			}
		})
	}
}

func TestWait(t *testing.T) {
	q := open(t, testOptions(t))
	done := make(chan error)
	go func() { done <- q.Wait(context.Background(), 2) }()
	appendN(t, q, 0, 1, 10)
	select {
	case err := <-done:
		t.Fatalf("woke at index 1: %v", err)
	case <-time.After(20 * time.Millisecond):
	}
	appendN(t, q, 1, 2, 10)
	if err := <-done; err != nil {
		t.Fatalf("wait: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- q.Wait(ctx, 10) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("wait canceled: %v", err)
	}
	go func() { done <- q.Wait(context.Background(), 10) }()
	time.Sleep(5 * time.Millisecond)
	q.Close()
	if err := <-done; !errors.Is(err, ErrClosed) {
		t.Fatalf("wait closed: %v", err)
	}
}

// TestConcurrentWriterReader runs a poller and a publisher against one
// queue, as the agent does; run it with -race.
func TestConcurrentWriterReader(t *testing.T) {
	o := testOptions(t)
	o.SegmentBytes = 4096
	o.SyncInterval = time.Millisecond
	q := open(t, o)
	const n, size = 5000, 80
	go func() {
		for i := range n {
			if _, err := q.Append(payload(i, size)); err != nil {
				t.Errorf("append %d: %v", i, err)
				return
			}
		}
	}()

	next := uint64(1)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for next <= n {
		if err := q.Wait(ctx, next); err != nil {
			t.Fatalf("wait %d: %v", next, err)
		}
		es, err := q.ReadFrom(next, 100, 0)
		if err != nil {
			t.Fatalf("read %d: %v", next, err)
		}
		checkContiguous(t, es, next, size)
		next += uint64(len(es))
		if err := q.Ack(next - 1); err != nil {
			t.Fatalf("ack: %v", err)
		}
	}
	if st, _ := q.Stats(); st.Records != 0 || st.Segments != 1 {
		t.Fatalf("stats after all acked: %+v", st)
	}
}

func TestMeta(t *testing.T) {
	m := meta{epoch: 1700000000000, acked: 42, reserved: 4096}
	got, err := decodeMeta(m.encode())
	if err != nil || got != m {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	b := m.encode()
	b[10] ^= 1
	if _, err := decodeMeta(b); !errors.Is(err, errMetaCorrupt) {
		t.Fatalf("flipped bit: %v", err)
	}
}

// testLogger logs to the test output when -v is given.
func testLogger(t testing.TB) *slog.Logger {
	var w io.Writer = io.Discard
	if testing.Verbose() {
		w = testWriter{t}
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
