package synthetic

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
	"gitops/tools/internal/validate"
)

// loadAndValidate runs the first two stages over dir, as gitops validate does.
func loadAndValidate(tb testing.TB, dir string) (*estate.Estate, []diag.Diagnostic) {
	tb.Helper()
	e, diags, err := load.LoadEstate(dir)
	if err != nil {
		tb.Fatal(err)
	}
	diags.Merge(validate.Estate(e))
	return e, diags.Items()
}

func errorsOf(ds []diag.Diagnostic) string {
	var b strings.Builder
	for _, d := range ds {
		if d.Severity == diag.Error {
			b.WriteString(d.String() + "\n")
		}
	}
	return b.String()
}

func TestGeneratedEstateValidates(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		accounts, vpcs, routes int
		gateways               int
		prefix                 int
	}{
		{"routes as /24s", 7, 40, 400, 1, 24},
		{"fewer accounts: raised VPC quotas", 3, 20, 200, 1, 24},
		{"more accounts than VPCs", 6, 3, 0, 1, 0},
		{"several gateways, both private ranges", 8, 40, 2*RoutesPerGateway + 1, 3, 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := Generate(dir, tc.accounts, tc.vpcs, tc.routes); err != nil {
				t.Fatal(err)
			}
			e, ds := loadAndValidate(t, dir)
			if errs := errorsOf(ds); errs != "" {
				t.Fatalf("the generated estate has errors:\n%s", errs)
			}
			for _, d := range ds {
				t.Logf("warning: %s", d)
			}
			checkShape(t, e, tc.accounts, tc.vpcs, tc.routes, tc.gateways, tc.prefix)
		})
	}
}

// TestEveryAcceptedShapeValidates: every size Generate accepts gives an
// estate validate passes. The only finding allowed is the warning that a
// VPC no route reaches, when there are fewer routes than VPCs.
func TestEveryAcceptedShapeValidates(t *testing.T) {
	type shape struct{ accounts, vpcs, routes int }
	var shapes []shape
	for _, accounts := range []int{1, 2, 7} {
		for _, vpcs := range []int{1, 2, 5, 33, 260} {
			for _, routes := range []int{0, 1, 199, 257, 600} {
				shapes = append(shapes, shape{accounts, vpcs, routes})
			}
		}
	}
	shapes = append(shapes,
		shape{100, 400, 400}, shape{100, 400, 4000}, shape{3, 300, 301}, shape{40, 300, 599},
		shape{50, 300, 10001}, // three gateways
		shape{1, 5, 25000},    // five gateways, past the destinations
		shape{4, 7, 30001},    // more gateways than AWS's default five
		shape{3, 4100, 5001},  // more VPCs than 10.0.0.0/8 has /20s
		shape{300, 500, 1000}, // a workload account per VPC or two
		shape{1, 400, 0},      // one account's 400 VPCs over three gateways
	)
	for _, sh := range shapes {
		t.Run(fmt.Sprintf("%d-%d-%d", sh.accounts, sh.vpcs, sh.routes), func(t *testing.T) {
			dir := t.TempDir()
			if err := Generate(dir, sh.accounts, sh.vpcs, sh.routes); err != nil {
				t.Fatal(err)
			}
			_, ds := loadAndValidate(t, dir)
			for _, d := range ds {
				if d.Rule != "reach-attachment-unrouted" || sh.routes >= sh.vpcs || d.Severity == diag.Error {
					t.Error(d)
				}
			}
		})
	}
}

// checkShape checks what the checks may not: the sizes asked for, distinct
// VPC blocks and route destinations, and each route outside every VPC.
func checkShape(t *testing.T, e *estate.Estate, accounts, vpcs, routes, gateways, prefix int) {
	t.Helper()
	if len(e.Accounts) != accounts {
		t.Errorf("%d accounts, want %d", len(e.Accounts), accounts)
	}
	tooling := 0
	for _, a := range e.Accounts {
		if a.Role == "tooling" {
			tooling++
		}
	}
	if tooling != 1 {
		t.Errorf("%d tooling accounts, want 1", tooling)
	}
	blocks := map[string]netip.Prefix{}
	for _, n := range e.Networks {
		for _, v := range n.VPCs {
			p := netip.MustParsePrefix(v.CIDR)
			for name, other := range blocks {
				if p.Overlaps(other) {
					t.Fatalf("VPC %s (%s) overlaps %s (%s)", v.Name, p, name, other)
				}
			}
			blocks[v.Name] = p
		}
	}
	if len(blocks) != vpcs {
		t.Errorf("%d VPCs, want %d", len(blocks), vpcs)
	}
	if len(e.TransitGateways) != gateways {
		t.Errorf("%d gateways, want %d", len(e.TransitGateways), gateways)
	}
	attached, total := map[string]bool{}, 0
	dests := map[netip.Prefix]bool{}
	for _, g := range e.TransitGateways {
		for _, at := range g.Attachments {
			attached[at.VPC] = true
		}
		for _, rt := range g.RouteTables {
			for _, r := range rt.Routes {
				total++
				d := netip.MustParsePrefix(r.Destination)
				if dests[d] {
					t.Fatalf("destination %s twice", d)
				}
				dests[d] = true
				if _, ok := blocks[r.Attachment]; d.Bits() != prefix || !ok || netip.MustParsePrefix("10.0.0.0/8").Overlaps(d) {
					t.Fatalf("route to %s goes to %s; want a /%d outside the VPCs", d, r.Attachment, prefix)
				}
			}
		}
	}
	if total != routes {
		t.Errorf("%d routes, want %d", total, routes)
	}
	if len(attached) != vpcs {
		t.Errorf("%d VPCs attached, want all %d", len(attached), vpcs)
	}
}

