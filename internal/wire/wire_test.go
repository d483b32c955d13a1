package wire

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
)

func f(v float64) *float64 { return &v }

func sample() Telemetry {
	return Telemetry{V: 1, Epoch: 1764700000000, Seq: 42, Sent: 1764700001000,
		Readings: []Reading{
			{Point: "GT-101", Time: 1764700000900, Value: f(12.5), Quality: Good},
			{Point: "T1.LT_01", Time: 1764700000900, Value: f(-0.1), Quality: Uncertain, Reason: ReasonOutOfRange},
			{Point: "AT-201", Time: 1764700000900, Quality: Bad, Reason: ReasonCommLost},
			{Point: "X", Time: 1, Value: f(1e-300), Quality: Good},
			{Point: "Y", Time: 2, Value: f(math.MaxFloat64), Quality: Good},
		}}
}

func TestTelemetryRoundTrip(t *testing.T) {
	for _, replayed := range []bool{false, true} {
		in := sample()
		in.Replayed = replayed
		b, err := AppendTelemetry(nil, &in)
		if err != nil {
			t.Fatal(err)
		}
		out, err := DecodeTelemetry(b)
		if err != nil {
			t.Fatalf("decode %s: %v", b, err)
		}
		if !reflect.DeepEqual(in, out) {
			t.Fatalf("round trip:\n in %+v\nout %+v", in, out)
		}
		// The hand-written encoder must agree with encoding/json.
		var generic map[string]any
		if err := json.Unmarshal(b, &generic); err != nil {
			t.Fatalf("not JSON: %s", b)
		}
	}
}

func TestDecodeTelemetryRejects(t *testing.T) {
	tests := []struct {
		name, payload, reason string
	}{
		{"not json", `{"v":1`, RejectBadJSON},
		{"unknown key", `{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[],"x":1}`, RejectBadJSON},
		{"trailing data", `{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]} {}`, RejectBadJSON},
		{"version", `{"v":2,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, RejectBadVersion},
		{"seq zero", `{"v":1,"epoch":1,"seq":0,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, RejectBadSequence},
		{"no epoch", `{"v":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, RejectBadSequence},
		{"no sent", `{"v":1,"epoch":1,"seq":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, RejectBadTime},
		{"no readings", `{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[]}`, RejectNoReadings},
		{"unknown quality", `{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"meh"}]}`, RejectBadJSON},
		{"value as string", `{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"v":"1","q":"good"}]}`, RejectBadJSON},
		{"huge number", `{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"v":1e999,"q":"good"}]}`, RejectBadJSON},
		{"negative seq", `{"v":1,"epoch":1,"seq":-1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, RejectBadJSON},
		{"too large", `{"v":1,"pad":"` + strings.Repeat("x", MaxPayload) + `"}`, RejectTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeTelemetry([]byte(tt.payload))
			if got := RejectReason(err); got != tt.reason {
				t.Fatalf("reason = %q (%v), want %q", got, err, tt.reason)
			}
		})
	}
}

func TestReadingCheck(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		r      Reading
		reason string
	}{
		{Reading{Point: "a", Time: 1, Value: f(1), Quality: Good}, ""},
		{Reading{Point: "a", Time: 1, Quality: Bad, Reason: ReasonCommLost}, ""},
		{Reading{Point: "", Time: 1, Value: f(1), Quality: Good}, RejectBadPoint},
		{Reading{Point: "a/b", Time: 1, Value: f(1), Quality: Good}, RejectBadPoint},
		{Reading{Point: "a+", Time: 1, Value: f(1), Quality: Good}, RejectBadPoint},
		{Reading{Point: strings.Repeat("a", 65), Time: 1, Value: f(1), Quality: Good}, RejectBadPoint},
		{Reading{Point: "a", Time: 0, Value: f(1), Quality: Good}, RejectBadTime},
		{Reading{Point: "a", Time: 1, Quality: Good}, RejectBadValue},
		{Reading{Point: "a", Time: 1, Value: &nan, Quality: Good}, RejectBadValue},
		{Reading{Point: "a", Time: 1, Value: &inf, Quality: Uncertain}, RejectBadValue},
		{Reading{Point: "a", Time: 1, Value: f(1), Quality: Bad}, RejectBadValue},
		{Reading{Point: "a", Time: 1, Value: f(1)}, RejectBadQuality},
		{Reading{Point: "a", Time: 1, Quality: Bad, Reason: strings.Repeat("r", 33)}, RejectBadReason},
	}
	for i, tt := range tests {
		if got := RejectReason(tt.r.Check()); got != tt.reason {
			t.Errorf("%d: %+v: reason %q, want %q", i, tt.r, got, tt.reason)
		}
	}
}

func TestTopics(t *testing.T) {
	tp, err := ParseTopic(TelemetryTopic("91320500MA1TANK01X", "gw-1"))
	if err != nil || tp != (Topic{"91320500MA1TANK01X", "gw-1", KindTelemetry}) {
		t.Fatalf("ParseTopic = %+v, %v", tp, err)
	}
	for _, bad := range []string{
		"hw/v1/e/g", "hw/v2/e/g/telemetry", "hw/v1/e/g/other", "hw/v1//g/status",
		"hw/v1/e/g/telemetry/x", "hw/v1/e#/g/status", "hw/v1/e/.g/status",
	} {
		if _, err := ParseTopic(bad); err == nil {
			t.Errorf("ParseTopic(%q) accepted", bad)
		}
	}
}

func TestStatusRoundTrip(t *testing.T) {
	in := Status{V: 1, State: StateOnline, Time: 5, Epoch: 7, Agent: "hw-edge test"}
	b, err := EncodeStatus(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeStatus(b)
	if err != nil || out != in {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	if _, err := DecodeStatus([]byte(`{"v":1,"state":"asleep","t":1}`)); RejectReason(err) != RejectBadStatus {
		t.Fatalf("unknown state accepted: %v", err)
	}
}

// FuzzDecodeTelemetry checks that no payload panics the decoder and that
// whatever it accepts encodes and decodes to the same message.
func FuzzDecodeTelemetry(f *testing.F) {
	s := sample()
	b, _ := AppendTelemetry(nil, &s)
	f.Add(b)
	f.Add([]byte(`{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`))
	f.Add([]byte(`{"v":1,"readings":[{"v":null}]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		msg, err := DecodeTelemetry(payload)
		if err != nil {
			return
		}
		for i := range msg.Readings {
			if msg.Readings[i].Check() != nil {
				return // the encoder refuses what a receiver would reject
			}
		}
		again, err := AppendTelemetry(nil, &msg)
		if err != nil {
			t.Fatalf("re-encode accepted message: %v", err)
		}
		back, err := DecodeTelemetry(again)
		if err != nil || !reflect.DeepEqual(back, msg) {
			t.Fatalf("re-decode: %v\n%+v\n%+v", err, back, msg)
		}
	})
}
