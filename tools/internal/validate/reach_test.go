package validate

import (
	"fmt"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
)

// The reach fixture: GitLab and the desktops in the tooling account, a
// workload VPC in prod and one in dev, on a hub with a shared-services
// table (GitLab's) and a spokes table (everyone else's), and the intents
// the example estate declares. Line numbers in the rows refer to hubYAML.
const reachToolingNetwork = `kind: Network
account: tooling
region: eu-west-1
vpcs:
  - name: gitlab
    cidr: 10.10.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: public, type: public, prefix: 24}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: natGateway}
  - name: desktop
    cidr: 10.11.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: none}
`

const reachProdNetwork = `kind: Network
account: prod
region: eu-west-1
vpcs:
  - name: app
    cidr: 10.1.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: none}
`

const reachDevNetwork = `kind: Network
account: dev
region: eu-west-1
vpcs:
  - name: dev-app
    cidr: 10.2.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: none}
`

const hubYAML = `kind: TransitGateway
name: hub
account: tooling
region: eu-west-1
asn: 64512
shareWith: [prod, dev]
attachments:
  - {name: gitlab, vpc: gitlab, subnets: [tgw-a, tgw-b]}
  - {name: desktop, vpc: desktop, subnets: [tgw-a, tgw-b]}
  - {name: app, vpc: app, subnets: [tgw-a, tgw-b]}
  - {name: dev-app, vpc: dev-app, subnets: [tgw-a, tgw-b]}
routeTables:
  - name: shared
    associations: [gitlab]
    propagations: [desktop, app, dev-app]
  - name: spokes
    associations: [desktop, app, dev-app]
    propagations: [gitlab]
    routes:
      - {destination: 172.16.0.0/12, blackhole: true}
intents:
  groups:
    - {name: workloads, role: workload}
  allow:
    - from: [desktop, workloads]
      to: [gitlab]
      ports: [443]
  deny:
    - from: [workloads]
      to: [workloads, desktop]
`

const hubFile = "environments/tooling/hub.yaml"

// reachGitLab is validGitLab in the gitlab VPC, admitting only what the
// intents allow.
var reachGitLab = edited(validGitLab, "vpc: build", "vpc: gitlab", "  allowedCidrs: [10.0.0.0/8]\n", "")

// hub returns the files of a row: the reach fixture with hubYAML edited.
func hub(edits ...string) map[string]string {
	return map[string]string{
		toolingNetworkFile:               reachToolingNetwork,
		"environments/prod/network.yaml": reachProdNetwork,
		"environments/dev/network.yaml":  reachDevNetwork,
		"accounts/dev.yaml":              devAccount,
		gitlabFile:                       reachGitLab,
		hubFile:                          edited(hubYAML, edits...),
	}
}

// hubWithoutIntents is the reach fixture with hubYAML edited and its
// intents dropped.
func hubWithoutIntents(edits ...string) map[string]string {
	files := hub(edits...)
	files[hubFile] = files[hubFile][:len(files[hubFile])-len(hubYAML[strings.Index(hubYAML, "intents:"):])]
	// Without intents, the load balancer admits what it lists.
	files[gitlabFile] = validGitLabIn("gitlab")
	return files
}

func atHub(line int) string { return fmt.Sprintf("%s:%d", hubFile, line) }

func TestReachFixtureIsClean(t *testing.T) {
	if got := validateFiles(t, hub()); len(got) > 0 {
		t.Errorf("the reach fixture yields findings:\n%s", render(got))
	}
}

