package validate

import (
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
)

func TestComponentRules(t *testing.T) {
	runRuleCases(t, componentRows())
}

// componentRows are the rule rows: each edits the good fixture to break one rule.
func componentRows() []ruleCase {
	cf := componentFile
	return []ruleCase{
		editRow("component-name", cf, "name: harden", "name: x", "name: x", "name: Harden OS_2"),
		editRow("component-description", cf, "description: Harden the OS.", "description: "+strings.Repeat("ü", 1025), "description:", "description: "+strings.Repeat("ü", 1024)),
		editRow("component-schema-version", cf, "schemaVersion: 1.0", "schemaVersion: 2.0", "schemaVersion", `schemaVersion: "1.0"`),
		{
			// Two letters; the near miss has three, the shortest name allowed.
			rule: "component-variable",
			at:   lineOf(cf, edit(goodComponent, "  - Banner:", "  - Bn:"), "Bn:"),
			bad:  recipeFiles(cf, edit(goodComponent, "  - Banner:", "  - Bn:")),
			good: recipeFiles(cf, edit(edit(goodComponent, "  - Banner:", "  - Ban:"), "{{ Banner }}", "{{ Ban }}")),
		},
		{
			rule: "component-variable",
			at:   lineOf(cf, edit(goodComponent, "  - ConfigDir:", "  - 'Banner':"), "'Banner'"),
			bad:  recipeFiles(cf, edit(goodComponent, "  - ConfigDir:", "  - 'Banner':")),
			good: recipeFiles(cf, edit(edit(goodComponent, "  - ConfigDir:", "  - 'Banner2':"), "{{ ConfigDir }}", "{{ Banner2 }}")),
		},
		editRow("component-variable", cf, "      value: /etc/harden\n", "", "ConfigDir:", "      value: /etc/harden2\n"),
		withFixtureNearMiss(editRow("component-variable", cf, "  - Level:\n      type: string", "  - Level:\n      type: int", "type: int", "  - Level:\n      type: string"), "string, the one type AWSTOE knows (type is required)"),
		withFixtureNearMiss(editRow("component-variable", cf, "      default: Authorized use only", "      value: Authorized use only", "value: Authorized", "      default: Authorized use only"), "default: in place of value:"),
		editRow("component-parameter-secret", cf, "  - Banner:", "  - GitLabToken:\n      type: string\n      default: none\n  - Banner:", "GitLabToken", "  - GitLabTokenSecretId:\n      type: string\n      default: gitlab/token\n  - Banner:"),
		withFixtureNearMiss(editRow("component-phase", cf, "  - name: validate", "  - name: Validate", "Validate", "  - name: validate"), "the phase name in lower case"),
		withFixtureNearMiss(editRow("component-phase", cf, "  - name: test", "  - name: container-host-test", "container-host-test", "  - name: test"), "test, the AMI phase container-host-test stands for"),
		withFixtureNearMiss(editRow("component-phase-duplicate", cf, "  - name: validate", `  - name: "build"`, `"build"`, "  - name: validate"), "the only other phase names are the ones the fixture uses"),
		editRow("component-step-name", cf, "      - name: Patch", "      - name: Patch.All", "Patch.All", "      - name: Patch_All-2"),
		editRow("component-step-duplicate", cf, "      - name: Patch", `      - name: "Fetch"`, `"Fetch"`, `      - name: "Fetch2"`),
		editRow("component-action", cf, "action: UpdateOS", "action: UpdateOs", "UpdateOs", "action: Reboot"),
		editRow("component-action", cf, "action: UpdateOS", "action: InstallPackages", "InstallPackages", "action: Reboot"),
		editRow("component-inputs", cf, "commands: ['ping -c1 {{ hosts.value }}']", "commands: 'ping -c1 {{ hosts.value }}'", "commands: 'ping", "commands:\n            - 'ping -c1 {{ hosts.value }}'"),
		editRow("component-inputs", cf, "commands: ['ping -c1 {{ hosts.value }}']", "commands: []", "commands: []", "file: /tmp/ping.sh"),
		editRow("component-inputs", cf, "commands: ['ping -c1 {{ hosts.value }}']", "commands: [x]\n          file: /tmp/ping.sh", "file: /tmp/ping.sh", "commands: [x]"),
		editRow("component-inputs", cf, "source: s3://my-bucket/harden.sh", "source: https://my-bucket/harden.sh", "https://my-bucket", "source: s3://my-bucket/scripts/*"),
		editRow("component-inputs", cf, "source: https://example.com/tool.tgz", "source: example.com/tool.tgz", "example.com/tool", "source: '{{ Banner }}'"),
		withFixtureNearMiss(editRow("component-inputs", cf, "            destination: /tmp/tool.tgz\n", "", "source: https://example.com", "            destination: /tmp/tool.tgz\n"), "the one required input put back"),
		editRow("component-inputs", cf, "            destination: /tmp/tool.tgz\n", "            destination: /tmp/tool.tgz\n            checksum: abc\n", "checksum: abc", "            destination: /tmp/tool.tgz\n            checksum: abc\n            algorithm: sha256\n"),
		withFixtureNearMiss(editRow("component-inputs", cf, "          - path: /etc/harden/level\n", "          - pth: /etc/harden/level\n", "pth:", "          - path: /etc/harden/level\n"), "the key spelt right"),
		editRow("component-inputs", cf, "inputs: {delaySeconds: 10}", "inputs: {delaySeconds: soon}", "delaySeconds", "inputs: {delaySeconds: 0}"),
		editRow("component-inputs", cf, "inputs: {delaySeconds: 10}", "inputs: [1, 2]", "inputs: [1", "inputs: {}"),
		editRow("component-inputs", cf, "inputs: {stringEquals: x, value: x}", "inputs: {}", "inputs: {}", "inputs: {numberEquals: 1, value: 1}"),
		editRow("component-inputs", cf, "        action: UpdateOS\n", "        action: DeleteFile\n", "action: DeleteFile", "        action: DeleteFile\n        inputs: [{path: /tmp/x}]\n"),
		editRow("component-input-unknown", cf, "destination: /tmp/tool.tgz", "destination: /tmp/tool.tgz\n            overwrit: true", "overwrit", "destination: /tmp/tool.tgz\n            overwrite: true"),
		withFixtureNearMiss(editRow("component-insecure-download", cf, "source: https://example.com/tool.tgz", "source: http://example.com/tool.tgz", "http://", "source: https://example.com/tool.tgz"), "one letter: https"),
		editRow("component-on-failure", cf, "onFailure: Abort", "onFailure: abort", "onFailure", "onFailure: Continue"),
		editRow("component-timeout", cf, "timeoutSeconds: 600", "timeoutSeconds: 0", "timeoutSeconds", "timeoutSeconds: -1"),
		editRow("component-max-attempts", cf, "maxAttempts: 2", "maxAttempts: 0", "maxAttempts", "maxAttempts: 1"),
		editRow("component-loop", cf, "forEach: [a, b]", "forEach: [a, b]\n          for: {start: 1, end: 2, updateBy: 1}", "loop:", "for: {start: 1, end: 2, updateBy: 1}"),
		editRow("component-reference", cf, "{{ Level }}'\n            - 'mkdir", "{{ Levle }}'\n            - 'mkdir", "{{ Levle }}", "{{ Banner }}'\n            - 'mkdir"),
		editRow("component-reference", cf, "{{ build.Download.inputs", "{{ build.Downlod.inputs", "build.Downlod", "{{ build.Fetch.inputs"),
		editRow("component-reference", cf, "{{ build.Download.inputs", "{{ build.Config.inputs", "build.Config", "{{ build.Fetch.inputs"),
		editRow("component-reference", cf, "{{ hosts.value }}", "{{ host.value }}", "host.value", "{{ loop.index }}"),
		withFixtureNearMiss(editRow("component-reference", cf, "content: '{{ Level }}'", "content: '{{ loop.value }}'", "loop.value", "content: '{{ Level }}'"), "loop.value inside a loop is the Ping step of the fixture"),
		withFixtureNearMiss(editRow("component-reference", cf, "action: Assert\n        inputs: {stringEquals: x, value: x}", "action: Assert\n        inputs: {stringEquals: x, value: '{{ build.Run.outputs.stdout }}'}", "build.Run.outputs", "action: Assert\n        inputs: {stringEquals: x, value: x}"), "the validate phase of the fixture already chains build outputs by inputs"),
		editRow("component-secret", cf, "            - DB_PASSWORD=$(aws", "            - DB_PASSWORD=hunter2 $(aws", "DB_PASSWORD=hunter2", "            - DB_PASSWORD=\"$(aws"),
		editRow("component-secret", cf, "            - DB_PASSWORD=$(aws", "            - export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP $(aws", "AKIA", "            - export AWS_ACCESS_KEY_ID=$(aws"),
		editRow("component-secret", cf, "            - DB_PASSWORD=$(aws", "            - mysql --password s3cr3t $(aws", "--password s3cr3t", "            - docker login --password-stdin $(aws"),
		editRow("component-secret", cf, "content: '{{ Level }}'", "content: '-----BEGIN RSA PRIVATE KEY-----'", "PRIVATE KEY", "content: '-----BEGIN CERTIFICATE-----'"),
		editRow("component-secret", cf, "default: Authorized use only", "default: glpat-abcdefghijklmnopqrstuv", "glpat-", "default: glpat-placeholder"),
		{
			rule: "component-unused",
			at:   "imagerecipes/components/spare.yaml:1",
			bad:  recipeFiles("imagerecipes/components/spare.yaml", "name: spare\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - {name: Patch, action: UpdateOS}\n"),
			// Near miss: a recipe uses it.
			good: recipeFiles("imagerecipes/components/spare.yaml", "name: spare\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - {name: Patch, action: UpdateOS}\n",
				recipeFile, edit(goodRecipe, "tests:\n", "  - file: components/spare.yaml\ntests:\n")),
		},
		{
			rule: "name-unique",
			at:   "imagerecipes/components/spare.yaml:1",
			bad: recipeFiles("imagerecipes/components/spare.yaml", "name: harden\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - {name: Patch, action: UpdateOS}\n",
				recipeFile, edit(goodRecipe, "tests:\n", "  - file: components/spare.yaml\ntests:\n")),
			good: recipeFiles("imagerecipes/components/spare.yaml", "name: spare\nschemaVersion: 1.0\nphases:\n  - name: build\n    steps:\n      - {name: Patch, action: UpdateOS}\n",
				recipeFile, edit(goodRecipe, "tests:\n", "  - file: components/spare.yaml\ntests:\n")),
		},
	}
}

