package registry

import (
	"errors"
	"fmt"
	"math"
	"os"
	"strconv"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/rules"
	"github.com/hazardwatch/hazardwatch/internal/wire"
	"github.com/hazardwatch/hazardwatch/internal/yamlconf"
)

// maxErrors caps how many problems one error reports: a file broken
// throughout would otherwise bury the first (and usually only) cause.
const maxErrors = 20

// The file's layout; see the package documentation.
type (
	fileDoc struct {
		Enterprises   []enterpriseDoc `yaml:"enterprises"`
		HazardSources []sourceDoc     `yaml:"hazard_sources"`
	}
	enterpriseDoc struct {
		Code     string   `yaml:"code"`
		Name     string   `yaml:"name"`
		District string   `yaml:"district"`
		Industry string   `yaml:"industry"`
		Gateways []string `yaml:"gateways"`
	}
	sourceDoc struct {
		Code       string     `yaml:"code"`
		Name       string     `yaml:"name"`
		Grade      int        `yaml:"grade"`
		Enterprise string     `yaml:"enterprise"`
		Points     []pointDoc `yaml:"points"`
	}
	pointDoc struct {
		ID               string        `yaml:"id"`
		Name             string        `yaml:"name"`
		Gateway          string        `yaml:"gateway"`
		Kind             string        `yaml:"kind"`
		Unit             string        `yaml:"unit"`
		RangeLow         float64       `yaml:"range_low"`
		RangeHigh        float64       `yaml:"range_high"`
		HighHigh         *limitDoc     `yaml:"high_high"`
		High             *limitDoc     `yaml:"high"`
		Low              *limitDoc     `yaml:"low"`
		LowLow           *limitDoc     `yaml:"low_low"`
		Deadband         float64       `yaml:"deadband"`
		OnDelay          time.Duration `yaml:"on_delay"`
		OffDelay         time.Duration `yaml:"off_delay"`
		RateOfChange     *rateDoc      `yaml:"rate_of_change"`
		ExpectedInterval time.Duration `yaml:"expected_interval"`
		StaleAfter       int           `yaml:"stale_after"`
		Methane          *methaneDoc   `yaml:"methane"`
	}
	limitDoc struct {
		// Value is a pointer so that a forgotten value is an error, not
		// a limit at zero.
		Value *float64 `yaml:"value"`
		Level int      `yaml:"level"`
	}
	rateDoc struct {
		PerMinute float64 `yaml:"per_minute"`
		Level     int     `yaml:"level"`
	}
	methaneDoc struct {
		Alarm    float64 `yaml:"alarm"`
		PowerOff float64 `yaml:"power_off"`
		Restore  float64 `yaml:"restore"`
	}
)

// Load reads and validates the registry file at path.
func Load(path string) (*Registry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read registry: %w", err)
	}
	r, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("registry %s: %w", path, err)
	}
	return r, nil
}

// Parse decodes and validates a registry file's contents. Every problem
// found is reported (up to a cap), each naming its key.
func Parse(data []byte) (*Registry, error) {
	var doc fileDoc
	if err := yamlconf.Decode(data, &doc); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	b := builder{reg: newRegistry()}
	b.enterprises(doc.Enterprises)
	b.sources(doc.HazardSources)
	if err := b.err(); err != nil {
		return nil, err
	}
	return b.reg, nil
}

// builder fills a Registry in while collecting every problem.
type builder struct {
	reg  *Registry
	errs []error
}

func (b *builder) bad(key, format string, args ...any) {
	b.add(fmt.Errorf(key+": "+format, args...))
}

func (b *builder) add(err error) {
	b.errs = append(b.errs, err)
}

func (b *builder) err() error {
	if len(b.errs) <= maxErrors {
		return errors.Join(b.errs...)
	}
	more := len(b.errs) - maxErrors
	errs := append(b.errs[:maxErrors:maxErrors],
		fmt.Errorf("and %d more problems", more))
	return errors.Join(errs...)
}

// checkID reports key when id is not safe as an MQTT topic level.
func (b *builder) checkID(key, id string) bool {
	if err := wire.CheckID(id); err != nil {
		b.add(fmt.Errorf("%s: %w", key, err))
		return false
	}
	return true
}

