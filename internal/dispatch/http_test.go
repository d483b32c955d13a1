package dispatch_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/dispatch"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// serve runs the handler on a real listener; the header X-Test-Role
// stands for what auth.Middleware would have put into the context.
func serve(t *testing.T, r *dispatch.Reporter) *httptest.Server {
	t.Helper()
	h := dispatch.Handler(r)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if role := req.Header.Get("X-Test-Role"); role != "" {
			p := auth.Principal{ID: "1", Name: "tester", Role: hazard.Role(role),
				District: req.Header.Get("X-Test-District"),
				Unit:     "市应急管理局危化处", Enterprise: entA}
			req = req.WithContext(auth.NewContext(req.Context(), p))
		}
		h.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, query, role, district string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/api/v1/dispatch"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	if role != "" {
		req.Header.Set("X-Test-Role", role)
		req.Header.Set("X-Test-District", district)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func checkHTTP(t *testing.T, w *world) {
	srv := serve(t, w.r)
	q := "?date=" + day

	t.Run("roles", func(t *testing.T) {
		for _, c := range []struct {
			role, district string
			want           int
		}{
			{"", "", http.StatusUnauthorized},
			{"city_admin", "", http.StatusOK},
			{"city_operator", "", http.StatusOK},
			{"district_operator", gusu, http.StatusOK},
			{"district_operator", "", http.StatusForbidden},
			{"department", "", http.StatusForbidden},
			{"enterprise", "", http.StatusForbidden},
		} {
			resp, body := get(t, srv, q, c.role, c.district)
			if resp.StatusCode != c.want {
				t.Errorf("%s %s: %d %s, want %d", c.role, c.district,
					resp.StatusCode, body, c.want)
			}
		}
	})

	t.Run("district", func(t *testing.T) {
		_, body := get(t, srv, q, "district_operator", gusu)
		var rep dispatch.Report
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.District != gusu || rep.Alarms.Total.Activations != 1 ||
			len(rep.Data.Enterprises) != 1 || rep.Data.Enterprises[0].Enterprise != entB {
			t.Errorf("district operator's report %+v", rep)
		}
	})

	t.Run("json", func(t *testing.T) {
		resp, body := get(t, srv, q, "city_operator", "")
		var rep dispatch.Report
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") ||
			rep.Date != day || rep.Hazards.Total.OpenAtEnd != 5 ||
			rep.Data.Enterprises[0].Completeness != 0.5 {
			t.Errorf("json report %s", body)
		}
	})

	t.Run("html", func(t *testing.T) {
		resp, body := get(t, srv, q+"&format=html", "city_admin", "")
		if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("content type %s", resp.Header.Get("Content-Type"))
		}
		for _, s := range []string{"每日调度报告（2026-12-03）", "报警情况",
			"一级报警", "二级报警", "隐患台账", "一般隐患", "重大隐患", "逾期",
			"已销号", "网关离线", "数据完整率", "在线率", "约谈", "区县",
			"甲化工（ENT-A）", "50.0%", "@media print"} {
			if !strings.Contains(body, s) {
				t.Errorf("html lacks %q", s)
			}
		}
		for _, s := range []string{"<script", "http://", "https://"} {
			if strings.Contains(body, s) {
				t.Errorf("html refers to an external asset or script: %q", s)
			}
		}
	})

	t.Run("csv", func(t *testing.T) {
		resp, body := get(t, srv, q+"&format=csv", "city_admin", "")
		if !strings.HasPrefix(body, "\uFEFF【每日调度报告】\r\n") {
			t.Errorf("csv starts %q, want the BOM and the title", body[:min(40, len(body))])
		}
		if !strings.Contains(resp.Header.Get("Content-Disposition"), "dispatch-2026-12-03.csv") {
			t.Errorf("disposition %q", resp.Header.Get("Content-Disposition"))
		}
		for _, s := range []string{"【数据完整率与在线率·按企业】\r\n",
			"ENT-A,甲化工,吴中区,2,2880,1440,0,0.5,1,25200,", "【约谈·整改率最低】"} {
			if !strings.Contains(body, s) {
				t.Errorf("csv lacks %q", s)
			}
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for _, query := range []string{"?date=2026-13-01", "?date=2027-01-01",
			"?format=pdf", "?dat=2026-12-03"} {
			resp, body := get(t, srv, query, "city_admin", "")
			if resp.StatusCode != http.StatusBadRequest ||
				!strings.Contains(body, `"code":"bad_request"`) {
				t.Errorf("%s: %d %s, want 400", query, resp.StatusCode, body)
			}
		}
	})

	t.Run("default date", func(t *testing.T) {
		// Without a date the report is of yesterday: the clock is 12-04.
		_, body := get(t, srv, "", "city_admin", "")
		if !strings.Contains(body, `"date":"2026-12-03"`) {
			t.Errorf("default date report %.200s", body)
		}
	})
}
