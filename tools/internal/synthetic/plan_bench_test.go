package synthetic

import (
	"testing"

	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

// BenchmarkPlan measures the planner (which validate runs for the limits)
// on the benchmark's estate.
func BenchmarkPlan(b *testing.B) {
	dir := b.TempDir()
	if err := Generate(dir, benchAccounts, benchVPCs, benchRoutes); err != nil {
		b.Fatal(err)
	}
	e, _, err := load.LoadEstate(dir)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := stacks.Build(e); err != nil {
			b.Fatal(err)
		}
	}
}
