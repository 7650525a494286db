package synthetic

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Services writes an estate of a shape drawn from seed with every document
// kind: a tooling account and 3–14 workload accounts over the three
// regions (tagged, in UTF-8), each workload with an application VPC per
// region; per region a hub in the tooling account whose spokes send
// everything to an inspection VPC and reach GitLab, the build and desktop
// VPCs, with blackholes; GitLab in one or two regions with CodeCommit and
// CodeConnections mirrors; a golden base recipe distributed to every
// account and region, and per GitLab region 1–4 application recipes, each
// baked and rolled out to Auto Scaling groups in up to six accounts by a
// pipeline of its own. The draws stay inside every limit: the estate is
// meant to validate, compile and lint clean.
func Services(dir string, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, 15))
	g := &generator{dir: dir}
	regions := randomRegions
	gitlabRegions := regions[:1+rng.IntN(2)]
	accounts := []string{"tooling"}
	for i := range 3 + rng.IntN(12) {
		accounts = append(accounts, fmt.Sprintf("w%03d", i+1))
	}
	in := map[string][]string{"tooling": regions}
	for _, a := range accounts[1:] {
		for _, r := range regions {
			if rng.IntN(2) == 0 {
				in[a] = append(in[a], r)
			}
		}
		if len(in[a]) == 0 {
			i := rng.IntN(len(regions))
			in[a] = regions[i : i+1]
		}
	}
	next := map[int]int{} // by block base: /20s handed out
	cidr := func(a, r string) string {
		base := 200 // the tooling VPCs, apart; each region's spokes together
		if a != "tooling" {
			base = 64 * slices.Index(regions, r)
		}
		c := next[base]
		next[base]++
		return fmt.Sprintf("10.%d.%d.0/20", base+c/16, (c%16)*16)
	}
	spokes := map[string][]string{} // by region
	for i, a := range accounts {
		role := "workload"
		if a == "tooling" {
			role = "tooling"
		}
		if err := g.write("accounts/"+a+".yaml", fmt.Sprintf("kind: Account\nname: %s\nid: \"%012d\"\nemail: aws-%s@example.com\nrole: %s\nregions: [%s]\ntags:\n  environment: %s\n  owner: \"Équipe plateforme\"\n  cost-centre: \"CC/42 = ops+sec@zürich\"\n",
			a, 100000000000+i, a, role, strings.Join(in[a], ", "), a)); err != nil {
			return err
		}
		for _, r := range in[a] {
			var b strings.Builder
			fmt.Fprintf(&b, "kind: Network\naccount: %s\nregion: %s\nvpcs:\n", a, r)
			vpc := func(name, egress, endpoints string) {
				fmt.Fprintf(&b, "  - name: %s\n    cidr: %s\n    azCount: 2\n    subnets:\n      - {name: public, type: public, prefix: 24}\n      - {name: private, type: private, prefix: 22}\n      - {name: tgw, type: isolated, prefix: 28}\n    egress: {type: %s}\n%s", name, cidr(a, r), egress, endpoints)
			}
			if a == "tooling" {
				if slices.Contains(gitlabRegions, r) {
					vpc("gitlab-"+r, "none", "    endpoints:\n      interface: [ecr.api, ecr.dkr, logs, secretsmanager, ssmmessages, sts, elasticfilesystem, email-smtp, git-codecommit]\n      gateway: [s3]\n")
				}
				vpc("build-"+r, "natGateway", "")
				vpc("desktop-"+r, "natInstance", "")
				vpc("inspect-"+r, "natGateway", "")
			} else {
				endpoints := ""
				if rng.IntN(2) == 0 {
					endpoints = "    endpoints:\n      interface: [ssm, ssmmessages, ec2messages, logs]\n      gateway: [s3]\n    flowLogs:\n      retentionDays: 90\n"
				}
				vpc(a+"-app-"+r, []string{"natGateway", "natInstance", "none"}[rng.IntN(3)], endpoints)
				spokes[r] = append(spokes[r], a)
			}
			if err := g.write(fmt.Sprintf("environments/%s/network-%s.yaml", a, r), b.String()); err != nil {
				return err
			}
		}
	}
	for _, r := range regions {
		if err := g.write("environments/tooling/hub-"+r+".yaml", servicesHub(r, slices.Index(regions, r), spokes[r], slices.Contains(gitlabRegions, r))); err != nil {
			return err
		}
	}
	if err := g.write("imagerecipes/components/install.yaml", servicesComponent); err != nil {
		return err
	}
	var everywhere strings.Builder
	for _, a := range accounts {
		for _, r := range in[a] {
			fmt.Fprintf(&everywhere, "  - {account: %s, region: %s}\n", a, r)
		}
	}
	if err := g.write("imagerecipes/golden-base.yaml", "kind: ImageRecipe\nname: golden-base\ndescription: \"Amazon Linux 2023 — patched (Zürich ops)\"\naccount: tooling\nregion: "+regions[0]+
		"\nversion: 1.0.0\nparent:\n  ssmParameter: /aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64\ncomponents:\n  - managed: update-linux\ntests:\n  - managed: reboot-test-linux\ninstanceTypes: [t3.medium]\nnetwork:\n  vpc: build-"+regions[0]+
		"\n  subnets: private\ndistribution:\n"+everywhere.String()+"ssmParameter: /gitops/ami/golden-base\nschedule:\n  cron: cron(0 3 ? * sun *)\n"); err != nil {
		return err
	}
	for k, r := range gitlabRegions {
		if err := servicesGitLab(g, rng, r, k, spokes[r]); err != nil {
			return err
		}
	}
	return nil
}

