package schema

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	yaml "github.com/goccy/go-yaml"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = "../../.."

// TestSchemasUpToDate fails when the committed schemas/ differ from what
// the model generates, so a model change cannot ship without its schemas.
func TestSchemasUpToDate(t *testing.T) {
	files, err := Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(Kinds) {
		t.Fatalf("generated %d files, want %d", len(files), len(Kinds))
	}
	stale, err := Stale(repoRoot, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("out of date: %s\nrun `go run ./tools/cmd/gitops schema` from the repository root and commit the result",
			strings.Join(stale, ", "))
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, err := Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a {
		if !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Path)
		}
		if !bytes.HasSuffix(a[i].Data, []byte("}\n")) {
			t.Errorf("%s does not end in a newline", a[i].Path)
		}
	}
}

// compileSchemas compiles the committed schema files, by kind.
func compileSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	// format: email is an assertion here, as it is for the loader's checks.
	c.AssertFormat()
	for _, k := range Kinds {
		f, err := os.Open(filepath.Join(repoRoot, filepath.FromSlash(k.Path())))
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", k.Path(), err)
		}
		if err := c.AddResource(BaseID+path.Base(k.Path()), doc); err != nil {
			t.Fatalf("%s: %v", k.Path(), err)
		}
	}
	out := map[string]*jsonschema.Schema{}
	for _, k := range Kinds {
		s, err := c.Compile(BaseID + path.Base(k.Path()))
		if err != nil {
			t.Fatalf("%s: %v", k.Path(), err)
		}
		out[k.Kind] = s
	}
	return out
}

// yamlDocuments decodes every document of a YAML file into the values a
// JSON decoder would produce: mappings with string keys, lists, scalars.
func yamlDocuments(data []byte) ([]any, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []any
	for {
		var v any
		err := dec.Decode(&v)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, err
		}
		if v != nil {
			docs = append(docs, jsonValue(v))
		}
	}
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = jsonValue(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[yamlKey(k)] = jsonValue(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = jsonValue(e)
		}
		return x
	}
	return v
}

func yamlKey(k any) string {
	if s, ok := k.(string); ok {
		return s
	}
	b, _ := yaml.Marshal(k)
	return strings.TrimSpace(string(b))
}

// leafErrors flattens a validation error into "location keyword" lines.
func leafErrors(err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			kw := e.ErrorKind.KeywordPath()
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/")+" "+strings.Join(kw, "/"))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	slices.Sort(out)
	return out
}

const validAccount = `kind: Account
name: prod
id: "400000000004"
email: aws-prod@example.com
role: workload
regions: [eu-west-1]
`

const validGitLab = `kind: GitLab
name: gitlab
account: tooling
region: eu-west-1
network: {vpc: gitlab, subnets: private}
image: {tag: 17.11.1-ce.0, source: ecrCopy}
cpu: 2048
memory: 8192
database: {type: embedded}
smtp: {type: none}
alb: {subnets: private, allowedCidrs: [10.11.0.0/16]}
rootEmail: root@example.com
`

// TestSchemaRejects proves the schemas refuse what the loader refuses, and
// accept the valid documents they are laid over.
func TestSchemaRejects(t *testing.T) {
	schemas := compileSchemas(t)
	cases := []struct {
		name string
		kind string
		yaml string
		want string // a leaf error, "" when the document is valid
	}{
		{"valid account", "Account", validAccount, ""},
		{"unknown key", "Account", validAccount + "owner: me\n", "/ additionalProperties"},
		{"unknown nested key", "GitLab", strings.Replace(validGitLab, "{type: none}", "{type: none, port: 25}", 1), "/smtp additionalProperties"},
		{"wrong type", "Account", strings.Replace(validAccount, `"400000000004"`, "400000000004", 1), "/id type"},
		{"wrong list type", "Account", strings.Replace(validAccount, "[eu-west-1]", "eu-west-1", 1), "/regions type"},
		{"missing required key", "Account", strings.Replace(validAccount, "role: workload\n", "", 1), "/ required"},
		{"kind is a const", "Account", strings.Replace(validAccount, "kind: Account", "kind: Network", 1), "/kind const"},
		{"enum", "Account", strings.Replace(validAccount, "role: workload", "role: admin", 1), "/role enum"},
		{"pattern with a comma", "Account", strings.Replace(validAccount, "name: prod", "name: "+strings.Repeat("a", 64), 1), "/name pattern"},
		{"email format", "Account", strings.Replace(validAccount, "aws-prod@example.com", "aws-prod.example.com", 1), "/email format"},
		{"valid gitlab", "GitLab", validGitLab, ""},
		{"gitlabRb scalars", "GitLab", validGitLab + "gitlabRb:\n  a['s']: text\n  a['i']: 3\n  a['f']: 1.5\n  a['b']: true\n", ""},
		{"gitlabRb mapping", "GitLab", validGitLab + "gitlabRb:\n  a['m']: {x: 1}\n", "/gitlabRb/a['m'] type"},
		{"gitlabRb list", "GitLab", validGitLab + "gitlabRb:\n  a['l']: [1]\n", "/gitlabRb/a['l'] type"},
		{"memory minimum", "GitLab", strings.Replace(validGitLab, "memory: 8192", "memory: 4096", 1), "/memory minimum"},
		{"valid component", "", "name: c\nschemaVersion: \"1.0\"\nphases:\n  - name: build\n    steps:\n      - {name: S, action: ExecuteBash, inputs: {commands: [true]}}\n", ""},
		{"component phase", "", "name: c\nschemaVersion: \"1.0\"\nphases:\n  - name: deploy\n    steps:\n      - {name: S, action: ExecuteBash}\n", "/phases/0/name enum"},
		{"component step name", "", "name: c\nschemaVersion: \"1.0\"\nphases:\n  - name: build\n    steps:\n      - {name: a step, action: ExecuteBash}\n", "/phases/0/steps/0/name pattern"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := yamlDocuments([]byte(tc.yaml))
			if err != nil || len(docs) != 1 {
				t.Fatalf("fixture: %d documents, %v", len(docs), err)
			}
			got := schemas[tc.kind].Validate(docs[0])
			if tc.want == "" {
				if got != nil {
					t.Fatalf("rejected a valid document: %v", got)
				}
				return
			}
			if got == nil {
				t.Fatalf("accepted it, want %s", tc.want)
			}
			if leaves := leafErrors(got); !slices.ContainsFunc(leaves, func(l string) bool { return strings.HasPrefix(l, tc.want) }) {
				t.Fatalf("errors %q, want one starting %q", leaves, tc.want)
			}
		})
	}
}

func TestTagPattern(t *testing.T) {
	cases := []struct {
		tag, want string
		ok        bool
	}{
		{`pattern=^[0-9]{12}$`, `^[0-9]{12}$`, true},
		{`pattern=^[a-z][a-z0-9-]{0,62}$`, `^[a-z][a-z0-9-]{0,62}$`, true},
		{`minLength=1,pattern=^[A-Za-z0-9+=,.@_-]{1,64}$,maxLength=64`, `^[A-Za-z0-9+=,.@_-]{1,64}$`, true},
		{`pattern=^cron\(.+\)$`, `^cron\(.+\)$`, true},
		{`pattern=^(a|b),minItems=1`, `^(a|b)`, true},
		{`enum=a,enum=b`, ``, false},
		{``, ``, false},
	}
	for _, tc := range cases {
		got, ok := tagPattern(tc.tag)
		if got != tc.want || ok != tc.ok {
			t.Errorf("tagPattern(%q) = %q, %v; want %q, %v", tc.tag, got, ok, tc.want, tc.ok)
		}
	}
}
