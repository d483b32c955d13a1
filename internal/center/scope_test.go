package center

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/live"
)

func TestScopeQueryPinsDistrictAndEnterprise(t *testing.T) {
	var seen *http.Request
	districts := map[string]string{"E1": "A", "E2": "B"}
	h := scopeQuery(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r }),
		func(ent string) string { return districts[ent] })
	tests := []struct {
		who        auth.Principal
		url        string
		wantStatus int
		wantQuery  string
	}{
		{auth.Principal{Role: hazard.CityAdmin}, "/api/v1/alarms?district=A", 200, "district=A"},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/alarms", 200, "district=A"},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/alarms?district=B", 403, ""},
		{auth.Principal{Role: hazard.EnterpriseUser, Enterprise: "E1"}, "/api/v1/points", 200, "enterprise=E1"},
		{auth.Principal{Role: hazard.EnterpriseUser, Enterprise: "E1"}, "/api/v1/alarms/E2/GT-1/high/ack", 403, ""},
		{auth.Principal{Role: hazard.EnterpriseUser, Enterprise: "E1"}, "/api/v1/alarms/E1/GT-1/high/ack", 200, "enterprise=E1"},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/alarms/E2/GT-1/high/ack", 403, ""},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/alarms/E1/GT-1/high/ack", 200, "district=A"},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/alarms/journal", 403, ""},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/alarms/journal?enterprise=E2", 403, ""},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/alarms/journal?enterprise=E1", 200, "district=A&enterprise=E1"},
		{auth.Principal{Role: hazard.DistrictOperator, District: "A"}, "/api/v1/points", 403, ""},
	}
	for _, tt := range tests {
		seen = nil
		req := httptest.NewRequest(http.MethodGet, tt.url, nil)
		req = req.WithContext(auth.NewContext(req.Context(), tt.who))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		status := rec.Code
		if seen != nil && status == 200 && seen.URL.RawQuery != tt.wantQuery {
			t.Errorf("%s as %s: query %q, want %q", tt.url, tt.who.Role, seen.URL.RawQuery, tt.wantQuery)
		}
		if status != tt.wantStatus {
			t.Errorf("%s as %s: status %d, want %d", tt.url, tt.who.Role, status, tt.wantStatus)
		}
	}
}

func TestLiveScope(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/api/v1/live?district=B", nil)
	who := auth.Principal{Role: hazard.DistrictOperator, District: "A"}
	req = req.WithContext(auth.NewContext(req.Context(), who))
	f, err := liveScope(req, live.Filter{Districts: []string{"B"}})
	if err != nil || len(f.Districts) != 1 || f.Districts[0] != "A" {
		t.Fatalf("district operator's feed filter = %+v, %v; want district A only", f, err)
	}
	if _, err := liveScope(httptest.NewRequest(http.MethodGet, "/", nil), live.Filter{}); err == nil {
		t.Fatal("feed without a principal allowed")
	}
}
