package validate

import "testing"

// mirrorEdit lays the valid mirror with one edit (and its GitLab) over the
// base estate.
func mirrorEdit(old, new string) map[string]string {
	return withMirror(map[string]string{mirrorFile: edit(validMirror, old, new)})
}

const (
	secondMirrorFile  = "environments/tooling/mirror-webapp2.yaml"
	toCodeConnections = "codeConnections:\n  connection: gitlab-webapp\n"
	codeCommitTarget  = "codeCommit:\n  repository: webapp\n"
	// toolingTwoRegions lets the tooling account use eu-central-1 too.
	toolingTwoRegions = "kind: Account\nname: tooling\nid: \"111111111111\"\nemail: tooling@example.com\nrole: tooling\nregions: [eu-west-1, eu-central-1, ap-northeast-3]\n"
)

func TestMirrorRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			rule: "mirror-name",
			at:   mirrorFile + ":2",
			bad:  mirrorEdit("name: webapp\n", "name: Web_App\n"),
			good: mirrorEdit("name: webapp\n", "name: web-app\n"),
		},
		{
			rule: "ref-gitlab",
			at:   mirrorFile + ":3",
			bad:  mirrorEdit("gitlab: gitlab\n", "gitlab: gitlb\n"),
			good: withMirror(nil),
		},
		{
			rule: "ref-region",
			at:   mirrorFile + ":7",
			bad:  mirrorEdit("region: eu-west-1\n", "region: eu-central-1\n"),
			good: withMirror(nil),
		},
		{
			rule: "mirror-project",
			at:   mirrorFile + ":4",
			bad:  mirrorEdit("project: platform/webapp\n", "project: https://gitlab.example.com/platform/webapp.git\n"),
			good: mirrorEdit("project: platform/webapp\n", "project: platform/apps/web.app\n"),
		},
		{
			rule: "mirror-branches",
			at:   mirrorFile + ":5",
			bad:  mirrorEdit("branches: [main, release]\n", "branches: []\n"),
			good: mirrorEdit("branches: [main, release]\n", "branches: [main]\n"),
		},
		{
			rule: "mirror-branch",
			at:   mirrorFile + ":5",
			bad:  mirrorEdit("branches: [main, release]\n", "branches: [main, \"release..1\"]\n"),
			good: mirrorEdit("branches: [main, release]\n", "branches: [main, release/1.x, feature/a-b, v2@x]\n"),
		},
		{
			rule: "mirror-branch",
			at:   mirrorFile + ":7",
			bad:  mirrorEdit("branches: [main, release]\n", "branches:\n  - main\n  - release/*\n"),
			good: mirrorEdit("branches: [main, release]\n", "branches:\n  - main\n  - release/2024\n"),
		},
		{
			rule: "mirror-branch",
			at:   mirrorFile + ":5",
			bad:  mirrorEdit("branches: [main, release]\n", "branches: [refs/heads/main]\n"),
			good: mirrorEdit("branches: [main, release]\n", "branches: [main]\n"),
		},
		{
			rule: "mirror-branch-duplicate",
			at:   mirrorFile + ":5",
			bad:  mirrorEdit("branches: [main, release]\n", "branches: [main, release, main]\n"),
			good: mirrorEdit("branches: [main, release]\n", "branches: [main, release, main-2]\n"),
		},
		{
			rule: "mirror-target",
			at:   mirrorFile + ":2",
			bad:  mirrorEdit(codeCommitTarget, ""),
			good: withMirror(nil),
		},
		{
			rule: "mirror-target",
			at:   mirrorFile + ":10",
			bad:  mirrorEdit(codeCommitTarget, codeCommitTarget+toCodeConnections),
			good: mirrorEdit(codeCommitTarget, toCodeConnections),
		},
		{
			rule: "mirror-repository",
			at:   mirrorFile + ":9",
			bad:  mirrorEdit("repository: webapp\n", "repository: \"web app\"\n"),
			good: mirrorEdit("repository: webapp\n", "repository: Web_App.v2\n"),
		},
		{
			rule:    "mirror-repository-duplicate",
			at:      secondMirrorFile + ":9",
			related: mirrorFile + ":9",
			bad: withMirror(map[string]string{
				secondMirrorFile: edit(edit(validMirror, "name: webapp\n", "name: webapp2\n"), "platform/webapp", "platform/other"),
			}),
			good: withMirror(map[string]string{
				secondMirrorFile: edit(edit(edit(validMirror, "name: webapp\n", "name: webapp2\n"), "platform/webapp", "platform/other"), "repository: webapp", "repository: other"),
			}),
		},
		{
			rule:    "mirror-duplicate",
			at:      secondMirrorFile + ":4",
			related: mirrorFile + ":4",
			bad: withMirror(map[string]string{
				secondMirrorFile: edit(edit(validMirror, "name: webapp\n", "name: webapp2\n"), "repository: webapp", "repository: webapp-copy"),
			}),
			good: withMirror(map[string]string{
				// The same project may go to CodeCommit and through a connection.
				secondMirrorFile: edit(edit(validMirror, "name: webapp\n", "name: webapp2\n"), codeCommitTarget, toCodeConnections),
			}),
		},
		{
			rule: "mirror-codecommit-unreachable",
			at:   mirrorFile + ":7",
			bad: withMirror(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				toolingNetworkFile:      offlineToolingNetwork,
				mirrorFile:              edit(validMirror, "region: eu-west-1", "region: eu-central-1"),
			}),
			good: withMirror(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				mirrorFile:              edit(validMirror, "region: eu-west-1", "region: eu-central-1"),
			}),
		},
		{
			rule: "mirror-endpoint-missing",
			at:   toolingNetworkFile + ":13",
			bad: withMirror(map[string]string{
				toolingNetworkFile: edit(offlineToolingNetwork, ", git-codecommit", ""),
			}),
			good: withMirror(map[string]string{
				toolingNetworkFile: offlineToolingNetwork,
			}),
		},
		{
			rule: "mirror-connections-https",
			at:   mirrorFile + ":8",
			bad: withMirror(map[string]string{
				gitlabFile: edit(validGitLab, "  domain: gitlab.example.com\n  hostedZone:\n    id: Z0123456789ABCDEFGHIJ\n    name: example.com\n", ""),
				mirrorFile: edit(validMirror, codeCommitTarget, toCodeConnections),
			}),
			good: mirrorEdit(codeCommitTarget, toCodeConnections),
		},
		{
			rule: "mirror-connections-region",
			at:   mirrorFile + ":7",
			bad: withMirror(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				mirrorFile:              edit(edit(validMirror, codeCommitTarget, toCodeConnections), "region: eu-west-1", "region: ap-northeast-3"),
			}),
			good: withMirror(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				mirrorFile:              edit(validMirror, codeCommitTarget, toCodeConnections),
			}),
		},
		{
			rule: "mirror-connections-placement",
			at:   mirrorFile + ":7",
			bad: withMirror(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				mirrorFile:              edit(edit(validMirror, codeCommitTarget, toCodeConnections), "region: eu-west-1", "region: eu-central-1"),
			}),
			good: withMirror(map[string]string{
				"accounts/tooling.yaml": toolingTwoRegions,
				// An internet-facing GitLab is reachable from any region.
				gitlabFile: edit(validGitLab, "  subnets: private\n  domain", "  subnets: public\n  scheme: internet-facing\n  domain"),
				mirrorFile: edit(edit(validMirror, codeCommitTarget, toCodeConnections), "region: eu-west-1", "region: eu-central-1"),
			}),
		},
		{
			rule: "mirror-connection",
			at:   mirrorFile + ":9",
			bad:  mirrorEdit(codeCommitTarget, "codeConnections:\n  connection: gitlab webapp\n"),
			good: mirrorEdit(codeCommitTarget, toCodeConnections),
		},
		{
			rule:    "mirror-connection-duplicate",
			at:      secondMirrorFile + ":9",
			related: mirrorFile + ":9",
			bad: withMirror(map[string]string{
				mirrorFile:       edit(validMirror, codeCommitTarget, toCodeConnections),
				secondMirrorFile: edit(edit(edit(validMirror, "name: webapp\n", "name: webapp2\n"), "platform/webapp", "platform/other"), codeCommitTarget, toCodeConnections),
			}),
			good: withMirror(map[string]string{
				mirrorFile:       edit(validMirror, codeCommitTarget, toCodeConnections),
				secondMirrorFile: edit(edit(edit(validMirror, "name: webapp\n", "name: webapp2\n"), "platform/webapp", "platform/other"), codeCommitTarget, "codeConnections:\n  connection: gitlab-other\n"),
			}),
		},
	})
}

func TestBadBranchName(t *testing.T) {
	for name, bad := range map[string]bool{
		"main": false, "release/1.x": false, "feature/a-b_c": false, "v2@x": false, "ünïcode": false,
		"": true, "@": true, "HEAD": true, "-x": true, "/x": true, "x/": true, "a//b": true, "x.": true,
		"a..b": true, "a@{1}": true, "a b": true, "a~1": true, "a^": true, "a:b": true, "a?": true,
		"a*": true, "a[b": true, "a\\b": true, "a\tb": true, ".hidden": true, "a/.b": true, "x.lock": true, "a.lock/b": true,
	} {
		if got := badBranchName(name) != ""; got != bad {
			t.Errorf("badBranchName(%q) reports %v, want %v", name, got, bad)
		}
	}
}
