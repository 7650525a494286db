package reach

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
)

// The hop fixture: GitLab (service main) and desktops in tooling, app in
// prod, hub and spokes. Rows edit one file to kill the packet at one hop,
// and make a near-miss edit that keeps it alive.
var hopFiles = map[string]string{
	"accounts/tooling.yaml": `kind: Account
name: tooling
id: "111111111111"
email: tooling@example.com
role: tooling
regions: [eu-west-1]
`,
	"accounts/prod.yaml": `kind: Account
name: prod
id: "222222222222"
email: prod@example.com
role: workload
regions: [eu-west-1]
`,
	"environments/tooling/network.yaml": `kind: Network
account: tooling
region: eu-west-1
vpcs:
  - name: gitlab
    cidr: 10.10.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: public, type: public, prefix: 24}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: natGateway}
  - name: desktop
    cidr: 10.11.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: none}
`,
	"environments/prod/network.yaml": `kind: Network
account: prod
region: eu-west-1
vpcs:
  - name: app
    cidr: 10.1.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
      - {name: tgw, type: isolated, prefix: 28}
    egress: {type: none}
`,
	"environments/tooling/hub.yaml": `kind: TransitGateway
name: hub
account: tooling
region: eu-west-1
asn: 64512
shareWith: [prod]
attachments:
  - {name: gitlab, vpc: gitlab, subnets: [tgw-a, tgw-b]}
  - {name: desktop, vpc: desktop, subnets: [tgw-a, tgw-b]}
  - {name: app, vpc: app, subnets: [tgw-a, tgw-b]}
routeTables:
  - name: shared
    associations: [gitlab]
    propagations: [desktop, app]
  - name: spokes
    associations: [desktop, app]
    propagations: [gitlab]
intents:
  groups:
    - {name: workloads, role: workload}
  allow:
    - from: [desktop, workloads]
      to: [main]
      ports: [443]
  deny:
    - from: [workloads]
      to: [desktop]
`,
	"environments/tooling/gitlab.yaml": `kind: GitLab
name: main
account: tooling
region: eu-west-1
network:
  vpc: gitlab
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
rootEmail: admin@example.com
`,
}

