package wsman_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestE2EResponseNamespaces: instances come back in the class URI's XML
// namespace, which Windows takes from the request (the WMI or the DMTF
// form) and OMI always writes in the DMTF form (PROTOCOL.md). Each
// combination decodes, typed by the schema, in both enumerations and
// Gets.
func TestE2EResponseNamespaces(t *testing.T) {
	const wmiNS, dmtfNS = `"http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_LogicalDisk"`, `"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/Win32_LogicalDisk"`
	for _, tc := range []struct {
		name   string
		d      wsmantest.Dialect
		form   wsman.URIForm
		wantNS string
	}{
		{"windows-wmi", wsmantest.Windows, wsman.FormWMI, wmiNS},
		{"windows-dmtf", wsmantest.Windows, wsman.FormDMTF, dmtfNS},
		{"omi-wmi", wsmantest.OMI, wsman.FormWMI, dmtfNS},
		{"omi-dmtf", wsmantest.OMI, wsman.FormDMTF, dmtfNS},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, c := newE2E(t, tc.d, wsmantest.Options{}, wsman.Options{URIForm: tc.form})
			var mu sync.Mutex
			var sent []string
			srv.RewriteReplies(func(l *wsmantest.LoggedRequest) bool { return strings.HasSuffix(l.ResourceURI, "/Win32_LogicalDisk") }, -1,
				func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
					mu.Lock()
					defer mu.Unlock()
					for _, ns := range []string{wmiNS, dmtfNS} {
						if bytes.Contains(r.Body, []byte(`xmlns:p=`+ns)) {
							sent = append(sent, ns)
						}
					}
				})
			ctx := context.Background()
			disks := all(t)(c.Enumerate(ctx, &model.EnumerateRequest{ClassName: "Win32_LogicalDisk"}))
			if len(disks) != 2 || get(t, disks[0], "Size").Type() != model.TypeUint64 {
				t.Fatalf("disks: %v", disks)
			}
			one, err := c.Get(ctx, &model.GetRequest{Path: disks[0].Path()})
			if err != nil || get(t, one, "Size").Type() != model.TypeUint64 || !one.Equal(disks[0]) {
				t.Fatalf("Get of %v: %v, %v", disks[0].Path(), one, err)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(sent) != 2 || sent[0] != tc.wantNS || sent[1] != tc.wantNS {
				t.Errorf("the server wrote the instances in %v, want %s", sent, tc.wantNS)
			}
		})
	}
}
