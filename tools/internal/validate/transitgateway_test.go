package validate

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
)

// tgwYAML is a valid gateway over the base estate: the tooling VPC build and
// the prod VPC app, attached through their private subnets.
const tgwYAML = `kind: TransitGateway
name: hub
account: tooling
region: eu-west-1
asn: 64512
shareWith: [prod]
attachments:
  - name: build
    vpc: build
    subnets: [private-a, private-b]
  - name: app
    vpc: app
    subnets: [private-a, private-b]
routeTables:
  - name: main
    associations: [build, app]
    propagations: [build, app]
    routes:
      - {destination: 10.99.0.0/16, blackhole: true}
`

const tgwFile = "environments/tooling/tgw.yaml"

// tgw returns the files of a row: tgwYAML with edits.
func tgw(edits ...string) map[string]string {
	return map[string]string{tgwFile: edited(tgwYAML, edits...)}
}

func at(line int) string { return fmt.Sprintf("%s:%d", tgwFile, line) }

const devAccount = "kind: Account\nname: dev\nid: \"333333333333\"\nemail: dev@example.com\nrole: workload\nregions: [eu-west-1]\n"

func TestTransitGatewayFixtureIsClean(t *testing.T) {
	if got := validateFiles(t, tgw()); len(got) > 0 {
		t.Errorf("tgwYAML yields findings:\n%s", render(got))
	}
}

func TestTransitGatewayRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		// The gateway.
		{rule: "tgw-name", at: at(2), bad: tgw("name: hub", "name: Hub"), good: tgw("name: hub", "name: hub-2")},
		{rule: "ref-account", at: at(3), bad: tgw("account: tooling", "account: toolin"), good: tgw()},
		{rule: "ref-region", at: at(4), bad: tgw("region: eu-west-1", "region: eu-west-3"), good: tgw()},
		{rule: "tgw-asn", at: at(5), bad: tgw("asn: 64512", "asn: 65535"), good: tgw("asn: 64512", "asn: 65534")},
		{rule: "tgw-asn", at: at(5), bad: tgw("asn: 64512", "asn: 4294967295"), good: tgw("asn: 64512", "asn: 4200000000")},

		// Sharing.
		{rule: "tgw-share-owner", at: at(6), bad: tgw("[prod]", "[prod, tooling]"), good: tgw()},
		{rule: "tgw-share-duplicate", at: at(6), bad: tgw("[prod]", "[prod, prod]"), good: tgw()},
		{rule: "ref-account", at: at(6), bad: tgw("[prod]", "[prod, dev]"), good: plus(tgw("[prod]", "[prod, dev]"), "accounts/dev.yaml", devAccount)},
		{
			rule: "tgw-organization", at: at(7),
			bad:  tgw("shareWith: [prod]\n", "shareWith: [prod]\norganization: o-exampleorgid\n"),
			good: tgw("shareWith: [prod]\n", "shareWith: [prod]\norganization: arn:aws:organizations::111111111111:ou/o-exampleorgid/ou-ab12-cd34ef56\n"),
		},
		{
			rule: "tgw-share-unused", at: at(6),
			bad:  plus(tgw("[prod]", "[prod, dev]"), "accounts/dev.yaml", devAccount),
			good: plus(tgw(), "accounts/dev.yaml", devAccount),
		},

		// Attachments.
		{rule: "tgw-name", at: at(11), bad: tgw("name: app\n", "name: App\n", "[build, app]", "[build, App]", "[build, app]", "[build, App]"), good: tgw("name: app\n", "name: app-2\n", "[build, app]", "[build, app-2]", "[build, app]", "[build, app-2]")},
		{rule: "ref-vpc", at: at(12), bad: tgw("vpc: app", "vpc: ap"), good: tgw()},
		{rule: "tgw-attachment-account", at: at(12), bad: tgw("shareWith: [prod]", "shareWith: []"), good: tgw()},
		{
			rule: "tgw-attachment-region", at: at(12),
			bad: map[string]string{
				tgwFile:                          tgwYAML,
				"accounts/prod.yaml":             "kind: Account\nname: prod\nid: \"222222222222\"\nemail: prod@example.com\nrole: workload\nregions: [eu-west-1, eu-west-2]\n",
				"environments/prod/network.yaml": oneVPCNetwork("prod", "eu-west-2", "app", "10.1.0.0/16"),
			},
			good: tgw(),
		},
		{rule: "tgw-attachment-subnets", at: at(13), bad: tgw("subnets: [private-a, private-b]\nrouteTables", "subnets: []\nrouteTables"), good: tgw()},
		{rule: "tgw-attachment-subnet", at: at(13), bad: tgw("[private-a, private-b]\nrouteTables", "[private-a, privat-b]\nrouteTables"), good: tgw()},
		{rule: "tgw-attachment-subnet-duplicate", at: at(13), bad: tgw("[private-a, private-b]\nrouteTables", "[private-a, private-b, private-b]\nrouteTables"), good: tgw("[private-a, private-b]\nrouteTables", "[private-b, private-a]\nrouteTables")},
		{rule: "tgw-attachment-zone", at: at(10), bad: tgw("[private-a, private-b]", "[private-a, public-a]"), good: tgw("[private-a, private-b]", "[private-a, public-b]")},
		{rule: "tgw-attachment-zone-missing", at: at(13), bad: tgw("[private-a, private-b]\nrouteTables", "[private-a]\nrouteTables"), good: tgw()},
		{
			rule: "tgw-attachment-vpc-duplicate", at: at(15),
			bad:  tgw("routeTables:", "  - name: app-again\n    vpc: app\n    subnets: [private-a, private-b]\nrouteTables:", "[build, app]", "[build, app, app-again]"),
			good: tgw(),
		},
		{
			rule: "tgw-attachment-overlap", at: at(12),
			bad:  map[string]string{tgwFile: tgwYAML, "environments/prod/network.yaml": oneVPCNetwork("prod", "eu-west-1", "app", "10.0.128.0/17")},
			good: tgw(),
		},
		{rule: "tgw-attachment-unassociated", at: at(11), bad: tgw("associations: [build, app]", "associations: [build]"), good: tgw("associations: [build, app]", "associations: [app, build]")},

		// Route tables.
		{rule: "tgw-name", at: at(15), bad: tgw("name: main", "name: main_table"), good: tgw("name: main", "name: main-table")},
		{rule: "tgw-route-table-unused", at: at(20), bad: tgw("blackhole: true}\n", "blackhole: true}\n  - name: spare\n    routes:\n      - {destination: 10.98.0.0/16, blackhole: true}\n"), good: tgw()},
		{rule: "tgw-association-duplicate", at: at(16), bad: tgw("associations: [build, app]", "associations: [build, app, app]"), good: tgw("associations: [build, app]", "associations: [app, build]")},
		{
			rule: "tgw-association-conflict", at: at(21),
			bad:  tgw("blackhole: true}\n", "blackhole: true}\n  - name: other\n    associations: [app]\n"),
			good: tgw("blackhole: true}\n", "blackhole: true}\n  - name: other\n    propagations: [app]\n"),
		},
		{rule: "tgw-ref-attachment", at: at(17), bad: tgw("propagations: [build, app]", "propagations: [build, ap]"), good: tgw()},
		{rule: "tgw-ref-attachment", at: at(16), bad: tgw("associations: [build, app]", "associations: [build, app, nope]"), good: tgw()},
		{rule: "tgw-propagation-duplicate", at: at(17), bad: tgw("propagations: [build, app]", "propagations: [build, app, build]"), good: tgw("propagations: [build, app]", "propagations: [app, build]")},

		// Routes.
		{rule: "cidr-invalid", at: at(19), bad: tgw("10.99.0.0/16", "10.99.0.0/40"), good: tgw("10.99.0.0/16", "10.99.0.0/32")},
		{rule: "cidr-host-bits", at: at(19), bad: tgw("10.99.0.0/16", "10.99.0.1/16"), good: tgw("10.99.0.0/16", "10.99.0.1/32")},
		{rule: "tgw-route-target", at: at(19), bad: tgw("blackhole: true}", "blackhole: true, attachment: app}"), good: tgw("blackhole: true}", "attachment: app}")},
		{rule: "tgw-route-target", at: at(19), bad: tgw(", blackhole: true}", "}"), good: tgw(", blackhole: true}", ", attachment: app}")},
		{rule: "tgw-ref-attachment", at: at(19), bad: tgw("blackhole: true}", "attachment: ap}"), good: tgw("blackhole: true}", "attachment: app}")},
		{
			rule: "tgw-route-duplicate", at: at(20), related: at(19),
			bad:  tgw("blackhole: true}\n", "blackhole: true}\n      - {destination: 10.99.0.0/16, attachment: app}\n"),
			good: tgw("blackhole: true}\n", "blackhole: true}\n      - {destination: 10.99.0.0/17, attachment: app}\n"),
		},
		{
			// Destinations are compared masked.
			rule: "tgw-route-duplicate", at: at(20),
			bad:  tgw("blackhole: true}\n", "blackhole: true}\n      - {destination: 10.99.1.0/16, attachment: app}\n"),
			good: tgw(),
		},
		{
			rule: "tgw-route-shadows-propagation", at: at(19),
			bad: tgw("10.99.0.0/16", "10.1.0.0/16"),
			// Without the propagation nothing is shadowed; app is not
			// associated either, or build's replies to it would be dropped
			// (reach-no-return).
			good: tgw("10.99.0.0/16", "10.1.0.0/16", "propagations: [build, app]", "propagations: [build]", "associations: [build, app]", "associations: [build]"),
		},
	})
}

