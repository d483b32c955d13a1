// Package cluster lets several center instances share the enterprises.
//
// Enterprises fall into a fixed number of partitions (Of: FNV-1a of the
// enterprise code, modulo the partition count). An instance owns a
// partition while it holds its lease, a row of partition_leases in
// PostgreSQL. Every lease statement is one conditional write that takes
// the time from the database (now()), so clocks of the instances may
// disagree without two of them holding a partition at once:
//
//   - acquire: INSERT ... ON CONFLICT DO UPDATE ... WHERE the lease has
//     expired, which bumps the lease's epoch;
//   - renew: UPDATE ... WHERE owner and epoch are still ours;
//   - release: the same, setting the lease expired.
//
// Instances announce themselves in center_instances; with k live
// instances each aims at ceil(N/k) partitions, and one above its share
// gives one partition back per round, so partitions move gradually when
// an instance joins.
//
// The Manager runs the rounds and tells a Handler when a partition is
// acquired or lost; the center starts and stops that partition's MQTT
// session and alarm state there. Fence lets a transaction commit only
// while the lease it depends on is still held at the same epoch.
package cluster
