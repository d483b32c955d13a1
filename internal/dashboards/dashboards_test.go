package dashboards_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/live"
	"github.com/hazardwatch/hazardwatch/internal/monitor"
	"github.com/hazardwatch/hazardwatch/internal/mqttconn"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
	"github.com/hazardwatch/hazardwatch/internal/tsdb"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

const dashDir = "../../dashboards"

// schema is what the center writes to one measurement.
type schema struct{ tags, fields map[string]bool }

// Field names per measurement, as the dashboards may use them. The test
// checks these lists against the real encoders (TestFieldLists), so they
// cannot drift from what is written.
var (
	readingFields = []string{"value", "quality", "reason", "seq", "replayed"}
	readingTags   = []string{"enterprise", "gateway", "point"}
	eventFields   = []string{"kind", "state", "level", "value", "episode", "late", "actor"}
	eventTags     = []string{"enterprise", "point", "condition"}
)

func set(ss []string) map[string]bool {
	m := map[string]bool{}
	for _, s := range ss {
		m[s] = true
	}
	return m
}

// schemas maps the measurements to their schema, named by the packages'
// exported constants.
var schemas = map[string]schema{
	tsdb.Measurement:              {set(readingTags), set(readingFields)},
	monitor.AnnotationMeasurement: {set(eventTags), set(eventFields)},
}

// parseLine splits one line protocol line into its measurement, tag keys
// and field keys. It handles what the encoders write: escaped tag
// values, quoted string fields with escapes.
func parseLine(t *testing.T, line string) (string, []string, []string) {
	t.Helper()
	// The series key ends at the first unescaped space.
	i := 0
	for ; i < len(line) && line[i] != ' '; i++ {
		if line[i] == '\\' {
			i++
		}
	}
	series, rest := line[:i], line[i+1:]
	parts := splitUnescaped(series, ',')
	var tags []string
	for _, p := range parts[1:] {
		k, _, _ := strings.Cut(p, "=")
		tags = append(tags, k)
	}
	var fields []string
	inQuote := false
	start := 0
	for j := 0; j <= len(rest); j++ {
		switch {
		case j < len(rest) && rest[j] == '\\' && inQuote:
			j++
		case j < len(rest) && rest[j] == '"':
			inQuote = !inQuote
		case j == len(rest) || (!inQuote && (rest[j] == ',' || rest[j] == ' ')):
			k, _, ok := strings.Cut(rest[start:j], "=")
			if !ok {
				t.Fatalf("field without '=' in %q", line)
			}
			fields = append(fields, k)
			start = j + 1
			if j < len(rest) && rest[j] == ' ' {
				j = len(rest) // the timestamp follows
			}
		}
	}
	return parts[0], tags, fields
}

