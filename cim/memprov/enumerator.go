package memprov

import (
	"context"
	"errors"
	"fmt"

	"github.com/cimsh/cimsh/cim/model"
)

// sliceEnum is the Enumerator over a result computed up front.
type sliceEnum struct {
	items  []*model.Instance
	next   int
	cur    *model.Instance
	err    error
	closed bool
}

func (e *sliceEnum) Next(ctx context.Context) bool {
	e.cur = nil
	if e.closed || e.err != nil || e.next >= len(e.items) {
		return false
	}
	if err := ctxFault(ctx); err != nil {
		e.err = err
		return false
	}
	e.cur = e.items[e.next]
	e.items[e.next] = nil // the caller owns it now
	e.next++
	return true
}

func (e *sliceEnum) Instance() *model.Instance { return e.cur }
func (e *sliceEnum) Err() error                { return e.err }

func (e *sliceEnum) Close() error {
	e.closed = true
	e.items = nil
	e.cur = nil
	return nil
}

// ctxFault returns a canceled or timeout fault when ctx is done.
func ctxFault(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	return ctxErrFault(err)
}

// ctxErrFault wraps a context error in a canceled or timeout fault.
func ctxErrFault(err error) *model.Fault {
	cat := model.CategoryCanceled
	if errors.Is(err, context.DeadlineExceeded) {
		cat = model.CategoryTimeout
	}
	return &model.Fault{Category: cat, CIMMessage: "memprov: " + err.Error(), Err: err}
}

// wrapErr turns an error from a class function into a fault, keeping a
// fault as it is so providers can report any CIM status.
func wrapErr(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if _, ok := model.AsFault(err); ok {
		return err
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		f := ctxErrFault(err)
		f.CIMMessage = fmt.Sprintf(format, args...) + ": " + err.Error()
		return f
	}
	f := model.NewFault(model.CIMFailed, format, args...)
	f.CIMMessage += ": " + err.Error()
	f.Err = err
	return f
}
