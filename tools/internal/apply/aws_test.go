package apply

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"gitops/tools/internal/stacks"
)

// fakeAWS answers the STS and CloudFormation query API calls the real
// clients make, throttling the first DescribeStacks calls.
type fakeAWS struct {
	mu        sync.Mutex
	throttles int
	calls     []string
	assumed   []string // RoleArn RoleSessionName
	signedBy  []string // access key of each CloudFormation call
	caller    string
	// denyAssume answers AssumeRole with AccessDenied.
	denyAssume bool
}

func (f *fakeAWS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	action := r.Form.Get("Action")
	f.calls = append(f.calls, action)
	w.Header().Set("Content-Type", "text/xml")
	switch action {
	case "AssumeRole":
		if f.denyAssume {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>`+
				`<Code>AccessDenied</Code><Message>not authorized to perform sts:AssumeRole</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		f.assumed = append(f.assumed, r.Form.Get("RoleArn")+" "+r.Form.Get("RoleSessionName"))
		fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>`+
			`<Credentials><AccessKeyId>ASIAASSUMED</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey>`+
			`<SessionToken>assumed-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>`+
			`<AssumedRoleUser><Arn>arn:aws:sts::222222222222:assumed-role/x/y</Arn><AssumedRoleId>AROA:y</AssumedRoleId></AssumedRoleUser>`+
			`</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`)
	case "GetCallerIdentity":
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>`+
			`<Arn>arn:aws:iam::%s:user/ci</Arn><UserId>AIDA</UserId><Account>%s</Account></GetCallerIdentityResult>`+
			`<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, f.caller, f.caller)
	case "DescribeStacks":
		auth := r.Header.Get("Authorization")
		if _, after, ok := strings.Cut(auth, "Credential="); ok {
			key, _, _ := strings.Cut(after, "/")
			f.signedBy = append(f.signedBy, key)
		}
		if f.throttles > 0 {
			f.throttles--
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>`+
				`<Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		fmt.Fprint(w, `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>`+
			`<StackName>gitops-hub</StackName><StackId>arn:aws:cloudformation:eu-west-1:222222222222:stack/gitops-hub/1</StackId>`+
			`<StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime></member></Stacks>`+
			`</DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`)
	default:
		http.Error(w, "not faked: "+action, http.StatusNotImplemented)
	}
}

func (f *fakeAWS) count(action string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		if c == action {
			n++
		}
	}
	return n
}

// useFakeAWS points the SDK at f as the emulator tests point it at moto.
func useFakeAWS(t *testing.T, f *fakeAWS) {
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": srv.URL, "AWS_ACCESS_KEY_ID": "AKIABASE", "AWS_SECRET_ACCESS_KEY": "base-secret",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "eu-west-1", "AWS_CONFIG_FILE": os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
}

var noBackoff = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })

func TestSDKClientAssumesDeployRoleAndRetriesThrottling(t *testing.T) {
	dev := Target{Account: "dev", AccountID: "222222222222", Region: "eu-west-1"}
	cases := []struct {
		name      string
		attempts  int
		throttles int
		wantErr   bool
		wantCalls int
	}{
		{"retried until it answers", 5, 2, false, 3},
		{"one attempt gives up at once", 1, 2, true, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeAWS{throttles: c.throttles, caller: "111111111111"}
			useFakeAWS(t, f)
			clients, err := NewAWSClients(context.Background(), AWSOptions{
				Accounts:    []stacks.Account{{Name: "dev", ID: "222222222222", DeployRole: "custom-deploy"}},
				SessionName: "gitops-run-1", MaxAttempts: c.attempts, Backoff: noBackoff,
			})
			if err != nil {
				t.Fatal(err)
			}
			cf, err := clients.CloudFormation(context.Background(), dev)
			if err != nil {
				t.Fatal(err)
			}
			_, err = cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("gitops-hub")})
			if (err != nil) != c.wantErr || (err != nil && !isThrottled(err)) {
				t.Fatalf("DescribeStacks: %v", err)
			}
			if n := f.count("DescribeStacks"); n != c.wantCalls {
				t.Errorf("DescribeStacks reached the server %d times, want %d", n, c.wantCalls)
			}
			if want := []string{"arn:aws:iam::222222222222:role/custom-deploy gitops-run-1"}; strings.Join(f.assumed, ",") != want[0] {
				t.Errorf("assumed %q, want %q", f.assumed, want)
			}
			for _, key := range f.signedBy {
				if key != "ASIAASSUMED" {
					t.Errorf("a CloudFormation call was signed by %s, not the deploy role's credentials", key)
				}
			}
		})
	}
}

func TestOwnAccountUsesTheCallersCredentials(t *testing.T) {
	f := &fakeAWS{caller: "111111111111"}
	useFakeAWS(t, f)
	clients, err := NewAWSClients(context.Background(), AWSOptions{Accounts: testAccounts, SessionName: "gitops-run-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tgt := range []Target{
		{Account: "tooling", AccountID: "111111111111", Region: "eu-west-1"},
		{Account: "dev", AccountID: "222222222222", Region: "eu-west-1"},
	} {
		cf, err := clients.CloudFormation(context.Background(), tgt)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("gitops-hub")}); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := strings.Join(f.signedBy, " "), "AKIABASE ASIAASSUMED"; got != want {
		t.Errorf("CloudFormation calls signed by %s, want %s: the caller's own account directly, the other through its deploy role", got, want)
	}
	if want := "arn:aws:iam::222222222222:role/gitops-deploy gitops-run-1"; strings.Join(f.assumed, ",") != want {
		t.Errorf("assumed %q, want %q", f.assumed, want)
	}
}

// testAccounts is the account table of the fake AWS tests.
var testAccounts = []stacks.Account{
	{Name: "tooling", ID: "111111111111", DeployRole: "gitops-deploy"},
	{Name: "dev", ID: "222222222222", DeployRole: "gitops-deploy"},
}

func TestAccountMissingFromTheManifestIsRefused(t *testing.T) {
	useFakeAWS(t, &fakeAWS{caller: "111111111111"})
	clients, err := NewAWSClients(context.Background(), AWSOptions{Accounts: testAccounts, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	for _, tgt := range []Target{{Account: "prod", AccountID: "333333333333", Region: "eu-west-1"}, {Account: "dev", AccountID: "999999999999", Region: "eu-west-1"}} {
		if _, err := clients.CloudFormation(context.Background(), tgt); err == nil || !strings.Contains(err.Error(), "is not in the manifest's account table") {
			t.Errorf("%+v: %v", tgt, err)
		}
	}
}

func TestRoleThatCannotBeAssumedFailsEachStackOfItsAccountOnce(t *testing.T) {
	f := &fakeAWS{caller: "111111111111", denyAssume: true}
	useFakeAWS(t, f)
	clients, err := NewAWSClients(context.Background(), AWSOptions{Accounts: testAccounts, SessionName: "gitops-run-1", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	dev := Target{Account: "dev", AccountID: "222222222222", Region: "eu-west-1"}
	for i := 0; i < 3; i++ {
		if _, err := clients.CloudFormation(context.Background(), dev); err == nil || !strings.Contains(err.Error(), "arn:aws:iam::222222222222:role/gitops-deploy") {
			t.Errorf("try %d: %v", i+1, err)
		}
	}
	if n := f.count("AssumeRole"); n != 1 {
		t.Errorf("AssumeRole tried %d times, want once per account", n)
	}
}

func TestRunNames(t *testing.T) {
	now := time.Date(2026, 11, 23, 15, 4, 5, 0, time.UTC)
	cases := []struct {
		env                       map[string]string
		runID, changeSet, session string
	}{
		{nil, "20261123T150405Z", "gitops-apply-20261123T150405Z", "gitops-20261123T150405Z"},
		{map[string]string{"CODEPIPELINE_EXECUTION_ID": "3f2a9c1e-1b2c-4d5e-8f90-123456789abc", "CODEBUILD_BUILD_ID": "gitops:1"},
			"3f2a9c1e-1b2c-4d5e-8f90-123456789abc", "gitops-apply-3f2a9c1e-1b2c-4d5e-8f90-123456789abc", "gitops-3f2a9c1e-1b2c-4d5e-8f90-123456789abc"},
		{map[string]string{"CODEBUILD_BUILD_ID": "gitops-apply:7d1e0b6a-aaaa-bbbb-cccc-0123456789ab"},
			"7d1e0b6a-aaaa-bbbb-cccc-0123456789ab", "gitops-apply-7d1e0b6a-aaaa-bbbb-cccc-0123456789ab", "gitops-7d1e0b6a-aaaa-bbbb-cccc-0123456789ab"},
		{map[string]string{"GITOPS_RUN_ID": "mr 12/pipeline:34"}, "mr 12/pipeline:34", "gitops-apply-mr-12-pipeline-34", "gitops-mr-12-pipeline-34"},
	}
	for _, c := range cases {
		runID := RunID(func(k string) string { return c.env[k] }, now)
		if runID != c.runID {
			t.Errorf("%v: run id %q, want %q", c.env, runID, c.runID)
		}
		if got := ChangeSetName("apply", runID); got != c.changeSet {
			t.Errorf("%v: change set %q, want %q", c.env, got, c.changeSet)
		}
		if got := SessionName(runID); got != c.session {
			t.Errorf("%v: session %q, want %q", c.env, got, c.session)
		}
	}
	if got := SessionName(strings.Repeat("x", 100)); len(got) != 64 {
		t.Errorf("session name of %d characters, STS takes at most 64", len(got))
	}
}
