package plan

import "fmt"

// The Modbus protocol's own ceilings for one read: a response PDU holds at
// most 250 data bytes, which is 125 registers or 2000 packed bits.
const (
	ProtocolMaxRegisters = 125
	ProtocolMaxBits      = 2000
)

// DefaultMaxGap is the default largest run of unused addresses a request
// reads across. Ten registers cost 20 bytes on the wire, far less than the
// round trip of a second request, yet small enough that a request seldom
// wanders into addresses the device does not implement.
const DefaultMaxGap = 10

// Limits bound the requests Build makes. Counts are in the table's units:
// registers for holding and input registers, bits for coils and discrete
// inputs.
type Limits struct {
	// MaxRegisters is the most registers one request reads, 1..125. Some
	// devices answer less than the protocol allows; lower it for them.
	MaxRegisters uint16
	// MaxBits is the most coils or discrete inputs one request reads,
	// 1..2000.
	MaxBits uint16
	// MaxGap is the longest run of addresses no item uses that a request
	// may read across to join two items. 0 joins only items that touch or
	// overlap. Any value is valid: one beyond the request size never binds.
	MaxGap uint16
}

// DefaultLimits returns the protocol maxima and DefaultMaxGap.
func DefaultLimits() Limits {
	return Limits{
		MaxRegisters: ProtocolMaxRegisters,
		MaxBits:      ProtocolMaxBits,
		MaxGap:       DefaultMaxGap,
	}
}

// Validate reports a limit outside what the protocol allows, naming the
// field and its allowed range. A zero maximum is an error rather than a
// default: defaults come from DefaultLimits, before a config overrides them.
func (l Limits) Validate() error {
	switch {
	case l.MaxRegisters < 1 || l.MaxRegisters > ProtocolMaxRegisters:
		return fmt.Errorf("limits: MaxRegisters is %d, want 1..%d",
			l.MaxRegisters, ProtocolMaxRegisters)
	case l.MaxBits < 1 || l.MaxBits > ProtocolMaxBits:
		return fmt.Errorf("limits: MaxBits is %d, want 1..%d",
			l.MaxBits, ProtocolMaxBits)
	}
	return nil
}

// max returns the most units one request of a table with bits (or not)
// may read.
func (l Limits) max(bits bool) int {
	if bits {
		return int(l.MaxBits)
	}
	return int(l.MaxRegisters)
}
