package registry

import (
	"strings"
	"testing"
)

// validDoc is a small valid registry; the cases below break one thing in
// it at a time.
const validDoc = `
enterprises:
  - {code: ENT-A, name: A, district: 吴中区, industry: hazardous_chemicals, gateways: [gw-01]}
  - {code: ENT-B, name: B, district: "320506", industry: coal_mine}
hazard_sources:
  - code: HS-A1
    name: tank farm
    grade: 2
    enterprise: ENT-A
    points:
      - {id: GT-101, name: gas, kind: combustible_gas, unit: "%LEL", range_low: 0, range_high: 100, expected_interval: 1s}
      - {id: LT-01, name: level, gateway: gw-01, kind: level, unit: m, range_low: 0, range_high: 12,
         high: {value: 10.5, level: 1}, high_high: {value: 11.2}, expected_interval: 1s}
  - code: HS-B1
    name: working face
    grade: 1
    enterprise: ENT-B
    points:
      - {id: CH4-01, name: methane, gateway: any-gw, kind: methane, unit: "%", expected_interval: 10s,
         methane: {alarm: 1.0, power_off: 1.5, restore: 1.0}}
      - {id: LT-01, name: "same id, other enterprise", kind: level, unit: m, expected_interval: 5s}
`

func TestParseValid(t *testing.T) {
	r, err := Parse([]byte(validDoc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if n := len(r.Points()); n != 4 {
		t.Errorf("%d points, want 4", n)
	}
	p, ok := r.Point("ENT-A", "LT-01")
	if !ok {
		t.Fatal("point ENT-A/LT-01 missing")
	}
	if p.HighHigh == nil || p.HighHigh.Level != 2 {
		t.Errorf("high_high without level = %+v, want level 2", p.HighHigh)
	}
	if p.HazardSource != "HS-A1" || p.Enterprise != "ENT-A" {
		t.Errorf("point belongs to %s/%s", p.Enterprise, p.HazardSource)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		old  string // text of validDoc to replace
		new  string
		want []string // substrings the error must hold
	}{
		{"unknown key", "grade: 2", "grade: 2\n    grdae: 3",
			[]string{"field grdae not found"}},
		{"bad enterprise code", "code: ENT-A,", "code: ENT A,",
			[]string{"enterprises[0].code", "not allowed"}},
		{"duplicate enterprise", "code: ENT-B,", "code: ENT-A,",
			[]string{"enterprises[1].code", `duplicate enterprise "ENT-A"`}},
		{"missing name", "name: B,", "",
			[]string{"enterprises[1].name: missing"}},
		{"missing district", `district: "320506",`, "",
			[]string{"enterprises[1].district: missing"}},
		{"unknown industry", "industry: coal_mine", "industry: mining",
			[]string{"enterprises[1].industry", `unknown industry "mining"`,
				"non_coal_mine"}},
		{"bad gateway id", "gateways: [gw-01]", "gateways: [gw-01, gw/02]",
			[]string{"enterprises[0].gateways[1]"}},
		{"duplicate gateway", "gateways: [gw-01]", "gateways: [gw-01, gw-01]",
			[]string{"enterprises[0].gateways[1]", "duplicate gateway"}},
		{"grade 0", "grade: 2", "grade: 0",
			[]string{"hazard_sources[0].grade", "want 1 to 4"}},
		{"grade 5", "grade: 1", "grade: 5",
			[]string{"hazard_sources[1].grade: 5"}},
		{"unknown enterprise", "enterprise: ENT-B", "enterprise: ENT-C",
			[]string{"hazard_sources[1].enterprise", `unknown enterprise "ENT-C"`}},
		{"duplicate hazard source", "code: HS-B1", "code: HS-A1",
			[]string{"hazard_sources[1].code", "duplicate hazard source"}},
		{"bad hazard source code", "code: HS-B1", "code: .HS",
			[]string{"hazard_sources[1].code"}},
		{"duplicate point", "id: LT-01, name: level", "id: GT-101, name: level",
			[]string{"hazard_sources[0].points[1] (GT-101): id",
				`duplicate point "GT-101"`}},
		{"bad point id", "id: GT-101", "id: GT 101",
			[]string{"hazard_sources[0].points[0] (GT 101): id"}},
		{"missing point id", "id: GT-101, ", "",
			[]string{"hazard_sources[0].points[0]: id", "empty id"}},
		{"unknown kind", "kind: combustible_gas", "kind: gas",
			[]string{"points[0] (GT-101): kind", `unknown kind "gas"`}},
		{"gateway not listed", "gateway: gw-01", "gateway: gw-02",
			[]string{"points[1] (LT-01): gateway", `"gw-02" is not among`}},
		{"zero interval", "expected_interval: 10s", "expected_interval: 0s",
			[]string{"hazard_sources[1].points[0] (CH4-01): expected_interval",
				"must be positive"}},
		{"missing interval", ", expected_interval: 5s}", "}",
			[]string{"points[1] (LT-01): expected_interval"}},
		{"limits out of order", "high: {value: 10.5", "high: {value: 11.5",
			[]string{"points[1] (LT-01): high_high", "out of order"}},
		{"limit outside range", "high_high: {value: 11.2}", "high_high: {value: 13}",
			[]string{"points[1] (LT-01): high_high", "outside the sensor range"}},
		{"own high above default high_high", "range_high: 100, expected",
			"range_high: 100, high: {value: 60}, expected",
			[]string{"points[0] (GT-101): high_high", "out of order"}},
		{"level 3", "level: 1}", "level: 3}",
			[]string{"points[1] (LT-01): high.level", "3 is not an alarm level"}},
		{"level 257", "level: 1}", "level: 257}",
			[]string{"high.level", "257 is not an alarm level"}},
		{"limit without value", "high_high: {value: 11.2}", "high_high: {level: 2}",
			[]string{"points[1] (LT-01): high_high.value: missing"}},
		{"bad methane", "restore: 1.0", "restore: 1.2",
			[]string{"points[0] (CH4-01): methane.restore"}},
		{"bad rate", "expected_interval: 1s}\n  - code",
			"expected_interval: 1s, rate_of_change: {per_minute: 0}}\n  - code",
			[]string{"(LT-01): rate_of_change.per_minute"}},
		{"gas without limits", `unit: "%LEL"`, "unit: ppm",
			[]string{"points[0] (GT-101): high", "no standard limits"}},
		{"no points", "    points:\n      - {id: CH4-01", "    pts:\n      - {id: CH4-01",
			[]string{"field pts not found"}},
		{"NaN limit", "high_high: {value: 11.2}", "high_high: {value: .nan}",
			[]string{"(LT-01): high_high.value", "not a finite number"}},
		{"infinite range", "range_high: 100,", "range_high: .inf,",
			[]string{"(GT-101): range_high", "not a finite number"}},
		{"NaN methane", "alarm: 1.0", "alarm: .nan",
			[]string{"(CH4-01): methane.alarm", "not a finite number"}},
		{"range reversed", "range_low: 0, range_high: 12", "range_low: 12, range_high: 0",
			[]string{"(LT-01): range_high"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.Contains(validDoc, tt.old) {
				t.Fatalf("validDoc lacks %q", tt.old)
			}
			doc := strings.Replace(validDoc, tt.old, tt.new, 1)
			_, err := Parse([]byte(doc))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestParseStructural(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"empty file", "", "enterprises: none listed"},
		{"no enterprises", "hazard_sources: []", "enterprises: none listed"},
		{"source without points",
			"enterprises: [{code: E, name: n, district: d, industry: other}]\n" +
				"hazard_sources: [{code: H, name: n, grade: 1, enterprise: E}]",
			"hazard_sources[0].points: none listed"},
		{"two documents", "enterprises: []\n---\nenterprises: []",
			"more than one"},
		{"not a mapping", "- a\n- b", "decode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Parse err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestParseErrorCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("enterprises:\n")
	for range 30 {
		b.WriteString("  - {code: E, name: n, district: d, industry: other}\n")
	}
	_, err := Parse([]byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "and 9 more problems") {
		t.Errorf("err = %v, want the cap", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load("testdata/does-not-exist.yaml")
	if err == nil || !strings.Contains(err.Error(), "read registry") {
		t.Errorf("Load err = %v", err)
	}
}
