package queue

import (
	"os"
	"path/filepath"
	"testing"
)

// segmentFiles returns the paths of the segment files in dir, oldest first.
func segmentFiles(t testing.TB, dir string) []string {
	t.Helper()
	names, err := listSegments(dir)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range names {
		paths = append(paths, segmentPath(dir, n))
	}
	return paths
}

// lastNonEmpty returns the newest segment file that holds records.
func lastNonEmpty(t testing.TB, dir string) string {
	t.Helper()
	paths := segmentFiles(t, dir)
	for i := len(paths) - 1; i >= 0; i-- {
		if fi, err := os.Stat(paths[i]); err == nil && fi.Size() > 0 {
			return paths[i]
		}
	}
	t.Fatal("no segment with records")
	return ""
}

// TestTornTail cuts the last record at every byte offset, as a crash in the
// middle of its write would, and reopens.
func TestTornTail(t *testing.T) {
	o := testOptions(t)
	const n, size = 20, 40
	q := open(t, o)
	appendN(t, q, 0, n, size)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	seg := lastNonEmpty(t, o.Dir)
	fi, _ := os.Stat(seg)
	recLen := int64(headerSize + size)

	for cut := fi.Size() - recLen; cut < fi.Size(); cut++ {
		o2 := o
		o2.Dir = filepath.Join(t.TempDir(), "q")
		copyDir(t, o.Dir, o2.Dir)
		if err := os.Truncate(filepath.Join(o2.Dir, filepath.Base(seg)), cut); err != nil {
			t.Fatal(err)
		}
		q2, err := Open(o2)
		if err != nil {
			t.Fatalf("cut at %d: open: %v", cut, err)
		}
		es := readAll(t, q2, 1)
		if len(es) != n-1 {
			t.Fatalf("cut at %d: %d records, want %d", cut, len(es), n-1)
		}
		checkContiguous(t, es, 1, size)
		idx, err := q2.Append(payload(n, size))
		if err != nil || idx <= n {
			t.Fatalf("cut at %d: append gave %d, %v; want past %d", cut, idx, err, n)
		}
		st, _ := q2.Stats()
		if st.Corrupt != 0 {
			t.Fatalf("cut at %d: corrupt %d", cut, st.Corrupt)
		}
		if err := q2.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDamagedRecord flips one byte of a record in an old segment: that
// record alone is lost and counted, the rest of the queue reads.
func TestDamagedRecord(t *testing.T) {
	const perSeg, size = 10, 40
	recLen := int64(headerSize + size)
	tests := []struct {
		name string
		at   int64 // offset in the record
	}{
		{"crc", 1},
		{"length", 5},
		{"length high byte", 7},
		{"index", 9},
		{"time", 17},
		{"data", headerSize + 3},
		{"data end", recLen - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t)
			o.SegmentBytes = perSeg * recLen
			q := open(t, o)
			appendN(t, q, 0, 3*perSeg, size)
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}

			// Damage record 5 of the first segment (index 5).
			seg := segmentFiles(t, o.Dir)[0]
			b, err := os.ReadFile(seg)
			if err != nil {
				t.Fatal(err)
			}
			b[4*recLen+tt.at] ^= 0x40
			if err := os.WriteFile(seg, b, 0o644); err != nil {
				t.Fatal(err)
			}

			q = open(t, o)
			es := readAll(t, q, 1)
			if len(es) != 3*perSeg-1 {
				t.Fatalf("%d records, want %d", len(es), 3*perSeg-1)
			}
			checkContiguous(t, es[:4], 1, size)
			checkContiguous(t, es[4:], 6, size)
			if st, _ := q.Stats(); st.Corrupt != 1 {
				t.Fatalf("corrupt %d, want 1", st.Corrupt)
			}
		})
	}
}

// TestDamageAfterOpen damages a record while the queue is open: the reader
// skips to the next mark, and counts it once.
func TestDamageAfterOpen(t *testing.T) {
	const n, size = 200, 40
	o := testOptions(t)
	q := open(t, o)
	appendN(t, q, 0, n, size)
	seg := lastNonEmpty(t, o.Dir)
	f, err := os.OpenFile(seg, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Record index 11 sits at offset 10 records in.
	if _, err := f.WriteAt([]byte{0xff}, 10*(headerSize+size)+headerSize); err != nil {
		t.Fatal(err)
	}
	f.Close()

	for range 2 {
		es := readAll(t, q, 1)
		checkContiguous(t, es[:10], 1, size)
		checkContiguous(t, es[10:], markEvery+1, size)
	}
	if st, _ := q.Stats(); st.Corrupt != 1 {
		t.Fatalf("corrupt %d, want 1", st.Corrupt)
	}
}

func TestCorruptMeta(t *testing.T) {
	o := testOptions(t)
	q := open(t, o)
	appendN(t, q, 0, 5, 20)
	q.Ack(3)
	q.Close()
	if err := os.WriteFile(filepath.Join(o.Dir, metaName), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	q = open(t, o)
	if q.Acked() != 0 {
		t.Fatalf("acked %d after meta loss, want 0", q.Acked())
	}
	checkContiguous(t, readAll(t, q, 1), 1, 20)
	if idx, _ := q.Append(nil); idx != 6 {
		t.Fatalf("next index %d, want 6", idx)
	}
}
