package dispatch

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/tsdb"
)

// pointCountKey names a point in the reading counts.
type pointCountKey struct{ enterprise, point string }

// pointCount is the readings of a point stored for the day.
type pointCount struct{ all, bad int64 }

// countQuery is the Flux that counts a day's readings per point: every
// reading has a quality field (value is absent from bad ones), so
// counting that field counts readings. A reading written twice lands on
// the same series and time, so it counts once.
//
// InfluxDB 1.8 takes no query parameters, so the query is built as text:
// the bucket is quoted by fluxString and the times are formatted here,
// nothing else comes from outside.
const countQuery = `data = from(bucket: %s)
  |> range(start: %s, stop: %s)
  |> filter(fn: (r) => r._measurement == %s and r._field == "quality")
data
  |> group(columns: ["enterprise", "point"])
  |> count()
  |> yield(name: "all")
data
  |> filter(fn: (r) => r._value == "bad")
  |> group(columns: ["enterprise", "point"])
  |> count()
  |> yield(name: "bad")
`

// fluxString quotes s as a Flux string literal. Besides the quote and
// the backslash, "${" would start an interpolation, so '$' is escaped.
func fluxString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`,
		"\n", `\n`, "\r", `\r`, "\t", `\t`)
	return `"` + r.Replace(s) + `"`
}

// fluxTime formats t as a Flux time literal.
func fluxTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// readingCounts counts the readings of every point within the counted
// part of the day.
func (r *Reporter) readingCounts(ctx context.Context, w window) (map[pointCountKey]pointCount, error) {
	q := fmt.Sprintf(countQuery, fluxString(r.d.Bucket), fluxTime(w.from),
		fluxTime(w.until), fluxString(tsdb.Measurement))
	res, err := r.d.Influx.QueryAPI(r.d.Org).Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("count readings in influxdb: %w", err)
	}
	defer res.Close()
	out := map[pointCountKey]pointCount{}
	for res.Next() {
		rec := res.Record()
		ent, _ := rec.ValueByKey("enterprise").(string)
		pt, _ := rec.ValueByKey("point").(string)
		n, ok := rec.Value().(int64)
		if !ok {
			return nil, fmt.Errorf("count readings in influxdb: "+
				"count of %s/%s is %T, want int64", ent, pt, rec.Value())
		}
		k := pointCountKey{ent, pt}
		c := out[k]
		if rec.Result() == "bad" {
			c.bad = n
		} else {
			c.all = n
		}
		out[k] = c
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("count readings in influxdb: %w", err)
	}
	return out, nil
}
