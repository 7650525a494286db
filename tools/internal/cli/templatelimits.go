package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"gitops/tools/internal/stacks"
)

// checkTemplateLimits holds the synthesized templates of stacks to
// CloudFormation's limits. Validate refuses an estate whose plan exceeds
// them, so a finding here is a gap between the planner's counts and the
// synth: compile stops rather than write a template AWS would refuse. It
// runs on fresh templates before they enter the cache, so a cached
// template was checked once and is not parsed again.
func checkTemplateLimits(todo []*stacks.Stack, templates map[string][]byte) error {
	var problems []string
	for _, s := range todo {
		data := templates[s.ID]
		var t map[string]json.RawMessage
		if err := json.Unmarshal(data, &t); err != nil {
			problems = append(problems, fmt.Sprintf("stack %s: the template is not a JSON object: %v", s.ID, err))
			continue
		}
		over := func(what string, n, limit int) {
			if n > limit {
				problems = append(problems, fmt.Sprintf("stack %s: %d %s, over CloudFormation's %d", s.ID, n, what, limit))
			}
		}
		over("resources", entries(t["Resources"]), stacks.MaxResources)
		over("parameters", entries(t["Parameters"]), stacks.MaxParameters)
		over("outputs", entries(t["Outputs"]), stacks.MaxOutputs)
		over("template bytes", len(data), stacks.MaxTemplateBytes)
	}
	if len(problems) > 0 {
		return fmt.Errorf("templates over CloudFormation's limits (validate should have refused the estate; please report it):\n\t%s", strings.Join(problems, "\n\t"))
	}
	return nil
}

// entries counts the keys of a template section (0 when absent).
func entries(section json.RawMessage) int {
	var m map[string]json.RawMessage
	if json.Unmarshal(section, &m) != nil {
		return 0
	}
	return len(m)
}

// withOrigins adds to a worker's error, for each stack it names, where the
// estate declares what fills that stack, so a CDK refusal points at a file.
func withOrigins(plan *stacks.Plan, err error) error {
	msg := err.Error()
	var origins []string
	for _, s := range plan.Stacks {
		if s.Origin.File != "" && strings.Contains(msg, "stack "+s.ID+":") {
			origins = append(origins, fmt.Sprintf("%s:%d:%d: stack %s comes from here", s.Origin.File, s.Origin.Line, s.Origin.Col, s.ID))
		}
	}
	if len(origins) == 0 {
		return err
	}
	return fmt.Errorf("%w\n%s", err, strings.Join(origins, "\n"))
}
