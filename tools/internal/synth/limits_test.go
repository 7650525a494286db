package synth

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"gitops/tools/internal/stacks"
)

// TestResourceCounts checks the planner's resource counts, which validate
// holds against CloudFormation's limits, against the synthesized templates:
// exact for the kinds that grow with the estate, an upper bound for the
// others.
func TestResourceCounts(t *testing.T) {
	p, templates := fixtureTemplates(t)
	exact := map[stacks.Kind]bool{stacks.KindNetwork: true, stacks.KindTransitGateway: true, stacks.KindTGWRouting: true}
	for _, s := range p.Stacks {
		var tmpl struct {
			Resources  map[string]json.RawMessage
			Parameters map[string]json.RawMessage
			Outputs    map[string]json.RawMessage
		}
		if err := json.Unmarshal(templates[s.Template], &tmpl); err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
		got, planned := len(tmpl.Resources), s.Resources()
		if exact[s.Kind] && got != planned || got > planned {
			t.Errorf("%s: %d resources, the plan counts %d", s.ID, got, planned)
		}
		if len(tmpl.Parameters) != len(s.Parameters) || len(tmpl.Outputs) != len(s.Outputs) {
			t.Errorf("%s: %d parameters and %d outputs, the plan has %d and %d", s.ID, len(tmpl.Parameters), len(tmpl.Outputs), len(s.Parameters), len(s.Outputs))
		}
	}
}

// TestOversizedStackIsAnError: the CDK refuses a stack over 500 resources
// with a panic out of jsii; Templates returns it as an error naming the
// stack (validate refuses such an estate first; this is the last guard).
func TestOversizedStackIsAnError(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH; the CDK needs it")
	}
	table := stacks.RouteTableSpec{Name: "t", ID: "T", TableParam: "TableId"}
	for i := range stacks.MaxResources + 1 {
		table.Routes = append(table.Routes, stacks.TGWRouteSpec{Destination: fmt.Sprintf("10.%d.%d.0/24", i/256, i%256), Blackhole: true})
	}
	s := &stacks.Stack{StackHeader: stacks.StackHeader{ID: "tooling/eu-west-1/too-big", Name: "gitops-too-big", Kind: stacks.KindTGWRouting,
		AccountID: "111111111111", Region: "eu-west-1", Template: "tooling/eu-west-1/too-big.template.json",
		Parameters: []stacks.Parameter{{Name: "TableId", Type: "String", Source: stacks.Source{Literal: "x"}}}},
		Routing: &stacks.RoutingSpec{TransitGateway: "hub", RouteTables: []stacks.RouteTableSpec{table}}}
	_, err := Templates([]*stacks.Stack{s}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "stack tooling/eu-west-1/too-big") || !strings.Contains(err.Error(), "500") {
		t.Fatalf("want an error naming the stack and the limit, got %v", err)
	}
}
