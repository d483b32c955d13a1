package tsdb

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/hazardwatch/hazardwatch/internal/testsvc"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

func newTestWriter(t *testing.T, in *testsvc.Influx) (*Writer, *prometheus.Registry) {
	t.Helper()
	cfg := DefaultConfig()
	cfg.URL, cfg.Bucket, cfg.CreateDatabase = in.URL(), "hwtest/autogen", true
	cfg.RetryMin, cfg.RetryMax = 50*time.Millisecond, 500*time.Millisecond
	reg := prometheus.NewRegistry()
	w, err := NewWriter(context.Background(), cfg, slog.New(slog.DiscardHandler), reg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w, reg
}

// count asks InfluxDB how many readings of point are stored.
func count(t *testing.T, in *testsvc.Influx, point string) int {
	t.Helper()
	q := url.Values{"db": {"hwtest"}, "q": {fmt.Sprintf(
		`SELECT count(quality) FROM reading WHERE point='%s'`, point)}}
	resp, err := http.Get(in.URL() + "/query?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	s := string(b)
	i := strings.LastIndex(s, ",")
	if i < 0 || !strings.Contains(s, `"values"`) {
		return 0
	}
	var n int
	fmt.Sscanf(s[i+1:], "%d", &n)
	return n
}

func readings(point string, n int, start int64) *Batch {
	var b Batch
	for i := 0; i < n; i++ {
		v := float64(i)
		b.AddReading("E1", "gw-1", uint64(i+1), false,
			&wire.Reading{Point: point, Time: start + int64(i), Value: &v, Quality: wire.Good})
	}
	return &b
}

func TestWriterStoresAndIsIdempotent(t *testing.T) {
	in := testsvc.StartInflux(t)
	w, _ := newTestWriter(t, in)
	b := readings("p1", 1000, 1_700_000_000_000)
	for range 2 { // the same batch twice lands on the same points
		if dropped, err := w.Write(context.Background(), b); err != nil || dropped != 0 {
			t.Fatalf("Write = %d, %v", dropped, err)
		}
	}
	if n := count(t, in, "p1"); n != 1000 {
		t.Fatalf("stored %d readings, want 1000", n)
	}
}

// A line InfluxDB refuses (here: a field type conflict) is narrowed down
// and dropped alone; the good lines beside it are stored.
func TestWriterDropsOnlyRefusedLines(t *testing.T) {
	in := testsvc.StartInflux(t)
	w, reg := newTestWriter(t, in)
	if _, err := w.Write(context.Background(), readings("p2", 1, 1_700_000_000_000)); err != nil {
		t.Fatal(err)
	}
	b := readings("p2", 100, 1_700_000_001_000)
	b.AddLine(`reading,enterprise=E1,gateway=gw-1,point=p2 value="text",quality="good" 1700000002000`)
	more := readings("p2", 100, 1_700_000_003_000)
	for i := range more.Len() {
		b.AddLine(more.Line(i))
	}
	dropped, err := w.Write(context.Background(), b)
	if err != nil || dropped != 1 {
		t.Fatalf("Write = %d dropped, %v; want 1 dropped", dropped, err)
	}
	if n := count(t, in, "p2"); n != 201 {
		t.Fatalf("stored %d readings, want 201", n)
	}
	if got := testutil.ToFloat64(w.m.dropped); got != 1 {
		t.Fatalf("hw_tsdb_lines_dropped_total = %v", got)
	}
	_ = reg
}

// While InfluxDB is down the writer retries; once it is back the batch is
// stored in full.
func TestWriterRetriesUntilInfluxIsBack(t *testing.T) {
	in := testsvc.StartInflux(t)
	w, _ := newTestWriter(t, in)
	if _, err := w.Write(context.Background(), readings("warm", 1, 1_700_000_000_000)); err != nil {
		t.Fatal(err)
	}
	in.Stop()
	done := make(chan error, 1)
	go func() {
		_, err := w.Write(context.Background(), readings("p3", 500, 1_700_000_000_000))
		done <- err
	}()
	// The write must be failing and retrying before InfluxDB returns.
	deadline := time.Now().Add(30 * time.Second)
	for testutil.ToFloat64(w.m.requests.WithLabelValues("retry")) < 2 {
		if time.Now().After(deadline) {
			t.Fatal("writer did not retry")
		}
		time.Sleep(20 * time.Millisecond)
	}
	in.Start()
	if err := <-done; err != nil {
		t.Fatalf("Write: %v", err)
	}
	if n := count(t, in, "p3"); n != 500 {
		t.Fatalf("stored %d readings, want 500", n)
	}
}

// A cancelled context ends the retries with its error, so that a
// shutting-down center leaves the messages unacknowledged.
func TestWriterStopsRetryingOnCancel(t *testing.T) {
	in := testsvc.StartInflux(t)
	w, _ := newTestWriter(t, in)
	in.Stop()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	if _, err := w.Write(ctx, readings("p4", 10, 1)); err == nil {
		t.Fatal("Write succeeded with InfluxDB down")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		mut  func(*Config)
		want string
	}{
		{func(c *Config) { c.URL = "127.0.0.1:8086" }, "influx.url"},
		{func(c *Config) { c.Bucket = "" }, "influx.bucket"},
		{func(c *Config) { c.Timeout = 0 }, "influx.timeout"},
		{func(c *Config) { c.RetryMax = c.RetryMin / 2 }, "retry_max"},
	} {
		c := DefaultConfig()
		tc.mut(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Validate = %v, want mention of %s", err, tc.want)
		}
	}
}
