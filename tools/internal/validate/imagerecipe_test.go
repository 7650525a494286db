package validate

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
)

const (
	recipeFile    = "imagerecipes/golden-base.yaml"
	appFile       = "imagerecipes/app.yaml"
	componentFile = "imagerecipes/components/harden.yaml"
)

// goodRecipe is a valid recipe in the tooling account that distributes to
// prod; rows edit one line of it.
const goodRecipe = `kind: ImageRecipe
name: golden-base
account: tooling
region: eu-west-1
version: 1.0.0
parent:
  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
components:
  - managed: update-linux
    version: 1.0.x
  - file: components/harden.yaml
    parameters: {Level: high}
tests:
  - arn: arn:aws:imagebuilder:eu-west-1:aws:component/reboot-test-linux/x.x.x
instanceTypes: [t3.medium, m7i-flex.large]
network: {vpc: build, subnets: private}
distribution:
  - {account: tooling, region: eu-west-1}
  - {account: prod, region: eu-west-1}
ssmParameter: /gitops/ami/golden-base
schedule: {cron: "cron(0 3 ? * sun *)"}
`

// goodApp builds on golden-base in the prod account (which golden-base
// distributes to).
const goodApp = `kind: ImageRecipe
name: app
account: prod
region: eu-west-1
version: 2.1.0
parent: {recipe: golden-base}
components:
  - file: components/harden.yaml
    parameters: {Level: low}
instanceTypes: [t3.medium]
network: {vpc: app, subnets: private}
distribution:
  - {account: prod, region: eu-west-1}
ssmParameter: /gitops/ami/app
`

// goodComponent is a valid AWSTOE document written as AWS writes them
// (schemaVersion 1.0 unquoted), using parameters, constants, chaining and a
// loop.
const goodComponent = `name: harden
description: Harden the OS.
schemaVersion: 1.0
parameters:
  - Level:
      type: string
  - Banner:
      type: string
      default: Authorized use only
constants:
  - ConfigDir:
      type: string
      value: /etc/harden
phases:
  - name: build
    steps:
      - name: Download
        action: S3Download
        inputs:
          - source: s3://my-bucket/harden.sh
            destination: /tmp/harden.sh
      - name: Fetch
        action: WebDownload
        inputs:
          - source: https://example.com/tool.tgz
            destination: /tmp/tool.tgz
      - name: Run
        action: ExecuteBash
        timeoutSeconds: 600
        maxAttempts: 2
        onFailure: Abort
        inputs:
          commands:
            - 'bash {{ build.Download.inputs[0].destination }} {{ Level }}'
            - 'mkdir -p {{ ConfigDir }} && echo "{{ Banner }}" > /etc/motd'
            - DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id db --query SecretString --output text)
      - name: Config
        action: CreateFile
        inputs:
          - path: /etc/harden/level
            content: '{{ Level }}'
      - name: Ping
        action: ExecuteBash
        loop:
          name: hosts
          forEach: [a, b]
        inputs:
          commands: ['ping -c1 {{ hosts.value }}']
      - name: RebootStep
        action: Reboot
        inputs: {delaySeconds: 10}
      - name: Patch
        action: UpdateOS
  - name: validate
    steps:
      - name: Run
        action: ExecuteBash
        inputs:
          commands: ['test -f {{ build.Config.inputs[0].path }}']
  - name: test
    steps:
      - name: Check
        action: Assert
        inputs: {stringEquals: x, value: x}
`

var goodBodies = map[string]string{recipeFile: goodRecipe, appFile: goodApp, componentFile: goodComponent}

// recipeFiles returns the good recipe and component with files laid over
// them, given as name, body pairs.
func recipeFiles(pairs ...string) fileSet {
	files := fileSet{recipeFile: goodRecipe, componentFile: goodComponent}
	for i := 0; i+1 < len(pairs); i += 2 {
		files[pairs[i]] = pairs[i+1]
	}
	return files
}

// edit replaces the first old in body with new; it panics when old is
// missing, so a row gone stale fails loudly instead of passing.
// lineOf returns file:line of the first line of body that contains s.
func lineOf(file, body, s string) string {
	for i, line := range strings.Split(body, "\n") {
		if strings.Contains(line, s) {
			return file + ":" + strconv.Itoa(i+1)
		}
	}
	panic("lineOf: " + strconv.Quote(s) + " not in " + file)
}

