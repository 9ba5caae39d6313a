package wsman_test

import (
	"context"
	"testing"

	"github.com/cimsh/cimsh/cim/model"
	"github.com/cimsh/cimsh/cim/wsman"
	"github.com/cimsh/cimsh/cim/wsmantest"
)

// TestE2EIsNullArrayWithoutSchema: Windows marks a NULL array
// IsNullArray="true" for a client that sends msftwinrm:UsePreciseArrays
// (the DMTF form does); without a class schema that mark is all that
// tells a NULL array from a NULL scalar.
func TestE2EIsNullArrayWithoutSchema(t *testing.T) {
	srv, c := newE2E(t, wsmantest.Windows, wsmantest.Options{}, wsman.Options{NoSchema: true})
	got, err := c.Get(context.Background(), &model.GetRequest{Path: &model.Reference{ClassName: "Cimsh_ValueKinds",
		Selectors: []model.Selector{{Name: "Id", Value: "all"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if v := get(t, got, "NullArray"); !v.IsNull() || !v.IsArray() {
		t.Errorf("NullArray = %v (array %v, null %v), want a NULL array", v, v.IsArray(), v.IsNull())
	}
	if v := get(t, got, "NullStr"); !v.IsNull() || v.IsArray() {
		t.Errorf("NullStr = %v (array %v), want a NULL scalar", v, v.IsArray())
	}
	if l := srv.Requests(); len(l) != 1 || l[0].Options["msftwinrm:UsePreciseArrays"] != "true" {
		t.Errorf("requests %v: one Get with UsePreciseArrays", srv.Operations())
	}
}
