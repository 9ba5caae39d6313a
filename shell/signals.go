package shell

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// forceExitAfter bounds how long cimsh waits for a script to stop after
// SIGINT or SIGTERM before it releases the sessions and exits itself
// (a script blocked outside Lua, e.g. in io.read).
const forceExitAfter = 2 * time.Second

// signalHandler turns SIGINT and SIGTERM into a cancelled chunk. In a
// script (or on SIGTERM) cimsh then exits 130 after releasing open
// enumerations; in the REPL SIGINT only cancels the running line.
type signalHandler struct {
	in    *interp
	ch    chan os.Signal
	done  chan struct{}
	fired atomic.Bool // a signal ends the process
	repl  atomic.Bool // SIGINT cancels the line only
}

func startSignals(in *interp) *signalHandler {
	h := &signalHandler{in: in, ch: make(chan os.Signal, 4), done: make(chan struct{})}
	signal.Notify(h.ch, syscall.SIGINT, syscall.SIGTERM)
	go h.loop()
	return h
}

func (h *signalHandler) loop() {
	for {
		select {
		case <-h.done:
			return
		case sig := <-h.ch:
			if sig == syscall.SIGINT && h.repl.Load() {
				h.in.mod.Interrupt()
				continue
			}
			h.fired.Store(true)
			if !h.in.mod.Running() {
				// Idle (the REPL waiting for a line): nothing to cancel.
				h.in.mod.CloseAll()
				if r := h.in.lineReader(); r != nil {
					r.Close() // restores the terminal mode
				}
				h.in.env.exit(ExitInterrupted)
				continue
			}
			h.in.mod.Interrupt()
			go func() {
				select {
				case <-h.done:
				case <-time.After(forceExitAfter):
					h.in.mod.CloseAll()
					h.in.env.exit(ExitInterrupted)
				}
			}()
		}
	}
}

func (h *signalHandler) stop() {
	signal.Stop(h.ch)
	close(h.done)
}