func (b *builder) required(key, v string) {
	if v == "" {
		b.bad(key, "missing")
	}
}

func (b *builder) enterprises(docs []enterpriseDoc) {
	if len(docs) == 0 {
		// An empty registry rejects every reading: far more likely a
		// truncated file than what anyone meant.
		b.bad("enterprises", "none listed")
	}
	for i, d := range docs {
		key := "enterprises[" + strconv.Itoa(i) + "]"
		e := Enterprise{Code: d.Code, Name: d.Name, District: d.District}
		if b.checkID(key+".code", d.Code) {
			if _, dup := b.reg.enterprise(d.Code); dup {
				b.bad(key+".code", "duplicate enterprise %q", d.Code)
				continue
			}
		}
		b.required(key+".name", d.Name)
		b.required(key+".district", d.District)
		in, err := ParseIndustry(d.Industry)
		if err != nil {
			b.add(fmt.Errorf("%s.industry: %w", key, err))
		}
		e.Industry = in
		e.Gateways = b.gateways(key+".gateways", d.Gateways)
		b.reg.addEnterprise(e)
	}
}

func (b *builder) gateways(key string, ids []string) []string {
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		k := key + "[" + strconv.Itoa(i) + "]"
		if b.checkID(k, id) && seen[id] {
			b.bad(k, "duplicate gateway %q", id)
		}
		seen[id] = true
	}
	return ids
}

func (b *builder) sources(docs []sourceDoc) {
	for i, d := range docs {
		key := "hazard_sources[" + strconv.Itoa(i) + "]"
		if b.checkID(key+".code", d.Code) {
			if _, dup := b.reg.HazardSource(d.Code); dup {
				b.bad(key+".code", "duplicate hazard source %q", d.Code)
				continue
			}
		}
		b.required(key+".name", d.Name)
		if d.Grade < 1 || d.Grade > 4 {
			b.bad(key+".grade", "%d is not a GB 18218 grade (want 1 to 4)",
				d.Grade)
		}
		ent, ok := b.reg.enterprise(d.Enterprise)
		if !ok {
			b.bad(key+".enterprise", "unknown enterprise %q", d.Enterprise)
		}
		b.reg.addSource(HazardSource{Code: d.Code, Name: d.Name,
			Grade: d.Grade, Enterprise: d.Enterprise})

		if len(d.Points) == 0 {
			b.bad(key+".points", "none listed")
		}
		for j, pd := range d.Points {
			pkey := key + ".points[" + strconv.Itoa(j) + "]"
			if pd.ID != "" {
				pkey += " (" + pd.ID + ")"
			}
			p := b.point(pkey, pd, ent)
			p.HazardSource = d.Code
			b.addPoint(pkey, p, ok)
		}
	}
}

// addPoint adds p unless its id is taken within the enterprise, or the
// enterprise is unknown (already reported).
func (b *builder) addPoint(key string, p Point, entKnown bool) {
	if !entKnown || p.ID == "" {
		return
	}
	if prev, dup := b.reg.Point(p.Enterprise, p.ID); dup {
		b.bad(key+": id", "duplicate point %q in enterprise %s "+
			"(first under hazard source %s)", p.ID, p.Enterprise,
			prev.HazardSource)
		return
	}
	b.reg.addPoint(p)
}

// point converts and checks one point of enterprise ent (zero when the
// enterprise is unknown).
func (b *builder) point(key string, d pointDoc, ent *Enterprise) Point {
	p := Point{
		ID: d.ID, Name: d.Name, Gateway: d.Gateway, Unit: d.Unit,
		RangeLow: d.RangeLow, RangeHigh: d.RangeHigh,
		Deadband: d.Deadband, OnDelay: d.OnDelay, OffDelay: d.OffDelay,
		ExpectedInterval: d.ExpectedInterval, StaleAfter: d.StaleAfter,
	}
	if ent != nil {
		p.Enterprise = ent.Code
	}
	if !b.checkID(key+": id", d.ID) {
		p.ID = ""
	}
	b.required(key+": name", d.Name)
	if d.Gateway != "" && b.checkID(key+": gateway", d.Gateway) &&
		ent != nil && !gatewayListed(ent, d.Gateway) {
		b.bad(key+": gateway", "%q is not among enterprise %s's gateways %v",
			d.Gateway, ent.Code, ent.Gateways)
	}
	if d.ExpectedInterval <= 0 {
		b.bad(key+": expected_interval", "%v must be positive "+
			"(how often the point reports at the latest)", d.ExpectedInterval)
	}
	kind, err := rules.ParseKind(d.Kind)
	if err != nil {
		b.add(fmt.Errorf("%s: kind: %w", key, err))
		return p // the rule checks below need a kind
	}
	p.Kind = kind
	b.finite(key, d)
	b.limits(key, d, &p)
	b.rules(key, p)
	return p
}

