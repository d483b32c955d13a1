package monitor

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
)

// fakeInflux stands in for the InfluxDB writer, which has its own tests
// against a real InfluxDB; it hands every written line to a channel.
type fakeInflux struct{ lines chan string }

func (w *fakeInflux) Write(_ context.Context, b *tsdb.Batch) (int, error) {
	for i := range b.Len() {
		w.lines <- b.Line(i)
	}
	return 0, nil
}

func TestAnnotationQueueDropsOldest(t *testing.T) {
	dropped := prometheus.NewCounter(prometheus.CounterOpts{Name: "d"})
	q := newAnnotationQueue(&fakeInflux{}, 3, slog.New(slog.DiscardHandler),
		dropped)
	for _, l := range []string{"a", "b", "c", "d", "e"} {
		q.push(l)
	}
	var b tsdb.Batch
	if n := q.take(&b, 10); n != 3 || b.Line(0) != "c" || b.Line(2) != "e" {
		t.Fatalf("took %d lines, first %q", n, b.Line(0))
	}
	if got := counterValue(dropped); got != 2 {
		t.Errorf("dropped %v, want 2", got)
	}
}

func TestAnnotationsWritten(t *testing.T) {
	f := newFixture(t, storetest.Open(t, store.SQLite), nil)
	w := &fakeInflux{lines: make(chan string, 16)}
	f.deps.Annotations = w
	f.m = f.newMonitor()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- f.m.Run(ctx) }()
	defer func() { cancel(); <-done }()

	f.send("GT-101", 30)
	select {
	case line := <-w.lines:
		want := "alarm_event,enterprise=" + ent + ",point=GT-101," +
			`condition=high kind="activated",state="unacked",level=1i,` +
			`value=30,episode=1i,late=false,actor="" ` +
			"1740816000000"
		if line != want {
			t.Fatalf("line\n%s\nwant\n%s", line, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no annotation written")
	}
}

func TestAnnotationEscapes(t *testing.T) {
	v := EventView{Enterprise: "e", Point: "a b,c", Condition: "high",
		Kind: "acked", State: "acked", Actor: `li "wei"`, Time: t0}
	line := annotationLine(v)
	if !strings.Contains(line, `point=a\ b\,c`) ||
		!strings.Contains(line, `actor="li \"wei\""`) {
		t.Fatalf("line %s", line)
	}
}
