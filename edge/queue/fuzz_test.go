package queue

import (
	"os"
	"testing"
	"time"
)

// FuzzOpen opens a queue whose first segment holds arbitrary bytes, either
// as the last segment or followed by a good one, and uses it. Nothing may
// panic, and the good segment must always be readable.
func FuzzOpen(f *testing.F) {
	t0 := time.Unix(1700000000, 0)
	var good []byte
	for i := range uint64(5) {
		good = encodeRecord(good, i+1, t0, []byte("reading"))
	}
	f.Add(good, false)
	f.Add(good[:len(good)-3], true)
	f.Add([]byte{}, false)
	f.Add([]byte("not a segment at all"), true)
	torn := append([]byte{}, good...)
	torn[30] ^= 1
	f.Add(torn, false)

	f.Fuzz(func(t *testing.T, data []byte, followed bool) {
		dir := t.TempDir()
		if err := os.WriteFile(segmentPath(dir, 1), data, 0o644); err != nil {
			t.Fatal(err)
		}
		if followed {
			rec := encodeRecord(nil, 1000, t0, []byte("after"))
			if err := os.WriteFile(segmentPath(dir, 1000), rec, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		o := DefaultOptions(dir)
		o.SegmentBytes = 4096
		o.MaxBytes = 1 << 20
		q, err := Open(o)
		if err != nil {
			return // refusing damaged input is fine; panicking is not
		}
		defer q.Close()

		es, err := q.ReadFrom(0, 1<<20, 0)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if followed && (len(es) == 0 || string(es[len(es)-1].Data) != "after") {
			t.Fatalf("good segment after the damaged one not read: %d entries", len(es))
		}
		idx, err := q.Append([]byte("new"))
		if err != nil || idx <= q.Acked() {
			t.Fatalf("append: %d, %v", idx, err)
		}
		if _, err := q.Stats(); err != nil {
			t.Fatalf("stats: %v", err)
		}
		if len(es) > 0 {
			if err := q.Ack(es[len(es)-1].Index); err != nil {
				t.Fatalf("ack: %v", err)
			}
		}
		if err := q.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	})
}

// FuzzScanSegment drives recovery's scan alone, far faster than FuzzOpen:
// whatever the bytes, what it reports must lie inside them.
func FuzzScanSegment(f *testing.F) {
	t0 := time.Unix(1700000000, 0)
	var good []byte
	for i := range uint64(5) {
		good = encodeRecord(good, i+1, t0, []byte("reading"))
	}
	f.Add(good)
	f.Add(good[:40])
	f.Fuzz(func(t *testing.T, b []byte) {
		r := scanSegment(b, 1, 1<<40)
		s := r.seg
		if s.size+r.tail > int64(len(b)) || s.size < 0 || r.tail < 0 {
			t.Fatalf("size %d + tail %d past %d bytes", s.size, r.tail, len(b))
		}
		if s.records > 0 && (s.first < 1 || s.last < s.first ||
			s.last-s.first+1 < uint64(s.records)) {
			t.Fatalf("records %d, first %d, last %d", s.records, s.first, s.last)
		}
		for _, m := range s.marks {
			if m.off < 0 || m.off >= s.size {
				t.Fatalf("mark at %d outside %d", m.off, s.size)
			}
		}
	})
}
