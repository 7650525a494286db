package cli

import (
	"fmt"
	"strings"
	"testing"

	"gitops/tools/internal/stacks"
)

func TestCheckTemplateLimits(t *testing.T) {
	template := func(resources int) []byte {
		var b strings.Builder
		b.WriteString(`{"Resources": {`)
		for i := range resources {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `"R%d": {"Type": "AWS::SNS::Topic"}`, i)
		}
		b.WriteString("}}")
		return []byte(b.String())
	}
	plan := &stacks.Plan{Stacks: []*stacks.Stack{{StackHeader: stacks.StackHeader{ID: "a/eu-west-1/s"}}}}
	if err := checkTemplateLimits(plan, map[string][]byte{"a/eu-west-1/s": template(stacks.MaxResources)}); err != nil {
		t.Errorf("%d resources: %v", stacks.MaxResources, err)
	}
	err := checkTemplateLimits(plan, map[string][]byte{"a/eu-west-1/s": template(stacks.MaxResources + 1)})
	if err == nil || !strings.Contains(err.Error(), "stack a/eu-west-1/s: 501 resources") {
		t.Errorf("%d resources: %v", stacks.MaxResources+1, err)
	}
}