func splitUnescaped(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

// TestFieldLists encodes readings with tsdb.Batch and an alarm event
// with the alarm service's annotation writer, and checks that the
// lists above are exactly what they write.
func TestFieldLists(t *testing.T) {
	v := 12.5
	var b tsdb.Batch
	b.AddReading("ENT", "gw", 7, true, &wire.Reading{Point: "P", Time: 1,
		Value: &v, Quality: wire.Good})
	b.AddReading("ENT", "gw", 8, false, &wire.Reading{Point: "P", Time: 2,
		Quality: wire.Bad, Reason: "comm_lost, \"quoted\""})
	var lines []string
	for i := range b.Len() {
		lines = append(lines, b.Line(i))
	}
	checkLines(t, lines, tsdb.Measurement, readingTags, readingFields)

	event := alarmEventLine(t)
	checkLines(t, []string{event}, monitor.AnnotationMeasurement, eventTags, eventFields)
}

func checkLines(t *testing.T, lines []string, meas string, wantTags, wantFields []string) {
	t.Helper()
	tags, fields := map[string]bool{}, map[string]bool{}
	for _, l := range lines {
		m, ts, fs := parseLine(t, l)
		if m != meas {
			t.Errorf("line %q: measurement %q, want %q", l, m, meas)
		}
		for _, k := range ts {
			tags[k] = true
		}
		for _, k := range fs {
			fields[k] = true
		}
	}
	if got := keys(tags); !slices.Equal(got, sorted(wantTags)) {
		t.Errorf("%s tags written %v, test lists %v", meas, got, sorted(wantTags))
	}
	if got := keys(fields); !slices.Equal(got, sorted(wantFields)) {
		t.Errorf("%s fields written %v, test lists %v", meas, got, sorted(wantFields))
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sorted(ss []string) []string {
	out := slices.Clone(ss)
	slices.Sort(out)
	return out
}

// captureWriter is an AnnotationWriter that keeps the lines.
type captureWriter struct {
	mu    sync.Mutex
	lines []string
	got   chan struct{}
}

func (c *captureWriter) Write(_ context.Context, b *tsdb.Batch) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range b.Len() {
		c.lines = append(c.lines, b.Line(i))
	}
	select {
	case c.got <- struct{}{}:
	default:
	}
	return 0, nil
}

const testRegistry = `
enterprises:
  - {code: ENT, name: E, district: D, industry: hazardous_chemicals, gateways: [gw]}
hazard_sources:
  - code: S
    name: S
    grade: 2
    enterprise: ENT
    points:
      - {id: P, name: P, kind: level, unit: m, expected_interval: 10s}
`

// newMonitor builds the real alarm service on SQLite, registering its
// metrics on reg and writing annotations to w.
func newMonitor(t *testing.T, reg prometheus.Registerer, w monitor.AnnotationWriter) *monitor.Monitor {
	t.Helper()
	r, err := registry.Parse([]byte(testRegistry))
	if err != nil {
		t.Fatal(err)
	}
	m, err := monitor.New(context.Background(), monitor.DefaultConfig(),
		monitor.Deps{Registry: func() *registry.Registry { return r },
			DB: storetest.Open(t, store.SQLite), Annotations: w, Reg: reg,
			Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// alarmEventLine makes the alarm service raise a gateway offline alarm
// and returns the annotation line it writes.
func alarmEventLine(t *testing.T) string {
	t.Helper()
	cw := &captureWriter{got: make(chan struct{}, 1)}
	m := newMonitor(t, nil, cw)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	defer func() { cancel(); <-done }()
	now := time.Now()
	m.ObserveStatus(wire.Topic{Enterprise: "ENT", Gateway: "gw", Kind: "status"},
		wire.Status{V: 1, State: wire.StateOffline, Time: now.UnixMilli()}, now)
	select {
	case <-cw.got:
	case <-time.After(10 * time.Second):
		t.Fatal("the alarm service wrote no annotation for a gateway going offline")
	}
	cw.mu.Lock()
	defer cw.mu.Unlock()
	return cw.lines[0]
}

// recorder registers collectors on a real registry and remembers the
// metric names they describe, including vectors without any series yet
// (which a Gather would not show).
type recorder struct {
	*prometheus.Registry
	names map[string]bool
}

var fqName = regexp.MustCompile(`fqName: "([^"]+)"`)

func (r *recorder) Register(c prometheus.Collector) error {
	ch := make(chan *prometheus.Desc, 16)
	go func() { c.Describe(ch); close(ch) }()
	for d := range ch {
		if m := fqName.FindStringSubmatch(d.String()); m != nil {
			r.names[m[1]] = true
		}
	}
	return r.Registry.Register(c)
}

func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := r.Register(c); err != nil {
			panic(err)
		}
	}
}

// centerMetrics registers the metrics of every center package that
// defines some, through their exported constructors, and returns the
// names.
func centerMetrics(t *testing.T) map[string]bool {
	t.Helper()
	rec := &recorder{Registry: prometheus.NewRegistry(), names: map[string]bool{}}
	log := slog.New(slog.DiscardHandler)
	if _, err := ingest.New(ingest.DefaultConfig(), mqttconn.Defaults("dash-test"),
		nil, nil, nil, log, rec); err != nil {
		t.Fatalf("ingest metrics: %v", err)
	}
	w, err := tsdb.NewWriter(context.Background(), tsdb.DefaultConfig(), log, rec)
	if err != nil {
		t.Fatalf("tsdb metrics: %v", err)
	}
	defer w.Close()
	live.NewHub(10, rec)
	newMonitor(t, rec, nil)
	if len(rec.names) < 20 {
		t.Fatalf("only %d metrics registered: %v", len(rec.names), keys(rec.names))
	}
	return rec.names
}

// errorer is the part of *testing.T the query checks use, so that
// TestCheckerCatches can collect their complaints.
type errorer interface {
	Helper()
	Errorf(format string, args ...any)
}

// complaints counts what a check refused.
type complaints struct{ n int }

func (c *complaints) Helper()               {}
func (c *complaints) Errorf(string, ...any) { c.n++ }

// query is one query found in a dashboard.
type query struct {
	where, text string
}

// collect walks a dashboard and returns its Flux queries (strings under
// "query" that read a bucket) and PromQL expressions ("expr").
func collect(v any, path string, flux, promql *[]query) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := path + "." + k
			if s, ok := e.(string); ok {
				switch {
				case k == "query" && strings.Contains(s, "bucket"):
					*flux = append(*flux, query{p, s})
				case k == "expr":
					*promql = append(*promql, query{p, s})
				}
				continue
			}
			collect(e, p, flux, promql)
		}
	case []any:
		for i, e := range x {
			collect(e, fmt.Sprintf("%s[%d]", path, i), flux, promql)
		}
	}
}

