package rules

import (
	"strconv"
	"strings"
	"testing"
)

func TestDefaults(t *testing.T) {
	tests := []struct {
		kind Kind
		unit string
		want string // high_high high low low_low methane, "-" for none
	}{
		{CombustibleGas, "%LEL", "50/2 25/1 - - -"},
		{CombustibleGas, " %lel", "50/2 25/1 - - -"},
		{CombustibleGas, "ppm", "- - - - -"},
		{ToxicGas, "%OEL", "200/2 100/1 - - -"},
		{ToxicGas, "ppm", "- - - - -"},
		{Oxygen, "%VOL", "- 23.5/1 19.5/1 - -"},
		{Methane, "%", "- - - - 1/1.5/1"},
		{Temperature, "C", "- - - - -"},
	}
	for _, tt := range tests {
		if got := limitsOf(Defaults(tt.kind, tt.unit)); got != tt.want {
			t.Errorf("Defaults(%s, %q) = %s, want %s",
				tt.kind, tt.unit, got, tt.want)
		}
	}
}

func limitsOf(c Config) string {
	var b []string
	for _, l := range []*Limit{c.HighHigh, c.High, c.Low, c.LowLow} {
		if l == nil {
			b = append(b, "-")
			continue
		}
		b = append(b, ftoa(l.Value)+"/"+l.Level.String()[6:])
	}
	if m := c.Methane; m != nil {
		b = append(b, ftoa(m.Alarm)+"/"+ftoa(m.PowerOff)+"/"+ftoa(m.Restore))
	} else {
		b = append(b, "-")
	}
	return strings.Join(b, " ")
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func TestWithDefaultsKeepsOwnLimits(t *testing.T) {
	c := Config{Kind: CombustibleGas, Unit: "%LEL",
		High: &Limit{Value: 20}}.WithDefaults()
	if got, want := limitsOf(c), "50/2 20/1 - - -"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if c.StaleAfter != DefaultStaleAfter {
		t.Fatalf("StaleAfter %d", c.StaleAfter)
	}
	bad := Config{Kind: CombustibleGas, Unit: "%LEL",
		High: &Limit{Value: 60}}.WithDefaults()
	if err := bad.Validate(); err == nil ||
		!strings.Contains(err.Error(), "high_high") {
		t.Fatalf("own High above default HighHigh: err %v", err)
	}
}

func TestValidate(t *testing.T) {
	l := func(v float64, lvl Level) *Limit { return &Limit{v, lvl} }
	tests := []struct {
		name string
		cfg  Config
		want string // substring of the error, "" for valid
	}{
		{"ok", Config{Kind: Pressure, High: l(1, 1), HighHigh: l(2, 2)}, ""},
		{"no kind", Config{}, "kind:"},
		{"range", Config{Kind: Flow, RangeLow: 5, RangeHigh: 5},
			"range_high:"},
		{"high below low", Config{Kind: Flow, Low: l(5, 1), High: l(5, 1)},
			"high: 5 is out of order with low 5"},
		{"low_low above low", Config{Kind: Flow, LowLow: l(3, 2),
			Low: l(2, 1)}, "low: 2 is out of order with low_low 3"},
		{"high_high below high", Config{Kind: Flow, High: l(3, 1),
			HighHigh: l(2, 2)}, "high_high:"},
		{"equal highs", Config{Kind: Flow, High: l(3, 1),
			HighHigh: l(3, 2)}, ""},
		{"limit out of range", Config{Kind: Flow, RangeHigh: 10,
			High: l(11, 1)}, "high: 11 is outside"},
		{"level", Config{Kind: Flow, High: l(1, 3)}, "high.level:"},
		{"deadband", Config{Kind: Flow, Deadband: -1}, "deadband:"},
		{"on_delay", Config{Kind: Flow, OnDelay: -1}, "on_delay:"},
		{"off_delay", Config{Kind: Flow, OffDelay: -1}, "off_delay:"},
		{"interval", Config{Kind: Flow, ExpectedInterval: -1},
			"expected_interval:"},
		{"stale_after", Config{Kind: Flow, StaleAfter: -1}, "stale_after:"},
		{"rate", Config{Kind: Flow, RateOfChange: &RateLimit{0, 1}},
			"rate_of_change.per_minute:"},
		{"methane power_off", Config{Kind: Methane,
			Methane: &MethaneTriple{1, 0.5, 1}}, "methane.power_off:"},
		{"methane restore", Config{Kind: Methane,
			Methane: &MethaneTriple{1, 1.5, 1.2}}, "methane.restore:"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.want != "" && (err == nil ||
			!strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: error %v, want it to contain %q",
				tt.name, err, tt.want)
		}
	}
}

func TestParseNames(t *testing.T) {
	for c := HighHigh; c < numConditions; c++ {
		got, err := ParseCondition(c.String())
		if err != nil || got != c {
			t.Errorf("ParseCondition(%q) = %v, %v", c, got, err)
		}
	}
	for k := CombustibleGas; k < numKinds; k++ {
		if got, err := ParseKind(k.String()); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %v, %v", k, got, err)
		}
	}
	if _, err := ParseKind("gas"); err == nil {
		t.Error("ParseKind accepted gas")
	}
	if Condition(0).String() != "condition(0)" {
		t.Error(Condition(0).String())
	}
}
