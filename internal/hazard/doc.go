// Package hazard keeps the hazard ledger (隐患台账): records born from
// alarms, inspections and enterprise self-reports, graded general or
// major, routed to the responsible unit, rectified by a deadline, verified
// by re-inspection and closed. Overdue records escalate, first to a
// reminder, then to supervision.
//
// Every change is one transaction that also appends a row to the record's
// history, so a record is never changed without a trace; the history is
// never updated or deleted. docs/hazard-ledger.md describes the lifecycle,
// the role matrix, the policy and the tables.
package hazard
