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
	// sent is when each watched point's value last went out; ingest
	// calls the observer from one goroutine, so it needs no lock.
	sent map[string]time.Time
}

// valueEvery throttles a point's live values: operators watching a trend
// need no more than one a second, whatever the point's poll rate.
const valueEvery = time.Second

// liveValue is the data of a live value event.
type liveValue struct {
	Enterprise string   `json:"enterprise"`
	Point      string   `json:"point"`
	Time       int64    `json:"t"`
	Value      *float64 `json:"v,omitempty"`
	Quality    string   `json:"q"`
	Replayed   bool     `json:"replayed,omitempty"`
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
	if t.Replayed || !o.hub.Watching() {
		return // old values are no live values; nobody watches
	}
	for i := range t.Readings {
		o.publishValue(src, &t.Readings[i], received)
	}
}

// publishValue sends a reading to the clients watching its point, at most
// once per valueEvery per point.
func (o *observer) publishValue(src wire.Topic, r *wire.Reading, now time.Time) {
	key := src.Enterprise + "/" + r.Point
	if !o.hub.Watched(key) || now.Sub(o.sent[key]) < valueEvery {
		return
	}
	if o.sent == nil {
		o.sent = map[string]time.Time{}
	}
	o.sent[key] = now
	data, _ := json.Marshal(liveValue{Enterprise: src.Enterprise, Point: r.Point,
		Time: r.Time, Value: r.Value, Quality: r.Quality.String()})
	e, _ := o.registry().Enterprise(src.Enterprise)
	o.hub.Publish(live.Event{Kind: live.KindValue, Time: time.UnixMilli(r.Time),
		District: e.District, Enterprise: src.Enterprise, Point: key, Data: data})
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
