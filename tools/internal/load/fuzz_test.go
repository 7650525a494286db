package load

import (
	"testing"

	"gitops/tools/internal/diag"
)

// fuzzFiles are the places a file can be: each decides which documents it
// may hold (an account, anything under environments/, an AWSTOE component).
var fuzzFiles = []string{
	"accounts/tooling.yaml",
	"environments/tooling/network.yaml",
	"imagerecipes/components/hello.yaml",
}

// fuzzSeeds are realistic documents, with anchors, aliases and merge keys,
// and a few broken ones, for the fuzzer to mutate.
var fuzzSeeds = []string{
	account,
	network,
	component,
	account + "---\n" + account,
	account + "tags: &t {team: platform, <<: {owner: me}}\n",
	`kind: Network
account: tooling
region: eu-west-1
vpcs:
  - &base
    name: build
    cidr: 10.0.0.0/16
    azCount: 2
    subnets: &tiers
      - {name: private, type: private, prefix: 24}
      - {name: tgw, type: isolated, cidrs: [10.0.255.0/28, 10.0.255.16/28]}
    egress: &egress {type: natInstance, instanceType: t4g.nano}
    endpoints:
      interface: [ecr.api, ecr.dkr, logs, sts]
      gateway: [s3]
  - <<: *base
    name: app
    cidr: 10.1.0.0/16
  - <<: [{name: first}, *base]
    cidr: 10.2.0.0/16
    subnets: *tiers
    egress:
      <<: *egress
      type: none
`,
	`kind: TransitGateway
name: hub
account: tooling
region: eu-west-1
asn: 64512
shareWith: [prod, dev]
attachments:
  - {name: build, vpc: build, subnets: [tgw-a, tgw-b]}
  - &att {name: app, vpc: app, subnets: [tgw-a, tgw-b]}
routeTables:
  - name: spokes
    associations: [app]
    propagations: [build]
    routes:
      - {destination: 0.0.0.0/0, attachment: build}
      - {destination: 10.9.0.0/16, blackhole: true}
`,
	`kind: GitLab
name: gitlab
account: tooling
region: eu-west-1
network: {vpc: build, subnets: private}
image: {tag: 17.5.1-ce.0, source: ecrCopy}
cpu: 2048
memory: 8192
ecsExec: true
database: {type: embedded}
smtp: {type: none}
alb: {internal: true, allowedCidrs: [10.0.0.0/8]}
rootEmail: root@example.com
gitlabRb:
  gitlab_rails['time_zone']: UTC
  puma['worker_processes']: 2
  prometheus_monitoring['enable']: false
`,
	`name: hello
schemaVersion: "1.0"
constants:
  - greeting: {type: string, value: hello}
phases:
  - name: build
    steps:
      - &step
        name: Say
        action: ExecuteBash
        timeoutSeconds: -1
        inputs:
          commands: &cmds ["echo {{ greeting }}", 'echo "$HOME"']
          nested: {a: [1, 2.5, true, null, ~], b: *cmds}
      - <<: *step
        name: Again
`,
	"kind: Account\nname: |\n  block\nid: >-\n  folded\n",
	"kind: Account\nname: !!str 1\ntags: !!map {a: b}\n",
	"%YAML 1.2\n---\nkind: Account\n...\n",
	"a: &a [*a, *a]\nb: &b {<<: *b}\n",
	"kind: Account\n\tname: x\n",
	"kind: Account\nregions: [eu-west-1\n",
	"? [complex, key]\n: value\n",
	"",
	"---\n---\n",
}

// FuzzLoadBytes feeds arbitrary bytes to LoadBytes under each kind of path:
// it must never panic, and every finding must carry a position in that file,
// a rule and a hint.
func FuzzLoadBytes(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, file := range fuzzFiles {
			var l diag.List
			docs := LoadBytes(file, data, &l)
			for _, d := range l.Items() {
				if d.Pos.File != file || d.Pos.Line < 1 || d.Pos.Col < 1 {
					t.Errorf("finding at %+v, want a position in %s: %s", d.Pos, file, d)
				}
				if d.Rule == "" || d.Message == "" || d.Hint == "" {
					t.Errorf("finding without rule, message or hint: %s (hint %q)", d, d.Hint)
				}
			}
			if len(docs) == 0 && !l.HasErrors() {
				t.Errorf("%s: no document and no finding", file)
			}
		}
	})
}
