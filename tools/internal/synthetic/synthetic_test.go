package synthetic

import (
	"net/netip"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
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
	} {
		if err := Generate(t.TempDir(), tc.accounts, tc.vpcs, tc.routes); err == nil {
			t.Errorf("Generate(%d accounts, %d VPCs, %d routes) succeeded", tc.accounts, tc.vpcs, tc.routes)
		}
	}
}
