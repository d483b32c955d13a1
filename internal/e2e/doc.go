// Package e2e holds the end-to-end tests of the whole pipeline on real
// parts: the Modbus simulator, the edge agent, Mosquitto, the center and
// InfluxDB 1.8. It has no code of its own besides the test harness.
package e2e
