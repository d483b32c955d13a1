package wire_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// The messages below are the examples of docs/wire-contract.md. The Output
// comments check what the encoder makes of them, and TestContractExamples
// checks that the document shows exactly those bytes.

const (
	exEnterprise = "91320500MA1TANK01X"
	exGateway    = "gw-1"
	exEpoch      = 1764700000000 // 2025-12-02T18:26:40Z, when the buffer was created
)

func val(v float64) *float64 { return &v }

// liveMessage is message 461, sent live right after the link came back.
func liveMessage() wire.Telemetry {
	const t = 1764704610000
	return wire.Telemetry{V: wire.Version, Epoch: exEpoch, Seq: 461, Sent: 1764704610042,
		Readings: []wire.Reading{
			{Point: "GT-101", Time: t, Value: val(12.5), Quality: wire.Good},
			{Point: "T1.LT_01", Time: t, Value: val(7.316), Quality: wire.Good},
			{Point: "T1.PT_01", Time: t, Value: val(-0.003), Quality: wire.Uncertain, Reason: wire.ReasonOutOfRange},
			{Point: "AT-201", Time: t, Quality: wire.Bad, Reason: wire.ReasonCommLost},
		}}
}

// replayedMessage is message 300, made during the outage and sent from the
// buffer after it.
func replayedMessage() wire.Telemetry {
	const t = 1764703000000
	return wire.Telemetry{V: wire.Version, Epoch: exEpoch, Seq: 300, Sent: 1764704610105, Replayed: true,
		Readings: []wire.Reading{
			{Point: "GT-101", Time: t, Value: val(11), Quality: wire.Good},
			{Point: "T1.LT_01", Time: t, Value: val(7.402), Quality: wire.Good},
			{Point: "T1.PT_01", Time: t, Value: val(0.118), Quality: wire.Good},
			{Point: "AT-201", Time: t, Quality: wire.Bad, Reason: wire.ReasonDeviceError},
		}}
}

// birth is the retained online status sent on connecting; will is the
// offline status the broker publishes if the connection is lost.
var (
	birth = wire.Status{State: wire.StateOnline, Time: 1764704609871, Epoch: exEpoch, Agent: "hw-edge/0.1"}
	will  = wire.Status{State: wire.StateOffline, Time: 1764700000131, Epoch: exEpoch, Agent: "hw-edge/0.1"}
)

// faulty is a message from a third-party gateway with one faulty reading: a
// good reading without a value.
const faulty = `{"v":1,"epoch":1764700000000,"seq":462,"sent":1764704620040,"readings":[` +
	`{"p":"GT-101","t":1764704620000,"v":12.7,"q":"good"},` +
	`{"p":"T1.LT_01","t":1764704620000,"q":"good"}]}`

func ExampleAppendTelemetry() {
	msg := liveMessage()
	payload, err := wire.AppendTelemetry(nil, &msg)
	if err != nil {
		panic(err)
	}
	fmt.Println(wire.TelemetryTopic(exEnterprise, exGateway))
	fmt.Printf("%s\n", payload)
	// Output:
	// hw/v1/91320500MA1TANK01X/gw-1/telemetry
	// {"v":1,"epoch":1764700000000,"seq":461,"sent":1764704610042,"readings":[{"p":"GT-101","t":1764704610000,"v":12.5,"q":"good"},{"p":"T1.LT_01","t":1764704610000,"v":7.316,"q":"good"},{"p":"T1.PT_01","t":1764704610000,"v":-0.003,"q":"uncertain","r":"out_of_range"},{"p":"AT-201","t":1764704610000,"q":"bad","r":"comm_lost"}]}
}

func ExampleAppendTelemetry_replayed() {
	msg := replayedMessage()
	payload, err := wire.AppendTelemetry(nil, &msg)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s\n", payload)
	// Output:
	// {"v":1,"epoch":1764700000000,"seq":300,"sent":1764704610105,"replayed":true,"readings":[{"p":"GT-101","t":1764703000000,"v":11,"q":"good"},{"p":"T1.LT_01","t":1764703000000,"v":7.402,"q":"good"},{"p":"T1.PT_01","t":1764703000000,"v":0.118,"q":"good"},{"p":"AT-201","t":1764703000000,"q":"bad","r":"device_error"}]}
}

