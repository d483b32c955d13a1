package hazard

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/yamlconf"
)

// Policy decides which alarms become records, how records are graded and
// routed, their deadlines and escalation. configs/hazard-policy.yaml is
// the commented example; it is a regional rule, so it is configuration.
type Policy struct {
	AutoOpen   AutoOpen   `yaml:"auto_open"`
	Grading    Grading    `yaml:"grading"`
	Routing    Routing    `yaml:"routing"`
	Deadlines  Deadlines  `yaml:"deadlines"`
	Escalation Escalation `yaml:"escalation"`
}

// AutoOpen says which alarm signals open a record. A condition listed in
// Conditions follows its own hold time whatever its level; the others
// follow Level2 and Level1After.
type AutoOpen struct {
	// Level2 opens a record for any level-2 alarm at once.
	Level2 bool `yaml:"level2"`
	// Level1After opens a record for a level-1 alarm active this long;
	// 0 never opens one for level 1.
	Level1After time.Duration `yaml:"level1_after"`
	// Conditions maps an alarm condition (sensor_fault, gateway_offline,
	// ...) to how long it must last; 0 never opens a record for it.
	Conditions map[string]time.Duration `yaml:"conditions"`
}

// Grading says which alarm-born records are major; all others are general.
type Grading struct {
	// MajorSourceGrades: a level-2 alarm on a hazard source of one of
	// these grades (GB 18218, 1 is the most dangerous) is major.
	MajorSourceGrades []int `yaml:"major_source_grades"`
	// MajorConditions: an alarm of one of these conditions is major at
	// any level.
	MajorConditions []string `yaml:"major_conditions"`
}

// Routing names the responsible unit of a record.
type Routing struct {
	// DistrictUnit is the unit of a general record; {district} is
	// replaced by the enterprise's district.
	DistrictUnit string `yaml:"district_unit"`
	// Departments maps an enterprise's industry to the city department
	// that handles its major records.
	Departments map[string]string `yaml:"departments"`
	// DefaultDepartment handles major records of unlisted industries.
	DefaultDepartment string `yaml:"default_department"`
}

// Deadlines are rectification periods in days from the record's creation.
type Deadlines struct {
	GeneralDays int `yaml:"general_days"`
	MajorDays   int `yaml:"major_days"`
	// MaxDays bounds any deadline, also one a plan or a creator sets.
	MaxDays int `yaml:"max_days"`
}

// Escalation is what happens to an overdue record: a reminder when the
// deadline passes, supervision SuperviseAfterDays later.
type Escalation struct {
	SuperviseAfterDays int `yaml:"supervise_after_days"`
}

// DefaultPolicy returns the policy of DESIGN's numbers: level-2 alarms,
// level-1 alarms over 10 minutes, sensor faults over an hour and gateways
// offline over 30 minutes open records; 30 days for general and 60 for
// major records, 90 at most; supervision 7 days after the reminder.
func DefaultPolicy() Policy {
	return Policy{
		AutoOpen: AutoOpen{
			Level2:      true,
			Level1After: 10 * time.Minute,
			Conditions: map[string]time.Duration{
				"sensor_fault":    time.Hour,
				"gateway_offline": 30 * time.Minute,
			},
		},
		Grading: Grading{
			MajorSourceGrades: []int{1, 2},
			MajorConditions:   []string{"methane_power_off"},
		},
		Routing: Routing{
			DistrictUnit: "{district}应急管理局",
			Departments: map[string]string{
				"hazardous_chemicals": "市应急管理局危化处",
			},
			DefaultDepartment: "市应急管理局",
		},
		Deadlines:  Deadlines{GeneralDays: 30, MajorDays: 60, MaxDays: 90},
		Escalation: Escalation{SuperviseAfterDays: 7},
	}
}

// LoadPolicy reads a policy file over the defaults and validates it.
// Maps in the file replace the default maps entirely.
func LoadPolicy(path string) (Policy, error) {
	p := DefaultPolicy()
	p.AutoOpen.Conditions = nil
	p.Routing.Departments = nil
	if err := yamlconf.Load(path, &p); err != nil {
		return p, err
	}
	if p.AutoOpen.Conditions == nil {
		p.AutoOpen.Conditions = DefaultPolicy().AutoOpen.Conditions
	}
	if p.Routing.Departments == nil {
		p.Routing.Departments = DefaultPolicy().Routing.Departments
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("policy %s: %w", path, err)
	}
	return p, nil
}

