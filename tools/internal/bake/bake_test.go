package bake

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/bake/imagebuildertest"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

// Account ids: tooling is moto's own account (the caller), the others are
// reached through their deploy roles.
const (
	toolingID = "123456789012"
	devID     = "200000000002"
	prodID    = "400000000004"
	region    = "eu-west-1"
)

// testEstate: golden-base → webapp → webapp-canary, and worker on golden-base;
// standalone builds on a plain AMI.
func testEstate() *estate.Estate {
	recipe := func(name, parent string, dist ...string) *estate.ImageRecipe {
		r := &estate.ImageRecipe{Kind: "ImageRecipe", Name: name, Account: "tooling", Region: region,
			Version: "1.0.0", SSMParameter: "/gitops/ami/" + name}
		if parent == "" {
			r.Parent.AMI = "ami-0123456789abcdef0"
		} else {
			r.Parent.Recipe = parent
		}
		for _, a := range dist {
			r.Distribution = append(r.Distribution, estate.DistributionTarget{Account: a, Region: region})
		}
		return r
	}
	return &estate.Estate{
		Accounts: []*estate.Account{
			{Name: "tooling", ID: toolingID, Role: "tooling", Regions: []string{region}},
			{Name: "dev", ID: devID, Role: "workload", Regions: []string{region}},
			{Name: "prod", ID: prodID, Role: "workload", Regions: []string{region}},
		},
		ImageRecipes: []*estate.ImageRecipe{
			recipe("golden-base", "", "tooling", "dev"),
			recipe("webapp", "golden-base", "dev", "prod"),
			recipe("standalone", "", "tooling"),
			recipe("webapp-canary", "webapp", "dev"),
			recipe("worker", "golden-base", "dev"),
		},
	}
}

// allBuilds: every recipe builds, golden-base and webapp copied into each
// account, the others shared from tooling by launch permission.
func allBuilds() map[string]*imagebuildertest.Build {
	return map[string]*imagebuildertest.Build{
		"gitops-golden-base":   imagebuildertest.Available(imagebuildertest.AMI("ami-0base0tooling", toolingID, region), imagebuildertest.AMI("ami-0base0dev", devID, region)),
		"gitops-webapp":        imagebuildertest.Available(imagebuildertest.AMI("ami-0web0dev", devID, region), imagebuildertest.AMI("ami-0web0prod", prodID, region)),
		"gitops-webapp-canary": imagebuildertest.Available(imagebuildertest.AMI("ami-0canary", toolingID, region)),
		"gitops-worker":        imagebuildertest.Available(imagebuildertest.AMI("ami-0worker", "", region)),
		"gitops-standalone":    imagebuildertest.Available(imagebuildertest.AMI("ami-0alone", toolingID, region)),
	}
}

type harness struct {
	baker  *Baker
	ib     *imagebuildertest.Fake
	clock  *fakeClock
	out    *bytes.Buffer
	access *awsaccess.Access
	moto   *motoserver.Server
}

func newHarness(t *testing.T, builds map[string]*imagebuildertest.Build) *harness {
	t.Helper()
	srv := motoserver.Need(t)
	access, err := awsaccess.Load(context.Background(), "gitops-bake-test")
	if err != nil {
		t.Fatal(err)
	}
	access.UseRole(stacks.PublishRoleName)
	h := &harness{
		ib:     &imagebuildertest.Fake{Builds: builds},
		clock:  &fakeClock{now: time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)},
		out:    &bytes.Buffer{},
		access: access,
		moto:   srv,
	}
	h.baker = &Baker{
		Operations: stacks.NewOperations(testEstate()),
		Clients:    testClients{ib: h.ib, real: AWSClients{Access: access}},
		Out:        h.out,
		Clock:      h.clock,
	}
	return h
}

// param reads a parameter's history in an account as moto holds it; nil
// when the parameter does not exist.
func (h *harness) param(t *testing.T, account, name string) []ssmtypes.ParameterHistory {
	t.Helper()
	for _, a := range h.baker.Operations.Accounts {
		if a.Name != account {
			continue
		}
		cfg, err := h.access.Config(context.Background(), a, region)
		if err != nil {
			t.Fatal(err)
		}
		out, err := ssm.NewFromConfig(cfg).GetParameterHistory(context.Background(), &ssm.GetParameterHistoryInput{Name: aws.String(name)})
		if err != nil {
			if strings.Contains(err.Error(), "ParameterNotFound") {
				return nil
			}
			t.Fatal(err)
		}
		return out.Parameters
	}
	t.Fatalf("no account %s", account)
	return nil
}

