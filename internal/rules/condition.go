package rules

import (
	"fmt"
	"strconv"

	"github.com/hazardwatch/hazardwatch/internal/wire"
)

// Condition is what a point can be alarmed for.
type Condition uint8

// Conditions of a point. The zero value is not a condition.
const (
	HighHigh Condition = iota + 1
	High
	Low
	LowLow
	RateOfChange
	Stale
	SensorFault
	GatewayOffline
	// MethaneAlarm is active from the methane alarm value until the value
	// falls below the restore value.
	MethaneAlarm
	// MethanePowerOff is active from the methane power-off value until the
	// value falls below the restore value; the site cuts power meanwhile.
	MethanePowerOff

	numConditions = iota + 1
)

var conditionNames = [numConditions]string{
	HighHigh:        "high_high",
	High:            "high",
	Low:             "low",
	LowLow:          "low_low",
	RateOfChange:    "rate_of_change",
	Stale:           "stale",
	SensorFault:     "sensor_fault",
	GatewayOffline:  "gateway_offline",
	MethaneAlarm:    "methane_alarm",
	MethanePowerOff: "methane_power_off",
}

// String returns the snake_case name of c, as stored and shown in the API.
func (c Condition) String() string {
	if c.valid() {
		return conditionNames[c]
	}
	return "condition(" + strconv.Itoa(int(c)) + ")"
}

func (c Condition) valid() bool { return c >= HighHigh && c < numConditions }

// ParseCondition maps a name returned by String to its Condition.
func ParseCondition(s string) (Condition, error) {
	for c := HighHigh; c < numConditions; c++ {
		if conditionNames[c] == s {
			return c, nil
		}
	}
	return 0, fmt.Errorf("unknown condition %q", s)
}

// MarshalText implements encoding.TextMarshaler.
func (c Condition) MarshalText() ([]byte, error) {
	if !c.valid() {
		return nil, fmt.Errorf("unknown condition %d", c)
	}
	return []byte(conditionNames[c]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Condition) UnmarshalText(b []byte) error {
	v, err := ParseCondition(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Level is an alarm level as GB/T 50493-2019 names them: level 1 asks for
// attention, level 2 is the more severe and usually starts the emergency
// response.
type Level uint8

// Levels of an alarm.
const (
	Level1 Level = 1
	Level2 Level = 2
)

// String returns "level 1" or "level 2".
func (l Level) String() string { return "level " + strconv.Itoa(int(l)) }

func (l Level) valid() bool { return l == Level1 || l == Level2 }

// Quality tells how far a sample can be trusted: the wire contract's
// qualities, so that readings need no conversion.
type Quality = wire.Quality

// Qualities of a sample.
const (
	Good      = wire.Good
	Uncertain = wire.Uncertain
	Bad       = wire.Bad
)
