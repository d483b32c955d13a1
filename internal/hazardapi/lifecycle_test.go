package hazardapi_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

// step is one request of a walk through a record's lifecycle: either a
// success leading to status, or a refusal with code whose message
// contains each of msg.
type step struct {
	who, path string // path after /api/v1/hazards/{id}
	body      any
	status    hazard.Status
	code      string
	msg       []string
}

func note(s string) map[string]any   { return map[string]any{"note": s} }
func reason(s string) map[string]any { return map[string]any{"reason": s} }
func verdict(passed bool, s string) map[string]any {
	return map[string]any{"passed": passed, "note": s}
}

// TestLifecycleWalk follows a major inspection finding from a city
// operator's report to its closing, through HTTP with each party's own
// token, with wrong roles and wrong states on the way.
func TestLifecycleWalk(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		id := f.file(t, "oper", "inspection", "major")
		noContingency := plan()
		noContingency.Contingency = ""
		f.walk(t, id, []step{
			{who: "entOut", path: "/rectification", body: plan(), code: "forbidden",
				msg: []string{"乙矿业安全员", "may not start"}},
			{who: "entIn", path: "/rectification", body: noContingency,
				code: "invalid", msg: []string{"contingency required"}},
			{who: "entIn", path: "/rectification", body: plan(), status: hazard.Rectifying},
			{who: "deptIn", path: "/verify", body: verdict(true, "复查合格"),
				code: "invalid_transition", msg: []string{"rectifying", "closed"}},
			{who: "entIn", path: "/submit", body: note("已更换检测器"),
				status: hazard.AwaitingVerification},
			{who: "entIn", path: "/submit", body: note("再次提交"),
				code: "invalid_transition", msg: []string{"awaiting_verification"}},
			{who: "entIn", path: "/verify", body: verdict(true, "自己验收"),
				code: "forbidden", msg: []string{"may not verify"}},
			{who: "distIn", path: "/verify", body: verdict(true, "区里验收"),
				code: "forbidden", msg: []string{"may not verify"}},
			{who: "deptIn", path: "/verify", body: map[string]any{"note": "未说明结论"},
				code: "invalid", msg: []string{"passed"}},
			{who: "deptIn", path: "/verify", body: verdict(false, "检测器未标定"),
				status: hazard.Rectifying},
			{who: "entIn", path: "/submit", body: note("已标定"),
				status: hazard.AwaitingVerification},
			{who: "deptIn", path: "/verify", body: verdict(true, "复查合格"),
				status: hazard.Closed},
			{who: "oper", path: "/cancel", body: reason("误报"),
				code: "invalid_transition", msg: []string{"closed", "cancelled"}},
			{who: "admin", path: "/reopen", body: reason("重新打开"),
				code: "invalid_transition", msg: []string{"closed", "open"}},
		})
		r := f.record(t, "entIn", "GET", fmt.Sprintf("/api/v1/hazards/%d", id),
			nil, http.StatusOK)
		wantHistory(t, r, []hazard.Action{"open", "start", "submit", "reject",
			"submit", "verify"})
		if r.ClosedAt.IsZero() || r.History[5].Actor != "危化处" {
			t.Fatalf("closed at %v by %q, want a time and 危化处", r.ClosedAt,
				r.History[5].Actor)
		}
	})
}

// TestSelfReportWalk follows an enterprise's self-report of a general
// hazard: the district, its responsible unit, verifies it.
func TestSelfReportWalk(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		id := f.file(t, "entIn", "self_report", "general")
		f.walk(t, id, []step{
			{who: "entIn", path: "/rectification", body: hazard.Plan{
				Owner: "李四", Measures: "清理消防通道"}, status: hazard.Rectifying},
			{who: "entIn", path: "/submit", body: note("已清理"),
				status: hazard.AwaitingVerification},
			{who: "deptIn", path: "/verify", body: verdict(true, "复查合格"),
				code: "forbidden", msg: []string{"may not verify"}},
			{who: "distIn", path: "/verify", body: verdict(true, "复查合格"),
				status: hazard.Closed},
		})
	})
}

// file creates a record of origin and grade as who through HTTP and
// returns its id.
func (f *fixture) file(t *testing.T, who, origin, grade string) int64 {
	t.Helper()
	resp, _ := f.call(t, who, "POST", "/api/v1/hazards", nil)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("create with an empty body: %d, want 422", resp.StatusCode)
	}
	r := f.record(t, who, "POST", "/api/v1/hazards", map[string]any{
		"origin": origin, "grade": grade, "title": "储罐区可燃气体检测器失效",
		"description": "二号罐区检测器无响应", "enterprise": entA,
		"district": distA, "industry": chem, "hazard_source": "HS-01",
		"hazard_source_grade": 2}, http.StatusCreated)
	if r.Status != hazard.Open || r.Origin != hazard.Origin(origin) ||
		r.CreatedBy != principals[who].Name {
		t.Fatalf("created %+v, want open %s by %s", r, origin, who)
	}
	return r.ID
}

func (f *fixture) walk(t *testing.T, id int64, steps []step) {
	t.Helper()
	for i, s := range steps {
		path := fmt.Sprintf("/api/v1/hazards/%d%s", id, s.path)
		if s.code == "" {
			r := f.record(t, s.who, "POST", path, s.body, http.StatusOK)
			if r.Status != s.status {
				t.Fatalf("step %d %s by %s: status %s, want %s", i, s.path,
					s.who, r.Status, s.status)
			}
			continue
		}
		e := f.refused(t, s.who, "POST", path, s.body, statusOfCode[s.code])
		if e.Code != s.code || !containsAll(e.Error, s.msg) {
			t.Fatalf("step %d %s by %s: %+v, want code %s mentioning %q",
				i, s.path, s.who, e, s.code, s.msg)
		}
		if s.code == "invalid_transition" && (e.From == "" || e.To == "") {
			t.Fatalf("step %d: transition error without from and to: %+v", i, e)
		}
	}
}

var statusOfCode = map[string]int{"forbidden": 403, "invalid": 422,
	"invalid_transition": 409, "conflict": 409, "bad_request": 400,
	"not_found": 404, "unauthorized": 401}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func wantHistory(t *testing.T, r *hazard.Record, want []hazard.Action) {
	t.Helper()
	var got []hazard.Action
	for _, e := range r.History {
		got = append(got, e.Action)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("history %v, want %v", got, want)
	}
}
