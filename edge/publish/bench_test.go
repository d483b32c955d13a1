package publish

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hazardwatch/hazardwatch/edge/queue"
	"github.com/hazardwatch/hazardwatch/internal/testsvc"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// readingsPerMessage is one poll cycle of the demo's tank farm.
const readingsPerMessage = 16

// BenchmarkReplay fills a disk queue with buffered messages, then lets a
// publisher replay them to a real Mosquitto, with a subscriber counting
// what arrives. It reports messages and readings per second, unpaced
// (replay_rate far above what the link takes) and at the default pace.
func BenchmarkReplay(b *testing.B) {
	if testing.Short() {
		b.Skip("needs Mosquitto")
	}
	broker := testsvc.StartMosquitto(b)
	var got atomic.Int64
	sub := connect(b, broker.URL(), "bench-sub", true)
	if tok := sub.Subscribe(wire.TelemetryTopic("ENT1", "gw-1"), 1,
		func(mqtt.Client, mqtt.Message) { got.Add(1) }); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		b.Fatalf("subscribe: %v", tok.Error())
	}
	defer sub.Disconnect(100)

	for _, bc := range []struct {
		name string
		rate float64
		n    int
	}{{"unpaced", 1e6, 20000}, {"rate_500", DefaultConfig().ReplayRate, 2000}} {
		b.Run(bc.name, func(b *testing.B) {
			msg := cycle(b)
			var busy time.Duration
			for b.Loop() {
				b.StopTimer()
				q, err := queue.Open(queue.DefaultOptions(b.TempDir()))
				if err != nil {
					b.Fatal(err)
				}
				for range bc.n {
					if _, err := q.Append(msg); err != nil {
						b.Fatal(err)
					}
				}
				cli := connect(b, broker.URL(), "bench-pub", false)
				cfg := DefaultConfig()
				cfg.ReplayRate = bc.rate
				p, err := New(cfg, q, cli, "ENT1", "gw-1", slog.New(slog.DiscardHandler), nil)
				if err != nil {
					b.Fatal(err)
				}
				want := got.Load() + int64(bc.n)
				ctx, cancel := context.WithCancel(context.Background())
				done := make(chan struct{})
				b.StartTimer()

				start := time.Now()
				go func() { defer close(done); _ = p.Run(ctx) }()
				for q.Acked() < q.Last() || got.Load() < want {
					time.Sleep(time.Millisecond)
				}
				busy += time.Since(start)

				b.StopTimer()
				cancel()
				<-done
				cli.Disconnect(100)
				q.Close()
				b.StartTimer()
			}
			msgs := float64(bc.n*b.N) / busy.Seconds()
			b.ReportMetric(msgs, "msgs/s")
			b.ReportMetric(msgs*readingsPerMessage, "readings/s")
		})
	}
}

// cycle encodes one poll cycle's readings as the agent stores them.
func cycle(b *testing.B) []byte {
	rs := make([]wire.Reading, readingsPerMessage)
	now := time.Now().UnixMilli()
	for i := range rs {
		v := 20 + float64(i)/7
		rs[i] = wire.Reading{Point: fmt.Sprintf("T%d-LT-%02d", i%3, i), Time: now,
			Value: &v, Quality: wire.Good}
	}
	raw, err := wire.AppendReadings(nil, rs)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}

func connect(b *testing.B, url, id string, clean bool) mqtt.Client {
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(url).SetClientID(id).
		SetCleanSession(clean).SetMaxResumePubInFlight(1000))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		b.Fatalf("connect %s: %v", id, tok.Error())
	}
	return c
}
