// Package device polls one Modbus device (TCP or RTU) per its register map
// and turns what it reads into readings with a quality. A device that
// stops answering yields bad readings, not silence; an address the device
// refuses costs only its own point, because the poller narrows a refused
// request down until the refused point stands alone.
package device

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/goburrow/modbus"
	"github.com/goburrow/serial"

	"github.com/hazardwatch/hazardwatch/edge/plan"
	"github.com/hazardwatch/hazardwatch/edge/register"
	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Poller reads one device. It is not safe for concurrent use: one
// goroutine polls each device.
type Poller struct {
	cfg    Config
	specs  []register.Spec
	items  []plan.Item
	limits plan.Limits
	reqs   []plan.Request
	link   link
	log    *slog.Logger
	m      *Metrics
	// state per request: the last outcome, so that errors are logged
	// once per change rather than once per cycle.
	reqState map[reqKey]string
	devState string
	report   []reportState
	devErr   error
	sleep    func(time.Duration)
}

type reqKey struct {
	table   register.Table
	address uint16
	count   uint16
}

// link is an open Modbus connection.
type link interface {
	modbus.Client
	Connect() error
	Close() error
}

type tcpLink struct {
	modbus.Client
	h *modbus.TCPClientHandler
}

func (l tcpLink) Connect() error { return l.h.Connect() }
func (l tcpLink) Close() error   { return l.h.Close() }

type rtuLink struct {
	modbus.Client
	h *modbus.RTUClientHandler
}

func (l rtuLink) Connect() error { return l.h.Connect() }
func (l rtuLink) Close() error   { return l.h.Close() }

// New checks cfg, plans its requests and returns a poller. It does not
// connect: the first Poll does.
func New(cfg Config, log *slog.Logger, m *Metrics) (*Poller, error) {
	cfg.Defaults()
	if err := cfg.Validate("device " + cfg.Name); err != nil {
		return nil, err
	}
	p := &Poller{cfg: cfg, log: log.With("device", cfg.Name, "unit_id", cfg.UnitID),
		m: m, reqState: map[reqKey]string{}, sleep: time.Sleep}
	for i := range cfg.Points {
		s, _ := cfg.Points[i].spec("") // checked by Validate
		first, count := s.Span()
		p.specs = append(p.specs, s)
		p.items = append(p.items, plan.Item{Table: s.Table, Address: first, Count: count})
	}
	p.report = make([]reportState, len(cfg.Points))
	p.limits = plan.Limits{MaxRegisters: uint16(cfg.MaxRegisters),
		MaxBits: uint16(cfg.MaxBits), MaxGap: uint16(*cfg.MaxGap)}
	reqs, err := plan.Build(p.items, p.limits)
	if err != nil {
		return nil, fmt.Errorf("device %s: plan requests: %w", cfg.Name, err)
	}
	p.reqs = reqs
	p.link = p.newLink()
	return p, nil
}

func (p *Poller) newLink() link {
	if p.cfg.Transport == "rtu" {
		h := modbus.NewRTUClientHandler(p.cfg.Serial.Device)
		h.Config = serial.Config{Address: p.cfg.Serial.Device, BaudRate: p.cfg.Serial.BaudRate,
			DataBits: p.cfg.Serial.DataBits, StopBits: p.cfg.Serial.StopBits,
			Parity: p.cfg.Serial.Parity, Timeout: p.cfg.Timeout}
		h.SlaveId = byte(p.cfg.UnitID)
		return rtuLink{modbus.NewClient(h), h}
	}
	h := modbus.NewTCPClientHandler(p.cfg.Address)
	h.Timeout = p.cfg.Timeout
	h.SlaveId = byte(p.cfg.UnitID)
	return tcpLink{modbus.NewClient(h), h}
}

// Name is the device's name.
func (p *Poller) Name() string { return p.cfg.Name }

// Interval is the device's poll interval.
func (p *Poller) Interval() time.Duration { return p.cfg.PollInterval }

// Requests returns the current request plan (it changes when refused
// requests are split).
func (p *Poller) Requests() []plan.Request { return p.reqs }

// Close closes the connection.
func (p *Poller) Close() error { return p.link.Close() }