func (h *harness) wantParam(t *testing.T, account, name, value, label string) {
	t.Helper()
	hist := h.param(t, account, name)
	if len(hist) == 0 {
		t.Fatalf("%s in %s: not written", name, account)
	}
	last := hist[len(hist)-1]
	if aws.ToString(last.Value) != value || aws.ToString(last.DataType) != stacks.AMIDataType || !slices.Contains(last.Labels, label) {
		t.Errorf("%s in %s: value %s, data type %s, labels %v; want %s, %s, [%s]", name, account,
			aws.ToString(last.Value), aws.ToString(last.DataType), last.Labels, value, stacks.AMIDataType, label)
	}
}

func TestBakeCascade(t *testing.T) {
	h := newHarness(t, allBuilds())
	results, err := h.baker.Bake(context.Background(), "golden-base")
	if err != nil {
		t.Fatalf("bake: %v\n%s", err, h.out)
	}

	// Parents before children, breadth first, siblings in estate order;
	// standalone is not built on golden-base.
	wantStarted := []string{
		"arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/gitops-golden-base",
		"arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/gitops-webapp",
		"arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/gitops-worker",
		"arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/gitops-webapp-canary",
	}
	if !slices.Equal(h.ib.Started, wantStarted) {
		t.Errorf("started:\n%s\nwant:\n%s", strings.Join(h.ib.Started, "\n"), strings.Join(wantStarted, "\n"))
	}
	if len(results) != 4 || results[0].Label != "v1.0.0-1" || len(results[0].Published) != 2 {
		t.Errorf("results: %+v", results)
	}

	h.wantParam(t, "tooling", "/gitops/ami/golden-base", "ami-0base0tooling", "v1.0.0-1")
	h.wantParam(t, "dev", "/gitops/ami/golden-base", "ami-0base0dev", "v1.0.0-1")
	h.wantParam(t, "dev", "/gitops/ami/webapp", "ami-0web0dev", "v1.0.0-1")
	h.wantParam(t, "prod", "/gitops/ami/webapp", "ami-0web0prod", "v1.0.0-1")
	// Shared by launch permission: the target gets the build account's AMI.
	h.wantParam(t, "dev", "/gitops/ami/webapp-canary", "ami-0canary", "v1.0.0-1")
	h.wantParam(t, "dev", "/gitops/ami/worker", "ami-0worker", "v1.0.0-1")
	if h.param(t, "tooling", "/gitops/ami/webapp") != nil {
		t.Error("webapp written outside its distribution")
	}

	out := h.out.String()
	for _, want := range []string{
		"golden-base: bake order [golden-base webapp worker webapp-canary] (--no-cascade bakes golden-base alone)",
		"golden-base: started arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-base/1.0.0/1 (pipeline gitops-golden-base in tooling/eu-west-1)",
		"golden-base: PENDING (elapsed 0s)",
		"golden-base: BUILDING (elapsed 15s)",
		"golden-base: TESTING (elapsed 45s)",
		"golden-base: AVAILABLE (elapsed 3m45s)",
		"golden-base: /gitops/ami/golden-base = ami-0base0dev in dev/eu-west-1 (version 1, label v1.0.0-1)",
	} {
		if !strings.Contains(out, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Backoff doubles from 15s up to 2m, per build.
	want := []time.Duration{15 * time.Second, 30 * time.Second, time.Minute, 2 * time.Minute}
	if !slices.Equal(h.clock.sleeps[:4], want) {
		t.Errorf("sleeps %v, want %v first", h.clock.sleeps, want)
	}

	// A second bake is a new build version with its own label.
	h.ib.Started = nil
	h.baker.NoCascade = true
	if _, err := h.baker.Bake(context.Background(), "golden-base"); err != nil {
		t.Fatal(err)
	}
	if len(h.ib.Started) != 1 {
		t.Errorf("--no-cascade started %v", h.ib.Started)
	}
	h.wantParam(t, "dev", "/gitops/ami/golden-base", "ami-0base0dev", "v1.0.0-2")
	if hist := h.param(t, "dev", "/gitops/ami/golden-base"); len(hist) != 2 || !slices.Contains(hist[0].Labels, "v1.0.0-1") {
		t.Errorf("history after two bakes: %+v", hist)
	}
}

func TestBakeBuildFails(t *testing.T) {
	builds := allBuilds()
	builds["gitops-golden-base"] = &imagebuildertest.Build{
		Statuses: []types.ImageStatus{types.ImageStatusBuilding, types.ImageStatusFailed},
		Reason:   "Workflow Execution ID: wf-0123 failed with Reason: Step 'cis-hardening' exited 1",
		LogGroup: "/gitops/imagebuilder/golden-base",
		S3Bucket: "gitops-imagebuilder-logs",
	}
	h := newHarness(t, builds)
	_, err := h.baker.Bake(context.Background(), "golden-base")
	var be *BuildError
	if !errors.As(err, &be) {
		t.Fatalf("error %v, want a BuildError", err)
	}
	for _, want := range []string{
		"golden-base: image build FAILED: Workflow Execution ID: wf-0123 failed with Reason: Step 'cis-hardening' exited 1",
		"image: arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-base/1.0.0/1",
		"logs: CloudWatch Logs group /gitops/imagebuilder/golden-base in tooling/eu-west-1",
		"logs: s3://gitops-imagebuilder-logs/imagebuilder/",
		"not baked: [webapp worker webapp-canary]",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if len(h.ib.Started) != 1 {
		t.Errorf("dependants started after a failure: %v", h.ib.Started)
	}
	if h.param(t, "tooling", "/gitops/ami/golden-base") != nil {
		t.Error("a failed build wrote the parameter")
	}
}

func TestBakeDefaultLogGroup(t *testing.T) {
	builds := allBuilds()
	builds["gitops-standalone"] = &imagebuildertest.Build{Statuses: []types.ImageStatus{types.ImageStatusCancelled}}
	h := newHarness(t, builds)
	_, err := h.baker.Bake(context.Background(), "standalone")
	if err == nil || !strings.Contains(err.Error(), "image build CANCELLED: (ImageBuilder gave no reason)") ||
		!strings.Contains(err.Error(), "logs: CloudWatch Logs group /aws/imagebuilder/standalone in tooling/eu-west-1") ||
		strings.Contains(err.Error(), "s3://") {
		t.Fatalf("error: %v", err)
	}
}

func TestBakeTimesOut(t *testing.T) {
	builds := allBuilds()
	builds["gitops-golden-base"] = &imagebuildertest.Build{Statuses: []types.ImageStatus{types.ImageStatusBuilding}}
	h := newHarness(t, builds)
	h.baker.Timeout = 10 * time.Minute
	_, err := h.baker.Bake(context.Background(), "golden-base")
	var te *TimeoutError
	if !errors.As(err, &te) || te.Status != types.ImageStatusBuilding {
		t.Fatalf("error %v, want a TimeoutError while BUILDING", err)
	}
	if !strings.Contains(err.Error(), "golden-base: timed out after 10m0s waiting for arn:aws:imagebuilder:eu-west-1:123456789012:image/golden-base/1.0.0/1 (last status BUILDING)") {
		t.Errorf("error: %v", err)
	}
	var slept time.Duration
	for _, d := range h.clock.sleeps {
		slept += d
	}
	if slept != 10*time.Minute {
		t.Errorf("waited %s (%v), want exactly the timeout", slept, h.clock.sleeps)
	}
	if h.param(t, "tooling", "/gitops/ami/golden-base") != nil || len(h.ib.Started) != 1 {
		t.Error("a timed-out build published or cascaded")
	}
}

func TestBakeSSMDenied(t *testing.T) {
	h := newHarness(t, allBuilds())
	h.baker.Clients = testClients{ib: h.ib, real: AWSClients{Access: h.access}, denied: map[string]bool{"dev": true}}
	_, err := h.baker.Bake(context.Background(), "golden-base")
	if err == nil {
		t.Fatal("bake succeeded with SSM denied in dev")
	}
	for _, want := range []string{
		"golden-base: dev/eu-west-1: writing ami-0base0dev to /gitops/ami/golden-base:",
		"AccessDeniedException",
		"not authorized to perform: ssm:PutParameter",
		"hint: the credentials used in account dev (role gitops-ami-publish unless it is the caller's account) need ssm:PutParameter and ssm:LabelParameterVersion on /gitops/ami/golden-base",
		"not baked: [webapp worker webapp-canary]",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	// The other target is still published.
	h.wantParam(t, "tooling", "/gitops/ami/golden-base", "ami-0base0tooling", "v1.0.0-1")
	if len(h.ib.Started) != 1 {
		t.Errorf("cascaded past a publishing failure: %v", h.ib.Started)
	}
}

// TestBakeSSMDeniedByIAM runs the bake as an IAM user whose policy lacks
// ssm:PutParameter, with the emulator enforcing IAM.
func TestBakeSSMDeniedByIAM(t *testing.T) {
	h := newHarness(t, allBuilds())
	ctx := context.Background()
	cfg, err := h.access.Config(ctx, h.baker.Operations.Accounts[0], region)
	if err != nil {
		t.Fatal(err)
	}
	iamc := iam.NewFromConfig(cfg)
	if _, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("baker")}); err != nil {
		t.Fatal(err)
	}
	if _, err := iamc.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
		UserName: aws.String("baker"), PolicyName: aws.String("read-only"),
		PolicyDocument: aws.String(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
			"Action": ["sts:GetCallerIdentity", "ssm:GetParameter"], "Resource": "*"}]}`),
	}); err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("baker")})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", aws.ToString(key.AccessKey.AccessKeyId))
	t.Setenv("AWS_SECRET_ACCESS_KEY", aws.ToString(key.AccessKey.SecretAccessKey))
	h.moto.EnforceAuth(t)

	access, err := awsaccess.Load(ctx, "gitops-bake-test")
	if err != nil {
		t.Fatal(err)
	}
	h.baker.Clients = testClients{ib: h.ib, real: AWSClients{Access: access}}
	_, err = h.baker.Bake(ctx, "standalone")
	for _, want := range []string{
		"standalone: tooling/eu-west-1: writing ami-0alone to /gitops/ami/standalone:",
		// moto answers the JSON protocol's denial in XML, which the SDK
		// cannot decode; AWS answers AccessDeniedException (see
		// TestBakeSSMDenied). The status is what both share.
		"StatusCode: 403",
		"hint: the credentials used in account tooling (role gitops-ami-publish unless it is the caller's account) need ssm:PutParameter",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestBakeMissingAMI(t *testing.T) {
	builds := allBuilds()
	builds["gitops-webapp"] = imagebuildertest.Available(imagebuildertest.AMI("ami-0web0dev", devID, region))
	h := newHarness(t, builds)
	h.baker.NoCascade = true
	_, err := h.baker.Bake(context.Background(), "webapp")
	want := "webapp: prod/eu-west-1: the build distributed no AMI to account 400000000004 in eu-west-1 (it distributed: ami-0web0dev in 200000000002/eu-west-1)"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %q", err, want)
	}
	h.wantParam(t, "dev", "/gitops/ami/webapp", "ami-0web0dev", "v1.0.0-1")
}

func TestBakePollErrors(t *testing.T) {
	h := newHarness(t, allBuilds())
	h.ib.GetErrors = maxPollErrors - 1
	h.baker.NoCascade = true
	if _, err := h.baker.Bake(context.Background(), "standalone"); err != nil {
		t.Fatalf("%d failed polls in a row failed the bake: %v", maxPollErrors-1, err)
	}
	if n := strings.Count(h.out.String(), "reading the state failed"); n != maxPollErrors-1 {
		t.Errorf("%d retry lines:\n%s", n, h.out)
	}

	h = newHarness(t, allBuilds())
	h.ib.GetErrors = maxPollErrors
	_, err := h.baker.Bake(context.Background(), "standalone")
	if err == nil || !strings.Contains(err.Error(), "standalone: reading the state of arn:aws:imagebuilder:eu-west-1:123456789012:image/standalone/1.0.0/1: api error ServiceUnavailableException") {
		t.Fatalf("error: %v", err)
	}
}

func TestBakeNoPipeline(t *testing.T) {
	h := newHarness(t, map[string]*imagebuildertest.Build{})
	_, err := h.baker.Bake(context.Background(), "standalone")
	want := "standalone: starting image pipeline arn:aws:imagebuilder:eu-west-1:123456789012:image-pipeline/gitops-standalone: api error ResourceNotFoundException"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error %v, want %q", err, want)
	}
}

func TestBakeUnknownRecipe(t *testing.T) {
	b := &Baker{Operations: stacks.NewOperations(testEstate()), Out: &bytes.Buffer{}}
	_, err := b.Bake(context.Background(), "golden-bse")
	if err == nil || err.Error() != `no image recipe named "golden-bse" in the manifest; did you mean "golden-base"?` {
		t.Fatalf("error: %v", err)
	}
}

func TestCascadeCycle(t *testing.T) {
	e := testEstate()
	// A cycle validation reports; the cascade still ends.
	e.ImageRecipes[0].Parent = estate.RecipeParent{Recipe: "webapp-canary"}
	b := &Baker{Operations: stacks.NewOperations(e)}
	if got := b.cascade("golden-base"); !slices.Equal(got, []string{"golden-base", "webapp", "worker", "webapp-canary"}) {
		t.Errorf("cascade: %v", got)
	}
}

func TestVersionLabel(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:imagebuilder:eu-west-1:123456789012:image/webapp/1.0.0/3":    "v1.0.0-3",
		"arn:aws-cn:imagebuilder:cn-north-1:123456789012:image/x/10.20.30/12": "v10.20.30-12",
		"not-an-arn": "gitops-bake",
	} {
		if got := VersionLabel(arn); got != want {
			t.Errorf("VersionLabel(%s) = %s, want %s", arn, got, want)
		}
	}
}

func TestPipelineARN(t *testing.T) {
	r := stacks.ImageRecipe{Name: "webapp", Region: "cn-north-1", Pipeline: stacks.ImagePipelineName("webapp")}
	if got := PipelineARN(r, "123456789012"); got != "arn:aws-cn:imagebuilder:cn-north-1:123456789012:image-pipeline/gitops-webapp" {
		t.Errorf("PipelineARN = %s", got)
	}
}
