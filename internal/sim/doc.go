// Package sim is a Modbus TCP server whose registers follow a scenario: a
// YAML file that places signals (tank levels, gas detectors, status bits) at
// addresses and gives each a waveform in time, with events such as a gas leak
// laid on top. The demo runs it in place of a PLC, and end-to-end tests ask
// the scenario what a signal should read at a given time to check what the
// edge agent reported.
//
// Every register is computed from the clock at request time, so two reads
// of a server a second apart see the waveform move; tests freeze the clock
// with WithClock. The scenario keys are described in docs/simulator.md and
// in the commented example configs/sim-tankfarm.yaml.
package sim