// Validate names the key at fault.
func (p Policy) Validate() error {
	a := p.AutoOpen
	if a.Level1After < 0 {
		return fmt.Errorf("auto_open.level1_after: %s, want 0 or more", a.Level1After)
	}
	for c, d := range a.Conditions {
		if c == "" || d < 0 {
			return fmt.Errorf("auto_open.conditions.%s: %s, want a condition "+
				"and a duration of 0 or more", c, d)
		}
	}
	for _, g := range p.Grading.MajorSourceGrades {
		if g < 1 || g > 4 {
			return fmt.Errorf("grading.major_source_grades: %d, want 1 to 4", g)
		}
	}
	if err := p.Routing.validate(); err != nil {
		return err
	}
	return p.validateDays()
}

func (r Routing) validate() error {
	if strings.TrimSpace(r.DistrictUnit) == "" {
		return fmt.Errorf("routing.district_unit: empty, want a unit name " +
			"such as {district}应急管理局")
	}
	for ind, unit := range r.Departments {
		if ind == "" || strings.TrimSpace(unit) == "" {
			return fmt.Errorf("routing.departments.%s: %q, want an industry "+
				"and a department name", ind, unit)
		}
	}
	if strings.TrimSpace(r.DefaultDepartment) == "" {
		return fmt.Errorf("routing.default_department: empty, want a department name")
	}
	return nil
}

func (p Policy) validateDays() error {
	d := p.Deadlines
	if d.MaxDays < 1 {
		return fmt.Errorf("deadlines.max_days: %d, want 1 or more", d.MaxDays)
	}
	if d.GeneralDays < 1 || d.GeneralDays > d.MaxDays {
		return fmt.Errorf("deadlines.general_days: %d, want 1 to max_days (%d)",
			d.GeneralDays, d.MaxDays)
	}
	if d.MajorDays < 1 || d.MajorDays > d.MaxDays {
		return fmt.Errorf("deadlines.major_days: %d, want 1 to max_days (%d)",
			d.MajorDays, d.MaxDays)
	}
	if p.Escalation.SuperviseAfterDays < 1 {
		return fmt.Errorf("escalation.supervise_after_days: %d, want 1 or more",
			p.Escalation.SuperviseAfterDays)
	}
	return nil
}

// qualifies reports whether sig opens a record (or counts as an
// occurrence) and why, in words for the history.
func (a AutoOpen) qualifies(sig AlarmSignal) (bool, string) {
	lasted := sig.At.Sub(sig.Since)
	if hold, ok := a.Conditions[sig.Condition]; ok {
		if hold > 0 && lasted >= hold {
			return true, fmt.Sprintf("%s lasted %s (policy %s)",
				sig.Condition, lasted.Round(time.Second), hold)
		}
		return false, ""
	}
	if sig.Level >= 2 && a.Level2 {
		return true, "level-2 alarm"
	}
	if sig.Level == 1 && a.Level1After > 0 && lasted >= a.Level1After {
		return true, fmt.Sprintf("level-1 alarm active %s (policy %s)",
			lasted.Round(time.Second), a.Level1After)
	}
	return false, ""
}

// grade grades an alarm-born record.
func (g Grading) grade(sig AlarmSignal) Grade {
	if slices.Contains(g.MajorConditions, sig.Condition) {
		return Major
	}
	if sig.Level >= 2 && slices.Contains(g.MajorSourceGrades, sig.HazardSourceGrade) {
		return Major
	}
	return General
}

// route returns the responsible level and unit of a record.
func (r Routing) route(g Grade, district, industry string) (Level, string) {
	if g == Major {
		return CityLevel, r.department(industry)
	}
	return DistrictLevel, strings.ReplaceAll(r.DistrictUnit, "{district}", district)
}

func (r Routing) department(industry string) string {
	if d, ok := r.Departments[industry]; ok {
		return d
	}
	return r.DefaultDepartment
}

// industriesOf lists the industries routed to unit, sorted; with
// defaultUnit set, unit is the default department too, which also takes
// every unlisted industry.
func (r Routing) industriesOf(unit string) (list []string, defaultUnit bool) {
	for ind, u := range r.Departments {
		if u == unit {
			list = append(list, ind)
		}
	}
	sort.Strings(list)
	return list, unit == r.DefaultDepartment
}

// days returns the default rectification period of a grade.
func (d Deadlines) days(g Grade) int {
	if g == Major {
		return d.MajorDays
	}
	return d.GeneralDays
}

// latest is the latest deadline allowed for a record created at created.
func (d Deadlines) latest(created time.Time) time.Time {
	return created.AddDate(0, 0, d.MaxDays)
}
