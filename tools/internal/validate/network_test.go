package validate

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

// networkYAML replaces the base estate's tooling network in the network
// rules' rows: one VPC using every part of the model, with no finding.
const networkYAML = `kind: Network
account: tooling
region: eu-west-1
vpcs:
  - name: build
    cidr: 10.0.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: public, type: public, prefix: 24}
      - {name: tgw, type: isolated, cidrs: [10.0.255.0/28, 10.0.255.16/28]}
    egress: {type: natGateway}
    endpoints:
      interface: [ecr.api, ecr.dkr, logs]
      gateway: [s3]
    flowLogs: {trafficType: ALL, retentionDays: 365}
`

const toolingNetwork = "environments/tooling/network.yaml"

// edited returns body with each old/new pair of edits replaced in turn. It
// panics when an old text is absent, so a row cannot silently test the
// unchanged file.
func edited(body string, edits ...string) string {
	for i := 0; i+1 < len(edits); i += 2 {
		if !strings.Contains(body, edits[i]) {
			panic(fmt.Sprintf("edit %q: not in the fixture", edits[i]))
		}
		body = strings.Replace(body, edits[i], edits[i+1], 1)
	}
	return body
}

// network returns the files of a row: networkYAML with edits as the tooling network.
func network(edits ...string) map[string]string {
	return map[string]string{toolingNetwork: edited(networkYAML, edits...)}
}

// plus adds a file to a row's files.
func plus(files map[string]string, name, body string) map[string]string {
	files[name] = body
	return files
}

func TestNetworkFixtureIsClean(t *testing.T) {
	if got := validateFiles(t, network()); len(got) > 0 {
		t.Errorf("networkYAML yields findings:\n%s", render(got))
	}
}

func TestNetworkRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		// Placement.
		{rule: "ref-region", at: toolingNetwork + ":3", bad: network("region: eu-west-1", "region: eu-west-2"), good: plus(network("region: eu-west-1", "region: eu-west-2"), "accounts/tooling.yaml", edited(baseEstate["accounts/tooling.yaml"], "[eu-west-1]", "[eu-west-1, eu-west-2]"))},
		{rule: "ref-account", at: toolingNetwork + ":2", bad: network("account: tooling", "account: toolin"), good: plus(network("account: tooling", "account: toolin"), "accounts/toolin.yaml", "kind: Account\nname: toolin\nid: \"444444444444\"\nemail: toolin@example.com\nrole: workload\nregions: [eu-west-1]\n")},
		{rule: "vpc-none", at: toolingNetwork + ":4", bad: map[string]string{toolingNetwork: "kind: Network\naccount: tooling\nregion: eu-west-1\nvpcs: []\n"}, good: map[string]string{toolingNetwork: "kind: Network\naccount: tooling\nregion: eu-west-1\nvpcs: [{name: build, cidr: 10.0.0.0/16, azCount: 2, subnets: [{name: private, type: private, prefix: 24}], egress: {type: none}}]\n"}},
		{rule: "vpc-name", at: toolingNetwork + ":5", bad: network("name: build", "name: Build"), good: network("name: build", "name: build-2")},

		// The VPC's block.
		{rule: "cidr-invalid", at: toolingNetwork + ":6", bad: network("cidr: 10.0.0.0/16", "cidr: 10.0.0.0"), good: network(), fixtureNearMiss: "the prefix put back"},
		{rule: "cidr-invalid", at: toolingNetwork + ":6", bad: network("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/33"), good: network(), fixtureNearMiss: "/16 is the nearest prefix no rule refuses"},
		{rule: "cidr-invalid", at: toolingNetwork + ":6", bad: network("cidr: 10.0.0.0/16", "cidr: fd00::/56"), good: network(), fixtureNearMiss: "an IPv4 block in its place"},
		{rule: "cidr-invalid", at: toolingNetwork + ":6", bad: network("cidr: 10.0.0.0/16", `cidr: ""`), good: network(), fixtureNearMiss: "the block filled in"},
		{rule: "cidr-host-bits", at: toolingNetwork + ":6", bad: network("cidr: 10.0.0.0/16", "cidr: 10.0.0.1/16"), good: network(), fixtureNearMiss: "the one host bit cleared"},
		{rule: "cidr-vpc-size", at: toolingNetwork + ":6", bad: network("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/15"), good: network(), fixtureNearMiss: "/16, one bit smaller, is the largest VPC AWS accepts"},

		// Availability zones.
		{rule: "vpc-azs", at: toolingNetwork + ":7", bad: network("azCount: 2", "azCount: 2\n    azs: [eu-west-1a, eu-west-1b]"), good: network("azCount: 2", "azs: [eu-west-1a, eu-west-1b]")},
		{rule: "vpc-azs", at: toolingNetwork + ":5", bad: network("    azCount: 2\n", ""), good: network("    azCount: 2\n", "    azs: [eu-west-1a, eu-west-1b]\n")},
		{rule: "vpc-az-count", at: toolingNetwork + ":7", bad: network("azCount: 2", "azCount: 7"), good: network("azCount: 2", "azCount: 3", "10.0.255.0/28, 10.0.255.16/28", "10.0.255.0/28, 10.0.255.16/28, 10.0.255.32/28")},
		{rule: "vpc-az-count", at: toolingNetwork + ":7", bad: network("azCount: 2", "azCount: -1"), good: network("azCount: 2", "azCount: 1", "cidrs: [10.0.255.0/28, 10.0.255.16/28]", "cidrs: [10.0.255.0/28]")},
		{rule: "vpc-az-region", at: toolingNetwork + ":7", bad: network("azCount: 2", "azs: [eu-west-1a, eu-west-2b]"), good: network("azCount: 2", "azs: [eu-west-1a, eu-west-1c]")},
		{rule: "vpc-az-region", at: toolingNetwork + ":7", bad: network("azCount: 2", "azs: [eu-west-1a, euw1-az2]"), good: network("azCount: 2", "azs: [eu-west-1a, eu-west-1b]")},
		{rule: "vpc-az-duplicate", at: toolingNetwork + ":7", bad: network("azCount: 2", "azs: [eu-west-1a, eu-west-1a]"), good: network("azCount: 2", "azs: [eu-west-1a, eu-west-1c]")},
		{
			rule: "vpc-az-single", at: toolingNetwork + ":7",
			bad: network("azCount: 2", "azCount: 1", "cidrs: [10.0.255.0/28, 10.0.255.16/28]", "cidrs: [10.0.255.0/28]"),
			// Two zones named instead of counted: the smallest change that
			// is not one zone.
			good: network("azCount: 2", "azs: [eu-west-1a, eu-west-1b]"),
		},

		// Subnet tiers.
		{rule: "subnet-none", at: toolingNetwork + ":8", bad: map[string]string{toolingNetwork: "kind: Network\naccount: tooling\nregion: eu-west-1\nvpcs:\n  - name: build\n    cidr: 10.0.0.0/16\n    azCount: 2\n    subnets: []\n    egress: {type: none}\n"}, good: map[string]string{toolingNetwork: "kind: Network\naccount: tooling\nregion: eu-west-1\nvpcs:\n  - name: build\n    cidr: 10.0.0.0/16\n    azCount: 2\n    subnets: [{name: private, type: private, prefix: 24}]\n    egress: {type: none}\n"}},
		{rule: "subnet-tier-name", at: toolingNetwork + ":9", bad: network("{name: private,", "{name: priv-ate,"), good: network("{name: private,", "{name: private2,")},
		{rule: "subnet-tier-duplicate", at: toolingNetwork + ":10", bad: network("{name: public,", "{name: private,"), good: network("{name: public,", "{name: pub,")},
		{rule: "subnet-tier-type", at: toolingNetwork + ":11", bad: network("type: isolated", "type: isolate"), good: network("type: isolated", "type: private")},
		{rule: "subnet-tier-type", at: toolingNetwork + ":11", bad: network("type: isolated", `type: ""`), good: network("type: isolated", "type: public")},
		{rule: "subnet-prefix-or-cidrs", at: toolingNetwork + ":9", bad: network("type: private, prefix: 24}", "type: private, prefix: 24, cidrs: [10.0.0.0/24, 10.0.1.0/24]}"), good: network("type: private, prefix: 24}", "type: private, cidrs: [10.0.0.0/24, 10.0.1.0/24]}")},
		{rule: "subnet-prefix-or-cidrs", at: toolingNetwork + ":9", bad: network("type: private, prefix: 24}", "type: private}"), good: network("type: private, prefix: 24}", "type: private, cidrs: [10.0.100.0/24, 10.0.101.0/24]}")},
		{rule: "subnet-prefix", at: toolingNetwork + ":10", bad: network("type: public, prefix: 24", "type: public, prefix: 29"), good: network("type: public, prefix: 24", "type: public, prefix: 28")},
		{rule: "subnet-prefix", at: toolingNetwork + ":10", bad: network("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/20", "type: public, prefix: 24", "type: public, prefix: 19", "10.0.255.0/28, 10.0.255.16/28", "10.0.15.0/28, 10.0.15.16/28"), good: network("cidr: 10.0.0.0/16", "cidr: 10.0.0.0/20", "type: public, prefix: 24", "type: public, prefix: 22", "10.0.255.0/28, 10.0.255.16/28", "10.0.15.0/28, 10.0.15.16/28")},
		{rule: "subnet-cidr-count", at: toolingNetwork + ":11", bad: network("cidrs: [10.0.255.0/28, 10.0.255.16/28]", "cidrs: [10.0.255.0/28]"), good: network("azCount: 2", "azCount: 1", "cidrs: [10.0.255.0/28, 10.0.255.16/28]", "cidrs: [10.0.255.0/28]")},
		{rule: "cidr-subnet-outside", at: toolingNetwork + ":11", bad: network("10.0.255.16/28", "10.1.255.16/28"), good: network("10.0.255.16/28", "10.0.254.16/28")},
		{rule: "cidr-subnet-size", at: toolingNetwork + ":11", bad: network("10.0.255.16/28", "10.0.255.16/29"), good: network("10.0.255.16/28", "10.0.255.32/27")},
		{rule: "cidr-host-bits", at: toolingNetwork + ":11", bad: network("10.0.255.16/28", "10.0.255.17/28"), good: network("10.0.255.16/28", "10.0.255.32/28")},
		{rule: "cidr-subnet-overlap", at: toolingNetwork + ":11", bad: network("10.0.255.0/28, 10.0.255.16/28", "10.0.255.0/27, 10.0.255.16/28"), good: network("10.0.255.0/28, 10.0.255.16/28", "10.0.255.0/28, 10.0.255.48/28")},
		{rule: "subnet-count", at: toolingNetwork + ":8", bad: network("      - {name: private,", manyTiers(99)+"      - {name: private,"), good: network("      - {name: private,", manyTiers(50)+"      - {name: private,")},
		// (A VPC of 198 subnets is within the quota but, at three resources a
		// subnet, outgrows one stack: limit-stack-resources refuses it.)
		{rule: "subnet-layout", at: toolingNetwork + ":10", bad: network("type: public, prefix: 24", "type: public, prefix: 16"), good: network("type: public, prefix: 24", "type: public, prefix: 20")},

		// Egress.
		{rule: "egress-type", at: toolingNetwork + ":12", bad: network("{type: natGateway}", "{type: natgateway}"), good: network("{type: natGateway}", "{type: natInstance}")},
		{rule: "egress-type", at: toolingNetwork + ":12", bad: network("{type: natGateway}", `{type: ""}`), good: network("{type: natGateway}", `{type: none}`)},
		{rule: "egress-needs-public", at: toolingNetwork + ":12", bad: network("{name: public, type: public", "{name: public, type: isolated"), good: network("{name: public, type: public", "{name: public, type: isolated", "{type: natGateway}", "{type: none}")},
		{rule: "egress-needs-private", at: toolingNetwork + ":12", bad: network("{name: private, type: private", "{name: private, type: isolated"), good: network("{name: private, type: private", "{name: app, type: private")},
		{rule: "egress-option", at: toolingNetwork + ":12", bad: network("{type: natGateway}", "{type: natGateway, instanceType: t4g.nano}"), good: network("{type: natGateway}", "{type: natInstance, instanceType: t4g.nano}")},
		{rule: "egress-option", at: toolingNetwork + ":12", bad: network("{type: natGateway}", "{type: none, perAZ: true}"), good: network("{type: natGateway}", "{type: natGateway, perAZ: true}")},
		{rule: "egress-instance-type", at: toolingNetwork + ":12", bad: network("{type: natGateway}", "{type: natInstance, instanceType: t4g}"), good: network("{type: natGateway}", "{type: natInstance, instanceType: m7i.metal-24xl}")},

		// Endpoints.
		{rule: "endpoint-duplicate", at: toolingNetwork + ":14", bad: network("ecr.dkr, logs]", "ecr.dkr, logs, logs]"), good: network("ecr.dkr, logs]", "ecr.dkr, logs, sts]")},
		{rule: "endpoint-duplicate", at: toolingNetwork + ":15", bad: network("gateway: [s3]", "gateway: [s3, s3]"), good: network("gateway: [s3]", "gateway: [s3, dynamodb]")},
		{rule: "endpoint-gateway-service", at: toolingNetwork + ":15", bad: network("gateway: [s3]", "gateway: [s3, sqs]"), good: network("gateway: [s3]", "gateway: [s3, dynamodb]")},
		{rule: "endpoint-name-form", at: toolingNetwork + ":14", bad: network("ecr.dkr, logs]", "ecr.dkr, com.amazonaws.eu-west-1.logs]"), good: network("ecr.dkr, logs]", "ecr.dkr, logs, ssm]")},
		{rule: "endpoint-unknown", at: toolingNetwork + ":14", bad: network("ecr.dkr, logs]", "ecr.dkr, log]"), good: network("ecr.dkr, logs]", "ecr.dkr, logs, codeconnections.api, email-smtp]")},
		{rule: "endpoint-s3-gateway", at: toolingNetwork + ":14", bad: network("logs]", "logs, s3]", "gateway: [s3]", "gateway: [dynamodb]"), good: network("logs]", "logs, s3]")},
		{rule: "endpoint-ecr-s3", at: toolingNetwork + ":14", bad: network("gateway: [s3]", "gateway: [dynamodb]"), good: network("gateway: [s3]", "gateway: [s3, dynamodb]")},
		{
			rule: "endpoint-no-private-tier", at: toolingNetwork + ":13",
			bad:  network("{name: private, type: private", "{name: private, type: public", "type: isolated", "type: public", "{type: natGateway}", "{type: none}"),
			good: network("{name: private, type: private", "{name: private, type: public", "{type: natGateway}", "{type: none}"),
		},

		// Flow logs.
		{rule: "flowlogs-option", at: toolingNetwork + ":16", bad: network("{trafficType: ALL, retentionDays: 365}", "{disabled: true, retentionDays: 365}"), good: network("{trafficType: ALL, retentionDays: 365}", "{disabled: true}")},
		{rule: "flowlogs-traffic-type", at: toolingNetwork + ":16", bad: network("trafficType: ALL", "trafficType: all"), good: network("trafficType: ALL", "trafficType: REJECT")},
		{rule: "flowlogs-retention", at: toolingNetwork + ":16", bad: network("retentionDays: 365", "retentionDays: 366"), good: network("retentionDays: 365", "retentionDays: 3653")},

		// VPCs of one account and region overlapping; the same block in
		// another account is fine.
		{
			rule: "cidr-overlap", at: "environments/tooling/desktops.yaml:6", related: "environments/tooling/network.yaml:6",
			bad:  plus(network(), "environments/tooling/desktops.yaml", oneVPCNetwork("tooling", "eu-west-1", "desktops", "10.0.128.0/17")),
			good: plus(network(), "environments/prod/desktops.yaml", oneVPCNetwork("prod", "eu-west-1", "desktops", "10.0.128.0/17")),
		},
	})
}

