package queue

import (
	"fmt"
	"os"
	"slices"
	"time"
)

// Ack marks every record with an index up to index as delivered. Segments
// holding only delivered records, other than the one being written, are
// deleted at once. The cursor reaches the meta file within about a second
// (and at Close), so a crash may redeliver the records acked in the last
// second: delivery is at least once, and the center drops duplicates by
// epoch and index. Acking an index at or below Acked does nothing.
func (q *Queue) Ack(index uint64) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	if index >= q.next {
		return fmt.Errorf("ack %d, last %d: %w", index, q.next-1, ErrBeyondLast)
	}
	if index <= q.acked {
		return nil
	}
	q.acked = index
	q.trim()
	return nil
}

// Acked returns the highest index acked.
func (q *Queue) Acked() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.acked
}

// Last returns the index of the last record appended, or the index before
// the first one this queue will hand out if it has none.
func (q *Queue) Last() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.next - 1
}

// Expire drops the records older than MaxAge, oldest first; Append does
// the same. A record is dropped once it and every record before it are
// older than MaxAge. The check is made on the in-memory marks, which are
// up to 64 records apart, so a record may outlive MaxAge until a later
// record within 64 of it is old as well; a whole segment goes as soon as
// its newest record is old. The agent calls Expire periodically so that
// old records go even when nothing is appended.
func (q *Queue) Expire() error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return ErrClosed
	}
	q.expire(q.opts.Now())
	return nil
}

// expire drops records older than MaxAge at now.
func (q *Queue) expire(now time.Time) {
	if q.opts.MaxAge <= 0 {
		return
	}
	cutoff := now.Add(-q.opts.MaxAge).UnixNano()
	for _, s := range q.segs {
		if s.records == 0 {
			continue
		}
		if s.lastTime < cutoff {
			q.dropTo(s.last+1, &q.dropAge)
			continue
		}

		// Partly old: drop up to and including the last old mark.
		i := slices.IndexFunc(s.marks, func(m mark) bool { return m.nanos >= cutoff })
		if i < 0 {
			i = len(s.marks)
		}
		if i > 0 {
			q.dropTo(s.marks[i-1].index+1, &q.dropAge)
		}
		break
	}
	q.trim()
}

// makeRoom deletes the oldest segments, other than the active one, while
// n more bytes would take the queue past MaxBytes.
func (q *Queue) makeRoom(n int64) {
	for q.bytes+n > q.opts.MaxBytes && len(q.segs) > 1 {
		s := q.segs[0]
		if s.records > 0 {
			q.dropTo(s.last+1, &q.dropSpace)
		}
		q.removeOldest()
	}
}

// dropTo moves the head up to index h, counting the unacked records it
// passes as dropped, in Stats and in *reason for the log.
func (q *Queue) dropTo(h uint64, reason *uint64) {
	if h <= q.head {
		return
	}
	n := q.countRange(max(q.head, q.acked+1), h-1)
	q.dropped += n
	*reason += n
	q.head = h
}

// trim deletes the oldest segments, other than the active one, that hold
// no record still to deliver.
func (q *Queue) trim() {
	for len(q.segs) > 1 {
		s := q.segs[0]
		if s.records > 0 && s.last > q.acked && s.last >= q.head {
			return
		}
		q.removeOldest()
	}
}

// removeOldest deletes the oldest segment. A file that cannot be removed
// is forgotten all the same: it is logged, and reappears at the next Open,
// where its records, already acked or dropped, are delivered again.
func (q *Queue) removeOldest() {
	s := q.segs[0]
	q.segs[0] = nil
	q.segs = q.segs[1:]
	q.bytes -= s.size
	if err := os.Remove(s.path); err != nil {
		q.log.Warn("queue remove segment failed", "segment", s.path, "err", err)
	}
	q.dirDirty = true
}

// countRange counts the records held with an index in [lo, hi]. Records
// lost to damage inside a segment are counted as if present.
func (q *Queue) countRange(lo, hi uint64) uint64 {
	n := uint64(0)
	for _, s := range q.segs {
		if s.records == 0 {
			continue
		}
		a, b := max(lo, s.first), min(hi, s.last)
		if a <= b {
			n += b - a + 1
		}
	}
	return n
}

// logDrops logs the records dropped since the last call, once for the lot,
// so that a queue dropping for hours logs at most once a second.
func (q *Queue) logDrops() {
	q.mu.Lock()
	age, space, total := q.dropAge, q.dropSpace, q.dropped
	q.dropAge, q.dropSpace = 0, 0
	q.mu.Unlock()
	if age+space > 0 {
		q.log.Error("queue dropped undelivered records",
			"too_old", age, "over_capacity", space, "dropped_total", total)
	}
}

// Stats describes a queue at one moment.
type Stats struct {
	// Records is the number of records neither acked nor dropped.
	Records uint64
	// Bytes is the size of the segment files on disk.
	Bytes int64
	// Oldest is the append time of the oldest record in Records; zero if
	// there is none.
	Oldest time.Time
	// Dropped counts the records dropped unacked, for age or space, since
	// Open.
	Dropped uint64
	// Corrupt counts the records found damaged and skipped since Open. A
	// damaged stretch whose records cannot be told apart counts as one.
	Corrupt uint64
	// Segments is the number of segment files.
	Segments int
}

// Stats returns the queue's figures. Finding Oldest reads one record.
func (q *Queue) Stats() (Stats, error) {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return Stats{}, ErrClosed
	}
	from := max(q.head, q.acked+1)
	st := Stats{
		Records:  q.countRange(from, q.next-1),
		Bytes:    q.bytes,
		Dropped:  q.dropped,
		Corrupt:  q.corrupt,
		Segments: len(q.segs),
	}
	q.mu.Unlock()

	if st.Records > 0 {
		es, err := q.ReadFrom(from, 1, 0)
		if err != nil {
			return st, fmt.Errorf("read oldest record: %w", err)
		}
		if len(es) > 0 {
			st.Oldest = es[0].Time
		}
	}
	return st, nil
}