func loadHops(t *testing.T, file string, edits ...string) *Model {
	t.Helper()
	root := t.TempDir()
	for name, body := range hopFiles {
		if name == file {
			for i := 0; i+1 < len(edits); i += 2 {
				if !strings.Contains(body, edits[i]) {
					t.Fatalf("edit %q: not in %s", edits[i], name)
				}
				body = strings.Replace(body, edits[i], edits[i+1], 1)
			}
		}
		p := filepath.Join(root, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e, diags, err := load.LoadEstate(root)
	if err != nil || diags.HasErrors() {
		t.Fatalf("load: %v %v", err, diags.Items())
	}
	return Build(e, estate.NewIndex(e))
}

const (
	hubF  = "environments/tooling/hub.yaml"
	netF  = "environments/tooling/network.yaml"
	prodF = "environments/prod/network.yaml"
	glF   = "environments/tooling/gitlab.yaml"
)

// endpoint resolves "vpc", "vpc/subnet", "vpc/endpoints" or the GitLab "main".
func endpoint(t *testing.T, m *Model, name string) Endpoint {
	if vpc, ok := strings.CutSuffix(name, "/endpoints"); ok {
		ep, found := m.EndpointsEndpoint(m.VPCs[vpc])
		if !found {
			t.Fatalf("no endpoints in %s", vpc)
		}
		return ep
	}
	if name == "main" {
		ep, ok := m.GitLabEndpoint(m.Ix.GitLabs["main"])
		if !ok {
			t.Fatal("no GitLab endpoint")
		}
		return ep
	}
	vpc, sub, _ := strings.Cut(name, "/")
	v := m.VPCs[vpc]
	if sub == "" {
		return VPCEndpoint(v)
	}
	for _, s := range v.Subnets {
		if s.Name == sub {
			return Endpoint{Name: name, VPC: v, Subnets: []*Subnet{s}}
		}
	}
	t.Fatalf("no subnet %s", name)
	return Endpoint{}
}

func TestHops(t *testing.T) {
	type side struct {
		file  string
		edits []string
	}
	for _, tc := range []struct {
		hop      string
		from, to string
		port     int
		goodPort int    // when the near miss is another port
		goodFrom string // or another source
		bad      side
		good     side
		why      string // in the failure
		at       string // file:line of the failure
	}{
		{hop: "source subnet isolated", from: "app/tgw-a", to: "main", port: 443,
			bad: side{}, good: side{prodF, []string{"{name: tgw, type: isolated", "{name: tgw, type: private"}},
			why: "is isolated", at: prodF + ":10"},
		{hop: "source VPC not attached", from: "app", to: "main", port: 443,
			bad:  side{hubF, []string{"  - {name: app, vpc: app, subnets: [tgw-a, tgw-b]}\n", "", "[desktop, app]", "[desktop]", "[desktop, app]", "[desktop]"}},
			good: side{},
			why:  "not attached to transit gateway hub", at: prodF + ":5"},
		{hop: "attachment not associated", from: "app", to: "main", port: 443,
			bad:  side{hubF, []string{"associations: [desktop, app]", "associations: [desktop]"}},
			good: side{hubF, []string{"associations: [desktop, app]", "associations: [desktop]", "routeTables:\n", "routeTables:\n  - {name: prod, associations: [app], propagations: [gitlab]}\n"}},
			why:  "associated with no route table", at: hubF + ":10"},
		{hop: "attachment without a subnet in the zone", from: "app/private-b", to: "main", port: 443,
			bad:  side{hubF, []string{"{name: app, vpc: app, subnets: [tgw-a, tgw-b]}", "{name: app, vpc: app, subnets: [tgw-a]}"}},
			good: side{hubF, []string{"{name: app, vpc: app, subnets: [tgw-a, tgw-b]}", "{name: app, vpc: app, subnets: [tgw-b]}"}},
			why:  "has no subnet in eu-west-1b", at: hubF + ":10"},
		{hop: "gateway route table without a route", from: "app", to: "main", port: 443,
			bad:  side{hubF, []string{"    propagations: [gitlab]\n", "    propagations: []\n"}},
			good: side{hubF, []string{"    propagations: [gitlab]\n", "    propagations: []\n    routes: [{destination: 10.10.0.0/16, attachment: gitlab}]\n"}},
			why:  "has no route to", at: hubF + ":17"},
		{hop: "blackhole", from: "app", to: "main", port: 443,
			bad:  side{hubF, []string{"    propagations: [gitlab]\n", "    propagations: [gitlab]\n    routes: [{destination: 10.10.0.0/23, blackhole: true}]\n"}},
			good: side{hubF, []string{"    propagations: [gitlab]\n", "    propagations: [gitlab]\n    routes: [{destination: 10.10.8.0/23, blackhole: true}]\n"}},
			why:  "blackholes 10.10.0.0/23", at: hubF + ":18"},
		{hop: "static route to another VPC", from: "app", to: "main", port: 443,
			bad:  side{hubF, []string{"    propagations: [gitlab]\n", "    propagations: [gitlab]\n    routes: [{destination: 10.10.1.0/24, attachment: desktop}]\n"}},
			good: side{hubF, []string{"    propagations: [gitlab]\n", "    propagations: [gitlab]\n    routes: [{destination: 10.10.1.0/24, attachment: gitlab}]\n"}},
			why:  "sends 10.10.1.0/24 to VPC desktop", at: hubF + ":18"},
		{hop: "only the NAT's default route", from: "gitlab/private-a", to: "app", port: 0,
			bad:  side{hubF, []string{"propagations: [desktop, app]", "propagations: [desktop]"}},
			good: side{},
			why:  "has no route to", at: hubF + ":14"},
		{hop: "load balancer port", from: "app", to: "main", port: 22,
			goodPort: 80, bad: side{}, good: side{},
			why: "opens tcp/80 and tcp/443 only", at: glF + ":17"},
		{hop: "load balancer security group", from: "app", to: "main", port: 443,
			bad:  side{hubF, []string{"from: [desktop, workloads]", "from: [desktop]"}},
			good: side{glF, []string{"rootEmail", "  allowedCidrs: [10.1.0.0/16]\nrootEmail"}},
			why:  "does not admit 10.1.0.0/24", at: glF + ":17"},
		// Interface endpoints admit their own VPC: app cannot use
		// GitLab's, though the routing carries it there and back. Near
		// miss: from inside GitLab's VPC.
		{hop: "interface endpoints' security group", from: "app", to: "gitlab/endpoints", port: 443,
			bad:      side{netF, []string{"    egress: {type: natGateway}\n", "    egress: {type: natGateway}\n    endpoints: {interface: [ssm, email-smtp]}\n"}},
			good:     side{netF, []string{"    egress: {type: natGateway}\n", "    egress: {type: natGateway}\n    endpoints: {interface: [ssm, email-smtp]}\n"}},
			goodFrom: "gitlab/public-a",
			why:      "does not admit 10.1.0.0/24 (app)", at: netF + ":13"},
		{hop: "the reply", from: "desktop", to: "main", port: 443,
			bad:  side{hubF, []string{"propagations: [desktop, app]", "propagations: [app]"}},
			good: side{hubF, []string{"propagations: [desktop, app]", "propagations: [app]\n    routes: [{destination: 10.11.0.0/16, attachment: desktop}]"}},
			why:  "has no route to 10.11.0.0/24 (VPC desktop)", at: hubF + ":14"},
	} {
		t.Run(tc.hop, func(t *testing.T) {
			walk := func(s side, port int, from string) Path {
				m := loadHops(t, s.file, s.edits...)
				p := m.RoundTrip(endpoint(t, m, from), endpoint(t, m, tc.to), port)
				if quick := m.RoundTripOK(endpoint(t, m, from), endpoint(t, m, tc.to), port); quick != p.OK() {
					t.Errorf("RoundTripOK %v, RoundTrip %v", quick, p.OK())
				}
				return p
			}
			bad := walk(tc.bad, tc.port, tc.from)
			if bad.OK() {
				t.Fatalf("bad: reachable, want %q", tc.why)
			}
			at := bad.Fail.Pos.File + ":" + strconv.Itoa(bad.Fail.Pos.Line)
			if !strings.Contains(bad.Fail.Why, tc.why) || at != tc.at {
				t.Errorf("bad: failure %q at %s, want %q at %s", bad.Fail.Why, at, tc.why, tc.at)
			}
			goodPort := tc.port
			if tc.goodPort != 0 {
				goodPort = tc.goodPort
			}
			goodFrom := tc.from
			if tc.goodFrom != "" {
				goodFrom = tc.goodFrom
			}
			if good := walk(tc.good, goodPort, goodFrom); !good.OK() {
				t.Errorf("good: %s at %v", good.Fail.Why, good.Fail.Pos)
			}
		})
	}
}
