package queue

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Errors returned by the queue.
var (
	// ErrClosed is returned by every method called after Close, and by Wait
	// when Close ends it.
	ErrClosed = errors.New("queue closed")
	// ErrTooLarge is returned by Append for a record over MaxRecordBytes, or
	// one that would not fit in MaxBytes on its own. Nothing is written.
	ErrTooLarge = errors.New("record too large")
	// ErrLocked is returned by Open when another process has the queue open.
	ErrLocked = errors.New("queue in use by another process")
	// ErrBeyondLast is returned by Ack for an index not yet appended.
	ErrBeyondLast = errors.New("index beyond the last appended")
)

// indexLease is how many indexes Append may hand out past the reserved
// mark in the meta file before it must write the file again. After an
// unclean stop the next index starts past the lease, so indexes jump by at
// most this much: a gap the center reads as "may have been lost".
const indexLease = 4096

// ackPersistEvery bounds how stale the acked cursor on disk may be. A crash
// redelivers the records acked in that time: delivery is at least once.
const ackPersistEvery = time.Second

// Queue is a durable FIFO of byte records in a directory. Its methods are
// safe for concurrent use. It is built for one writer goroutine calling
// Append and Expire, and one reader goroutine calling Wait, ReadFrom and
// Ack; ReadFrom reads files without holding the lock Append takes, so a
// slow disk read does not hold up appends.
type Queue struct {
	opts   Options
	log    *slog.Logger
	dir    string
	lock   *os.File
	epoch  int64
	stop   chan struct{}  // closed by Close to end the flusher
	flushd sync.WaitGroup // the flusher goroutine

	mu        sync.Mutex
	closed    bool
	segs      []*segment // oldest first; the last is the active one
	active    *os.File   // the last segment, open for appending
	mustRoll  bool       // the active file's end is in doubt after a write error
	bytes     int64      // bytes of all segment files
	next      uint64     // index of the next record
	head      uint64     // first index not dropped
	acked     uint64
	reserved  uint64 // indexes up to this are leased in the meta file
	metaAcked uint64 // acked as last written to the meta file
	dirty     bool   // appended since the last fsync
	dirDirty  bool   // segment created or removed since the last dir fsync
	dropped   uint64
	corrupt   uint64
	dropAge   uint64 // dropped for age, not yet logged
	dropSpace uint64 // dropped for space, not yet logged
	waiting   bool   // a Wait holds appended
	appended  chan struct{}
	buf       []byte // encoding buffer
	damaged   map[damageKey]bool
}

// Open opens the queue in opts.Dir, creating it if needed. An existing
// queue is recovered: a torn tail left by a crash in the middle of a write
// is cut off and logged, and a damaged record is skipped and counted in
// Stats.Corrupt. A damaged meta file is logged and replaced, with a new
// epoch and nothing acked.
func Open(opts Options) (*Queue, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	q := &Queue{
		opts:     opts,
		log:      opts.Logger.With("queue", opts.Dir),
		dir:      opts.Dir,
		stop:     make(chan struct{}),
		appended: make(chan struct{}),
	}

	// Create and lock the directory.
	if err := os.MkdirAll(q.dir, 0o755); err != nil {
		return nil, fmt.Errorf("create queue directory: %w", err)
	}
	lock, err := lockDir(q.dir)
	if err != nil {
		return nil, err
	}
	q.lock = lock

	if err := q.recover(); err != nil {
		q.closeFiles()
		return nil, err
	}
	q.flushd.Add(1)
	go q.flusher()
	return q, nil
}

// recover loads the meta file and the segments, and starts a new segment.
func (q *Queue) recover() error {
	// Read the meta file, or start a new epoch.
	m, err := readMeta(q.dir)
	fresh := errors.Is(err, os.ErrNotExist)
	switch {
	case fresh:
		m = meta{epoch: q.opts.Now().UnixMilli()}
	case errors.Is(err, errMetaCorrupt):
		m = meta{epoch: q.opts.Now().UnixMilli()}
		q.log.Warn("queue meta file corrupt: new epoch, redelivering all",
			"epoch", m.epoch)
	case err != nil:
		return fmt.Errorf("read meta file: %w", err)
	}
	q.epoch, q.acked, q.reserved = m.epoch, m.acked, m.reserved
	q.metaAcked = m.acked

	// Scan the segments, oldest first.
	names, err := listSegments(q.dir)
	if err != nil {
		return err
	}
	if fresh && len(names) > 0 {
		q.log.Warn("queue meta file missing: new epoch", "epoch", m.epoch)
	}
	last := uint64(0)
	for i, name := range names {
		s, err := q.recoverSegment(name, limitAfter(names, i), i == len(names)-1)
		if err != nil {
			return err
		}
		if s.records == 0 {
			if err := os.Remove(s.path); err != nil {
				return fmt.Errorf("remove empty segment: %w", err)
			}
			continue
		}
		q.segs = append(q.segs, s)
		q.bytes += s.size
		last = s.last
	}

	// Continue past everything that may have been handed out, then lease.
	q.next = max(last, q.acked, q.reserved) + 1
	q.head = q.next
	if len(q.segs) > 0 {
		q.head = q.segs[0].first
	}
	if err := q.createSegment(); err != nil {
		return err
	}
	if err := q.lease(); err != nil {
		return err
	}

	// Apply the limits now: they may have been lowered since the last run.
	q.mu.Lock()
	defer q.mu.Unlock()
	q.trim()
	q.expire(q.opts.Now())
	q.makeRoom(0)
	return nil
}