// Poll runs one cycle at time now and returns a reading for every point
// whose value is due under report by exception (every point when no
// deadband is set). Readings carry the cycle's start time as their sample
// time.
func (p *Poller) Poll(now time.Time) []wire.Reading {
	start := time.Now()
	out := make([]wire.Reading, len(p.specs))
	down := false
	var next []plan.Request
	for _, r := range p.reqs {
		if down {
			p.markItems(out, r.Items, wire.Bad, wire.ReasonCommLost)
			next = append(next, r)
			continue
		}
		kept, lost := p.runRequest(r, out)
		next = append(next, kept...)
		down = lost
	}
	p.reqs = next
	p.setDeviceState(down)
	p.m.pollSeconds.WithLabelValues(p.cfg.Name).Observe(time.Since(start).Seconds())
	return p.due(out, now)
}

// runRequest reads r into out. A request the device refuses for its
// addresses is split and its halves read at once; it returns the
// requests that replace r in the plan, and whether the device is
// unreachable.
func (p *Poller) runRequest(r plan.Request, out []wire.Reading) ([]plan.Request, bool) {
	data, err := p.read(r)
	if err == nil {
		p.noteRequest(r, "")
		p.extract(r, data, out)
		return []plan.Request{r}, false
	}
	var me *modbus.ModbusError
	if !errors.As(err, &me) {
		p.m.errors.WithLabelValues(p.cfg.Name, "comm").Inc()
		p.markItems(out, r.Items, wire.Bad, wire.ReasonCommLost)
		p.devErr = err
		return []plan.Request{r}, true
	}
	kind := exceptionKind(me.ExceptionCode)
	p.m.errors.WithLabelValues(p.cfg.Name, kind).Inc()
	if (kind == "illegal_address" || kind == "illegal_value") && len(r.Items) > 1 {
		halves := plan.Split(r, p.items, p.limits)
		if len(halves) > 1 {
			p.log.Info("device refused a request, narrowing it down",
				"table", r.Table, "address", r.Address, "count", r.Count, "err", err)
			var kept []plan.Request
			for _, h := range halves {
				k, lost := p.runRequest(h, out)
				kept = append(kept, k...)
				if lost {
					return kept, true
				}
			}
			return kept, false
		}
	}
	p.noteRequest(r, err.Error())
	reason := wire.ReasonDeviceError
	if kind == "illegal_address" || kind == "illegal_value" {
		reason = wire.ReasonConfigError
	}
	p.markItems(out, r.Items, wire.Bad, reason)
	return []plan.Request{r}, false
}

// read sends one request, retrying transport failures with backoff. A
// Modbus exception is an answer, not a failure: it is not retried.
func (p *Poller) read(r plan.Request) ([]byte, error) {
	backoff := p.cfg.RetryBackoff
	var err error
	for attempt := 0; attempt <= p.cfg.Retries; attempt++ {
		if attempt > 0 {
			p.sleep(backoff)
			backoff *= 2
		}
		p.m.requests.WithLabelValues(p.cfg.Name).Inc()
		var data []byte
		data, err = p.send(r)
		if err == nil {
			return data, nil
		}
		var me *modbus.ModbusError
		if errors.As(err, &me) && me.ExceptionCode != modbus.ExceptionCodeServerDeviceBusy {
			return nil, err
		}
		// Start the next attempt on a fresh connection: after a timeout
		// a late answer would otherwise be taken for the next one's.
		_ = p.link.Close()
	}
	return nil, err
}

func (p *Poller) send(r plan.Request) ([]byte, error) {
	switch r.Table {
	case register.Coil:
		return p.link.ReadCoils(r.Address, r.Count)
	case register.DiscreteInput:
		return p.link.ReadDiscreteInputs(r.Address, r.Count)
	case register.Holding:
		return p.link.ReadHoldingRegisters(r.Address, r.Count)
	default:
		return p.link.ReadInputRegisters(r.Address, r.Count)
	}
}

