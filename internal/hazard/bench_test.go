package hazard_test

import (
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// BenchmarkList measures List with typical filters on a large ledger,
// reporting p50 and p99 latency per query. The ledger has
// HW_BENCH_RECORDS records (default 100000); for the production figure:
//
//	HW_BENCH_RECORDS=1000000 go test -run '^$' -bench BenchmarkList \
//	    -benchtime 200x -timeout 60m ./internal/hazard/
func BenchmarkList(b *testing.B) {
	n := 100000
	if s := os.Getenv("HW_BENCH_RECORDS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("HW_BENCH_RECORDS=%q: want a positive count", s)
		}
		n = v
	}
	for _, d := range storetest.Dialects() {
		b.Run(string(d), func(b *testing.B) {
			f := newFixture(b, d)
			seed(b, f.db, n)
			f.clock.Set(t0.AddDate(2, 0, 0))
			for _, q := range benchQueries(n) {
				b.Run(q.name, func(b *testing.B) { runQuery(b, f, q) })
			}
		})
	}
}

type benchQuery struct {
	name string
	as   hazard.Actor
	f    func(i int) hazard.Filter
}

func benchQueries(n int) []benchQuery {
	yes := true
	return []benchQuery{
		{"newest", admin, func(int) hazard.Filter { return hazard.Filter{} }},
		{"district", admin, func(i int) hazard.Filter {
			return hazard.Filter{District: benchDistrict(i)}
		}},
		{"district_open", admin, func(i int) hazard.Filter {
			return hazard.Filter{District: benchDistrict(i), Status: hazard.Open}
		}},
		{"enterprise", admin, func(i int) hazard.Filter {
			return hazard.Filter{Enterprise: benchEnterprise(i * 7)}
		}},
		{"major_rectifying", admin, func(int) hazard.Filter {
			return hazard.Filter{Grade: hazard.Major, Status: hazard.Rectifying}
		}},
		{"overdue", admin, func(int) hazard.Filter { return hazard.Filter{Overdue: &yes} }},
		{"month", admin, func(i int) hazard.Filter {
			from := t0.AddDate(0, i%24, 0)
			return hazard.Filter{From: from, To: from.AddDate(0, 1, 0)}
		}},
		{"deep_page", admin, func(i int) hazard.Filter {
			return hazard.Filter{After: int64(n/2 - i%1000)}
		}},
		{"district_operator", hazard.Actor{ID: "d", Role: hazard.DistrictOperator,
			District: benchDistrict(3)}, func(int) hazard.Filter {
			return hazard.Filter{Status: hazard.Rectifying}
		}},
		{"department", deptIn, func(int) hazard.Filter { return hazard.Filter{} }},
	}
}

func runQuery(b *testing.B, f *fixture, q benchQuery) {
	lat := make([]time.Duration, 0, b.N)
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := f.l.List(ctx, q.f(i), q.as); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

func benchDistrict(i int) string   { return fmt.Sprintf("区县%02d", i%20) }
func benchEnterprise(i int) string { return fmt.Sprintf("91310000BENCH%05d", i%2000) }
func benchIndustry(i int) string {
	return []string{chem, "non_coal_mine", "metallurgy", "coal_mine"}[i%4]
}
func benchStatus(i int) hazard.Status {
	switch h := (i * 7919) % 100; {
	case h < 80:
		return hazard.Closed
	case h < 85:
		return hazard.Cancelled
	case h < 95:
		return hazard.Rectifying
	}
	return hazard.Open
}

const seedColumns = `origin, grade, title, description, enterprise, district,
	industry, hazard_source, hazard_source_grade, responsible_level,
	responsible_unit, deadline, status, first_occurrence, last_occurrence,
	overdue_stage, created_by, created_at, updated_at, closed_at`

// seed inserts n records spread over two years in multi-row INSERTs.
func seed(b *testing.B, db *store.DB, n int) {
	b.Helper()
	const batch = 400
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		err := db.InTx(ctx, func(tx *sql.Tx) error { return seedBatch(tx, db.Dialect(), lo, hi, n) })
		if err != nil {
			b.Fatalf("seed: %v", err)
		}
	}
	if _, err := db.Writer().Exec("ANALYZE"); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}

func seedBatch(tx *sql.Tx, d store.Dialect, lo, hi, n int) error {
	rows := make([]string, 0, hi-lo)
	args := make([]any, 0, (hi-lo)*20)
	span := int64(2 * 365 * 24 * time.Hour / time.Millisecond)
	for i := lo; i < hi; i++ {
		created := t0.UnixMilli() + span*int64(i)/int64(n)
		g, lvl, unit := hazard.General, "district", benchDistrict(i)+"应急管理局"
		if i%10 == 0 {
			g, lvl, unit = hazard.Major, "city", chemU
		}
		st := benchStatus(i)
		var closed any
		if st == hazard.Closed {
			closed = created + int64(i%40)*86400000
		}
		deadline := created + 30*86400000
		rows = append(rows, "("+store.Placeholders(20)+")")
		args = append(args, "inspection", string(g), "储罐区隐患", "批量测试数据",
			benchEnterprise(i), benchDistrict(i), benchIndustry(i), "HS", 2, lvl,
			unit, deadline, string(st), created, created, "none", "bench",
			created, created, closed)
	}
	q := "INSERT INTO hazard_records (" + seedColumns + ") VALUES " + strings.Join(rows, ", ")
	_, err := tx.Exec(d.Rebind(q), args...)
	return err
}
