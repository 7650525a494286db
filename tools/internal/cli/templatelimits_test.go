package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
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
	todo := []*stacks.Stack{{StackHeader: stacks.StackHeader{ID: "a/eu-west-1/s"}}}
	if err := checkTemplateLimits(todo, map[string][]byte{"a/eu-west-1/s": template(stacks.MaxResources)}); err != nil {
		t.Errorf("%d resources: %v", stacks.MaxResources, err)
	}
	err := checkTemplateLimits(todo, map[string][]byte{"a/eu-west-1/s": template(stacks.MaxResources + 1)})
	if err == nil || !strings.Contains(err.Error(), "stack a/eu-west-1/s: 501 resources") {
		t.Errorf("%d resources: %v", stacks.MaxResources+1, err)
	}
}

func TestWorkerErrorsNameTheEstateFile(t *testing.T) {
	plan := &stacks.Plan{Stacks: []*stacks.Stack{
		{StackHeader: stacks.StackHeader{ID: "a/eu-west-1/network-x"}, Origin: estate.Pos{File: "environments/a/network.yaml", Line: 5, Col: 11}},
		{StackHeader: stacks.StackHeader{ID: "a/eu-west-1/other"}, Origin: estate.Pos{File: "accounts/a.yaml", Line: 2, Col: 7}},
	}}
	err := withOrigins(plan, errors.New("gitops-synth: stack a/eu-west-1/network-x: the CDK refused it: boom"))
	want := "environments/a/network.yaml:5:11: stack a/eu-west-1/network-x comes from here"
	if !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "accounts/a.yaml") {
		t.Errorf("got %q, want it to add %q only", err, want)
	}
}
