package apply

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"gitops/tools/internal/stacks"
)

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

var testAccountIDs = map[string]string{"tooling": "111111111111", "dev": "222222222222"}

// stackSpec declares a stack of a test deployment.
type stackSpec struct {
	id        string // account/region/name
	kind      stacks.Kind
	deps      []string
	params    []stacks.Parameter
	resources map[string]TemplateResource
	outputs   []string
}

// res is a template resource.
func res(typ string, props map[string]any) TemplateResource {
	return TemplateResource{Type: typ, Properties: props}
}

// body is the template of spec as gitops compile would write it.
func (spec stackSpec) body() string {
	tpl := map[string]any{"Resources": spec.resources}
	if len(spec.params) > 0 {
		params := map[string]any{}
		for _, p := range spec.params {
			params[p.Name] = map[string]any{"Type": "String"}
		}
		tpl["Parameters"] = params
	}
	if len(spec.outputs) > 0 {
		outs := map[string]any{}
		for _, o := range spec.outputs {
			outs[o] = map[string]any{"Value": map[string]any{"Ref": o + "Resource"}}
		}
		tpl["Outputs"] = outs
	}
	data, _ := json.MarshalIndent(tpl, "", " ")
	return string(data)
}

// compactBody is the template as apply sends it.
func (spec stackSpec) compactBody(t *testing.T) string {
	var v any
	if err := json.Unmarshal([]byte(spec.body()), &v); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(v)
	return string(data)
}

func (spec stackSpec) target() Target {
	account, rest, _ := strings.Cut(spec.id, "/")
	region, _, _ := strings.Cut(rest, "/")
	return Target{Account: account, AccountID: testAccountIDs[account], Region: region}
}

func (spec stackSpec) name() string { return "gitops-" + path.Base(spec.id) }

// writeDeployment writes a generated/ directory holding specs, in order,
// and loads it.
func writeDeployment(t *testing.T, specs ...stackSpec) *Deployment {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "generated")
	m := stacks.Manifest{Version: stacks.ManifestVersion}
	for _, name := range []string{"dev", "tooling"} {
		m.Accounts = append(m.Accounts, stacks.Account{Name: name, ID: testAccountIDs[name], DeployRole: "gitops-deploy"})
	}
	// The recipe whose AMI parameter the stateful tests change.
	m.ImageRecipes = []stacks.ImageRecipe{{Name: "runner", Account: "tooling", Region: "eu-west-1", Pipeline: "gitops-runner", Parameter: "/images/gitlab-runner"}}
	for _, spec := range specs {
		tgt := spec.target()
		file := spec.id + ".template.json"
		body := spec.body()
		if err := os.MkdirAll(filepath.Join(dir, path.Dir(file)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, file), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(body))
		kind := spec.kind
		if kind == "" {
			kind = stacks.KindNetwork
		}
		m.Stacks = append(m.Stacks, stacks.ManifestStack{
			StackHeader: stacks.StackHeader{
				ID: spec.id, Name: spec.name(), Kind: kind, Account: tgt.Account, AccountID: tgt.AccountID, Region: tgt.Region,
				Template:  file,
				DependsOn: append([]string{}, spec.deps...), Parameters: append([]stacks.Parameter{}, spec.params...),
				Outputs: append([]string{}, spec.outputs...),
			},
			SHA256:    hex.EncodeToString(sum[:]),
			Protected: stacks.ProtectedResources([]byte(body), m.AMIParameters()),
		})
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stacks.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return loadDeployment(t, dir)
}

// world is the fake AWS of a test: CloudFormation per account and region
// and a clock that only moves when apply waits.
type world struct {
	clock    *fakeClock
	clients  *fakeClients
	progress *syncBuffer
}

func newWorld() *world {
	clock := newFakeClock()
	return &world{clock: clock, clients: &fakeClients{clock: clock, cfs: map[Target]*fakeCF{}}, progress: &syncBuffer{}}
}

func (w *world) options() Options {
	return Options{
		Clients:       w.clients,
		ChangeSetName: "gitops-apply-test",
		PollInterval:  time.Second,
		Progress:      w.progress,
		Now:           w.clock.Now,
		Sleep:         w.clock.Sleep,
	}
}

func (w *world) cf(spec stackSpec) *fakeCF { return w.clients.cf(spec.target()) }

// deploy seeds the stack of spec as deployed, from its current template,
// in status.
func (w *world) deploy(t *testing.T, spec stackSpec, status types.StackStatus, params map[string]string) *fakeStack {
	return w.cf(spec).seed(spec.name(), status, spec.compactBody(t), params)
}

// outcomes lists "id outcome" per stack, for comparing a run at a glance.
func outcomes(r *Result) string {
	var lines []string
	for _, s := range r.Stacks {
		lines = append(lines, s.ID+" "+string(s.Outcome))
	}
	return strings.Join(lines, "\n")
}
