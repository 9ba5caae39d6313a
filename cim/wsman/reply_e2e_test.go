package wsman_test

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

var (
	reRelatesTo = regexp.MustCompile(`(<(?:[\w-]+:)?RelatesTo>)[^<]*(</)`)
	reAction    = regexp.MustCompile(`(<(?:[\w-]+:)?Action>)[^<]*(</)`)
)

// wantMismatch checks err is a protocol fault about the reply's header.
func wantMismatch(t *testing.T, err error, what string) {
	t.Helper()
	f, ok := model.AsFault(err)
	var me *wsman.ReplyMismatchError
	if !ok || f.Category != model.CategoryProtocol || !errors.As(err, &me) || me.What != what || !strings.Contains(err.Error(), what) {
		t.Fatalf("got %v, want a protocol fault about the reply's %s", err, what)
	}
}

// TestE2ERepliesAreChecked: over real HTTP, a reply whose RelatesTo names
// another message, or whose Action answers another operation, fails the
// operation instead of being taken as the answer.
func TestE2ERepliesAreChecked(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		srv, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{NoSchema: true})
		winrm := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}}
		spooler := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "Spooler"}}}}

		// A stale reply: the answer to the first Get replayed for the
		// second one (another instance) is refused.
		var mu sync.Mutex
		var first []byte
		srv.RewriteReplies(wsmantest.MatchOperation("Get"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			mu.Lock()
			first = append([]byte(nil), r.Body...)
			mu.Unlock()
		})
		if inst, err := c.Get(ctx, winrm); err != nil || get(t, inst, "Name").Text() != "WinRM" {
			t.Fatalf("Get: %v %v", inst, err)
		}
		srv.RewriteReplies(wsmantest.MatchOperation("Get"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			mu.Lock()
			r.Body = first
			mu.Unlock()
		})
		inst, err := c.Get(ctx, spooler)
		if inst != nil {
			t.Errorf("the stale reply was taken: %s", inst.Path())
		}
		wantMismatch(t, err, "RelatesTo")

		// No RelatesTo at all.
		srv.RewriteReplies(wsmantest.MatchOperation("Get"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			r.Body = reRelatesTo.ReplaceAll(r.Body, nil)
		})
		_, err = c.Get(ctx, spooler)
		wantMismatch(t, err, "RelatesTo")

		// The right RelatesTo, the Action of another operation.
		srv.RewriteReplies(wsmantest.MatchOperation("Get"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			r.Body = reAction.ReplaceAll(r.Body, []byte("${1}"+wsman.ActionDelete+"Response${2}"))
		})
		_, err = c.Get(ctx, spooler)
		wantMismatch(t, err, "Action")

		// An EnumerateResponse relabelled as a PullResponse.
		srv.RewriteReplies(wsmantest.MatchOperation("Enumerate"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			r.Body = bytes.Replace(r.Body, []byte("/EnumerateResponse<"), []byte("/PullResponse<"), 1)
		})
		_, err = c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_Service"})
		wantMismatch(t, err, "Action")

		// An Invoke answer relabelled as another method's.
		srv.RewriteReplies(wsmantest.MatchOperation("Invoke"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			r.Body = bytes.Replace(r.Body, []byte("/StopService"), []byte("/StartService"), 1)
		})
		_, err = c.Invoke(ctx, &model.InvokeRequest{Target: spooler.Path, Method: "StopService"})
		wantMismatch(t, err, "Action")

		// The dialect's own answers pass: OMI repeats the request's Action
		// on Invoke, Windows appends Response; Identify has no headers.
		srv.ResetLog()
		var action string
		srv.RewriteReplies(wsmantest.MatchOperation("Invoke"), 1, func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
			action = string(reAction.Find(r.Body))
		})
		if _, err := c.Invoke(ctx, &model.InvokeRequest{Target: spooler.Path, Method: "StartService"}); err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		if echo := !strings.Contains(action, "StartServiceResponse"); echo != (d == wsmantest.OMI) {
			t.Errorf("%s dialect answered Invoke with %s", d, action)
		}
		if _, err := c.Identify(ctx); err != nil {
			t.Fatalf("Identify: %v", err)
		}
		if _, err := c.Get(ctx, winrm); err != nil {
			t.Fatalf("Get after the bad replies: %v", err)
		}
		if n := srv.Counters().Enumerations; n != 0 {
			t.Errorf("%d enumerations left open", n)
		}
	})
}
