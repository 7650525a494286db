package apply

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"

	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

// motoZones is Route 53 in moto 5.2.1, which has no VPC association
// authorizations (CreateVPCAssociationAuthorization and
// DeleteVPCAssociationAuthorization): those two are recorded here. moto
// also keeps each account's zones apart, so the VPC account's
// AssociateVPCWithHostedZone runs against the zone's account; the calls
// record which account apply made them in.
type motoZones struct {
	*AWSClients
	zoneAccount Target
	mu          sync.Mutex
	calls       []string
}

func (m *motoZones) record(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, fmt.Sprintf(format, args...))
}

func (m *motoZones) taken() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	calls := m.calls
	m.calls = nil
	return calls
}

func (m *motoZones) AuthorizeVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	m.record("authorize %s in %s", vpc.ID, t.Account)
	return nil
}

func (m *motoZones) RevokeVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	m.record("revoke %s in %s", vpc.ID, t.Account)
	return nil
}

func (m *motoZones) AssociateVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	m.record("associate %s in %s", vpc.ID, t.Account)
	return m.AWSClients.AssociateVPC(ctx, m.zoneAccount, zoneID, vpc)
}

func (m *motoZones) DisassociateVPC(ctx context.Context, t Target, zoneID string, vpc ZoneVPC) error {
	m.record("disassociate %s in %s", vpc.ID, t.Account)
	return m.AWSClients.DisassociateVPC(ctx, t, zoneID, vpc)
}

// vpcStack is a network stack whose VPC id output is id.
func vpcStack(stackID, output, id string) stackSpec {
	return stackSpec{
		id:        stackID,
		params:    []stacks.Parameter{{Name: output + "Resource", Type: "String", Source: stacks.Source{Literal: id}}},
		resources: map[string]TemplateResource{"Vpc": res("AWS::EC2::VPC", nil)},
		outputs:   []string{output},
	}
}