func TestGenerateRefusesImpossibleSizes(t *testing.T) {
	for _, tc := range []struct{ accounts, vpcs, routes int }{
		{0, 1, 0},
		{1, 0, 0},
		{1, 4097, 0},
		{1, 2, 1<<14 + 1<<12 + 1},
		{1, 1, -1},
		{1, 1, RoutesPerGateway + 1},
	} {
		if err := Generate(t.TempDir(), tc.accounts, tc.vpcs, tc.routes); err == nil {
			t.Errorf("Generate(%d accounts, %d VPCs, %d routes) succeeded", tc.accounts, tc.vpcs, tc.routes)
		}
	}
}

// TestRandomEstatesPlanWithinLimits is the property validate promises:
// an estate it passes plans (compile's first step) into stacks inside
// CloudFormation's limits, with every VPC route table inside its quota.
// The synth package checks the same on real templates for a few seeds.
func TestRandomEstatesPlanWithinLimits(t *testing.T) {
	passed, regionalBuckets := 0, 0
	const draws = 40
	for seed := range uint64(draws) {
		dir := t.TempDir()
		if err := Random(dir, seed); err != nil {
			t.Fatal(err)
		}
		e, ds := loadAndValidate(t, dir)
		if errorsOf(ds) != "" {
			for _, d := range ds {
				if d.Severity == diag.Error && !strings.HasPrefix(d.Rule, "limit-") && !strings.HasPrefix(d.Rule, "quota-") {
					t.Fatalf("seed %d: the generator wrote an invalid estate: %s", seed, d)
				}
				if d.Severity == diag.Error {
					t.Logf("seed %d: refused: %s", seed, d.Rule)
				}
			}
			continue
		}
		passed++
		p, err := stacks.Build(e)
		if err != nil {
			t.Fatalf("seed %d: validate passed, the planner failed: %v", seed, err)
		}
		for _, s := range p.Stacks {
			if s.Resources() > stacks.MaxResources || len(s.Parameters) > stacks.MaxParameters || len(s.Outputs) > stacks.MaxOutputs || len(s.Name) > stacks.MaxStackName {
				t.Errorf("seed %d: stack %s: %d resources, %d parameters, %d outputs", seed, s.ID, s.Resources(), len(s.Parameters), len(s.Outputs))
			}
		}
		checkVPCRouteTables(t, seed, e, p)
		regionalBuckets += checkTemplateBuckets(t, seed, p)
	}
	// The property must not hold vacuously.
	if passed < draws/2 {
		t.Errorf("only %d of %d random estates validate", passed, draws)
	}
	if regionalBuckets == 0 {
		t.Errorf("no random estate has a stack outside its account's deploy-role region: the template buckets went untested")
	}
	t.Logf("%d of %d random estates validate; %d template-bucket stacks", passed, draws, regionalBuckets)
}

// checkVPCRouteTables counts each VPC route table's routes independently
// of validate: local, default, gateway endpoints, routes to gateways.
func checkVPCRouteTables(t *testing.T, seed uint64, e *estate.Estate, p *stacks.Plan) {
	t.Helper()
	perTable := map[string]int{}
	for _, s := range p.Stacks {
		if s.Network != nil {
			for _, a := range s.Network.Attachments {
				for _, r := range a.Routes {
					perTable[s.Network.VPCs[0].Name+"/"+r.Subnet]++
				}
			}
		}
	}
	quota := map[string]int{}
	for _, a := range e.Accounts {
		for _, q := range a.Quotas {
			quota[a.Name+"/"+q.Region] = q.RoutesPerRouteTable
		}
	}
	for _, s := range p.Stacks {
		if s.Network == nil {
			continue
		}
		limit := quota[s.Account+"/"+s.Region]
		if limit == 0 {
			limit = 50
		}
		for _, v := range s.Network.VPCs {
			for _, sub := range v.Subnets {
				n := 1 + len(v.GatewayEndpoints) + perTable[v.Name+"/"+sub.Name]
				if sub.DefaultRoute != "" {
					n++
				}
				if n > limit {
					t.Errorf("seed %d: route table of %s/%s holds %d routes, quota %d", seed, v.Name, sub.Name, n, limit)
				}
			}
		}
	}
}

// TestServicesEstatesValidate: the estates with every document kind are
// meant to be valid, and plan within CloudFormation's limits.
func TestServicesEstatesValidate(t *testing.T) {
	kinds := map[stacks.Kind]bool{}
	for seed := range uint64(20) {
		dir := t.TempDir()
		if err := Services(dir, seed); err != nil {
			t.Fatal(err)
		}
		e, ds := loadAndValidate(t, dir)
		if errs := errorsOf(ds); errs != "" {
			t.Fatalf("seed %d: %s", seed, errs)
		}
		p, err := stacks.Build(e)
		if err != nil {
			t.Fatalf("seed %d: validate passed, the planner failed: %v", seed, err)
		}
		for _, s := range p.Stacks {
			kinds[s.Kind] = true
			if s.Resources() > stacks.MaxResources || len(s.Parameters) > stacks.MaxParameters || len(s.Outputs) > stacks.MaxOutputs || len(s.Name) > stacks.MaxStackName {
				t.Errorf("seed %d: stack %s: %d resources, %d parameters, %d outputs", seed, s.ID, s.Resources(), len(s.Parameters), len(s.Outputs))
			}
		}
	}
	for _, k := range []stacks.Kind{stacks.KindGitLab, stacks.KindMirrors, stacks.KindImageRecipe, stacks.KindPipeline, stacks.KindApplication, stacks.KindTGWRouting} {
		if !kinds[k] {
			t.Errorf("no draw plans a %s stack", k)
		}
	}
}
