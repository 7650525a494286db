package synthetic

import (
	"fmt"
	"testing"

	"gitops/tools/internal/load"
	"gitops/tools/internal/validate"
)

// The size the benchmark measures: a large organisation's estate.
const (
	benchAccounts = 500
	benchVPCs     = 2000
	benchRoutes   = 20000
)

// BenchmarkLoadValidate measures gitops validate's work on a large estate
// and on a very large one (2,000 accounts, 8,000 VPCs, 80,000 routes):
// reading and decoding every file, then running every check. Its figures
// and profile are in the README and in tools/bench.sh's notes.
func BenchmarkLoadValidate(b *testing.B) {
	for _, size := range []struct{ accounts, vpcs, routes int }{
		{benchAccounts, benchVPCs, benchRoutes},
		{2000, 8000, 80000},
	} {
		b.Run(fmt.Sprintf("%d-%d-%d", size.accounts, size.vpcs, size.routes), func(b *testing.B) {
			dir := b.TempDir()
			if err := Generate(dir, size.accounts, size.vpcs, size.routes); err != nil {
				b.Fatal(err)
			}
			if _, ds := loadAndValidate(b, dir); errorsOf(ds) != "" {
				b.Fatalf("the generated estate has errors:\n%s", errorsOf(ds))
			}
			b.ReportAllocs()
			for b.Loop() {
				e, diags, err := load.LoadEstate(dir)
				if err != nil {
					b.Fatal(err)
				}
				diags.Merge(validate.Estate(e))
			}
		})
	}
}
