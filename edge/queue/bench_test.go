package queue

import (
	"path/filepath"
	"testing"
)

const benchRecordSize = 300

func BenchmarkAppend(b *testing.B) {
	for _, p := range []SyncPolicy{SyncInterval, SyncAlways, SyncNever} {
		b.Run(p.String(), func(b *testing.B) {
			o := DefaultOptions(filepath.Join(b.TempDir(), "q"))
			o.Sync = p
			q := open(b, o)
			data := payload(0, benchRecordSize)
			b.SetBytes(benchRecordSize)
			b.ResetTimer()
			for b.Loop() {
				if _, err := q.Append(data); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkReadAck measures the publisher's side: reading batches of 100
// records and acking them, segments deleted as they empty.
func BenchmarkReadAck(b *testing.B) {
	o := DefaultOptions(filepath.Join(b.TempDir(), "q"))
	o.Sync = SyncNever
	q := open(b, o)
	data := payload(0, benchRecordSize)
	for range b.N {
		if _, err := q.Append(data); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(benchRecordSize)
	b.ResetTimer()
	next, n := uint64(1), 0
	for n < b.N {
		es, err := q.ReadFrom(next, 100, 0)
		if err != nil || len(es) == 0 {
			b.Fatalf("read %d: %d entries, %v", next, len(es), err)
		}
		next = es[len(es)-1].Index + 1
		n += len(es)
		if err := q.Ack(next - 1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
