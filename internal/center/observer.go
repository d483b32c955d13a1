package center

import (
	"encoding/json"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/live"
	"github.com/hazardwatch/hazardwatch/internal/registry"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// observer puts gateway status on the live feed and hands everything to
// the alarm service.
type observer struct {
	hub      *live.Hub
	next     ingest.Observer
	registry func() *registry.Registry
}

// gatewayEvent is the data of a gateway event.
type gatewayEvent struct {
	Enterprise string `json:"enterprise"`
	Gateway    string `json:"gateway"`
	State      string `json:"state"`
	Agent      string `json:"agent,omitempty"`
}

func (o *observer) ObserveStatus(src wire.Topic, s wire.Status, received time.Time) {
	data, _ := json.Marshal(gatewayEvent{Enterprise: src.Enterprise, Gateway: src.Gateway,
		State: s.State, Agent: s.Agent})
	e, _ := o.registry().Enterprise(src.Enterprise)
	o.hub.Publish(live.Event{Kind: live.KindGateway, Time: received,
		District: e.District, Enterprise: src.Enterprise, Data: data})
	o.next.ObserveStatus(src, s, received)
}

func (o *observer) ObserveTelemetry(src wire.Topic, t *wire.Telemetry, received time.Time) {
	o.next.ObserveTelemetry(src, t, received)
}

// registryGate answers ingest's questions from the registry in service.
type registryGate struct {
	current func() *registry.Registry
}

func (g registryGate) EnterpriseKnown(ent string) bool {
	_, ok := g.current().Enterprise(ent)
	return ok
}

func (g registryGate) GatewayAllowed(ent, gw string) bool {
	return g.current().GatewayAllowed(ent, gw)
}

func (g registryGate) PointKnown(ent, point string) bool {
	_, ok := g.current().Point(ent, point)
	return ok
}