// editRow is a row that edits one fixture file: old becomes bad (the finding
// must point at the line holding at, unless at is empty) or good.
func editRow(rule, file, old, bad, at, good string) ruleCase {
	body := goodBodies[file]
	badBody := edit(body, old, bad)
	tc := ruleCase{rule: rule, bad: recipeFiles(file, badBody), good: recipeFiles(file, edit(body, old, good))}
	if at != "" {
		tc.at = lineOf(file, badBody, at)
	}
	return tc
}

// releaseRecipe is validRecipe passing the pipeline's release to a component.
var releaseRecipe = edit(validRecipe, "  - managed: update-linux\n", "  - managed: update-linux\n  - file: components/harden.yaml\n    parameters: {Level: gitops:release}\n")

func TestImageRecipeRules(t *testing.T) {
	runRuleCases(t, recipeRows())
}

// recipeRows are the rule rows: each edits the good fixture to break one rule.
func recipeRows() []ruleCase {
	withApp := func(app string) fileSet { return recipeFiles(appFile, app) }
	return []ruleCase{
		editRow("recipe-name", recipeFile, "name: golden-base", "name: Golden_Base", "Golden_Base", "name: golden-base-2"),
		{
			// Near miss: the account declares the region and has a VPC there.
			rule: "ref-region",
			at:   lineOf(recipeFile, goodRecipe, "region: eu-west-1"),
			bad:  recipeFiles(recipeFile, edit(goodRecipe, "region: eu-west-1\nversion", "region: eu-west-2\nversion")),
			good: recipeFiles(recipeFile, edited(goodRecipe, "region: eu-west-1\nversion", "region: eu-west-2\nversion", "vpc: build", "vpc: build2", "imagebuilder:eu-west-1:aws", "imagebuilder:eu-west-2:aws"),
				"accounts/tooling.yaml", edit(baseEstate["accounts/tooling.yaml"], "[eu-west-1]", "[eu-west-1, eu-west-2]"),
				"environments/tooling/london.yaml", edit(edit(edit(baseEstate[toolingNetworkFile], "region: eu-west-1", "region: eu-west-2"), "cidr: 10.0.0.0/16", "cidr: 10.2.0.0/16"), "name: build", "name: build2")),
		},
		editRow("recipe-description", recipeFile, "version: 1.0.0", "description: "+strings.Repeat("ü", 1025)+"\nversion: 1.0.0", "description:", "description: "+strings.Repeat("ü", 1024)+"\nversion: 1.0.0"),
		editRow("recipe-version", recipeFile, "version: 1.0.0", `version: "1.0"`, `version: "1.0"`, "version: 2.10.300"),
		editRow("recipe-version", recipeFile, "version: 1.0.0", "version: 1.0.x", "version: 1.0.x", "version: 1073741823.0.0"),
		editRow("recipe-parent", recipeFile, "  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n", "  ami: ami-0123456789abcdef0\n  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n", "ssmParameter: /aws", "  ami: ami-0123456789abcdef0\n"),
		editRow("recipe-parent", recipeFile, "  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n", "  {}\n", "parent:", "  ami: ami-0123456789abcdef0\n"),
		editRow("recipe-parent-ami", recipeFile, "ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "ami: ami-12345", "ami-12345", "ami: ami-12345678"),
		withFixtureNearMiss(editRow("recipe-parent-ssm", recipeFile, "ssmParameter: /aws/service/", "ssmParameter: ssm:/aws/service/", "ssm:/aws", "ssmParameter: /aws/service/"), "the ssm: prefix dropped"),
		withFixtureNearMiss(editRow("recipe-parent-ssm", recipeFile, "ssmParameter: /aws/service/", "ssmParameter: /aws//service/", "/aws//service", "ssmParameter: /aws/service/"), "one slash"),
		{
			rule: "ref-recipe",
			at:   lineOf(appFile, goodApp, "parent:"),
			bad:  withApp(edit(goodApp, "recipe: golden-base", "recipe: golden-bse")),
			good: withApp(edit(goodApp, "recipe: golden-base", "recipe: golden-bse")).withRecipe(edit(goodRecipe, "name: golden-base", "name: golden-bse")),
		},
		withFixtureNearMiss(editRow("recipe-parent-self", appFile, "recipe: golden-base", "recipe: app", "recipe: app", "recipe: golden-base"), "its real parent; no other recipe exists"),
		{
			rule: "recipe-parent-cycle",
			// app sorts before golden-base, so the cycle is reported at app.
			at:  lineOf(appFile, goodApp, "parent:"),
			bad: withApp(goodApp).withRecipe(edit(goodRecipe, "  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n", "  recipe: app\n")),
			// The same inversion with app's own parent no longer golden-base.
			good: withApp(edit(edit(goodApp, "{recipe: golden-base}", "{ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64}"),
				"  - {account: prod, region: eu-west-1}\n", "  - {account: prod, region: eu-west-1}\n  - {account: tooling, region: eu-west-1}\n")).
				withRecipe(edit(goodRecipe, "  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\n", "  recipe: app\n")),
		},
		{
			rule: "recipe-parent-placement",
			at:   lineOf(appFile, goodApp, "parent:"),
			bad:  withApp(goodApp).withRecipe(edit(goodRecipe, "  - {account: prod, region: eu-west-1}\n", "")),
			good: withApp(goodApp).withRecipe(edit(goodRecipe, "  - {account: tooling, region: eu-west-1}\n", "")),
		},
		withFixtureNearMiss(editRow("recipe-component-source", recipeFile, "  - managed: update-linux\n", "  - managed: update-linux\n    file: components/harden.yaml\n", "file: components/harden.yaml", "  - managed: update-linux\n"), "one source per entry; a second entry would duplicate harden"),
		editRow("recipe-component-source", recipeFile, "  - managed: update-linux\n    version: 1.0.x\n", "  - {}\n", "- {}", "  - managed: update-linux\n"),
		editRow("recipe-component-version", recipeFile, "version: 1.0.x", "version: 1.x.0", "version: 1.x.0", "version: 1.x.x"),
		withFixtureNearMiss(editRow("recipe-component-version", recipeFile, "    parameters: {Level: high}\n", "    parameters: {Level: high}\n    version: 1.2.3\n", "version: 1.2.3", "    parameters: {Level: high}\n"), "version on the managed component only"),
		withFixtureNearMiss(editRow("recipe-component-arn", recipeFile, "imagebuilder:eu-west-1:aws", "imagebuilder:us-east-1:aws", "us-east-1", "imagebuilder:eu-west-1:aws"), "the recipe's own region"),
		editRow("recipe-component-arn", recipeFile, "component/reboot-test-linux/x.x.x", "reboot-test-linux", "reboot-test-linux", "component/reboot-test-linux/1.0.0/1"),
		editRow("recipe-component-arn", recipeFile, "reboot-test-linux/x.x.x", "reboot-test-linux/x.1.x", "x.1.x", "reboot-test-linux/1.x.x"),
		editRow("recipe-component-managed", recipeFile, "managed: update-linux", "managed: arn:aws:imagebuilder:eu-west-1:aws:component/update-linux/x.x.x", "managed: arn", "managed: amazon-cloudwatch-agent-linux"),
		{
			rule: "recipe-component-file",
			at:   lineOf(recipeFile, goodRecipe, "file: components/harden.yaml"),
			bad:  recipeFiles(recipeFile, edit(goodRecipe, "file: components/harden.yaml", "file: components/hardn.yaml")),
			good: recipeFiles(recipeFile, edit(goodRecipe, "file: components/harden.yaml", "file: components/hardn.yaml"), "imagerecipes/components/hardn.yaml", edit(goodComponent, "name: harden", "name: hardn")),
		},
		withFixtureNearMiss(editRow("recipe-component-file", recipeFile, "file: components/harden.yaml", "file: imagerecipes/components/harden.yaml", "imagerecipes/components", "file: components/harden.yaml"), "the path relative to the recipe's directory"),
		withFixtureNearMiss(editRow("recipe-component-parameters", recipeFile, "    version: 1.0.x\n", "    version: 1.0.x\n    parameters: {Level: high}\n", "parameters", "    version: 1.0.x\n"), "parameters on the file component, as the fixture has them"),
		editRow("recipe-component-parameter", recipeFile, "{Level: high}", "{Level: high, Bnner: hi}", "Bnner", "{Level: high, Banner: hi}"),
		editRow("recipe-component-parameter-missing", recipeFile, "    parameters: {Level: high}\n", "", "file: components/harden.yaml", "    parameters: {Level: \"\"}\n"),
		editRow("recipe-component-secret", recipeFile, "{Level: high}", "{Level: AKIAABCDEFGHIJKLMNOP}", "AKIA", "{Level: AKIA-is-not-a-key}"),
		{
			// The release is the build of the pipeline baking the recipe.
			rule: "recipe-release-unbaked",
			at:   lineOf(webappRecipeFile, releaseRecipe, "gitops:release"),
			bad:  withPipeline(map[string]string{webappRecipeFile: releaseRecipe, componentFile: goodComponent}),
			good: withPipeline(map[string]string{pipelineFile: asgPipeline, webappRecipeFile: releaseRecipe, componentFile: goodComponent}),
		},
		editRow("recipe-component-duplicate", recipeFile, "tests:\n", "  - {managed: update-linux}\ntests:\n", "{managed: update-linux}", "  - {managed: update-windows}\ntests:\n"),
		editRow("recipe-instance-type", recipeFile, "[t3.medium,", "[t3.mediun,", "instanceTypes", "[t3.micro,"),
		editRow("recipe-instance-type", recipeFile, "[t3.medium,", "[medium,", "instanceTypes", "[u-6tb1.metal,"),
		editRow("recipe-instance-type-duplicate", recipeFile, "m7i-flex.large]", "t3.medium]", "instanceTypes", "t3.large]"),
		editRow("recipe-root-volume", recipeFile, "instanceTypes:", "rootVolumeSize: 4\ninstanceTypes:", "rootVolumeSize", "rootVolumeSize: 30\ninstanceTypes:"),
		{
			rule: "ref-vpc",
			at:   lineOf(recipeFile, goodRecipe, "vpc: build"),
			bad:  recipeFiles(recipeFile, edit(goodRecipe, "vpc: build", "vpc: biuld")),
			good: recipeFiles(recipeFile, edit(goodRecipe, "vpc: build", "vpc: biuld"), toolingNetworkFile, edit(baseEstate[toolingNetworkFile], "name: build", "name: biuld")),
		},
		{
			// Near miss: the recipe moves to the VPC's account.
			rule: "recipe-network-placement",
			at:   lineOf(recipeFile, goodRecipe, "vpc: build"),
			bad:  recipeFiles(recipeFile, edit(goodRecipe, "vpc: build", "vpc: app")),
			good: recipeFiles(recipeFile, edit(edit(goodRecipe, "vpc: build", "vpc: app"), "account: tooling\nregion", "account: prod\nregion")),
		},
		{
			rule: "ref-subnet",
			at:   lineOf(recipeFile, goodRecipe, "subnets: private"),
			bad:  recipeFiles(recipeFile, edit(goodRecipe, "subnets: private", "subnets: privte")),
			good: recipeFiles(recipeFile, edit(goodRecipe, "subnets: private", "subnets: privte"), toolingNetworkFile, edit(baseEstate[toolingNetworkFile], "      - {name: public,", "      - {name: privte, type: private, prefix: 24}\n      - {name: public,")),
		},
		{
			// A private tier of any name is fine.
			rule: "recipe-network-public",
			at:   lineOf(recipeFile, goodRecipe, "subnets: private"),
			bad:  recipeFiles(recipeFile, edit(goodRecipe, "subnets: private", "subnets: public")),
			good: recipeFiles(recipeFile, edit(goodRecipe, "subnets: private", "subnets: app"), toolingNetworkFile, edit(baseEstate[toolingNetworkFile], "      - {name: public,", "      - {name: app, type: private, prefix: 24}\n      - {name: public,")),
		},
		{
			rule: "ref-account",
			at:   lineOf(recipeFile, goodRecipe, "{account: prod,"),
			bad:  recipeFiles(recipeFile, edit(goodRecipe, "{account: prod,", "{account: prd,")),
			good: recipeFiles(recipeFile, edit(goodRecipe, "{account: prod,", "{account: prd,"), "accounts/prd.yaml", "kind: Account\nname: prd\nid: \"444444444444\"\nemail: prd@example.com\nrole: workload\nregions: [eu-west-1]\n"),
		},
		editRow("recipe-distribution-duplicate", recipeFile, "{account: prod, region: eu-west-1}", "{region: eu-west-1, account: tooling}", "{region: eu-west-1, account: tooling}", "{region: eu-west-1, account: prod}"),
		editRow("recipe-ssm-parameter", recipeFile, "ssmParameter: /gitops/ami/golden-base", "ssmParameter: /aws/ami/golden-base", "/aws/ami", "ssmParameter: /gitops/aws/golden-base"),
		editRow("recipe-ssm-parameter", recipeFile, "ssmParameter: /gitops/ami/golden-base", "ssmParameter: gitops/ami/golden-base", "gitops/ami", "ssmParameter: /gitops/ami/golden_base.v1"),
		editRow("recipe-ssm-parameter", recipeFile, "ssmParameter: /gitops/ami/golden-base", "ssmParameter: /gitops/ami/golden base", "golden base", "ssmParameter: /gitops/ami/golden_base"),
		{
			rule: "recipe-ssm-parameter-unique",
			at:   lineOf(recipeFile, goodRecipe, "ssmParameter: /gitops"),
			bad:  withApp(edit(goodApp, "/gitops/ami/app", "/gitops/ami/golden-base")),
			good: withApp(edit(goodApp, "/gitops/ami/app", "/gitops/ami/golden-base2")),
		},
		{
			rule: "recipe-parent-ssm-recipe",
			at:   lineOf(appFile, goodApp, "parent:"),
			bad:  withApp(edit(goodApp, "{recipe: golden-base}", "{ssmParameter: /gitops/ami/golden-base}")),
			good: withApp(edit(goodApp, "{recipe: golden-base}", "{ssmParameter: /gitops/ami/other}")),
		},
		editRow("recipe-schedule", recipeFile, "cron(0 3 ? * sun *)", "cron(0 3 * * sun *)", "cron(", "cron(0 3 * * ? *)"),
		editRow("recipe-schedule", recipeFile, "cron(0 3 ? * sun *)", "cron(0 24 ? * sun *)", "cron(", "cron(0/30 23 ? jan-mar fri#2 2026)"),
		editRow("recipe-schedule", recipeFile, "cron(0 3 ? * sun *)", "cron(0 3 ? * sun)", "cron(", "cron(15 3 L * ? *)"),
	}
}

// fileSet is the files of one fixture.
type fileSet map[string]string

// withRecipe replaces the golden-base recipe of the files.
func (files fileSet) withRecipe(body string) fileSet {
	files[recipeFile] = body
	return files
}

// TestRecipeCycleReportedOnce checks that a cycle is one finding, at the
// recipe whose name sorts first, even when other recipes lead into it.
func TestRecipeCycleReportedOnce(t *testing.T) {
	recipe := func(name, parent string) string {
		body := edit(goodApp, "name: app", "name: "+name)
		body = edit(body, "{recipe: golden-base}", "{recipe: "+parent+"}")
		return edit(body, "/gitops/ami/app", "/gitops/ami/"+name)
	}
	files := recipeFiles(
		"imagerecipes/c.yaml", recipe("c", "a"),
		"imagerecipes/b.yaml", recipe("b", "c"),
		"imagerecipes/a.yaml", recipe("a", "b"),
		"imagerecipes/d.yaml", recipe("d", "a"),
	)
	var cycles []string
	for _, d := range validateFiles(t, files) {
		if d.Rule == "recipe-parent-cycle" {
			cycles = append(cycles, d.String())
		}
	}
	want := "imagerecipes/a.yaml:6:18: error: parent recipes form a cycle: a → b → c → a [recipe-parent-cycle]"
	if len(cycles) != 1 || cycles[0] != want {
		t.Errorf("cycle findings:\n%v\nwant exactly:\n%s", cycles, want)
	}
}

// TestRecipeRegionTypoIsOneFinding checks that a wrong recipe region is
// reported once, not again by every check that compares regions with it.
func TestRecipeRegionTypoIsOneFinding(t *testing.T) {
	files := recipeFiles(appFile, goodApp, recipeFile, edit(goodRecipe, "region: eu-west-1\nversion", "region: eu-west-l\nversion"))
	var got []string
	for _, d := range validateFiles(t, files) {
		if d.Severity == diag.Error {
			got = append(got, d.String())
		}
	}
	want := []string{`imagerecipes/golden-base.yaml:4:9: error: "eu-west-l" is not an AWS region [region-unknown]`}
	if !slices.Equal(got, want) {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
