// Package loadgen simulates many gateways publishing telemetry over MQTT,
// for load tests of the center and for measuring the whole pipeline. Each
// gateway has its own MQTT connection and sequence numbers, and can inject
// limit crossings (a gas point above 50 %LEL) and hostile messages.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Config describes the simulated fleet.
type Config struct {
	// Broker is the MQTT broker's URL.
	Broker string
	// Enterprise is the enterprise code prefix: gateway g publishes for
	// enterprise Enterprise-<g/GatewaysPerEnterprise>.
	Enterprise            string
	GatewaysPerEnterprise int
	// Gateways is the number of simulated gateways.
	Gateways int
	// Points per gateway; see PointID for their names.
	Points int
	// Interval between two messages of one gateway.
	Interval time.Duration
	// Duration of the run; Messages, when positive, ends each gateway
	// after that many messages instead.
	Duration time.Duration
	Messages int
	// CrossEvery makes every CrossEvery-th message carry a value of 60 on
	// the gateway's first point (above a gas point's 50 %LEL level 2
	// limit), and the next one 5; 0 never crosses.
	CrossEvery int
	// HostilePerGood publishes that many malformed or hostile messages for
	// every good one, on the same gateway's topic.
	HostilePerGood int
	// ClientPrefix starts the MQTT client ids.
	ClientPrefix string
	// Username and Password, if the broker wants them.
	Username, Password string
}

// DefaultConfig is a small fleet.
func DefaultConfig() Config {
	return Config{Broker: "tcp://127.0.0.1:1883", Enterprise: "LOAD", GatewaysPerEnterprise: 10,
		Gateways: 10, Points: 100, Interval: time.Second, Duration: 10 * time.Second,
		ClientPrefix: "hw-load"}
}

// Validate checks the config.
func (c Config) Validate() error {
	switch {
	case c.Gateways < 1 || c.Points < 1 || c.Points > wire.MaxReadings:
		return fmt.Errorf("gateways must be >= 1 and points 1..%d", wire.MaxReadings)
	case c.Interval <= 0:
		return errors.New("interval must be positive")
	case c.Duration <= 0 && c.Messages <= 0:
		return errors.New("set a duration or a message count")
	case c.GatewaysPerEnterprise < 1:
		return errors.New("gateways per enterprise must be >= 1")
	}
	return nil
}

// Report is what the generator sent.
type Report struct {
	Gateways     int           `json:"gateways"`
	Messages     int64         `json:"messages"`
	Readings     int64         `json:"readings"`
	Acked        int64         `json:"acked"`
	Failed       int64         `json:"failed"`
	Hostile      int64         `json:"hostile"`
	Crossings    int64         `json:"crossings"`
	Elapsed      time.Duration `json:"elapsed_ns"`
	ReadingsPerS float64       `json:"readings_per_second"`
	// Sent lists, per gateway topic, the sample times of its messages:
	// what a checker expects to find stored.
	Sent map[string][]int64 `json:"-"`
}

// Run publishes until the duration or message count is reached or ctx
// ends, and waits for every PUBACK.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.Validate(); err != nil {
		return Report{}, err
	}
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex
		rep = Report{Gateways: cfg.Gateways, Sent: map[string][]int64{}}
		c   counters
	)
	start := time.Now()
	errs := make(chan error, cfg.Gateways)
	for g := range cfg.Gateways {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gw := newGateway(cfg, g)
			times, err := gw.run(ctx, &c)
			if err != nil {
				errs <- err
				return
			}
			mu.Lock()
			rep.Sent[gw.topic] = times
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(errs)
	rep.Elapsed = time.Since(start)
	rep.Messages, rep.Readings = c.messages.Load(), c.readings.Load()
	rep.Acked, rep.Failed = c.acked.Load(), c.failed.Load()
	rep.Hostile, rep.Crossings = c.hostile.Load(), c.crossings.Load()
	rep.ReadingsPerS = float64(rep.Readings) / rep.Elapsed.Seconds()
	return rep, errors.Join(collect(errs)...)
}

func collect(ch <-chan error) []error {
	var out []error
	for e := range ch {
		out = append(out, e)
	}
	return out
}

type counters struct {
	messages, readings, acked, failed, hostile, crossings atomic.Int64
}

type gateway struct {
	cfg        Config
	enterprise string
	id         string
	topic      string
	epoch      int64
	rng        *rand.Rand
}

// PointID names point i of a gateway: gateways of one enterprise each
// have their own points.
func PointID(gateway string, i int) string { return fmt.Sprintf("%s.P%04d", gateway, i) }

// GatewayID names gateway number g.
func GatewayID(g int) string { return fmt.Sprintf("gw-%05d", g) }

func newGateway(cfg Config, g int) *gateway {
	ent := cfg.EnterpriseOf(g)
	id := GatewayID(g)
	return &gateway{cfg: cfg, enterprise: ent, id: id, topic: wire.TelemetryTopic(ent, id),
		epoch: time.Now().UnixMilli(), rng: rand.New(rand.NewPCG(uint64(g), 7))}
}

// EnterpriseOf returns the enterprise code gateway number g uses.
func (c Config) EnterpriseOf(g int) string {
	return fmt.Sprintf("%s-%04d", c.Enterprise, g/c.GatewaysPerEnterprise)
}

