package sim

import (
	"log/slog"
	"time"

	"github.com/simonvetter/modbus"
)

// handler answers the library's requests from the scenario. It keeps no
// mutable state, so any number of connections may call it at once.
type handler struct {
	sc     *Scenario
	now    func() time.Time
	origin time.Time
	log    *slog.Logger
}

// HandleCoils serves reads of coils; the simulator refuses writes with
// exception 01, as a read-only device does.
func (h *handler) HandleCoils(req *modbus.CoilsRequest) ([]bool, error) {
	if req.IsWrite {
		return nil, modbus.ErrIllegalFunction
	}
	return h.bits(Coil, req.UnitId, req.Addr, req.Quantity)
}

// HandleDiscreteInputs serves reads of discrete inputs.
func (h *handler) HandleDiscreteInputs(req *modbus.DiscreteInputsRequest) ([]bool, error) {
	return h.bits(DiscreteInput, req.UnitId, req.Addr, req.Quantity)
}

// HandleHoldingRegisters serves reads of holding registers and refuses
// writes with exception 01.
func (h *handler) HandleHoldingRegisters(req *modbus.HoldingRegistersRequest) ([]uint16, error) {
	if req.IsWrite {
		return nil, modbus.ErrIllegalFunction
	}
	return h.registers(Holding, req.UnitId, req.Addr, req.Quantity)
}

// HandleInputRegisters serves reads of input registers.
func (h *handler) HandleInputRegisters(req *modbus.InputRegistersRequest) ([]uint16, error) {
	return h.registers(Input, req.UnitId, req.Addr, req.Quantity)
}

func (h *handler) bits(t Table, unit uint8, addr, qty uint16) ([]bool, error) {
	if err := h.admit(t, unit, addr, qty); err != nil {
		return nil, err
	}
	d := h.now().Sub(h.origin)
	index := h.sc.tables[t]
	out := make([]bool, qty)
	for i := range out {
		if c := index[addr+uint16(i)]; c != nil {
			out[i] = c.sig.on(c.sig.valueAfter(d))
		}
	}
	return out, nil
}

func (h *handler) registers(t Table, unit uint8, addr, qty uint16) ([]uint16, error) {
	if err := h.admit(t, unit, addr, qty); err != nil {
		return nil, err
	}

	// One instant for the whole request, and each signal encoded once,
	// so the words of a 32-bit value can never come from two readings.
	d := h.now().Sub(h.origin)
	index := h.sc.tables[t]
	encoded := make(map[*Signal][]uint16)
	out := make([]uint16, qty)
	for i := range out {
		c := index[addr+uint16(i)]
		if c == nil {
			continue
		}
		if c.sig != nil {
			words, ok := encoded[c.sig]
			if !ok {
				words = c.sig.registers(d)
				encoded[c.sig] = words
			}
			out[i] = words[c.word]
		}
		for _, b := range c.bits {
			if b.on(b.valueAfter(d)) {
				out[i] |= 1 << *b.Bit
			}
		}
	}
	return out, nil
}

// admit refuses a request for another unit id with exception 0B, as a
// gateway does when no device answers (the library cannot stay silent),
// and one touching an illegal or, when strict, an unserved address with
// exception 02.
func (h *handler) admit(t Table, unit uint8, addr, qty uint16) error {
	if h.sc.UnitID != 0 && int(unit) != h.sc.UnitID {
		h.log.Debug("request for other unit refused", "unit_id", unit)
		return modbus.ErrGWTargetFailedToRespond
	}
	for _, r := range h.sc.Illegal {
		if r.overlaps(t, int(addr), int(qty)) {
			h.log.Debug("illegal address refused", "table", t,
				"address", addr, "count", qty)
			return modbus.ErrIllegalDataAddress
		}
	}
	if !h.sc.Strict {
		return nil
	}
	index := h.sc.tables[t]
	for i := range qty {
		if index[addr+i] == nil {
			h.log.Debug("unserved address refused", "table", t,
				"address", addr+i)
			return modbus.ErrIllegalDataAddress
		}
	}
	return nil
}
