// Package tsdb stores readings and alarm events in InfluxDB through
// influxdb-client-go/v2 and reads them back. It targets InfluxDB 2.x and
// also runs against InfluxDB 1.8 with Flux enabled, which serves the same
// /api/v2 write and query endpoints.
package tsdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	influxdb2 "github.com/influxdata/influxdb-client-go/v2"
	"github.com/influxdata/influxdb-client-go/v2/api"
	ihttp "github.com/influxdata/influxdb-client-go/v2/api/http"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/hazardwatch/hazardwatch/internal/secret"
)

// Config says where readings go.
type Config struct {
	// URL of the InfluxDB HTTP API.
	URL string `yaml:"url"`
	// Token is an InfluxDB 2 API token; for InfluxDB 1.8 "user:password",
	// or empty without authentication.
	Token secret.String `yaml:"token"`
	// Org is the InfluxDB 2 organisation; InfluxDB 1.8 ignores it.
	Org string `yaml:"org"`
	// Bucket is the InfluxDB 2 bucket; for InfluxDB 1.8
	// "database/retention-policy" or just "database".
	Bucket string `yaml:"bucket"`
	// CreateDatabase creates the database over the 1.x /query endpoint at
	// start and whenever a write finds it missing. InfluxDB 1.8 only.
	CreateDatabase bool `yaml:"create_database"`
	// Timeout of one write or query request.
	Timeout time.Duration `yaml:"timeout"`
	// RetryMin and RetryMax bound the backoff between retried writes.
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
}

// DefaultConfig returns the settings of a local InfluxDB 1.8.
func DefaultConfig() Config {
	return Config{
		URL:      "http://127.0.0.1:8086",
		Org:      "hazardwatch",
		Bucket:   "hazardwatch/autogen",
		Timeout:  10 * time.Second,
		RetryMin: 200 * time.Millisecond,
		RetryMax: 30 * time.Second,
	}
}

// Validate checks the settings against each other and names the key.
func (c Config) Validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("influx.url: %q is not an http(s) URL", c.URL)
	case c.Bucket == "":
		return errors.New("influx.bucket: empty")
	case c.Timeout <= 0:
		return errors.New("influx.timeout: must be positive")
	case c.RetryMin <= 0 || c.RetryMax < c.RetryMin:
		return fmt.Errorf("influx.retry_min %v and retry_max %v: want 0 < retry_min <= retry_max",
			c.RetryMin, c.RetryMax)
	}
	return nil
}

// Writer writes batches of line protocol, retrying what may succeed later
// and dropping only lines that InfluxDB refuses as malformed.
type Writer struct {
	cfg    Config
	client influxdb2.Client
	api    api.WriteAPIBlocking
	log    *slog.Logger
	m      writerMetrics
	// sleep waits between retries; tests replace it.
	sleep func(context.Context, time.Duration) error
}

type writerMetrics struct {
	requests *prometheus.CounterVec
	lines    prometheus.Counter
	dropped  prometheus.Counter
	duration prometheus.Histogram
	retrying prometheus.Gauge
}

func newWriterMetrics(reg prometheus.Registerer) writerMetrics {
	m := writerMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "hw_tsdb_write_requests_total",
			Help: "Write requests to InfluxDB by result: ok, retry (failed, will be retried) or refused (malformed, split or dropped).",
		}, []string{"result"}),
		lines: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_tsdb_lines_written_total",
			Help: "Lines of line protocol that InfluxDB accepted.",
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "hw_tsdb_lines_dropped_total",
			Help: "Lines that InfluxDB refused as malformed, dropped after narrowing the batch down to them.",
		}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "hw_tsdb_write_duration_seconds",
			Help:    "Duration of successful write requests.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 14),
		}),
		retrying: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "hw_tsdb_write_retrying",
			Help: "1 while the writer is retrying a failed write, 0 otherwise.",
		}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.lines, m.dropped, m.duration, m.retrying)
	}
	return m
}

// NewWriter connects nothing yet: the first write opens the connection.
// With CreateDatabase it creates the database first, so that a failing
// InfluxDB shows at start; a failure there is logged, not fatal, because
// the writer retries until InfluxDB is back.
func NewWriter(ctx context.Context, cfg Config, log *slog.Logger, reg prometheus.Registerer) (*Writer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	opts := influxdb2.DefaultOptions().
		SetPrecision(time.Millisecond).
		SetHTTPRequestTimeout(uint(cfg.Timeout / time.Second)).
		SetLogLevel(0)
	client := influxdb2.NewClientWithOptions(cfg.URL, cfg.Token.Reveal(), opts)
	w := &Writer{
		cfg:    cfg,
		client: client,
		api:    client.WriteAPIBlocking(cfg.Org, cfg.Bucket),
		log:    log,
		m:      newWriterMetrics(reg),
		sleep:  sleepCtx,
	}
	if cfg.CreateDatabase {
		if err := w.createDatabase(ctx); err != nil {
			log.Warn("create influxdb database", "err", err)
		}
	}
	return w, nil
}

