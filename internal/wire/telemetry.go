package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Limits a receiver enforces on every telemetry message.
const (
	// MaxPayload is the largest telemetry payload in bytes.
	MaxPayload = 256 << 10
	// MaxReadings is the most readings one message may carry.
	MaxReadings = 5000
)

// Quality tells how far a reading can be trusted.
type Quality uint8

// Qualities, as OPC and most SCADA systems name them.
const (
	// Good: the device answered and the value is in its range.
	Good Quality = iota + 1
	// Uncertain: a value exists but may be wrong, for example past the
	// sensor's range or held from an earlier poll.
	Uncertain
	// Bad: no usable value; Reason says why and the reading has no value.
	Bad
)

var qualityNames = [...]string{Good: "good", Uncertain: "uncertain", Bad: "bad"}

// String returns the wire name of q.
func (q Quality) String() string {
	if q >= Good && q <= Bad {
		return qualityNames[q]
	}
	return "quality(" + strconv.Itoa(int(q)) + ")"
}

// ParseQuality maps a wire name to its Quality.
func ParseQuality(s string) (Quality, bool) {
	for q := Good; q <= Bad; q++ {
		if qualityNames[q] == s {
			return q, true
		}
	}
	return 0, false
}

// MarshalText implements encoding.TextMarshaler.
func (q Quality) MarshalText() ([]byte, error) {
	if q < Good || q > Bad {
		return nil, fmt.Errorf("unknown quality %d", q)
	}
	return []byte(qualityNames[q]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (q *Quality) UnmarshalText(b []byte) error {
	v, ok := ParseQuality(string(b))
	if !ok {
		return fmt.Errorf("unknown quality %q", b)
	}
	*q = v
	return nil
}

// Reasons qualify a reading that is not good. Receivers accept any short
// reason; these are the ones the HazardWatch edge agent sends.
const (
	ReasonCommLost    = "comm_lost"    // the device did not answer
	ReasonOutOfRange  = "out_of_range" // the value is past the sensor's range
	ReasonDeviceError = "device_error" // the device answered with an exception
	ReasonConfigError = "config_error" // the register map does not fit the device
)

// Reading is one sample of one monitoring point.
type Reading struct {
	// Point is the monitoring point id, unique within the enterprise.
	Point string `json:"p"`
	// Time is the edge's sample time in Unix milliseconds.
	Time int64 `json:"t"`
	// Value is the engineering value; absent (nil) when Quality is Bad.
	Value *float64 `json:"v,omitempty"`
	// Quality of the value.
	Quality Quality `json:"q"`
	// Reason says why Quality is not Good; empty for good readings.
	Reason string `json:"r,omitempty"`
}

// Telemetry is one message on a telemetry topic: the readings of one poll
// cycle of one gateway.
type Telemetry struct {
	// V is the contract version, always 1.
	V int `json:"v"`
	// Epoch identifies the gateway's sequence: the Unix millisecond time at
	// which the gateway started counting from 1. A new epoch means the
	// gateway lost its state, so receivers restart their gap accounting.
	Epoch int64 `json:"epoch"`
	// Seq numbers the gateway's messages from 1 upwards within Epoch.
	// A replayed message keeps the number it was given when it was made.
	Seq uint64 `json:"seq"`
	// Sent is the Unix millisecond time the message was (re)sent.
	Sent int64 `json:"sent"`
	// Replayed marks a message sent from the edge's disk buffer after the
	// link had been down: its readings are old and must never be taken
	// for live values.
	Replayed bool `json:"replayed,omitempty"`
	// Readings of the cycle, at least one.
	Readings []Reading `json:"readings"`
}

// Err is a rejection with a reason code that receivers count by.
type Err struct {
	Reason string // short snake_case code, such as "bad_json"
	Detail string
}

func (e *Err) Error() string { return e.Reason + ": " + e.Detail }

// Reason codes of Err, one per kind of rejection.
const (
	RejectTooLarge     = "too_large"
	RejectBadJSON      = "bad_json"
	RejectBadVersion   = "bad_version"
	RejectBadSequence  = "bad_sequence"
	RejectNoReadings   = "no_readings"
	RejectTooMany      = "too_many_readings"
	RejectBadPoint     = "bad_point"
	RejectBadTime      = "bad_time"
	RejectBadValue     = "bad_value"
	RejectBadQuality   = "bad_quality"
	RejectBadReason    = "bad_reason"
	RejectBadStatus    = "bad_status"
	RejectBadTopic     = "bad_topic"
	RejectUnregistered = "unregistered"
)

func reject(reason, format string, args ...any) *Err {
	return &Err{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// RejectReason returns the reason code of err, or "" if err is not an *Err.
func RejectReason(err error) string {
	var e *Err
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// DecodeTelemetry parses and checks a telemetry payload. It rejects the whole
// message only for faults of the message itself (size, JSON, version,
// sequence, reading count). Faults of single readings are not errors here:
// check each reading with Reading.Check so that one bad reading does not cost
// the good ones beside it.
func DecodeTelemetry(payload []byte) (Telemetry, error) {
	var t Telemetry
	if len(payload) > MaxPayload {
		return t, reject(RejectTooLarge, "%d bytes, limit %d", len(payload), MaxPayload)
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return Telemetry{}, reject(RejectBadJSON, "%v", err)
	}
	if dec.More() {
		return Telemetry{}, reject(RejectBadJSON, "data after the message")
	}
	return t, t.checkMessage()
}

func (t *Telemetry) checkMessage() error {
	switch {
	case t.V != Version:
		return reject(RejectBadVersion, "v=%d, want %d", t.V, Version)
	case t.Seq == 0:
		return reject(RejectBadSequence, "seq must be 1 or more")
	case t.Epoch <= 0:
		return reject(RejectBadSequence, "epoch must be a positive Unix ms time")
	case t.Sent <= 0:
		return reject(RejectBadTime, "sent must be a positive Unix ms time")
	case len(t.Readings) == 0:
		return reject(RejectNoReadings, "readings is empty")
	case len(t.Readings) > MaxReadings:
		return reject(RejectTooMany, "%d readings, limit %d", len(t.Readings), MaxReadings)
	}
	return nil
}

// Check reports what is wrong with one reading, or nil.
func (r *Reading) Check() error {
	if err := CheckID(r.Point); err != nil {
		return reject(RejectBadPoint, "%v", err)
	}
	if r.Time <= 0 {
		return reject(RejectBadTime, "point %s: t=%d", r.Point, r.Time)
	}
	if len(r.Reason) > 32 {
		return reject(RejectBadReason, "point %s: reason longer than 32", r.Point)
	}
	switch r.Quality {
	case Good, Uncertain:
		if r.Value == nil {
			return reject(RejectBadValue, "point %s: %s reading without value", r.Point, r.Quality)
		}
		if math.IsNaN(*r.Value) || math.IsInf(*r.Value, 0) {
			return reject(RejectBadValue, "point %s: value not finite", r.Point)
		}
	case Bad:
		if r.Value != nil {
			return reject(RejectBadValue, "point %s: bad reading with a value", r.Point)
		}
	default:
		return reject(RejectBadQuality, "point %s: quality %d", r.Point, r.Quality)
	}
	return nil
}

// AppendTelemetry appends the JSON encoding of t to b. It is what the edge
// agent sends; it writes floats in the shortest form that reads back exactly.
func AppendTelemetry(b []byte, t *Telemetry) ([]byte, error) {
	if err := t.checkMessage(); err != nil {
		return b, err
	}
	readings, err := AppendReadings(nil, t.Readings)
	if err != nil {
		return b, err
	}
	return AppendEnvelope(b, t, readings), nil
}

// AppendReadings appends the JSON array of rs to b, checking each reading.
// The edge agent stores this array in its disk buffer and wraps it in an
// envelope with AppendEnvelope when it sends it.
func AppendReadings(b []byte, rs []Reading) ([]byte, error) {
	if len(rs) == 0 || len(rs) > MaxReadings {
		return b, reject(RejectTooMany, "%d readings, want 1 to %d", len(rs), MaxReadings)
	}
	b = append(b, '[')
	for i := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendReading(b, &rs[i]); err != nil {
			return b, err
		}
	}
	return append(b, ']'), nil
}

// AppendEnvelope appends a telemetry message made of t's header fields
// (t.Readings is ignored) and readings, a JSON array from AppendReadings.
func AppendEnvelope(b []byte, t *Telemetry, readings []byte) []byte {
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(t.V), 10)
	b = append(b, `,"epoch":`...)
	b = strconv.AppendInt(b, t.Epoch, 10)
	b = append(b, `,"seq":`...)
	b = strconv.AppendUint(b, t.Seq, 10)
	b = append(b, `,"sent":`...)
	b = strconv.AppendInt(b, t.Sent, 10)
	if t.Replayed {
		b = append(b, `,"replayed":true`...)
	}
	b = append(b, `,"readings":`...)
	b = append(b, readings...)
	return append(b, '}')
}

func appendReading(b []byte, r *Reading) ([]byte, error) {
	if err := r.Check(); err != nil {
		return b, err
	}
	b = append(b, `{"p":`...)
	b = strconv.AppendQuote(b, r.Point)
	b = append(b, `,"t":`...)
	b = strconv.AppendInt(b, r.Time, 10)
	if r.Value != nil {
		b = append(b, `,"v":`...)
		b = strconv.AppendFloat(b, *r.Value, 'g', -1, 64)
	}
	b = append(b, `,"q":"`...)
	b = append(b, qualityNames[r.Quality]...)
	b = append(b, '"')
	if r.Reason != "" {
		b = append(b, `,"r":`...)
		b = appendJSONString(b, r.Reason)
	}
	return append(b, '}'), nil
}

// appendJSONString quotes s as JSON; strconv.AppendQuote is not JSON for
// every input (it writes \x escapes), so free text goes through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
