package hazard

import "time"

// Origin is how a record came to the ledger.
type Origin string

// Origins of a record.
const (
	FromAlarm      Origin = "alarm"       // opened by policy from an alarm
	FromInspection Origin = "inspection"  // 监督检查
	FromSelfReport Origin = "self_report" // 企业自查自报
)

// Grade is the severity of a hazard.
type Grade string

// Grades of a hazard.
const (
	General Grade = "general" // 一般隐患, handled by the district
	Major   Grade = "major"   // 重大隐患, handled by a city department
)

// Valid reports whether g is a known grade.
func (g Grade) Valid() bool { return g == General || g == Major }

// Status is where a record is in its lifecycle.
type Status string

// Statuses of a record; Closed and Cancelled are final (Cancelled only
// until a city admin reopens it).
const (
	Open                 Status = "open"
	Rectifying           Status = "rectifying"
	AwaitingVerification Status = "awaiting_verification"
	Closed               Status = "closed"
	Cancelled            Status = "cancelled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case Open, Rectifying, AwaitingVerification, Closed, Cancelled:
		return true
	}
	return false
}

// Resolved reports whether s ends the record's claim on its alarm point:
// a closed or cancelled record no longer receives occurrences.
func (s Status) Resolved() bool { return s == Closed || s == Cancelled }

// Level is the administrative level responsible for a record.
type Level string

// Responsible levels.
const (
	DistrictLevel Level = "district" // 区县
	CityLevel     Level = "city"     // 市级部门
)

// OverdueStage is how far an overdue record has escalated.
type OverdueStage string

// Overdue stages, in order; each is reached once.
const (
	NotOverdue OverdueStage = "none"
	Reminded   OverdueStage = "reminded"   // 逾期提醒, 约谈
	Supervised OverdueStage = "supervised" // 挂牌督办
)

// Plan is a rectification plan (整改方案).
type Plan struct {
	Owner       string    `json:"owner"`
	Measures    string    `json:"measures"`
	FundsYuan   int64     `json:"funds_yuan"`
	Deadline    time.Time `json:"deadline,omitzero"` // zero keeps the record's
	Contingency string    `json:"contingency"`
}

// Record is one hazard in the ledger.
type Record struct {
	ID                int64        `json:"id"`
	Origin            Origin       `json:"origin"`
	Grade             Grade        `json:"grade"`
	Title             string       `json:"title"`
	Description       string       `json:"description"`
	Enterprise        string       `json:"enterprise"`
	District          string       `json:"district"`
	Industry          string       `json:"industry"`
	HazardSource      string       `json:"hazard_source"`
	HazardSourceGrade int          `json:"hazard_source_grade"` // 1-4, 0 none
	Point             string       `json:"point,omitempty"`
	Condition         string       `json:"condition,omitempty"`
	AlarmLevel        int          `json:"alarm_level,omitempty"`
	ResponsibleLevel  Level        `json:"responsible_level"`
	ResponsibleUnit   string       `json:"responsible_unit"`
	Deadline          time.Time    `json:"deadline"`
	Status            Status       `json:"status"`
	Occurrences       int          `json:"occurrences"`
	FirstOccurrence   time.Time    `json:"first_occurrence"`
	LastOccurrence    time.Time    `json:"last_occurrence"`
	OverdueStage      OverdueStage `json:"overdue_stage"`
	Plan              Plan         `json:"plan"`
	CreatedBy         string       `json:"created_by"`
	CreatedAt         time.Time    `json:"created_at"`
	UpdatedAt         time.Time    `json:"updated_at"`
	ClosedAt          time.Time    `json:"closed_at,omitzero"`
	// Version counts lifecycle changes; a transition succeeds only if the
	// record still has the version it read.
	Version int64 `json:"version"`
	// History is filled by Get only, oldest first.
	History []Entry `json:"history,omitempty"`
}

// Overdue reports whether r is past its deadline at now without being
// submitted, or has escalated already.
func (r *Record) Overdue(now time.Time) bool {
	if r.OverdueStage != NotOverdue && r.OverdueStage != "" {
		return true
	}
	return (r.Status == Open || r.Status == Rectifying) && now.After(r.Deadline)
}

// Entry is one row of a record's history: a transition or an escalation
// step (then From equals To).
type Entry struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`
	Role    Role      `json:"role"`
	Action  Action    `json:"action"`
	From    Status    `json:"from"` // empty for the creation
	To      Status    `json:"to"`
	Comment string    `json:"comment,omitempty"`
}

// Action names what a history entry or an event did.
type Action string

// Actions of the ledger.
const (
	ActOpen       Action = "open"       // created (any origin)
	ActOccurrence Action = "occurrence" // the alarm came back (events only)
	ActStart      Action = "start"      // plan accepted, rectifying
	ActSubmit     Action = "submit"     // rectified, asks for verification
	ActVerify     Action = "verify"     // re-inspection passed, closed
	ActReject     Action = "reject"     // re-inspection failed
	ActCancel     Action = "cancel"     // false alarm or duplicate
	ActReopen     Action = "reopen"     // a cancellation undone
	ActRemind     Action = "remind"     // overdue: reminder
	ActSupervise  Action = "supervise"  // overdue: listed for supervision
)
