package ingest

import (
	"log/slog"
	"maps"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/mqttconn"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Session returns a new Ingester for one more persistent MQTT session of
// the same center: it connects as clientID and subscribes to filters
// instead of every enterprise's topics, and shares in's writer,
// observer, gate, metrics and rejection log. A center that shares the
// enterprises with other instances runs one session per partition it
// owns; in itself is then never run.
//
// Each session keeps the sequence and gateway state of the gateways it
// receives, which are its own since a gateway's topics fall into one
// partition. The gauges of the connection and the queue are shared, so
// they show the latest session's value. An Ingester runs once.
func (in *Ingester) Session(clientID string, filters []string, log *slog.Logger) *Ingester {
	mc := in.mqtt
	mc.ClientID = clientID
	s := &Ingester{cfg: in.cfg, mqtt: mc, w: in.w, obs: in.obs, gate: in.gate,
		log: log, m: in.m, now: in.now, rej: in.rej,
		in:       make(chan delivery, in.cfg.QueueSize),
		seqs:     make(map[gatewayKey]*sequence),
		gateways: make(map[gatewayKey]GatewayState),
		stopped:  make(chan struct{}),
	}
	s.filters = filterSet(filters)
	return s
}

// EnterpriseFilters returns the telemetry and status topic filters of
// the enterprises: hw/v1/<enterprise>/+/telemetry and .../status.
func EnterpriseFilters(enterprises []string) []string {
	out := make([]string, 0, 2*len(enterprises))
	for _, e := range enterprises {
		out = append(out, wire.TelemetryTopic(e, "+"), wire.StatusTopic(e, "+"))
	}
	return out
}

// SetFilters replaces the session's subscriptions, as the registry
// changes: new filters are subscribed and dropped ones unsubscribed at
// once when connected, and a new connection subscribes the current set.
func (in *Ingester) SetFilters(filters []string) {
	next := filterSet(filters)
	in.fmu.Lock()
	prev, client := in.filters, in.client
	in.filters = next
	in.fmu.Unlock()

	add := map[string]byte{}
	var drop []string
	for f := range next {
		if _, ok := prev[f]; !ok {
			add[f] = 1
		}
	}
	for f := range prev {
		if _, ok := next[f]; !ok {
			drop = append(drop, f)
		}
	}
	if client == nil || !client.IsConnectionOpen() {
		return
	}
	if len(add) > 0 {
		if err := mqttconn.Wait(client.SubscribeMultiple(add, nil), 30*time.Second); err != nil {
			in.log.Error("mqtt subscribe", "err", err, "filters", len(add))
		}
	}
	if len(drop) > 0 {
		if err := mqttconn.Wait(client.Unsubscribe(drop...), 30*time.Second); err != nil {
			in.log.Warn("mqtt unsubscribe", "err", err, "filters", len(drop))
		}
	}
}

// currentFilters returns a copy of the filters to subscribe to.
func (in *Ingester) currentFilters() map[string]byte {
	in.fmu.Lock()
	defer in.fmu.Unlock()
	return maps.Clone(in.filters)
}

func filterSet(filters []string) map[string]byte {
	out := make(map[string]byte, len(filters))
	for _, f := range filters {
		out[f] = 1
	}
	return out
}
