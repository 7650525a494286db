package smtpcredentials_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/smtpcredentials"
	"gitops/tools/internal/stacks"
)

const (
	accountID = "123456789012" // moto's own account: the caller
	region    = "eu-west-1"
)

var target = smtpcredentials.Target{
	Stack: "tooling/eu-west-1/gitlab-gitlab-image", Account: "tooling", AccountID: accountID, Region: region,
	SMTPCredentials: stacks.SMTPCredentials{
		User: stacks.GitLabSMTPUserName("gitlab"), Secret: stacks.GitLabSMTPSecretName("gitlab"), Domain: "example.com",
		Cluster: stacks.GitLabClusterName("gitlab"), Service: stacks.GitLabServiceName,
	},
}

// accounts is the manifest's account table of the tests.
var accounts = []stacks.Account{{Name: "tooling", ID: accountID, DeployRole: "gitops-deploy"}}

// harness is moto holding what the GitLab image stack creates: the user
// and the secret with its generated value.
type harness struct {
	t       *testing.T
	iam     *iam.Client
	secrets *secretsmanager.Client
	ecs     *ecs.Client
	clients *recording
	out     bytes.Buffer
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	motoserver.Need(t)
	ctx := context.Background()
	access, err := awsaccess.Load(ctx, "gitops-smtp-test")
	if err != nil {
		t.Fatal(err)
	}
	real := smtpcredentials.AWSClients{Access: access, Accounts: accounts}
	c, err := real.For(ctx, target)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, iam: c.IAM.(*iam.Client), secrets: c.Secrets.(*secretsmanager.Client), ecs: c.ECS.(*ecs.Client)}
	h.clients = &recording{real: real}
	if _, err := h.iam.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(target.User)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(target.Secret), SecretString: aws.String("generated-by-cloudformation")}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *harness) sync(rotate, dryRun bool) smtpcredentials.Result {
	h.t.Helper()
	s := &smtpcredentials.Syncer{Clients: h.clients, Out: &h.out, Rotate: rotate, DryRun: dryRun}
	res, err := s.Sync(context.Background(), target)
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

func (h *harness) keys() []string {
	h.t.Helper()
	out, err := h.iam.ListAccessKeys(context.Background(), &iam.ListAccessKeysInput{UserName: aws.String(target.User)})
	if err != nil {
		h.t.Fatal(err)
	}
	var ids []string
	for _, k := range out.AccessKeyMetadata {
		ids = append(ids, aws.ToString(k.AccessKeyId))
	}
	return ids
}

func (h *harness) secret() (user, password string) {
	h.t.Helper()
	out, err := h.secrets.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: aws.String(target.Secret)})
	if err != nil {
		h.t.Fatal(err)
	}
	var v struct{ Username, Password string }
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &v); err != nil {
		h.t.Fatalf("secret is not the credentials' JSON: %v", err)
	}
	return v.Username, v.Password
}

// deployService creates GitLab's cluster and service, as the service stack
// would.
func (h *harness) deployService() {
	h.t.Helper()
	ctx := context.Background()
	if _, err := h.ecs.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(target.Cluster)}); err != nil {
		h.t.Fatal(err)
	}
	td, err := h.ecs.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family:               aws.String("gitops-gitlab-gitlab"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("gitlab"), Image: aws.String("gitlab/gitlab-ce:17.11.1-ce.0"), Memory: aws.Int32(8192)}},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := h.ecs.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(target.Cluster), ServiceName: aws.String(target.Service),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1),
	}); err != nil {
		h.t.Fatal(err)
	}
}

// The first sync replaces the generated value with an access key of the
// user and the SES SMTP password derived from that key's secret; a second
// sync changes nothing.
func TestSyncCreatesThenKeeps(t *testing.T) {
	h := newHarness(t)
	res := h.sync(false, false)
	if !res.Changed || res.Restarted {
		t.Errorf("first sync before the service exists: %+v", res)
	}
	keys := h.keys()
	user, password := h.secret()
	if len(keys) != 1 || user != keys[0] {
		t.Fatalf("secret holds %s, the user has keys %v", user, keys)
	}
	created := h.clients.created[user]
	if created == "" || password != smtpcredentials.Password(created, region) {
		t.Errorf("the password is not derived from the new key's secret for %s", region)
	}
	if !strings.Contains(h.out.String(), "not deployed yet") {
		t.Errorf("output does not say the service reads the secret when it starts:\n%s", h.out.String())
	}
	h.out.Reset()
	if res := h.sync(false, false); res.Changed || res.Restarted {
		t.Errorf("second sync changed something: %+v", res)
	}
	if got := h.keys(); len(got) != 1 || got[0] != user {
		t.Errorf("second sync touched the keys: %v", got)
	}
	if !strings.Contains(h.out.String(), "are current") {
		t.Errorf("second sync output: %s", h.out.String())
	}
	h.noSecretsPrinted()
}

// --rotate replaces a valid key, restarts the running service and deletes
// the old key: the user never holds more than two keys.
func TestSyncRotates(t *testing.T) {
	h := newHarness(t)
	h.sync(false, false)
	old, _ := h.secret()
	h.deployService()
	res := h.sync(true, false)
	if !res.Changed || !res.Restarted {
		t.Errorf("rotation: %+v", res)
	}
	user, password := h.secret()
	keys := h.keys()
	if user == old || len(keys) != 1 || keys[0] != user || password != smtpcredentials.Password(h.clients.created[user], region) {
		t.Errorf("after rotation the secret holds %s (was %s), keys %v", user, old, keys)
	}
	if h.clients.maxKeys > 2 {
		t.Errorf("the user held %d access keys at once; IAM allows 2", h.clients.maxKeys)
	}
	h.noSecretsPrinted()
}

