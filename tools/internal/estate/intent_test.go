package estate

import (
	"slices"
	"testing"
)

func TestGroupVPCs(t *testing.T) {
	e := &Estate{
		Accounts: []*Account{
			{Name: "tooling", Role: "tooling", Tags: map[string]string{"env": "tooling"}},
			{Name: "dev", Role: "workload", Tags: map[string]string{"env": "dev"}},
			{Name: "prod", Role: "workload", Tags: map[string]string{"env": "prod", "tier": "1"}},
		},
		Networks: []*Network{
			{Account: "tooling", Region: "eu-west-1", VPCs: []VPC{{Name: "gitlab", CIDR: "10.10.0.0/16"}, {Name: "desktop", CIDR: "10.11.0.0/16"}}},
			{Account: "dev", Region: "eu-west-1", VPCs: []VPC{{Name: "dev-app", CIDR: "10.21.0.0/16"}}},
			{Account: "prod", Region: "eu-west-1", VPCs: []VPC{{Name: "prod-app", CIDR: "10.23.0.0/16"}}},
			{Account: "prod", Region: "us-east-1", VPCs: []VPC{{Name: "prod-us", CIDR: "10.50.0.0/16"}}},
		},
		GitLabs: []*GitLab{{Name: "gitlab", Region: "eu-west-1", ALB: GitLabALB{AllowedCIDRs: []string{"192.168.0.0/16", "10.21.0.0/16"}}}},
	}
	tgw := &TransitGateway{Name: "hub", Region: "eu-west-1", Intents: Intents{
		Groups: []IntentGroup{
			{Name: "workloads", Role: "workload"},
			{Name: "prod-tier1", Role: "workload", Tags: map[string]string{"env": "prod", "tier": "1"}},
			{Name: "mixed", VPCs: []string{"desktop", "dev-app"}, Accounts: []string{"dev"}},
			{Name: "nobody", Accounts: []string{"dev"}, Role: "tooling"},
		},
		Allow: []IntentRule{{From: []string{"workloads", "desktop"}, To: []string{"gitlab"}}},
	}}
	e.TransitGateways = []*TransitGateway{tgw}
	ix := NewIndex(e)
	names := func(g string) []string {
		var out []string
		for _, ref := range GroupVPCs(e, ix, tgw, tgw.Group(g)) {
			out = append(out, ref.VPC.Name)
		}
		return out
	}
	for g, want := range map[string][]string{
		// Only the gateway's region; selectors combine with and; named VPCs
		// add to them; each VPC once.
		"workloads":  {"dev-app", "prod-app"},
		"prod-tier1": {"prod-app"},
		"mixed":      {"desktop", "dev-app"},
		"nobody":     nil,
	} {
		if got := names(g); !slices.Equal(got, want) {
			t.Errorf("group %s: %v, want %v", g, got, want)
		}
	}
	// "gitlab" in to is the service (its load balancer), which wins over
	// the VPC; its ingress keeps the declared CIDRs first.
	if IntentGitLab(ix, tgw, "gitlab") != e.GitLabs[0] || IntentGitLab(ix, &TransitGateway{Region: "us-east-1"}, "gitlab") != nil {
		t.Error("IntentGitLab: the service in the gateway's region only")
	}
	got := GitLabIngress(e, ix, e.GitLabs[0])
	if want := []string{"192.168.0.0/16", "10.21.0.0/16", "10.11.0.0/16", "10.23.0.0/16"}; !slices.Equal(got, want) {
		t.Errorf("GitLabIngress %v, want %v", got, want)
	}
}
