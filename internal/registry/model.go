package registry

import (
	"fmt"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// Industry is the sector an enterprise belongs to, as the work-safety
// office files it.
type Industry string

// Industries the registry knows.
const (
	HazardousChemicals Industry = "hazardous_chemicals"
	NonCoalMine        Industry = "non_coal_mine"
	CoalMine           Industry = "coal_mine"
	Metallurgy         Industry = "metallurgy"
	OtherIndustry      Industry = "other"
)

var industries = []Industry{
	HazardousChemicals, NonCoalMine, CoalMine, Metallurgy, OtherIndustry,
}

// ParseIndustry maps a configuration name to its Industry.
func ParseIndustry(s string) (Industry, error) {
	for _, in := range industries {
		if string(in) == s {
			return in, nil
		}
	}
	names := make([]string, len(industries))
	for i, in := range industries {
		names[i] = string(in)
	}
	return "", fmt.Errorf("unknown industry %q (want one of %s)",
		s, strings.Join(names, ", "))
}

// Enterprise is a site operator whose hazard sources the center watches.
// Values handed out by a Registry share their Gateways slice with it:
// treat them as read-only.
type Enterprise struct {
	// Code is the unified social credit code, also the enterprise level
	// of the MQTT topic.
	Code string
	Name string
	// District is the county or district (区县), by name or code.
	District string
	Industry Industry
	// Gateways are the gateway ids allowed to report for the enterprise;
	// empty means any.
	Gateways []string
}

// HazardSource is a major hazard source (重大危险源) of an enterprise.
type HazardSource struct {
	Code string
	Name string
	// Grade is 1 (most severe) to 4, by GB 18218.
	Grade int
	// Enterprise is the code of the enterprise that runs it.
	Enterprise string
}

// Point is a monitoring point (监测点) and the limits its readings are
// checked against. The limit fields hold only the point's own settings,
// with their levels filled in; RuleConfig adds the standard defaults.
//
// Values handed out by a Registry share their pointer fields with it:
// treat them as read-only (RuleConfig returns copies).
type Point struct {
	// ID is unique within the enterprise and is what gateways send.
	ID           string
	Enterprise   string
	HazardSource string
	// Gateway, when set, is the one gateway expected to report the point.
	Gateway string
	Name    string
	Kind    rules.Kind
	Unit    string

	// RangeLow and RangeHigh bound what the sensor measures; both zero
	// means unknown.
	RangeLow, RangeHigh float64

	// Own limits; nil means none was configured.
	HighHigh, High, Low, LowLow *rules.Limit

	Deadband          float64
	OnDelay, OffDelay time.Duration
	RateOfChange      *rules.RateLimit

	// ExpectedInterval is how often the point reports at the latest;
	// StaleAfter intervals without a sample make it stale (0: default).
	ExpectedInterval time.Duration
	StaleAfter       int

	Methane *rules.MethaneTriple
}

// RuleConfig returns the rule engine's configuration for p, with the
// GB/T 50493-2019 defaults filled in where p has no limit of its own (see
// rules.Defaults). The result shares no memory with the registry.
func (p Point) RuleConfig() rules.Config {
	c := rules.Config{
		Kind:             p.Kind,
		Unit:             p.Unit,
		RangeLow:         p.RangeLow,
		RangeHigh:        p.RangeHigh,
		HighHigh:         clone(p.HighHigh),
		High:             clone(p.High),
		Low:              clone(p.Low),
		LowLow:           clone(p.LowLow),
		Deadband:         p.Deadband,
		OnDelay:          p.OnDelay,
		OffDelay:         p.OffDelay,
		RateOfChange:     clone(p.RateOfChange),
		ExpectedInterval: p.ExpectedInterval,
		StaleAfter:       p.StaleAfter,
		Methane:          clone(p.Methane),
	}
	return c.WithDefaults()
}

// clone returns a copy of *v, or nil.
func clone[T any](v *T) *T {
	if v == nil {
		return nil
	}
	c := *v
	return &c
}

// isGas tells whether k is a gas detector, which must never run without
// limits: a silent detector is a hole in the safety net.
func isGas(k rules.Kind) bool {
	switch k {
	case rules.CombustibleGas, rules.ToxicGas, rules.Oxygen, rules.Methane:
		return true
	}
	return false
}
