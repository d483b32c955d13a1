package hazardapi_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestExportCSV(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		_, err := f.l.Create(ctx, hazard.NewRecord{Origin: hazard.FromInspection,
			Grade: hazard.Major, Title: "液氯储罐区泄漏报警器失效",
			Description: "=HYPERLINK(\"http://evil\")", Enterprise: entA,
			District: distA, Industry: chem}, principals["oper"].Actor())
		if err != nil {
			t.Fatal(err)
		}

		resp, b := f.call(t, "distIn", "GET", "/api/v1/hazards/export.csv", nil)
		body := string(b)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export: %d %s", resp.StatusCode, body)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
			t.Errorf("Content-Disposition %q, want an attachment", cd)
		}
		if !strings.HasPrefix(body, "\xEF\xBB\xBF编号,") {
			t.Fatalf("export starts %q, want the UTF-8 BOM and the header", body[:min(len(body), 20)])
		}
		for _, want := range []string{"液氯储罐区泄漏报警器失效", "重大隐患", "待整改",
			"浦东新区", `'=HYPERLINK`} {
			if !strings.Contains(body, want) {
				t.Errorf("export lacks %q:\n%s", want, body)
			}
		}

		_, b = f.call(t, "admin", "GET", "/api/v1/hazards/export.csv?district="+
			url.QueryEscape(distB), nil)
		if n := strings.Count(string(b), "\r\n"); n != 1 {
			t.Errorf("export of %s: %d lines, want the header only", distB, n)
		}
		f.refused(t, "admin", "GET", "/api/v1/hazards/export.csv?grade=severe", nil,
			http.StatusUnprocessableEntity)
		f.refused(t, "admin", "GET", "/api/v1/hazards/export.csv?distrct=x", nil,
			http.StatusBadRequest)
		f.refused(t, "", "GET", "/api/v1/hazards/export.csv", nil,
			http.StatusUnauthorized)
	})
}