// servicesHub is the hub of region r: spokes (and the build VPC) send
// everything to the inspection VPC and reach the services VPCs directly.
func servicesHub(r string, n int, spokes []string, gitlab bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "kind: TransitGateway\nname: hub-%s\naccount: tooling\nregion: %s\nasn: %d\n", r, r, 64512+n)
	var apps []string
	for _, a := range spokes {
		apps = append(apps, a+"-app-"+r)
	}
	if len(spokes) > 0 {
		fmt.Fprintf(&b, "shareWith: [%s]\n", strings.Join(spokes, ", "))
	}
	services := []string{"desktop-" + r}
	if gitlab {
		services = append([]string{"gitlab-" + r}, services...)
	}
	inspect, build := "inspect-"+r, "build-"+r
	b.WriteString("attachments:\n")
	for _, v := range slices.Concat(services, []string{build, inspect}, apps) {
		fmt.Fprintf(&b, "  - {name: %s, vpc: %s, subnets: [tgw-a, tgw-b]}\n", v, v)
	}
	list := func(vs ...[]string) string { return strings.Join(slices.Concat(vs...), ", ") }
	fmt.Fprintf(&b, "routeTables:\n  - name: services\n    associations: [%s]\n    propagations: [%s]\n", list(services), list(apps, services, []string{inspect, build}))
	fmt.Fprintf(&b, "  - name: inspection\n    associations: [%s]\n    propagations: [%s]\n", inspect, list(apps, services, []string{build}))
	fmt.Fprintf(&b, "  - name: spokes\n    associations: [%s]\n    propagations: [%s]\n    routes:\n      - {destination: 0.0.0.0/0, attachment: %s}\n      - {destination: 192.168.0.0/16, blackhole: true}\n      - {destination: 172.16.0.0/12, blackhole: true}\n",
		list(apps, []string{build}), list(services), inspect)
	if gitlab {
		fmt.Fprintf(&b, "intents:\n  groups:\n    - name: workloads\n      role: workload\n  allow:\n    - from: [desktop-%s, %s, %s, workloads]\n      to: [gl-%s]\n      ports: [443]\n", r, build, inspect, r)
	}
	return b.String()
}

