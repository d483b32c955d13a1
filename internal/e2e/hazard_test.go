package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// walkHazard follows the record that the gas leak opened through its
// lifecycle with the roles the ledger's matrix names: the enterprise plans
// and rectifies, the city department responsible for hazardous chemicals
// verifies. A district operator may not verify a major record, and a
// closed record cannot be submitted again.
func (p *plant) walkHazard(t *testing.T, base string) {
	ctx := context.Background()
	ent := p.edgeCfg.Gateway.Enterprise
	page := getJSON[struct{ Records []hazard.Record }](t, p.token, base+"/api/v1/hazards?enterprise="+ent)
	var rec hazard.Record
	n := 0
	for _, r := range page.Records {
		if r.Origin == hazard.FromAlarm {
			rec, n = r, n+1
		}
	}
	if n != 1 {
		t.Fatalf("%d records opened from alarms, want exactly 1: %+v", n, page.Records)
	}
	if rec.Grade != hazard.Major || rec.ResponsibleLevel != hazard.CityLevel ||
		rec.ResponsibleUnit != "市应急管理局危化处" || rec.Status != hazard.Open {
		t.Fatalf("record: grade %s, responsible %s %q, status %s; want a major record for the city's hazardous chemicals department",
			rec.Grade, rec.ResponsibleLevel, rec.ResponsibleUnit, rec.Status)
	}

	company := p.makeToken(ctx, auth.Principal{Name: "e2e-company", Role: hazard.EnterpriseUser, Enterprise: ent})
	district := p.makeToken(ctx, auth.Principal{Name: "e2e-district", Role: hazard.DistrictOperator, District: rec.District})
	dept := p.makeToken(ctx, auth.Principal{Name: "e2e-dept", Role: hazard.Department, Unit: rec.ResponsibleUnit})
	url := fmt.Sprintf("%s/api/v1/hazards/%d/", base, rec.ID)
	deadline := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)

	steps := []struct {
		token, action, body string
		want                int
	}{
		{company, "rectification", `{"owner":"张工","measures":"更换 GT-102 附近法兰垫片","funds_yuan":12000,"deadline":"` + deadline + `","contingency":"停止 T2 收料，加密巡检"}`, 200},
		{company, "submit", `{"note":"已更换并检漏"}`, 200},
		{district, "verify", `{"passed":true,"note":"区县不负责重大隐患"}`, 403},
		{dept, "verify", `{"passed":true,"note":"复查合格"}`, 200},
		{company, "submit", `{"note":"again"}`, 409},
	}
	for i, s := range steps {
		if got := post(t, s.token, url+s.action, s.body); got != s.want {
			t.Fatalf("step %d %s: status %d, want %d", i, s.action, got, s.want)
		}
	}
	final := getJSON[hazard.Record](t, p.token, fmt.Sprintf("%s/api/v1/hazards/%d", base, rec.ID))
	if final.Status != hazard.Closed || len(final.History) < 4 {
		t.Fatalf("record after verification: status %s, %d history entries", final.Status, len(final.History))
	}
}

func post(t *testing.T, token, url, body string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewBufferString(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
