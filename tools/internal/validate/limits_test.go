package validate

import (
	"fmt"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/stacks"
)

// toolingQuotas is the tooling account of the base estate with raised (or,
// to keep fixtures small, lowered) quotas in eu-west-1.
func toolingQuotas(quotas string) map[string]string {
	return map[string]string{"accounts/tooling.yaml": baseEstate["accounts/tooling.yaml"] + "quotas:\n  - {region: eu-west-1, " + quotas + "}\n"}
}

// join lays several rows' files over each other.
func join(sets ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}

// extraVPCs lists extra VPCs for the tooling network, after build.
func extraVPCs(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("  - name: extra" + string(rune('a'+i)) + "\n    cidr: 10." + string(rune('0'+2+i)) + "0.0.0/16\n    azCount: 2\n    subnets:\n      - {name: private, type: private, prefix: 24}\n    egress: {type: none}\n")
	}
	return b.String()
}

const (
	tgw2File = "environments/tooling/tgw2.yaml"
	orgARN   = "arn:aws:organizations::111111111111:organization/o-abc123"
)

// secondGateway is a second gateway of the tooling account beside tgw():
// it attaches the same VPCs but routes only 172.16.0.0/16, so neither
// gives a VPC the other's routes.
func secondGateway(edits ...string) map[string]string { return nthGateway(2, edits...) }

// nthGateway is gateway hub<n> in tgw<n>.yaml, attaching build and app
// like tgw() but routing only 172.<14+n>.0.0/16 to build.
func nthGateway(n int, edits ...string) map[string]string {
	return map[string]string{fmt.Sprintf("environments/tooling/tgw%d.yaml", n): edited(tgwYAML, append([]string{"name: hub\n", fmt.Sprintf("name: hub%d\n", n),
		"asn: 64512", fmt.Sprint("asn: ", 64510+n), "    propagations: [build, app]\n", "",
		"{destination: 10.99.0.0/16, blackhole: true}", fmt.Sprintf("{destination: 172.%d.0.0/16, attachment: build}", 14+n)}, edits...)...)}
}

// gateways lays tgw() and hub2 … hub<n> over each other; hub2 … route
// nothing (two would give build's summary, 172.16.0.0/12, twice).
func gateways(n int) map[string]string {
	out := tgw()
	for i := 2; i <= n; i++ {
		out = join(out, nthGateway(i, "    routes:\n", "", fmt.Sprintf("      - {destination: 172.%d.0.0/16, attachment: build}\n", 14+i), ""))
	}
	return out
}

// withAccounts adds n workload accounts w01 … (without VPCs) to files.
func withAccounts(n int, files map[string]string) map[string]string {
	out := join(files)
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("w%02d", i)
		out["accounts/"+name+".yaml"] = fmt.Sprintf("kind: Account\nname: %s\nid: \"%012d\"\nemail: %s@example.com\nrole: workload\nregions: [eu-west-1]\n", name, 400000000000+i, name)
	}
	return out
}

// accountList is ", w01, w02 …" up to n.
func accountList(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, ", w%02d", i)
	}
	return b.String()
}

// withDev adds the dev account (without VPCs) to files.
func withDev(files map[string]string) map[string]string {
	return join(files, map[string]string{"accounts/dev.yaml": devAccount})
}

