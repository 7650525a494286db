package validate

import (
	"fmt"
	"strings"
	"testing"
)

// pipelineEdit lays the valid ECS pipeline with one edit (and its mirror and
// GitLab) over the base estate.
func pipelineEdit(old, new string) map[string]string {
	return withPipeline(map[string]string{pipelineFile: edit(validPipeline, old, new)})
}

// asgEdit lays the Auto Scaling pipeline with one edit, and its recipe.
func asgEdit(old, new string) map[string]string {
	return withPipeline(map[string]string{pipelineFile: edit(asgPipeline, old, new), webappRecipeFile: validRecipe})
}

const (
	ecsBlock     = "    ecs:\n      cluster: apps\n      service: webapp\n      container: web\n"
	approvalProd = "    approval:\n      beforeExecute: true\n"
	chatBlock    = "notifications:\n  chat:\n    kind: slack\n    webhookSecret: gitops/slack-webhook\n"
	// secondTarget goes before notifications:, so its name is on line 21
	// and its stack on line 24 of validPipeline.
	secondTarget = "  - name: prod2\n    account: prod\n    region: eu-west-1\n    stack: webapp-prod2\n" + approvalProd + ecsBlock
)

func TestPipelineRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			// Source and Build, then a stage per target: target 49 is
			// the 51st stage (its name on line 11 + 10×48).
			rule: "pipeline-stages",
			at:   pipelineFile + ":491",
			bad:  withPipeline(map[string]string{pipelineFile: edit(validPipeline, "notifications:", extraTargets(48)+"notifications:")}),
			good: withPipeline(map[string]string{pipelineFile: edit(validPipeline, "notifications:", extraTargets(47)+"notifications:")}),
		},
		{
			rule: "pipeline-name",
			at:   pipelineFile + ":2",
			bad:  pipelineEdit("name: webapp\n", "name: Web_App\n"),
			good: pipelineEdit("name: webapp\n", "name: web-app2\n"),
		},
		{
			rule: "pipeline-account-role",
			at:   pipelineFile + ":3",
			bad:  pipelineEdit("account: tooling\n", "account: prod\n"),
			// Near miss: prod takes the tooling role (and holds the mirror).
			good: withPipeline(map[string]string{
				pipelineFile:         edit(validPipeline, "account: tooling\n", "account: prod\n"),
				mirrorFile:           edit(validMirror, "account: tooling", "account: prod"),
				"accounts/prod.yaml": edit(baseEstate["accounts/prod.yaml"], "role: workload", "role: tooling"),
			}),
		},
		{
			rule: "ref-mirror",
			at:   pipelineFile + ":6",
			bad:  pipelineEdit("mirror: webapp\n", "mirror: webap\n"),
			good: withPipeline(map[string]string{
				pipelineFile: edit(validPipeline, "mirror: webapp\n", "mirror: webap\n"),
				mirrorFile:   edit(validMirror, "name: webapp\n", "name: webap\n"),
			}),
		},
		{
			rule: "pipeline-source-branch",
			at:   pipelineFile + ":7",
			bad:  pipelineEdit("branch: main\n", "branch: develop\n"),
			good: pipelineEdit("branch: main\n", "branch: release\n"),
		},
		{
			rule: "pipeline-source-region",
			at:   pipelineFile + ":6",
			bad: withPipeline(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				mirrorFile:              edit(validMirror, "region: eu-west-1", "region: eu-central-1"),
			}),
			good: withPipeline(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				mirrorFile:              edit(validMirror, "region: eu-west-1", "region: eu-central-1"),
				pipelineFile: edit(edit(validPipeline, "region: eu-west-1\nsource", "region: eu-central-1\nsource"),
					"    account: prod\n    region: eu-west-1\n", "    account: tooling\n    region: eu-central-1\n"),
			}),
		},
		{
			rule: "pipeline-source-account",
			at:   pipelineFile + ":6",
			bad:  withPipeline(map[string]string{mirrorFile: edit(validMirror, "account: tooling", "account: prod")}),
			// Near miss: the pipeline follows the mirror to prod, made a tooling account.
			good: withPipeline(map[string]string{
				pipelineFile:         edit(validPipeline, "account: tooling\n", "account: prod\n"),
				mirrorFile:           edit(validMirror, "account: tooling", "account: prod"),
				"accounts/prod.yaml": edit(baseEstate["accounts/prod.yaml"], "role: workload", "role: tooling"),
			}),
		},
		{
			rule: "pipeline-build-compute-type",
			at:   pipelineFile + ":10",
			bad:  pipelineEdit("targets:\n", "  computeType: BUILD_GENERAL1_TINY\ntargets:\n"),
			good: pipelineEdit("targets:\n", "  computeType: BUILD_GENERAL1_LARGE\ntargets:\n"),
		},
		{
			rule: "ref-recipe",
			at:   pipelineFile + ":11",
			bad:  asgEdit("recipe: webapp\n", "recipe: webap\n"),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-stack-reserved",
			at:   pipelineFile + ":14",
			bad:  pipelineEdit("stack: webapp-prod\n", "stack: gitops-network\n"),
			good: pipelineEdit("stack: webapp-prod\n", "stack: network\n"),
		},
		{
			rule: "pipeline-target-region",
			at:   pipelineFile + ":13",
			bad: withPipeline(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				pipelineFile:            edit(validPipeline, "    account: prod\n    region: eu-west-1\n", "    account: tooling\n    region: eu-central-1\n"),
			}),
			good: withPipeline(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				pipelineFile:            edit(validPipeline, "    account: prod\n    region: eu-west-1\n", "    account: tooling\n    region: eu-west-1\n"),
			}),
		},
		{
			rule: "pipeline-estate",
			at:   pipelineFile + ":10",
			bad:  asgEdit(estateTail, ""),
			good: asgEdit("", ""),
		},
		{
			rule: "ref-mirror",
			at:   pipelineFile + ":31",
			bad:  asgEdit(estateTail, "estate:\n  mirror: estat\n  branch: main\n"),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-estate-branch",
			at:   pipelineFile + ":32",
			bad:  asgEdit(estateTail, "estate:\n  mirror: webapp\n  branch: mian\n"),
			good: asgEdit(estateTail, "estate:\n  mirror: webapp\n  branch: release\n"),
		},
		{
			rule: "pipeline-estate-placement",
			at:   pipelineFile + ":31",
			bad: withPipeline(map[string]string{
				pipelineFile:     edit(asgPipeline, estateTail, "estate:\n  mirror: estate\n  branch: main\n"),
				webappRecipeFile: validRecipe,
				"environments/prod/mirror-estate.yaml": edit(edit(edit(validMirror, "name: webapp", "name: estate"),
					"platform/webapp", "platform/gitops"), "account: tooling", "account: prod"),
			}),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-bake-placement",
			at:   pipelineFile + ":11",
			bad: withPipeline(map[string]string{
				pipelineFile:     asgPipeline,
				webappRecipeFile: edit(validRecipe, "account: tooling\nregion", "account: prod\nregion"),
			}),
			good: asgEdit("", ""),
		},
		{
			// A second pipeline (sorting after webapp) baking the same recipe.
			rule: "pipeline-bake-shared",
			at:   "environments/tooling/pipeline-zz.yaml:11",
			bad: withPipeline(map[string]string{
				pipelineFile: asgPipeline, webappRecipeFile: validRecipe,
				"environments/tooling/pipeline-zz.yaml": edit(edit(asgPipeline, "name: webapp\n", "name: zz\n"), "stack: webapp-prod\n", "stack: zz-prod\n"),
			}),
			good: withPipeline(map[string]string{
				pipelineFile: asgPipeline, webappRecipeFile: validRecipe,
				"environments/tooling/pipeline-zz.yaml": edit(edit(validPipeline, "name: webapp\n", "name: zz\n"), "stack: webapp-prod\n", "stack: zz-prod\n"),
			}),
		},
		{
			rule: "pipeline-bake-missing",
			at:   pipelineFile + ":17",
			bad:  pipelineEdit(ecsBlock, autoScalingTarget),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-bake-distribution",
			at:   pipelineFile + ":19",
			bad: withPipeline(map[string]string{
				pipelineFile:     asgPipeline,
				webappRecipeFile: edit(validRecipe, "  - {account: prod, region: eu-west-1}\n", ""),
			}),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-bake-unused",
			at:   pipelineFile + ":10",
			bad: withPipeline(map[string]string{
				pipelineFile:     edit(validPipeline, "targets:\n", "bake:\n  recipe: webapp\ntargets:\n"),
				webappRecipeFile: validRecipe,
			}),
			good: withPipeline(map[string]string{webappRecipeFile: validRecipe}),
		},
		{
			rule: "pipeline-target-name",
			at:   pipelineFile + ":11",
			bad:  pipelineEdit("  - name: prod\n", "  - name: Prod\n"),
			good: pipelineEdit(" - name: prod\n", " - name: prod-eu\n"),
		},
		{
			rule: "pipeline-target-duplicate",
			at:   pipelineFile + ":21",
			bad:  pipelineEdit("notifications:\n", edit(secondTarget, "name: prod2", "name: prod")+"notifications:\n"),
			good: pipelineEdit("notifications:\n", secondTarget+"notifications:\n"),
		},
		{
			rule: "pipeline-stack-duplicate",
			at:   pipelineFile + ":24",
			bad:  pipelineEdit("notifications:\n", edit(secondTarget, "stack: webapp-prod2", "stack: webapp-prod")+"notifications:\n"),
			good: pipelineEdit("notifications:\n", secondTarget+"notifications:\n"),
		},
		{
			rule: "pipeline-stack-name",
			at:   pipelineFile + ":14",
			bad:  pipelineEdit("stack: webapp-prod\n", "stack: webapp_prod\n"),
			good: pipelineEdit("stack: webapp-prod\n", "stack: WebApp-Prod2\n"),
		},
		{
			rule: "ref-account",
			at:   pipelineFile + ":12",
			bad:  pipelineEdit("    account: prod\n", "    account: prd\n"),
			good: withPipeline(map[string]string{
				pipelineFile:        edit(validPipeline, "    account: prod\n", "    account: prd\n"),
				"accounts/prd.yaml": "kind: Account\nname: prd\nid: \"444444444444\"\nemail: prd@example.com\nrole: workload\nregions: [eu-west-1]\n",
			}),
		},
		{
			rule: "ref-region",
			at:   pipelineFile + ":13",
			bad:  pipelineEdit("    region: eu-west-1\n", "    region: eu-central-1\n"),
			// Near miss: prod declares the region, and the pipeline (with
			// its mirror) runs there.
			good: withPipeline(map[string]string{
				pipelineFile:            edited(validPipeline, "region: eu-west-1\n", "region: eu-central-1\n", "    region: eu-west-1\n", "    region: eu-central-1\n"),
				mirrorFile:              edit(validMirror, "region: eu-west-1\n", "region: eu-central-1\n"),
				"accounts/tooling.yaml": edit(baseEstate["accounts/tooling.yaml"], "[eu-west-1]", "[eu-west-1, eu-central-1]"),
				"accounts/prod.yaml":    edit(baseEstate["accounts/prod.yaml"], "[eu-west-1]", "[eu-west-1, eu-central-1]"),
			}),
		},
		{
			rule: "pipeline-approval-production",
			at:   pipelineFile + ":11",
			bad:  pipelineEdit(approvalProd, ""),
			good: pipelineEdit(approvalProd, "    approval:\n      beforeChangeSet: true\n      beforeExecute: true\n"),
		},
		{
			rule: "pipeline-approval-production",
			at:   pipelineFile + ":16",
			bad:  pipelineEdit("beforeExecute: true", "beforeExecute: false"),
			good: pipelineEdit(approvalProd, "    approval:\n      beforeChangeSet: true\n      beforeExecute: true\n"),
		},
		{
			rule:            "pipeline-target-kind",
			at:              pipelineFile + ":11",
			bad:             pipelineEdit(ecsBlock, ""),
			good:            withPipeline(nil),
			fixtureNearMiss: "the ecs block put back",
		},
		{
			rule: "pipeline-target-kind",
			at:   pipelineFile + ":26",
			bad: withPipeline(map[string]string{
				pipelineFile:     edit(asgPipeline, "notifications:\n", ecsBlock+"notifications:\n"),
				webappRecipeFile: validRecipe,
			}),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-vpc-placement",
			at:   pipelineFile + ":20",
			bad:  asgEdit("vpc: app\n", "vpc: build\n"),
			good: asgEdit("", ""),
		},
		{
			rule: "ref-subnet",
			at:   pipelineFile + ":21",
			bad:  asgEdit("      subnets: private\n", "      subnets: public\n"),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-subnets-public",
			at:   pipelineFile + ":21",
			bad: withPipeline(map[string]string{
				pipelineFile:     edit(asgPipeline, "      subnets: private\n", "      subnets: public\n"),
				webappRecipeFile: validRecipe,
				"environments/prod/network.yaml": edit(baseEstate["environments/prod/network.yaml"],
					"    egress:", "      - {name: public, type: public, prefix: 24}\n    egress:"),
			}),
			good: asgEdit("", ""),
		},
		{
			rule: "pipeline-asg-instance-type",
			at:   pipelineFile + ":22",
			bad:  asgEdit("instanceType: t3.small\n", "instanceType: t3-small\n"),
			good: asgEdit("instanceType: t3.small\n", "instanceType: m7g.2xlarge\n"),
		},
		{
			rule: "pipeline-asg-capacity",
			at:   pipelineFile + ":23",
			bad:  asgEdit("minSize: 2\n", "minSize: 5\n"),
			good: asgEdit("minSize: 2\n", "minSize: 4\n"),
		},
		{
			rule: "pipeline-asg-capacity",
			at:   pipelineFile + ":25",
			bad:  asgEdit("      maxSize: 4\n", "      maxSize: 4\n      desiredCapacity: 5\n"),
			good: asgEdit("      maxSize: 4\n", "      maxSize: 4\n      desiredCapacity: 4\n"),
		},
		{
			rule: "pipeline-asg-capacity",
			at:   pipelineFile + ":24",
			bad:  asgEdit("minSize: 2\n      maxSize: 4\n", "minSize: 0\n      maxSize: 0\n"),
			good: asgEdit("minSize: 2\n      maxSize: 4\n", "minSize: 0\n      maxSize: 1\n"),
		},
		{
			rule: "pipeline-asg-min-in-service",
			at:   pipelineFile + ":25",
			bad:  asgEdit("      maxSize: 4\n", "      maxSize: 4\n      minInstancesInService: 4\n"),
			good: asgEdit("      maxSize: 4\n", "      maxSize: 4\n      minInstancesInService: 3\n"),
		},
		{
			rule: "pipeline-asg-batch",
			at:   pipelineFile + ":25",
			bad:  asgEdit("      maxSize: 4\n", "      maxSize: 4\n      maxBatchSize: 5\n"),
			good: asgEdit("      maxSize: 4\n", "      maxSize: 4\n      maxBatchSize: 2\n"),
		},
		{
			rule: "pipeline-asg-pause-time",
			at:   pipelineFile + ":25",
			bad:  asgEdit("      maxSize: 4\n", "      maxSize: 4\n      pauseTime: 15m\n"),
			good: asgEdit("      maxSize: 4\n", "      maxSize: 4\n      pauseTime: PT15M\n"),
		},
		{
			rule: "pipeline-asg-pause-time",
			at:   pipelineFile + ":25",
			bad:  asgEdit("      maxSize: 4\n", "      maxSize: 4\n      pauseTime: PT1H30S\n"),
			good: asgEdit("      maxSize: 4\n", "      maxSize: 4\n      pauseTime: PT1H\n"),
		},
		{
			rule: "pipeline-asg-port",
			at:   pipelineFile + ":25",
			bad:  asgEdit("port: 8080\n", "port: 70000\n"),
			good: asgEdit("port: 8080\n", "port: 443\n"),
		},
		{
			rule: "pipeline-asg-health-check-path",
			at:   pipelineFile + ":26",
			bad:  asgEdit("port: 8080\n", "port: 8080\n      healthCheckPath: health\n"),
			good: asgEdit("port: 8080\n", "port: 8080\n      healthCheckPath: /health\n"),
		},
		{
			rule: "pipeline-targets",
			at:   pipelineFile + ":10",
			bad: pipelineEdit("targets:\n  - name: prod\n    account: prod\n    region: eu-west-1\n    stack: webapp-prod\n"+approvalProd+ecsBlock,
				"targets: []\n"),
			good:            withPipeline(nil),
			fixtureNearMiss: "one target, the fewest allowed",
		},
		{
			rule: "pipeline-notifications",
			at:   pipelineFile + ":21",
			bad:  pipelineEdit(chatBlock, "notifications: {}\n"),
			good: pipelineEdit(chatBlock, "notifications:\n  sns: {}\n"),
		},
		{
			rule: "pipeline-chat-webhook-url",
			at:   pipelineFile + ":24",
			bad:  pipelineEdit("webhookSecret: gitops/slack-webhook", "webhookSecret: https://hooks.slack.com/services/T000/B000/XXXX"),
			good: pipelineEdit("webhookSecret: gitops/slack-webhook", "webhookSecret: arn:aws:secretsmanager:eu-west-1:111111111111:secret:gitops/slack-webhook-AbCdEf"),
		},
		{
			rule: "pipeline-chat-webhook-secret",
			at:   pipelineFile + ":24",
			bad:  pipelineEdit("webhookSecret: gitops/slack-webhook", "webhookSecret: \"slack webhook\""),
			good: pipelineEdit("webhookSecret: gitops/slack-webhook", "webhookSecret: gitops/slack_webhook-2"),
		},
		{
			rule: "pipeline-chat-kind",
			at:   pipelineFile + ":23",
			bad:  pipelineEdit("kind: slack\n", "kind: discord\n"),
			good: pipelineEdit("kind: slack\n", "kind: teams\n"),
		},
		{
			rule: "pipeline-sns-email",
			at:   pipelineFile + ":28",
			bad:  pipelineEdit(chatBlock, chatBlock+"  sns:\n    emails:\n      - ops@example.com\n      - Ops <ops@example.com>\n"),
			good: pipelineEdit(chatBlock, chatBlock+"  sns:\n    emails:\n      - ops@example.com\n"),
		},
	})
}

