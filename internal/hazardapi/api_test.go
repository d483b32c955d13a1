package hazardapi_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/hazardapi"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// TestBadRequests checks the answers to requests the ledger never sees.
func TestBadRequests(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		id := f.create(t, hazard.General).ID
		rec := fmt.Sprintf("/api/v1/hazards/%d", id)
		for _, c := range []struct {
			name, method, path, body string
			status                   int
			code                     string
		}{
			{"bad json", "POST", rec + "/cancel", `{"reason":`, 400, "bad_request"},
			{"unknown field", "POST", rec + "/cancel", `{"reasn": "x"}`, 400, "bad_request"},
			{"two values", "POST", rec + "/cancel", `{} {}`, 400, "bad_request"},
			{"wrong type", "POST", rec + "/verify", `{"passed": "yes"}`, 400, "bad_request"},
			{"too large", "POST", rec + "/cancel",
				`{"reason": "` + strings.Repeat("x", 70<<10) + `"}`, 413, "too_large"},
			{"bad id", "GET", "/api/v1/hazards/abc", "", 400, "bad_request"},
			{"bad limit", "GET", "/api/v1/hazards?limit=many", "", 400, "bad_request"},
			{"limit too big", "GET", "/api/v1/hazards?limit=5000", "", 422, "invalid"},
			{"bad overdue", "GET", "/api/v1/hazards?overdue=maybe", "", 400, "bad_request"},
			{"bad time", "GET", "/api/v1/hazards?from=2025-03-01", "", 400, "bad_request"},
			{"unknown param", "GET", "/api/v1/hazards?distrct=x", "", 400, "bad_request"},
			{"bad status", "GET", "/api/v1/hazards?status=done", "", 422, "invalid"},
			{"bad grouping", "GET", "/api/v1/hazards/stats?by=enterprise", "", 422, "invalid"},
			{"missing reason", "POST", rec + "/cancel", `{}`, 422, "invalid"},
		} {
			req, _ := http.NewRequest(c.method, f.srv.URL+c.path, strings.NewReader(c.body))
			req.Header.Set("Authorization", "Bearer "+f.tokens["admin"])
			resp, err := f.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var e apiError
			err = json.NewDecoder(resp.Body).Decode(&e)
			resp.Body.Close()
			if resp.StatusCode != c.status || err != nil || e.Code != c.code {
				t.Errorf("%s: %d %+v (%v), want %d %s", c.name, resp.StatusCode,
					e, err, c.status, c.code)
			}
		}
	})
}

// TestUnauthenticated checks 401 from the middleware and from the
// handler mounted without it.
func TestUnauthenticated(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		e := f.refused(t, "", "GET", "/api/v1/hazards", nil, http.StatusUnauthorized)
		if e.Code != "unauthorized" {
			t.Fatalf("code %q, want unauthorized", e.Code)
		}
		bare := httptest.NewServer(hazardapi.New(f.l, slog.New(slog.DiscardHandler)))
		defer bare.Close()
		resp, err := http.Get(bare.URL + "/api/v1/hazards")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("handler without middleware: %d, want 401", resp.StatusCode)
		}
	})
}

// TestReopenConflict: reopening a cancelled alarm record whose alarm has
// a newer open record is a conflict (409).
func TestReopenConflict(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		first := f.alarm(t, 1)
		f.advance(t, first, hazard.Cancelled)
		if second := f.alarm(t, 2); second == first {
			t.Fatalf("second episode counted on the cancelled record")
		}
		e := f.refused(t, "admin", "POST", fmt.Sprintf("/api/v1/hazards/%d/reopen",
			first), reason("撤销有误"), http.StatusConflict)
		if e.Code != "conflict" {
			t.Fatalf("code %q, want conflict", e.Code)
		}
	})
}

// alarm opens (or counts on) the record of a level-2 alarm of entA.
func (f *fixture) alarm(t *testing.T, episode int64) int64 {
	t.Helper()
	r, _, err := f.l.OnAlarm(ctx, hazard.AlarmSignal{Enterprise: entA,
		District: distA, Industry: chem, HazardSource: "HS-01",
		HazardSourceGrade: 1, Point: "PT-101", Condition: "high_high",
		Level: 2, Active: true, Since: t0, At: t0.Add(time.Second),
		Episode: episode})
	if err != nil || r == nil {
		t.Fatalf("alarm episode %d: %v %v", episode, r, err)
	}
	return r.ID
}

// TestListPages walks the list page by page through the next cursor.
func TestListPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		var want []int64
		for range 5 {
			want = append([]int64{f.create(t, hazard.General).ID}, want...)
		}
		var got []int64
		path := "/api/v1/hazards?limit=2&district=" + url.QueryEscape(distA)
		for pages := 0; path != ""; pages++ {
			if pages > 3 {
				t.Fatalf("more than 3 pages")
			}
			resp, b := f.call(t, "distIn", "GET", path, nil)
			var p struct {
				Records []hazard.Record
				Next    int64
			}
			if resp.StatusCode != 200 || json.Unmarshal(b, &p) != nil {
				t.Fatalf("list: %d %s", resp.StatusCode, b)
			}
			for _, r := range p.Records {
				got = append(got, r.ID)
			}
			path = ""
			if p.Next != 0 {
				path = fmt.Sprintf("/api/v1/hazards?limit=2&after=%d", p.Next)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("pages gave %v, want %v", got, want)
		}
	})
}

func TestCreateLocation(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		resp, b := f.call(t, "distIn", "POST", "/api/v1/hazards", map[string]any{
			"origin": "inspection", "grade": "general", "title": "应急照明损坏",
			"enterprise": entA, "district": distA, "industry": chem,
			"deadline": t0.AddDate(0, 0, 10).Format(time.RFC3339)})
		var r hazard.Record
		if resp.StatusCode != 201 || json.Unmarshal(b, &r) != nil {
			t.Fatalf("create: %d %s", resp.StatusCode, b)
		}
		if loc := resp.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/hazards/%d", r.ID) {
			t.Fatalf("Location %q for record %d", loc, r.ID)
		}
		if !r.Deadline.Equal(t0.AddDate(0, 0, 10)) {
			t.Fatalf("deadline %v, want the one sent", r.Deadline)
		}
	})
}

func TestStats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		f.create(t, hazard.General)
		f.create(t, hazard.Major)
		for _, c := range []struct {
			query string
			want  map[string]int
		}{
			{"?by=unit", map[string]int{"浦东新区应急管理局": 1, chemU: 1}},
			{"", map[string]int{distA: 2}},
			{"?from=" + t0.Add(time.Hour).Format(time.RFC3339), map[string]int{}},
			{"?to=" + t0.Add(time.Hour).Format(time.RFC3339), map[string]int{distA: 2}},
		} {
			resp, b := f.call(t, "oper", "GET", "/api/v1/hazards/stats"+c.query, nil)
			var s struct {
				Groups []struct {
					Key   string
					Total int
				}
			}
			if resp.StatusCode != 200 || json.Unmarshal(b, &s) != nil {
				t.Fatalf("stats%s: %d %s", c.query, resp.StatusCode, b)
			}
			got := map[string]int{}
			for _, g := range s.Groups {
				got[g.Key] = g.Total
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("stats%s: %v, want %v", c.query, got, c.want)
			}
		}
	})
}
