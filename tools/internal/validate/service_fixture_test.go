package validate

import (
	"strconv"
	"strings"
)

// Fixtures for the GitLab, mirror and pipeline rule tables, laid over
// baseEstate. Each is valid on its own with the base estate; rows derive bad
// variants with edit. Line numbers in the rows' `at` refer to these texts.

const gitlabFile = "environments/tooling/gitlab.yaml"

// validGitLab runs in the base tooling VPC "build" (NAT egress), behind an
// internal load balancer with HTTPS.
const validGitLab = `kind: GitLab
name: gitlab
account: tooling
region: eu-west-1
network:
  vpc: build
  subnets: private
image:
  tag: 17.5.1-ce.0
  source: ecrCopy
cpu: 2048
memory: 8192
database:
  type: embedded
smtp:
  type: none
alb:
  subnets: private
  domain: gitlab.example.com
  hostedZone:
    id: Z0123456789ABCDEFGHIJ
    name: example.com
  allowedCidrs: [10.0.0.0/8]
rootEmail: admin@example.com
`

const toolingNetworkFile = "environments/tooling/network.yaml"

// offlineToolingNetwork is the base tooling network with no egress and
// every endpoint GitLab needs (with ECS Exec on and SES mail), so rows can
// drop one.
const offlineToolingNetwork = `kind: Network
account: tooling
region: eu-west-1
vpcs:
  - name: build
    cidr: 10.0.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: public, type: public, prefix: 24}
    egress: {type: none}
    endpoints:
      interface: [ecr.api, ecr.dkr, logs, secretsmanager, sts, elasticfilesystem, ssmmessages, email-smtp, git-codecommit]
      gateway: [s3]
`

const mirrorFile = "environments/tooling/mirror-webapp.yaml"

// validMirror pushes platform/webapp into CodeCommit in the tooling account.
const validMirror = `kind: Mirror
name: webapp
gitlab: gitlab
project: platform/webapp
branches: [main, release]
account: tooling
region: eu-west-1
codeCommit:
  repository: webapp
`

const pipelineFile = "environments/tooling/pipeline-webapp.yaml"

// validPipeline deploys the mirror's main branch to an ECS service in the
// production account, so it needs no image recipe.
const validPipeline = `kind: Pipeline
name: webapp
account: tooling
region: eu-west-1
source:
  mirror: webapp
  branch: main
build:
  image: aws/codebuild/amazonlinux-x86_64-standard:5.0
targets:
  - name: prod
    account: prod
    region: eu-west-1
    stack: webapp-prod
    approval:
      beforeExecute: true
    ecs:
      cluster: apps
      service: webapp
      container: web
notifications:
  chat:
    kind: slack
    webhookSecret: gitops/slack-webhook
`

// autoScalingTarget replaces validPipeline's ecs block (lines 17–20) with an
// Auto Scaling group in the base prod VPC "app".
const autoScalingTarget = `    autoScaling:
      vpc: app
      subnets: private
      instanceType: t3.small
      minSize: 2
      maxSize: 4
      port: 8080
`

const webappRecipeFile = "imagerecipes/webapp.yaml"

// validRecipe bakes the webapp AMI and distributes it to the tooling and
// prod accounts.
const validRecipe = `kind: ImageRecipe
name: webapp
account: tooling
region: eu-west-1
version: 1.0.0
parent:
  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64
components:
  - managed: update-linux
instanceTypes: [t3.medium]
network:
  vpc: build
  subnets: private
distribution:
  - {account: tooling, region: eu-west-1}
  - {account: prod, region: eu-west-1}
ssmParameter: /gitops/ami/webapp
`

// asgPipeline is validPipeline deploying to autoScalingTarget with a bake
// stage (bake: adds two lines before targets, so target lines move by 2).
var asgPipeline = edit(edit(validPipeline,
	"    ecs:\n      cluster: apps\n      service: webapp\n      container: web\n", autoScalingTarget),
	"targets:\n", "bake:\n  recipe: webapp\ntargets:\n") + estateTail

// estateTail ends asgPipeline: gitops bake and the target's template come
// from the estate's mirror (lines 31–33, after everything else).
const estateTail = "estate:\n  mirror: webapp\n  branch: main\n"

// edit replaces the first occurrence of old in s with new (an empty old
// leaves s as it is); it panics when old is missing, so a fixture typo
// fails loudly rather than silently testing the valid text.
func edit(s, old, new string) string {
	if old == "" {
		return s
	}
	if !strings.Contains(s, old) {
		panic("fixture edit: " + strconv.Quote(old) + " not in fixture")
	}
	return strings.Replace(s, old, new, 1)
}

// withGitLab lays the valid GitLab and the given files over the base estate.
func withGitLab(files map[string]string) map[string]string {
	out := map[string]string{gitlabFile: validGitLab}
	for k, v := range files {
		out[k] = v
	}
	return out
}

// withMirror adds the valid mirror (and its GitLab) under files.
func withMirror(files map[string]string) map[string]string {
	out := withGitLab(map[string]string{mirrorFile: validMirror})
	for k, v := range files {
		out[k] = v
	}
	return out
}

// withPipeline adds the valid pipeline (and its mirror and GitLab) under files.
func withPipeline(files map[string]string) map[string]string {
	out := withMirror(map[string]string{pipelineFile: validPipeline})
	for k, v := range files {
		out[k] = v
	}
	return out
}
