package hazardapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/hazardapi"
	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

const (
	entA  = "91310115MA1H00001A"
	entB  = "91310101MA1H00002B"
	distA = "浦东新区"
	distB = "黄浦区"
	chem  = "hazardous_chemicals"
	mine  = "non_coal_mine"
	chemU = "市应急管理局危化处"
	mineU = "市应急管理局非煤矿山处"
)

var (
	ctx = context.Background()
	// t0 is the ledger's clock: records are created then, and deadlines
	// lie a month or two after it.
	t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
)

// principals are the actors of docs/hazard-ledger.md's role matrix, in
// and out of the scope of a record of entA in distA, industry chem.
var principals = map[string]auth.Principal{
	"admin":   {Name: "市局管理员", Role: hazard.CityAdmin},
	"oper":    {Name: "市中心值班员", Role: hazard.CityOperator},
	"distIn":  {Name: "浦东值班员", Role: hazard.DistrictOperator, District: distA},
	"distOut": {Name: "黄浦值班员", Role: hazard.DistrictOperator, District: distB},
	"deptIn":  {Name: "危化处", Role: hazard.Department, Unit: chemU},
	"deptOut": {Name: "非煤矿山处", Role: hazard.Department, Unit: mineU},
	"entIn":   {Name: "甲化工安全员", Role: hazard.EnterpriseUser, Enterprise: entA},
	"entOut":  {Name: "乙矿业安全员", Role: hazard.EnterpriseUser, Enterprise: entB},
}

// fixture is a ledger and the API on a real HTTP server behind the token
// middleware, with one token per principal.
type fixture struct {
	l      *hazard.Ledger
	srv    *httptest.Server
	tokens map[string]string
}

func newFixture(t *testing.T, d store.Dialect) *fixture {
	t.Helper()
	db := storetest.Open(t, d)
	pol := hazard.DefaultPolicy()
	pol.Routing.Departments[mine] = mineU
	l, err := hazard.New(db, pol, hazard.Options{Location: time.UTC,
		Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	tokens := auth.NewStore(db, auth.Options{})
	f := &fixture{l: l, tokens: map[string]string{}}
	for name, p := range principals {
		if f.tokens[name], err = tokens.Create(ctx, p, time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.DiscardHandler)
	f.srv = httptest.NewServer(tokens.Middleware(hazardapi.New(l, log)))
	t.Cleanup(f.srv.Close)
	return f
}

// call sends a request as who ("" sends no token) with body as JSON
// (nil sends none) and returns the response with its body read.
func (f *fixture) call(t *testing.T, who, method, path string, body any) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if who != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[who])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, b
}

// record calls and decodes the record answered, failing unless the
// status is want.
func (f *fixture) record(t *testing.T, who, method, path string, body any, want int) *hazard.Record {
	t.Helper()
	resp, b := f.call(t, who, method, path, body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s as %s: %d %s, want %d", method, path, who,
			resp.StatusCode, b, want)
	}
	var r hazard.Record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s %s: decode record %s: %v", method, path, b, err)
	}
	return &r
}

// apiError is the API's error body.
type apiError struct {
	Error  string `json:"error"`
	Code   string `json:"code"`
	From   string `json:"from"`
	To     string `json:"to"`
	Action string `json:"action"`
}

// refused calls, expecting status want with an error body, and returns
// the body.
func (f *fixture) refused(t *testing.T, who, method, path string, body any, want int) apiError {
	t.Helper()
	resp, b := f.call(t, who, method, path, body)
	var e apiError
	if resp.StatusCode != want || json.Unmarshal(b, &e) != nil || e.Code == "" || e.Error == "" {
		t.Fatalf("%s %s as %s: %d %s, want %d with an error body",
			method, path, who, resp.StatusCode, b, want)
	}
	return e
}

// create files an inspection record of grade g for entA in distA
// through the ledger, as the setup of a test.
func (f *fixture) create(t *testing.T, g hazard.Grade) *hazard.Record {
	t.Helper()
	r, err := f.l.Create(ctx, hazard.NewRecord{Origin: hazard.FromInspection,
		Grade: g, Title: "储罐区可燃气体检测器失效", Description: "检查发现",
		Enterprise: entA, District: distA, Industry: chem,
		HazardSource: "HS-01", HazardSourceGrade: 2}, principals["admin"].Actor())
	if err != nil {
		t.Fatalf("create %s record: %v", g, err)
	}
	return r
}

// advance drives record id as admin through the ledger to status s.
func (f *fixture) advance(t *testing.T, id int64, s hazard.Status) {
	t.Helper()
	admin := principals["admin"].Actor()
	var err error
	switch s {
	case hazard.Open:
	case hazard.Rectifying:
		_, err = f.l.StartRectification(ctx, id, plan(), admin)
	case hazard.AwaitingVerification:
		f.advance(t, id, hazard.Rectifying)
		_, err = f.l.SubmitForVerification(ctx, id, admin, "已更换")
	case hazard.Cancelled:
		_, err = f.l.Cancel(ctx, id, admin, "误报")
	}
	if err != nil {
		t.Fatalf("advance record %d to %s: %v", id, s, err)
	}
}

func plan() hazard.Plan {
	return hazard.Plan{Owner: "张工", Measures: "更换检测器", FundsYuan: 12000,
		Contingency: "临时停用储罐并加密巡检"}
}
