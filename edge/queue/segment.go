package queue

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const segmentExt = ".seg"

// markEvery is how many records apart the in-memory marks are. ReadFrom
// reads at most this many records it does not return, and Expire drops for
// age in steps of at most this many records. A mark costs 32 bytes, so a
// 16 MiB segment of 300-byte records carries about 27 KiB of marks.
const markEvery = 64

// mark locates one record in a segment file, so a reader can start there
// instead of at the beginning.
type mark struct {
	index uint64
	off   int64
	nanos int64 // the record's append time
	// hole says the bytes before this record are a damaged stretch already
	// counted by recovery, so a reader skipping them says nothing.
	hole bool
}

// segment is one file of records. Within a segment, indexes are
// contiguous as written: a hole in them is a damaged record.
type segment struct {
	// name is the index the segment was created for, and its file name.
	name    uint64
	path    string
	records int    // good records in the file
	first   uint64 // index of the first good record, if records > 0
	last    uint64 // index of the last good record, if records > 0
	// size is the end of the last good record. Readers stop there and
	// Append writes there.
	size     int64
	lastTime int64 // append time of the last record, Unix ns
	marks    []mark
}

func segmentPath(dir string, name uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%020d%s", name, segmentExt))
}

// add accounts for a record of n bytes written at the end of s.
func (s *segment) add(index uint64, nanos int64, n int64) {
	if s.records%markEvery == 0 {
		s.marks = append(s.marks, mark{index: index, off: s.size, nanos: nanos})
	}
	if s.records == 0 {
		s.first = index
	}
	s.records++
	s.last = index
	s.size += n
	s.lastTime = nanos
}

// listSegments returns the segment names in dir, oldest first.
func listSegments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list %q: %w", dir, err)
	}
	var names []uint64
	for _, e := range ents {
		base, ok := strings.CutSuffix(e.Name(), segmentExt)
		if !ok || !e.Type().IsRegular() {
			continue
		}
		n, err := strconv.ParseUint(base, 10, 64)
		if err != nil || n == 0 {
			continue // not ours
		}
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

// scanResult is what recovery learns from one segment file.
type scanResult struct {
	seg segment
	// corrupt counts records lost to damage: the holes in the indexes, and
	// one for a damaged stretch whose records cannot be counted.
	corrupt uint64
	// holeBytes is the number of damaged bytes skipped between good records.
	holeBytes int64
	// tail is the number of bytes after the last good record that hold no
	// good record: a torn write, or damage.
	tail int64
}

// scanSegment finds the good records of a segment file's content b. Indexes
// must lie in [name, limit) and increase; limit is the next segment's name.
// A record that fails its checks is skipped by searching forward, byte by
// byte, for the next good one, so one damaged record costs only itself.
func scanSegment(b []byte, name, limit uint64) scanResult {
	r := scanResult{seg: segment{name: name}}
	s := &r.seg
	next := name // the index the next record should carry
	off := int64(0)
	for off < int64(len(b)) {
		h, n, ok := goodRecordAt(b, off, next, next, limit)
		if ok {
			s.add(h.index, h.nanos, n)
			next = h.index + 1
			off += n
			continue
		}

		// Damage at off: look for the next good record behind it.
		at, h, found := resync(b, off, next, limit)
		if !found {
			r.tail = int64(len(b)) - off
			break
		}
		r.corrupt += max(h.index-next, 1)
		r.holeBytes += at - off
		s.size = at
		n = headerSize + int64(h.size)
		s.addAfterHole(h.index, h.nanos, n)
		next = h.index + 1
		off = at + n
	}
	return r
}

// addAfterHole accounts for the first good record after a damaged stretch,
// marking it so readers can jump over the stretch.
func (s *segment) addAfterHole(index uint64, nanos int64, n int64) {
	s.marks = append(s.marks, mark{index: index, off: s.size, nanos: nanos, hole: true})
	if s.records == 0 {
		s.first = index
	}
	s.records++
	s.last = index
	s.size += n
	s.lastTime = nanos
}

// goodRecordAt checks the record at off of b: whole, CRC-valid, with an
// index in [lo, hi] and below limit. It returns the header and the
// record's length on disk.
func goodRecordAt(b []byte, off int64, lo, hi, limit uint64) (header, int64, bool) {
	if int64(len(b))-off < headerSize {
		return header{}, 0, false
	}
	hb := b[off : off+headerSize]
	h := decodeHeader(hb)
	if h.index < lo || h.index > hi || h.index >= limit ||
		h.size > MaxRecordBytes ||
		int64(h.size) > int64(len(b))-off-headerSize {
		return header{}, 0, false
	}
	data := b[off+headerSize : off+headerSize+int64(h.size)]
	if !h.check(hb, data) {
		return header{}, 0, false
	}
	return h, headerSize + int64(h.size), true
}

// resync searches b after the damage at off for the next good record. Its
// index is at least next, and at most next plus the number of headers the
// skipped bytes could have held, since indexes in a segment are contiguous.
func resync(b []byte, off int64, next, limit uint64) (int64, header, bool) {
	for at := off + 1; at+headerSize <= int64(len(b)); at++ {
		hi := next + uint64((at-off)/headerSize)
		if h, _, ok := goodRecordAt(b, at, next, hi, limit); ok {
			return at, h, true
		}
	}
	return 0, header{}, false
}

// limitAfter returns the index limit for the segment at position i of
// names: the next segment's name, or no limit for the last one.
func limitAfter(names []uint64, i int) uint64 {
	if i+1 < len(names) {
		return names[i+1]
	}
	return math.MaxUint64
}
