// Package wire is the HazardWatch MQTT contract, version 1: the topics an
// edge gateway publishes on, the JSON payloads it sends there and the checks
// a receiver applies to them. The edge agent encodes with it and the center
// decodes with it, so the two can never disagree about the format.
//
// The contract is written out for third parties in docs/wire-contract.md.
package wire