func (gw *gateway) run(ctx context.Context, c *counters) ([]int64, error) {
	opts := mqtt.NewClientOptions().AddBroker(gw.cfg.Broker).
		SetClientID(fmt.Sprintf("%s-%s", gw.cfg.ClientPrefix, gw.id)).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectRetry(true).
		SetUsername(gw.cfg.Username).SetPassword(gw.cfg.Password)
	client := mqtt.NewClient(opts)
	if tok := client.Connect(); !tok.WaitTimeout(30*time.Second) || tok.Error() != nil {
		return nil, fmt.Errorf("gateway %s: connect: %v", gw.id, tok.Error())
	}
	defer client.Disconnect(250)

	var times []int64
	var tokens []mqtt.Token
	var last int64
	tick := time.NewTicker(gw.cfg.Interval)
	defer tick.Stop()
	deadline := time.Now().Add(gw.cfg.Duration)
	for seq := uint64(1); ; seq++ {
		if gw.cfg.Messages > 0 && int(seq) > gw.cfg.Messages {
			break
		}
		if gw.cfg.Messages <= 0 && time.Now().After(deadline) {
			break
		}
		// A late tick can start the next message within the same
		// millisecond; its readings would then overwrite this one's in
		// InfluxDB (same point, same time). Sample times stay distinct,
		// as a real gateway's poll times are.
		now := max(time.Now().UnixMilli(), last+1)
		last = now
		payload := gw.message(seq, now, c)
		tokens = append(tokens, client.Publish(gw.topic, 1, false, payload))
		times = append(times, now)
		c.messages.Add(1)
		c.readings.Add(int64(gw.cfg.Points))
		for range gw.cfg.HostilePerGood {
			client.Publish(gw.topic, 1, false, gw.hostile(now))
			c.hostile.Add(1)
		}
		select {
		case <-ctx.Done():
			return times, gw.wait(tokens, c)
		case <-tick.C:
		}
	}
	return times, gw.wait(tokens, c)
}

func (gw *gateway) wait(tokens []mqtt.Token, c *counters) error {
	failed := 0
	for _, t := range tokens {
		if t.WaitTimeout(60*time.Second) && t.Error() == nil {
			c.acked.Add(1)
		} else {
			failed++
		}
	}
	c.failed.Add(int64(failed))
	if failed > 0 {
		return fmt.Errorf("gateway %s: %d messages not acknowledged", gw.id, failed)
	}
	return nil
}

func (gw *gateway) message(seq uint64, now int64, c *counters) []byte {
	t := wire.Telemetry{V: wire.Version, Epoch: gw.epoch, Seq: seq, Sent: now,
		Readings: make([]wire.Reading, gw.cfg.Points)}
	for i := range t.Readings {
		v := 5 + gw.rng.Float64()
		if i == 0 && gw.cfg.CrossEvery > 0 && seq%uint64(gw.cfg.CrossEvery) == 0 {
			v = 60
			c.crossings.Add(1)
		}
		t.Readings[i] = wire.Reading{Point: PointID(gw.id, i), Time: now,
			Value: &v, Quality: wire.Good}
	}
	b, err := wire.AppendTelemetry(nil, &t)
	if err != nil {
		panic(err) // the generator builds only valid messages
	}
	return b
}

// hostile returns one of several malformed or hostile payloads.
func (gw *gateway) hostile(now int64) []byte {
	switch gw.rng.IntN(6) {
	case 0:
		return []byte(`{"v":1,"seq":`)
	case 1:
		return []byte(`{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"../../etc","t":1,"v":1,"q":"good"}]}`)
	case 2:
		return fmt.Appendf(nil, `{"v":1,"epoch":1,"seq":1,"sent":%d,"readings":`+
			`[{"p":"%s","t":%d,"v":1e308,"q":"good","x":1}]}`, now, PointID(gw.id, 0), now)
	case 3:
		return make([]byte, wire.MaxPayload+1)
	case 4:
		future := now + int64(time.Hour/time.Millisecond)
		return fmt.Appendf(nil, `{"v":1,"epoch":1,"seq":1,"sent":%d,"readings":`+
			`[{"p":"%s","t":%d,"q":"good"}]}`, now, PointID(gw.id, 0), future)
	default:
		return []byte("\x00\xff garbage")
	}
}

// Registry returns a registry file (see internal/registry) that lists the
// fleet's enterprises, one hazard source each, and their gateways' points
// as combustible gas detectors (%LEL, so a value of 60 is a level-2
// alarm), so that a center can be loaded with it.
func (c Config) Registry() []byte {
	var b []byte
	b = append(b, "enterprises:\n"...)
	n := (c.Gateways + c.GatewaysPerEnterprise - 1) / c.GatewaysPerEnterprise
	for e := range n {
		b = fmt.Appendf(b, "  - {code: %s, name: load test %d, district: load-district-%d, industry: hazardous_chemicals}\n",
			c.EnterpriseOf(e*c.GatewaysPerEnterprise), e, e%10)
	}
	b = append(b, "hazard_sources:\n"...)
	for e := range n {
		b = fmt.Appendf(b, "  - code: LOAD-HS-%04d\n    name: load source %d\n    grade: 2\n    enterprise: %s\n    points:\n",
			e, e, c.EnterpriseOf(e*c.GatewaysPerEnterprise))
		for g := e * c.GatewaysPerEnterprise; g < min(c.Gateways, (e+1)*c.GatewaysPerEnterprise); g++ {
			for i := range c.Points {
				b = fmt.Appendf(b, "      - {id: %s, name: detector %d, kind: combustible_gas, unit: \"%%LEL\", range_low: 0, range_high: 100, expected_interval: %s}\n",
					PointID(GatewayID(g), i), i, c.Interval*5)
			}
		}
	}
	return b
}
