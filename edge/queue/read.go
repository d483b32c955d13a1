package queue

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"time"
)

// Entry is a record read from the queue.
type Entry struct {
	// Index is the record's index, its sequence number within the epoch.
	Index uint64
	// Time is when the record was appended.
	Time time.Time
	// Data is the record's content; the caller may keep it.
	Data []byte
}

// segView is what a reader needs of a segment, copied under the lock so
// the files can be read without it. Records are never rewritten, so the
// bytes up to size stay as they were when the view was taken.
type segView struct {
	path  string
	size  int64
	last  uint64
	marks []mark
}

// readBatch collects the entries of one ReadFrom.
type readBatch struct {
	start    uint64
	max      int
	maxBytes int
	bytes    int
	out      []Entry
}

// full reports whether a record of n more bytes would not fit.
func (b *readBatch) full(n int) bool {
	if len(b.out) >= b.max {
		return true
	}
	return b.maxBytes > 0 && len(b.out) > 0 && b.bytes+n > b.maxBytes
}

// ReadFrom returns up to maxRecords records with an index of at least index, in
// order, without removing them: a publisher reads ahead while earlier
// records are still in flight, and acks them later. If index was dropped
// (or is 0), reading starts at the oldest record kept. maxBytes caps the
// data returned, though the first record is returned whatever its size;
// zero means no cap. ReadFrom returns no entries when there are none yet:
// Wait for them.
//
// A damaged record met on the way, beyond those recovery already found, is
// skipped with the records up to the next mark (at most 64), logged and
// counted in Stats.Corrupt.
func (q *Queue) ReadFrom(index uint64, maxRecords, maxBytes int) ([]Entry, error) {
	if maxRecords <= 0 {
		return nil, nil
	}

	// Take a view of the segments that hold what is asked for.
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil, ErrClosed
	}
	b := &readBatch{start: max(index, q.head), max: maxRecords, maxBytes: maxBytes}
	var views []segView
	for _, s := range q.segs {
		if s.records > 0 && s.last >= b.start {
			views = append(views, segView{s.path, s.size, s.last, s.marks})
		}
	}
	q.mu.Unlock()

	// Read them without the lock.
	for _, v := range views {
		if err := q.readSegment(v, b); err != nil {
			return b.out, err
		}
		if len(b.out) >= b.max || (b.maxBytes > 0 && b.bytes >= b.maxBytes) {
			break
		}
	}
	return b.out, nil
}

// readSegment adds the records of v from b.start on to b.
func (q *Queue) readSegment(v segView, b *readBatch) error {
	f, err := os.Open(v.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // dropped or acked since the view was taken
	}
	if err != nil {
		return fmt.Errorf("open segment %q: %w", v.path, err)
	}
	defer f.Close()

	// Start at the last mark at or before b.start.
	mi := max(sort.Search(len(v.marks), func(i int) bool {
		return v.marks[i].index > b.start
	})-1, 0)
	for mi < len(v.marks) {
		bad, err := q.readRun(f, v, v.marks[mi], b)
		if err != nil || bad < 0 {
			return err
		}

		// A damaged record at offset bad: go on at the next mark.
		next := sort.Search(len(v.marks), func(i int) bool { return v.marks[i].off > bad })
		known := next < len(v.marks) && v.marks[next].hole
		if !known {
			q.reportDamage(v.path, bad)
		}
		mi = next
	}
	return nil
}

// readRun reads records from mark m on until b is full or the segment
// ends, and returns -1; or the offset of a damaged record it met.
func (q *Queue) readRun(f *os.File, v segView, m mark, b *readBatch) (int64, error) {
	off := m.off
	prev := m.index - 1
	r := bufio.NewReaderSize(io.NewSectionReader(f, off, v.size-off), 64<<10)
	hb := make([]byte, headerSize)
	for off < v.size {
		// Read and check the header.
		if _, err := io.ReadFull(r, hb); err != nil {
			return short(off, err, v.path)
		}
		h := decodeHeader(hb)
		n := headerSize + int64(h.size)
		if h.index <= prev || h.index > v.last || h.size > MaxRecordBytes ||
			off+n > v.size {
			return off, nil
		}

		// Pass over records before the start; stop when full.
		if h.index < b.start {
			if _, err := r.Discard(int(h.size)); err != nil {
				return short(off, err, v.path)
			}
			off, prev = off+n, h.index
			continue
		}
		if b.full(int(h.size)) {
			return -1, nil
		}

		// Read and check the data.
		data := make([]byte, h.size)
		if _, err := io.ReadFull(r, data); err != nil {
			return short(off, err, v.path)
		}
		if !h.check(hb, data) {
			return off, nil
		}
		b.out = append(b.out, Entry{Index: h.index, Time: h.time(), Data: data})
		b.bytes += len(data)
		off, prev = off+n, h.index
	}
	return -1, nil
}

// short tells a file cut shorter than expected, which is damage at off,
// from a failing read, which is an error.
func short(off int64, err error, path string) (int64, error) {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return off, nil
	}
	return 0, fmt.Errorf("read segment %q: %w", path, err)
}

// damageKey names a damaged record found by a reader.
type damageKey struct {
	path string
	off  int64
}

// reportDamage counts and logs a damaged record the first time a reader
// meets it; a publisher rereading after a reconnect does not count it
// again.
func (q *Queue) reportDamage(path string, off int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := damageKey{path, off}
	if q.damaged[k] {
		return
	}
	if q.damaged == nil {
		q.damaged = make(map[damageKey]bool)
	}
	q.damaged[k] = true
	q.corrupt++
	q.log.Error("queue damaged record skipped with those up to the next mark",
		"segment", path, "offset", off)
}

// Wait returns when a record with an index of at least index has been
// appended (at once if one has), when ctx ends with its error, or when the
// queue is closed with ErrClosed. It lets the publisher sleep rather than
// poll: Wait(ctx, last+1), then ReadFrom(last+1, ...).
func (q *Queue) Wait(ctx context.Context, index uint64) error {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return ErrClosed
		}
		if q.next > index {
			q.mu.Unlock()
			return nil
		}
		ch := q.appended
		q.waiting = true
		q.mu.Unlock()

		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
