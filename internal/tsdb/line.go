package tsdb

import (
	"strconv"

	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Measurement is where readings are stored. Its schema:
//
//	reading,enterprise=<id>,gateway=<id>,point=<id> value=<float>,quality="good|uncertain|bad",reason="...",seq=<int>i,replayed=<bool> <unix ms>
//
// The tags and the time identify a reading, so a reading written twice
// (redelivered by the broker, or replayed by the edge) lands on the same
// point and is stored once. value is absent for bad readings; reason is
// absent for good ones.
const Measurement = "reading"

// Batch is line protocol being collected for one write: the lines, and
// where each ends, so that a refused batch can be split.
type Batch struct {
	buf  []byte
	ends []int
}

// Len is the number of lines in b.
func (b *Batch) Len() int { return len(b.ends) }

// Bytes is the size of the batch's line protocol.
func (b *Batch) Bytes() int { return len(b.buf) }

// Reset empties b, keeping its memory.
func (b *Batch) Reset() { b.buf, b.ends = b.buf[:0], b.ends[:0] }

// Line returns line i without its newline.
func (b *Batch) Line(i int) string {
	start := 0
	if i > 0 {
		start = b.ends[i-1] + 1
	}
	return string(b.buf[start:b.ends[i]])
}

// body returns lines [from, to) as one write body.
func (b *Batch) body(from, to int) string {
	start := 0
	if from > 0 {
		start = b.ends[from-1] + 1
	}
	return string(b.buf[start:b.ends[to-1]])
}

// AddReading appends the line of one reading. The ids must have passed
// wire.CheckID, which allows no character that line protocol escapes.
func (b *Batch) AddReading(ent, gw string, seq uint64, replayed bool, r *wire.Reading) {
	if len(b.ends) > 0 {
		b.buf = append(b.buf, '\n')
	}
	b.buf = append(b.buf, Measurement+",enterprise="...)
	b.buf = append(b.buf, ent...)
	b.buf = append(b.buf, ",gateway="...)
	b.buf = append(b.buf, gw...)
	b.buf = append(b.buf, ",point="...)
	b.buf = append(b.buf, r.Point...)
	b.buf = append(b.buf, ' ')
	if r.Value != nil {
		b.buf = append(b.buf, "value="...)
		b.buf = strconv.AppendFloat(b.buf, *r.Value, 'g', -1, 64)
		b.buf = append(b.buf, ',')
	}
	b.buf = append(b.buf, `quality="`...)
	b.buf = append(b.buf, r.Quality.String()...)
	b.buf = append(b.buf, '"')
	if r.Reason != "" {
		b.buf = append(b.buf, `,reason=`...)
		b.buf = appendFieldString(b.buf, r.Reason)
	}
	b.buf = append(b.buf, ",seq="...)
	b.buf = strconv.AppendUint(b.buf, seq, 10)
	b.buf = append(b.buf, "i,replayed="...)
	b.buf = strconv.AppendBool(b.buf, replayed)
	b.buf = append(b.buf, ' ')
	b.buf = strconv.AppendInt(b.buf, r.Time, 10)
	b.ends = append(b.ends, len(b.buf))
}

// AddLine appends a line built elsewhere (for example an alarm event).
func (b *Batch) AddLine(line string) {
	if len(b.ends) > 0 {
		b.buf = append(b.buf, '\n')
	}
	b.buf = append(b.buf, line...)
	b.ends = append(b.ends, len(b.buf))
}

// appendFieldString quotes s as a line protocol string field value.
func appendFieldString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, ' ')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
