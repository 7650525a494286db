package validate

import (
	"strings"
	"testing"
)

func TestAccountRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			rule: "account-id",
			at:   "accounts/dev.yaml:3",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"12345\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"012345678901\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\n"},
		},
		{
			rule:    "name-unique",
			at:      "accounts/tooling.yaml:4",
			related: "accounts/dev.yaml:4",
			bad:     map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: Tooling@Example.com\nrole: workload\nregions: [eu-west-1]\n"},
			good:    map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\n"},
		},
		{
			rule: "region-unknown",
			at:   "accounts/dev.yaml:6",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-l]\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\n"},
		},
		{
			rule: "account-tooling",
			bad:  map[string]string{"accounts/tooling.yaml": "kind: Account\nname: tooling\nid: \"111111111111\"\nemail: tooling@example.com\nrole: workload\nregions: [eu-west-1]\n"},
			// Near miss: another account takes the tooling role.
			good: map[string]string{
				"accounts/tooling.yaml": "kind: Account\nname: tooling\nid: \"111111111111\"\nemail: tooling@example.com\nrole: workload\nregions: [eu-west-1]\n",
				"accounts/tools.yaml":   "kind: Account\nname: tools\nid: \"444444444444\"\nemail: tools@example.com\nrole: tooling\nregions: [eu-west-1]\n",
			},
		},
		{
			rule: "account-quota",
			at:   "accounts/dev.yaml:9",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-west-1\n    vpcsPerRegion: 0\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-west-1\n    vpcsPerRegion: 1\n"},
		},
		{
			rule: "account-quota",
			at:   "accounts/dev.yaml:9",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-west-1\n    routesPerRouteTable: 1001\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-west-1\n    routesPerRouteTable: 1000\n"},
		},
		{
			rule: "account-quota",
			at:   "accounts/dev.yaml:8",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-north-1\n    vpcsPerRegion: 10\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-central-1\n    vpcsPerRegion: 10\n"},
		},
		{
			rule: "account-quota",
			at:   "accounts/dev.yaml:10",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-west-1\n    vpcsPerRegion: 10\n  - region: eu-west-1\n    routesPerRouteTable: 60\n"},
			// Near miss: each region once.
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1, eu-central-1]\nquotas:\n  - region: eu-west-1\n    vpcsPerRegion: 10\n  - region: eu-central-1\n    routesPerRouteTable: 60\n"},
		},
		{
			rule: "account-tag",
			at:   "accounts/dev.yaml:8",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  \"aws:cost\": x\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  \"cost:centre\": x\n"},
		},
		{
			rule: "account-tag",
			at:   "accounts/dev.yaml:8",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  team: \"Équipe <plateforme>!\"\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  team: \"Équipe plateforme @ Zürich\"\n"},
		},
		{
			rule: "account-tag",
			at:   "accounts/dev.yaml:8",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  Name: dev\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  name: dev\n"},
		},
		{
			rule: "account-tag",
			at:   "accounts/dev.yaml:8",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  long: " + strings.Repeat("v", 257) + "\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  long: " + strings.Repeat("v", 256) + "\n"},
		},
		{
			rule: "account-tag",
			at:   "accounts/dev.yaml:8",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  " + strings.Repeat("k", 129) + ": y\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\ntags:\n  " + strings.Repeat("k", 128) + ": y\n"},
		},
		{
			rule: "account-email",
			at:   "accounts/dev.yaml:4",
			bad:  map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: Dev <dev@example.com>\nrole: workload\nregions: [eu-west-1]\n"},
			good: map[string]string{"accounts/dev.yaml": "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\n"},
		},
	})
}

func TestLogicalIDCollision(t *testing.T) {
	network := func(second string) map[string]string {
		return map[string]string{"environments/prod/network.yaml": `kind: Network
account: prod
region: eu-west-1
vpcs:
  - name: app-1
    cidr: 10.1.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
    egress: {type: none}
  - name: ` + second + `
    cidr: 10.2.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
    egress: {type: none}
`}
	}
	runRuleCases(t, []ruleCase{{
		rule: "name-logical-id",
		at:   "environments/prod/network.yaml:11",
		bad:  network("app1"),
		good: network("app-2"),
	}})
}
