package stacks_test

// An external test: validate imports stacks (to check the plan's limits),
// so only a test outside package stacks may import validate.

import (
	"strings"
	"testing"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
	"gitops/tools/internal/validate"
)

func managedSpec(mod func(g *estate.GitLab)) *stacks.GitLabSpec {
	g := estate.GitLab{
		Name: "main", Database: estate.GitLabDatabase{Type: "embedded"}, SMTP: estate.GitLabSMTP{Type: "none"},
		ALB: estate.GitLabALB{Domain: "gitlab.example.com"},
	}
	mod(&g)
	return &stacks.GitLabSpec{GitLab: g, VPCCIDR: "10.0.0.0/16"}
}

// Every setting gitops writes must be one validate refuses in gitlabRb:
// otherwise a user's value would silently replace it (the user's keys are
// written last).
func TestOmnibusKeysAreManaged(t *testing.T) {
	spec := managedSpec(func(g *estate.GitLab) {
		g.Database.Type = "aurora"
		g.SMTP = estate.GitLabSMTP{Type: "ses", Domain: "example.com", FromAddress: "git@example.com"}
	})
	for _, line := range strings.Split(strings.TrimSpace(stacks.OmnibusConfig(spec, "eu-west-1", "lb", "db")), "\n") {
		key, _, _ := strings.Cut(line, " ")
		if !validate.ManagedGitLabRbKey(key) {
			t.Errorf("gitops writes %s, but validate lets gitlabRb set it", key)
		}
	}
}
