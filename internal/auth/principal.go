package auth

import (
	"fmt"
	"strings"

	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

// Principal is who holds a token: a name for the audit trail and the
// ledger role with the scope field that role needs.
type Principal struct {
	// ID is the token's id (decimal), which tells two tokens of one name
	// apart, e.g. during a rotation.
	ID string `json:"id"`
	// Name is the person or system the token was issued to; it is what
	// the ledger's history and the alarm journal record as the actor.
	Name string `json:"name"`
	// Role is one of the ledger's five roles; System is not issued.
	Role hazard.Role `json:"role"`
	// District scopes a district_operator.
	District string `json:"district,omitempty"`
	// Unit scopes a department (the unit name of routing.departments).
	Unit string `json:"unit,omitempty"`
	// Enterprise scopes an enterprise user (its code).
	Enterprise string `json:"enterprise,omitempty"`
}

// Validate checks the name, the role and the scope field the role needs,
// the same rule the ledger applies to its actors.
func (p Principal) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("%w: name required", ErrInvalid)
	}
	need, value := "", ""
	switch p.Role {
	case hazard.CityAdmin, hazard.CityOperator:
		return nil
	case hazard.DistrictOperator:
		need, value = "district", p.District
	case hazard.Department:
		need, value = "unit", p.Unit
	case hazard.EnterpriseUser:
		need, value = "enterprise", p.Enterprise
	default:
		return fmt.Errorf("%w: role %q, want city_admin, city_operator, "+
			"district_operator, department or enterprise", ErrInvalid, p.Role)
	}
	if strings.TrimSpace(value) == "" {
		return fmt.Errorf("%w: role %s needs its %s", ErrInvalid, p.Role, need)
	}
	return nil
}

// Actor returns p as the hazard ledger's actor. Its ID is p's name, so
// the ledger's history shows who acted rather than a token number.
func (p Principal) Actor() hazard.Actor {
	return hazard.Actor{ID: p.Name, Role: p.Role, District: p.District,
		Unit: p.Unit, Enterprise: p.Enterprise}
}

// CanSee reports whether p may see an item (a hazard record, an alarm, a
// live event) of the given district and enterprise, routed to unit. It
// mirrors the ledger's read scope: city roles see all, a district operator
// their district, a department their unit, an enterprise user their
// enterprise. For an alarm, unit is the department its enterprise's
// industry is routed to; the ledger also counts that routing for records,
// so pass the same unit to get the same answer.
func (p Principal) CanSee(district, enterprise, unit string) bool {
	switch p.Role {
	case hazard.CityAdmin, hazard.CityOperator:
		return true
	case hazard.DistrictOperator:
		return p.District != "" && district == p.District
	case hazard.Department:
		return p.Unit != "" && unit == p.Unit
	case hazard.EnterpriseUser:
		return p.Enterprise != "" && enterprise == p.Enterprise
	}
	return false
}
