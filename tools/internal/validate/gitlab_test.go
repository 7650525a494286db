package validate

import (
	"fmt"
	"strings"
	"testing"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/gitlabrb"
	"gitops/tools/internal/load"
)

// gitlabEdit lays the valid GitLab with one edit over the base estate.
func gitlabEdit(old, new string) map[string]string {
	return withGitLab(map[string]string{gitlabFile: edit(validGitLab, old, new)})
}

// offline lays a GitLab edit over the tooling network without egress, with
// one edit to that network.
func offline(gitlabOld, gitlabNew, netOld, netNew string) map[string]string {
	files := gitlabEdit(gitlabOld, gitlabNew)
	files[toolingNetworkFile] = edit(offlineToolingNetwork, netOld, netNew)
	return files
}

const sesSMTP = "smtp:\n  type: ses\n  domain: example.com\n  fromAddress: gitlab@example.com\n"

func TestGitLabRules(t *testing.T) {
	runRuleCases(t, []ruleCase{
		{
			rule: "gitlab-name",
			at:   gitlabFile + ":2",
			bad:  gitlabEdit("name: gitlab\n", "name: GitLab_Main\n"),
			good: gitlabEdit("name: gitlab\n", "name: gitlab-main\n"),
		},
		{
			rule: "ref-region",
			at:   gitlabFile + ":4",
			bad:  gitlabEdit("region: eu-west-1\n", "region: eu-central-1\n"),
			good: withGitLab(map[string]string{
				gitlabFile:              edit(validGitLab, "region: eu-west-1\n", "region: eu-central-1\n"),
				"accounts/tooling.yaml": edit(baseEstate["accounts/tooling.yaml"], "[eu-west-1]", "[eu-west-1, eu-central-1]"),
				toolingNetworkFile:      edit(edit(baseEstate[toolingNetworkFile], "region: eu-west-1", "region: eu-central-1"), "cidr: 10.0.0.0/16", "cidr: 10.2.0.0/16"),
			}),
		},
		{
			rule: "gitlab-account-role",
			at:   gitlabFile + ":3",
			bad:  gitlabEdit("account: tooling\n", "account: prod\n"),
			// Near miss: prod takes the tooling role, and the build VPC with it.
			good: withGitLab(map[string]string{
				gitlabFile:           edit(validGitLab, "account: tooling\n", "account: prod\n"),
				"accounts/prod.yaml": edit(baseEstate["accounts/prod.yaml"], "role: workload", "role: tooling"),
				toolingNetworkFile:   edit(baseEstate[toolingNetworkFile], "account: tooling", "account: prod"),
			}),
		},
		{
			rule:    "gitlab-per-region",
			at:      "environments/tooling/gitlab2.yaml:4",
			related: gitlabFile + ":2",
			bad: withGitLab(map[string]string{
				"environments/tooling/gitlab2.yaml": edit(validGitLab, "name: gitlab\n", "name: second\n"),
			}),
			// Near miss: the second GitLab in another region.
			good: withGitLab(map[string]string{
				"environments/tooling/gitlab2.yaml": edit(edit(edit(validGitLab, "name: gitlab\n", "name: second\n"), "region: eu-west-1\n", "region: eu-central-1\n"), "vpc: build\n", "vpc: build2\n"),
				"accounts/tooling.yaml":             edit(baseEstate["accounts/tooling.yaml"], "[eu-west-1]", "[eu-west-1, eu-central-1]"),
				"environments/tooling/central.yaml": edit(edit(edit(baseEstate[toolingNetworkFile], "region: eu-west-1", "region: eu-central-1"), "cidr: 10.0.0.0/16", "cidr: 10.2.0.0/16"), "name: build", "name: build2"),
			}),
		},
		{
			rule: "ref-vpc",
			at:   gitlabFile + ":6",
			bad:  gitlabEdit("vpc: build\n", "vpc: buld\n"),
			good: withGitLab(map[string]string{
				gitlabFile:         edit(validGitLab, "vpc: build\n", "vpc: buld\n"),
				toolingNetworkFile: edit(baseEstate[toolingNetworkFile], "name: build", "name: buld"),
			}),
		},
		{
			rule: "gitlab-vpc-placement",
			at:   gitlabFile + ":6",
			bad:  gitlabEdit("vpc: build\n", "vpc: app\n"),
			// Near miss: a VPC app of GitLab's account.
			good: withGitLab(map[string]string{
				gitlabFile:                       edit(validGitLab, "vpc: build\n", "vpc: app\n"),
				"environments/prod/network.yaml": "",
				"environments/tooling/app.yaml":  edit(edit(baseEstate[toolingNetworkFile], "name: build", "name: app"), "cidr: 10.0.0.0/16", "cidr: 10.1.0.0/16"),
			}),
		},
		{
			rule: "ref-subnet",
			at:   gitlabFile + ":7",
			bad:  gitlabEdit("network:\n  vpc: build\n  subnets: private\n", "network:\n  vpc: build\n  subnets: privat\n"),
			good: withGitLab(map[string]string{
				gitlabFile:         edit(validGitLab, "network:\n  vpc: build\n  subnets: private\n", "network:\n  vpc: build\n  subnets: privat\n"),
				toolingNetworkFile: edit(baseEstate[toolingNetworkFile], "      - {name: public,", "      - {name: privat, type: private, prefix: 24}\n      - {name: public,"),
			}),
		},
		{
			rule: "gitlab-subnets-public",
			at:   gitlabFile + ":7",
			bad:  gitlabEdit("network:\n  vpc: build\n  subnets: private\n", "network:\n  vpc: build\n  subnets: public\n"),
			good: withGitLab(map[string]string{
				gitlabFile:         edit(validGitLab, "network:\n  vpc: build\n  subnets: private\n", "network:\n  vpc: build\n  subnets: app\n"),
				toolingNetworkFile: edit(baseEstate[toolingNetworkFile], "      - {name: public,", "      - {name: app, type: private, prefix: 24}\n      - {name: public,"),
			}),
		},
		{
			rule: "gitlab-cpu",
			at:   gitlabFile + ":11",
			bad:  gitlabEdit("cpu: 2048\n", "cpu: 512\n"),
			good: gitlabEdit("cpu: 2048\n", "cpu: 4096\n"),
		},
		{
			rule: "gitlab-memory-min",
			at:   gitlabFile + ":12",
			bad:  gitlabEdit("cpu: 2048\nmemory: 8192\n", "cpu: 1024\nmemory: 4096\n"),
			good: gitlabEdit("cpu: 2048\nmemory: 8192\n", "cpu: 1024\nmemory: 6144\n"),
		},
		{
			rule: "gitlab-memory",
			at:   gitlabFile + ":12",
			bad:  gitlabEdit("cpu: 2048\nmemory: 8192\n", "cpu: 8192\nmemory: 18432\n"),
			good: gitlabEdit("cpu: 2048\nmemory: 8192\n", "cpu: 8192\nmemory: 20480\n"),
		},
		{
			rule: "gitlab-memory",
			at:   gitlabFile + ":12",
			bad:  gitlabEdit("memory: 8192\n", "memory: 16385\n"),
			good: gitlabEdit("memory: 8192\n", "memory: 16384\n"),
		},
		{
			rule: "gitlab-image-tag-moving",
			at:   gitlabFile + ":9",
			bad:  gitlabEdit("tag: 17.5.1-ce.0\n", "tag: latest\n"),
			good: gitlabEdit("tag: 17.5.1-ce.0\n", "tag: 17.11.1-ce.0\n"),
		},
		{
			rule: "gitlab-image-tag-moving",
			at:   gitlabFile + ":9",
			bad:  gitlabEdit("tag: 17.5.1-ce.0\n", "tag: nightly\n"),
			good: gitlabEdit("tag: 17.5.1-ce.0\n", "tag: 18.0.0-ce.0\n"),
		},
		{
			rule: "gitlab-alb-public-http",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("  subnets: private\n  domain: gitlab.example.com\n  hostedZone:\n    id: Z0123456789ABCDEFGHIJ\n    name: example.com\n", "  subnets: public\n  scheme: internet-facing\n"),
			good: gitlabEdit("  subnets: private\n  domain", "  subnets: public\n  scheme: internet-facing\n  domain"),
		},
		{
			rule: "gitlab-image-tag",
			at:   gitlabFile + ":9",
			bad:  gitlabEdit("tag: 17.5.1-ce.0\n", "tag: 17.5.1-ce.0@sha256:"+strings.Repeat("ab", 32)+"\n"),
			good: gitlabEdit("tag: 17.5.1-ce.0\n", "tag: 17.5.1-ce.0-sha256\n"),
		},
		{
			rule: "gitlab-image-tag",
			at:   gitlabFile + ":9",
			bad:  gitlabEdit("tag: 17.5.1-ce.0\n", "tag: \"17.5.1 ce\"\n"),
			good: gitlabEdit("tag: 17.5.1-ce.0\n", "tag: \"17.5.1-ce.0\"\n"),
		},
		{
			rule: "gitlab-image-tag",
			at:   gitlabFile + ":9",
			bad:  gitlabEdit("tag: 17.5.1-ce.0\n", "tag: 17.5.1-ce.0@sha256:abc\n"),
			good: gitlabEdit("tag: 17.5.1-ce.0\n", "tag: 17.5.1-ce.0-sha256-abc\n"),
		},
		{
			rule: "gitlab-image-repository",
			at:   gitlabFile + ":9",
			bad:  gitlabEdit("image:\n", "image:\n  repository: gitlab/gitlab-ce:17.5.1-ce.0\n"),
			good: gitlabEdit("image:\n", "image:\n  repository: gitlab/gitlab-ee\n"),
		},
		{
			rule: "gitlab-image-source",
			at:   gitlabFile + ":10",
			bad:  gitlabEdit("source: ecrCopy\n", "source: ecrcopy\n"),
			good: gitlabEdit("source: ecrCopy\n", "source: pullThroughCache\n"),
		},
		// Without egress every endpoint GitLab needs must be there; one
		// finding per missing endpoint, at the VPC's endpoint list.
		{
			rule: "gitlab-endpoint-missing",
			at:   toolingNetworkFile + ":13",
			bad:  offline("smtp:\n  type: none\n", sesSMTP, " ecr.dkr,", ""),
			good: offline("smtp:\n  type: none\n", sesSMTP, "", ""),
		},
		{
			rule: "gitlab-endpoint-missing",
			at:   toolingNetworkFile + ":14",
			bad:  offline("", "", "gateway: [s3]", "gateway: [dynamodb]"),
			good: offline("", "", "gateway: [s3]", "gateway: [dynamodb, s3]"),
		},
		{
			rule: "gitlab-endpoint-missing",
			at:   toolingNetworkFile + ":13",
			bad:  offline("", "", " ssmmessages,", ""),
			good: offline("rootEmail:", "ecsExec: false\nrootEmail:", " ssmmessages,", ""),
		},
		{
			rule: "gitlab-endpoint-missing",
			at:   toolingNetworkFile + ":13",
			bad:  offline("smtp:\n  type: none\n", sesSMTP, " email-smtp,", ""),
			good: offline("", "", " email-smtp,", ""),
		},
		{
			// An isolated tier needs the endpoints even when the VPC has a NAT.
			rule: "gitlab-endpoint-missing",
			at:   toolingNetworkFile + ":5",
			bad: map[string]string{
				gitlabFile: edit(validGitLab, "  subnets: private\nimage", "  subnets: data\nimage"),
				toolingNetworkFile: edit(baseEstate[toolingNetworkFile], "    egress:",
					"      - {name: data, type: isolated, prefix: 24}\n    egress:"),
			},
			good: map[string]string{
				gitlabFile: edit(validGitLab, "  subnets: private\nimage", "  subnets: data\nimage"),
				toolingNetworkFile: edit(edit(offlineToolingNetwork, "egress: {type: none}", "egress: {type: natGateway}"), "    egress:",
					"      - {name: data, type: isolated, prefix: 24}\n    egress:"),
			},
		},
		{
			rule: "gitlab-image-offline",
			at:   gitlabFile + ":10",
			bad:  offline("source: ecrCopy\n", "source: pullThroughCache\n", "", ""),
			// Near miss: the same pull through cache where the VPC has egress.
			good: gitlabEdit("source: ecrCopy\n", "source: pullThroughCache\n"),
		},
		{
			rule: "gitlab-https-zone",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("  hostedZone:\n    id: Z0123456789ABCDEFGHIJ\n    name: example.com\n", ""),
			good: gitlabEdit("  domain: gitlab.example.com\n  hostedZone:\n    id: Z0123456789ABCDEFGHIJ\n    name: example.com\n", ""),
		},
		{
			rule: "gitlab-https-zone",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("  domain: gitlab.example.com\n", ""),
			good: gitlabEdit("  domain: gitlab.example.com\n  hostedZone:\n    id: Z0123456789ABCDEFGHIJ\n    name: example.com\n", ""),
		},
		{
			// 53 + len(".example.com") = 65 characters; 52 make 64.
			rule: "gitlab-domain-length",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("domain: gitlab.example.com\n", "domain: "+strings.Repeat("g", 53)+".example.com\n"),
			good: gitlabEdit("domain: gitlab.example.com\n", "domain: "+strings.Repeat("g", 52)+".example.com\n"),
		},
		{
			// Near miss: a certificate of its own, so ACM issues nothing.
			rule: "gitlab-domain-length",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("domain: gitlab.example.com\n", "domain: "+strings.Repeat("g", 53)+".example.com\n"),
			good: gitlabEdit("domain: gitlab.example.com\n", "domain: "+strings.Repeat("g", 53)+".example.com\n  certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/0a1b2c3d\n"),
		},
		{
			rule: "gitlab-domain-zone",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("domain: gitlab.example.com\n", "domain: gitlab.example.org\n"),
			good: gitlabEdit("domain: gitlab.example.com\n", "domain: Example.COM.\n"),
		},
		{
			rule: "gitlab-domain",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("domain: gitlab.example.com\n", "domain: https://gitlab.example.com/\n"),
			good: gitlabEdit("domain: gitlab.example.com\n", "domain: git-lab.eu.example.com\n"),
		},
		{
			rule: "gitlab-hosted-zone-id",
			at:   gitlabFile + ":21",
			bad:  gitlabEdit("id: Z0123456789ABCDEFGHIJ\n", "id: /hostedzone/Z0123456789ABCDEFGHIJ\n"),
			good: gitlabEdit("id: Z0123456789ABCDEFGHIJ\n", "id: Z1ABCDEF\n"),
		},
		{
			rule: "gitlab-certificate-private-zone",
			at:   gitlabFile + ":23",
			bad:  gitlabEdit("    name: example.com\n", "    name: example.com\n    private: true\n"),
			good: gitlabEdit("    name: example.com\n", "    name: example.com\n    private: true\n  certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/0b5e\n"),
		},
		{
			rule: "gitlab-certificate-region",
			at:   gitlabFile + ":20",
			bad:  gitlabEdit("  hostedZone:\n", "  certificateArn: arn:aws:acm:us-east-1:111111111111:certificate/0b5e\n  hostedZone:\n"),
			good: gitlabEdit("  hostedZone:\n", "  certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/0b5e\n  hostedZone:\n"),
		},
		{
			rule: "gitlab-certificate-account",
			at:   gitlabFile + ":20",
			bad:  gitlabEdit("  hostedZone:\n", "  certificateArn: arn:aws:acm:eu-west-1:222222222222:certificate/0b5e\n  hostedZone:\n"),
			good: gitlabEdit("  hostedZone:\n", "  certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/0b5e\n  hostedZone:\n"),
		},
		{
			rule: "gitlab-certificate-arn",
			at:   gitlabFile + ":20",
			bad:  gitlabEdit("  hostedZone:\n", "  certificateArn: arn:aws:iam::111111111111:server-certificate/gitlab\n  hostedZone:\n"),
			good: gitlabEdit("  hostedZone:\n", "  certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/gitlab\n  hostedZone:\n"),
		},
		{
			rule: "gitlab-certificate-unused",
			at:   gitlabFile + ":19",
			bad: gitlabEdit("  domain: gitlab.example.com\n  hostedZone:\n    id: Z0123456789ABCDEFGHIJ\n    name: example.com\n",
				"  certificateArn: arn:aws:acm:eu-west-1:111111111111:certificate/0b5e\n"),
			good: gitlabEdit("  domain: gitlab.example.com\n  hostedZone:\n    id: Z0123456789ABCDEFGHIJ\n    name: example.com\n", ""),
		},
		{
			rule: "gitlab-alb-scheme",
			at:   gitlabFile + ":19",
			bad:  gitlabEdit("  subnets: private\n  domain", "  subnets: private\n  scheme: intenral\n  domain"),
			good: gitlabEdit("  subnets: private\n  domain", "  subnets: private\n  scheme: internal\n  domain"),
		},
		{
			rule: "gitlab-alb-public",
			at:   gitlabFile + ":18",
			bad:  gitlabEdit("  subnets: private\n  domain", "  subnets: private\n  scheme: internet-facing\n  domain"),
			good: gitlabEdit("  subnets: private\n  domain", "  subnets: public\n  scheme: internet-facing\n  domain"),
		},
		{
			rule: "gitlab-alb-internal-public",
			at:   gitlabFile + ":18",
			bad:  gitlabEdit("  subnets: private\n  domain", "  subnets: public\n  domain"),
			good: gitlabEdit("  subnets: private\n  domain", "  scheme: internet-facing\n  subnets: public\n  domain"),
		},
		{
			rule: "gitlab-alb-azs",
			at:   gitlabFile + ":18",
			bad: withGitLab(map[string]string{
				toolingNetworkFile: edit(baseEstate[toolingNetworkFile], "azCount: 2", "azCount: 1"),
			}),
			good: withGitLab(map[string]string{
				toolingNetworkFile: edit(baseEstate[toolingNetworkFile], "azCount: 2", "azs: [eu-west-1a, eu-west-1b]"),
			}),
		},
		{
			rule: "gitlab-alb-cidrs",
			at:   gitlabFile + ":23",
			bad:  gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: []"),
			good: gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [10.0.0.0/16]"),
		},
		{
			rule: "gitlab-alb-cidr",
			at:   gitlabFile + ":23",
			bad:  gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [10.0.0.1/8]"),
			good: gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [10.0.0.0/8, 192.168.10.0/24]"),
		},
		{
			rule: "gitlab-alb-cidr",
			at:   gitlabFile + ":23",
			bad:  gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [\"fd00::/8\"]"),
			good: gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [10.0.0.0/16, 192.168.0.0/16]"),
		},
		{
			rule: "gitlab-alb-cidr",
			at:   gitlabFile + ":23",
			bad:  gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [10.0.0.0]"),
			good: gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [10.0.0.0/9]"),
		},
		{
			rule: "gitlab-alb-open",
			at:   gitlabFile + ":23",
			bad:  gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [0.0.0.0/0]"),
			good: gitlabEdit("  subnets: private\n  domain", "  subnets: public\n  scheme: internet-facing\n  domain"),
		},
		{
			rule: "gitlab-alb-open",
			at:   gitlabFile + ":23",
			bad:  gitlabEdit("allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [0.0.0.0/0]"),
			good: withGitLab(map[string]string{gitlabFile: edit(edit(validGitLab, "allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [0.0.0.0/0]"),
				"  subnets: private\n  domain", "  subnets: public\n  scheme: internet-facing\n  domain")}),
		},
		{
			rule: "gitlab-database-version",
			at:   gitlabFile + ":13",
			bad:  gitlabEdit("  type: embedded\n", "  type: aurora\n  instanceClass: db.r6g.large\n"),
			good: gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"16.4\"\n  instanceClass: db.r6g.large\n"),
		},
		{
			rule: "gitlab-database-version",
			at:   gitlabFile + ":15",
			bad:  gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"13.9\"\n  instanceClass: db.r6g.large\n"),
			good: gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"17\"\n  instanceClass: db.r7g.xlarge\n"),
		},
		{
			rule: "gitlab-database-instance-class",
			at:   gitlabFile + ":16",
			bad:  gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"16.4\"\n  instanceClass: r6g.large\n"),
			good: gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"16.4\"\n  instanceClass: db.r6g.large\n"),
		},
		{
			rule: "gitlab-database-unused",
			at:   gitlabFile + ":15",
			bad:  gitlabEdit("  type: embedded\n", "  type: embedded\n  engineVersion: \"16.4\"\n"),
			good: gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"16.4\"\n  instanceClass: db.r6g.large\n"),
		},
		{
			rule: "gitlab-database-type",
			at:   gitlabFile + ":14",
			bad:  gitlabEdit("  type: embedded\n", "  type: postgres\n"),
			good: gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"16.4\"\n  instanceClass: db.r6g.large\n"),
		},
		{
			rule: "gitlab-database-subnets-public",
			at:   gitlabFile + ":17",
			bad:  gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"16.4\"\n  instanceClass: db.r6g.large\n  subnets: public\n"),
			good: gitlabEdit("  type: embedded\n", "  type: aurora\n  engineVersion: \"16.4\"\n  instanceClass: db.r6g.large\n  subnets: private\n"),
		},
		{
			rule: "gitlab-smtp-domain",
			at:   gitlabFile + ":15",
			bad:  gitlabEdit("smtp:\n  type: none\n", "smtp:\n  type: ses\n  fromAddress: gitlab@example.com\n"),
			good: gitlabEdit("smtp:\n  type: none\n", sesSMTP),
		},
		{
			rule: "gitlab-smtp-from",
			at:   gitlabFile + ":18",
			bad:  gitlabEdit("smtp:\n  type: none\n", "smtp:\n  type: ses\n  domain: example.com\n  fromAddress: gitlab@example.org\n"),
			good: gitlabEdit("smtp:\n  type: none\n", "smtp:\n  type: ses\n  domain: example.com\n  fromAddress: gitlab@mail.example.com\n"),
		},
		{
			rule: "gitlab-smtp-from",
			at:   gitlabFile + ":15",
			bad:  gitlabEdit("smtp:\n  type: none\n", "smtp:\n  type: ses\n  domain: example.com\n"),
			good: gitlabEdit("smtp:\n  type: none\n", sesSMTP),
		},
		{
			rule: "gitlab-smtp-unused",
			at:   gitlabFile + ":17",
			bad:  gitlabEdit("smtp:\n  type: none\n", "smtp:\n  type: none\n  fromAddress: gitlab@example.com\n"),
			good: gitlabEdit("smtp:\n  type: none\n", "smtp:\n  type: ses\n  domain: example.com\n  fromAddress: gitlab@example.com\n"),
		},
		{
			rule: "gitlab-smtp-type",
			at:   gitlabFile + ":16",
			bad:  gitlabEdit("smtp:\n  type: none\n", "smtp:\n  type: sendmail\n"),
			good: gitlabEdit("smtp:\n  type: none\n", sesSMTP),
		},
		{
			rule: "gitlab-efs-replication-region",
			at:   gitlabFile + ":25",
			bad:  gitlabEdit("rootEmail", "efs:\n  replicationRegion: eu-west-1\nrootEmail"),
			good: gitlabEdit("rootEmail", "efs:\n  replicationRegion: eu-central-1\nrootEmail"),
		},
		{
			rule: "region-unknown",
			at:   gitlabFile + ":25",
			bad:  gitlabEdit("rootEmail", "efs:\n  replicationRegion: eu-west-9\nrootEmail"),
			good: gitlabEdit("rootEmail", "efs:\n  replicationRegion: eu-central-1\nrootEmail"),
		},
		{
			rule: "gitlab-efs-throughput",
			at:   gitlabFile + ":25",
			bad:  gitlabEdit("rootEmail", "efs:\n  throughputMode: provisioned\nrootEmail"),
			good: gitlabEdit("rootEmail", "efs:\n  throughputMode: bursting\nrootEmail"),
		},
		{
			rule: "gitlab-efs-backup-off",
			at:   gitlabFile + ":25",
			bad:  gitlabEdit("rootEmail", "efs:\n  backup: false\nrootEmail"),
			good: gitlabEdit("rootEmail", "efs:\n  backup: true\nrootEmail"),
		},
		{
			rule: "gitlab-root-email",
			at:   gitlabFile + ":24",
			bad:  gitlabEdit("rootEmail: admin@example.com", "rootEmail: admin(at)example.com"),
			good: gitlabEdit("rootEmail: admin@example.com", "rootEmail: admin+gitlab@git.example.com"),
		},
		{
			rule: "gitlab-log-retention",
			at:   gitlabFile + ":25",
			bad:  gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\nlogRetentionDays: 10\n"),
			good: gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\nlogRetentionDays: 90\n"),
		},
		{
			rule: "gitlab-rb-key",
			at:   gitlabFile + ":26",
			bad:  gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  time_zone: UTC\n"),
			good: gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  \"gitlab_rails['time_zone']\": UTC\n  \"nginx['client_max_body_size']\": 250m\n  \"registry['enable']\": false\n  \"gitlab_rails['password_authentication_enabled_for_web']\": false\n"),
		},
		{
			rule: "gitlab-rb-key",
			at:   gitlabFile + ":26",
			bad:  gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  \"gitlab_rails['time_zone'] = 'UTC'\": x\n"),
			good: gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  \"gitlab_rails['time_zone']\": UTC\n"),
		},
	})
}

