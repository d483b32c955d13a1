package monitor

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/tsdb"
)

// AnnotationMeasurement is the InfluxDB measurement of alarm events:
//
//	alarm_event,enterprise=<id>,point=<id|gateway:id>,condition=<name> kind="activated",state="unacked",level=2i,value=55,episode=3i,late=false,actor="" <unix ms>
//
// It annotates trends; the SQL journal is the record.
const AnnotationMeasurement = "alarm_event"

// annotationBatch is the most lines one write takes.
const annotationBatch = 500

// flushTimeout bounds the last write when Run ends.
const flushTimeout = 5 * time.Second

// annotationQueue holds alarm events for InfluxDB in a ring. When it is
// full the oldest line goes: annotations are a convenience, and the
// newest events are the ones an operator looks at. Drops are counted at
// once and logged once per overflow, with their number.
type annotationQueue struct {
	w       AnnotationWriter
	log     *slog.Logger
	dropped prometheus.Counter
	wake    chan struct{}

	mu      sync.Mutex
	buf     []string
	head, n int
	lost    int // dropped since the last log line
}

func newAnnotationQueue(w AnnotationWriter, size int, log *slog.Logger,
	dropped prometheus.Counter) *annotationQueue {
	return &annotationQueue{w: w, log: log, dropped: dropped,
		wake: make(chan struct{}, 1), buf: make([]string, size)}
}

// push queues one line without blocking.
func (q *annotationQueue) push(line string) {
	q.mu.Lock()
	if q.n == len(q.buf) {
		q.head = (q.head + 1) % len(q.buf)
		q.n--
		q.lost++
		q.dropped.Inc()
	}
	q.buf[(q.head+q.n)%len(q.buf)] = line
	q.n++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take moves up to limit queued lines into b and reports how many.
func (q *annotationQueue) take(b *tsdb.Batch, limit int) int {
	q.mu.Lock()
	lost := q.lost
	q.lost = 0
	k := min(q.n, limit)
	for range k {
		b.AddLine(q.buf[q.head])
		q.buf[q.head] = ""
		q.head = (q.head + 1) % len(q.buf)
		q.n--
	}
	q.mu.Unlock()
	if lost > 0 {
		q.log.Warn("annotation queue full, oldest alarm events dropped",
			"dropped", lost)
	}
	return k
}

// run writes queued lines until ctx ends, then makes one last attempt
// with what is left.
func (q *annotationQueue) run(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx),
				flushTimeout)
			defer cancel()
			q.drain(fctx)
			return
		case <-q.wake:
			q.drain(ctx)
		}
	}
}

// drain writes batches until the queue is empty or ctx ends. The writer
// retries until ctx ends, so a batch it could not store is lost only at
// shutdown.
func (q *annotationQueue) drain(ctx context.Context) {
	var b tsdb.Batch
	for {
		b.Reset()
		if q.take(&b, annotationBatch) == 0 {
			return
		}
		if _, err := q.w.Write(ctx, &b); err != nil {
			q.log.Warn("alarm annotations not written", "lines", b.Len(),
				"err", err)
			return
		}
	}
}

// annotationLine returns the line protocol of an alarm event.
func annotationLine(v EventView) string {
	var b strings.Builder
	b.WriteString(AnnotationMeasurement + ",enterprise=")
	writeTag(&b, v.Enterprise)
	b.WriteString(",point=")
	writeTag(&b, v.Point)
	b.WriteString(",condition=")
	writeTag(&b, v.Condition)
	b.WriteString(" kind=")
	writeField(&b, v.Kind)
	b.WriteString(",state=")
	writeField(&b, v.State)
	b.WriteString(",level=" + strconv.Itoa(v.Level) + "i,value=")
	b.WriteString(strconv.FormatFloat(v.Value, 'g', -1, 64))
	b.WriteString(",episode=" + strconv.FormatUint(v.Episode, 10) + "i")
	b.WriteString(",late=" + strconv.FormatBool(v.Late) + ",actor=")
	writeField(&b, v.Actor)
	b.WriteString(" " + strconv.FormatInt(v.Time.UnixMilli(), 10))
	return b.String()
}

// writeTag escapes what line protocol escapes in a tag value. Ids pass
// wire.CheckID and need none; the escape is for safety.
func writeTag(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ',', '=', ' ', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
}

// writeField writes s as a quoted string field value.
func writeField(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
}
