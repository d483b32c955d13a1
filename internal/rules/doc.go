// Package rules evaluates the readings of one monitoring point against its
// limits and reports each condition that becomes active or clears. It does
// no I/O and reads no clock: every call takes the time it applies to, so
// tests (and replays) drive time themselves.
//
// One Evaluator watches one point. Each condition (see Condition) runs its
// own small state machine, the same one prometheus alerting rules use:
//
//	normal -> pending -> active -> clearing -> normal
//
// A condition that holds for OnDelay becomes active; an active one that has
// stopped holding for OffDelay clears. Between samples the last value is
// taken to hold, because edge gateways report by exception: no new sample
// means no change worth reporting. That assumption is trusted only while the
// gateway is online and only until the point would be stale, so a delay
// never elapses on data nobody has seen: a pending or clearing phase that
// the held value could not carry to the next sample starts again there.
//
// # Decisions
//
// Both highs: HighHigh and High (and LowLow and Low) are separate conditions
// and can be active together. Each has its own level, acknowledgement and
// journal in package alarm; an operator who acknowledged High must still
// see HighHigh arrive, and must see it go when the value falls back to High.
// A display that wants only the most severe picks it from the active set.
//
// Delays: OnDelay and OffDelay apply to the four limits and to
// RateOfChange. The methane conditions ignore them: coal-mine rules require
// the alarm and the power-off at once. SensorFault, Stale and
// GatewayOffline are facts, not noisy values, and are raised at once too.
//
// Bad and uncertain quality: a bad sample raises SensorFault and leaves the
// limit conditions as they were (an unknown value neither raises nor clears
// an alarm). An uncertain sample is evaluated like a good one: a doubtful
// reading above a gas limit is still a reason to look. A value outside the
// sensor range raises SensorFault as a bad sample does.
//
// Late samples: the caller evaluates each point's samples in sample-time
// order. A sample older than the newest one already evaluated is late. It
// never changes the live state and never clears anything. It produces a
// pair of transitions (active, then cleared, both at the sample's time and
// marked Late) for a condition when all of these hold:
//
//  1. the condition is one of the four limits or the two methane ones, and
//     the sample is usable (not bad, within range) and crosses its limit;
//  2. the condition has no OnDelay (one lone old sample cannot prove that a
//     value held for a time);
//  3. the live state of the condition is normal (not pending, active or
//     clearing), so the live state really missed the excursion;
//  4. the sample is newer than the condition's last live change, so it is
//     not part of an episode the live state already reported;
//  5. no late pair was produced for the condition since that change: a
//     replayed buffer of one long excursion gives one pair, not one a sample.
//
// The pair keeps consumers simple: every activation is followed by a clear,
// and an operator is asked to acknowledge an excursion that has already
// ended. Samples newer than the last evaluated one but marked Replayed are
// evaluated normally; their transitions are marked Late too.
package rules
