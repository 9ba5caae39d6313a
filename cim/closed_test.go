package cim

import (
	"context"
	"errors"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
)

// Operations on closed sessions, run in parallel as fan-out runs them:
// each gets an error of its own naming its own computer (errors are never
// shared values that a caller writing into would race on or mislabel),
// and errors.Is still knows it.
func TestClosedSessionErrorsAreTheirOwn(t *testing.T) {
	var sessions []*Session
	for _, host := range []string{"host-a", "host-b"} {
		s, err := NewSessionWithProvider(Config{ComputerName: host}, fixture(t))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		sessions = append(sessions, s)
	}
	ops := map[string]func(ctx context.Context, s *Session) error{
		"GetInstances": func(ctx context.Context, s *Session) error {
			_, err := s.GetInstances(ctx, InstanceQuery{ClassName: "Test_Item"})
			return err
		},
		"GetClass": func(ctx context.Context, s *Session) error {
			_, err := s.GetClass(ctx, "root/cimv2", "Test_Item")
			return err
		},
		"Subscribe": func(ctx context.Context, s *Session) error {
			_, err := s.Subscribe(ctx, model.SubscribeRequest{Query: thingCreation})
			return err
		},
	}
	for name, op := range ops {
		errs := Each(context.Background(), sessions, 2, func(ctx context.Context, s *Session) error {
			err := op(ctx, s)
			// What a fan-out caller does with the error it got: name the
			// computer when the error does not.
			if f, ok := model.AsFault(err); ok && f.ComputerName == "" {
				f.ComputerName = s.ComputerName()
			}
			return err
		})
		for i, s := range sessions {
			f, ok := model.AsFault(errs[i])
			if !ok || !errors.Is(errs[i], ErrSessionClosed) {
				t.Fatalf("%s on closed %s: %v", name, s.ComputerName(), errs[i])
			}
			if f.ComputerName != s.ComputerName() {
				t.Errorf("%s on closed %s: the error names %q: %v", name, s.ComputerName(), f.ComputerName, errs[i])
			}
		}
		if errs[0] == errs[1] {
			t.Errorf("%s: both sessions got the same error value", name)
		}
	}
}
