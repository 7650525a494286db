package awsaccess_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

func TestConfig(t *testing.T) {
	motoserver.Need(t)
	ctx := context.Background()
	a, err := awsaccess.Load(ctx, "gitops-test")
	if err != nil {
		t.Fatal(err)
	}
	caller, err := a.CallerAccount(ctx)
	if err != nil || caller != "123456789012" {
		t.Fatalf("caller %q, %v", caller, err)
	}
	for _, tc := range []struct {
		acct        stacks.Account
		wantArnPart string
	}{
		// The caller's own account: its credentials as they are.
		{stacks.Account{Name: "tooling", ID: "123456789012", DeployRole: "gitops-deploy"}, ":user/"},
		// Another account: its deploy role, default and custom name.
		{stacks.Account{Name: "dev", ID: "200000000002", DeployRole: "gitops-deploy"}, ":assumed-role/gitops-deploy/gitops-test"},
		{stacks.Account{Name: "prod", ID: "400000000004", DeployRole: "deployer"}, ":assumed-role/deployer/gitops-test"},
	} {
		cfg, err := a.Config(ctx, tc.acct, "eu-central-1")
		if err != nil {
			t.Fatalf("%s: %v", tc.acct.Name, err)
		}
		if cfg.Region != "eu-central-1" {
			t.Errorf("%s: region %s", tc.acct.Name, cfg.Region)
		}
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatalf("%s: %v", tc.acct.Name, err)
		}
		if aws.ToString(id.Account) != tc.acct.ID || !strings.Contains(aws.ToString(id.Arn), tc.wantArnPart) {
			t.Errorf("%s: acting as %s in %s, want %s", tc.acct.Name, aws.ToString(id.Arn), aws.ToString(id.Account), tc.wantArnPart)
		}
	}
}

func TestUseRole(t *testing.T) {
	motoserver.Need(t)
	ctx := context.Background()
	a, err := awsaccess.Load(ctx, "gitops-test")
	if err != nil {
		t.Fatal(err)
	}
	a.UseRole("gitops-ami-publish")
	cfg, err := a.Config(ctx, stacks.Account{Name: "prod", ID: "400000000004", DeployRole: "deployer"}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := ":assumed-role/gitops-ami-publish/gitops-test"; !strings.Contains(aws.ToString(id.Arn), want) {
		t.Errorf("acting as %s, want %s", aws.ToString(id.Arn), want)
	}
}

// Through reaches each other account through the duty role the manifest's
// account table names there, and refuses an account without one.
func TestThrough(t *testing.T) {
	motoserver.Need(t)
	ctx := context.Background()
	base, err := awsaccess.Load(ctx, "gitops-test")
	if err != nil {
		t.Fatal(err)
	}
	a := base.Through("SMTP credentials", func(acct stacks.Account) string { return acct.SMTPRole })
	for _, tc := range []struct {
		acct    stacks.Account
		wantArn string
		wantErr string
	}{
		{stacks.Account{Name: "prod", ID: "400000000004", DeployRole: "deployer", SMTPRole: stacks.SMTPCredentialsRoleName()}, ":assumed-role/gitops-smtp-credentials/gitops-test", ""},
		{stacks.Account{Name: "dev", ID: "200000000002", DeployRole: "deployer", MirrorsRole: stacks.MirrorsSyncRoleName()}, "", "account dev has no SMTP credentials role in generated/manifest.json"},
		// The caller's own account: its credentials, no role needed.
		{stacks.Account{Name: "tooling", ID: "123456789012", DeployRole: "deployer"}, ":user/", ""},
	} {
		cfg, err := a.Config(ctx, tc.acct, "eu-west-1")
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want %q", tc.acct.Name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.acct.Name, err)
		}
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(aws.ToString(id.Arn), tc.wantArn) {
			t.Errorf("%s: acting as %s, want %s", tc.acct.Name, aws.ToString(id.Arn), tc.wantArn)
		}
	}
	// The Access it came from still uses the deploy role.
	cfg, err := base.Config(ctx, stacks.Account{Name: "prod", ID: "400000000004", DeployRole: "deployer", SMTPRole: "gitops-smtp-credentials"}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || !strings.Contains(aws.ToString(id.Arn), ":assumed-role/deployer/") {
		t.Errorf("base acts as %s (%v), want the deploy role", aws.ToString(id.Arn), err)
	}
}

func TestConfigAssumeDenied(t *testing.T) {
	srv := motoserver.Need(t)
	ctx := context.Background()
	setup, err := awsaccess.Load(ctx, "gitops-test")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := setup.Config(ctx, stacks.Account{Name: "tooling", ID: "123456789012", DeployRole: "gitops-deploy"}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	iamc := iam.NewFromConfig(cfg)
	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("nobody")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String("nobody"), PolicyName: aws.String("whoami"),
		PolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}]}`),
	}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("nobody")})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(key.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(key.AccessKey.SecretAccessKey))
	srv.EnforceAuth(t)

	a, err := awsaccess.Load(ctx, "gitops-test")
	if err != nil {
		t.Fatal(err)
	}
	_, err = a.Config(ctx, stacks.Account{Name: "dev", ID: "200000000002", DeployRole: "gitops-deploy"}, "eu-west-1")
	if err == nil || !strings.Contains(err.Error(), "assuming arn:aws:iam::200000000002:role/gitops-deploy for account dev:") ||
		!strings.Contains(err.Error(), "HTTP 403") { // moto's denial does not decode further
		t.Errorf("error: %v", err)
	}
}

func TestNames(t *testing.T) {
	for _, tc := range []struct{ region, partition, suffix string }{
		{"eu-west-1", "aws", "amazonaws.com"},
		{"cn-north-1", "aws-cn", "amazonaws.com.cn"},
		{"us-gov-west-1", "aws-us-gov", "amazonaws.com"},
	} {
		if p, s := awsaccess.Partition(tc.region), awsaccess.DNSSuffix(tc.region); p != tc.partition || s != tc.suffix {
			t.Errorf("%s: partition %s, suffix %s", tc.region, p, s)
		}
	}
	if got := awsaccess.RoleARN("cn-north-1", "123456789012", "gitops-deploy"); got != "arn:aws-cn:iam::123456789012:role/gitops-deploy" {
		t.Errorf("RoleARN: %s", got)
	}
}
