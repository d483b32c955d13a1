package wire

import (
	"bytes"
	"encoding/json"
)

// Gateway states carried by status messages.
const (
	StateOnline  = "online"
	StateOffline = "offline"
)

// Status is the retained message on a status topic. The gateway publishes
// an online status (its birth) each time it connects and sets an offline
// status as its last will, which the broker publishes when the connection
// is lost without a clean disconnect. A clean shutdown publishes offline
// itself.
type Status struct {
	V     int    `json:"v"`
	State string `json:"state"`
	// Time is when the gateway sent the message, in Unix ms. The broker
	// sends the last will as it was set at connect time, so for a will
	// this is the connect time, not the time the link was lost.
	Time int64 `json:"t"`
	// Epoch is the gateway's sequence epoch (see Telemetry.Epoch).
	Epoch int64 `json:"epoch,omitempty"`
	// Agent names the software and version, for the operators.
	Agent string `json:"agent,omitempty"`
}

// EncodeStatus returns the JSON encoding of s.
func EncodeStatus(s Status) ([]byte, error) {
	if s.V == 0 {
		s.V = Version
	}
	if err := s.check(); err != nil {
		return nil, err
	}
	return json.Marshal(s)
}

// DecodeStatus parses and checks a status payload.
func DecodeStatus(payload []byte) (Status, error) {
	var s Status
	if len(payload) > 4096 {
		return s, reject(RejectTooLarge, "status of %d bytes", len(payload))
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Status{}, reject(RejectBadJSON, "%v", err)
	}
	return s, s.check()
}

func (s Status) check() error {
	if s.V != Version {
		return reject(RejectBadVersion, "v=%d, want %d", s.V, Version)
	}
	if s.State != StateOnline && s.State != StateOffline {
		return reject(RejectBadStatus, "state %q, want online or offline", s.State)
	}
	if len(s.Agent) > 128 {
		return reject(RejectBadStatus, "agent longer than 128")
	}
	return nil
}
