package center

import (
	"errors"
	"net/http"

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
// Not yet: a department's lists are not narrowed to its industries; it
// sees every alarm, as the city roles do.
func scopeQuery(next http.Handler) http.Handler {
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
		q.Set(key, own)
		r2 := r.Clone(r.Context())
		r2.URL.RawQuery = q.Encode()
		if !scopePath(p, r2) {
			writeJSON(w, http.StatusForbidden, map[string]string{"error": "outside your scope"})
			return
		}
		next.ServeHTTP(w, r2)
	})
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

// scopePath refuses an enterprise user acting on another enterprise's
// alarm (/api/v1/alarms/{enterprise}/...). District operators are checked
// against the alarm's district by the list filter only.
func scopePath(p auth.Principal, r *http.Request) bool {
	if p.Role != hazard.EnterpriseUser {
		return true
	}
	const prefix = "/api/v1/alarms/"
	path := r.URL.Path
	if len(path) <= len(prefix) || path[:len(prefix)] != prefix {
		return true
	}
	rest := path[len(prefix):]
	if rest == "journal" || rest == "kpi" {
		return true
	}
	ent := rest
	for i := range rest {
		if rest[i] == '/' {
			ent = rest[:i]
			break
		}
	}
	return ent == p.Enterprise
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
