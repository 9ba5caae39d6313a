package rpc

import "time"

var timeZero time.Time
