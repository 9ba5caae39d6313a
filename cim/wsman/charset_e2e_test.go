package wsman_test

import (
	"regexp"
	"strings"
	"testing"

	"context"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
	"golang.org/x/text/encoding/charmap"
)

// TestE2EWindows1252Reply: over real HTTP, a reply in Windows-1252 (its
// XML declaration says so) decodes 0x80-0x9F as the letters and
// punctuation they are in that code page, not as C1 controls; a reply
// in an encoding the client does not read fails naming it.
func TestE2EWindows1252Reply(t *testing.T) {
	dialects(t, func(t *testing.T, d wsmantest.Dialect) {
		ctx := context.Background()
		srv, c := newE2E(t, d, wsmantest.Options{}, wsman.Options{NoSchema: true})
		winrm := &model.GetRequest{Path: &model.Reference{ClassName: "Win32_Service", Selectors: []model.Selector{{Name: "Name", Value: "WinRM"}}}}
		const text = "“Smart” quotes — 5 € … Šž Ÿ"
		desc := regexp.MustCompile(`(<[\w-]+:Description>)[^<]*(</)`)
		recode := func(label string) func(*wsmantest.LoggedRequest, *wsmantest.Reply) {
			return func(_ *wsmantest.LoggedRequest, r *wsmantest.Reply) {
				body := desc.ReplaceAll(r.Body, []byte("${1}"+text+"${2}"))
				enc, err := charmap.Windows1252.NewEncoder().Bytes(body)
				if err != nil {
					t.Errorf("encoding: %v", err)
					return
				}
				r.Body = append([]byte(`<?xml version="1.0" encoding="`+label+`"?>`), enc...)
				r.Header.Set("Content-Type", "application/soap+xml;charset="+label)
			}
		}
		srv.RewriteReplies(wsmantest.MatchOperation("Get"), 1, recode("windows-1252"))
		inst, err := c.Get(ctx, winrm)
		if err != nil {
			t.Fatal(err)
		}
		if got := get(t, inst, "Description").Text(); got != text {
			t.Errorf("Description = %q, want %q", got, text)
		}
		srv.RewriteReplies(wsmantest.MatchOperation("Get"), 1, recode("x-mac-roman"))
		_, err = c.Get(ctx, winrm)
		f, ok := model.AsFault(err)
		if !ok || f.Category != model.CategoryProtocol || !strings.Contains(err.Error(), `"x-mac-roman"`) {
			t.Errorf("unsupported encoding: %v", err)
		}
	})
}
