package registry

import (
	"testing"

	"github.com/hazardwatch/hazardwatch/edge/agent"
	"github.com/hazardwatch/hazardwatch/internal/rules"
)

const demoFile = "../../configs/registry-tankfarm.yaml"

const demoEnterprise = "91320500MA1TANK01X"

func mustParse(t *testing.T, doc string) *Registry {
	t.Helper()
	r, err := Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

func TestLookups(t *testing.T) {
	r := mustParse(t, validDoc)

	if e, ok := r.Enterprise("ENT-A"); !ok || e.Name != "A" ||
		e.Industry != HazardousChemicals || e.District != "吴中区" {
		t.Errorf("Enterprise(ENT-A) = %+v, %v", e, ok)
	}
	if _, ok := r.Enterprise("ENT-C"); ok {
		t.Error("Enterprise(ENT-C) found")
	}
	if s, ok := r.HazardSource("HS-B1"); !ok || s.Grade != 1 ||
		s.Enterprise != "ENT-B" {
		t.Errorf("HazardSource(HS-B1) = %+v, %v", s, ok)
	}
	if _, ok := r.HazardSource("HS-X"); ok {
		t.Error("HazardSource(HS-X) found")
	}

	// Point ids are unique per enterprise only.
	a, okA := r.Point("ENT-A", "LT-01")
	b, okB := r.Point("ENT-B", "LT-01")
	if !okA || !okB || a.HazardSource != "HS-A1" || b.HazardSource != "HS-B1" {
		t.Errorf("LT-01: %+v %v / %+v %v", a, okA, b, okB)
	}
	if _, ok := r.Point("ENT-B", "GT-101"); ok {
		t.Error("GT-101 found under the wrong enterprise")
	}

	if got := len(r.Enterprises()); got != 2 {
		t.Errorf("%d enterprises", got)
	}
	if got := len(r.HazardSources()); got != 2 {
		t.Errorf("%d hazard sources", got)
	}
	ids := []string{}
	for _, p := range r.EnterprisePoints("ENT-B") {
		ids = append(ids, p.ID)
	}
	if len(ids) != 2 || ids[0] != "CH4-01" || ids[1] != "LT-01" {
		t.Errorf("EnterprisePoints(ENT-B) = %v, want file order", ids)
	}
}

func TestLookupsReturnCopies(t *testing.T) {
	r := mustParse(t, validDoc)
	ps := r.Points()
	ps[0].ID = "changed"
	es := r.Enterprises()
	es[0].Code = "changed"
	if _, ok := r.Point("ENT-A", "GT-101"); !ok {
		t.Error("changing Points() changed the registry")
	}
	if r.Enterprises()[0].Code != "ENT-A" {
		t.Error("changing Enterprises() changed the registry")
	}
}

func TestGatewayAllowed(t *testing.T) {
	r := mustParse(t, validDoc)
	tests := []struct {
		enterprise, gateway string
		want                bool
	}{
		{"ENT-A", "gw-01", true},
		{"ENT-A", "gw-02", false},
		{"ENT-B", "anything", true}, // no gateways listed: any
		{"ENT-C", "gw-01", false},   // unknown enterprise
	}
	for _, tt := range tests {
		if got := r.GatewayAllowed(tt.enterprise, tt.gateway); got != tt.want {
			t.Errorf("GatewayAllowed(%s, %s) = %v, want %v",
				tt.enterprise, tt.gateway, got, tt.want)
		}
	}
}

func TestRuleConfig(t *testing.T) {
	r := mustParse(t, validDoc)

	// Own limits are kept; methane gets its own triple.
	lt, _ := r.Point("ENT-A", "LT-01")
	c := lt.RuleConfig()
	if c.High.Value != 10.5 || c.HighHigh.Value != 11.2 ||
		c.HighHigh.Level != rules.Level2 || c.Low != nil {
		t.Errorf("LT-01 rules = %+v / %+v / %+v", c.High, c.HighHigh, c.Low)
	}
	if c.StaleAfter != rules.DefaultStaleAfter {
		t.Errorf("StaleAfter = %d", c.StaleAfter)
	}
	if err := c.Validate(); err != nil {
		t.Error(err)
	}

	// The result shares nothing with the registry.
	c.High.Value = 99
	if again, _ := r.Point("ENT-A", "LT-01"); again.High.Value != 10.5 {
		t.Error("changing RuleConfig changed the registry")
	}

	ch4, _ := r.Point("ENT-B", "CH4-01")
	if m := ch4.RuleConfig().Methane; m == nil || m.PowerOff != 1.5 {
		t.Errorf("CH4-01 methane = %+v", m)
	}
}

func TestDemoFile(t *testing.T) {
	r, err := Load(demoFile)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	e, ok := r.Enterprise(demoEnterprise)
	if !ok || e.Industry != HazardousChemicals || !r.GatewayAllowed(demoEnterprise, "gw-01") {
		t.Fatalf("demo enterprise = %+v, %v", e, ok)
	}

	// GB/T 50493-2019 defaults for a combustible gas point without limits.
	gt, ok := r.Point(demoEnterprise, "GT-101")
	if !ok {
		t.Fatal("GT-101 missing")
	}
	if gt.High != nil || gt.HighHigh != nil {
		t.Errorf("GT-101 has own limits; the demo wants the defaults")
	}
	c := gt.RuleConfig()
	if c.High == nil || *c.High != (rules.Limit{Value: 25, Level: rules.Level1}) {
		t.Errorf("GT-101 High = %+v, want 25 level 1", c.High)
	}
	if c.HighHigh == nil || *c.HighHigh != (rules.Limit{Value: 50, Level: rules.Level2}) {
		t.Errorf("GT-101 HighHigh = %+v, want 50 level 2", c.HighHigh)
	}

	at, _ := r.Point(demoEnterprise, "AT-201")
	if c := at.RuleConfig(); c.High == nil || c.High.Value != 10 ||
		c.HighHigh == nil || c.HighHigh.Value != 20 {
		t.Errorf("AT-201 rules = %+v / %+v", c.High, c.HighHigh)
	}
	lt, _ := r.Point(demoEnterprise, "T1-LT-01")
	if lt.High == nil || lt.High.Value != 10.5 || lt.HighHigh.Value != 11.2 {
		t.Errorf("T1-LT-01 limits = %+v / %+v", lt.High, lt.HighHigh)
	}
	for _, p := range r.Points() {
		if err := p.RuleConfig().Validate(); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
	}
}

// TestDemoCoversEdge checks that every point the demo gateway sends is in
// the demo registry, with the same range where the gateway states one.
func TestDemoCoversEdge(t *testing.T) {
	r, err := Load(demoFile)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	cfg, err := agent.LoadConfig("../../configs/edge.yaml")
	if err != nil {
		t.Fatalf("edge config: %v", err)
	}
	if cfg.Gateway.Enterprise != demoEnterprise {
		t.Fatalf("edge enterprise %s", cfg.Gateway.Enterprise)
	}
	if !r.GatewayAllowed(cfg.Gateway.Enterprise, cfg.Gateway.ID) {
		t.Errorf("gateway %s not allowed", cfg.Gateway.ID)
	}
	n := 0
	for _, d := range cfg.Devices {
		for _, ep := range d.Points {
			n++
			p, ok := r.Point(cfg.Gateway.Enterprise, ep.ID)
			if !ok {
				t.Errorf("edge point %s missing from the registry", ep.ID)
				continue
			}
			if ep.RangeLow != nil && ep.RangeHigh != nil &&
				(p.RangeLow != *ep.RangeLow || p.RangeHigh != *ep.RangeHigh) {
				t.Errorf("%s: registry range %g..%g, edge %g..%g", ep.ID,
					p.RangeLow, p.RangeHigh, *ep.RangeLow, *ep.RangeHigh)
			}
		}
	}
	if n != 16 || len(r.Points()) != 16 {
		t.Errorf("edge has %d points, registry %d; want 16 each",
			n, len(r.Points()))
	}
}
