package provision

import (
	"bytes"
	"fmt"
)

// ACL returns a Mosquitto ACL file: each gateway user may publish on its
// own telemetry and status topics only (its last will is its status
// topic) and may read nothing; the center user may read every gateway's
// telemetry and status and may publish nothing.
//
// Mosquitto denies whatever no line allows, so a gateway that publishes
// under another gateway's topic has its message dropped by the broker.
func ACL(centerUser string, gateways []Gateway) []byte {
	var b bytes.Buffer
	b.WriteString("# Mosquitto ACL written by hw-provision; re-run it instead of editing.\n")
	b.WriteString("# Anything not allowed below is denied.\n\n")
	b.WriteString("# The center reads every gateway's telemetry and status.\n")
	fmt.Fprintf(&b, "user %s\n", centerUser)
	b.WriteString("topic read hw/v1/+/+/telemetry\n")
	b.WriteString("topic read hw/v1/+/+/status\n")
	for _, g := range gateways {
		fmt.Fprintf(&b, "\nuser %s\n", g.Username())
		fmt.Fprintf(&b, "topic write %s\n", g.Topic("telemetry"))
		fmt.Fprintf(&b, "topic write %s\n", g.Topic("status"))
	}
	return b.Bytes()
}
