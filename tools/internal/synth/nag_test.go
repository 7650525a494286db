package synth

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

// TestNagFigures prints the cdk-nag figures of the example estate that the
// README quotes: the AwsSolutions acknowledgements and the NIST 800-53
// rev 5 findings. It costs a full synth with two packs, so it runs only
// when asked: GITOPS_NAG_FIGURES=1 go test -run TestNagFigures -v ./tools/internal/synth
func TestNagFigures(t *testing.T) {
	if os.Getenv("GITOPS_NAG_FIGURES") == "" {
		t.Skip("set GITOPS_NAG_FIGURES=1 to count the example estate's cdk-nag findings")
	}
	e, diags, err := load.LoadEstate("../../..")
	if err != nil || diags.Len() > 0 {
		t.Fatalf("loading the example estate: %v %v", err, diags.Items())
	}
	p, err := stacks.Build(e)
	if err != nil {
		t.Fatal(err)
	}
	aws, nist, err := NagFigures(p.Stacks, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range aws.Findings {
		t.Errorf("unacknowledged: %s", f)
	}
	fmt.Printf("AwsSolutions: %d acknowledged, %d unacknowledged\n", aws.Acknowledged, len(aws.Findings))
	fmt.Printf("NIST 800-53 rev 5: %d findings (%s), %d acknowledged\n", len(nist.Findings), byRule(nist.Findings), nist.Acknowledged)
}

// byRule counts findings by rule, most frequent first.
func byRule(findings []NagFinding) string {
	n := map[string]int{}
	for _, f := range findings {
		rule, _, _ := strings.Cut(f.Rule, "[")
		n[rule]++
	}
	rules := slices.SortedFunc(maps.Keys(n), func(a, b string) int { return cmp.Or(n[b]-n[a], strings.Compare(a, b)) })
	var parts []string
	for _, r := range rules {
		parts = append(parts, fmt.Sprintf("%s %d", strings.TrimPrefix(r, "NIST.800.53.R5-"), n[r]))
	}
	return strings.Join(parts, ", ")
}