// Leftover keys of an interrupted run (the user already at IAM's limit of
// two) are deleted before the new key is created.
func TestSyncClearsLeftoverKeys(t *testing.T) {
	h := newHarness(t)
	ctx := context.Background()
	for range 2 {
		if _, err := h.iam.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(target.User)}); err != nil {
			t.Fatal(err)
		}
	}
	if res := h.sync(false, false); !res.Changed {
		t.Fatalf("sync: %+v", res)
	}
	user, _ := h.secret()
	if keys := h.keys(); len(keys) != 1 || keys[0] != user {
		t.Errorf("keys %v, secret %s", keys, user)
	}
}

func TestSyncDryRunChangesNothing(t *testing.T) {
	h := newHarness(t)
	if res := h.sync(false, true); res.Changed {
		t.Errorf("dry run: %+v", res)
	}
	if keys := h.keys(); len(keys) != 0 {
		t.Errorf("dry run created keys %v", keys)
	}
	if !strings.Contains(h.out.String(), "would create an access key") {
		t.Errorf("dry run output: %s", h.out.String())
	}
}

// Before the image stack is deployed, the sync says so instead of
// creating what CloudFormation owns.
func TestSyncBeforeTheStack(t *testing.T) {
	motoserver.Need(t)
	access, err := awsaccess.Load(context.Background(), "gitops-smtp-test")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpcredentials.Syncer{Clients: smtpcredentials.AWSClients{Access: access, Accounts: accounts}, Out: &bytes.Buffer{}}
	_, err = s.Sync(context.Background(), target)
	if err == nil || !strings.Contains(err.Error(), "deploy GitLab's image stack first") {
		t.Errorf("sync without the secret: %v", err)
	}
}

func (h *harness) noSecretsPrinted() {
	h.t.Helper()
	for id, secret := range h.clients.created {
		for _, s := range []string{id, secret, smtpcredentials.Password(secret, region)} {
			if strings.Contains(h.out.String(), s) {
				h.t.Errorf("output leaks %q:\n%s", s, h.out.String())
			}
		}
	}
}

// recording passes every call to moto and remembers the secrets of the
// keys it creates (IAM returns them once) and the most keys the user held.
type recording struct {
	real    smtpcredentials.AWSClients
	created map[string]string
	maxKeys int
	// denyRestart makes UpdateService fail, as a missing ecs:UpdateService
	// grant would.
	denyRestart bool
}

type deniedECS struct{}

func (deniedECS) UpdateService(context.Context, *ecs.UpdateServiceInput, ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error) {
	return nil, errors.New("AccessDenied: not authorized to perform ecs:UpdateService")
}

func (r *recording) For(ctx context.Context, t smtpcredentials.Target) (smtpcredentials.AccountClients, error) {
	c, err := r.real.For(ctx, t)
	if err != nil {
		return c, err
	}
	if r.created == nil {
		r.created = map[string]string{}
	}
	c.IAM = &recordingIAM{IAM: c.IAM, r: r}
	if r.denyRestart {
		c.ECS = deniedECS{}
	}
	return c, nil
}

type recordingIAM struct {
	smtpcredentials.IAM
	r *recording
}

func (i *recordingIAM) CreateAccessKey(ctx context.Context, in *iam.CreateAccessKeyInput, opts ...func(*iam.Options)) (*iam.CreateAccessKeyOutput, error) {
	out, err := i.IAM.CreateAccessKey(ctx, in, opts...)
	if err == nil {
		i.r.created[aws.ToString(out.AccessKey.AccessKeyId)] = aws.ToString(out.AccessKey.SecretAccessKey)
		keys, _ := i.IAM.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: in.UserName})
		i.r.maxKeys = max(i.r.maxKeys, len(keys.AccessKeyMetadata))
	}
	return out, err
}

// A rotation whose restart failed leaves the replaced key active (the
// running task may still use it); the next plain sync restarts the service
// and only then deletes that key.
func TestSyncRetiresAKeyARotationLeftBehind(t *testing.T) {
	h := newHarness(t)
	h.sync(false, false)
	old, _ := h.secret()
	h.deployService()
	// The rotation writes the new key, then cannot restart the service.
	h.clients.denyRestart = true
	s := &smtpcredentials.Syncer{Clients: h.clients, Out: &h.out, Rotate: true}
	if _, err := s.Sync(context.Background(), target); err == nil {
		t.Fatal("a rotation whose restart is denied reported success")
	}
	if keys := h.keys(); len(keys) != 2 || !slices.Contains(keys, old) {
		t.Fatalf("after the failed restart the user has keys %v; want the new one and %s", keys, old)
	}
	h.clients.denyRestart = false
	user, _ := h.secret()
	res := h.sync(false, false)
	if !res.Restarted {
		t.Errorf("the replaced key was retired without restarting the service first: %+v", res)
	}
	if keys := h.keys(); len(keys) != 1 || keys[0] != user {
		t.Errorf("after the next sync the user has keys %v, the secret holds %s", keys, user)
	}
	if !res.Changed {
		t.Errorf("retiring the replaced key is a change: %+v", res)
	}
	h.noSecretsPrinted()
}