func TestLimitRules(t *testing.T) {
	mirrorName := func(n int) string { return "name: " + strings.Repeat("m", n) + "\n" }
	runRuleCases(t, []ruleCase{
		// IAM names: gitops-mirror-<name> has 14 characters more than the name.
		{rule: "limit-name-length", at: mirrorFile + ":2", bad: mirrorEdit("name: webapp\n", mirrorName(51)), good: mirrorEdit("name: webapp\n", mirrorName(50))},
		// gitops-pipeline-<name>: 16 more.
		{rule: "limit-name-length", at: pipelineFile + ":2", bad: pipelineEdit("name: webapp\n", "name: "+strings.Repeat("p", 49)+"\n"),
			good: pipelineEdit("name: webapp\n", "name: "+strings.Repeat("p", 48)+"\n")},

		// VPCs per region: build plus four is five, the default quota.
		{rule: "quota-vpcs-per-region", at: toolingNetwork + ":41", bad: network("    flowLogs: {trafficType: ALL, retentionDays: 365}\n", "    flowLogs: {trafficType: ALL, retentionDays: 365}\n"+extraVPCs(5)),
			good: network("    flowLogs: {trafficType: ALL, retentionDays: 365}\n", "    flowLogs: {trafficType: ALL, retentionDays: 365}\n"+extraVPCs(4))},
		{rule: "quota-vpcs-per-region", at: toolingNetwork + ":41",
			bad:  join(toolingQuotas("vpcsPerRegion: 5"), network("    flowLogs: {trafficType: ALL, retentionDays: 365}\n", "    flowLogs: {trafficType: ALL, retentionDays: 365}\n"+extraVPCs(5))),
			good: join(toolingQuotas("vpcsPerRegion: 6"), network("    flowLogs: {trafficType: ALL, retentionDays: 365}\n", "    flowLogs: {trafficType: ALL, retentionDays: 365}\n"+extraVPCs(5)))},
		{rule: "quota-interface-endpoints", at: toolingNetwork + ":14", bad: join(toolingQuotas("interfaceEndpointsPerVpc: 2"), network()),
			good: join(toolingQuotas("interfaceEndpointsPerVpc: 3"), network())},

		// The gateway: two attachments; two propagations and a route.
		{rule: "quota-tgw-attachments", at: at(11), bad: join(toolingQuotas("attachmentsPerTransitGateway: 1"), tgw()),
			good: join(toolingQuotas("attachmentsPerTransitGateway: 2"), tgw())},
		{rule: "quota-tgw-routes", at: at(14), bad: join(toolingQuotas("routesPerTransitGateway: 2"), tgw()),
			good: join(toolingQuotas("routesPerTransitGateway: 3"), tgw())},
		// build's private route tables: local, default (NAT), one summary
		// towards the gateway.
		{rule: "quota-vpc-route-table-routes", at: "environments/tooling/network.yaml:6", bad: join(toolingQuotas("routesPerRouteTable: 2"), tgw()),
			good: join(toolingQuotas("routesPerRouteTable: 3"), tgw())},

		// gitops-tgw-<gateway>-<table>-routes-10-99 against CloudFormation's
		// 128 characters: 137 and 127.
		{rule: "limit-stack-name", at: at(19),
			bad:  tgw("name: hub\n", "name: "+strings.Repeat("h", 50)+"\n", "  - name: main\n", "  - name: "+strings.Repeat("m", 62)+"\n"),
			good: tgw("name: hub\n", "name: "+strings.Repeat("h", 50)+"\n", "  - name: main\n", "  - name: "+strings.Repeat("m", 52)+"\n")},

		// A second gateway attaching build and app gives them the same
		// summary as the first; one that only routes 172.16.0.0/12 does not.
		{rule: "limit-vpc-route-conflict", at: toolingNetwork + ":5",
			bad: join(tgw(), map[string]string{"environments/tooling/tgw2.yaml": edited(tgwYAML, "name: hub\n", "name: hub2\n", "asn: 64512", "asn: 64513")}),
			good: join(tgw(), map[string]string{"environments/tooling/tgw2.yaml": edited(tgwYAML, "name: hub\n", "name: hub2\n", "asn: 64512", "asn: 64513",
				"    propagations: [build, app]\n", "", "{destination: 10.99.0.0/16, blackhole: true}", "{destination: 172.16.0.0/12, attachment: build}")})},

		// build's NAT gateways, one per zone: two Elastic IPs.
		{rule: "quota-elastic-ips", at: toolingNetwork + ":12",
			bad:  join(toolingQuotas("elasticIpsPerRegion: 1"), network("{type: natGateway}", "{type: natGateway, perAZ: true}")),
			good: join(toolingQuotas("elasticIpsPerRegion: 2"), network("{type: natGateway}", "{type: natGateway, perAZ: true}"))},

		// GitLab's load balancer: one CIDR on ports 80 and 443 is two rules.
		{rule: "quota-security-group-rules", at: lineOf(gitlabFile, validGitLab, "alb:"),
			bad:  withGitLab(toolingQuotas("inboundRulesPerSecurityGroup: 1")),
			good: withGitLab(toolingQuotas("inboundRulesPerSecurityGroup: 2"))},

		// A second gateway of the tooling account in eu-west-1; the good
		// variant of limit-vpc-route-conflict, so it is valid itself.
		{rule: "quota-tgw-per-region", at: tgw2File + ":2", bad: join(toolingQuotas("transitGatewaysPerRegion: 1"), tgw(), secondGateway()),
			good: join(toolingQuotas("transitGatewaysPerRegion: 2"), tgw(), secondGateway())},
		// A second route table beyond a quota of one.
		{rule: "quota-tgw-route-tables", at: at(20), bad: join(toolingQuotas("routeTablesPerTransitGateway: 1"), tgw("      - {destination: 10.99.0.0/16, blackhole: true}\n", "      - {destination: 10.99.0.0/16, blackhole: true}\n  - name: spare\n")),
			good: join(toolingQuotas("routeTablesPerTransitGateway: 2"), tgw("      - {destination: 10.99.0.0/16, blackhole: true}\n", "      - {destination: 10.99.0.0/16, blackhole: true}\n  - name: spare\n"))},
		// build and app attached to six gateways, one more than AWS allows.
		{rule: "limit-vpc-attachments", at: "environments/tooling/tgw6.yaml:9", bad: join(toolingQuotas("transitGatewaysPerRegion: 6"), gateways(6)),
			good: join(toolingQuotas("transitGatewaysPerRegion: 6"), gateways(5))},
		// The gateway's RAM share names prod and dev: two principals, the
		// second beyond a quota of one; with the organization it names one.
		{rule: "quota-ram-principals", at: at(6), bad: join(toolingQuotas("ramPrincipalsPerShare: 1"), withDev(tgw("shareWith: [prod]", "shareWith: [prod, dev]"))),
			good: join(toolingQuotas("ramPrincipalsPerShare: 1"), withDev(tgw("shareWith: [prod]", "shareWith: [prod, dev]\norganization: "+orgARN)))},
		{rule: "quota-ram-principals", at: at(6), bad: join(toolingQuotas("ramPrincipalsPerShare: 1"), withDev(tgw("shareWith: [prod]", "shareWith: [prod, dev]"))),
			good: join(toolingQuotas("ramPrincipalsPerShare: 2"), withDev(tgw("shareWith: [prod]", "shareWith: [prod, dev]")))},
		// Two gateways each shared with prod: two principals in the region.
		{rule: "quota-ram-principals-region", at: tgw2File + ":6", bad: join(toolingQuotas("ramPrincipalsPerRegion: 1"), tgw(), secondGateway()),
			good: join(toolingQuotas("ramPrincipalsPerRegion: 2"), tgw(), secondGateway())},
		// Shared with the organization, each names one principal.
		{rule: "quota-ram-principals-region", at: tgw2File + ":7",
			bad: join(toolingQuotas("ramPrincipalsPerRegion: 1"), tgw("shareWith: [prod]", "shareWith: [prod]\norganization: "+orgARN),
				secondGateway("shareWith: [prod]", "shareWith: [prod]\norganization: "+orgARN)),
			good: join(toolingQuotas("ramPrincipalsPerRegion: 2"), tgw("shareWith: [prod]", "shareWith: [prod]\norganization: "+orgARN),
				secondGateway("shareWith: [prod]", "shareWith: [prod]\norganization: "+orgARN))},
		// Outside an organization each account shared with is invited:
		// prod and 20 more are 21, one past RAM's 20 pending invitations.
		{rule: "quota-ram-invitations", at: at(6), bad: withAccounts(20, tgw("shareWith: [prod]", "shareWith: [prod"+accountList(20)+"]")),
			good: withAccounts(20, tgw("shareWith: [prod]", "shareWith: [prod"+accountList(19)+"]"))},
		{rule: "quota-ram-invitations", at: at(6), bad: withAccounts(20, tgw("shareWith: [prod]", "shareWith: [prod"+accountList(20)+"]")),
			good: withAccounts(20, tgw("shareWith: [prod]", "shareWith: [prod"+accountList(20)+"]\norganization: "+orgARN))},
		// GitLab's private zone answers in every VPC of the tooling account
		// in eu-west-1: build and one more.
		{rule: "quota-private-zone-vpcs", at: lineOf(gitlabFile, validGitLab, "domain:"),
			bad: withGitLab(join(toolingQuotas("vpcsPerPrivateHostedZone: 1"),
				network("    flowLogs: {trafficType: ALL, retentionDays: 365}\n", "    flowLogs: {trafficType: ALL, retentionDays: 365}\n"+extraVPCs(1)))),
			good: withGitLab(join(toolingQuotas("vpcsPerPrivateHostedZone: 2"),
				network("    flowLogs: {trafficType: ALL, retentionDays: 365}\n", "    flowLogs: {trafficType: ALL, retentionDays: 365}\n"+extraVPCs(1))))},

		// A VPC of 120 subnets is within the quota but not one stack.
		{rule: "limit-stack-resources", at: toolingNetwork + ":5",
			bad:  network("      - {name: private,", manyTiers(60)+"      - {name: private,"),
			good: network("      - {name: private,", manyTiers(50)+"      - {name: private,")},
	})
}

