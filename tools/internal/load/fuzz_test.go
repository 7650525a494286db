package load

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
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
	account + "---\n---\n" + account,
	"---\n" + account + "...\n%YAML 1.2\n---\n" + account + "--- # empty\n",
	strings.ReplaceAll(account, "\n", "\r\n"),
	"\uFEFF" + account,
	"kind: Account\nname: |\n  ---\n  text\n",
}

// FuzzLoadBytes feeds arbitrary bytes to LoadBytes under each kind of path:
// it must never panic, every finding must carry a position in that file, a
// rule and a hint, and nothing may be lost silently: every document that is
// not empty is loaded or has an error finding on one of its lines.
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
			checkNoSilentLoss(t, data, docs, l.Items())
		}
	})
}

// checkNoSilentLoss asserts that every non-empty document of data, found by
// the reference splitter below, is among docs or has an error finding on
// one of its lines, unless the pre-scan refused the whole file (its
// encoding, size or shape) or findings were capped.
func checkNoSilentLoss(t *testing.T, data []byte, docs []Document, found []diag.Diagnostic) {
	t.Helper()
	if _, ok := prescan("x.yaml", data, func(diag.Diagnostic) {}); !ok {
		if len(found) == 0 {
			t.Errorf("the pre-scan refused the file without a finding")
		}
		return
	}
	for _, d := range found {
		if d.Rule == "yaml-size" || d.Rule == diag.MoreRule {
			return
		}
	}
	loaded := map[int]bool{}
	for _, doc := range docs {
		loaded[doc.(interface{ Pos(string) estate.Pos }).Pos("").Line] = true
	}
	for _, span := range referenceDocuments(data) {
		accounted := false
		for line := span[0]; line <= span[1] && !accounted; line++ {
			accounted = loaded[line]
		}
		for _, d := range found {
			accounted = accounted || d.Severity == diag.Error && d.Pos.Line >= span[0] && d.Pos.Line <= span[1]
		}
		if !accounted {
			t.Errorf("the document on lines %d-%d is neither loaded nor named in a finding", span[0], span[1])
		}
	}
}

var (
	lineBreak = regexp.MustCompile(`\r\n|\r|\n`)
	marker    = regexp.MustCompile(`^(---|\.\.\.)([ \t]|$)`)
)

// referenceDocuments returns the first and last line of each document of
// data that holds more than comments, directives and markers: the YAML
// 1.2 rules, written for reading rather than speed.
func referenceDocuments(data []byte) [][2]int {
	var out [][2]int
	start, content, started := 1, false, false
	lines := lineBreak.Split(string(bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))), -1)
	for i, line := range lines {
		n := i + 1
		rest := line
		if m := marker.FindString(line); m != "" {
			end := n - 1
			if strings.HasPrefix(line, "...") {
				end = n // the end marker belongs to the document it ends
			}
			if content {
				out = append(out, [2]int{start, end})
			}
			if strings.HasPrefix(line, "...") {
				start, content, started = n+1, false, false
				continue
			}
			start, content, started = n, false, true
			rest = line[3:]
		} else if strings.HasPrefix(line, "%") && !content && !started {
			continue
		}
		rest = strings.TrimLeft(rest, " \t")
		if rest != "" && !strings.HasPrefix(rest, "#") {
			content = true
		}
	}
	if content {
		out = append(out, [2]int{start, len(lines)})
	}
	return out
}
