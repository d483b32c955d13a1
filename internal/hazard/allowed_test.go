package hazard

import (
	"slices"
	"testing"
)

func TestAllowedFollowsStatusAndRole(t *testing.T) {
	l := &Ledger{policy: DefaultPolicy()}
	rec := &Record{ID: 1, Status: AwaitingVerification, Grade: Major, Enterprise: "E1",
		District: "D1", Industry: "hazardous_chemicals", ResponsibleLevel: CityLevel,
		ResponsibleUnit: DefaultPolicy().Routing.department("hazardous_chemicals")}
	tests := []struct {
		who  Actor
		want []Action
	}{
		{Actor{ID: "a", Role: CityAdmin}, []Action{ActVerify, ActReject}},
		{Actor{ID: "d", Role: Department, Unit: rec.ResponsibleUnit}, []Action{ActVerify, ActReject}},
		{Actor{ID: "e", Role: EnterpriseUser, Enterprise: "E1"}, nil},
		{Actor{ID: "o", Role: DistrictOperator, District: "D1"}, nil},
	}
	for _, tt := range tests {
		if got := l.Allowed(tt.who, rec); !slices.Equal(got, tt.want) {
			t.Errorf("%s: Allowed = %v, want %v", tt.who.Role, got, tt.want)
		}
	}
	rec.Status = Rectifying
	if got := l.Allowed(Actor{ID: "e", Role: EnterpriseUser, Enterprise: "E1"}, rec); !slices.Equal(got, []Action{ActSubmit}) {
		t.Errorf("enterprise on a rectifying record: %v", got)
	}
}