var (
	measurementRE = regexp.MustCompile(`_measurement\s*==\s*"([^"]*)"|measurement:\s*"([^"]*)"`)
	fieldRE       = regexp.MustCompile(`_field\s*==\s*"([^"]*)"`)
	tagRE         = regexp.MustCompile(`\br\.([A-Za-z][A-Za-z0-9_]*)\s*==|tag:\s*"([^"]*)"|\br\["([^"]*)"\]`)
	metricRE      = regexp.MustCompile(`\b(hw_[a-z0-9_]+)`)
)

// checkFlux: every query names a measurement the center writes, and only
// fields and tags of the measurements it names.
func checkFlux(t errorer, q query) {
	t.Helper()
	var named []schema
	for _, m := range measurementRE.FindAllStringSubmatch(q.text, -1) {
		name := m[1] + m[2]
		s, ok := schemas[name]
		if !ok {
			t.Errorf("%s: measurement %q is not written by the center", q.where, name)
			continue
		}
		named = append(named, s)
	}
	if len(named) == 0 {
		t.Errorf("%s: names no measurement:\n%s", q.where, q.text)
		return
	}
	has := func(f func(schema) map[string]bool, k string) bool {
		for _, s := range named {
			if f(s)[k] {
				return true
			}
		}
		return false
	}
	for _, m := range fieldRE.FindAllStringSubmatch(q.text, -1) {
		if !has(func(s schema) map[string]bool { return s.fields }, m[1]) {
			t.Errorf("%s: field %q is not written to its measurement", q.where, m[1])
		}
	}
	for _, m := range tagRE.FindAllStringSubmatch(q.text, -1) {
		tag := m[1] + m[2] + m[3]
		if strings.HasPrefix(tag, "_") {
			continue // _measurement, _field, _value, _time
		}
		// Pivoted fields become columns of the same name.
		if !has(func(s schema) map[string]bool { return s.tags }, tag) &&
			!(strings.Contains(q.text, "pivot(") &&
				has(func(s schema) map[string]bool { return s.fields }, tag)) {
			t.Errorf("%s: tag %q is not written to its measurement", q.where, tag)
		}
	}
}

// checkPromQL: every metric named is registered by the center; a
// histogram's series (_bucket, _sum, _count) count as its name.
func checkPromQL(t errorer, q query, metrics map[string]bool) {
	t.Helper()
	found := metricRE.FindAllStringSubmatch(q.text, -1)
	if len(found) == 0 {
		t.Errorf("%s: names no hw_ metric: %s", q.where, q.text)
	}
	for _, m := range found {
		name := m[1]
		base := name
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(name, suf); ok && metrics[b] {
				base = b
			}
		}
		if !metrics[base] {
			t.Errorf("%s: metric %q is not registered by the center", q.where, name)
		}
	}
}

