package dispatch

import (
	"time"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// Report is the daily dispatch report of one day. Durations are in
// seconds and rates are fractions from 0 to 1, so that the JSON is read
// the same way by every client.
type Report struct {
	// Date is the day, YYYY-MM-DD, in TimeZone.
	Date     string `json:"date"`
	TimeZone string `json:"time_zone"`
	// From and To bound the day: From <= t < To.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Until is where counting stopped: To, or the generation time while
	// the day is not over (then Partial is true).
	Until       time.Time `json:"until"`
	Partial     bool      `json:"partial"`
	GeneratedAt time.Time `json:"generated_at"`
	// District is set when the report is narrowed to one district.
	District string `json:"district,omitempty"`

	Alarms  AlarmSection  `json:"alarms"`
	Hazards HazardSection `json:"hazards"`
	Data    DataSection   `json:"data"`
	Lagging Lagging       `json:"lagging"`
}

// AlarmCount counts alarm activations and their acknowledgement.
type AlarmCount struct {
	Activations int `json:"activations"`
	// Acknowledged counts activations acknowledged by the generation
	// time (GeneratedAt), Unacknowledged the rest.
	Acknowledged   int `json:"acknowledged"`
	Unacknowledged int `json:"unacknowledged"`
	// MeanTimeToAck is the mean seconds from activation to the first
	// acknowledgement, over the acknowledged activations; 0 when none.
	MeanTimeToAck float64 `json:"mean_time_to_ack_s"`

	ackSeconds float64 // sum, for the mean
}

func (c *AlarmCount) add(acked bool, ackAfter float64) {
	c.Activations++
	if !acked {
		c.Unacknowledged++
		return
	}
	c.Acknowledged++
	c.ackSeconds += ackAfter
	c.MeanTimeToAck = c.ackSeconds / float64(c.Acknowledged)
}

// AlarmGroup is the count of one district, enterprise or level.
type AlarmGroup struct {
	// Key is the district's name, the enterprise's code or the level
	// ("1", "2"; "0" for alarms without a level such as gateway offline).
	Key string `json:"key"`
	// Name is the enterprise's name (by enterprise only).
	Name string `json:"name,omitempty"`
	// District is the enterprise's district (by enterprise only).
	District string `json:"district,omitempty"`
	AlarmCount
}

// AlarmSection holds the day's alarm activations from the alarm journal.
type AlarmSection struct {
	Total        AlarmCount   `json:"total"`
	ByDistrict   []AlarmGroup `json:"by_district"`
	ByEnterprise []AlarmGroup `json:"by_enterprise"`
	ByLevel      []AlarmGroup `json:"by_level"`
}

// HazardCount counts hazard records of the day.
type HazardCount struct {
	Opened int `json:"opened"`
	Closed int `json:"closed"`
	// OpenAtEnd counts records not closed or cancelled at the end of the
	// day (open, rectifying or awaiting verification).
	OpenAtEnd int `json:"open_at_end"`
	// OverdueAtEnd counts those of OpenAtEnd that were overdue then.
	OverdueAtEnd int `json:"overdue_at_end"`
}

func (c *HazardCount) add(o HazardCount) {
	c.Opened += o.Opened
	c.Closed += o.Closed
	c.OpenAtEnd += o.OpenAtEnd
	c.OverdueAtEnd += o.OverdueAtEnd
}

// HazardGroup is the count of one district and grade.
type HazardGroup struct {
	District string       `json:"district"`
	Grade    hazard.Grade `json:"grade"`
	HazardCount
}

// UnitOverdue is the number of overdue records a responsible unit had
// at the end of the day.
type UnitOverdue struct {
	Unit         string `json:"unit"`
	OverdueAtEnd int    `json:"overdue_at_end"`
}

// HazardSection holds the hazard ledger's figures of the day.
type HazardSection struct {
	Total           HazardCount   `json:"total"`
	ByDistrictGrade []HazardGroup `json:"by_district_grade"`
	OverdueByUnit   []UnitOverdue `json:"overdue_by_unit"`
	// RateFrom and RateTo bound the creation time of the records that
	// the rectification rates count (hazard.Ledger.Stats).
	RateFrom time.Time `json:"rate_from"`
	RateTo   time.Time `json:"rate_to"`
	// RatesByDistrict and RatesByUnit are the ledger's Stats.
	RatesByDistrict []hazard.GroupStats `json:"rates_by_district"`
	RatesByUnit     []hazard.GroupStats `json:"rates_by_unit"`
}

// GatewayOffline is a gateway that was offline during the day.
type GatewayOffline struct {
	Enterprise string `json:"enterprise"`
	Name       string `json:"name"`
	District   string `json:"district"`
	Gateway    string `json:"gateway"`
	// Episodes counts offline spells within the day, one already running
	// at the start of the day included.
	Episodes       int     `json:"episodes"`
	OfflineSeconds float64 `json:"offline_s"`
	// OfflineAtEnd tells whether it was still offline at Until.
	OfflineAtEnd bool `json:"offline_at_end"`
}

// EnterpriseData is an enterprise's data completeness and online rate.
type EnterpriseData struct {
	Enterprise string `json:"enterprise"`
	Name       string `json:"name"`
	District   string `json:"district"`
	Points     int    `json:"points"`
	// Expected is the readings the points should have sent: per point,
	// the counted seconds divided by its expected interval.
	Expected int64 `json:"expected"`
	// Received is the readings stored, each point counted up to its
	// expected number; Bad is how many of the stored ones were bad.
	Received int64 `json:"received"`
	Bad      int64 `json:"bad"`
	// Completeness is Received / Expected (1 when nothing is expected).
	Completeness float64 `json:"completeness"`
	// Gateways is the number of gateways the online rate is over.
	Gateways       int     `json:"gateways"`
	OfflineSeconds float64 `json:"offline_s"`
	// OnlineRate is 1 - offline / (gateways x counted seconds).
	OnlineRate float64 `json:"online_rate"`
}

// DistrictData is a district's data completeness.
type DistrictData struct {
	District     string  `json:"district"`
	Expected     int64   `json:"expected"`
	Received     int64   `json:"received"`
	Completeness float64 `json:"completeness"`
}

// DataSection holds gateway outages and data completeness.
type DataSection struct {
	OfflineGateways []GatewayOffline `json:"offline_gateways"`
	Enterprises     []EnterpriseData `json:"enterprises"`
	Districts       []DistrictData   `json:"districts"`
}

// LagKind says whether a lagging unit is a district or a department.
type LagKind string

// Kinds of lagging units.
const (
	LagDistrict   LagKind = "district"   // 区县
	LagDepartment LagKind = "department" // 市级部门 (responsible unit)
)

// Lag is one place in a ranking of lagging units.
type Lag struct {
	Rank  int     `json:"rank"`
	Kind  LagKind `json:"kind"`
	Name  string  `json:"name"`
	Value float64 `json:"value"`
}

// Lagging ranks the units to remind (约谈), worst first. Each list holds
// only the units past its threshold.
type Lagging struct {
	// Completeness: districts below MinCompleteness, lowest first.
	Completeness []Lag `json:"completeness"`
	// Overdue: districts and departments with overdue records at the end
	// of the day, most first.
	Overdue []Lag `json:"overdue"`
	// Rectification: districts and departments whose rectification rate
	// is below MinRectificationRate, lowest first.
	Rectification []Lag `json:"rectification"`
}