// TestReachRules has a row per hop where a packet can die, each with a
// near-miss good case: the same change made right.
func TestReachRules(t *testing.T) {
	noIntents := hubWithoutIntents
	runRuleCases(t, []ruleCase{
		// The reply: GitLab's table has no route back to dev-app. Near
		// miss: a static route brings it back instead of the propagation.
		{rule: "reach-unreachable", at: atHub(15),
			bad:  hub("[desktop, app, dev-app]", "[desktop, app]"),
			good: hub("[desktop, app, dev-app]\n", "[desktop, app]\n    routes:\n      - {destination: 10.2.0.0/16, attachment: dev-app}\n")},
		// The request: the spokes table has no route to GitLab. Near miss:
		// a static route instead of the propagation.
		{rule: "reach-unreachable", at: atHub(16),
			bad:  hub("    propagations: [gitlab]\n", ""),
			good: hub("    propagations: [gitlab]\n", "", "172.16.0.0/12, blackhole: true}", "172.16.0.0/12, blackhole: true}\n      - {destination: 10.10.0.0/16, attachment: gitlab}")},
		// A blackhole swallows the load balancer's subnet. Near miss: it
		// swallows a block of GitLab's VPC where nothing listens.
		{rule: "reach-unreachable", at: atHub(20),
			bad:  hub("172.16.0.0/12", "10.10.0.0/24"),
			good: hub("172.16.0.0/12", "10.10.9.0/24")},
		// The desktops' attachment is associated nowhere. Near miss: with a
		// table of their own that routes to GitLab.
		{rule: "reach-unreachable", at: atHub(9),
			bad:  hub("associations: [desktop, app, dev-app]", "associations: [app, dev-app]"),
			good: hub("associations: [desktop, app, dev-app]", "associations: [app, dev-app]", "routeTables:\n", "routeTables:\n  - {name: people, associations: [desktop], propagations: [gitlab]}\n")},
		// The load balancer does not listen on 22. Near miss: 80.
		{rule: "reach-unreachable", at: gitlabFile + ":17",
			bad:  hub("ports: [443]", "ports: [443, 22]"),
			good: hub("ports: [443]", "ports: [443, 80]")},

		// prod's app is associated with GitLab's table: it reaches dev-app
		// and the desktops. The line to change is its association (the
		// rest of workloads uses spokes). Near miss: its own table that
		// routes to GitLab only.
		{rule: "reach-isolation", at: atHub(14),
			bad: hub("associations: [gitlab]", "associations: [gitlab, app]", "associations: [desktop, app, dev-app]", "associations: [desktop, dev-app]"),
			good: hub("associations: [desktop, app, dev-app]", "associations: [desktop, dev-app]",
				"routeTables:\n", "routeTables:\n  - {name: prod, associations: [app], propagations: [gitlab]}\n")},
		// app propagated into spokes: dev-app and the desktops reach it;
		// the line to change is the propagation. Near miss: propagated
		// into a table no workload uses.
		{rule: "reach-isolation", at: atHub(18),
			bad:  hub("propagations: [gitlab]", "propagations: [gitlab, app]"),
			good: hub("routeTables:\n", "routeTables:\n  - {name: audit, propagations: [app]}\n")},

		// A deny intent an allow intent contradicts. Near miss: the deny
		// names another VPC.
		{rule: "reach-conflict", at: atHub(29),
			bad:  hub("  deny:\n", "  deny:\n    - {from: [desktop], to: [gitlab]}\n"),
			good: hub("  deny:\n", "  deny:\n    - {from: [desktop], to: [app]}\n")},
		// A deny intent to GitLab that only the load balancer's declared
		// blocks break (no allow intent names the VPC): the finding points
		// at the block. Near miss: the block leaves the VPC out.
		{rule: "reach-isolation", at: gitlabFile + ":23",
			bad: plus(hub("from: [desktop, workloads]", "from: [workloads]", "  deny:\n", "  deny:\n    - {from: [desktop], to: [gitlab]}\n"),
				gitlabFile, edited(reachGitLab, "name: example.com\n", "name: example.com\n  allowedCidrs: [10.11.0.0/16]\n")),
			good: plus(hub("from: [desktop, workloads]", "from: [workloads]", "  deny:\n", "  deny:\n    - {from: [desktop], to: [gitlab]}\n"),
				gitlabFile, edited(reachGitLab, "name: example.com\n", "name: example.com\n  allowedCidrs: [10.12.0.0/16]\n"))},

		// A rule between a VPC and itself proves nothing (such pairs never
		// cross the gateway). Near miss: a group with another VPC in it.
		{rule: "reach-self", at: atHub(29),
			bad:  hub("  deny:\n", "  deny:\n    - {from: [desktop], to: [desktop]}\n"),
			good: hub("  deny:\n", "  deny:\n    - {from: [workloads], to: [app]}\n")},
		{rule: "reach-self", at: atHub(28),
			bad:  hub("      ports: [443]\n", "      ports: [443]\n    - {from: [desktop], to: [desktop], ports: [443]}\n"),
			good: hub("      ports: [443]\n", "      ports: [443]\n    - {from: [desktop], to: [gitlab], ports: [443]}\n")},

		// Without intents: GitLab's table forgets dev-app, so GitLab's
		// replies have no way back. Near miss: dev-app sends nothing either.
		{rule: "reach-no-return", at: atHub(15),
			bad:  noIntents("[desktop, app, dev-app]", "[desktop, app]"),
			good: noIntents("[desktop, app, dev-app]", "[desktop, app]", "associations: [desktop, app, dev-app]", "associations: [desktop, app]")},
		{rule: "reach-attachment-unrouted", at: atHub(11),
			bad:  noIntents("[desktop, app, dev-app]", "[desktop, app]"),
			good: noIntents("[desktop, app, dev-app]\n", "[desktop, app]\n    routes:\n      - {destination: 10.2.0.0/16, attachment: dev-app}\n")},
		// Two blackholes swallow all of GitLab's block, which the spokes
		// still send to the gateway. Near miss: they leave part of it.
		{rule: "reach-blackholed", at: atHub(18),
			bad:  hub("      - {destination: 172.16.0.0/12, blackhole: true}\n", "      - {destination: 10.10.0.0/17, blackhole: true}\n      - {destination: 10.10.128.0/17, blackhole: true}\n"),
			good: hub("      - {destination: 172.16.0.0/12, blackhole: true}\n", "      - {destination: 10.10.64.0/18, blackhole: true}\n      - {destination: 10.10.128.0/17, blackhole: true}\n")},
		// dev's account is not a workload, so no intent lets dev-app into
		// GitLab, yet the routing carries it there and back. Near miss: a
		// deny intent says it must stay out.
		{rule: "reach-gitlab-undeclared", at: atHub(24),
			bad: plus(hub(), "accounts/dev.yaml", edited(devAccount, "role: workload", "role: tooling")),
			good: plus(hub("  deny:\n", "  deny:\n    - {from: [dev-app], to: [gitlab]}\n"),
				"accounts/dev.yaml", edited(devAccount, "role: workload", "role: tooling"))},
		{rule: "reach-gitlab-undeclared", at: gitlabFile + ":17",
			bad:  plus(noIntents(), gitlabFile, reachGitLab),
			good: plus(noIntents(), gitlabFile, edited(reachGitLab, "name: example.com\n", "name: example.com\n  allowedCidrs: [10.0.0.0/12]\n"))},

		// An allow intent to GitLab's interface endpoints from another VPC:
		// their security group admits their own VPC only. Near miss: a deny.
		{rule: "reach-unreachable", at: toolingNetworkFile + ":13",
			bad: plus(hub("      ports: [443]\n", "      ports: [443]\n    - {from: [desktop], to: [gitlab/endpoints]}\n"), toolingNetworkFile,
				edited(reachToolingNetwork, "    egress: {type: natGateway}\n", "    egress: {type: natGateway}\n    endpoints: {interface: [ssm]}\n")),
			good: plus(hub("  deny:\n", "  deny:\n    - {from: [desktop], to: [gitlab/endpoints]}\n"), toolingNetworkFile,
				edited(reachToolingNetwork, "    egress: {type: natGateway}\n", "    egress: {type: natGateway}\n    endpoints: {interface: [ssm]}\n"))},
		{rule: "reach-ref", at: atHub(26), bad: hub("to: [gitlab]", "to: [gitlab, desktop/endpoints]"),
			// Near miss: desktop has interface endpoints (kept from the
			// other VPCs by a deny, as their security group would).
			good: plus(hub("  deny:\n", "  deny:\n    - {from: [workloads], to: [desktop/endpoints]}\n"), toolingNetworkFile,
				edited(reachToolingNetwork, "    egress: {type: none}\n", "    egress: {type: none}\n    endpoints: {interface: [ssm]}\n"))},

		// Groups and names.
		{rule: "reach-group", at: atHub(23), bad: hub("name: workloads", "name: app", "[desktop, workloads]", "[desktop, app]", "[workloads]", "[app]", "[workloads, desktop]", "[app, desktop]"), good: hub("name: workloads", "name: workloads-2", "[desktop, workloads]", "[desktop, workloads-2]", "[workloads]", "[workloads-2]", "[workloads, desktop]", "[workloads-2, desktop]")},
		{rule: "reach-group", at: atHub(23), bad: hub("role: workload", "vpcs: []"), good: hub("role: workload", "vpcs: [app, dev-app]")},
		{rule: "reach-group", at: atHub(23), bad: hub("role: workload", "role: admin"), good: hub("role: workload", "role: \"workload\"")},
		{rule: "reach-group-empty", at: atHub(23), bad: hub("role: workload}", "role: workload, tags: {team: none}}"), good: hub("role: workload}", "role: workload, tags: {}}")},
		{rule: "reach-ref", at: atHub(25), bad: hub("[desktop, workloads]", "[desktop, workload]"), good: hub("[desktop, workloads]", "[workloads, desktop]")},
		{rule: "reach-ref", at: atHub(26), bad: hub("to: [gitlab]", "to: []"), good: hub(), fixtureNearMiss: "one destination, as the fixture has"},
		{rule: "reach-port", at: atHub(27), bad: hub("ports: [443]", "ports: [0]"), good: hub("ports: [443]", "ports: [80]")},
		{rule: "reach-port", at: atHub(27), bad: hub("ports: [443]", "ports: []"), good: hub("ports: [443]", "ports: [80, 443]")},
		{rule: "reach-group", at: atHub(23), bad: hub("name: workloads", "name: Workloads"), good: hub("name: workloads", "name: workloads-2", "[desktop, workloads]", "[desktop, workloads-2]", "[workloads]", "[workloads-2]", "[workloads, desktop]", "[workloads-2, desktop]")},
		{rule: "reach-group", at: atHub(23), bad: hub("role: workload}", "role: workloads}"), good: hub("role: workload}", "role: workload, tags: {}}")},
		{rule: "ref-vpc", at: atHub(23), bad: hub("role: workload", "vpcs: [ap]"), good: hub("role: workload", "vpcs: [app], role: workload")},
	})
}