// TestServiceFixturesValid checks the fixtures the rule tables start from
// yield no finding at all, not even a warning.
func TestServiceFixturesValid(t *testing.T) {
	files := withPipeline(map[string]string{
		"environments/tooling/pipeline-webapp-asg.yaml": edit(asgPipeline, "name: webapp\n", "name: webapp-asg\n"),
		webappRecipeFile: validRecipe,
	})
	if got := validateFiles(t, files); len(got) > 0 {
		t.Errorf("valid fixtures yield findings:\n%s", render(got))
	}
	files[toolingNetworkFile] = offlineToolingNetwork
	files[gitlabFile] = edit(validGitLab, "smtp:\n  type: none\n", sesSMTP)
	if got := validateFiles(t, files); len(got) > 0 {
		t.Errorf("valid fixtures without egress yield findings:\n%s", render(got))
	}
}

func TestPauseSeconds(t *testing.T) {
	for in, want := range map[string]int{"PT15M": 900, "PT1H": 3600, "PT1H30S": 3630, "PT0S": 0, "PT90S": 90, "PT": -1, "15m": -1, "P1D": -1, "PT1M1H": -1} {
		got, ok := pauseSeconds(in)
		if !ok {
			got = -1
		}
		if got != want {
			t.Errorf("pauseSeconds(%q) = %d, want %d", in, got, want)
		}
	}
}