// TestGitLabManagedKeys checks every gitlab.rb key gitops sets itself is refused.
func TestGitLabManagedKeys(t *testing.T) {
	var cases []ruleCase
	for _, key := range []string{
		`external_url`,
		`"nginx['listen_port']"`,
		`"nginx['listen_https']"`,
		`"gitlab_rails['db_host']"`,
		`"gitlab_rails[\"db_password\"]"`,
		`"gitlab_rails['smtp_address']"`,
		`"postgresql['enable']"`,
		`"gitlab_rails['monitoring_whitelist']"`,
		`"gitlab_rails['initial_root_password']"`,
	} {
		cases = append(cases, ruleCase{
			rule: "gitlab-rb-managed",
			at:   gitlabFile + ":26",
			bad:  gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  "+key+": x\n"),
			good: gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  \"gitlab_rails['dbx']\": x\n"),
		})
	}
	cases = append(cases, ruleCase{
		rule: "gitlab-rb-secret",
		at:   gitlabFile + ":26",
		bad:  gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  \"gitlab_rails['initial_shared_runners_registration_token']\": abc123\n"),
		good: gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n  \"gitlab_rails['password_authentication_enabled_for_web']\": false\n"),
	})
	runRuleCases(t, cases)
}

// The SMTP port rule guards two constants (gitlab.rb's smtp_port and the
// endpoint's ports), so its bad case drifts one of them on purpose; the
// good case is what compile writes today.
func TestGitLabSMTPEndpointPort(t *testing.T) {
	root := t.TempDir()
	files := offline("smtp:\n  type: none\n", sesSMTP, "", "")
	for name, body := range baseEstate {
		if _, ok := files[name]; !ok {
			files[name] = body
		}
	}
	writeTree(t, root, files)
	e, _, err := load.LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	c := &checker{e: e, ix: estate.NewIndex(e), diags: &diag.List{}}
	g := e.GitLabs[0]
	ref := c.ix.VPCs[g.Network.VPC]
	c.checkGitLabSMTPPort(g, ref, gitlabrb.SMTPPort, estate.InterfaceEndpointPorts("email-smtp"))
	if c.diags.Len() != 0 {
		t.Fatalf("gitlab.rb's port and the endpoint's ports disagree today:\n%s", render(c.diags.Items()))
	}
	c.checkGitLabSMTPPort(g, ref, 465, estate.InterfaceEndpointPorts("email-smtp"))
	items := c.diags.Items()
	if len(items) != 1 || items[0].Rule != "gitlab-smtp-endpoint-port" || items[0].Pos.File != gitlabFile || !strings.Contains(items[0].Message, "465") {
		t.Fatalf("a drifted port is not reported at the GitLab's smtp: %s", render(items))
	}
}

// TestGitLabRbSize: gitlabRb travels in the task definition, which ECS
// caps at 64 KiB.
func TestGitLabRbSize(t *testing.T) {
	settings := func(n int) map[string]string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "  \"gitlab_rails['setting_%02d']\": %s\n", i, strings.Repeat("x", 1000))
		}
		return gitlabEdit("rootEmail: admin@example.com\n", "rootEmail: admin@example.com\ngitlabRb:\n"+b.String())
	}
	runRuleCases(t, []ruleCase{{
		rule: "gitlab-rb-size",
		at:   gitlabFile + ":25",
		bad:  settings(60),
		good: settings(50),
	}})
}
