package monitor

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/store"
	"github.com/hazardwatch/hazardwatch/internal/store/storetest"
)

func TestHTTPActions(t *testing.T) {
	const base = "/api/v1/alarms/" + ent + "/GT-101/high/"
	until := t0.Add(2 * time.Hour).Format(time.RFC3339)
	steps := []struct {
		name, path, body, actor string
		status                  int
		state                   string // of the alarm answered
	}{
		{"no operator", base + "ack", `{}`, "", 401, ""},
		{"unknown alarm", "/api/v1/alarms/" + ent + "/GT-102/high/ack",
			`{}`, "li.wei", 404, ""},
		{"unknown condition", "/api/v1/alarms/" + ent + "/GT-101/hot/ack",
			`{}`, "li.wei", 404, ""},
		{"bad body", base + "ack", `{"coment": "x"}`, "li.wei", 400, ""},
		{"ack", base + "ack", `{"comment": "seen"}`, "li.wei", 200, "acked"},
		{"ack twice", base + "ack", `{}`, "li.wei", 409, ""},
		{"shelve bad until", base + "shelve",
			`{"reason": "calibration", "until": "tomorrow"}`, "li.wei", 400, ""},
		{"shelve without reason", base + "shelve",
			`{"until": "` + until + `"}`, "li.wei", 400, ""},
		{"shelve too long", base + "shelve", `{"reason": "calibration", ` +
			`"until": "2025-03-02T08:00:00Z"}`, "li.wei", 400, ""},
		{"shelve", base + "shelve", `{"reason": "calibration", "until": "` +
			until + `"}`, "li.wei", 200, "shelved"},
		{"shelve twice", base + "shelve", `{"reason": "calibration", ` +
			`"until": "` + until + `"}`, "li.wei", 409, ""},
		{"unshelve", base + "unshelve", `{"comment": "done"}`, "li.wei",
			200, "unacked"},
		{"out of service", base + "out-of-service",
			`{"reason": "detector replaced"}`, "zhang.min", 200,
			"out_of_service"},
		{"in service", base + "in-service", ``, "zhang.min", 200, "unacked"},
		{"in service twice", base + "in-service", ``, "zhang.min", 409, ""},
	}
	storetest.Run(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, storetest.Open(t, d), nil)
		srv := httptest.NewServer(f.m.Handler())
		defer srv.Close()
		f.send("GT-101", 30)

		for _, s := range steps {
			req, _ := http.NewRequest("POST", srv.URL+s.path,
				strings.NewReader(s.body))
			if s.actor != "" {
				req.Header.Set("X-Test-Operator", s.actor)
			}
			var v AlarmView
			status := do(t, req, &v)
			if status != s.status || (s.state != "" && v.State != s.state) {
				t.Fatalf("%s: %d %+v, want %d %s", s.name, status, v,
					s.status, s.state)
			}
		}

		var alarms []AlarmView
		get(t, srv.URL+"/api/v1/alarms?active=true&level=1&district="+dist,
			&alarms)
		if len(alarms) != 1 || alarms[0].PointName != "可燃气体 T1 泵坑" ||
			alarms[0].State != "unacked" {
			t.Fatalf("active alarms %+v", alarms)
		}
		get(t, srv.URL+"/api/v1/alarms?state=acked", &alarms)
		if len(alarms) != 0 {
			t.Fatalf("acked alarms %+v", alarms)
		}

		var js []JournalEntry
		get(t, srv.URL+"/api/v1/alarms/journal?point=GT-101&limit=2", &js)
		if len(js) != 2 || js[0].Kind != "in_service" ||
			js[0].Actor != "zhang.min" || js[1].Kind != "out_of_service" ||
			js[1].Comment != "detector replaced" || js[0].ID <= js[1].ID {
			t.Fatalf("journal %+v", js)
		}
		get(t, srv.URL+"/api/v1/alarms/journal?condition=high&from="+
			t0.Format(time.RFC3339), &js)
		if len(js) != 6 || js[5].Kind != "activated" || *js[5].Limit != 25 {
			t.Fatalf("journal of the alarm %+v", js)
		}

		var points []PointView
		get(t, srv.URL+"/api/v1/points?enterprise="+ent, &points)
		if len(points) != 2 || len(points[0].Alarms) != 1 ||
			*points[0].LastValue != 30 || len(points[1].Alarms) != 0 ||
			points[0].Gateway != gw {
			t.Fatalf("points %+v", points)
		}
		var k KPIView
		get(t, srv.URL+"/api/v1/alarms/kpi", &k)
		if k.PerTenMinutes != 1 {
			t.Fatalf("kpi %+v", k)
		}
		if s := getStatus(t, srv.URL+"/api/v1/alarms?level=3"); s != 400 {
			t.Errorf("bad level filter: %d", s)
		}
		if s := getStatus(t, srv.URL+"/api/v1/alarms/journal?limit=5000"); s != 400 {
			t.Errorf("journal limit over the maximum: %d", s)
		}
	})
}

func do(t *testing.T, req *http.Request, v any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK && v != nil {
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
	}
	return resp.StatusCode
}

func get(t *testing.T, url string, v any) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if s := do(t, req, v); s != http.StatusOK {
		t.Fatalf("GET %s: %d", url, s)
	}
}

func getStatus(t *testing.T, url string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	return do(t, req, nil)
}