// recoverSegment scans one segment file, cuts a torn tail off the last one
// and reports damage.
func (q *Queue) recoverSegment(name, limit uint64, isLast bool) (*segment, error) {
	path := segmentPath(q.dir, name)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read segment %q: %w", path, err)
	}
	r := scanSegment(b, name, limit)
	r.seg.path = path
	if r.corrupt > 0 || r.holeBytes > 0 {
		q.corrupt += r.corrupt
		q.log.Warn("queue segment damaged: records skipped", "segment", path,
			"records", r.corrupt, "bytes", r.holeBytes)
	}
	if r.tail == 0 {
		return &r.seg, nil
	}

	// The last segment's tail is a write cut short by a crash: cut it off.
	// Anywhere else it is damage; the file is left alone, and readers stop
	// at its last good record.
	if !isLast {
		q.corrupt++
		q.log.Warn("queue segment damaged at its end: rest skipped",
			"segment", path, "offset", r.seg.size, "bytes", r.tail)
		return &r.seg, nil
	}
	if err := os.Truncate(path, r.seg.size); err != nil {
		return nil, fmt.Errorf("cut torn tail of segment %q: %w", path, err)
	}
	q.log.Warn("queue torn tail cut", "segment", path,
		"offset", r.seg.size, "bytes", r.tail, "last_index", r.seg.last)
	return &r.seg, nil
}

// createSegment starts a new active segment named for the next index. If
// only the directory fsync fails, the new segment is active all the same.
func (q *Queue) createSegment() error {
	path := segmentPath(q.dir, q.next)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("create segment %q: %w", path, err)
	}
	q.active = f
	q.mustRoll = false
	q.segs = append(q.segs, &segment{name: q.next, path: path})
	q.dirDirty = true
	if q.opts.Sync == SyncAlways {
		if err := syncDir(q.dir); err != nil {
			return fmt.Errorf("create segment %q: %w", path, err)
		}
		q.dirDirty = false
	}
	return nil
}

// lease makes sure q.next is covered by the reserved mark in the meta file.
func (q *Queue) lease() error {
	if q.next <= q.reserved {
		return nil
	}
	m := meta{epoch: q.epoch, acked: q.acked, reserved: q.next - 1 + indexLease}
	if err := writeMeta(q.dir, m); err != nil {
		return fmt.Errorf("lease indexes: %w", err)
	}
	q.reserved, q.metaAcked = m.reserved, m.acked
	return nil
}

// Epoch returns the Unix ms time at which the queue was first created.
// Indexes are unique within an epoch.
func (q *Queue) Epoch() int64 { return q.epoch }

// Append adds a record and returns its index: one more than the index of
// the record before, or more after an unclean stop (see the package doc).
// The record is written before Append returns, and with SyncAlways it is
// also fsynced.
//
// To make room, Append first drops records older than MaxAge (see Expire),
// then, while the record would take the queue past MaxBytes, deletes the
// oldest segment, acked or not. It never deletes the segment being written
// into: since a segment is closed before it grows past SegmentBytes (unless
// it holds a single larger record), and MaxBytes is at least SegmentBytes,
// deleting the others always makes room. So Bytes never exceeds MaxBytes.
//
// If the record was written but the fsync failed, Append returns its index
// with the error: the record is queued but may not survive a power cut.
func (q *Queue) Append(data []byte) (uint64, error) {
	n := headerSize + int64(len(data))
	if len(data) > MaxRecordBytes || n > q.opts.MaxBytes {
		return 0, fmt.Errorf("append %d bytes: %w", len(data), ErrTooLarge)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, ErrClosed
	}
	now := q.opts.Now()

	// Start a new segment if this one is full, then make room.
	act := q.segs[len(q.segs)-1]
	if q.mustRoll || (act.records > 0 && act.size+n > q.opts.SegmentBytes) {
		if err := q.roll(); err != nil {
			return 0, err
		}
		act = q.segs[len(q.segs)-1]
	}
	q.expire(now)
	q.makeRoom(n)
	if err := q.lease(); err != nil {
		return 0, err
	}

	// Write the record in one call; on failure take back what was written,
	// so that the next record does not follow a torn one.
	index := q.next
	q.buf = encodeRecord(q.buf[:0], index, now, data)
	if _, err := q.active.Write(q.buf); err != nil {
		if terr := q.active.Truncate(act.size); terr != nil {
			q.mustRoll = true
		}
		return 0, fmt.Errorf("append record %d: %w", index, err)
	}
	act.add(index, now.UnixNano(), n)
	q.bytes += n
	q.next++
	q.dirty = true
	if q.waiting {
		close(q.appended)
		q.appended = make(chan struct{})
		q.waiting = false
	}

	if q.opts.Sync == SyncAlways {
		if err := q.active.Sync(); err != nil {
			return index, fmt.Errorf("sync segment %q: %w", act.path, err)
		}
		q.dirty = false
	}
	return index, nil
}