func ExampleDecodeTelemetry() {
	msg, err := wire.DecodeTelemetry([]byte(faulty))
	if err != nil {
		// A fault of the whole message: nothing of it is stored.
		fmt.Println("message rejected:", wire.RejectReason(err))
		return
	}
	fmt.Printf("epoch %d seq %d replayed %t\n", msg.Epoch, msg.Seq, msg.Replayed)
	for _, r := range msg.Readings {
		// A fault of one reading costs that reading only.
		if err := r.Check(); err != nil {
			fmt.Printf("%s rejected: %s\n", r.Point, wire.RejectReason(err))
			continue
		}
		fmt.Printf("%s kept: t=%d v=%g q=%s\n", r.Point, r.Time, *r.Value, r.Quality)
	}
	// Output:
	// epoch 1764700000000 seq 462 replayed false
	// GT-101 kept: t=1764704620000 v=12.7 q=good
	// T1.LT_01 rejected: bad_value
}

func ExampleEncodeStatus() {
	for _, s := range []wire.Status{birth, will} {
		payload, err := wire.EncodeStatus(s)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%s\n", payload)
	}
	fmt.Println(wire.StatusTopic(exEnterprise, exGateway))
	// Output:
	// {"v":1,"state":"online","t":1764704609871,"epoch":1764700000000,"agent":"hw-edge/0.1"}
	// {"v":1,"state":"offline","t":1764700000131,"epoch":1764700000000,"agent":"hw-edge/0.1"}
	// hw/v1/91320500MA1TANK01X/gw-1/status
}

// TestContractExamples checks that docs/wire-contract.md shows exactly the
// bytes the encoder makes of the example messages, and that the decoder
// accepts them.
func TestContractExamples(t *testing.T) {
	doc, err := os.ReadFile("../../docs/wire-contract.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range []wire.Telemetry{liveMessage(), replayedMessage()} {
		b, err := wire.AppendTelemetry(nil, &m)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wire.DecodeTelemetry(b); err != nil {
			t.Fatalf("example does not decode: %v", err)
		}
		want = append(want, string(b))
	}
	for _, s := range []wire.Status{birth, will} {
		b, err := wire.EncodeStatus(s)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wire.DecodeStatus(b); err != nil {
			t.Fatalf("example does not decode: %v", err)
		}
		want = append(want, string(b))
	}
	want = append(want, faulty,
		wire.TelemetryTopic(exEnterprise, exGateway), wire.StatusTopic(exEnterprise, exGateway))
	for _, w := range want {
		if !strings.Contains(string(doc), "\n"+w+"\n") {
			t.Errorf("docs/wire-contract.md lacks, on a line of its own:\n%s", w)
		}
	}
}

