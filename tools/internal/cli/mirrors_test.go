package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/mirrorsync"
	"gitops/tools/internal/mirrorsync/mirrorsynctest"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

const testToken = "glpat-CLI-SECRET-token"

// useMirrorFakes points gitops mirrors sync at the emulator, with fake Git
// credentials, and at a fake GitLab holding platform/webapp; the example
// estate's mirror user exists in its tooling account.
func useMirrorFakes(t *testing.T) (*Command, *mirrorsynctest.GitLab, *mirrorsynctest.Credentials) {
	t.Helper()
	motoserver.Need(t)
	t.Setenv("GITLAB_TOKEN", testToken)
	access, err := awsaccess.Load(context.Background(), "gitops-test")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := access.Config(context.Background(), stacks.Account{Name: "tooling", ID: "100000000001", DeployRole: "gitops-deploy"}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iam.NewFromConfig(cfg).CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String("gitops-mirror-webapp")}); err != nil {
		t.Fatal(err)
	}
	creds := &mirrorsynctest.Credentials{}
	cmd := mirrorsCommand(mirrorsDeps{clients: func(access *awsaccess.Access) mirrorsync.Clients {
		// No fake connections: the emulator does not answer CodeConnections.
		return mirrorsynctest.Clients{Real: mirrorsync.AWSClients{Access: access}, Credentials: creds}
	}})
	gl := mirrorsynctest.NewGitLab(testToken, "platform/webapp")
	t.Cleanup(gl.Close)
	return cmd, gl, creds
}

func TestMirrorsSyncCommand(t *testing.T) {
	cmd, gl, creds := useMirrorFakes(t)
	args := []string{"--root", exampleRoot, "--gitlab-url", gl.URL}

	code, out, errOut := runCommand(cmd, append(args, "--dry-run")...)
	if code != ExitOK || gl.Changes() != 0 || creds.Creates != 0 ||
		!strings.Contains(out, "mirror webapp: would create GitLab push mirror of platform/webapp to https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/webapp (credential (new))\n") ||
		!strings.Contains(out, "mirrors sync: 2 mirror(s): 1 would change (dry run: nothing changed), 0 up to date, 0 failed, 1 CodeConnections reported\n") {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errOut)
	}
	// The emulator has no CodeConnections: noted, not failed.
	if !strings.Contains(out, "mirror infra: note: could not read connection gitlab-infra in tooling/eu-west-1 (") {
		t.Errorf("connection note missing:\n%s", out)
	}

	code, out, errOut = runCommand(cmd, args...)
	if code != ExitOK || len(gl.Mirrors("platform/webapp")) != 1 || creds.Creates != 1 ||
		!strings.Contains(out, "mirrors sync: 2 mirror(s): 1 changed, 0 up to date, 0 failed, 1 CodeConnections reported\n") {
		t.Fatalf("sync: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCommand(cmd, append(args, "--mirror", "webapp")...)
	if code != ExitOK || creds.Creates != 1 || gl.Changes() != 1 ||
		out != "mirror webapp: up to date\nmirrors sync: 1 mirror(s): 0 changed, 1 up to date, 0 failed, 0 CodeConnections reported\n" {
		t.Fatalf("second sync: exit %d\n%s%s", code, out, errOut)
	}

	// GitLab failing: exit 1, and its answer's echo of the token redacted.
	gl.FailStatus = 500
	code, out, errOut = runCommand(cmd, append(args, "--rotate")...)
	if code != ExitFindings || strings.Contains(out+errOut, testToken) || !strings.Contains(errOut, "(token [REDACTED], url https://gitops-mirror-webapp-at-100000000001:[REDACTED]@git-codecommit") ||
		!strings.Contains(errOut, "GitLab failed; check its health and logs, then sync again") {
		t.Errorf("GitLab 500: exit %d\n%s%s", code, out, errOut)
	}
	gl.FailStatus = 0
	gl.Token = "rotated-elsewhere"
	code, _, errOut = runCommand(cmd, args...)
	if code != ExitFindings || !strings.Contains(errOut, "answered 401 Unauthorized to GET /api/v4/projects/platform%2Fwebapp/protected_branches") {
		t.Errorf("GitLab 401: exit %d\n%s", code, errOut)
	}
}

// mirrors sync reaches the mirrors' account through its mirrors sync role
// (the manifest's), not the deploy role.
func TestMirrorsSyncAssumesItsRole(t *testing.T) {
	_, gl, creds := useMirrorFakes(t)
	var used *awsaccess.Access
	cmd := mirrorsCommand(mirrorsDeps{clients: func(access *awsaccess.Access) mirrorsync.Clients {
		used = access
		return mirrorsynctest.Clients{Real: mirrorsync.AWSClients{Access: access}, Credentials: creds}
	}})
	if code, out, errOut := runCommand(cmd, "--root", exampleRoot, "--gitlab-url", gl.URL, "--dry-run"); code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	m, err := stacks.ReadManifest(filepath.Join(exampleRoot, "generated"))
	if err != nil {
		t.Fatal(err)
	}
	acct, _ := m.Account("tooling")
	if acct.MirrorsRole != stacks.MirrorsSyncRoleName() {
		t.Fatalf("manifest: tooling's mirrors role %q, want %s", acct.MirrorsRole, stacks.MirrorsSyncRoleName())
	}
	cfg, err := used.Config(context.Background(), acct, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || !strings.Contains(aws.ToString(id.Arn), ":assumed-role/gitops-mirrors-sync/") {
		t.Errorf("mirrors sync acts as %s (%v), want its role", aws.ToString(id.Arn), err)
	}
}

func TestMirrorsSyncUsage(t *testing.T) {
	t.Setenv("GITLAB_TOKEN", testToken)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"mirrors"}, "usage: gitops mirrors <subcommand> [flags]"},
		{[]string{"mirrors", "push"}, `gitops mirrors: unknown subcommand "push"`},
		{[]string{"mirrors", "sync", "extra"}, "unexpected arguments: extra"},
		{[]string{"mirrors", "sync", "--root", exampleRoot, "--mirror", "webap"}, `no mirror named "webap" in the manifest; did you mean "webapp"?`},
		// The token and the Git passwords would cross the network in clear.
		{[]string{"mirrors", "sync", "--root", exampleRoot, "--gitlab-url", "http://gitlab.example.com"}, "--gitlab-url http://gitlab.example.com: GitLab's URL must be https:// (plain http only to this machine)"},
		{[]string{"mirrors", "sync", "--root", exampleRoot, "--gitlab-url", "gitlab.example.com"}, "--gitlab-url gitlab.example.com: GitLab's URL must be https://"},
	} {
		code, _, errOut := runGitops(tc.args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s", tc.args, code, ExitUsage, tc.want, errOut)
		}
	}
	t.Setenv("GITLAB_TOKEN", "")
	if code, _, errOut := runGitops("mirrors", "sync", "--root", exampleRoot); code != ExitUsage ||
		!strings.Contains(errOut, "no GitLab token: set GITLAB_TOKEN or pass --gitlab-token-secret NAME") {
		t.Errorf("no token: exit %d\n%s", code, errOut)
	}
}
