package center

import (
	"encoding/json"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/live"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// observer turns what ingest sees into live events.
type observer struct {
	hub *live.Hub
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
	o.hub.Publish(live.Event{Kind: live.KindGateway, Time: received,
		Enterprise: src.Enterprise, Data: data})
}

func (o *observer) ObserveTelemetry(wire.Topic, *wire.Telemetry, time.Time) {}
