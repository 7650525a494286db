package stacks

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
)

// fixtureRoot is the estate the synth's golden tests use too.
const fixtureRoot = "../synth/testdata/estate"

// loadFixture loads the fixture estate with files laid over it (an empty
// body deletes a file) and fails on any finding of the loader.
func loadFixture(t *testing.T, over map[string]string) *estate.Estate {
	t.Helper()
	root := t.TempDir()
	err := filepath.WalkDir(fixtureRoot, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(fixtureRoot, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return writeFile(root, filepath.ToSlash(rel), string(data))
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range over {
		if body == "" {
			os.Remove(filepath.Join(root, name))
			continue
		}
		if err := writeFile(root, name, body); err != nil {
			t.Fatal(err)
		}
	}
	e, diags, err := load.LoadEstate(root)
	if err != nil {
		t.Fatal(err)
	}
	if diags.Len() > 0 {
		t.Fatalf("loading the fixture: %v", diags.Items())
	}
	return e
}

func writeFile(root, name, body string) error {
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, []byte(body), 0o644)
}

func buildFixture(t *testing.T, over map[string]string) *Plan {
	t.Helper()
	p, err := Build(loadFixture(t, over))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ids(p *Plan) []string {
	var out []string
	for _, s := range p.Stacks {
		out = append(out, s.ID)
	}
	return out
}

func TestPlanStacks(t *testing.T) {
	p := buildFixture(t, nil)
	want := []string{
		"prod/eu-west-1/deploy-role",
		"prod/eu-central-1/template-bucket",
		"prod/eu-central-1/ami-parameters",
		"prod/eu-west-1/access-logs",
		"prod/eu-west-1/ami-parameters",
		"tooling/eu-west-1/deploy-role",
		"tooling/eu-west-1/access-logs",
		"tooling/eu-west-1/gitlab-main-image",
		"tooling/eu-west-1/tgw-hub",
		"prod/eu-west-1/network-app",
		"prod/eu-west-1/app-prod",
		"tooling/eu-west-1/network-desktops",
		"tooling/eu-west-1/network-gitlab",
		"tooling/eu-west-1/gitlab-main",
		"tooling/eu-west-1/imagerecipe-base",
		"tooling/eu-west-1/imagerecipe-app",
		"tooling/eu-west-1/mirrors",
		"tooling/eu-west-1/pipeline-api",
		"tooling/eu-west-1/pipeline-app",
		"tooling/eu-west-1/tgw-hub-routing-prod",
		"tooling/eu-west-1/tgw-hub-routing-tooling",
		"tooling/eu-west-1/tgw-hub-spokes-routes-10-0",
		"tooling/eu-west-1/tgw-hub-spokes-routes-192-168",
	}
	if got := ids(p); !slices.Equal(got, want) {
		t.Errorf("stacks in order:\n got %v\nwant %v", got, want)
	}
	// Dependency order: every stack after the ones it depends on.
	pos := map[string]int{}
	for i, s := range p.Stacks {
		pos[s.ID] = i
	}
	for _, s := range p.Stacks {
		for _, d := range s.DependsOn {
			if pos[d] >= pos[s.ID] {
				t.Errorf("%s comes before its dependency %s", s.ID, d)
			}
		}
	}
	s := p.Stack("prod/eu-west-1/network-app")
	if s.Name != "gitops-network-app" || s.AccountID != "222222222222" || s.Template != "prod/eu-west-1/network-app.template.json" {
		t.Errorf("prod network stack: %+v", s)
	}
	if s.Tags["environment"] != "production" {
		t.Errorf("account tags not carried: %v", s.Tags)
	}
	if !slices.Equal(s.Zones, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}) {
		t.Errorf("zones: %v", s.Zones)
	}
}

func TestPlanDeployRoles(t *testing.T) {
	p := buildFixture(t, nil)
	prod := p.Stack("prod/eu-west-1/deploy-role")
	if prod == nil || prod.DeployRole.RoleName != "prod-deployer" {
		t.Fatalf("prod deploy role: %+v", prod)
	}
	// The estate's apply role alone, named exactly: the pipelines and
	// bake stages have roles of their own (TestPlanDeployRoleGrants).
	wantTrusted := []RoleRef{{AccountID: "111111111111", Name: ApplyRoleName}}
	if !slices.Equal(prod.DeployRole.Trusted, wantTrusted) {
		t.Errorf("trusted roles:\n got %v\nwant %v", prod.DeployRole.Trusted, wantTrusted)
	}
	if got := p.Stack("tooling/eu-west-1/deploy-role").DeployRole.RoleName; got != estate.DefaultDeployRoleName {
		t.Errorf("default deploy role name: %s", got)
	}
	// Every other stack of an account waits for its deploy role.
	for _, s := range p.Stacks {
		if s.Kind != KindDeployRole && !slices.Contains(s.DependsOn, StackID(s.Account, "eu-west-1", "deploy-role")) {
			t.Errorf("%s does not depend on its account's deploy role", s.ID)
		}
	}
}

func TestPlanParametersComeFromOutputs(t *testing.T) {
	p := buildFixture(t, nil)
	for _, s := range p.Stacks {
		for _, prm := range s.Parameters {
			src := prm.Source
			switch {
			case src.Stack != "":
				producer := p.Stack(src.Stack)
				if producer == nil {
					t.Errorf("%s.%s: from unknown stack %s", s.ID, prm.Name, src.Stack)
					continue
				}
				if !slices.Contains(producer.Outputs, src.Output) {
					t.Errorf("%s.%s: %s has no output %s", s.ID, prm.Name, src.Stack, src.Output)
				}
				if !slices.Contains(s.DependsOn, src.Stack) {
					t.Errorf("%s.%s: reads %s without depending on it", s.ID, prm.Name, src.Stack)
				}
			case src.SSM == "" && src.Literal == "":
				t.Errorf("%s.%s: no source", s.ID, prm.Name)
			}
		}
	}
	// The gateway id crosses from the tooling account into prod.
	att := p.Stack("prod/eu-west-1/network-app")
	prm, ok := att.Param("HubTransitGatewayId")
	if !ok || prm.Source.Stack != "tooling/eu-west-1/tgw-hub" {
		t.Errorf("gateway parameter of prod attachments: %+v", prm)
	}
	// NAT instances read the AMI from SSM.
	net := p.Stack("tooling/eu-west-1/network-desktops")
	if prm, ok := net.Param("NatImageArm64"); !ok || prm.Source.SSM != "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64" {
		t.Errorf("NAT image parameter: %+v", prm)
	}
}

func TestPlanNetwork(t *testing.T) {
	p := buildFixture(t, nil)
	gl := p.Stack("tooling/eu-west-1/network-gitlab").Network.VPCs[0]
	desk := p.Stack("tooling/eu-west-1/network-desktops").Network.VPCs[0]
	if gl.CIDR != "10.0.0.0/16" || !gl.InternetGateway {
		t.Errorf("gitlab VPC: %+v", gl)
	}
	// One NAT gateway (perAZ off) in the first public subnet; private
	// subnets route to it, isolated ones nowhere.
	if len(gl.NATs) != 1 || gl.NATs[0].Subnet != "public-a" || gl.NATs[0].Instance {
		t.Errorf("gitlab NATs: %+v", gl.NATs)
	}
	routes := map[string]string{}
	for _, s := range gl.Subnets {
		routes[s.Name] = s.DefaultRoute
	}
	wantRoutes := map[string]string{"public-a": "igw", "public-b": "igw", "private-a": "public-a", "private-b": "public-a", "tgw-a": "public-a", "tgw-b": "public-a", "data-a": "", "data-b": ""}
	for name, want := range wantRoutes {
		if routes[name] != want {
			t.Errorf("default route of %s: got %q, want %q", name, routes[name], want)
		}
	}
	// Endpoints go in the roomiest private tier, not the /28 one.
	if !slices.Equal(gl.EndpointSubnets, []string{"private-a", "private-b"}) {
		t.Errorf("endpoint subnets: %v", gl.EndpointSubnets)
	}
	if len(gl.InterfaceEndpoints) != 8 || gl.InterfaceEndpoints[0].ServiceName != "com.amazonaws.eu-west-1.ecr.api" {
		t.Errorf("interface endpoints: %+v", gl.InterfaceEndpoints)
	}
	if gl.FlowLogs == nil || gl.FlowLogs.TrafficType != "ALL" || gl.FlowLogs.RetentionDays != 365 {
		t.Errorf("default flow logs: %+v", gl.FlowLogs)
	}
	// One NAT instance of the declared type; both zones use it.
	if len(desk.NATs) != 1 || !desk.NATs[0].Instance || desk.NATs[0].InstanceType != "t4g.micro" || desk.NATs[0].Subnet != "public-a" {
		t.Errorf("desktops NATs: %+v", desk.NATs)
	}
	for _, s := range desk.Subnets {
		if s.Name == "private-b" && s.DefaultRoute != "public-a" {
			t.Errorf("private-b routes to %q, want the NAT in public-a", s.DefaultRoute)
		}
		if s.Name == "private-a" && s.CIDR != "10.1.8.0/22" {
			t.Errorf("declared CIDR of private-a: %s", s.CIDR)
		}
	}
	if desk.FlowLogs.TrafficType != "REJECT" || desk.FlowLogs.RetentionDays != 30 {
		t.Errorf("declared flow logs: %+v", desk.FlowLogs)
	}
	app := p.Stack("prod/eu-west-1/network-app").Network.VPCs[0]
	if app.FlowLogs != nil || app.InternetGateway || len(app.NATs) != 0 {
		t.Errorf("app VPC without egress or flow logs: %+v", app)
	}
	if len(app.GatewayEndpoints) != 1 || app.GatewayEndpoints[0].ServiceName != "com.amazonaws.eu-west-1.s3" {
		t.Errorf("gateway endpoints: %+v", app.GatewayEndpoints)
	}
}

func TestPlanTransitGateway(t *testing.T) {
	p := buildFixture(t, nil)
	owner := p.Stack("tooling/eu-west-1/tgw-hub").TransitGateway
	if owner.ASN != 64512 || !slices.Equal(owner.ShareWith, []string{"222222222222"}) || !slices.Equal(owner.RouteTables, []string{"shared", "spokes"}) {
		t.Errorf("owner: %+v", owner)
	}
	prod := p.Stack("prod/eu-west-1/network-app").Network.Attachments
	if len(prod) != 1 || prod[0].Name != "app" || len(prod[0].Subnets) != 3 {
		t.Fatalf("prod attachments: %+v", prod)
	}
	// app is associated with spokes, which learns gitlab's CIDR and routes
	// 192.168.0.0/16 to gitlab; the 10.0.3.0/24 blackhole is not a route.
	got := map[string]bool{}
	for _, r := range prod[0].Routes {
		got[r.Subnet+" "+r.Destination] = true
	}
	for _, sub := range []string{"private-a", "private-b", "private-c", "tgw-a", "tgw-b", "tgw-c"} {
		for _, dst := range []string{"10.0.0.0/16", "192.168.0.0/16"} {
			if !got[sub+" "+dst] {
				t.Errorf("missing VPC route %s → %s", sub, dst)
			}
		}
	}
	if len(prod[0].Routes) != 12 {
		t.Errorf("want 12 routes, got %d: %+v", len(prod[0].Routes), prod[0].Routes)
	}
	// Associations and propagations by attaching account, static routes by
	// table and /16 of their destination.
	prodRouting := p.Stack("tooling/eu-west-1/tgw-hub-routing-prod").Routing.RouteTables
	if len(prodRouting) != 2 || prodRouting[0].Name != "spokes" || len(prodRouting[0].Associations) != 1 || prodRouting[0].Associations[0].Name != "app" {
		t.Errorf("prod's routing: %+v", prodRouting)
	}
	blackhole := p.Stack("tooling/eu-west-1/tgw-hub-spokes-routes-10-0").Routing.RouteTables
	if len(blackhole) != 1 || len(blackhole[0].Routes) != 1 || !blackhole[0].Routes[0].Blackhole {
		t.Errorf("spokes routes in 10.0.0.0/16: %+v", blackhole)
	}
	toGitLab := p.Stack("tooling/eu-west-1/tgw-hub-spokes-routes-192-168").Routing.RouteTables
	if len(toGitLab) != 1 || len(toGitLab[0].Routes) != 1 || toGitLab[0].Routes[0].Attachment.Name != "gitlab" {
		t.Errorf("spokes routes in 192.168.0.0/16: %+v", toGitLab)
	}
}

// TestPlanNATPerZone: with perAZ each zone's private subnets use the NAT
// of their own zone.
func TestPlanNATPerZone(t *testing.T) {
	p := buildFixture(t, map[string]string{"environments/tooling/network.yaml": strings.Replace(readFixture(t, "environments/tooling/network.yaml"),
		"egress: {type: natGateway}", "egress: {type: natGateway, perAZ: true}", 1)})
	gl := p.Stack("tooling/eu-west-1/network-gitlab").Network.VPCs[0]
	if len(gl.NATs) != 2 || gl.NATs[1].Subnet != "public-b" {
		t.Fatalf("NATs: %+v", gl.NATs)
	}
	for _, s := range gl.Subnets {
		if s.Type == "private" && s.DefaultRoute != "public-"+estate.ZoneLetter(s.Zone) {
			t.Errorf("%s routes to %q", s.Name, s.DefaultRoute)
		}
	}
}

func TestPlanTransitGatewayDefaultRouteSkipsTablesWithEgress(t *testing.T) {
	p := buildFixture(t, map[string]string{"environments/tooling/transitgateway.yaml": `kind: TransitGateway
name: hub
account: tooling
region: eu-west-1
asn: 64512
shareWith: [prod]
attachments:
  - {name: gitlab, vpc: gitlab, subnets: [tgw-a, tgw-b]}
  - {name: app, vpc: app, subnets: [tgw-a, tgw-b, tgw-c]}
routeTables:
  - name: spokes
    associations: [app, gitlab]
    routes:
      - {destination: 0.0.0.0/0, attachment: gitlab}
`})
	// app has no egress: its private subnets send everything to the hub.
	app := p.Stack("prod/eu-west-1/network-app").Network.Attachments[0]
	if len(app.Routes) != 6 || app.Routes[0].Destination != "0.0.0.0/0" {
		t.Errorf("app routes: %+v", app.Routes)
	}
	// gitlab's public and private subnets already have a default route.
	gl := p.Stack("tooling/eu-west-1/network-gitlab").Network.Attachments[0]
	if len(gl.Routes) != 0 {
		t.Errorf("gitlab routes: %+v", gl.Routes)
	}
}

func TestPlanGitLab(t *testing.T) {
	p := buildFixture(t, nil)
	s := p.Stack("tooling/eu-west-1/gitlab-main")
	g := s.GitLab
	if g.Omnibus.VPCCIDR != "10.0.0.0/16" || g.TaskZones != 2 || g.ALBScheme != "internal" || g.ThroughputMode != "elastic" || !g.ECSExec || !g.Backup || g.LogRetentionDays != 90 {
		t.Errorf("resolved GitLab spec: %+v", g)
	}
	for _, want := range []string{g.VPCParam, g.TaskSubnetsParam, g.ALBSubnetsParam, g.DatabaseSubnetsParam, g.ImageParam} {
		if _, ok := s.Param(want); !ok || want == "" {
			t.Errorf("parameter %q missing", want)
		}
	}
	if g.DatabaseSubnetsParam != "GitlabDataSubnetIds" {
		t.Errorf("database subnets come from the declared tier: %s", g.DatabaseSubnetsParam)
	}
	img := p.Stack("tooling/eu-west-1/gitlab-main-image")
	if img.GitLabImage.Repository != "gitops-main/gitlab/gitlab-ce" || img.CopyImage == nil || img.CopyImage.From != "docker.io/gitlab/gitlab-ce:17.5.1-ce.0" {
		t.Errorf("image stack: %+v %+v", img.GitLabImage, img.CopyImage)
	}
}

func TestPlanErrors(t *testing.T) {
	cases := []struct {
		name string
		over map[string]string
		want string
	}{
		{"unshared attachment", map[string]string{"environments/tooling/transitgateway.yaml": `kind: TransitGateway
name: hub
account: tooling
region: eu-west-1
asn: 64512
attachments:
  - {name: app, vpc: app, subnets: [tgw-a]}
`}, "account prod of VPC app is not in shareWith"},
		{"gitlabRb key", map[string]string{"environments/tooling/gitlab.yaml": strings.Replace(readFixture(t, "environments/tooling/gitlab.yaml"),
			"puma['worker_processes']: 2", "\"system('id'); x\": 2", 1)}, "is not a gitlab.rb setting"},
		{"NAT without public tier", map[string]string{"environments/prod/network.yaml": strings.Replace(readFixture(t, "environments/prod/network.yaml"),
			"egress: {type: none}", "egress: {type: natGateway}", 1)}, "needs a public subnet tier"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(loadFixture(t, tc.over))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func readFixture(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(fixtureRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestManifestDeterministic(t *testing.T) {
	p1, p2 := buildFixture(t, nil), buildFixture(t, nil)
	templates := map[string][]byte{}
	for _, s := range p1.Stacks {
		templates[s.ID] = []byte(`{"Description": "` + s.ID + `", "Resources": {"Data": {"Type": "AWS::EFS::FileSystem"}, "Topic": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::S3::Bucket"}}}`)
	}
	a, err := NewManifest(p1, templates).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewManifest(p2, templates).Marshal()
	if string(a) != string(b) {
		t.Error("two plans of the same estate give different manifests")
	}
	network := SHA256Hex(templates["prod/eu-west-1/network-app"])
	for _, want := range []string{`"sha256": "` + network + `",
      "protected": [
        {
          "logicalId": "B",`, `"ssm": "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"`, `"copyImage"`} {
		if !strings.Contains(string(a), want) {
			t.Errorf("manifest lacks %s", want)
		}
	}
}

func TestPascal(t *testing.T) {
	for in, want := range map[string]string{"gitlab": "Gitlab", "private-a": "PrivateA", "ecr.api": "EcrApi", "a-1": "A1", "tgw-hub": "TgwHub"} {
		if got := Pascal(in); got != want {
			t.Errorf("Pascal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestInstanceArch(t *testing.T) {
	for typ, want := range map[string]string{
		"t4g.nano": "arm64", "c7gn.large": "arm64", "im4gn.large": "arm64", "g5g.xlarge": "arm64",
		"t3.micro": "x86_64", "g4dn.xlarge": "x86_64", "m7i.large": "x86_64", "t3a.nano": "x86_64",
	} {
		if got := InstanceArch(typ); got != want {
			t.Errorf("InstanceArch(%s) = %s, want %s", typ, got, want)
		}
	}
}

// TestPlanGitLabIngressFromIntents: the load balancer admits its declared
// CIDRs, then the VPCs the allow intents send to it, each once, in order.
func TestPlanGitLabIngressFromIntents(t *testing.T) {
	tgw, err := os.ReadFile(filepath.Join(fixtureRoot, "environments/tooling/transitgateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	intents := "intents:\n  groups:\n    - {name: workloads, role: workload}\n  allow:\n" +
		"    - {from: [workloads, desktops], to: [main], ports: [443]}\n" +
		"    - {from: [desktops], to: [gitlab]}\n" // the VPC gitlab, not the service: no ingress
	gitlab, err := os.ReadFile(filepath.Join(fixtureRoot, "environments/tooling/gitlab.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p := buildFixture(t, map[string]string{
		"environments/tooling/transitgateway.yaml": string(tgw) + intents,
		"environments/tooling/gitlab.yaml":         strings.Replace(string(gitlab), "allowedCidrs: [10.0.0.0/8]", "allowedCidrs: [192.168.0.0/16, 10.2.0.0/16]", 1),
	})
	got := p.Stack("tooling/eu-west-1/gitlab-main").GitLab.AllowedCIDRs
	if want := []string{"192.168.0.0/16", "10.2.0.0/16", "10.1.0.0/16"}; !slices.Equal(got, want) {
		t.Errorf("load balancer ingress %v, want %v", got, want)
	}
}

func TestPlanGitLabZoneAssociationFromIntents(t *testing.T) {
	tgw, err := os.ReadFile(filepath.Join(fixtureRoot, "environments/tooling/transitgateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	zoneVPCs := func(p *Plan) []string {
		var out []string
		for _, v := range p.Stack("tooling/eu-west-1/gitlab-main").AssociateZone.VPCs {
			out = append(out, fmt.Sprintf("%s %s %s by apply %v", v.Stack, v.Output, v.AccountID, v.ByApply("111111111111", "eu-west-1")))
		}
		return out
	}
	// No intents: the zone answers in the VPCs of GitLab's account and
	// region, which the template associates; apply has nothing to do.
	p := buildFixture(t, nil)
	gl := p.Stack("tooling/eu-west-1/gitlab-main")
	if gl.GitLab.HTTPS.PrivateZone == nil || gl.AssociateZone == nil {
		t.Fatalf("no private zone or association planned: %+v", gl.GitLab.HTTPS)
	}
	own := []string{
		"tooling/eu-west-1/network-desktops DesktopsVpcId 111111111111 by apply false",
		"tooling/eu-west-1/network-gitlab GitlabVpcId 111111111111 by apply false",
	}
	if got := zoneVPCs(p); !slices.Equal(got, own) {
		t.Errorf("without intents: %q, want %q", got, own)
	}
	if !slices.Contains(gl.Outputs, GitLabPrivateZoneOutput("main")) {
		t.Errorf("GitLab stack outputs %v lack the zone id", gl.Outputs)
	}
	if g := p.Stack("prod/eu-west-1/deploy-role").DeployRole.PrivateZones; g != nil {
		t.Errorf("prod's deploy role may associate zones without intents: %+v", g)
	}

	// The workloads (prod's app VPC) may reach GitLab: apply associates
	// prod's VPC, after prod's network stack. A rule to the VPC named
	// gitlab, not the service, leads nowhere near the zone.
	intents := "intents:\n  groups:\n    - {name: workloads, role: workload}\n  allow:\n" +
		"    - {from: [desktops], to: [gitlab]}\n" +
		"    - {from: [workloads], to: [main], ports: [443]}\n"
	p = buildFixture(t, map[string]string{"environments/tooling/transitgateway.yaml": string(tgw) + intents})
	gl = p.Stack("tooling/eu-west-1/gitlab-main")
	want := append([]string{"prod/eu-west-1/network-app AppVpcId 222222222222 by apply true"}, own...)
	if got := zoneVPCs(p); !slices.Equal(got, want) {
		t.Errorf("with intents: %q, want %q", got, want)
	}
	if !slices.Contains(gl.DependsOn, "prod/eu-west-1/network-app") {
		t.Errorf("GitLab stack does not wait for prod's network stack: %v", gl.DependsOn)
	}
	if g := p.Stack("tooling/eu-west-1/deploy-role").DeployRole.PrivateZones; g == nil || !slices.Equal(g.OwnerRegions, []string{"eu-west-1"}) || len(g.VPCRegions) != 0 {
		t.Errorf("tooling's deploy role zone grant: %+v", g)
	}
	if g := p.Stack("prod/eu-west-1/deploy-role").DeployRole.PrivateZones; g == nil || !slices.Equal(g.VPCRegions, []string{"eu-west-1"}) || len(g.OwnerRegions) != 0 {
		t.Errorf("prod's deploy role zone grant: %+v", g)
	}
}

// Which VPCs apply associates follows the rules' shapes: a VPC named
// directly, a group, a VPC of GitLab's own account (the template's).
func TestPlanGitLabZoneAssociationShapes(t *testing.T) {
	tgw, err := os.ReadFile(filepath.Join(fixtureRoot, "environments/tooling/transitgateway.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ allow, byApply string }{
		{"    - {from: [app], to: [main]}\n", "prod/eu-west-1/network-app"},
		{"    - {from: [workloads], to: [main]}\n", "prod/eu-west-1/network-app"},
		{"    - {from: [desktops], to: [main]}\n", ""},
		{"    - {from: [app], to: [desktops]}\n", ""},
	} {
		intents := "intents:\n  groups:\n    - {name: workloads, role: workload}\n  allow:\n" + tc.allow
		p := buildFixture(t, map[string]string{"environments/tooling/transitgateway.yaml": string(tgw) + intents})
		gl := p.Stack("tooling/eu-west-1/gitlab-main")
		var got []string
		for _, v := range gl.AssociateZone.VPCs {
			if v.ByApply(gl.AccountID, gl.Region) {
				got = append(got, v.Stack)
			}
		}
		if strings.Join(got, ",") != tc.byApply {
			t.Errorf("%s: apply associates %v, want %q", strings.TrimSpace(tc.allow), got, tc.byApply)
		}
		if grant := p.Stack("prod/eu-west-1/deploy-role").DeployRole.PrivateZones; (grant != nil) != (tc.byApply != "") {
			t.Errorf("%s: prod's deploy role zone grant %+v", strings.TrimSpace(tc.allow), grant)
		}
	}
}
