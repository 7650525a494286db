package synth

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"

	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

// TestNagFigures prints the cdk-nag figures of the example estate that the
// README quotes: the AwsSolutions acknowledgements and the NIST 800-53
// rev 5 findings. It costs a full synth with two packs, so it runs only
// when asked: GITOPS_NAG_FIGURES=1 go test -run TestNagFigures -v ./tools/internal/synth
func TestNagFigures(t *testing.T) {
	if os.Getenv("GITOPS_NAG_FIGURES") == "" {
		t.Skip("set GITOPS_NAG_FIGURES=1 to count the example estate's cdk-nag findings")
	}
	e, diags, err := load.LoadEstate("../../..")
	if err != nil || diags.Len() > 0 {
		t.Fatalf("loading the example estate: %v %v", err, diags.Items())
	}
	p, err := stacks.Build(e)
	if err != nil {
		t.Fatal(err)
	}
	aws, nist, err := NagFigures(p.Stacks, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range aws.Findings {
		t.Errorf("unacknowledged: %s", f)
	}
	fmt.Printf("AwsSolutions: %d acknowledged, %d unacknowledged\n", aws.Acknowledged, len(aws.Findings))
	fmt.Printf("NIST 800-53 rev 5: %d findings (%s), %d acknowledged\n", len(nist.Findings), byRule(nist.Findings), nist.Acknowledged)
}

// byRule counts findings by rule, most frequent first.
func byRule(findings []NagFinding) string {
	n := map[string]int{}
	for _, f := range findings {
		rule, _, _ := strings.Cut(f.Rule, "[")
		n[rule]++
	}
	rules := slices.SortedFunc(maps.Keys(n), func(a, b string) int { return cmp.Or(n[b]-n[a], strings.Compare(a, b)) })
	var parts []string
	for _, r := range rules {
		parts = append(parts, fmt.Sprintf("%s %d", strings.TrimPrefix(r, "NIST.800.53.R5-"), n[r]))
	}
	return strings.Join(parts, ", ")
}

// nagStack is a small planned stack (one blackhole route) to which
// TestNagEnforced adds constructs that break AwsSolutions rules.
func nagStack() *stacks.Stack {
	return &stacks.Stack{StackHeader: stacks.StackHeader{ID: "tooling/eu-west-1/nag", Name: "gitops-nag", Kind: stacks.KindTGWRouting,
		AccountID: "111111111111", Region: "eu-west-1", Template: "tooling/eu-west-1/nag.template.json",
		Parameters: []stacks.Parameter{{Name: "TableId", Type: "String", Source: stacks.Source{Literal: "x"}}}},
		Routing: &stacks.RoutingSpec{TransitGateway: "hub", RouteTables: []stacks.RouteTableSpec{{Name: "t", ID: "T", TableParam: "TableId",
			Routes: []stacks.TGWRouteSpec{{Destination: "10.9.0.0/16", Blackhole: true}}}}}}
}

// breakRules adds to a stack a network ACL (VPC3, a warning), a VPC
// without flow logs (VPC7, an error), a security group open to the
// internet (EC23), an ingress rule whose CIDR is a parameter (EC23 cannot
// check it: it throws) and a policy allowing s3:* on * (IAM5, twice). The
// policy's Resource::* is always acknowledged; ack acknowledges the rest.
func breakRules(ack bool) func(st awscdk.Stack) {
	return func(st awscdk.Stack) {
		acl := awsec2.NewCfnNetworkAcl(st, str("Acl"), &awsec2.CfnNetworkAclProps{VpcId: str("vpc-12345678")})
		vpc := awsec2.NewCfnVPC(st, str("Unlogged"), &awsec2.CfnVPCProps{CidrBlock: str("10.8.0.0/16")})
		open := awsec2.NewCfnSecurityGroup(st, str("Open"), &awsec2.CfnSecurityGroupProps{
			GroupDescription: str("HTTPS from anywhere"),
			SecurityGroupIngress: &[]any{&awsec2.CfnSecurityGroup_IngressProperty{
				IpProtocol: str("tcp"), FromPort: num(443), ToPort: num(443), CidrIp: str("0.0.0.0/0"),
			}},
		})
		cidr := awscdk.NewCfnParameter(st, str("CallerCidr"), &awscdk.CfnParameterProps{Type: str("String"), Default: str("10.0.0.0/8")})
		fromParam := awsec2.NewCfnSecurityGroupIngress(st, str("FromParam"), &awsec2.CfnSecurityGroupIngressProps{
			GroupId: str("sg-12345678"), IpProtocol: str("tcp"), FromPort: num(443), ToPort: num(443), CidrIp: cidr.ValueAsString(),
		})
		wide := awsiam.NewCfnManagedPolicy(st, str("Wide"), &awsiam.CfnManagedPolicyProps{PolicyDocument: map[string]any{
			"Version":   "2012-10-17",
			"Statement": []any{map[string]any{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}},
		}})
		acknowledge(wide, "IAM5", "The test acknowledges only the resource wildcard.", "Resource::*")
		if ack {
			acknowledge(acl, "VPC3", "The test's subnets need a stateless filter.")
			acknowledge(vpc, "VPC7", "The test's VPC carries no traffic.")
			acknowledge(open, "EC23", "The test's load balancer serves the internet.")
			acknowledge(fromParam, "EC23", "The test's caller CIDR is reviewed where it is set.")
			acknowledge(wide, "IAM5", "The test's policy is attached to nothing.", "Action::s3:*")
		}
	}
}

// TestNagEnforced: a construct that breaks an AwsSolutions rule fails
// Templates, which names the stack, the resource and the rule, whatever
// the rule's level and also when the rule throws; acknowledging each
// finding makes it pass, with the reasons in the template.
func TestNagEnforced(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH; the CDK needs it")
	}
	specs := []*stacks.Stack{nagStack()}

	asm := t.TempDir()
	_, err := templates(specs, asm, breakRules(false))
	if err == nil {
		t.Fatal("Templates accepted unacknowledged findings")
	}
	// The findings come from the annotations: cdk-nag writes no report.
	if reports, _ := filepath.Glob(filepath.Join(asm, "*NagReport*")); len(reports) > 0 {
		t.Errorf("Templates had cdk-nag write its reports: %v", reports)
	}
	msg := err.Error()
	for _, want := range []string{
		"cdk-nag AwsSolutions: 5 unacknowledged finding(s)",
		"\n  tooling/eu-west-1/nag: Acl: AwsSolutions-VPC3: A Network ACL or Network ACL entry has been implemented.",
		"\n  tooling/eu-west-1/nag: FromParam: CdkNagValidationFailure[AwsSolutions-EC23]: 'AwsSolutions-EC23' threw an error",
		"\n  tooling/eu-west-1/nag: Open: AwsSolutions-EC23: The Security Group allows for 0.0.0.0/0 or ::/0 inbound access.",
		"\n  tooling/eu-west-1/nag: Unlogged: AwsSolutions-VPC7: The VPC does not have an associated Flow Log.",
		"\n  tooling/eu-west-1/nag: Wide: AwsSolutions-IAM5[Action::s3:*]: ",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "Resource::*") {
		t.Errorf("an acknowledged finding is reported:\n%s", msg)
	}

	out, err := templates(specs, t.TempDir(), breakRules(true))
	if err != nil {
		t.Fatalf("acknowledged findings fail: %v", err)
	}
	var tmpl struct {
		Resources map[string]struct {
			Metadata struct {
				CdkNag struct {
					RulesToSuppress []struct{ ID, Reason string } `json:"rules_to_suppress"`
				} `json:"cdk_nag"`
			}
		}
	}
	if err := json.Unmarshal(out[specs[0].ID], &tmpl); err != nil {
		t.Fatal(err)
	}
	for lid, rule := range map[string]string{"Acl": "AwsSolutions-VPC3", "Unlogged": "AwsSolutions-VPC7", "Open": "AwsSolutions-EC23", "FromParam": "AwsSolutions-EC23", "Wide": "AwsSolutions-IAM5"} {
		sup := tmpl.Resources[lid].Metadata.CdkNag.RulesToSuppress
		if !slices.ContainsFunc(sup, func(s struct{ ID, Reason string }) bool { return s.ID == rule && s.Reason != "" }) {
			t.Errorf("%s: no acknowledgement of %s with a reason in the template: %+v", lid, rule, sup)
		}
	}
}