// extraTargets are n more ECS targets in prod after validPipeline's, ten
// lines each.
func extraTargets(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "  - name: prod%d\n    account: prod\n    region: eu-west-1\n    stack: webapp-prod%d\n%s%s", i+2, i+2, approvalProd, ecsBlock)
	}
	return b.String()
}

// bakingPipelines are n pipelines, each baking a recipe of its own that is
// distributed to prod.
func bakingPipelines(n int) map[string]string {
	files := withPipeline(nil)
	for i := range n {
		name := fmt.Sprintf("webapp%02d", i)
		files[fmt.Sprintf("environments/tooling/pipelines/%s.yaml", name)] = edit(edit(edit(asgPipeline,
			"name: webapp\n", "name: "+name+"\n"), "recipe: webapp\n", "recipe: "+name+"\n"), "stack: webapp-prod\n", "stack: "+name+"-prod\n")
		files[fmt.Sprintf("imagerecipes/%s.yaml", name)] = edit(edit(validRecipe,
			"name: webapp\n", "name: "+name+"\n"), "ssmParameter: /gitops/ami/webapp\n", "ssmParameter: /gitops/ami/"+name+"\n")
	}
	delete(files, pipelineFile)
	return files
}

func TestTrustPolicyLimit(t *testing.T) {
	runRuleCases(t, []ruleCase{{
		rule: "limit-trust-policy",
		at:   "accounts/prod.yaml:2",
		bad:  bakingPipelines(40),
		good: bakingPipelines(25),
	}})
}

// TestRolePoliciesLimit: every application stack deployed to an account is
// named in its execution role's statements, which IAM holds in at most ten
// managed policies.
func TestRolePoliciesLimit(t *testing.T) {
	var targets strings.Builder
	for i := range 46 {
		fmt.Fprintf(&targets, "  - name: prod%d\n    account: prod\n    region: eu-west-1\n    stack: webapp-prod%d\n%s%s", i+2, i+2, approvalProd, autoScalingTarget)
	}
	pipelines := func(n int) map[string]string {
		files := bakingPipelines(n)
		for name, body := range files {
			if strings.HasPrefix(name, "environments/tooling/pipelines/") {
				stack := strings.TrimSuffix(strings.TrimPrefix(name, "environments/tooling/pipelines/"), ".yaml")
				files[name] = edit(body, "notifications:", strings.ReplaceAll(targets.String(), "stack: webapp-", "stack: "+stack+"-")+"notifications:")
			}
		}
		return files
	}
	runRuleCases(t, []ruleCase{{
		rule: "limit-role-policies",
		at:   "accounts/prod.yaml:2",
		bad:  pipelines(3),
		good: pipelines(1),
	}})
}
