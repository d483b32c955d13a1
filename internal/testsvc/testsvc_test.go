package testsvc

import (
	"net"
	"strconv"
	"testing"
)

func TestServicesStartStopStart(t *testing.T) {
	m := StartMosquitto(t)
	in := StartInflux(t)
	in.CreateDatabase(t, "probe")
	for _, port := range []int{m.Port, in.Port} {
		dialOK(t, port, true)
	}
	m.Stop()
	dialOK(t, m.Port, false)
	m.Start()
	dialOK(t, m.Port, true)
}

func dialOK(t *testing.T, port int, want bool) {
	t.Helper()
	c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err == nil {
		c.Close()
	}
	if (err == nil) != want {
		t.Fatalf("port %d: dial err=%v, want open=%v", port, err, want)
	}
}
