package synthetic

import (
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

// BenchmarkLoadValidate measures gitops validate's work on a large estate:
// reading and decoding every file, then running every check.
func BenchmarkLoadValidate(b *testing.B) {
	dir := b.TempDir()
	if err := Generate(dir, benchAccounts, benchVPCs, benchRoutes); err != nil {
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
}
