package provision

import (
	"fmt"
	"sort"

	"github.com/hazardwatch/hazardwatch/internal/registry"
)

// Gateway is one gateway the registry allows, and so one broker user.
type Gateway struct {
	Enterprise string
	ID         string
}

// Username is the gateway's broker user: <enterprise>.<gateway>.
func (g Gateway) Username() string { return g.Enterprise + "." + g.ID }

// Topic is the gateway's topic of the given kind (telemetry, status).
func (g Gateway) Topic(kind string) string {
	return "hw/v1/" + g.Enterprise + "/" + g.ID + "/" + kind
}

// Gateways lists the registry's gateways sorted by user name, and the
// codes of the enterprises that list none: the registry accepts any
// gateway for those, so there is no user to create for them.
//
// Ids may contain dots, so two gateways could map to one user name
// ("a.b" + "c" and "a" + "b.c"); that, or a gateway user equal to the
// center user, is an error.
func Gateways(reg *registry.Registry, centerUser string) ([]Gateway, []string, error) {
	var gws []Gateway
	var bare []string
	owner := map[string]Gateway{}
	for _, e := range reg.Enterprises() {
		if len(e.Gateways) == 0 {
			bare = append(bare, e.Code)
			continue
		}
		for _, id := range e.Gateways {
			g := Gateway{Enterprise: e.Code, ID: id}
			u := g.Username()
			if u == centerUser {
				return nil, nil, fmt.Errorf("gateway %s/%s: user %q is the center user",
					g.Enterprise, g.ID, u)
			}
			if o, dup := owner[u]; dup {
				return nil, nil, fmt.Errorf("gateways %s/%s and %s/%s: both would be user %q",
					o.Enterprise, o.ID, g.Enterprise, g.ID, u)
			}
			owner[u] = g
			gws = append(gws, g)
		}
	}
	sort.Slice(gws, func(i, j int) bool { return gws[i].Username() < gws[j].Username() })
	return gws, bare, nil
}
