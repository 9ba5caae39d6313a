package dcom_test

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim/dcom"
	"github.com/cimsh/cimsh/cim/dcom/rpc"
	"github.com/cimsh/cimsh/cim/model"
)

func contains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }

// oneLine returns "" for an error that reads as one line without
// package prefixes, else why not.
func oneLine(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "\n"):
		return "more than one line"
	case strings.Contains(msg, "rpc: "), strings.Contains(msg, "wmi: "), strings.Contains(msg, "dcom: "), strings.Contains(msg, "orpc: "):
		return "a package prefix"
	}
	return ""
}

// TestUnreachable: a refused endpoint mapper, an endpoint mapper that
// never answers, and a WMI port that a firewall blocks while the
// endpoint mapper answers each give one line saying which.
func TestUnreachable(t *testing.T) {
	c := ctx(t)
	ref := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}}

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	p, _ := dcom.New(dcom.Config{Host: "127.0.0.1", Port: port, User: user, Password: password})
	_, err := p.Get(c, ref)
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryUnreachable || oneLine(err) != "" ||
		!contains(err, "connect to 127.0.0.1:") || !contains(err, "connection refused: no DCOM endpoint mapper answers there") {
		t.Fatalf("refused endpoint mapper: %v", err)
	}

	// A black hole: accepts, never answers.
	hole, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer hole.Close()
	go func() {
		for {
			conn, err := hole.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	p, _ = dcom.New(dcom.Config{Host: "127.0.0.1", Port: hole.Addr().(*net.TCPAddr).Port, User: user, Password: password, ConnectTimeout: 300 * time.Millisecond})
	_, err = p.Get(c, ref)
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryTimeout || oneLine(err) != "" ||
		!contains(err, "connect to "+hole.Addr().String()+": no answer within 300ms: timed out") {
		t.Fatalf("silent endpoint mapper: %v", err)
	}

	s := start(t)
	s.StopExporter()
	p = provider(t, s, rpc.LevelPrivacy)
	_, err = p.Get(c, ref)
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryUnreachable || oneLine(err) != "" ||
		!contains(err, "connect to "+s.ExporterAddr()) || !contains(err, "the endpoint mapper answered, but not WMI's own port") {
		t.Fatalf("blocked object exporter: %v", err)
	}
}

// TestRPCFault: a DCE/RPC fault PDU reads as one line with its status
// and name, in the category protocol; the connection survives it.
func TestRPCFault(t *testing.T) {
	s := start(t)
	p := provider(t, s, rpc.LevelPrivacy)
	c := ctx(t)
	ref := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}}
	if _, err := p.Get(c, ref); err != nil {
		t.Fatal(err)
	}
	s.FailNextCall(rpc.StatusOpRange)
	_, err := p.Get(c, ref)
	if f, ok := model.AsFault(err); !ok || f.Category != model.CategoryProtocol || oneLine(err) != "" ||
		!contains(err, "DCE/RPC fault 0x1c010002: operation number out of range (nca_s_op_rng_error)") {
		t.Fatalf("fault: %v", err)
	}
	s.FailNextCall(0x000006f7)
	_, err = p.Get(c, ref)
	if !contains(err, "DCE/RPC fault 0x000006f7: the stub received bad data") {
		t.Fatalf("fault: %v", err)
	}
	if _, err := p.Get(c, ref); err != nil {
		t.Fatalf("after the faults: %v", err)
	}
}
