// Package monitor is the center's alarm service. It observes what ingest
// accepts (it implements ingest.Observer), runs each registered point's
// readings through its rules.Evaluator, drives one ISA-18.2 alarm.Alarm
// per point and condition, and for every alarm event:
//
//   - appends it to the SQL journal (alarm_journal) and upserts the
//     alarm's state (alarm_state), in one transaction;
//   - publishes it to the live hub (kind "alarm");
//   - queues it for InfluxDB as an annotation (AnnotationMeasurement);
//   - for activations, level changes and clears, signals the hazard
//     ledger, which opens or updates records by its policy.
//
// Operators act on alarms through Handler (acknowledge, shelve, unshelve,
// remove from and return to service); each action is journalled with its
// actor and comment before it is answered.
//
// # Keys
//
// An alarm's key is "<enterprise>/<point>" and its condition, so keys are
// unique across enterprises (point ids are unique only within one). A
// gateway's one alarm is "<enterprise>/gateway:<id>" with the condition
// gateway_offline. The ledger gets the same globally unique point, since
// it keys its open records by point and condition alone.
//
// # Gateways
//
// A gateway is offline when its last will (or a clean "offline" status)
// arrives, or when it has sent no telemetry for Config.OfflineAfter; any
// telemetry or an "online" status clears it. While it is offline the
// evaluators of its points are told so (rules.Evaluator.SetGatewayOnline),
// so they raise no Stale on top, and their own gateway_offline
// transitions are dropped: one alarm per gateway, not one per point. The
// alarm is level 2 (see GatewayLevel). A point's gateway is its configured
// one, else the one that last sent it, else the enterprise's only listed
// gateway. Gateways listed in the registry are watched from the start, so
// one that never reports after a restart is found offline too.
//
// # Restart
//
// New reads every alarm_state row back (alarm.Restore) and resumes active
// conditions in the new evaluators (rules.Evaluator.Resume): an alarm
// active before the restart stays in its episode, is not announced again,
// and clears when the value is back. Active alarms also seed the KPI
// tracker, so stale alarms are counted across a restart; the activation
// rate and chatter start from zero.
//
// # Registry changes
//
// The registry snapshot is checked on every call. A point whose rule
// configuration changed gets a new evaluator that resumes its active
// alarms; an active alarm whose condition the point no longer has clears.
// A removed point is no longer evaluated, and its alarms stay as they are
// for the operators to acknowledge or take out of service.
//
// # Failures
//
// A journal transaction that fails on behalf of ingest or the tick loop
// is logged and counted (hw_monitor_journal_errors_total); the alarm goes
// on in memory and its state row is written with its next event. An
// operator action whose transaction fails is undone and answered 500.
// InfluxDB annotations go through a bounded queue that drops the oldest
// when full (hw_monitor_annotations_dropped_total): the SQL journal is the
// record. Ledger calls run outside the monitor's lock and are retried by
// the next re-send (every Config.LedgerResend) while the alarm is active.
//
// # Partitions
//
// A center that shares the enterprises with other instances builds the
// monitor with Deps.Partitioned: it then owns no enterprise until
// AdoptEnterprises, which reads the enterprises' alarm_state rows and
// resumes their active alarms as a restart does, and forgets them again
// with DropEnterprises. Readings, ticks, gateway watch and ledger
// re-sends cover the owned enterprises only. Deps.Fence makes every
// journal transaction check that the partitions it writes for are still
// this instance's (see internal/cluster), so a stale owner cannot commit
// after the next owner read the state.
//
// Not yet: the HTTP views and operator actions see only the alarms of
// the instance's own partitions; an operator must reach the instance
// that owns the enterprise (docs/scale-out.md).
package monitor
