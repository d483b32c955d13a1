package registry

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
)

func getJSON(t *testing.T, srv *httptest.Server, path string, wantStatus int,
	v any) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, wantStatus)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("GET %s: content type %q", path, ct)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: decode: %v", path, err)
	}
}

func demoServer(t *testing.T) (*Watcher, string, *httptest.Server) {
	t.Helper()
	demo, err := os.ReadFile(demoFile)
	if err != nil {
		t.Fatal(err)
	}
	w, path, _ := newTestWatcher(t, string(demo), nil)
	mux := http.NewServeMux()
	mux.Handle("/api/v1/registry/", w.Handler()) // as the center mounts it
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return w, path, srv
}

func TestHandlerEnterprises(t *testing.T) {
	_, _, srv := demoServer(t)
	var got []struct {
		Code          string   `json:"code"`
		Industry      string   `json:"industry"`
		Gateways      []string `json:"gateways"`
		Points        int      `json:"points"`
		HazardSources []struct {
			Code  string `json:"code"`
			Grade int    `json:"grade"`
		} `json:"hazard_sources"`
	}
	getJSON(t, srv, "/api/v1/registry/enterprises", http.StatusOK, &got)
	if len(got) != 1 {
		t.Fatalf("%d enterprises", len(got))
	}
	e := got[0]
	if e.Code != demoEnterprise || e.Industry != "hazardous_chemicals" ||
		e.Points != 16 || len(e.Gateways) != 1 || len(e.HazardSources) != 2 ||
		e.HazardSources[0].Grade != 2 {
		t.Errorf("enterprise = %+v", e)
	}
}

func TestHandlerPoints(t *testing.T) {
	_, _, srv := demoServer(t)
	type point struct {
		ID           string `json:"id"`
		HazardSource string `json:"hazard_source"`
		Kind         string `json:"kind"`
	}
	var all, mine []point
	getJSON(t, srv, "/api/v1/registry/points", http.StatusOK, &all)
	getJSON(t, srv, "/api/v1/registry/points?enterprise="+demoEnterprise,
		http.StatusOK, &mine)
	if len(all) != 16 || len(mine) != 16 {
		t.Errorf("%d points, %d of the enterprise; want 16", len(all), len(mine))
	}
	if all[0].ID != "T1-LT-01" || all[0].Kind != "level" ||
		all[0].HazardSource != "TF-01" {
		t.Errorf("first point = %+v", all[0])
	}
	var e map[string]string
	getJSON(t, srv, "/api/v1/registry/points?enterprise=nobody",
		http.StatusNotFound, &e)
	if e["error"] == "" {
		t.Error("no error message")
	}
}

func TestHandlerPoint(t *testing.T) {
	_, _, srv := demoServer(t)
	type limit struct {
		Value float64 `json:"value"`
		Level int     `json:"level"`
	}
	var got struct {
		ID               string `json:"id"`
		Unit             string `json:"unit"`
		High             *limit `json:"high"`
		ExpectedInterval string `json:"expected_interval"`
		Effective        struct {
			High       *limit `json:"high"`
			HighHigh   *limit `json:"high_high"`
			StaleAfter int    `json:"stale_after"`
		} `json:"effective"`
	}
	getJSON(t, srv, "/api/v1/registry/points/"+demoEnterprise+"/GT-101",
		http.StatusOK, &got)
	if got.ID != "GT-101" || got.Unit != "%LEL" || got.High != nil ||
		got.ExpectedInterval != "1s" {
		t.Errorf("point = %+v", got)
	}
	if h := got.Effective.High; h == nil || *h != (limit{25, 1}) {
		t.Errorf("effective high = %+v", h)
	}
	if hh := got.Effective.HighHigh; hh == nil || *hh != (limit{50, 2}) {
		t.Errorf("effective high_high = %+v", hh)
	}

	// Ids with dots route as one path segment.
	var esd struct {
		ID string `json:"id"`
	}
	getJSON(t, srv, "/api/v1/registry/points/"+demoEnterprise+"/ESD.OK",
		http.StatusOK, &esd)
	if esd.ID != "ESD.OK" {
		t.Errorf("ESD.OK = %+v", esd)
	}

	var e map[string]string
	getJSON(t, srv, "/api/v1/registry/points/"+demoEnterprise+"/NOPE",
		http.StatusNotFound, &e)
}

func TestHandlerStatus(t *testing.T) {
	w, path, srv := demoServer(t)
	var st Status
	getJSON(t, srv, "/api/v1/registry/status", http.StatusOK, &st)
	if st.File != path || !st.LoadedAt.Equal(clock) || st.LastError != "" ||
		st.Points != 16 || st.HazardSources != 2 {
		t.Errorf("status = %+v", st)
	}

	writeFile(t, path, "enterprises: [{code: X}]")
	if err := w.Reload(); err == nil {
		t.Fatal("Reload succeeded")
	}
	getJSON(t, srv, "/api/v1/registry/status", http.StatusOK, &st)
	if st.LastError == "" || st.LastErrorAt == nil || st.Points != 16 {
		t.Errorf("status after a bad file = %+v", st)
	}
}

func TestHandlerMethod(t *testing.T) {
	_, _, srv := demoServer(t)
	resp, err := srv.Client().Post(srv.URL+"/api/v1/registry/enterprises",
		"application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", resp.StatusCode)
	}
}
