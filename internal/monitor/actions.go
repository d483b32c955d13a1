package monitor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hazardwatch/hazardwatch/internal/alarm"
	"github.com/hazardwatch/hazardwatch/internal/rules"
)

// ErrUnknownAlarm is returned for an operator action on an alarm the
// monitor does not have: one that never left Normal is never created.
var ErrUnknownAlarm = errors.New("unknown alarm")

// PointAlarmKey returns the key of condition c of point of enterprise.
func PointAlarmKey(enterprise, point string, c rules.Condition) alarm.Key {
	return alarm.Key{Point: enterprise + "/" + point, Condition: c}
}

// Acknowledge records that actor acknowledged alarm k. Like every
// operator action it is journalled before it returns, and returns the
// alarm's package errors (*alarm.Error) for what its state forbids.
func (m *Monitor) Acknowledge(ctx context.Context, k alarm.Key, actor,
	comment string) (AlarmView, error) {
	return m.act(ctx, k, func(a *alarm.Alarm, at time.Time) ([]alarm.Event,
		error) {
		return a.Acknowledge(actor, comment, at)
	})
}

// Shelve suppresses alarm k until until, for reason, at most MaxShelve.
func (m *Monitor) Shelve(ctx context.Context, k alarm.Key, actor,
	reason string, until time.Time) (AlarmView, error) {
	return m.act(ctx, k, func(a *alarm.Alarm, at time.Time) ([]alarm.Event,
		error) {
		return a.Shelve(actor, reason, until, at)
	})
}

// Unshelve ends the shelve of alarm k before it expires.
func (m *Monitor) Unshelve(ctx context.Context, k alarm.Key, actor,
	comment string) (AlarmView, error) {
	return m.act(ctx, k, func(a *alarm.Alarm, at time.Time) ([]alarm.Event,
		error) {
		return a.Unshelve(actor, comment, at)
	})
}

// RemoveFromService suppresses alarm k for maintenance, for reason.
func (m *Monitor) RemoveFromService(ctx context.Context, k alarm.Key, actor,
	reason string) (AlarmView, error) {
	return m.act(ctx, k, func(a *alarm.Alarm, at time.Time) ([]alarm.Event,
		error) {
		return a.RemoveFromService(actor, reason, at)
	})
}

// ReturnToService ends the removal from service of alarm k.
func (m *Monitor) ReturnToService(ctx context.Context, k alarm.Key, actor,
	comment string) (AlarmView, error) {
	return m.act(ctx, k, func(a *alarm.Alarm, at time.Time) ([]alarm.Event,
		error) {
		return a.ReturnToService(actor, comment, at)
	})
}

// act runs an operator action on alarm k. The action counts only once
// journalled: when the transaction fails the alarm is put back as it was
// and the error returned, so the operator knows to try again.
func (m *Monitor) act(ctx context.Context, k alarm.Key,
	op func(*alarm.Alarm, time.Time) ([]alarm.Event, error)) (AlarmView,
	error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.alarms[k]
	if e == nil {
		return AlarmView{}, fmt.Errorf("alarm %s: %w", k, ErrUnknownAlarm)
	}

	before := e.a.Snapshot()
	evs, err := op(e.a, m.now())
	if err != nil {
		return AlarmView{}, err
	}

	var p pending
	m.record(&p, e, evs, transitionInfo{})
	if err := m.persist(ctx, &p); err != nil {
		restored, rerr := alarm.Restore(before, m.policy)
		if rerr == nil {
			e.a = restored
		}
		return AlarmView{}, errors.Join(
			fmt.Errorf("journal operator action on %s: %w", k, err), rerr)
	}
	m.announce(&p)
	return m.alarmView(e), nil
}