// validGitLabIn is validGitLab in VPC vpc, admitting 10.0.0.0/8.
func validGitLabIn(vpc string) string { return edited(validGitLab, "vpc: build", "vpc: "+vpc) }

// TestReachSurvivesBrokenEstates: the reach checks run on whatever loaded,
// so broken references, odd blocks and half-declared intents must give
// findings, never a panic.
func TestReachSurvivesBrokenEstates(t *testing.T) {
	for _, files := range []map[string]string{
		plus(hub(), toolingNetworkFile, edited(reachToolingNetwork, "{name: private, type: private, prefix: 24}", "{name: private, type: private, cidrs: [\"fd00::/64\", 10.10.9.0/24]}")),
		plus(hub(), toolingNetworkFile, edited(reachToolingNetwork, "cidr: 10.10.0.0/16", "cidr: \"fd00::/48\"")),
		plus(hub(), toolingNetworkFile, edited(reachToolingNetwork, "cidr: 10.10.0.0/16", "cidr: nonsense")),
		plus(hub(), toolingNetworkFile, edited(reachToolingNetwork, "azCount: 2", "azCount: 0")),
		plus(hub(), toolingNetworkFile, edited(reachToolingNetwork, "name: desktop", "name: gitlab")),
		hub("{name: app, vpc: app,", "{name: app, vpc: nowhere,"),
		hub("{name: app, vpc: app,", "{name: gitlab, vpc: app,"),
		hub("172.16.0.0/12, blackhole: true}", "10.10.0.0/16, attachment: nothing}"),
		hub("172.16.0.0/12, blackhole: true}", "\"::/0\", attachment: gitlab}"),
		hub("172.16.0.0/12", "0.0.0.0/0"),
		hub("172.16.0.0/12, blackhole: true}", "0.0.0.0/0, attachment: app}"),
		hub("associations: [gitlab]", "associations: [gitlab, gitlab, nobody]"),
		hub("to: [gitlab]", "to: [gitlab, nowhere, workloads]"),
		hub("{name: workloads, role: workload}", "{name: workloads}\n    - {name: workloads, vpcs: [gitlab]}"),
		hub("from: [workloads]\n", "from: [gitlab]\n"),
		plus(hub(), gitlabFile, edited(reachGitLab, "  subnets: private\n  domain", "  subnets: nowhere\n  domain")),
		plus(hub(), gitlabFile, edited(reachGitLab, "vpc: gitlab", "vpc: nowhere")),
		plus(hub(), gitlabFile, edited(reachGitLab, "name: example.com\n", "name: example.com\n  allowedCidrs: [\"fd00::/8\", bad, 0.0.0.0/0]\n")),
	} {
		validateFiles(t, files)
	}
}

