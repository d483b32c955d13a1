package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/gorilla/websocket"

	"github.com/hazardwatch/hazardwatch/internal/ingest"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// TestPipelineStoresEveryReading runs simulator -> edge agent -> Mosquitto
// -> center -> InfluxDB, restarts the center in the middle and publishes
// malformed messages beside the good ones. Afterwards every point has a
// reading for every poll cycle, each equal to what the simulator served
// at that time within the register's resolution.
func TestPipelineStoresEveryReading(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	const poll = 250 * time.Millisecond
	p := startPlant(t, poll)
	c := p.runCenter()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+c.Addr()+"/api/v1/live?kind=gateway",
		http.Header{"Authorization": {"Bearer " + p.token}})
	if err != nil {
		t.Fatalf("live feed: %v", err)
	}
	defer ws.Close()
	edgeStart := time.Now()
	p.runEdge()

	// The live feed announces the gateway's birth.
	_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	for online := false; !online; {
		var ev struct {
			Kind string
			Data struct{ Gateway, State string }
		}
		if err := ws.ReadJSON(&ev); err != nil {
			t.Fatalf("live feed: no online event: %v", err)
		}
		online = ev.Kind == "gateway" && ev.Data.Gateway == "gw-01" && ev.Data.State == "online"
	}

	// A client watching GT-101 gets its live values, at most one a second.
	p.checkLiveValues(t, c.Addr(), p.edgeCfg.Gateway.Enterprise+"/GT-101")

	// Step 1: run a while, then publish malformed messages beside the
	// good ones; the center counts and keeps them.
	time.Sleep(3 * time.Second)
	junk := publishJunk(t, p.broker.URL(), p.edgeCfg.Gateway.Enterprise)
	var rejected []ingest.Rejection
	waitFor(t, 10*time.Second, "rejections to show", func() bool {
		rejected = getJSON[[]ingest.Rejection](t, p.token, "http://"+c.Addr()+"/api/v1/rejections")
		return len(rejected) >= len(junk)
	})
	reasons := map[string]bool{}
	for _, r := range rejected {
		reasons[r.Reason] = true
	}
	for _, want := range []string{wire.RejectBadJSON, wire.RejectBadVersion, wire.RejectBadTopic,
		wire.RejectBadValue, ingest.RejectGatewayNotAllowed} {
		if !reasons[want] {
			t.Errorf("no rejection with reason %s among %v", want, reasons)
		}
	}

	// Step 2: restart the center. The broker keeps what the edge sends
	// meanwhile for the center's persistent session.
	p.stopCenter()
	time.Sleep(3 * time.Second)
	p.runCenter()
	time.Sleep(3 * time.Second)
	p.stopEdge()
	edgeStop := time.Now()

	// Step 3: wait until every point's count is stable, then check.
	ctx := context.Background()
	var got map[string][]stored
	last := -1
	waitFor(t, 30*time.Second, "InfluxDB to hold every reading", func() bool {
		got = p.readings(ctx)
		n := 0
		for _, rs := range got {
			n += len(rs)
		}
		stable := n == last && n > 0
		last = n
		return stable
	})
	p.checkReadings(got, edgeStart, edgeStop, poll)
}

// checkReadings compares the stored readings with the scenario.
func (p *plant) checkReadings(got map[string][]stored, start, stop time.Time, poll time.Duration) {
	t := p.t
	for _, dev := range p.edgeCfg.Devices {
		for _, pt := range dev.Points {
			rs := got[pt.ID]
			if len(rs) == 0 {
				t.Errorf("%s: no readings stored", pt.ID)
				continue
			}
			// Coverage: the whole run, with no poll cycle missing.
			if first := rs[0].at; first.Sub(start) > 2*time.Second {
				t.Errorf("%s: first reading at %v, %v after the edge started", pt.ID, first, first.Sub(start))
			}
			if lastAt := rs[len(rs)-1].at; stop.Sub(lastAt) > 2*poll {
				t.Errorf("%s: last reading at %v, %v before the edge stopped", pt.ID, lastAt, stop.Sub(lastAt))
			}
			for i := 1; i < len(rs); i++ {
				if gap := rs[i].at.Sub(rs[i-1].at); gap >= 2*poll {
					t.Errorf("%s: gap of %v after %v", pt.ID, gap, rs[i-1].at)
				}
			}
			// Values: what the simulator served at the sample time.
			bad := 0
			for _, r := range rs {
				if r.quality != "good" || !p.servedNear(pt.ID, r.at, r.value) {
					bad++
					if bad <= 3 {
						want, _ := p.scenario.ValueAt(pt.ID, r.at)
						t.Errorf("%s at %v: stored %v (%s), simulator served %v",
							pt.ID, r.at.Format(time.StampMilli), r.value, r.quality, want)
					}
				}
			}
			t.Logf("%s: %d readings, %d wrong", pt.ID, len(rs), bad)
		}
	}
}

