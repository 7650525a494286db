package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

func TestGitLabUsage(t *testing.T) {
	for _, args := range [][]string{{"gitlab"}, {"gitlab", "smtp"}, {"gitlab", "smtp-credentials", "extra"}, {"gitlab", "smtp-credentials", "--nope"}} {
		var out, errOut bytes.Buffer
		if code := Main(args, &out, &errOut); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}

// The example estate's GitLab, in moto: before its image stack exists the
// command says what to deploy and fails; once the stack's user and secret
// exist it fills the secret, and a second run changes nothing.
func TestGitLabSMTPCredentialsCommand(t *testing.T) {
	motoserver.Need(t)
	root := filepath.Join("..", "..", "..")
	run := func() (int, string) {
		var out, errOut bytes.Buffer
		code := Main([]string{"gitlab", "smtp-credentials", "--root", root}, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := run(); code != ExitFindings || !strings.Contains(out, "deploy GitLab's image stack first") {
		t.Fatalf("before the stack: exit %d\n%s", code, out)
	}
	ctx := context.Background()
	access, err := awsaccess.Load(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := access.Config(ctx, stacks.Account{Name: "tooling", ID: "100000000001", DeployRole: "gitops-deploy"}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gitops-gitlab-gitlab-smtp")}); err != nil {
		t.Fatal(err)
	}
	if _, err := secretsmanager.NewFromConfig(cfg).CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String("gitops/gitlab/gitlab/smtp"), SecretString: aws.String("generated")}); err != nil {
		t.Fatal(err)
	}
	if code, out := run(); code != ExitOK || !strings.Contains(out, "wrote access key") || !strings.Contains(out, "1 GitLab(s), 0 failed") {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	if code, out := run(); code != ExitOK || !strings.Contains(out, "are current") {
		t.Fatalf("second run: exit %d\n%s", code, out)
	}
}