// TestContractVectors checks the test vectors of docs/wire-contract.md,
// section 13: each row is in the document and the decoder gives its code.
func TestContractVectors(t *testing.T) {
	doc, err := os.ReadFile("../../docs/wire-contract.md")
	if err != nil {
		t.Fatal(err)
	}
	row := func(payload, code string) {
		t.Helper()
		cell := "`" + code + "`"
		if code == "" {
			cell = "(accepted: 32 bytes)"
		}
		if line := "| `" + payload + "` | " + cell + " |"; !strings.Contains(string(doc), line) {
			t.Errorf("docs/wire-contract.md lacks the row\n%s", line)
		}
	}
	const h = `{"v":1,"epoch":1,"seq":1,"sent":1,"readings":[`
	message := []struct{ payload, code string }{
		{`{"v":1`, wire.RejectBadJSON},
		{h + `{"p":"a","t":1,"q":"bad"}],"x":1}`, wire.RejectBadJSON},
		{h + `{"p":"a","t":1,"q":"bad","x":1}]}`, wire.RejectBadJSON},
		{h + `{"p":"a","t":1,"q":"bad"}]} {}`, wire.RejectBadJSON},
		{h + `{"p":"a","t":1,"v":1,"q":"GOOD"}]}`, wire.RejectBadJSON},
		{h + `{"p":"a","t":1,"v":"1","q":"good"}]}`, wire.RejectBadJSON},
		{`{"v":1,"epoch":1,"seq":1.0,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, wire.RejectBadJSON},
		{`{"v":1,"epoch":1,"seq":-1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, wire.RejectBadJSON},
		{h + `{"p":"a","t":1,"v":1e999,"q":"good"}]}`, wire.RejectBadJSON},
		{`{"v":2,"epoch":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, wire.RejectBadVersion},
		{`{"v":1,"epoch":1,"seq":0,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, wire.RejectBadSequence},
		{`{"v":1,"seq":1,"sent":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, wire.RejectBadSequence},
		{`{"v":1,"epoch":1,"seq":1,"readings":[{"p":"a","t":1,"q":"bad"}]}`, wire.RejectBadTime},
		{h + `]}`, wire.RejectNoReadings},
	}
	for _, v := range message {
		row(v.payload, v.code)
		if _, err := wire.DecodeTelemetry([]byte(v.payload)); wire.RejectReason(err) != v.code {
			t.Errorf("%s: got %v, want %s", v.payload, err, v.code)
		}
	}
	reading := []struct{ payload, code string }{
		{h + `{"p":"a/b","t":1,"v":1,"q":"good"}]}`, wire.RejectBadPoint},
		{h + `{"p":"_a","t":1,"v":1,"q":"good"}]}`, wire.RejectBadPoint},
		{h + `{"p":"a","v":1,"q":"good"}]}`, wire.RejectBadTime},
		{h + `{"p":"a","t":1,"q":"good"}]}`, wire.RejectBadValue},
		{h + `{"p":"a","t":1,"v":null,"q":"uncertain"}]}`, wire.RejectBadValue},
		{h + `{"p":"a","t":1,"v":1,"q":"bad"}]}`, wire.RejectBadValue},
		{h + `{"p":"a","t":1,"v":1}]}`, wire.RejectBadQuality},
		{h + `{"p":"a","t":1,"q":"bad","r":"the_device_answered_with_garbage"}]}`, ""},
		{h + `{"p":"a","t":1,"q":"bad","r":"the_device_answered_with_garbage!"}]}`, wire.RejectBadReason},
	}
	for _, v := range reading {
		row(v.payload, v.code)
		msg, err := wire.DecodeTelemetry([]byte(v.payload))
		if err != nil || len(msg.Readings) != 1 {
			t.Errorf("%s: message rejected: %v", v.payload, err)
			continue
		}
		if got := wire.RejectReason(msg.Readings[0].Check()); got != v.code {
			t.Errorf("%s: reading got %q, want %q", v.payload, got, v.code)
		}
	}
	status := []struct{ payload, code string }{
		{`{"v":1,"state":"asleep","t":1}`, wire.RejectBadStatus},
		{`{"v":1,"state":"Online","t":1}`, wire.RejectBadStatus},
		{`{"v":1,"state":"online","t":1,"x":1}`, wire.RejectBadJSON},
		{`{"state":"online","t":1}`, wire.RejectBadVersion},
	}
	for _, v := range status {
		row(v.payload, v.code)
		if _, err := wire.DecodeStatus([]byte(v.payload)); wire.RejectReason(err) != v.code {
			t.Errorf("%s: got %v, want %s", v.payload, err, v.code)
		}
	}
	for _, topic := range []string{"hw/v1/e/g", "hw/v1/e/g/telemetry/x", "hw/v1/e/g/other",
		"hw/v1//g/status", "hw/v1/e/.g/status", "hw/v2/e/g/telemetry"} {
		if !strings.Contains(string(doc), "`"+topic+"`") {
			t.Errorf("docs/wire-contract.md lacks the topic %s", topic)
		}
		if _, err := wire.ParseTopic(topic); err == nil {
			t.Errorf("ParseTopic(%q) accepted", topic)
		}
	}
	// The limits shown only in words.
	big := make([]byte, wire.MaxPayload+1)
	if _, err := wire.DecodeTelemetry(big); wire.RejectReason(err) != wire.RejectTooLarge {
		t.Errorf("%d bytes: got %v", len(big), err)
	}
	many := h + strings.Repeat(`{"p":"a","t":1,"q":"bad"},`, wire.MaxReadings) + `{"p":"a","t":1,"q":"bad"}]}`
	if _, err := wire.DecodeTelemetry([]byte(many)); wire.RejectReason(err) != wire.RejectTooMany {
		t.Errorf("5001 readings: got %v", err)
	}
}
