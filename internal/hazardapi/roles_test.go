package hazardapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// op is one endpoint on an existing record, with the status the record
// needs for it.
type op struct {
	name, method, path string // path after /api/v1/hazards/{id}
	from               hazard.Status
	body               any
}

var ops = []op{
	{"get", "GET", "", hazard.Open, nil},
	{"rectification", "POST", "/rectification", hazard.Open, plan()},
	{"submit", "POST", "/submit", hazard.Rectifying, map[string]any{"note": "已整改"}},
	{"verify", "POST", "/verify", hazard.AwaitingVerification,
		map[string]any{"passed": true, "note": "复查合格"}},
	{"reject", "POST", "/verify", hazard.AwaitingVerification,
		map[string]any{"passed": false, "note": "复查不合格"}},
	{"cancel", "POST", "/cancel", hazard.Open, map[string]any{"reason": "误报"}},
	{"reopen", "POST", "/reopen", hazard.Cancelled, map[string]any{"reason": "撤销有误"}},
}

// allowed restates the role matrix of docs/hazard-ledger.md for a record
// of entA in distA, industry hazardous_chemicals: grade, endpoint ->
// principals that may. The responsible unit of a general record is the
// district (distIn), of a major one the department (deptIn). Everyone
// else gets 403: the ledger answers ErrForbidden, not ErrNotFound, for a
// record out of scope.
var allowed = map[hazard.Grade]map[string][]string{
	hazard.General: {
		"get":           {"admin", "oper", "distIn", "deptIn", "entIn"},
		"rectification": {"admin", "distIn", "entIn"},
		"submit":        {"admin", "entIn"},
		"verify":        {"admin", "distIn"},
		"reject":        {"admin", "distIn"},
		"cancel":        {"admin", "oper", "distIn"},
		"reopen":        {"admin"},
	},
	hazard.Major: {
		"get":           {"admin", "oper", "distIn", "deptIn", "entIn"},
		"rectification": {"admin", "deptIn", "entIn"},
		"submit":        {"admin", "entIn"},
		"verify":        {"admin", "deptIn"},
		"reject":        {"admin", "deptIn"},
		"cancel":        {"admin", "oper", "deptIn"},
		"reopen":        {"admin"},
	},
}

func TestRoleMatrix(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for _, g := range []hazard.Grade{hazard.General, hazard.Major} {
			for _, o := range ops {
				for who := range principals {
					r := f.create(t, g)
					f.advance(t, r.ID, o.from)
					want := http.StatusForbidden
					if slices.Contains(allowed[g][o.name], who) {
						want = http.StatusOK
					}
					path := fmt.Sprintf("/api/v1/hazards/%d%s", r.ID, o.path)
					resp, b := f.call(t, who, o.method, path, o.body)
					if resp.StatusCode != want {
						t.Errorf("%s %s by %s: %d %s, want %d", g, o.name,
							who, resp.StatusCode, b, want)
					}
				}
			}
		}
	})
}

func TestUnknownRecord(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for who := range principals {
			for _, o := range ops {
				e := f.refused(t, who, o.method, "/api/v1/hazards/999999"+o.path,
					o.body, http.StatusNotFound)
				if e.Code != "not_found" {
					t.Errorf("%s by %s: code %q, want not_found", o.name, who, e.Code)
				}
			}
		}
	})
}

func TestCreateMatrix(t *testing.T) {
	want := map[hazard.Origin][]string{
		hazard.FromInspection: {"admin", "oper", "distIn", "deptIn"},
		hazard.FromSelfReport: {"admin", "entIn"},
	}
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		for origin, may := range want {
			for who := range principals {
				status := http.StatusForbidden
				if slices.Contains(may, who) {
					status = http.StatusCreated
				}
				resp, b := f.call(t, who, "POST", "/api/v1/hazards", map[string]any{
					"origin": origin, "grade": "general", "title": "消防通道堵塞",
					"enterprise": entA, "district": distA, "industry": chem})
				if resp.StatusCode != status {
					t.Errorf("create %s by %s: %d %s, want %d", origin, who,
						resp.StatusCode, b, status)
				}
			}
		}
	})
}

// TestReadScope checks that the list, the export and the stats show each
// principal exactly the records in their scope.
func TestReadScope(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		f.create(t, hazard.General)
		f.create(t, hazard.Major)
		_, err := f.l.Create(ctx, hazard.NewRecord{Origin: hazard.FromInspection,
			Grade: hazard.Major, Title: "尾矿库坝体裂缝", Enterprise: entB,
			District: distB, Industry: mine}, principals["admin"].Actor())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"admin": 3, "oper": 3, "distIn": 2, "distOut": 1,
			"deptIn": 2, "deptOut": 1, "entIn": 2, "entOut": 1}
		for who, n := range want {
			listed, exported, counted := f.seen(t, who)
			if listed != n || exported != n || counted != n {
				t.Errorf("%s: %d listed, %d exported, %d counted; want %d",
					who, listed, exported, counted, n)
			}
		}
	})
}

// seen returns how many records who gets from the list, the export and
// the stats.
func (f *fixture) seen(t *testing.T, who string) (listed, exported, counted int) {
	t.Helper()
	resp, b := f.call(t, who, "GET", "/api/v1/hazards", nil)
	var page struct{ Records []hazard.Record }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &page) != nil {
		t.Fatalf("list as %s: %d %s", who, resp.StatusCode, b)
	}
	resp, b = f.call(t, who, "GET", "/api/v1/hazards/export.csv", nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export as %s: %d %s", who, resp.StatusCode, b)
	}
	resp, sb := f.call(t, who, "GET", "/api/v1/hazards/stats?by=unit", nil)
	var stats struct{ Groups []struct{ Total int } }
	if resp.StatusCode != http.StatusOK || json.Unmarshal(sb, &stats) != nil {
		t.Fatalf("stats as %s: %d %s", who, resp.StatusCode, sb)
	}
	for _, g := range stats.Groups {
		counted += g.Total
	}
	return len(page.Records), strings.Count(string(b), "\r\n") - 1, counted
}