// manyTiers writes n /28 tiers, for a VPC with many subnets.
func manyTiers(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "      - {name: t%d, type: private, prefix: 28}\n", i)
	}
	return b.String()
}

// oneVPCNetwork is a network holding one plain VPC.
func oneVPCNetwork(account, region, vpc, cidr string) string {
	return "kind: Network\naccount: " + account + "\nregion: " + region + "\nvpcs:\n  - name: " + vpc + "\n    cidr: " + cidr +
		"\n    azCount: 2\n    subnets:\n      - {name: private, type: private, prefix: 24}\n    egress: {type: none}\n"
}

// TestOverlaps compares the sweep with every pair of random blocks.
func TestOverlaps(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		var blocks []cidrBlock
		seen := map[netip.Prefix]bool{}
		for i := range 40 {
			bits := 8 + r.IntN(9)
			a := netip.AddrFrom4([4]byte{10, byte(r.IntN(4)), byte(r.IntN(256)), 0})
			p := netip.PrefixFrom(a, bits+8).Masked()
			if seen[p] {
				continue // identical blocks are reported against the first copy only
			}
			seen[p] = true
			blocks = append(blocks, cidrBlock{prefix: p, group: []string{"x", "y"}[r.IntN(2)], index: i})
		}
		var want []string
		for i, a := range blocks {
			for _, b := range blocks[i+1:] {
				if a.group == b.group && a.prefix.Overlaps(b.prefix) {
					want = append(want, pairKey(a.index, b.index))
				}
			}
		}
		var got []string
		overlaps(slices.Clone(blocks), func(outer, inner int) { got = append(got, pairKey(outer, inner)) })
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("round %d: got pairs %v, want %v", round, got, want)
		}
	}
}

func TestOverlapsCopies(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/16")
	blocks := []cidrBlock{{prefix: p, index: 0}, {prefix: p, index: 1}, {prefix: p, index: 2}}
	var got []string
	overlaps(blocks, func(outer, inner int) { got = append(got, fmt.Sprint(outer, inner)) })
	if want := []string{"0 1", "0 2"}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func pairKey(a, b int) string {
	return fmt.Sprint(min(a, b), "-", max(a, b))
}
