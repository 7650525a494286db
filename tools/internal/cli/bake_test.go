package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/bake"
	"gitops/tools/internal/bake/imagebuildertest"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

// exampleRoot is the repository's own example estate.
const exampleRoot = "../../.."

// fakeBakeClients builds images with a fake ImageBuilder and publishes them
// to the emulator's SSM.
type fakeBakeClients struct {
	ib *imagebuildertest.Fake
	bake.AWSClients
}

func (c fakeBakeClients) ImageBuilder(context.Context, stacks.Account, string) (bake.ImageBuilder, error) {
	return c.ib, nil
}

type instantClock struct{ now time.Time }

func (c *instantClock) Now() time.Time { return c.now }

func (c *instantClock) Sleep(_ context.Context, d time.Duration) error {
	c.now = c.now.Add(d)
	return nil
}

// useFakeImageBuilder gives a gitops bake that builds with ib and publishes
// to the emulator, and the emulator's access for reading back.
func useFakeImageBuilder(t *testing.T, ib *imagebuildertest.Fake) (*Command, *awsaccess.Access) {
	t.Helper()
	motoserver.Need(t)
	access, err := awsaccess.Load(context.Background(), "gitops-test")
	if err != nil {
		t.Fatal(err)
	}
	cmd := bakeCommand(bakeDeps{
		clients: func(access *awsaccess.Access) bake.Clients {
			return fakeBakeClients{ib: ib, AWSClients: bake.AWSClients{Access: access}}
		},
		clock: &instantClock{now: time.Unix(0, 0)},
	})
	return cmd, access
}

// runCommand runs cmd with args, as gitops would after the command's name.
func runCommand(cmd *Command, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = cmd.run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBakeCommand(t *testing.T) {
	ib := &imagebuildertest.Fake{Builds: map[string]*imagebuildertest.Build{
		"gitops-golden-base": imagebuildertest.Available(
			imagebuildertest.AMI("ami-0base0tooling", "100000000001", "eu-west-1"),
			imagebuildertest.AMI("ami-0base0dev", "200000000002", "eu-west-1"),
			imagebuildertest.AMI("ami-0base0stg", "300000000003", "eu-west-1"),
			imagebuildertest.AMI("ami-0base0prod", "400000000004", "eu-west-1")),
		"gitops-webapp": imagebuildertest.Available(imagebuildertest.AMI("ami-0webapp", "100000000001", "eu-west-1")),
	}}
	cmd, access := useFakeImageBuilder(t, ib)

	code, out, errOut := runCommand(cmd, "golden-base", "--root", exampleRoot)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"golden-base: bake order [golden-base webapp]",
		"golden-base: AVAILABLE (elapsed 3m45s)\n",
		"golden-base: /gitops/ami/golden-base = ami-0base0prod in prod/eu-west-1 (version 1, label v1.0.0-1)\n",
		// webapp's AMI is shared from tooling by launch permission.
		"webapp: /gitops/ami/webapp = ami-0webapp in stg/eu-west-1 (version 1, label v1.0.0-1)\n",
		"baked golden-base: arn:aws:imagebuilder:eu-west-1:100000000001:image/golden-base/1.0.0/1, label v1.0.0-1, 4 parameter(s) written\n",
		"baked webapp: arn:aws:imagebuilder:eu-west-1:100000000001:image/webapp/1.0.0/1, label v1.0.0-1, 3 parameter(s) written\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	// Read back in prod, through prod's deploy role as gitops did.
	cfg, err := access.Config(context.Background(), stacks.Account{Name: "prod", ID: "400000000004", DeployRole: "gitops-deploy"}, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := ssm.NewFromConfig(cfg).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/gitops/ami/webapp:v1.0.0-1")})
	if err != nil || aws.ToString(got.Parameter.Value) != "ami-0webapp" {
		t.Fatalf("prod's /gitops/ami/webapp:v1.0.0-1: %v %v", got, err)
	}

	// --no-cascade, flags first.
	ib.Started = nil
	if code, out, errOut := runCommand(cmd, "--root", exampleRoot, "--no-cascade", "golden-base"); code != ExitOK || len(ib.Started) != 1 {
		t.Fatalf("--no-cascade: exit %d, started %v\n%s%s", code, ib.Started, out, errOut)
	}
}

func TestBakeCommandFailures(t *testing.T) {
	ib := &imagebuildertest.Fake{Builds: map[string]*imagebuildertest.Build{
		"gitops-golden-base": {
			Statuses: []types.ImageStatus{types.ImageStatusBuilding, types.ImageStatusFailed},
			Reason:   "Step 'cis-hardening' exited 1",
		},
		"gitops-webapp": {Statuses: []types.ImageStatus{types.ImageStatusBuilding}},
	}}
	cmd, _ := useFakeImageBuilder(t, ib)

	code, _, errOut := runCommand(cmd, "golden-base", "--root", exampleRoot)
	if code != ExitFindings || !strings.Contains(errOut, "gitops bake: golden-base: image build FAILED: Step 'cis-hardening' exited 1\n") ||
		!strings.Contains(errOut, "logs: CloudWatch Logs group /aws/imagebuilder/golden-base in tooling/eu-west-1") {
		t.Errorf("failed build: exit %d\n%s", code, errOut)
	}

	code, out, errOut := runCommand(cmd, "webapp", "--root", exampleRoot, "--timeout", "30m")
	if code != ExitFindings || !strings.Contains(errOut, "webapp: timed out after 30m0s") || !strings.Contains(out, "webapp: BUILDING (elapsed 30m0s)\n") {
		t.Errorf("timeout: exit %d\n%s%s", code, out, errOut)
	}
}

func TestBakeCommandUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bake"}, ExitUsage, "gitops bake: missing <recipe>\nrun 'gitops help bake' for usage\n"},
		{[]string{"bake", "a", "b"}, ExitUsage, "gitops bake: unexpected arguments: b"},
		{[]string{"bake", "webapp", "--timeout", "soon"}, ExitUsage, `invalid value "soon" for flag --timeout`},
		{[]string{"bake", "webap", "--root", exampleRoot}, ExitUsage, `gitops bake: no image recipe named "webap" in the manifest; did you mean "webapp"?`},
		{[]string{"bake", "webapp", "--root", exampleRoot, "--generated", "nowhere"}, ExitUsage, "reading the manifest: open " + exampleRoot + "/nowhere/manifest.json"},
	} {
		// Unknown recipes are refused before any AWS call: no emulator here.
		t.Setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
		code, _, errOut := runGitops(tc.args...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, want %d with %q\n%s", tc.args, code, tc.code, tc.want, errOut)
		}
	}
}