// roll closes the active segment and starts a new one.
func (q *Queue) roll() error {
	old := q.active
	oldSeg := q.segs[len(q.segs)-1]
	oldPath := oldSeg.path

	// An empty segment (a first write failed) is replaced by a file of the
	// same name: forget it, or trimming it would remove the new one.
	if oldSeg.records == 0 {
		q.segs = q.segs[:len(q.segs)-1]
	}
	err := q.createSegment()
	if q.active == old {
		if oldSeg.records == 0 {
			q.segs = append(q.segs, oldSeg)
		}
		return err
	}

	// Seal the old segment: its records are fsynced before it is closed,
	// as the background fsync only knows the active one.
	if q.opts.Sync != SyncNever && q.dirty {
		if err := old.Sync(); err != nil {
			q.log.Error("queue fsync failed: recent records may not survive a power cut",
				"segment", oldPath, "err", err)
		}
	}
	if err := old.Close(); err != nil {
		q.log.Warn("queue close segment failed", "segment", oldPath, "err", err)
	}
	q.dirty = false
	return err
}

// flusher fsyncs and persists the acked cursor in the background, and
// reports drops, until Close.
func (q *Queue) flusher() {
	defer q.flushd.Done()
	period := ackPersistEvery
	if q.opts.Sync == SyncInterval {
		period = min(period, q.opts.SyncInterval)
	}
	t := time.NewTicker(period)
	defer t.Stop()
	lastMeta := time.Now()
	for {
		select {
		case <-q.stop:
			return
		case <-t.C:
		}
		if q.opts.Sync == SyncInterval {
			q.syncActive()
		}
		if time.Since(lastMeta) >= ackPersistEvery {
			lastMeta = time.Now()
			q.persistAcked()
		}
		q.logDrops()
	}
}

// syncActive fsyncs the active segment if anything was appended since the
// last time. The fsync runs without the lock, so Append is not held up; a
// roll in the meantime closes the file after syncing it itself.
func (q *Queue) syncActive() {
	q.mu.Lock()
	f, dirty, dirDirty := q.active, q.dirty, q.dirDirty
	q.dirty, q.dirDirty = false, false
	q.mu.Unlock()
	if dirDirty {
		if err := syncDir(q.dir); err != nil {
			q.log.Error("queue fsync failed: new segments may not survive a power cut",
				"err", err)
		}
	}
	if !dirty {
		return
	}
	if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
		q.log.Error("queue fsync failed: recent records may not survive a power cut",
			"err", err)
	}
}

// persistAcked writes the acked cursor to the meta file if it moved.
func (q *Queue) persistAcked() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.acked == q.metaAcked {
		return
	}
	m := meta{epoch: q.epoch, acked: q.acked, reserved: q.reserved}
	if err := writeMeta(q.dir, m); err != nil {
		q.log.Warn("queue ack cursor not saved: a crash would redeliver more",
			"err", err)
		return
	}
	q.metaAcked = m.acked
}

// Close fsyncs the active segment, saves the acked cursor, and releases
// the directory. Wait calls in progress return ErrClosed. Closing a closed
// queue does nothing.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	close(q.appended)
	q.mu.Unlock()

	// Stop the flusher before the files it uses go away.
	close(q.stop)
	q.flushd.Wait()
	q.logDrops()

	// Make the data durable, then record a clean stop: on a clean stop the
	// lease is given back, so the next index follows the last without a gap.
	var errs []error
	if err := q.active.Sync(); err != nil {
		errs = append(errs, fmt.Errorf("sync active segment: %w", err))
	}
	if err := syncDir(q.dir); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		m := meta{epoch: q.epoch, acked: q.acked, reserved: q.next - 1}
		if err := writeMeta(q.dir, m); err != nil {
			errs = append(errs, fmt.Errorf("save meta file: %w", err))
		}
	}
	errs = append(errs, q.closeFiles())
	return errors.Join(errs...)
}

// closeFiles closes the active segment and releases the lock.
func (q *Queue) closeFiles() error {
	var errs []error
	if q.active != nil {
		if err := q.active.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close active segment: %w", err))
		}
	}
	if q.lock != nil {
		if err := q.lock.Close(); err != nil {
			errs = append(errs, fmt.Errorf("release lock: %w", err))
		}
	}
	return errors.Join(errs...)
}
