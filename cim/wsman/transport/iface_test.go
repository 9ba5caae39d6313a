package transport

import "github.com/cimsh/cimsh/cim/wsman"

// Client implements the WS-Man client's transport interface.
var _ wsman.Transport = (*Client)(nil)