// TestPlannerErrorsAreCaughtFirst: every limit the planner refuses has a
// validate rule that refuses it first, so compile never meets it.
func TestPlannerErrorsAreCaughtFirst(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"mirror user":   mirrorEdit("name: webapp\n", "name: "+strings.Repeat("m", 59)+"\n"),
		"pipeline role": pipelineEdit("name: webapp\n", "name: "+strings.Repeat("p", 60)+"\n"),
	} {
		got := validateFiles(t, files)
		var rules []string
		for _, d := range got {
			rules = append(rules, d.Rule)
			if d.Rule == "limit-plan" {
				t.Errorf("%s: the planner's own error reached the user: %s", name, d)
			}
		}
		if !strings.Contains(strings.Join(rules, " "), "limit-name-length") {
			t.Errorf("%s: no limit-name-length finding:\n%s", name, render(got))
		}
	}
}

// TestStackLimitsArePositioned: parameters and outputs are checked like
// resources, at the place that declares what fills the stack; no estate
// of today's kinds comes near 200 of either before it hits 500 resources.
func TestStackLimitsArePositioned(t *testing.T) {
	c := &checker{diags: &diag.List{}}
	origin := estate.Pos{File: "environments/prod/network.yaml", Line: 5, Col: 11}
	s := &stacks.Stack{StackHeader: stacks.StackHeader{Name: "gitops-network-app", Kind: stacks.KindNetwork}, Origin: origin}
	for i := range stacks.MaxParameters + 1 {
		s.Parameters = append(s.Parameters, stacks.Parameter{Name: fmt.Sprint("P", i)})
	}
	s.Outputs = make([]string, stacks.MaxOutputs)
	c.stackLimit(s, "limit-stack-parameters", "parameters", len(s.Parameters), stacks.MaxParameters)
	c.stackLimit(s, "limit-stack-outputs", "outputs", len(s.Outputs), stacks.MaxOutputs)
	got := c.diags.Items()
	if len(got) != 1 || got[0].Rule != "limit-stack-parameters" || got[0].Pos != origin || !strings.Contains(got[0].Message, "201 parameters") {
		t.Errorf("want one limit-stack-parameters at %v, got:\n%s", origin, render(got))
	}
}
