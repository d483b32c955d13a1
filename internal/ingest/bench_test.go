package ingest

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/mqttconn"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

type admitAll struct{}

func (admitAll) EnterpriseKnown(string) bool        { return true }
func (admitAll) GatewayAllowed(string, string) bool { return true }
func (admitAll) PointKnown(string, string) bool     { return true }

// BenchmarkHandleTelemetry measures the center's work on one message of
// 100 readings before the InfluxDB write: topic and payload decoding,
// message and reading checks, registry gate, sequence tracking and line
// protocol encoding. The rules and alarms are measured in
// internal/monitor (BenchmarkObserveTelemetry).
func BenchmarkHandleTelemetry(b *testing.B) {
	in, err := New(DefaultConfig(), mqttconn.Defaults("bench"), nil, nil, admitAll{},
		slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		b.Fatal(err)
	}
	const n = 100
	now := time.Now().UnixMilli()
	msg := wire.Telemetry{V: 1, Epoch: now, Seq: 1, Sent: now, Readings: make([]wire.Reading, n)}
	for i := range msg.Readings {
		v := float64(i) + 0.5
		msg.Readings[i] = wire.Reading{Point: fmt.Sprintf("P%04d", i), Time: now, Value: &v, Quality: wire.Good}
	}
	topic := wire.TelemetryTopic("91320500MA1TANK01X", "gw-01")
	payload, err := wire.AppendTelemetry(nil, &msg)
	if err != nil {
		b.Fatal(err)
	}
	cur := &pending{}
	b.ReportAllocs()
	for b.Loop() {
		in.handle(delivery{topic: topic, payload: payload, ack: func() {}, received: time.Now()}, cur)
		if cur.batch.Len() >= 5000 {
			cur.batch.Reset()
			cur.acks = cur.acks[:0]
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/reading")
}
