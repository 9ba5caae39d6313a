package cim

import (
	"context"
	"sync"
)

// DefaultThrottleLimit is how many sessions an operation on a list of
// sessions runs at once when the caller sets no limit, as PowerShell's
// -ThrottleLimit default.
const DefaultThrottleLimit = 32

// Each runs fn once for every session, at most throttle at a time, and
// returns the error of each session at its index. A cancelled ctx stops
// sessions that have not started.
func Each(ctx context.Context, sessions []*Session, throttle int, fn func(ctx context.Context, s *Session) error) []error {
	if throttle <= 0 {
		throttle = DefaultThrottleLimit
	}
	errs := make([]error, len(sessions))
	sem := make(chan struct{}, throttle)
	var wg sync.WaitGroup
	for i, s := range sessions {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			for j := i; j < len(sessions); j++ {
				errs[j] = ctx.Err()
			}
			wg.Wait()
			return errs
		}
		wg.Add(1)
		go func(i int, s *Session) {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = fn(ctx, s)
		}(i, s)
	}
	wg.Wait()
	return errs
}
