package diff

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
	"gitops/tools/internal/synthetic"
)

func loadEstate(t *testing.T, dir string) *estate.Estate {
	t.Helper()
	e, diags, err := load.LoadEstate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if diags.HasErrors() {
		t.Fatalf("%s: %v", dir, diags.Items())
	}
	return e
}

// On generated estates of several shapes, every subnet's logical id leads
// back to its VPC and tier (checked against plain indexing), and a tier's
// new prefix is named at its line and nowhere else.
func TestTracingOnSyntheticEstates(t *testing.T) {
	for _, shape := range []struct{ accounts, vpcs, routes int }{{2, 3, 4}, {5, 17, 30}, {9, 40, 80}} {
		t.Run(fmt.Sprintf("%d-accounts-%d-vpcs", shape.accounts, shape.vpcs), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "estate")
			if err := synthetic.Generate(dir, shape.accounts, shape.vpcs, shape.routes); err != nil {
				t.Fatal(err)
			}
			base := loadEstate(t, dir)
			docs := documents(base)
			subnets := 0
			for _, n := range base.Networks {
				h := &stacks.ManifestStack{StackHeader: stacks.StackHeader{Kind: stacks.KindNetwork, Account: n.Account, Region: n.Region}}
				for i, v := range n.VPCs {
					for j, tier := range v.Subnets {
						id := estate.Pascal(v.Name) + estate.Pascal(tier.Name) + "BSubnet"
						loc := locate(docs, h, id)
						wantKey := "vpcs[" + v.Name + "].subnets[" + tier.Name + "]"
						wantPath := fmt.Sprintf("vpcs[%d].subnets[%d]", i, j)
						if loc == nil || loc.doc.doc.File != n.File || loc.keyPath != wantKey || loc.path != wantPath {
							t.Fatalf("%s in %s/%s: located %+v, want %s (%s) in %s", id, n.Account, n.Region, loc, wantKey, wantPath, n.File)
						}
						subnets++
					}
				}
			}
			if subnets == 0 {
				t.Fatal("the synthetic estate has no subnets")
			}

			// Renumber the private tier of the last VPC of the last network file.
			file := base.Networks[len(base.Networks)-1].File
			path := filepath.Join(dir, file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			const tier = "{name: private, type: private, prefix: 22}"
			at := strings.LastIndex(string(data), tier)
			if at < 0 {
				t.Fatalf("%s has no %s", file, tier)
			}
			line := strings.Count(string(data[:at]), "\n") + 1
			edited := string(data[:at]) + strings.Replace(tier, "22", "23", 1) + string(data[at+len(tier):])
			if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
				t.Fatal(err)
			}
			head := loadEstate(t, dir)
			r := &Result{}
			addEstateFindings(r, newTracer(&Side{Estate: base, Manifest: &stacks.Manifest{}}, &Side{Estate: head, Manifest: &stacks.Manifest{}}))
			if len(r.Findings) != 1 {
				t.Fatalf("want one finding, got %v", r.Findings)
			}
			f := r.Findings[0]
			if f.Rule != "diff-subnet-renumber" || f.Pos.File != file || f.Pos.Line != line || !strings.Contains(f.Message, "private-a") {
				t.Errorf("finding %s, want diff-subnet-renumber at %s:%d naming private-a", f, file, line)
			}
		})
	}
}
