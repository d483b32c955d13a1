package auth_test

import (
	"errors"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
)

func TestPrincipalActor(t *testing.T) {
	p := auth.Principal{ID: "7", Name: "危化处张三", Role: hazard.Department,
		Unit: "市应急管理局危化处"}
	want := hazard.Actor{ID: "危化处张三", Role: hazard.Department,
		Unit: "市应急管理局危化处"}
	if got := p.Actor(); got != want {
		t.Fatalf("actor %+v, want %+v", got, want)
	}
}

func TestPrincipalValidate(t *testing.T) {
	for _, c := range []struct {
		p  auth.Principal
		ok bool
	}{
		{auth.Principal{Name: "a", Role: hazard.CityAdmin}, true},
		{auth.Principal{Name: "a", Role: hazard.CityOperator}, true},
		{auth.Principal{Name: "a", Role: hazard.DistrictOperator, District: "d"}, true},
		{auth.Principal{Name: "a", Role: hazard.Department, Unit: "u"}, true},
		{auth.Principal{Name: "a", Role: hazard.EnterpriseUser, Enterprise: "e"}, true},
		{auth.Principal{Name: " ", Role: hazard.CityAdmin}, false},
		{auth.Principal{Name: "a", Role: hazard.System}, false},
		{auth.Principal{Name: "a", Role: hazard.DistrictOperator, Unit: "u"}, false},
		{auth.Principal{Name: "a", Role: hazard.Department, District: "d"}, false},
		{auth.Principal{Name: "a", Role: hazard.EnterpriseUser, Enterprise: " "}, false},
	} {
		err := c.p.Validate()
		if c.ok != (err == nil) || (err != nil && !errors.Is(err, auth.ErrInvalid)) {
			t.Errorf("validate %+v: %v, want ok %v", c.p, err, c.ok)
		}
	}
}

func TestCanSee(t *testing.T) {
	const dA, dB, eA, eB, uA, uB = "浦东新区", "黄浦区", "E1", "E2", "危化处", "矿山处"
	ps := map[string]auth.Principal{
		"admin": {Role: hazard.CityAdmin},
		"oper":  {Role: hazard.CityOperator},
		"dist":  {Role: hazard.DistrictOperator, District: dA},
		"dept":  {Role: hazard.Department, Unit: uA},
		"ent":   {Role: hazard.EnterpriseUser, Enterprise: eA},
		"none":  {Role: hazard.DistrictOperator},
		"bogus": {Role: "root"},
	}
	for _, c := range []struct {
		who, district, enterprise, unit string
		want                            bool
	}{
		{"admin", dB, eB, uB, true},
		{"oper", dB, eB, uB, true},
		{"dist", dA, eB, uB, true},
		{"dist", dB, eA, uA, false},
		{"dept", dB, eB, uA, true},
		{"dept", dA, eA, uB, false},
		{"ent", dB, eA, uB, true},
		{"ent", dA, eB, uA, false},
		{"none", "", eA, uA, false},
		{"bogus", dA, eA, uA, false},
	} {
		if got := ps[c.who].CanSee(c.district, c.enterprise, c.unit); got != c.want {
			t.Errorf("%s sees (%s, %s, %s): %v, want %v", c.who, c.district,
				c.enterprise, c.unit, got, c.want)
		}
	}
}
