package device

import (
	"fmt"
	"math"
	"net"
	"time"

	"github.com/hazardwatch/hazardwatch/edge/plan"
	"github.com/hazardwatch/hazardwatch/edge/register"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Config is one Modbus device: how to reach it, how often to poll it and
// the points it serves.
type Config struct {
	// Name identifies the device in logs and metrics.
	Name string `yaml:"name"`
	// Transport is tcp (Modbus TCP) or rtu (Modbus RTU on a serial line).
	Transport string `yaml:"transport"`
	// Address is host:port for tcp.
	Address string `yaml:"address"`
	// Serial is the line for rtu.
	Serial SerialConfig `yaml:"serial"`
	// UnitID is the Modbus unit (slave) id, 0 to 247.
	UnitID int `yaml:"unit_id"`
	// Timeout of one request.
	Timeout time.Duration `yaml:"timeout"`
	// PollInterval is the time between the starts of two poll cycles.
	PollInterval time.Duration `yaml:"poll_interval"`
	// Retries is how often a failed request is tried again within a
	// cycle before the device counts as unreachable.
	Retries int `yaml:"retries"`
	// RetryBackoff is the wait before the first retry; it doubles.
	RetryBackoff time.Duration `yaml:"retry_backoff"`
	// MaxRegisters and MaxBits cap one request, for devices that answer
	// less than the protocol allows (125 registers, 2000 bits).
	MaxRegisters int `yaml:"max_registers"`
	MaxBits      int `yaml:"max_bits"`
	// MaxGap is the most unused registers (or bits) a request reads
	// across to join two points into one request; 0 joins only adjacent
	// points. Left out, it is 10.
	MaxGap *int `yaml:"max_gap"`
	// Points are the monitoring points read from this device.
	Points []PointConfig `yaml:"points"`
}

// SerialConfig is a serial line for Modbus RTU.
type SerialConfig struct {
	Device   string `yaml:"device"`
	BaudRate int    `yaml:"baud_rate"`
	DataBits int    `yaml:"data_bits"`
	// Parity is N, E or O.
	Parity   string `yaml:"parity"`
	StopBits int    `yaml:"stop_bits"`
}

// PointConfig maps one register (or bit) to one monitoring point.
type PointConfig struct {
	// ID is the monitoring point id the center knows it by.
	ID string `yaml:"id"`
	// Table is coil, discrete_input, holding or input.
	Table string `yaml:"table"`
	// Address is the first register (or bit), 0 to 65535, as the device
	// manual counts from 0 (register 40001 is holding address 0).
	Address int `yaml:"address"`
	// Type is bool, int16, uint16, int32, uint32, int64, uint64, float32
	// or float64.
	Type string `yaml:"type"`
	// ByteOrder is ABCD (big endian, the Modbus default), DCBA, BADC or
	// CDAB.
	ByteOrder string `yaml:"byte_order"`
	// Bit picks one bit (0 = least significant) of a holding or input
	// register for a bool point.
	Bit *int `yaml:"bit"`
	// Value = raw * Scale + Offset. Scale 0 means 1.
	Scale  float64 `yaml:"scale"`
	Offset float64 `yaml:"offset"`
	// Unit of the engineering value, for people; the center's registry is
	// authoritative.
	Unit string `yaml:"unit"`
	// RangeLow and RangeHigh, when set, mark values outside them as
	// uncertain (out_of_range): a sensor past its range.
	RangeLow  *float64 `yaml:"range_low"`
	RangeHigh *float64 `yaml:"range_high"`
	// Deadband enables report by exception: a good value is sent only
	// when it moved more than Deadband from the last one sent. 0 sends
	// every poll.
	Deadband float64 `yaml:"deadband"`
	// MaxSilence is the longest a point goes unsent under report by
	// exception (the heartbeat). 0 means 60 s when Deadband is set.
	MaxSilence time.Duration `yaml:"max_silence"`
}

// Defaults fills in what the user left out.
func (c *Config) Defaults() {
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.UnitID == 0 && c.Transport == "rtu" {
		c.UnitID = 1
	}
	if c.Timeout == 0 {
		c.Timeout = time.Second
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}
	if c.RetryBackoff == 0 {
		c.RetryBackoff = 100 * time.Millisecond
	}
	if c.MaxRegisters == 0 {
		c.MaxRegisters = plan.ProtocolMaxRegisters
	}
	if c.MaxBits == 0 {
		c.MaxBits = plan.ProtocolMaxBits
	}
	if c.MaxGap == nil {
		gap := plan.DefaultMaxGap
		c.MaxGap = &gap
	}
	s := &c.Serial
	if s.BaudRate == 0 {
		s.BaudRate = 9600
	}
	if s.DataBits == 0 {
		s.DataBits = 8
	}
	if s.Parity == "" {
		s.Parity = "N"
	}
	if s.StopBits == 0 {
		s.StopBits = 1
	}
	for i := range c.Points {
		p := &c.Points[i]
		if p.Deadband > 0 && p.MaxSilence == 0 {
			p.MaxSilence = time.Minute
		}
	}
}

// Validate checks the device; key is where it sits in the file, such as
// "devices[0]", and errors name the key at fault.
func (c *Config) Validate(key string) error {
	if err := wire.CheckID(c.Name); err != nil {
		return fmt.Errorf("%s.name: %w", key, err)
	}
	if err := c.validateLink(key); err != nil {
		return err
	}
	switch {
	case c.Timeout <= 0:
		return fmt.Errorf("%s.timeout: must be positive", key)
	case c.PollInterval < 10*time.Millisecond:
		return fmt.Errorf("%s.poll_interval: %v, want at least 10ms", key, c.PollInterval)
	case c.Retries < 0 || c.Retries > 10:
		return fmt.Errorf("%s.retries: %d, want 0 to 10", key, c.Retries)
	case c.RetryBackoff < 0:
		return fmt.Errorf("%s.retry_backoff: must not be negative", key)
	case c.MaxRegisters < 1 || c.MaxRegisters > plan.ProtocolMaxRegisters:
		return fmt.Errorf("%s.max_registers: %d, want 1 to %d", key, c.MaxRegisters, plan.ProtocolMaxRegisters)
	case c.MaxBits < 1 || c.MaxBits > plan.ProtocolMaxBits:
		return fmt.Errorf("%s.max_bits: %d, want 1 to %d", key, c.MaxBits, plan.ProtocolMaxBits)
	case c.MaxGap == nil || *c.MaxGap < 0 || *c.MaxGap > math.MaxUint16:
		return fmt.Errorf("%s.max_gap: want 0 to 65535", key)
	case len(c.Points) == 0:
		return fmt.Errorf("%s.points: a device needs at least one point", key)
	}
	for i := range c.Points {
		if _, err := c.Points[i].spec(fmt.Sprintf("%s.points[%d]", key, i)); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateLink(key string) error {
	switch c.Transport {
	case "tcp":
		if _, _, err := net.SplitHostPort(c.Address); err != nil {
			return fmt.Errorf("%s.address: %q is not host:port", key, c.Address)
		}
		if c.UnitID < 0 || c.UnitID > 255 {
			return fmt.Errorf("%s.unit_id: %d, want 0 to 255", key, c.UnitID)
		}
	case "rtu":
		s := c.Serial
		switch {
		case s.Device == "":
			return fmt.Errorf("%s.serial.device: empty", key)
		case s.Parity != "N" && s.Parity != "E" && s.Parity != "O":
			return fmt.Errorf("%s.serial.parity: %q, want N, E or O", key, s.Parity)
		case s.DataBits < 5 || s.DataBits > 8:
			return fmt.Errorf("%s.serial.data_bits: %d, want 5 to 8", key, s.DataBits)
		case s.StopBits != 1 && s.StopBits != 2:
			return fmt.Errorf("%s.serial.stop_bits: %d, want 1 or 2", key, s.StopBits)
		case s.BaudRate < 300:
			return fmt.Errorf("%s.serial.baud_rate: %d, too low", key, s.BaudRate)
		}
		if c.UnitID < 1 || c.UnitID > 247 {
			return fmt.Errorf("%s.unit_id: %d, want 1 to 247 on a serial line", key, c.UnitID)
		}
	default:
		return fmt.Errorf("%s.transport: %q, want tcp or rtu", key, c.Transport)
	}
	return nil
}

// spec turns the point's settings into a register spec, checking each.
func (p *PointConfig) spec(key string) (register.Spec, error) {
	var s register.Spec
	if err := wire.CheckID(p.ID); err != nil {
		return s, fmt.Errorf("%s.id: %w", key, err)
	}
	var err error
	if s.Table, err = register.ParseTable(p.Table); err != nil {
		return s, fmt.Errorf("%s.table: %w", key, err)
	}
	if p.Address < 0 || p.Address > math.MaxUint16 {
		return s, fmt.Errorf("%s.address: %d past 0..65535", key, p.Address)
	}
	s.Address = uint16(p.Address)
	if s.Type, err = register.ParseType(p.Type); err != nil {
		return s, fmt.Errorf("%s.type: %w", key, err)
	}
	if s.Order, err = register.ParseByteOrder(p.ByteOrder); err != nil {
		return s, fmt.Errorf("%s.byte_order: %w", key, err)
	}
	s.Bit = register.NoBit
	if p.Bit != nil {
		s.Bit = *p.Bit
	}
	s.Scale, s.Offset = p.Scale, p.Offset
	if err := s.Validate(); err != nil {
		return s, fmt.Errorf("%s: %w", key, err)
	}
	switch {
	case p.Deadband < 0 || math.IsNaN(p.Deadband):
		return s, fmt.Errorf("%s.deadband: must not be negative", key)
	case p.MaxSilence < 0:
		return s, fmt.Errorf("%s.max_silence: must not be negative", key)
	case p.RangeLow != nil && p.RangeHigh != nil && *p.RangeLow >= *p.RangeHigh:
		return s, fmt.Errorf("%s.range_low: %v not below range_high %v", key, *p.RangeLow, *p.RangeHigh)
	}
	return s, nil
}