// datasourceUIDs reads the provisioned data sources' uids.
func datasourceUIDs(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dashDir, "provisioning/datasources/hazardwatch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Datasources []struct{ UID, Type string }
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("datasources yaml: %v", err)
	}
	out := map[string]string{}
	for _, d := range doc.Datasources {
		out[d.UID] = d.Type
	}
	return out
}

// checkDatasources: every panel, target and annotation uses a
// provisioned data source (or Grafana's own).
func checkDatasources(t *testing.T, v any, path string, uids map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		if ds, ok := x["datasource"].(map[string]any); ok {
			uid, _ := ds["uid"].(string)
			typ, _ := ds["type"].(string)
			if typ != "grafana" && (uids[uid] == "" || uids[uid] != typ) {
				t.Errorf("%s: data source %s/%s is not provisioned", path, typ, uid)
			}
		}
		for k, e := range x {
			checkDatasources(t, e, path+"."+k, uids)
		}
	case []any:
		for i, e := range x {
			checkDatasources(t, e, fmt.Sprintf("%s[%d]", path, i), uids)
		}
	}
}

// TestDashboards parses every dashboard and checks its queries against
// the center's real measurements, fields, tags and metrics.
func TestDashboards(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(dashDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards in %s: %v", dashDir, err)
	}
	metrics := centerMetrics(t)
	uids := datasourceUIDs(t)
	seen := map[string]string{}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var d map[string]any
			if err := json.Unmarshal(b, &d); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			checkHeader(t, d, seen, filepath.Base(f))
			checkDatasources(t, d, "", uids)
			var flux, promql []query
			collect(d, "", &flux, &promql)
			if len(flux)+len(promql) == 0 {
				t.Error("no queries")
			}
			for _, q := range flux {
				checkFlux(t, q)
			}
			for _, q := range promql {
				checkPromQL(t, q, metrics)
			}
		})
	}
}

// checkHeader: a unique uid, a title, Grafana 10's schema, unique panel
// ids.
func checkHeader(t *testing.T, d map[string]any, seen map[string]string, file string) {
	t.Helper()
	uid, _ := d["uid"].(string)
	if uid == "" || seen[uid] != "" {
		t.Errorf("uid %q missing or also in %s", uid, seen[uid])
	}
	seen[uid] = file
	if title, _ := d["title"].(string); title == "" {
		t.Error("no title")
	}
	if v, _ := d["schemaVersion"].(float64); v < 36 {
		t.Errorf("schemaVersion %v, want 36 or later (Grafana 10)", v)
	}
	ids := map[float64]bool{}
	panels, _ := d["panels"].([]any)
	for _, p := range panels {
		id, _ := p.(map[string]any)["id"].(float64)
		if id == 0 || ids[id] {
			t.Errorf("panel id %v missing or repeated", id)
		}
		ids[id] = true
	}
}

// TestCheckerCatches makes sure the checks refuse what they should.
func TestCheckerCatches(t *testing.T) {
	metrics := map[string]bool{"hw_tsdb_write_duration_seconds": true}
	for _, c := range []struct {
		flux bool
		text string
	}{
		{true, `from(bucket: "b") |> filter(fn: (r) => r._measurement == "readings")`},
		{true, `from(bucket: "b") |> filter(fn: (r) => r._measurement == "reading" and r._field == "val")`},
		{true, `from(bucket: "b") |> filter(fn: (r) => r._measurement == "reading" and r._field == "kind")`},
		{true, `from(bucket: "b") |> filter(fn: (r) => r._measurement == "alarm_event" and r.gateway == "x")`},
		{true, `from(bucket: "b") |> range(start: -1h)`},
		{false, `rate(hw_tsdb_write_duration_total[5m])`},
		{false, `up`},
	} {
		var got complaints
		q := query{"case", c.text}
		if c.flux {
			checkFlux(&got, q)
		} else {
			checkPromQL(&got, q, metrics)
		}
		if got.n == 0 {
			t.Errorf("check passed %q", c.text)
		}
	}
}
