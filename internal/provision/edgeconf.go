package provision

import (
	"bytes"
	"strconv"
	"text/template"
)

// edgeTemplate is the edge config skeleton of one gateway, in the style
// of configs/edge.yaml. It has no devices: the integrator adds the site's
// register map, and hw-edge -check refuses the file until then.
var edgeTemplate = template.Must(template.New("edge").Parse(
	`# hw-edge config skeleton for gateway {{.RawID}} of enterprise {{.RawEnterprise}},
# written by hw-provision. It holds the gateway's broker password: keep it
# readable by the edge agent only (0600). configs/edge.yaml documents every
# key. Add the site's devices at the end; hw-edge -check -config FILE says
# what is missing.

log:
  level: info
  format: text

gateway:
  enterprise: {{.Enterprise}}
  id: {{.ID}}

mqtt:
  broker: {{.Broker}}
  # client_id defaults to hw-edge-<enterprise>-<id>.
  username: {{.Username}}
  password: {{.Password}}
  tls:
    ca_file: {{.CAFile}}   # the broker's CA (deploy/README.md)
    # server_name: broker.example.org  # if it differs from the URL's host
  keep_alive: 30s
  connect_timeout: 10s
  max_reconnect_interval: 30s

buffer:
  # systemd's StateDirectory of deploy/systemd/hw-edge.service.
  dir: /var/lib/hw-edge/buffer
  max_bytes: 0              # sized for max_age at the devices' rates
  max_age: 720h             # 30 days
  sync: interval
  sync_interval: 1s

publish:
  inflight: 64
  replay_rate: 500
  ack_timeout: 30s

http:
  listen: 127.0.0.1:9101

# devices: the site's Modbus devices and their points, as in
# configs/edge.yaml. Point ids must match the center's registry.
`))

type edgeValues struct {
	RawEnterprise, RawID                               string
	Enterprise, ID, Broker, Username, Password, CAFile string
}

// EdgeConfig returns the edge config skeleton of gateway g. Every value
// is quoted as a YAML string, so no id or password can break the file.
func EdgeConfig(g Gateway, broker, caFile, password string) []byte {
	q := strconv.Quote
	var b bytes.Buffer
	// The template is fixed and its values are strings: it cannot fail.
	_ = edgeTemplate.Execute(&b, edgeValues{
		RawEnterprise: g.Enterprise, RawID: g.ID,
		Enterprise: q(g.Enterprise), ID: q(g.ID), Broker: q(broker),
		Username: q(g.Username()), Password: q(password), CAFile: q(caFile),
	})
	return b.Bytes()
}