// servicesGitLab writes the GitLab of region r (the k-th), its mirrors, and
// 1–4 application recipes, each with the pipeline baking it and rolling it
// out to up to six of the region's workload accounts.
func servicesGitLab(g *generator, rng *rand.Rand, r string, k int, spokes []string) error {
	name := "gl-" + r
	if err := g.write("environments/tooling/gitlab-"+r+".yaml", fmt.Sprintf(`kind: GitLab
name: %s
account: tooling
region: %s
network: {vpc: gitlab-%s, subnets: private}
image: {repository: gitlab/gitlab-ce, tag: 17.11.1-ce.0, source: ecrCopy}
cpu: 2048
memory: 8192
efs: {backup: true}
database: {type: aurora, engineVersion: "16.4", instanceClass: db.r6g.large, subnets: private}
smtp: {type: ses, domain: example.com, fromAddress: gitlab-%d@example.com}
alb:
  scheme: internal
  subnets: private
  domain: %s.example.com
  hostedZone: {id: Z0123456789ABCDEFGHIJ, name: example.com}
rootEmail: gitlab-admin@example.com
`, name, r, r, k, name)); err != nil {
		return err
	}
	apps := 1 + rng.IntN(4)
	if len(spokes) == 0 {
		apps = 0 // nowhere to roll an application out to
	}
	mirrors := fmt.Sprintf("kind: Mirror\nname: infra-%s\ngitlab: %s\nproject: platform/infra\nbranches: [main]\naccount: tooling\nregion: %s\ncodeConnections: {connection: infra-%s}\n", r, name, r, r)
	for i := range apps {
		app := fmt.Sprintf("app%d-%s", i, r)
		mirrors += fmt.Sprintf("---\nkind: Mirror\nname: %s\ngitlab: %s\nproject: apps/app%d\nbranches: [main, release]\naccount: tooling\nregion: %s\ncodeCommit: {repository: %s}\n", app, name, i, r, app)
		targets := spokes[:min(len(spokes), 1+rng.IntN(6))]
		var dist, stages strings.Builder
		for _, a := range targets {
			fmt.Fprintf(&dist, "  - {account: %s, region: %s}\n", a, r)
			fmt.Fprintf(&stages, "  - name: %s\n    account: %s\n    region: %s\n    stack: %s-%s\n    approval: {beforeExecute: true}\n    autoScaling: {vpc: %s-app-%s, subnets: private, instanceType: t3.small, minSize: 1, maxSize: 3, port: 8080, healthCheckPath: /healthz}\n", a, a, r, app, a, a, r)
		}
		if err := g.write("imagerecipes/"+app+".yaml", fmt.Sprintf("kind: ImageRecipe\nname: %s\ndescription: App %d on the golden base\naccount: tooling\nregion: %s\nversion: 1.0.%d\nparent: {recipe: golden-base}\ncomponents:\n  - file: components/install.yaml\n    parameters: {Release: \"gitops:release\"}\ntests:\n  - managed: reboot-test-linux\ninstanceTypes: [t3.medium]\nnetwork: {vpc: build-%s, subnets: private}\ndistribution:\n%sssmParameter: /gitops/ami/%s\n",
			app, i, r, i, r, dist.String(), app)); err != nil {
			return err
		}
		if err := g.write("environments/tooling/pipelines/"+app+".yaml", fmt.Sprintf("kind: Pipeline\nname: %s\naccount: tooling\nregion: %s\nsource: {mirror: %s, branch: main}\nestate: {mirror: infra-%s, branch: main}\nbuild: {image: \"aws/codebuild/amazonlinux-x86_64-standard:5.0\", computeType: BUILD_GENERAL1_SMALL}\nbake: {recipe: %s}\ntargets:\n%snotifications:\n  sns: {emails: [ops@example.com]}\n",
			app, r, app, r, app, stages.String())); err != nil {
			return err
		}
	}
	return g.write("environments/tooling/mirrors-"+r+".yaml", mirrors)
}

// servicesComponent installs the application release.
const servicesComponent = `name: install
description: Installs the application release.
schemaVersion: "1.0"
parameters:
  - Release:
      type: string
      description: The s3:// URL of the release.
phases:
  - name: build
    steps:
      - name: Fetch
        action: S3Download
        inputs:
          - source: "{{ Release }}"
            destination: /tmp/release.tar.gz
`