// TestNagAnnotationsMatchReport: the findings Templates reads from the
// cloud assembly's annotations are the ones cdk-nag's CSV report lists as
// non-compliant or failed, and the NIST pack's annotations in the same
// assembly are not among them.
func TestNagAnnotationsMatchReport(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH; the CDK needs it")
	}
	spec := nagStack()
	dir := t.TempDir()
	aws, nist, err := nagFigures([]*stacks.Stack{spec}, dir, breakRules(false))
	if err != nil {
		t.Fatal(err)
	}
	if len(nist.Findings) == 0 || aws.Acknowledged != 1 {
		t.Fatalf("want NIST findings and one acknowledged AwsSolutions finding, got %d and %d", len(nist.Findings), aws.Acknowledged)
	}
	asm, err := readAssembly(dir)
	if err != nil {
		t.Fatal(err)
	}
	annotated, err := readNagAnnotations(dir, asm, map[string]string{"Stack0": spec.ID})
	if err != nil {
		t.Fatal(err)
	}
	// The report names the rule without its finding, and a rule that
	// threw by itself, with the rule's level (the annotation is always a
	// warning).
	key := func(f NagFinding) string {
		rule, _, _ := strings.Cut(f.Rule, "[")
		return strings.Join([]string{f.Stack, f.Resource, rule, f.Level}, " ")
	}
	var got, want []string
	for _, f := range annotated {
		if inner, ok := strings.CutPrefix(f.Rule, nagValidationFailure+"["); ok {
			f.Rule, f.Level = strings.TrimSuffix(inner, "]"), "Error" // EC23's level
		}
		got = append(got, key(f))
	}
	for _, f := range aws.Findings {
		want = append(want, key(f))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || len(got) != 5 {
		t.Errorf("annotations: %q\nreport: %q", got, want)
	}
}