// Client returns the InfluxDB client, for queries.
func (w *Writer) Client() influxdb2.Client { return w.client }

// Close releases the client's connections.
func (w *Writer) Close() { w.client.Close() }

// Write stores every line of b. Network failures, 429, 5xx and also
// 401, 403 and 404 (an operator must fix those, and the data must wait for
// that, not be lost) are retried with backoff, honouring Retry-After, until
// ctx ends. Lines refused as malformed (400, 413, 422) are narrowed down by
// halving the batch, so only the refused lines are dropped; each is logged
// and counted. It returns the number of lines dropped, and ctx's error if
// ctx ended before every line was stored or dropped.
func (w *Writer) Write(ctx context.Context, b *Batch) (dropped int, err error) {
	if b.Len() == 0 {
		return 0, nil
	}
	return w.writeRange(ctx, b, 0, b.Len())
}

func (w *Writer) writeRange(ctx context.Context, b *Batch, from, to int) (int, error) {
	backoff := w.cfg.RetryMin
	for attempt := 0; ; attempt++ {
		start := time.Now()
		err := w.api.WriteRecord(ctx, b.body(from, to))
		if err == nil {
			w.m.requests.WithLabelValues("ok").Inc()
			w.m.duration.Observe(time.Since(start).Seconds())
			w.m.lines.Add(float64(to - from))
			if attempt > 0 {
				w.m.retrying.Set(0)
				w.log.Info("influxdb write recovered", "attempts", attempt+1)
			}
			return 0, nil
		}
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}

		// A refused batch is split until the refused lines stand alone.
		if refused(err) {
			w.m.requests.WithLabelValues("refused").Inc()
			if to-from == 1 {
				w.m.dropped.Inc()
				w.log.Error("influxdb refused a line, dropped",
					"line", truncate(b.Line(from), 300), "err", err)
				return 1, nil
			}
			mid := from + (to-from)/2
			d1, err := w.writeRange(ctx, b, from, mid)
			if err != nil {
				return d1, err
			}
			d2, err := w.writeRange(ctx, b, mid, to)
			return d1 + d2, err
		}

		// Anything else may succeed later: wait and try again.
		w.m.requests.WithLabelValues("retry").Inc()
		w.m.retrying.Set(1)
		if notFound(err) && w.cfg.CreateDatabase {
			if cerr := w.createDatabase(ctx); cerr != nil {
				w.log.Warn("create influxdb database", "err", cerr)
			}
		}
		wait := retryAfter(err, backoff)
		if attempt == 0 || attempt%10 == 0 {
			w.log.Warn("influxdb write failed, retrying", "err", err,
				"lines", to-from, "attempt", attempt+1, "wait", wait)
		}
		if err := w.sleep(ctx, wait); err != nil {
			return 0, err
		}
		backoff = min(2*backoff, w.cfg.RetryMax)
	}
}

// refused tells a batch that can never be stored as it is from a failure
// that may pass.
func refused(err error) bool {
	var he *ihttp.Error
	if !errors.As(err, &he) {
		return false
	}
	switch he.StatusCode {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

func notFound(err error) bool {
	var he *ihttp.Error
	return errors.As(err, &he) && he.StatusCode == http.StatusNotFound
}

// retryAfter is the wait before the next attempt: the server's
// Retry-After when it gave one, else the backoff with jitter, so that many
// centers do not retry in step.
func retryAfter(err error, backoff time.Duration) time.Duration {
	var he *ihttp.Error
	if errors.As(err, &he) && he.RetryAfter > 0 {
		return time.Duration(he.RetryAfter) * time.Second
	}
	return backoff/2 + rand.N(backoff/2+1)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// createDatabase creates the bucket's database on InfluxDB 1.8.
func (w *Writer) createDatabase(ctx context.Context) error {
	db, _, _ := strings.Cut(w.cfg.Bucket, "/")
	form := url.Values{"q": {fmt.Sprintf("CREATE DATABASE %q", db)}}
	if user, pass, ok := strings.Cut(w.cfg.Token.Reveal(), ":"); ok {
		form.Set("u", user)
		form.Set("p", pass)
	}
	ctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		strings.TrimRight(w.cfg.URL, "/")+"/query", strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("create database %q: %w", db, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("create database %q: %w", db, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("create database %q: %s: %s", db, resp.Status, body)
	}
	return nil
}
