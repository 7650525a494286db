package synth

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"

	"gitops/tools/internal/stacks"
)

// Every role and user goes under the boundary, also one made as a plain
// CfnResource of its type, as the CDK's own custom resource providers
// make their roles, which no typed class stands for.
func TestBoundPrincipalsOfEveryConstructKind(t *testing.T) {
	dir := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
	st := awscdk.NewStack(app, jsii.String("S"), &awscdk.StackProps{Synthesizer: awscdk.NewBootstraplessSynthesizer(&awscdk.BootstraplessSynthesizerProps{})})
	trust := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Principal": map[string]any{"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}}
	awsiam.NewCfnRole(st, jsii.String("Typed"), &awsiam.CfnRoleProps{AssumeRolePolicyDocument: trust})
	awsiam.NewRole(st, jsii.String("Managed"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil)})
	awsiam.NewCfnUser(st, jsii.String("User"), &awsiam.CfnUserProps{})
	awscdk.NewCfnResource(st, jsii.String("Plain"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::IAM::Role"), Properties: &map[string]any{"AssumeRolePolicyDocument": trust}})
	awscdk.NewCfnResource(st, jsii.String("Other"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::SNS::Topic")})
	b := &builder{st: st, spec: &stacks.Stack{StackHeader: stacks.StackHeader{AccountID: "111111111111"}}}
	b.boundPrincipals()
	app.Synth(nil)
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "S.template.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatal(err)
	}
	var got []string
	for id, r := range tmpl.Resources {
		if _, ok := r.Properties["PermissionsBoundary"]; ok {
			got = append(got, strings.TrimRightFunc(id, func(r rune) bool { return r >= 'A' && r <= 'F' || r >= '0' && r <= '9' }))
		}
	}
	// The L2 role's logical id ends in a hash.
	if slices.Sort(got); !slices.Equal(got, []string{"Managed", "Plain", "Typed", "User"}) {
		t.Errorf("resources under the boundary: %q, want every role and user\n%s", got, data)
	}
}
