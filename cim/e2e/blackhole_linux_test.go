//go:build linux

package e2e

import (
	"context"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// A host that never answers the connect costs the connect timeout, not
// the operation timeout, and does not hold up the other sessions of a
// fan-out.
func TestEachConnectTimeout(t *testing.T) {
	live := basicServer(t, wsmantest.Windows, wsmantest.Options{})
	hole := wsmantest.BlackholePort(t)
	const connectTimeout = time.Second
	mk := func(port int) *cim.Session {
		return open(t, cim.Config{ComputerName: "127.0.0.1", Port: port, Authentication: cim.AuthBasic,
			Credential: cim.NewCredential(basicUser, basicPassword), ConnectTimeout: connectTimeout,
			Option: cim.SessionOption{NoEncryption: true}})
	}
	sessions := []*cim.Session{mk(hole), mk(live.Port())}
	var holeDone time.Time
	start := time.Now()
	errs := cim.Each(testCtx(t), sessions, 0, func(ctx context.Context, s *cim.Session) error {
		_, err := s.Test(ctx)
		if s.Port() == hole {
			holeDone = time.Now()
		}
		return err
	})
	took := time.Since(start)
	t.Logf("black hole: %v after %v", errs[0], took)
	// The connect timeout ends it, not testCtx's 20 s (the operation's
	// deadline); the margin is for a loaded machine.
	if took < connectTimeout/2 || took > connectTimeout+5*time.Second {
		t.Errorf("the fan-out took %v with a %v connect timeout", took, connectTimeout)
	}
	f := mustFault(t, "a host that never answers", errs[0])
	if f.Category != model.CategoryTimeout && f.Category != model.CategoryUnreachable {
		t.Errorf("black hole: category %s: %v", f.Category, errs[0])
	}
	if errs[1] != nil {
		t.Errorf("live host: %v", errs[1])
	}
	// The live host did not wait for the dead one: its request reached
	// its server while the dead host's connect was still hanging.
	reqs := live.Requests()
	if len(reqs) == 0 {
		t.Fatal("the live host's server saw no request")
	}
	if !reqs[0].Time.Before(holeDone) {
		t.Errorf("the live host waited for the dead one: its request arrived at %v, the black hole gave up at %v",
			reqs[0].Time.Sub(start), holeDone.Sub(start))
	}
}
