package wsman

import (
	"errors"
	"reflect"
)

// httpReply extracts a non-200 reply from a transport error: a
// *HTTPError, or any error type in the chain with the same exported
// fields (StatusCode int, Body []byte, optionally ContentType string),
// so that a transport package need not import this one to report one.
func httpReply(err error) (he *HTTPError, ok bool) {
	if errors.As(err, &he) {
		return he, true
	}
	var found *HTTPError
	walkErrors(err, func(e error) bool {
		v := reflect.ValueOf(e)
		if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
			return false
		}
		s := v.Elem()
		sc, body := s.FieldByName("StatusCode"), s.FieldByName("Body")
		if !sc.IsValid() || sc.Kind() != reflect.Int || !body.IsValid() || body.Type() != reflect.TypeOf([]byte(nil)) {
			return false
		}
		found = &HTTPError{StatusCode: int(sc.Int()), Body: body.Bytes()}
		if ct := s.FieldByName("ContentType"); ct.IsValid() && ct.Kind() == reflect.String {
			found.ContentType = ct.String()
		}
		if inner := s.FieldByName("Err"); inner.IsValid() && inner.Type() == reflect.TypeOf((*error)(nil)).Elem() && !inner.IsNil() {
			found.Err, _ = inner.Interface().(error)
		}
		return true
	})
	return found, found != nil
}

// walkErrors visits err and its wrapped errors until f returns true.
func walkErrors(err error, f func(error) bool) bool {
	for depth := 0; err != nil && depth < 32; depth++ {
		if f(err) {
			return true
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if walkErrors(e, f) {
					return true
				}
			}
			return false
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		default:
			return false
		}
	}
	return false
}
