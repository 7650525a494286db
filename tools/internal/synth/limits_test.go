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

// TestPolicySizes holds every IAM policy of the fixture's and its
// variant's templates, resolved as IAM stores it (JSON without white
// space), against IAM's limits: a role's inline policies 10,240 characters
// in all and its trust policy 2,048; a user's inline policies 2,048; a
// managed policy 6,144; at most ten managed policies per role.
func TestPolicySizes(t *testing.T) {
	for _, set := range synthesizedSets(t) {
		for _, s := range set.plan.Stacks {
			r := &resolver{stack: s, names: map[string]string{}}
			size := func(doc any) int {
				out, err := json.Marshal(r.resolve(doc))
				if err != nil {
					t.Fatal(err)
				}
				return len(out)
			}
			inline := func(props map[string]any) int {
				n := 0
				pols, _ := props["Policies"].([]any)
				for _, p := range pols {
					n += size(p.(map[string]any)["PolicyDocument"])
				}
				return n
			}
			check := func(id, what string, n, limit int) {
				if n > limit {
					t.Errorf("%s %s: %s of %d characters; IAM allows %d", s.ID, id, what, n, limit)
				}
			}
			execPolicies := 0
			for id, res := range parse(t, set.templates[s.Template]).Resources {
				if res.Type == "AWS::IAM::ManagedPolicy" && strings.HasPrefix(id, "ExecutionPolicy") {
					execPolicies++
				}
				switch res.Type {
				case "AWS::IAM::Role":
					if d := s.DeployRole; d != nil && d.Publish != nil && res.Properties["RoleName"] == d.Publish.Name {
						// validate holds the same trust against the limit.
						if got, want := size(res.Properties["AssumeRolePolicyDocument"]), stacks.TrustPolicySize(d.Publish.Trusted); got != want {
							t.Errorf("%s %s: trust policy of %d characters, stacks.TrustPolicySize says %d", s.ID, id, got, want)
						}
					}
					check(id, "inline policies", inline(res.Properties), 10240)
					check(id, "trust policy", size(res.Properties["AssumeRolePolicyDocument"]), 2048)
					managed, _ := res.Properties["ManagedPolicyArns"].([]any)
					check(id, "managed policies (count)", len(managed), stacks.MaxRolePolicies)
				case "AWS::IAM::User":
					check(id, "inline policies", inline(res.Properties), 2048)
				case "AWS::IAM::ManagedPolicy":
					check(id, "managed policy", size(res.Properties["PolicyDocument"]), 6144)
				}
			}
			// validate holds this estimate against the limit.
			if s.DeployRole != nil {
				if est := stacks.ExecutionPolicies(s.DeployRole, s.AccountID); est < execPolicies {
					t.Errorf("%s: %d execution policies, stacks.ExecutionPolicies estimates %d", s.ID, execPolicies, est)
				} else {
					t.Logf("%s: %d execution policies, estimated %d", s.ID, execPolicies, est)
				}
			}
		}
	}
}

// resolve replaces the intrinsics of a policy document by their values.
func (r *resolver) resolve(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range []string{"Ref", "Fn::Join", "Fn::GetAtt", "Fn::Sub"} {
			if _, ok := v[k]; ok && len(v) == 1 {
				return r.str(v)
			}
		}
		out := map[string]any{}
		for k, x := range v {
			out[k] = r.resolve(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.resolve(x)
		}
		return out
	}
	return v
}
