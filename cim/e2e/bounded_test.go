package e2e

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cimsh/cimsh/cim"
	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// Servers that never end an enumeration, or never progress, or send more
// than asked: collect-all queries stop with a clear error, streaming
// stays within bounded memory, slow but progressing enumerations finish.

// A server that never sends EndOfSequence: GetInstances stops at
// MaxInstances with an error naming the limit, and releases the context;
// streaming goes on past it.
func TestMaxInstancesOnEndlessServer(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{EndlessEnumerations: true, MaxBatch: 50})
		s := basicSession(t, srv)
		ctx := longCtx(t)
		q := cim.InstanceQuery{ClassName: "Win32_Service", MaxInstances: 500}
		got, err := s.GetInstances(ctx, q)
		f := mustFault(t, "a query of a server that never ends it", err)
		t.Logf("endless: %v", err)
		if got != nil || !errors.Is(err, cim.ErrMaxInstances) || f.Category != model.CategoryQuota ||
			!strings.Contains(err.Error(), "500") || !strings.Contains(err.Error(), "max_instances") {
			t.Fatalf("%d instances, %v; want none and an error naming max_instances 500", len(got), err)
		}
		if n := srv.Counters().Enumerations; n != 0 {
			t.Errorf("%d contexts left open", n)
		}
		if n := count(srv, "Release"); n != 1 {
			t.Errorf("%d Releases, want 1: %v", n, srv.Operations())
		}

		// Associations are collected under the same bound.
		_, err = s.GetAssociatedInstances(ctx, cim.AssociatedQuery{Input: ref("Win32_Service", "root/cimv2", "Name", "RpcSs"),
			Association: "Win32_DependentService", MaxInstances: 20})
		if !errors.Is(err, cim.ErrMaxInstances) {
			t.Fatalf("endless association: %v", err)
		}

		// Streaming has no limit.
		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for n < 1000 && en.Next(ctx) {
			n++
		}
		if n != 1000 || en.Err() != nil {
			t.Fatalf("streamed %d, %v", n, en.Err())
		}
		en.Close()
	})
}

// A server that answers every Pull with an empty batch under the same
// context: the enumeration fails once the operation timeout has passed
// without an instance, collecting or streaming.
func TestEmptyBatchesFail(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{EmptyBatches: true, MaxBatch: 2})
		cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true})
		cfg.OperationTimeout = time.Second
		s := open(t, cfg)
		ctx := testCtx(t)
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
		f := mustFault(t, "a query of a server that sends empty batches", err)
		t.Logf("empty batches: %v (%d Pulls)", err, count(srv, "Pull"))
		if got != nil || f.Category != model.CategoryTimeout || !strings.Contains(err.Error(), "empty batches") {
			t.Fatalf("%d instances, %v", len(got), err)
		}
		if n := srv.Counters().Enumerations; n != 0 {
			t.Errorf("%d contexts left open", n)
		}

		en, err := s.Enumerate(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for en.Next(ctx) {
			n++
		}
		if n != 2 || !strings.Contains(en.Err().Error(), "empty batches") {
			t.Fatalf("streaming: %d instances then %v", n, en.Err())
		}
	})
}

// operation_timeout_sec bounds the wait for one response: an enumeration
// slower than it as a whole, but progressing, finishes.
func TestSlowProgressingEnumerationFinishes(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{Latency: 250 * time.Millisecond, MaxBatch: 1})
		cfg := config(srv, cim.AuthBasic, cim.NewCredential(basicUser, basicPassword), cim.SessionOption{NoEncryption: true})
		cfg.OperationTimeout = time.Second
		s := open(t, cfg)
		ctx := testCtx(t)
		start := time.Now()
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service"})
		if err != nil || len(got) != 8 {
			t.Fatalf("%d services, %v", len(got), err)
		}
		took := time.Since(start)
		if took < cfg.OperationTimeout {
			t.Fatalf("the enumeration took %v, less than the operation timeout: the test proves nothing", took)
		}
		t.Logf("8 services, one a response, in %v with a %v operation timeout", took, cfg.OperationTimeout)
	})
}

// A reply holding more items than the MaxElements asked for breaks the
// protocol: the query fails (it does not return what the server forged)
// and the context is released.
func TestReplyWithTooManyItems(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		srv := basicServer(t, d, wsmantest.Options{ExtraItems: 1, MaxBatch: 2})
		s := basicSession(t, srv)
		ctx := testCtx(t)
		got, err := s.GetInstances(ctx, cim.InstanceQuery{ClassName: "Win32_Service", BatchSize: 2})
		f := mustFault(t, "a reply with more items than asked", err)
		t.Logf("too many items: %v", err)
		if got != nil || f.Category != model.CategoryProtocol || !strings.Contains(err.Error(), "MaxElements") {
			t.Fatalf("%d instances, %v", len(got), err)
		}
		if n := srv.Counters().Enumerations; n != 0 {
			t.Errorf("%d contexts left open", n)
		}
	})
}