// withFixtureNearMiss marks a row whose nearest good input is the fixture.
func withFixtureNearMiss(tc ruleCase, why string) ruleCase {
	tc.fixtureNearMiss = why
	return tc
}

func TestSecretPatterns(t *testing.T) {
	for _, tc := range []struct {
		s      string
		secret bool
	}{
		{"export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", true},
		{"ASIAIOSFODNN7EXAMPLE", true},
		{"echo password=hunter2 > /etc/app.conf", true},
		{`GITLAB_ROOT_PASSWORD="s3cr3t"`, true},
		{"export GITLAB_TOKEN=abc123def456", true},
		{"curl -H 'PRIVATE-TOKEN: x' --token abc123 https://gitlab", true},
		{"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", true},
		{"git clone https://oauth2:glpat-abcdefghijklmnopqrst@gitlab/x.git", true},
		{"-----BEGIN OPENSSH PRIVATE KEY-----", true},
		{"DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString --output text)", false},
		{"PASSWORD=`cat /run/secrets/db`", false},
		{"TOKEN=$(curl -X PUT http://169.254.169.254/latest/api/token)", false},
		{"password={{ DbPassword }}", false},
		{"password=${DB_PASSWORD}", false},
		{"password=", false},
		{`password=""`, false},
		{"docker login --password-stdin", false},
		{"aws secretsmanager get-secret-value --secret-id=db-password", false},
		{"echo 'Set the password: done'", false},
		{"TOKEN_TTL=21600", false},
	} {
		got := false
		for _, p := range secretPatterns {
			got = got || p.re.MatchString(tc.s)
		}
		if got != tc.secret {
			t.Errorf("%q: secret = %v, want %v", tc.s, got, tc.secret)
		}
	}
}