// BenchmarkValidateLarge validates an estate of 2,000 VPCs in 20 accounts,
// all attached to one gateway with 20 route tables of 1,000 routes each.
func BenchmarkValidateLarge(b *testing.B) {
	e := largeEstate(b, 20, 100, 20, 1000)
	b.ResetTimer()
	for b.Loop() {
		if ds := Estate(e); ds.HasErrors() {
			b.Fatalf("the large estate has errors:\n%s", render(ds.Items()))
		}
	}
}

// largeEstate writes and loads an estate of accounts × vpcs VPCs, all
// attached to one gateway in the first account, with tables route tables
// of routes routes each.
func largeEstate(tb testing.TB, accounts, vpcs, tables, routes int) *estate.Estate {
	tb.Helper()
	root := tb.TempDir()
	write := func(name, body string) {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	var hub strings.Builder
	hub.WriteString("kind: TransitGateway\nname: hub\naccount: a0\nregion: eu-west-1\nasn: 64512\nshareWith: [")
	for a := 1; a < accounts; a++ {
		if a > 1 {
			hub.WriteString(", ")
		}
		fmt.Fprintf(&hub, "a%d", a)
	}
	hub.WriteString("]\nattachments:\n")
	var names []string
	for a := range accounts {
		role := "workload"
		if a == 0 {
			role = "tooling"
		}
		// Raised quotas: this many VPCs (and NAT gateways) per account, routes per gateway.
		write(fmt.Sprintf("accounts/a%d.yaml", a), fmt.Sprintf("kind: Account\nname: a%d\nid: \"%012d\"\nemail: a%d@example.com\nrole: %s\nregions: [eu-west-1]\n"+
			"quotas: [{region: eu-west-1, vpcsPerRegion: %d, elasticIpsPerRegion: %d, routesPerTransitGateway: %d}]\n", a, a+1, a, role, vpcs, vpcs, tables*(routes+len(names)+vpcs*accounts)))
		var net strings.Builder
		fmt.Fprintf(&net, "kind: Network\naccount: a%d\nregion: eu-west-1\nvpcs:\n", a)
		for v := range vpcs {
			n := a*vpcs + v
			name := fmt.Sprintf("vpc%d", n)
			names = append(names, name)
			// Each VPC a /22 of 10.0.0.0/8: 4,096 of them fit.
			fmt.Fprintf(&net, "  - name: %s\n    cidr: 10.%d.%d.0/22\n    azCount: 3\n    subnets:\n"+
				"      - {name: public, type: public, prefix: 26}\n      - {name: private, type: private, prefix: 24}\n      - {name: tgw, type: isolated, prefix: 28}\n"+
				"    egress: {type: natGateway}\n    endpoints:\n      interface: [ecr.api, ecr.dkr, logs, secretsmanager]\n      gateway: [s3]\n",
				name, n/64, (n%64)*4)
			fmt.Fprintf(&hub, "  - name: %s\n    vpc: %s\n    subnets: [tgw-a, tgw-b, tgw-c]\n", name, name)
		}
		write(fmt.Sprintf("environments/a%d/network.yaml", a), net.String())
	}
	hub.WriteString("routeTables:\n")
	per := len(names) / tables
	for r := range tables {
		fmt.Fprintf(&hub, "  - name: rt%d\n    associations: [%s]\n    propagations: [%s]\n    routes:\n",
			r, strings.Join(names[r*per:(r+1)*per], ", "), strings.Join(names, ", "))
		for q := range routes {
			// Destinations in 172.16.0.0/12, away from the VPCs: VPC route
			// tables summarise them.
			fmt.Fprintf(&hub, "      - {destination: 172.%d.%d.0/24, attachment: %s}\n", 16+q/256, q%256, names[(r*routes+q)%len(names)])
		}
	}
	write("environments/a0/tgw.yaml", hub.String())
	e, diags, err := load.LoadEstate(root)
	if err != nil {
		tb.Fatal(err)
	}
	if diags.HasErrors() {
		tb.Fatalf("the large estate does not load:\n%s", render(diags.Items()))
	}
	return e
}

// TestLargeEstate keeps the benchmark's estate valid, so the benchmark
// measures the clean path, and checks that one overlap in it is found once.
func TestLargeEstate(t *testing.T) {
	e := largeEstate(t, 4, 50, 4, 100)
	ds := Estate(e)
	if ds.Len() > 0 {
		t.Fatalf("findings:\n%s", render(ds.Items()))
	}
	e.Networks[1].VPCs[0].CIDR = e.Networks[0].VPCs[3].CIDR
	var got []diag.Diagnostic
	for _, d := range Estate(e).Items() {
		if d.Rule == "tgw-attachment-overlap" || d.Rule == "cidr-overlap" {
			got = append(got, d)
		}
	}
	if len(got) != 1 || got[0].Rule != "tgw-attachment-overlap" || !strings.Contains(got[0].Message, "vpc3") || !strings.Contains(got[0].Message, "vpc50") {
		t.Errorf("want one tgw-attachment-overlap of vpc3 and vpc50, got:\n%s", render(got))
	}
}

// FuzzNetworkAndGateway feeds arbitrary Network and TransitGateway documents
// to the checks over the base estate: whatever the input, they must not
// panic.
func FuzzNetworkAndGateway(f *testing.F) {
	f.Add([]byte(networkYAML), []byte(tgwYAML))
	f.Add([]byte(edited(networkYAML, "azCount: 2", "azCount: -5")), []byte(edited(tgwYAML, "[private-a, private-b]", "[x, x, private-a]")))
	f.Add([]byte(edited(networkYAML, "azCount: 2", "azs: [\"\", a, eu-west-1]")), []byte(edited(tgwYAML, "10.99.0.0/16", "::/0")))
	base := map[string][]byte{}
	for name, body := range baseEstate {
		base[name] = []byte(body)
	}
	f.Fuzz(func(t *testing.T, network, gateway []byte) {
		files := maps.Clone(base)
		files[toolingNetwork] = network
		files[tgwFile] = gateway
		e := &estate.Estate{Components: map[string]*estate.Component{}}
		diags := &diag.List{}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			for _, doc := range load.LoadBytes(name, files[name], diags) {
				load.AddDocument(e, doc)
			}
		}
		Estate(e)
	})
}