// finite refuses NaN and infinities, which pass every comparison the rule
// checks make and would leave a limit that never fires.
func (b *builder) finite(key string, d pointDoc) {
	check := func(k string, v float64) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b.bad(key+": "+k, "%g is not a finite number", v)
		}
	}
	check("range_low", d.RangeLow)
	check("range_high", d.RangeHigh)
	check("deadband", d.Deadband)
	for _, l := range []struct {
		k string
		d *limitDoc
	}{
		{"high_high", d.HighHigh}, {"high", d.High},
		{"low", d.Low}, {"low_low", d.LowLow},
	} {
		if l.d != nil && l.d.Value != nil {
			check(l.k+".value", *l.d.Value)
		}
	}
	if r := d.RateOfChange; r != nil {
		check("rate_of_change.per_minute", r.PerMinute)
	}
	if m := d.Methane; m != nil {
		check("methane.alarm", m.Alarm)
		check("methane.power_off", m.PowerOff)
		check("methane.restore", m.Restore)
	}
}

func gatewayListed(e *Enterprise, gw string) bool {
	if len(e.Gateways) == 0 {
		return true
	}
	for _, g := range e.Gateways {
		if g == gw {
			return true
		}
	}
	return false
}

// limits converts the point's own limits, rate and methane settings.
func (b *builder) limits(key string, d pointDoc, p *Point) {
	p.HighHigh = b.limit(key+": high_high", d.HighHigh, rules.Level2)
	p.High = b.limit(key+": high", d.High, rules.Level1)
	p.Low = b.limit(key+": low", d.Low, rules.Level1)
	p.LowLow = b.limit(key+": low_low", d.LowLow, rules.Level2)
	if r := d.RateOfChange; r != nil {
		p.RateOfChange = &rules.RateLimit{PerMinute: r.PerMinute,
			Level: b.level(key+": rate_of_change.level", r.Level,
				rules.Level1)}
	}
	if m := d.Methane; m != nil {
		p.Methane = &rules.MethaneTriple{Alarm: m.Alarm,
			PowerOff: m.PowerOff, Restore: m.Restore}
	}
}

func (b *builder) limit(key string, d *limitDoc,
	def rules.Level) *rules.Limit {
	if d == nil {
		return nil
	}
	if d.Value == nil {
		b.bad(key+".value", "missing")
		return nil
	}
	return &rules.Limit{Value: *d.Value,
		Level: b.level(key+".level", d.Level, def)}
}

// level converts a configured alarm level, def when left out. A level out
// of range is reported here, since converting it to rules.Level could wrap
// it into a valid one.
func (b *builder) level(key string, l int, def rules.Level) rules.Level {
	switch {
	case l == 0:
		return def
	case l < 0 || l > 2:
		b.bad(key, "%d is not an alarm level (want 1 or 2)", l)
		return def
	}
	return rules.Level(l)
}

// rules has the rule engine check the point as it will run, defaults
// included, and refuses a gas point left without any limit.
func (b *builder) rules(key string, p Point) {
	c := p.RuleConfig()
	if err := c.Validate(); err != nil {
		for _, e := range unjoin(err) {
			b.add(fmt.Errorf("%s: %w", key, e))
		}
	}
	noLimits := c.HighHigh == nil && c.High == nil && c.Low == nil &&
		c.LowLow == nil && c.Methane == nil
	if isGas(p.Kind) && noLimits {
		b.bad(key+": high", "a %s point in %q has no standard limits: "+
			"set high and high_high (or use the unit the GB/T 50493 "+
			"defaults are given in)", p.Kind, p.Unit)
	}
}

// unjoin splits an errors.Join result into its parts.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