// extract decodes every point of r from its response.
func (p *Poller) extract(r plan.Request, data []byte, out []wire.Reading) {
	for _, i := range r.Items {
		v, err := register.Extract(p.specs[i], r.Address, data)
		if err != nil {
			p.m.errors.WithLabelValues(p.cfg.Name, "decode").Inc()
			p.log.Debug("decode point", "point", p.cfg.Points[i].ID, "err", err)
			out[i] = wire.Reading{Point: p.cfg.Points[i].ID, Quality: wire.Bad, Reason: wire.ReasonDeviceError}
			continue
		}
		out[i] = p.qualify(i, v)
	}
}

func (p *Poller) qualify(i int, v float64) wire.Reading {
	pc := &p.cfg.Points[i]
	r := wire.Reading{Point: pc.ID, Value: &v, Quality: wire.Good}
	if (pc.RangeLow != nil && v < *pc.RangeLow) || (pc.RangeHigh != nil && v > *pc.RangeHigh) {
		r.Quality, r.Reason = wire.Uncertain, wire.ReasonOutOfRange
	}
	return r
}

func (p *Poller) markItems(out []wire.Reading, items []int, q wire.Quality, reason string) {
	for _, i := range items {
		out[i] = wire.Reading{Point: p.cfg.Points[i].ID, Quality: q, Reason: reason}
	}
}

// noteRequest logs a request's outcome when it changed since the last
// cycle: a refused address is logged once, not every second.
func (p *Poller) noteRequest(r plan.Request, errText string) {
	k := reqKey{r.Table, r.Address, r.Count}
	if p.reqState[k] == errText {
		return
	}
	p.reqState[k] = errText
	if errText == "" {
		p.log.Info("request answered again", "table", r.Table, "address", r.Address, "count", r.Count)
		return
	}
	points := make([]string, 0, len(r.Items))
	for _, i := range r.Items {
		points = append(points, p.cfg.Points[i].ID)
	}
	p.log.Warn("device refused request", "table", r.Table, "address", r.Address,
		"count", r.Count, "points", points, "err", errText)
}

func (p *Poller) setDeviceState(down bool) {
	state := "up"
	if down {
		state = "down"
	}
	if state == p.devState {
		return
	}
	if down {
		p.m.up.WithLabelValues(p.cfg.Name).Set(0)
		p.log.Warn("device unreachable; its points are published as bad", "err", p.devErr)
	} else {
		p.m.up.WithLabelValues(p.cfg.Name).Set(1)
		if p.devState != "" {
			p.log.Info("device reachable again")
		}
	}
	p.devState = state
}

func exceptionKind(code byte) string {
	switch code {
	case modbus.ExceptionCodeIllegalFunction:
		return "illegal_function"
	case modbus.ExceptionCodeIllegalDataAddress:
		return "illegal_address"
	case modbus.ExceptionCodeIllegalDataValue:
		return "illegal_value"
	case modbus.ExceptionCodeServerDeviceFailure:
		return "device_failure"
	case modbus.ExceptionCodeServerDeviceBusy:
		return "busy"
	case modbus.ExceptionCodeGatewayPathUnavailable, modbus.ExceptionCodeGatewayTargetDeviceFailedToRespond:
		return "gateway"
	}
	return "exception"
}

// reportState is what was last sent for a point.
type reportState struct {
	sent    bool
	value   float64
	quality wire.Quality
	at      time.Time
}

// due stamps the cycle's readings with now and keeps those that report by
// exception lets through: every reading when the point has no deadband;
// otherwise a change of quality, a move past the deadband, or the
// heartbeat after MaxSilence.
func (p *Poller) due(all []wire.Reading, now time.Time) []wire.Reading {
	out := all[:0]
	ms := now.UnixMilli()
	for i := range all {
		r := all[i]
		r.Time = ms
		pc, st := &p.cfg.Points[i], &p.report[i]
		if pc.Deadband > 0 && st.sent && st.quality == r.Quality &&
			now.Sub(st.at) < pc.MaxSilence &&
			(r.Value == nil || math.Abs(*r.Value-st.value) <= pc.Deadband) {
			continue
		}
		st.sent, st.quality, st.at = true, r.Quality, now
		if r.Value != nil {
			st.value = *r.Value
		}
		out = append(out, r)
	}
	return out
}
