package wire

import (
	"fmt"
	"strings"
)

// Version is the contract version carried in topics and payloads.
const Version = 1

// Prefix is the first two topic levels of every v1 topic.
const Prefix = "hw/v1"

// Topic kinds, the last level of a topic.
const (
	KindTelemetry = "telemetry"
	KindStatus    = "status"
)

// TelemetryFilter subscribes to the telemetry of every gateway.
const TelemetryFilter = Prefix + "/+/+/" + KindTelemetry

// StatusFilter subscribes to the status of every gateway.
const StatusFilter = Prefix + "/+/+/" + KindStatus

// MaxIDLen is the longest enterprise, gateway or point id.
const MaxIDLen = 64

// TelemetryTopic is where gateway gw of enterprise ent publishes readings.
func TelemetryTopic(ent, gw string) string {
	return Prefix + "/" + ent + "/" + gw + "/" + KindTelemetry
}

// StatusTopic is where gateway gw of enterprise ent publishes its retained
// birth message and where the broker publishes its last will.
func StatusTopic(ent, gw string) string {
	return Prefix + "/" + ent + "/" + gw + "/" + KindStatus
}

// Topic is a parsed v1 topic.
type Topic struct {
	Enterprise string
	Gateway    string
	Kind       string
}

// ParseTopic splits a v1 topic into its parts and checks each of them.
func ParseTopic(topic string) (Topic, error) {
	parts := strings.Split(topic, "/")
	if len(parts) != 5 || parts[0]+"/"+parts[1] != Prefix {
		return Topic{}, fmt.Errorf("topic %q: want %s/{enterprise}/{gateway}/{kind}", topic, Prefix)
	}
	t := Topic{Enterprise: parts[2], Gateway: parts[3], Kind: parts[4]}
	if err := CheckID(t.Enterprise); err != nil {
		return Topic{}, fmt.Errorf("topic %q: enterprise: %w", topic, err)
	}
	if err := CheckID(t.Gateway); err != nil {
		return Topic{}, fmt.Errorf("topic %q: gateway: %w", topic, err)
	}
	if t.Kind != KindTelemetry && t.Kind != KindStatus {
		return Topic{}, fmt.Errorf("topic %q: unknown kind %q", topic, t.Kind)
	}
	return t, nil
}

// CheckID reports whether s is a valid enterprise, gateway or point id:
// 1 to 64 characters of ASCII letters, digits, '.', '_' and '-', starting
// with a letter or digit. Such ids are safe as MQTT topic levels, InfluxDB
// tag values and file names alike.
func CheckID(s string) error {
	if s == "" {
		return fmt.Errorf("empty id")
	}
	if len(s) > MaxIDLen {
		return fmt.Errorf("id %.16q... longer than %d characters", s, MaxIDLen)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return fmt.Errorf("id %q: character %q at %d not allowed", s, c, i)
		}
	}
	return nil
}
