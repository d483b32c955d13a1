package center

import (
	"errors"
	"net/http"
	"strings"

	"github.com/hazardwatch/hazardwatch/internal/auth"
	"github.com/hazardwatch/hazardwatch/internal/hazard"
	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/live"
)

// scopeQuery pins the district or enterprise filter of a list request to
// the principal's own, so a district operator or an enterprise user sees
// only their part whatever they ask for. Asking for another district or
// enterprise is refused.
//
// Actions on an alarm name its enterprise in the path; districtOf says
// which district an enterprise is in, so that an operator cannot act on
// another district's alarm.
//
// Not yet: a department's lists are not narrowed to its industries; it
// sees every alarm, as the city roles do.
func scopeQuery(next http.Handler, districtOf func(enterprise string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		if !ok {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "no principal"})
			return
		}
		key, own := scopeOf(p)
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		if asked := q.Get(key); asked != "" && asked != own {
			writeJSON(w, http.StatusForbidden, map[string]string{
				"error": "outside your scope: " + key + " " + asked})
			return
		}
		// The journal and the point list filter by enterprise only: a
		// district operator names one of their district's.
		if p.Role == hazard.DistrictOperator && byEnterpriseOnly(r.URL.Path) {
			if ent := q.Get("enterprise"); ent == "" || districtOf(ent) != own {
				writeJSON(w, http.StatusForbidden, map[string]string{
					"error": "name an enterprise of your district (enterprise=...)"})
				return
			}
		}
		q.Set(key, own)
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = q.Encode()
		if !scopePath(p, r2, districtOf) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "outside your scope"})
			return
		}
		next.ServeHTTP(w, r2)
	})
}

// byEnterpriseOnly tells the alarm endpoints that filter by enterprise but
// not by district.
func byEnterpriseOnly(path string) bool {
	return path == "/api/v1/alarms/journal" || path == "/api/v1/points"
}

// scopeOf returns the query key and value that confine p, or "" for roles
// that see everything.
func scopeOf(p auth.Principal) (key, value string) {
	switch p.Role {
	case hazard.DistrictOperator:
		return "district", p.District
	case hazard.EnterpriseUser:
		return "enterprise", p.Enterprise
	}
	return "", ""
}

// scopePath refuses an action on an alarm (/api/v1/alarms/{enterprise}/...)
// of an enterprise outside the principal's enterprise or district.
func scopePath(p auth.Principal, r *http.Request, districtOf func(string) string) bool {
	const prefix = "/api/v1/alarms/"
	rest, ok := strings.CutPrefix(r.URL.Path, prefix)
	if !ok || rest == "journal" || rest == "kpi" {
		return true
	}
	ent, _, _ := strings.Cut(rest, "/")
	switch p.Role {
	case hazard.EnterpriseUser:
		return ent == p.Enterprise
	case hazard.DistrictOperator:
		return districtOf(ent) == p.District
	}
	return true
}

// cityOnly lets only the city roles through.
func (c *Center) cityOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		if p.Role != hazard.CityAdmin && p.Role != hazard.CityOperator {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "city roles only"})
			return
		}
		h(w, r)
	}
}

// visibleGateways returns the gateways the principal may see.
func (c *Center) visibleGateways(r *http.Request) []ingest.GatewayState {
	p, _ := auth.FromContext(r.Context())
	all := c.gateways()
	key, own := scopeOf(p)
	if key == "" {
		return all
	}
	reg := c.registry.Current()
	out := all[:0]
	for _, g := range all {
		e, _ := reg.Enterprise(g.Enterprise)
		if (key == "enterprise" && g.Enterprise == own) || (key == "district" && e.District == own) {
			out = append(out, g)
		}
	}
	return out
}

var errNoPrincipal = errors.New("no authenticated principal")

// liveScope confines a websocket client's filter to the principal's
// district or enterprise.
func liveScope(r *http.Request, f live.Filter) (live.Filter, error) {
	p, ok := auth.FromContext(r.Context())
	if !ok {
		return f, errNoPrincipal
	}
	switch key, own := scopeOf(p); key {
	case "district":
		f.Districts = []string{own}
	case "enterprise":
		f.Enterprises = []string{own}
	}
	return f, nil
}
