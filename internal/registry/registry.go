package registry

import "slices"

// Registry is an immutable snapshot of what the center monitors. It is
// safe for concurrent use; the values it hands out must not be modified.
type Registry struct {
	enterpriseList []Enterprise
	enterprises    map[string]int // code -> index in enterpriseList
	sourceList     []HazardSource
	sources        map[string]int
	pointList      []Point // in file order
	points         map[pointKey]int
}

// pointKey names a point: ids are unique only within an enterprise.
type pointKey struct{ enterprise, id string }

func newRegistry() *Registry {
	return &Registry{
		enterprises: make(map[string]int),
		sources:     make(map[string]int),
		points:      make(map[pointKey]int),
	}
}

func (r *Registry) addEnterprise(e Enterprise) {
	r.enterprises[e.Code] = len(r.enterpriseList)
	r.enterpriseList = append(r.enterpriseList, e)
}

func (r *Registry) addSource(s HazardSource) {
	r.sources[s.Code] = len(r.sourceList)
	r.sourceList = append(r.sourceList, s)
}

func (r *Registry) addPoint(p Point) {
	r.points[pointKey{p.Enterprise, p.ID}] = len(r.pointList)
	r.pointList = append(r.pointList, p)
}

// enterprise returns a pointer into the registry, for the builder only.
func (r *Registry) enterprise(code string) (*Enterprise, bool) {
	i, ok := r.enterprises[code]
	if !ok {
		return nil, false
	}
	return &r.enterpriseList[i], true
}

// Enterprise returns the enterprise with the given code.
func (r *Registry) Enterprise(code string) (Enterprise, bool) {
	e, ok := r.enterprise(code)
	if !ok {
		return Enterprise{}, false
	}
	return *e, true
}

// HazardSource returns the hazard source with the given code.
func (r *Registry) HazardSource(code string) (HazardSource, bool) {
	i, ok := r.sources[code]
	if !ok {
		return HazardSource{}, false
	}
	return r.sourceList[i], true
}

// Point returns point id of enterprise, the lookup every reading takes.
func (r *Registry) Point(enterprise, id string) (Point, bool) {
	i, ok := r.points[pointKey{enterprise, id}]
	if !ok {
		return Point{}, false
	}
	return r.pointList[i], true
}

// Enterprises returns every enterprise in file order.
func (r *Registry) Enterprises() []Enterprise {
	return slices.Clone(r.enterpriseList)
}

// HazardSources returns every hazard source in file order.
func (r *Registry) HazardSources() []HazardSource {
	return slices.Clone(r.sourceList)
}

// Points returns every point in file order, grouped by hazard source.
func (r *Registry) Points() []Point {
	return slices.Clone(r.pointList)
}

// EnterprisePoints returns the points of one enterprise in file order, or
// none when the enterprise is unknown.
func (r *Registry) EnterprisePoints(enterprise string) []Point {
	var ps []Point
	for _, p := range r.pointList {
		if p.Enterprise == enterprise {
			ps = append(ps, p)
		}
	}
	return ps
}

// GatewayAllowed tells whether gateway may report for enterprise: the
// enterprise must exist, and when it lists gateways, gateway must be one
// of them.
func (r *Registry) GatewayAllowed(enterprise, gateway string) bool {
	e, ok := r.enterprise(enterprise)
	return ok && gatewayListed(e, gateway)
}
