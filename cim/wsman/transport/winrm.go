package transport

import (
	"context"
	"errors"
	"fmt"

	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// Transporter returns this client as a masterzen/winrm Transporter, so
// that its shell (CreateShell, Run) uses this client's connections and
// authentication: set it with Parameters.TransportDecorator. Requests go
// out with context.Background(); see TransporterContext.
func (c *Client) Transporter() winrm.Transporter {
	return &winrmAdapter{c: c, ctx: context.Background()}
}

// TransporterContext is Transporter with requests bound to ctx.
func (c *Client) TransporterContext(ctx context.Context) winrm.Transporter {
	return &winrmAdapter{c: c, ctx: ctx}
}

type winrmAdapter struct {
	c   *Client
	ctx context.Context
}

// Transport is a no-op: the endpoint comes from the Client's Config.
func (a *winrmAdapter) Transport(*winrm.Endpoint) error { return nil }

// Post sends a shell message. Shell operations create, feed and signal
// processes and Receive consumes their output, so none is sent twice
// (EffectChange). A non-200 reply becomes an error
// holding the body, as masterzen's own transports do: its Receive loop
// looks for "OperationTimeout" in the error text.
func (a *winrmAdapter) Post(_ *winrm.Client, msg *soap.SoapMessage) (string, error) {
	body, err := a.c.Post(a.ctx, []byte(msg.String()), wsman.EffectChange)
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) {
			return "", fmt.Errorf("transport: http error %d: %s: %w", he.StatusCode, wsman.CapServerText(string(he.Body)), err)
		}
		return "", err
	}
	return string(body), nil
}
