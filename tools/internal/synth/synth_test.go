package synth

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden templates in testdata/golden")

const (
	fixtureRoot = "testdata/estate"
	goldenDir   = "testdata/golden"
)

func TestMain(m *testing.M) {
	flag.Parse()
	for k, v := range Env {
		os.Setenv(k, v)
	}
	jsii.Close()
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// planEstate loads the fixture estate with files laid over it and plans it.
func planEstate(t *testing.T, over map[string]string) *stacks.Plan {
	t.Helper()
	root := fixtureRoot
	if len(over) > 0 {
		root = t.TempDir()
		if err := os.CopyFS(root, os.DirFS(fixtureRoot)); err != nil {
			t.Fatal(err)
		}
		for name, body := range over {
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(name)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	e, diags, err := load.LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	if diags.Len() > 0 {
		t.Fatalf("loading %s: %v", root, diags.Items())
	}
	p, err := stacks.Build(e)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// synthesize returns the templates of the plan's stacks by template path.
// The CDK runs in node: without it, the test is skipped.
func synthesize(t *testing.T, p *stacks.Plan) map[string][]byte {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH; the CDK needs it")
	}
	byID, err := Templates(p.Stacks, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, s := range p.Stacks {
		out[s.Template] = byID[s.ID]
	}
	return out
}

// fixture memoizes the fixture's templates: the slowest part of the tests.
var fixture struct {
	plan      *stacks.Plan
	templates map[string][]byte
}

func fixtureTemplates(t *testing.T) (*stacks.Plan, map[string][]byte) {
	t.Helper()
	if fixture.plan == nil {
		p := planEstate(t, nil)
		fixture.templates = synthesize(t, p)
		fixture.plan = p
	}
	return fixture.plan, fixture.templates
}

// TestGolden compares every template of the fixture estate with its golden
// file; run with -update to accept changes, then review the diff.
func TestGolden(t *testing.T) {
	_, templates := fixtureTemplates(t)
	if *update {
		os.RemoveAll(goldenDir)
	}
	var want []string
	for path, got := range templates {
		golden := filepath.Join(goldenDir, filepath.FromSlash(path))
		want = append(want, golden)
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		exp, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run go test -update)", path, err)
			continue
		}
		if !bytes.Equal(exp, got) {
			t.Errorf("%s differs from %s (run go test -update and review the diff)", path, golden)
		}
	}
	// No golden file may be left over from a stack that is gone.
	filepath.WalkDir(goldenDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !slices.Contains(want, p) {
			t.Errorf("golden file %s has no stack", p)
		}
		return nil
	})
}

// TestDeterministic synthesizes the fixture again and expects the same bytes.
func TestDeterministic(t *testing.T) {
	_, first := fixtureTemplates(t)
	again := synthesize(t, planEstate(t, nil))
	for path, b := range first {
		if !bytes.Equal(b, again[path]) {
			t.Errorf("%s differs between two synths", path)
		}
	}
}

// TestPlainTemplates checks what every template must avoid: Lambda-backed
// custom resources, functions whose code is not inline, bootstrap assets,
// CDK metadata and dummy zones.
func TestPlainTemplates(t *testing.T) {
	_, templates := fixtureTemplates(t)
	for path, b := range templates {
		tmpl := parse(t, b)
		for lid, r := range tmpl.Resources {
			switch {
			case strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::CloudFormation::CustomResource":
				t.Errorf("%s: %s is a %s", path, lid, r.Type)
			case r.Type == "AWS::Lambda::Function":
				// Only inline code (the chat notifications): nothing to upload.
				if code, _ := r.Properties["Code"].(map[string]any); len(code) != 1 || code["ZipFile"] == nil {
					t.Errorf("%s: function %s has code other than inline: %v", path, lid, r.Properties["Code"])
				}
			case strings.HasPrefix(r.Type, "AWS::Lambda::") && r.Type != "AWS::Lambda::Permission":
				t.Errorf("%s: %s is a %s", path, lid, r.Type)
			}
		}
		for _, banned := range []string{"CDKMetadata", "BootstrapVersion", "dummy1", "cdk-hnb659fds", "aws:cdk:path"} {
			if bytes.Contains(b, []byte(banned)) {
				t.Errorf("%s contains %s", path, banned)
			}
		}
	}
}

// TestCfnLint runs cfn-lint over the fixture's templates and the GitLab
// variant's, and fails on any error (warnings are allowed).
func TestCfnLint(t *testing.T) {
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not on PATH")
	}
	_, templates := fixtureTemplates(t)
	dir := t.TempDir()
	write := func(prefix string, ts map[string][]byte) {
		for path, b := range ts {
			p := filepath.Join(dir, prefix, filepath.FromSlash(path))
			os.MkdirAll(filepath.Dir(p), 0o755)
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	write("fixture", templates)
	write("variant", variantTemplates(t))
	files, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "*.json"))
	cmd := exec.Command(lint, append([]string{"--format", "parseable"}, files...)...)
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode()&2 != 0 {
		t.Errorf("cfn-lint found errors:\n%s", out)
	} else if err != nil && !ok {
		t.Fatal(err)
	}
}

// template is the part of a CloudFormation template the tests read.
type template struct {
	Parameters map[string]map[string]any `json:"Parameters"`
	Resources  map[string]resource       `json:"Resources"`
	Outputs    map[string]map[string]any `json:"Outputs"`
}

type resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DependsOn      []string       `json:"DependsOn"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	UpdateReplace  string         `json:"UpdateReplacePolicy"`
}

func parse(t *testing.T, b []byte) template {
	t.Helper()
	var tmpl template
	if err := json.Unmarshal(b, &tmpl); err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// ofType returns the template's resources of one type, by logical ID.
func (tmpl template) ofType(typ string) map[string]resource {
	out := map[string]resource{}
	for id, r := range tmpl.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// only returns the single resource of a type.
func (tmpl template) only(t *testing.T, typ string) resource {
	t.Helper()
	rs := tmpl.ofType(typ)
	if len(rs) != 1 {
		t.Fatalf("want one %s, got %d", typ, len(rs))
	}
	for _, r := range rs {
		return r
	}
	return resource{}
}

// get walks a JSON value by keys and indexes.
func get(v any, path ...any) any {
	for _, k := range path {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
