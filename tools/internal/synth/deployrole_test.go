package synth

import (
	"fmt"
	"slices"
	"testing"
)

// TestPackStatements: statements larger than a managed policy are split by
// actions, then by resources, and every document fits, with every action
// and resource of the input kept under its effect and condition.
func TestPackStatements(t *testing.T) {
	b := &builder{}
	var actions []string
	for i := range 900 {
		actions = append(actions, fmt.Sprintf("service:Action%04d", i))
	}
	var resources []any
	for i := range 300 {
		resources = append(resources, fmt.Sprintf("arn:aws:iam::111111111111:role/stack-%04d-*", i))
	}
	cond := map[string]any{"StringEquals": map[string]any{"iam:PermissionsBoundary": "boundary"}}
	in := []map[string]any{
		withSid("Many", statement("Allow", actions, "*")),
		withSid("Small", statement("Deny", []string{"iam:*"}, "arn:aws:iam::111111111111:role/self")),
		withSid("Wide", withCondition(statement("Allow", []string{"iam:CreateRole", "iam:PutRolePolicy"}, resources...), cond)),
	}
	docs := packStatements(in, b.policySize)
	if len(docs) < 3 {
		t.Fatalf("%d documents for statements of %d characters", len(docs), b.policySize(in))
	}
	seen := map[string]bool{}
	sids := map[string]bool{}
	for i, doc := range docs {
		if n := b.policySize(doc); n > maxManagedPolicySize {
			t.Errorf("document %d: %d characters", i, n)
		}
		for _, s := range doc {
			sid := s["Sid"].(string)
			if sids[sid] {
				t.Errorf("Sid %s twice", sid)
			}
			sids[sid] = true
			var acts []string
			switch a := s["Action"].(type) {
			case []string:
				acts = a
			case []any:
				for _, x := range a {
					acts = append(acts, x.(string))
				}
			}
			res := s["Resource"]
			if list, ok := res.([]any); ok {
				for _, r := range list {
					for _, a := range acts {
						seen[fmt.Sprint(s["Effect"], a, r, s["Condition"] != nil)] = true
					}
				}
			} else {
				for _, a := range acts {
					seen[fmt.Sprint(s["Effect"], a, res, s["Condition"] != nil)] = true
				}
			}
		}
	}
	want := map[string]bool{}
	for _, a := range actions {
		want[fmt.Sprint("Allow", a, "*", false)] = true
	}
	want[fmt.Sprint("Deny", "iam:*", "arn:aws:iam::111111111111:role/self", false)] = true
	for _, r := range resources {
		for _, a := range []string{"iam:CreateRole", "iam:PutRolePolicy"} {
			want[fmt.Sprint("Allow", a, r, true)] = true
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%d grants after packing, want %d", len(seen), len(want))
	}
	for k := range want {
		if !seen[k] {
			t.Errorf("lost %s", k)
		}
	}
	if !slices.Equal(in[0]["Action"].([]string), actions) {
		t.Error("packing changed its input")
	}
}
