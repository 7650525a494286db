package synth

import (
	"encoding/json"
	"testing"

	"gitops/tools/internal/stacks"
)

// TestResourceCounts checks the planner's resource counts, which validate
// holds against CloudFormation's limits, against the synthesized templates:
// exact for the kinds that grow with the estate, an upper bound for the
// others.
func TestResourceCounts(t *testing.T) {
	p, templates := fixtureTemplates(t)
	exact := map[stacks.Kind]bool{stacks.KindNetwork: true, stacks.KindTransitGateway: true, stacks.KindTGWAttachments: true, stacks.KindTGWRouting: true}
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
