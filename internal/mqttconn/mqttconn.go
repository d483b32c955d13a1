// Package mqttconn turns the MQTT settings that the center and the edge
// agent share into paho client options: broker URL, persistent session,
// credentials, TLS, keep-alive and reconnect backoff.
package mqttconn

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/hazardwatch/hazardwatch/internal/secret"
)

// Config is one MQTT connection.
type Config struct {
	// Broker is the broker's URL: tcp://host:port, or ssl://host:port for
	// TLS.
	Broker string `yaml:"broker"`
	// ClientID names the persistent session at the broker. The broker
	// queues QoS 1 messages for this id while the client is away, so it
	// must stay the same across restarts.
	ClientID string        `yaml:"client_id"`
	Username string        `yaml:"username"`
	Password secret.String `yaml:"password"`
	// TLS files, used with an ssl:// broker.
	TLS TLSConfig `yaml:"tls"`
	// KeepAlive is the MQTT keep-alive interval.
	KeepAlive time.Duration `yaml:"keep_alive"`
	// ConnectTimeout bounds one connection attempt.
	ConnectTimeout time.Duration `yaml:"connect_timeout"`
	// MaxReconnectInterval caps the backoff between reconnect attempts.
	MaxReconnectInterval time.Duration `yaml:"max_reconnect_interval"`
}

// TLSConfig points to the PEM files of a TLS connection to the broker.
type TLSConfig struct {
	// CAFile verifies the broker's certificate; empty uses the system's.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are the client's certificate, if the broker
	// asks for one.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName overrides the name checked in the broker's certificate.
	ServerName string `yaml:"server_name"`
}

// Defaults returns the settings for a broker on this machine, with the
// given client id.
func Defaults(clientID string) Config {
	return Config{
		Broker:               "tcp://127.0.0.1:1883",
		ClientID:             clientID,
		KeepAlive:            30 * time.Second,
		ConnectTimeout:       10 * time.Second,
		MaxReconnectInterval: 30 * time.Second,
	}
}

// Validate checks the settings; key is the config key they sit under, so
// the error names it (for example "mqtt.broker").
func (c Config) Validate(key string) error {
	u, err := url.Parse(c.Broker)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%s.broker: %q is not a URL such as tcp://host:1883", key, c.Broker)
	}
	switch u.Scheme {
	case "tcp", "mqtt", "ssl", "tls", "mqtts":
	default:
		return fmt.Errorf("%s.broker: scheme %q, want tcp or ssl", key, u.Scheme)
	}
	switch {
	case c.ClientID == "":
		return fmt.Errorf("%s.client_id: empty; the persistent session needs a fixed id", key)
	case len(c.ClientID) > 128:
		return fmt.Errorf("%s.client_id: longer than 128 characters", key)
	case c.KeepAlive < time.Second:
		return fmt.Errorf("%s.keep_alive: %v, want at least 1s", key, c.KeepAlive)
	case c.ConnectTimeout <= 0:
		return fmt.Errorf("%s.connect_timeout: must be positive", key)
	case c.MaxReconnectInterval < time.Second:
		return fmt.Errorf("%s.max_reconnect_interval: %v, want at least 1s", key, c.MaxReconnectInterval)
	case (c.TLS.CertFile == "") != (c.TLS.KeyFile == ""):
		return fmt.Errorf("%s.tls: cert_file and key_file go together", key)
	}
	return nil
}

// Options returns paho options for a persistent session (clean session
// off) with automatic reconnection and manual acknowledgement off; the
// caller adds handlers and the will.
func (c Config) Options() (*mqtt.ClientOptions, error) {
	o := mqtt.NewClientOptions().
		AddBroker(c.Broker).
		SetClientID(c.ClientID).
		SetCleanSession(false).
		SetKeepAlive(c.KeepAlive).
		SetPingTimeout(10 * time.Second).
		SetConnectTimeout(c.ConnectTimeout).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(c.MaxReconnectInterval).
		SetWriteTimeout(10 * time.Second).
		SetReconnectingHandler(func(mqtt.Client, *mqtt.ClientOptions) {
			// paho's backoff has no jitter; without it, hundreds of
			// gateways would reconnect in step after a broker restart.
			time.Sleep(c.jitter())
		})
	if c.Username != "" {
		o.SetUsername(c.Username)
		o.SetPassword(c.Password.Reveal())
	}
	if c.TLS != (TLSConfig{}) {
		tc, err := c.TLS.load()
		if err != nil {
			return nil, err
		}
		o.SetTLSConfig(tc)
	}
	return o, nil
}

// jitter is a random wait before a reconnect attempt: up to a quarter of
// the longest backoff, at most 5 s.
func (c Config) jitter() time.Duration {
	limit := min(c.MaxReconnectInterval/4, 5*time.Second)
	if limit <= 0 {
		return 0
	}
	return rand.N(limit)
}

func (t TLSConfig) load() (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read mqtt ca_file: %w", err)
		}
		tc.RootCAs = x509.NewCertPool()
		if !tc.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt ca_file %q: no PEM certificate in it", t.CAFile)
		}
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load mqtt client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	return tc, nil
}

// ErrTimeout is returned when the broker did not answer in time.
var ErrTimeout = errors.New("mqtt: no answer from the broker in time")

// Wait waits for a paho token up to d and returns its error.
func Wait(tok mqtt.Token, d time.Duration) error {
	if !tok.WaitTimeout(d) {
		return ErrTimeout
	}
	return tok.Error()
}