// FuzzRecipeChecks feeds arbitrary component and recipe documents to the
// loader and the checks: whatever the input, they must not panic.
func FuzzRecipeChecks(f *testing.F) {
	f.Add(goodComponent, goodRecipe)
	f.Add("name: a\nschemaVersion: 1\nphases: [{name: build, steps: [{name: a, action: S3Download, inputs: [[1], {source: 5}]}]}]\n", goodApp)
	f.Add("name: a\nschemaVersion: x\nparameters: [{}, {a: {type: string}, b: {}}]\nphases:\n- name: test\n  steps:\n  - {name: a, action: Assert, loop: {for: {updateBy: 0}}, inputs: '{{ }}{{ . }}{{ test..x }}'}\n",
		"kind: ImageRecipe\nname: app\nparent: {recipe: app}\ncomponents: [{file: components/harden.yaml, parameters: {a: b}}, {}]\nschedule: {cron: 'cron(,,, - / #)'}\n")
	f.Fuzz(func(t *testing.T, component, recipe string) {
		diags := &diag.List{}
		e := &estate.Estate{Components: map[string]*estate.Component{}}
		for _, d := range load.LoadBytes(componentFile, []byte(component), diags) {
			if comp, ok := d.(*estate.Component); ok {
				e.Components["components/harden.yaml"] = comp
			}
		}
		for _, file := range []string{recipeFile, appFile} {
			for _, d := range load.LoadBytes(file, []byte(recipe), diags) {
				if r, ok := d.(*estate.ImageRecipe); ok {
					e.ImageRecipes = append(e.ImageRecipes, r)
				}
			}
		}
		Estate(e)
	})
}