// servedNear reports whether the simulator served v for the point within
// the register's resolution, at the sample time or in the moment the
// poll's requests took after it: v must lie in the range of the served
// values over that moment, widened by the resolution.
func (p *plant) servedNear(point string, at time.Time, v float64) bool {
	res := p.scenario.Resolution(point)
	lo, hi := math.Inf(1), math.Inf(-1)
	for d := time.Duration(0); d <= 150*time.Millisecond; d += 5 * time.Millisecond {
		want, err := p.scenario.ValueAt(point, at.Add(d))
		if err != nil {
			p.t.Fatalf("ValueAt(%s): %v", point, err)
		}
		lo, hi = math.Min(lo, want), math.Max(hi, want)
	}
	tol := math.Max(res/2+1e-9, 1e-6*math.Max(math.Abs(lo), math.Abs(hi))+1e-6)
	return v >= lo-tol && v <= hi+tol
}

// publishJunk publishes malformed and hostile messages on telemetry
// topics and returns them.
func publishJunk(t *testing.T, broker, ent string) []string {
	t.Helper()
	topic := wire.TelemetryTopic(ent, "gw-01")
	now := time.Now().UnixMilli()
	msgs := []struct{ topic, payload string }{
		{topic, `{"v":1,"seq":`},
		{topic, `{"v":9,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`},
		{"hw/v1/" + ent + "/gw!1/telemetry", `{}`},
		{topic, fmt.Sprintf(`{"v":1,"epoch":1,"seq":1,"sent":%d,"readings":[{"p":"GT-101","t":%d,"q":"good"}]}`, now, now)},
		{wire.TelemetryTopic(ent, "gw-other"), fmt.Sprintf(`{"v":1,"epoch":1,"seq":1,"sent":%d,"readings":[{"p":"GT-101","t":%d,"v":99,"q":"good"}]}`, now, now)},
	}
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(broker).SetClientID("junk"))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("junk client connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	var sent []string
	for _, m := range msgs {
		tok := c.Publish(m.topic, 1, false, m.payload)
		if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
			t.Fatalf("publish junk: %v", tok.Error())
		}
		sent = append(sent, m.payload)
	}
	return sent
}

// getJSON reads a JSON answer of the center's API with an API token.
func getJSON[T any](t *testing.T, token, url string) T {
	t.Helper()
	var v T
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET %s: decode: %v", url, err)
	}
	return v
}

// checkLiveValues watches one point over the live feed: values arrive,
// throttled to one a second although the point is polled every 250 ms.
func (p *plant) checkLiveValues(t *testing.T, addr, point string) {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/api/v1/live?kind=value&point="+point,
		http.Header{"Authorization": {"Bearer " + p.token}})
	if err != nil {
		t.Fatalf("live feed: %v", err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(15 * time.Second))
	var times []time.Time
	for len(times) < 3 {
		var ev struct {
			Kind, Point string
			Time        time.Time
		}
		if err := ws.ReadJSON(&ev); err != nil {
			t.Fatalf("live values of %s: got %d, then %v", point, len(times), err)
		}
		if ev.Kind == "hello" {
			continue
		}
		if ev.Kind != "value" || ev.Point != point {
			t.Fatalf("unexpected event %+v on a feed of %s's values", ev, point)
		}
		times = append(times, ev.Time)
	}
	for i := 1; i < len(times); i++ {
		if gap := times[i].Sub(times[i-1]); gap < 900*time.Millisecond {
			t.Errorf("live values %v apart, want at most one a second", gap)
		}
	}
}