// TestReachLeavesAnInvalidCIDRToCidrInvalid: a VPC whose block does not
// parse has no subnets to prove anything with; its one finding is
// cidr-invalid, not an intent failing because "nothing leaves the VPC".
func TestReachLeavesAnInvalidCIDRToCidrInvalid(t *testing.T) {
	for _, cidr := range []string{`"fd00::/48"`, "nonsense"} {
		files := plus(hub(), toolingNetworkFile, edited(reachToolingNetwork, "cidr: 10.11.0.0/16", "cidr: "+cidr))
		for _, d := range validateFiles(t, files) {
			if d.Rule != "cidr-invalid" {
				t.Errorf("cidr %s: %s", cidr, d)
			}
		}
	}
}

// TestGitLabUndeclaredNamesTheVPC: an allow intent to GitLab's VPC rather
// than to the GitLab leaves its load balancer closed; the hint says which
// name to write.
func TestGitLabUndeclaredNamesTheVPC(t *testing.T) {
	files := hub()
	files[gitlabFile] = edited(reachGitLab, "name: gitlab\n", "name: gl\n")
	var hints []string
	for _, d := range validateFiles(t, files) {
		if d.Rule == "reach-gitlab-undeclared" {
			hints = append(hints, d.Hint)
		}
	}
	if len(hints) == 0 || !strings.Contains(hints[0], "names GitLab's VPC gitlab") || !strings.Contains(hints[0], "to: [gl]") {
		t.Errorf("reach-gitlab-undeclared hints %q, want one naming the GitLab gl instead of its VPC", hints)
	}
	// Naming the GitLab admits its clients.
	files[hubFile] = edit(files[hubFile], "to: [gitlab]", "to: [gl]")
	for _, d := range validateFiles(t, files) {
		if d.Severity == diag.Error {
			t.Errorf("with to: [gl]: %s", d)
		}
	}
}
