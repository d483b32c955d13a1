package hazard

import "fmt"

// Role is what a user of the ledger is, which decides what they may see
// and do; docs/hazard-ledger.md has the full matrix.
type Role string

// Roles. System is the ledger itself (alarm-born records, escalation);
// no person acts with it.
const (
	CityAdmin        Role = "city_admin"
	CityOperator     Role = "city_operator"
	DistrictOperator Role = "district_operator"
	Department       Role = "department"
	EnterpriseUser   Role = "enterprise"
	System           Role = "system"
)

// Actor is who asks for an operation. The HTTP layer builds it from the
// authenticated user; the ledger trusts its fields.
type Actor struct {
	ID   string
	Role Role
	// District scopes a district operator (the district's name as the
	// registry stores it).
	District string
	// Unit scopes a department: the unit name that routing.departments
	// maps industries to, e.g. 市应急管理局危化处.
	Unit string
	// Enterprise scopes an enterprise user (its code).
	Enterprise string
}

var systemActor = Actor{ID: "system", Role: System}

// validate checks that a has the scope field its role needs.
func (a Actor) validate() error {
	if a.ID == "" {
		return fmt.Errorf("%w: actor without id", ErrForbidden)
	}
	missing := ""
	switch a.Role {
	case CityAdmin, CityOperator:
	case DistrictOperator:
		missing = when(a.District == "", "district")
	case Department:
		missing = when(a.Unit == "", "unit")
	case EnterpriseUser:
		missing = when(a.Enterprise == "", "enterprise")
	default:
		return fmt.Errorf("%w: unknown role %q", ErrForbidden, a.Role)
	}
	if missing != "" {
		return fmt.Errorf("%w: %s %s without %s", ErrForbidden, a.Role, a.ID, missing)
	}
	return nil
}

func when(cond bool, s string) string {
	if cond {
		return s
	}
	return ""
}

// sees reports whether a may read r.
func (l *Ledger) sees(a Actor, r *Record) bool {
	switch a.Role {
	case CityAdmin, CityOperator:
		return true
	case DistrictOperator:
		return r.District == a.District
	case Department:
		return r.ResponsibleUnit == a.Unit ||
			l.policy.Routing.department(r.Industry) == a.Unit
	case EnterpriseUser:
		return r.Enterprise == a.Enterprise
	}
	return false
}

// responsible reports whether a is the unit a record is routed to.
func responsible(a Actor, r *Record) bool {
	switch a.Role {
	case DistrictOperator:
		return r.ResponsibleLevel == DistrictLevel && r.District == a.District
	case Department:
		return r.ResponsibleLevel == CityLevel && r.ResponsibleUnit == a.Unit
	}
	return false
}

func owns(a Actor, r *Record) bool {
	return a.Role == EnterpriseUser && r.Enterprise == a.Enterprise
}

// may reports whether a may do act to r; this is the role matrix of
// docs/hazard-ledger.md for operations on existing records.
func (l *Ledger) may(a Actor, act Action, r *Record) bool {
	if a.Role == CityAdmin {
		return true
	}
	if !l.sees(a, r) {
		return false
	}
	switch act {
	case ActStart:
		return owns(a, r) || responsible(a, r)
	case ActSubmit:
		return owns(a, r)
	case ActVerify, ActReject:
		return responsible(a, r)
	case ActCancel:
		return a.Role == CityOperator || responsible(a, r)
	}
	return false // ActReopen: city admin only
}

// mayCreate reports whether a may file a manual record like n.
func (l *Ledger) mayCreate(a Actor, n *NewRecord) bool {
	if a.Role == CityAdmin {
		return true
	}
	if n.Origin == FromSelfReport {
		return a.Role == EnterpriseUser && n.Enterprise == a.Enterprise
	}
	switch a.Role {
	case CityOperator:
		return true
	case DistrictOperator:
		return n.District == a.District
	case Department:
		return l.policy.Routing.department(n.Industry) == a.Unit
	}
	return false
}

func (l *Ledger) authorize(a Actor, act Action, r *Record) error {
	if err := a.validate(); err != nil {
		return err
	}
	if !l.may(a, act, r) {
		return fmt.Errorf("%w: %s %s may not %s record %d",
			ErrForbidden, a.Role, a.ID, act, r.ID)
	}
	return nil
}
