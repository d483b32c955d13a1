// Package alarm keeps the ISA-18.2 lifecycle of alarms: one Alarm per
// (point, condition), driven by the transitions of package rules and by
// operators, and journalled as Events. It does no I/O and reads no clock;
// every operation takes the time it happens at.
//
// # States
//
//	Normal   --activate-->   Unacked  --acknowledge-->  Acked
//	Unacked  --clear-->      RTNUnack --acknowledge-->  Normal
//	Acked    --clear-->      Normal
//	RTNUnack --activate-->   Unacked (the same episode)
//	any      --shelve-->     Shelved        --unshelve, expiry--> see below
//	any      --remove-->     OutOfService   --return to service--> see below
//
// # Episodes
//
// An episode is one excursion from Normal back to Normal. It begins when
// the condition becomes active while no episode is open, and it ends when
// the alarm is Normal again, that is cleared and acknowledged, in either
// order. An alarm that returns to normal and becomes active again before
// anyone acknowledged it stays in the same episode and is Unacked again:
// ISA-18.2 keeps an unacknowledged alarm unacknowledged, and one episode
// keeps the operator from seeing one flapping condition as many.
//
// # Suppression
//
// Shelved and OutOfService alarms still follow their condition (Active,
// Level, Value) but annunciate nothing and cannot be acknowledged or
// escalated. They journal activated, cleared and level_changed events with
// From and To both the suppression state, so the audit trail shows what
// the process did meanwhile; KPI does not count them. While suppressed, an
// episode ends when the condition clears, since nobody is asked to
// acknowledge it. Leaving suppression (unshelve, shelve expiry, return to
// service) goes to Normal when the condition is clear, or to Unacked when
// it is active, continuing the open episode: as ISA-18.2 has it, the alarm
// comes back as if new and must be acknowledged.
//
// # Late events
//
// Package rules reports an excursion that it saw only in replayed or
// out-of-order data as an activation and a clear, both marked late. They
// go through the same lifecycle, so an operator is asked to acknowledge
// the missed excursion, and the journal keeps the Late mark.
package alarm
