package wsman

// SetAheadPages bounds the pages c's enumerations hold ahead of their
// consumer, for tests outside the package.
func SetAheadPages(c *Client, n int) { c.aheadPages = n }