func TestMotoZoneAssociationAcrossAccountsIsIdempotentAndPrunes(t *testing.T) {
	motoserver.Need(t)
	ctx := context.Background()
	d0 := loadDeployment(t, filepath.Join("testdata", "twoaccounts", "generated"))
	clients, err := NewAWSClients(ctx, AWSOptions{Accounts: d0.Operations.Accounts, SessionName: SessionName("test-run"), MaxAttempts: MaxAttemptsFromEnv()})
	if err != nil {
		t.Fatal(err)
	}
	tooling := Target{Account: "tooling", AccountID: testAccountIDs["tooling"], Region: "eu-west-1"}

	// The GitLab stack's zone, made with GitLab's own VPC as CloudFormation
	// makes it.
	r53, err := clients.route53Client(ctx, tooling)
	if err != nil {
		t.Fatal(err)
	}
	made, err := r53.CreateHostedZone(ctx, &route53.CreateHostedZoneInput{
		Name: aws.String("gitlab.internal.example"), CallerReference: aws.String(t.Name()),
		VPC:              &r53types.VPC{VPCId: aws.String("vpc-0000000000000own"), VPCRegion: "eu-west-1"},
		HostedZoneConfig: &r53types.HostedZoneConfig{PrivateZone: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	zoneID := strings.TrimPrefix(aws.ToString(made.HostedZone.Id), "/hostedzone/")

	own := vpcStack("tooling/eu-west-1/network-gitlab", "GitlabVpcId", "vpc-0000000000000own")
	dev := vpcStack("dev/eu-west-1/network-dev-app", "DevAppVpcId", "vpc-0000000000000dev")
	far := vpcStack("tooling/us-east-1/network-far", "FarVpcId", "vpc-0000000000000far")
	gitlab := stackSpec{
		id: "tooling/eu-west-1/gitlab-gitlab", kind: stacks.KindGitLab,
		deps:      []string{dev.id, far.id, own.id},
		params:    []stacks.Parameter{{Name: "GitlabPrivateZoneIdResource", Type: "String", Source: stacks.Source{Literal: zoneID}}},
		resources: map[string]TemplateResource{"Zone": res("AWS::Route53::HostedZone", nil)},
		outputs:   []string{"GitlabPrivateZoneId"},
	}
	association := func(vpcs ...stackSpec) *stacks.ZoneAssociation {
		za := &stacks.ZoneAssociation{ZoneOutput: "GitlabPrivateZoneId"}
		for _, v := range vpcs {
			tgt := v.target()
			za.VPCs = append(za.VPCs, stacks.ZoneVPC{Account: tgt.Account, AccountID: tgt.AccountID, Region: tgt.Region, Stack: v.id, Output: v.outputs[0]})
		}
		return za
	}
	zoneVPCs := func() []string {
		vpcs, err := clients.ZoneVPCs(ctx, tooling, zoneID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range vpcs {
			out = append(out, v.String())
		}
		slices.Sort(out)
		return out
	}

	w := newWorld()
	zones := &motoZones{AWSClients: clients, zoneAccount: tooling}
	run := func(command string, za *stacks.ZoneAssociation) *Result {
		t.Helper()
		d := writeDeployment(t, own, dev, far, gitlab)
		d.Stack(gitlab.id).AssociateZone = za
		opts := w.options()
		opts.Zones = zones
		if command == "plan" {
			return Plan(ctx, d, d.Stacks, opts)
		}
		r := Apply(ctx, d, d.Stacks, opts)
		if r.Failed() {
			t.Fatalf("%s failed: %s\n%s", command, outcomes(r), w.progress)
		}
		return r
	}
	result := func(r *Result) *StackResult {
		i := slices.IndexFunc(r.Stacks, func(s *StackResult) bool { return s.ID == gitlab.id })
		return r.Stacks[i]
	}

	// plan says what apply will do and calls Route 53 not at all.
	p := run("plan", association(dev, far, own))
	if got := strings.Join(result(p).Zone, "\n"); !strings.Contains(got, "DevAppVpcId of dev/eu-west-1/network-dev-app (account 222222222222, eu-west-1)") ||
		!strings.Contains(got, "FarVpcId of tooling/us-east-1/network-far") || strings.Contains(got, "GitlabVpcId") {
		t.Errorf("plan says %q", got)
	}
	if calls := zones.taken(); len(calls) != 0 {
		t.Errorf("plan called Route 53: %v", calls)
	}
	for _, format := range []string{"text", "markdown"} {
		var b strings.Builder
		if err := Write(&b, format, p); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "apply then associates the private hosted zone (output GitlabPrivateZoneId)") {
			t.Errorf("the %s plan does not say apply associates the zone:\n%s", format, b.String())
		}
	}

	// apply: the other account's VPC is authorized, associated from its
	// account, the authorization withdrawn; the other region's needs no
	// authorization; GitLab's own VPC is the template's.
	r := run("apply", association(dev, far, own))
	want := []string{
		"authorize vpc-0000000000000dev in tooling", "associate vpc-0000000000000dev in dev", "revoke vpc-0000000000000dev in tooling",
		"associate vpc-0000000000000far in tooling",
	}
	if calls := zones.taken(); !slices.Equal(calls, want) {
		t.Errorf("first apply called\n%v\nwant\n%v", calls, want)
	}
	if got := zoneVPCs(); !slices.Equal(got, []string{"vpc-0000000000000dev (eu-west-1)", "vpc-0000000000000far (us-east-1)", "vpc-0000000000000own (eu-west-1)"}) {
		t.Errorf("zone VPCs after apply: %v", got)
	}
	if z := result(r).Zone; len(z) != 2 {
		t.Errorf("apply reports %v", z)
	}

	// A second apply changes nothing.
	r = run("apply", association(dev, far, own))
	if calls := zones.taken(); len(calls) != 0 {
		t.Errorf("second apply called %v", calls)
	}
	if z := result(r).Zone; len(z) != 0 {
		t.Errorf("second apply reports %v", z)
	}

	// The intents no longer let dev reach GitLab: apply disassociates its
	// VPC, from the zone's account.
	run("apply", association(far, own))
	if calls := zones.taken(); !slices.Equal(calls, []string{"disassociate vpc-0000000000000dev in tooling"}) {
		t.Errorf("apply after dev left the intents called %v", calls)
	}
	if got := zoneVPCs(); !slices.Equal(got, []string{"vpc-0000000000000far (us-east-1)", "vpc-0000000000000own (eu-west-1)"}) {
		t.Errorf("zone VPCs after dev left: %v", got)
	}
}
