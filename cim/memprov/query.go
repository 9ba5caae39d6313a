package memprov

import (
	"context"

	"github.com/cimsh/cimsh/cim/model"
)

// query runs a WQL query.
func (p *Provider) query(ctx context.Context, n *namespace, req *model.EnumerateRequest) ([]*model.Instance, error) {
	return nil, model.NewFault(model.CIMNotSupported, "memprov: WQL queries are not wired yet")
}
