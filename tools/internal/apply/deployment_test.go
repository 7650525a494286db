package apply

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitops/tools/internal/stacks"
)

func TestLoadDeploymentRefusesWhatCompileDidNotWrite(t *testing.T) {
	cases := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  string
	}{
		{"template edited by hand", func(t *testing.T, dir string) {
			appendFile(t, filepath.Join(dir, "tooling/eu-west-1/hub.template.json"), " ")
		}, "stack tooling/eu-west-1/hub: tooling/eu-west-1/hub.template.json does not match the manifest's sha256 (edited by hand?); run gitops compile"},
		{"template missing", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, "dev/eu-west-1/app.template.json"))
		}, "stack dev/eu-west-1/app: open"},
		{"no manifest", func(t *testing.T, dir string) {
			os.Remove(filepath.Join(dir, stacks.ManifestFile))
		}, "reading the manifest: open"},
		{"other manifest version", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *stacks.Manifest) { m.Version = 99 })
		}, "manifest version 99, this gitops reads version 1"},
		{"dependency listed later", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *stacks.Manifest) { m.Stacks[0].DependsOn = []string{"dev/eu-west-1/app"} })
		}, "stack dev/eu-west-1/deploy-role depends on dev/eu-west-1/app, which the manifest does not list before it"},
		{"template outside generated/", func(t *testing.T, dir string) {
			editManifest(t, dir, func(m *stacks.Manifest) { m.Stacks[0].Template = "../elsewhere.json" })
		}, `template path "../elsewhere.json" leaves`},
		{"template over CloudFormation's 1 MB", func(t *testing.T, dir string) {
			editDeployment(t, dir, func(m *stacks.Manifest, templates map[string]map[string]any) {
				templates["tooling/eu-west-1/hub"]["Description"] = strings.Repeat("x", stacks.MaxTemplateBytes)
			})
		}, "stack tooling/eu-west-1/hub: template is 104"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyDeployment(t, "twoaccounts")
			c.spoil(t, dir)
			_, err := LoadDeployment(dir)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want one containing %q", err, c.want)
			}
		})
	}
	if _, err := LoadDeployment(copyDeployment(t, "twoaccounts")); err != nil {
		t.Errorf("the intact deployment: %v", err)
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

func editManifest(t *testing.T, dir string, edit func(m *stacks.Manifest)) {
	t.Helper()
	var m stacks.Manifest
	readJSON(t, filepath.Join(dir, stacks.ManifestFile), &m)
	edit(&m)
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stacks.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestSelect(t *testing.T) {
	d := loadDeployment(t, copyDeployment(t, "twoaccounts"))
	cases := []struct {
		stacks, accounts []string
		want             string // selected IDs, or the error
	}{
		{nil, nil, "dev/eu-west-1/deploy-role tooling/eu-west-1/deploy-role tooling/eu-west-1/hub dev/eu-west-1/app"},
		{[]string{"gitops-hub"}, nil, "tooling/eu-west-1/hub"},
		{[]string{"dev/eu-west-1/app", "tooling/eu-west-1/hub"}, nil, "tooling/eu-west-1/hub dev/eu-west-1/app"},
		{nil, []string{"dev"}, "dev/eu-west-1/deploy-role dev/eu-west-1/app"},
		{nil, []string{"111111111111"}, "tooling/eu-west-1/deploy-role tooling/eu-west-1/hub"},
		{[]string{"gitops-deploy-role"}, []string{"tooling"}, "tooling/eu-west-1/deploy-role"},
		{[]string{"gitops-hbu"}, nil, `the manifest has no stack "gitops-hbu" (did you mean "gitops-hub"?)`},
		{nil, []string{"tolling"}, `the manifest has no account "tolling" (did you mean "tooling"?)`},
	}
	for _, c := range cases {
		selected, err := d.Select(c.stacks, c.accounts)
		var got string
		if err != nil {
			got = err.Error()
		} else {
			var ids []string
			for _, s := range selected {
				ids = append(ids, s.ID)
			}
			got = strings.Join(ids, " ")
		}
		if got != c.want {
			t.Errorf("--stack %q --account %q: %s, want %s", c.stacks, c.accounts, got, c.want)
		}
	}
}

func TestParseAllowReplace(t *testing.T) {
	allowed, err := ParseAllowReplace([]string{"AWS::EFS::FileSystem/Data", "AWS::RDS::DBCluster/Db,AWS::S3::Bucket/Logs"})
	if err != nil || len(allowed) != 3 || !allowed["AWS::S3::Bucket/Logs"] {
		t.Errorf("allowed %v, %v", allowed, err)
	}
	for _, bad := range []string{"Data", "AWS::EFS::FileSystem", "EFS/Data", "AWS::EFS::FileSystem/"} {
		if _, err := ParseAllowReplace([]string{bad}); err == nil || !strings.Contains(err.Error(), "want TYPE/ID") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// A stack its pipeline deploys (with approvals) is not apply's to deploy.
func TestLoadDeploymentLeavesPipelineStacksToTheirPipeline(t *testing.T) {
	dir := copyDeployment(t, "twoaccounts")
	var app string
	editManifest(t, dir, func(m *stacks.Manifest) {
		last := &m.Stacks[len(m.Stacks)-1]
		last.DeployedBy = "tooling/eu-west-1/pipeline-webapp"
		app = last.ID
	})
	d, err := LoadDeployment(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d.Stack(app) != nil {
		t.Errorf("stack %s, deployed by its pipeline, is in apply's deployment", app)
	}
	if len(d.Stacks) == 0 {
		t.Error("no stack left for apply")
	}
}
