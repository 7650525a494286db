package cli

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The compile benchmarks use the real synth worker (node and the CDK): run
//
//	go test ./tools/internal/cli -run '^$' -bench Compile -benchtime 1x
//
// Full compiles start from an empty cache; no-op compiles from a current
// generated/ and a warm cache.

// realWorker builds gitops-synth once per benchmark run.
func realWorker(b *testing.B) string {
	b.Helper()
	mod := findGitopsModule(".")
	if mod == "" {
		b.Skip("not inside the gitops module")
	}
	out := filepath.Join(b.TempDir(), "gitops-synth")
	cmd := exec.Command("go", "build", "-o", out, "./tools/cmd/gitops-synth")
	cmd.Dir = mod
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Skipf("cannot build the synth worker: %v\n%s", err, msg)
	}
	return out
}

// syntheticEstate writes an estate of one tooling and 49 workload accounts,
// each with a network: 100 stacks.
func syntheticEstate(b *testing.B) string {
	b.Helper()
	root := b.TempDir()
	write := func(name, body string) {
		p := filepath.Join(root, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for i := range 50 {
		name, role := fmt.Sprintf("acct%02d", i), "workload"
		if i == 0 {
			role = "tooling"
		}
		write("accounts/"+name+".yaml", fmt.Sprintf("kind: Account\nname: %s\nid: \"%012d\"\nemail: %s@example.com\nrole: %s\nregions: [eu-west-1]\n", name, 100000000000+i, name, role))
		write("environments/"+name+"/network.yaml", fmt.Sprintf(`kind: Network
account: %s
region: eu-west-1
vpcs:
  - name: vpc%02d
    cidr: 10.%d.0.0/16
    azCount: 2
    subnets:
      - {name: public, type: public, prefix: 24}
      - {name: private, type: private, prefix: 22}
    egress: {type: natGateway}
    endpoints: {gateway: [s3]}
`, name, i, i))
	}
	return root
}

func benchmarkCompile(b *testing.B, root string, noop bool) {
	worker := realWorker(b)
	b.Setenv("GITOPS_SYNTH", worker)
	cache := b.TempDir()
	b.Setenv("GITOPS_CACHE", cache)
	out := filepath.Join(b.TempDir(), "generated")
	if noop {
		if code := compile(root, out, false, io.Discard, os.Stderr); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
	b.ResetTimer()
	for i := range b.N {
		if !noop {
			b.StopTimer()
			os.RemoveAll(out)
			b.Setenv("GITOPS_CACHE", filepath.Join(cache, fmt.Sprint(i)))
			b.StartTimer()
		}
		if code := compile(root, out, false, io.Discard, os.Stderr); code != ExitOK {
			b.Fatalf("exit %d", code)
		}
	}
}

// exampleEstate is the estate at the repository's root.
func exampleEstate(b *testing.B) string {
	b.Helper()
	root := findGitopsModule(".")
	if root == "" {
		b.Skip("not inside the gitops module")
	}
	return root
}

func BenchmarkCompileExampleFull(b *testing.B)      { benchmarkCompile(b, exampleEstate(b), false) }
func BenchmarkCompileExampleNoOp(b *testing.B)      { benchmarkCompile(b, exampleEstate(b), true) }
func BenchmarkCompileFixtureFull(b *testing.B)      { benchmarkCompile(b, estateFixture, false) }
func BenchmarkCompileFixtureNoOp(b *testing.B)      { benchmarkCompile(b, estateFixture, true) }
func BenchmarkCompileSynthetic100Full(b *testing.B) { benchmarkCompile(b, syntheticEstate(b), false) }
func BenchmarkCompileSynthetic100NoOp(b *testing.B) { benchmarkCompile(b, syntheticEstate(b), true) }
