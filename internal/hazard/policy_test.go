package hazard_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

func TestExamplePolicy(t *testing.T) {
	p, err := hazard.LoadPolicy("../../configs/hazard-policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.AutoOpen.Level1After != 10*time.Minute ||
		p.AutoOpen.Conditions["gateway_offline"] != 30*time.Minute ||
		p.Routing.Departments["hazardous_chemicals"] != "市应急管理局危化处" ||
		p.Deadlines.MaxDays != 90 || p.Escalation.SuperviseAfterDays != 7 {
		t.Errorf("example policy differs from the documented values: %+v", p)
	}
}

func TestPolicyValidate(t *testing.T) {
	tests := []struct {
		mut  func(*hazard.Policy)
		want string
	}{
		{func(p *hazard.Policy) { p.AutoOpen.Level1After = -1 }, "auto_open.level1_after"},
		{func(p *hazard.Policy) { p.AutoOpen.Conditions["stale"] = -time.Second }, "auto_open.conditions.stale"},
		{func(p *hazard.Policy) { p.Grading.MajorSourceGrades = []int{5} }, "grading.major_source_grades"},
		{func(p *hazard.Policy) { p.Routing.DistrictUnit = "" }, "routing.district_unit"},
		{func(p *hazard.Policy) { p.Routing.Departments["coal_mine"] = " " }, "routing.departments.coal_mine"},
		{func(p *hazard.Policy) { p.Routing.DefaultDepartment = "" }, "routing.default_department"},
		{func(p *hazard.Policy) { p.Deadlines.MajorDays = 120 }, "deadlines.major_days"},
		{func(p *hazard.Policy) { p.Deadlines.GeneralDays = 0 }, "deadlines.general_days"},
		{func(p *hazard.Policy) { p.Deadlines.MaxDays = 0 }, "deadlines.max_days"},
		{func(p *hazard.Policy) { p.Escalation.SuperviseAfterDays = 0 }, "escalation.supervise_after_days"},
	}
	for _, tt := range tests {
		p := hazard.DefaultPolicy()
		tt.mut(&p)
		if err := p.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Validate() = %v, want an error naming %s", err, tt.want)
		}
	}
	if err := hazard.DefaultPolicy().Validate(); err != nil {
		t.Errorf("default policy: %v", err)
	}
}

func TestLoadPolicyStrict(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.yaml")
	write := func(body string) {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("deadlines:\n  major_dayz: 60\n")
	if _, err := hazard.LoadPolicy(path); err == nil || !strings.Contains(err.Error(), "major_dayz") {
		t.Errorf("unknown key: %v", err)
	}
	write("deadlines:\n  major_days: 100\n")
	if _, err := hazard.LoadPolicy(path); err == nil || !strings.Contains(err.Error(), "deadlines.major_days") {
		t.Errorf("major_days over max: %v", err)
	}
}
