package mirrorsync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/mirrorsync"
	"gitops/tools/internal/mirrorsync/mirrorsynctest"
	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

const (
	toolingID = "123456789012" // moto's own account: the caller
	devID     = "200000000002" // reached through its deploy role
	region    = "eu-west-1"
	token     = "glpat-TOPSECRET-0123456789"
)

// testEstate: webapp mirrors into tooling, api into dev, infra connects.
func testEstate() *estate.Estate {
	return &estate.Estate{
		Accounts: []*estate.Account{
			{Name: "tooling", ID: toolingID, Role: "tooling", Regions: []string{region}},
			{Name: "dev", ID: devID, Role: "workload", Regions: []string{region}},
		},
		GitLabs: []*estate.GitLab{{Name: "gitlab", Account: "tooling", Region: region, ALB: estate.GitLabALB{Domain: "gitlab.example.com"}}},
		Mirrors: []*estate.Mirror{
			{Name: "webapp", GitLab: "gitlab", Project: "platform/webapp", Branches: []string{"main"}, Account: "tooling", Region: region,
				CodeCommit: &estate.CodeCommitTarget{Repository: "webapp"}},
			{Name: "api", GitLab: "gitlab", Project: "platform/api", Branches: []string{"main"}, Account: "dev", Region: region,
				CodeCommit: &estate.CodeCommitTarget{Repository: "api-repo"}},
			{Name: "infra", GitLab: "gitlab", Project: "platform/infra", Branches: []string{"main"}, Account: "tooling", Region: region,
				CodeConnections: &estate.CodeConnectionsTarget{Connection: "gitlab-infra"}},
		},
	}
}

type harness struct {
	t       *testing.T
	ops     *stacks.Operations
	access  *awsaccess.Access
	creds   *mirrorsynctest.Credentials
	gl      *mirrorsynctest.GitLab
	clients mirrorsynctest.Clients
	out     bytes.Buffer
	errOut  bytes.Buffer
}

// newHarness points at a fresh emulator holding the mirror users (unless
// left out) and at a GitLab holding the projects.
func newHarness(t *testing.T, skipUsers ...string) *harness {
	t.Helper()
	motoserver.Need(t)
	access, err := awsaccess.Load(context.Background(), "gitops-mirrors-test")
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, ops: stacks.NewOperations(testEstate()), access: access, creds: &mirrorsynctest.Credentials{}}
	h.gl = mirrorsynctest.NewGitLab(token, "platform/webapp", "platform/api")
	t.Cleanup(h.gl.Close)
	h.clients = mirrorsynctest.Clients{
		Real:        mirrorsync.AWSClients{Access: access},
		Credentials: h.creds,
		Conns:       mirrorsynctest.Connections{Status: map[string]cctypes.ConnectionStatus{"gitlab-infra": cctypes.ConnectionStatusAvailable}},
	}
	for _, m := range h.ops.Mirrors {
		if m.CodeCommit == nil || slices.Contains(skipUsers, m.Name) {
			continue
		}
		iamc := iam.NewFromConfig(h.config(m.Account))
		if _, err := iamc.CreateUser(context.Background(), &iam.CreateUserInput{UserName: aws.String(m.CodeCommit.User)}); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

func (h *harness) account(name string) stacks.Account {
	a, ok := h.ops.Account(name)
	if !ok {
		h.t.Fatalf("no account %s", name)
	}
	return a
}

func (h *harness) config(account string) aws.Config {
	cfg, err := h.access.Config(context.Background(), h.account(account), region)
	if err != nil {
		h.t.Fatal(err)
	}
	return cfg
}

// sync runs a sync as gitops mirrors sync does: output through a redactor
// that knows the token.
func (h *harness) sync(dryRun, rotate bool, names ...string) mirrorsync.Summary {
	h.t.Helper()
	h.out.Reset()
	h.errOut.Reset()
	r := &mirrorsync.Redactor{}
	r.Add(token)
	out, errOut := r.Writer(&h.out), r.Writer(&h.errOut)
	s := &mirrorsync.Syncer{
		Operations: h.ops, Clients: h.clients, GitLabURL: h.gl.URL, Token: token,
		Redactor: r, Out: out, Err: errOut, DryRun: dryRun, Rotate: rotate,
	}
	mirrors, err := mirrorsync.Select(h.ops, names)
	if err != nil {
		h.t.Fatal(err)
	}
	sum := s.Sync(context.Background(), mirrors)
	out.Close()
	errOut.Close()
	h.noSecretsPrinted()
	if len(h.gl.Problems) > 0 {
		h.t.Errorf("GitLab got bad requests:\n%s", strings.Join(h.gl.Problems, "\n"))
	}
	return sum
}

// noSecretsPrinted checks that neither the token nor any password ever
// created, in any of its encodings, reached the output.
func (h *harness) noSecretsPrinted() {
	h.t.Helper()
	text := h.out.String() + h.errOut.String()
	secrets := []string{token}
	for _, acct := range []string{toolingID, devID} {
		for _, user := range []string{"gitops-mirror-webapp", "gitops-mirror-api"} {
			for _, c := range h.creds.List(acct, user) {
				userinfo := strings.TrimSuffix(strings.TrimPrefix(url.UserPassword("u", c.Password).String(), "u:"), "@")
				secrets = append(secrets, c.Password, url.QueryEscape(c.Password), url.PathEscape(c.Password), userinfo)
			}
		}
	}
	for _, m := range h.gl.Mirrors("platform/webapp") {
		if u, err := url.Parse(m.URL); err == nil && u.User != nil {
			p, _ := u.User.Password()
			secrets = append(secrets, p, strings.TrimPrefix(u.User.String(), u.User.Username()+":"))
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			h.t.Errorf("output shows secret %q:\n%s", s, text)
		}
	}
}

// stored reads a mirror's secret from the emulator; ok is false when absent.
func (h *harness) stored(account, mirror string) (st mirrorsync.Stored, versions int, ok bool) {
	h.t.Helper()
	sm := secretsmanager.NewFromConfig(h.config(account))
	name := aws.String(stacks.MirrorSecretName(mirror))
	out, err := sm.GetSecretValue(context.Background(), &secretsmanager.GetSecretValueInput{SecretId: name})
	if err != nil {
		if strings.Contains(err.Error(), "ResourceNotFoundException") {
			return st, 0, false
		}
		h.t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &st); err != nil {
		h.t.Fatal(err)
	}
	vs, err := sm.ListSecretVersionIds(context.Background(), &secretsmanager.ListSecretVersionIdsInput{SecretId: name, IncludeDeprecated: aws.Bool(true)})
	if err != nil {
		h.t.Fatal(err)
	}
	return st, len(vs.Versions), true
}

// wantConverged checks the end state of a CodeCommit mirror: one active
// credential, stored, and the only GitLab push mirror pushing with it.
func (h *harness) wantConverged(account, accountID, mirror, project, repoURL string) mirrorsync.Stored {
	h.t.Helper()
	st, _, ok := h.stored(account, mirror)
	creds := h.creds.List(accountID, "gitops-mirror-"+mirror)
	if !ok || len(creds) != 1 || creds[0].ID != st.CredentialID || creds[0].Password != st.Password ||
		st.GitLabCredentialID != st.CredentialID || st.Username != "gitops-mirror-"+mirror+"-at-"+accountID {
		h.t.Fatalf("%s: stored %+v (found %v), credentials %+v", mirror, st, ok, creds)
	}
	mirrors := h.gl.Mirrors(project)
	if len(mirrors) != 1 {
		h.t.Fatalf("%s: GitLab mirrors %+v", mirror, mirrors)
	}
	u, err := url.Parse(mirrors[0].URL)
	if err != nil {
		h.t.Fatal(err)
	}
	pw, _ := u.User.Password()
	if u.User.Username() != st.Username || pw != st.Password || u.Scheme+"://"+u.Host+u.Path != repoURL {
		h.t.Errorf("%s: GitLab pushes to %s as %s", mirror, u.Redacted(), u.User.Username())
	}
	if m := mirrors[0]; !m.Enabled || !m.OnlyProtectedBranches || m.KeepDivergentRefs {
		h.t.Errorf("%s: GitLab mirror settings %+v", mirror, m)
	}
	return st
}

const (
	webappURL = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/webapp"
	apiURL    = "https://git-codecommit.eu-west-1.amazonaws.com/v1/repos/api-repo"
)

func TestSyncFromScratchThenNoop(t *testing.T) {
	h := newHarness(t)
	sum := h.sync(false, false)
	if sum != (mirrorsync.Summary{Changed: 2, Reported: 1}) {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	web := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	h.wantConverged("dev", devID, "api", "platform/api", apiURL)
	for _, want := range []string{
		"mirror webapp: created Git credential " + web.CredentialID + " for IAM user gitops-mirror-webapp (none stored yet)\n",
		"mirror webapp: created secret gitops/mirrors/webapp with credential " + web.CredentialID + "\n",
		"mirror webapp: created GitLab push mirror of platform/webapp to " + webappURL + " (credential " + web.CredentialID + ")\n",
		"mirror webapp: recorded in secret gitops/mirrors/webapp that GitLab pushes with credential " + web.CredentialID + "\n",
		"mirror infra: connection gitlab-infra in tooling/eu-west-1 is AVAILABLE; nothing to sync\n",
	} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &h.out)
		}
	}
	wantRequests := []string{
		"GET /api/v4/projects/platform%2Fwebapp/protected_branches",
		"GET /api/v4/projects/platform%2Fwebapp/remote_mirrors",
		"POST /api/v4/projects/platform%2Fwebapp/remote_mirrors",
		"GET /api/v4/projects/platform%2Fapi/protected_branches",
		"GET /api/v4/projects/platform%2Fapi/remote_mirrors",
		"POST /api/v4/projects/platform%2Fapi/remote_mirrors",
	}
	if !slices.Equal(h.gl.Requests, wantRequests) {
		t.Errorf("GitLab requests %v, want %v", h.gl.Requests, wantRequests)
	}
	_, versions, _ := h.stored("tooling", "webapp")

	// The second sync reads and changes nothing.
	creates, changes := h.creds.Creates, h.gl.Changes()
	sum = h.sync(false, false)
	if sum != (mirrorsync.Summary{UpToDate: 2, Reported: 1}) || h.creds.Creates != creates || h.creds.Deletes != 0 || h.gl.Changes() != changes {
		t.Errorf("second sync: %+v, %d creates, %d deletes, %d GitLab changes\n%s", sum, h.creds.Creates, h.creds.Deletes, h.gl.Changes(), &h.out)
	}
	if _, v, _ := h.stored("tooling", "webapp"); v != versions {
		t.Errorf("second sync wrote the secret: %d versions, had %d", v, versions)
	}
	if !strings.Contains(h.out.String(), "mirror webapp: up to date\n") || !strings.Contains(h.out.String(), "mirror api: up to date\n") {
		t.Errorf("second sync output:\n%s", &h.out)
	}
}

func TestSyncDryRunChangesNothing(t *testing.T) {
	h := newHarness(t)
	sum := h.sync(true, false)
	if sum != (mirrorsync.Summary{Changed: 2, Reported: 1}) {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	for _, want := range []string{
		"mirror webapp: would create a Git credential for IAM user gitops-mirror-webapp (none stored yet)\n",
		"mirror webapp: would create secret gitops/mirrors/webapp with credential (new)\n",
		"mirror webapp: would create GitLab push mirror of platform/webapp to " + webappURL + " (credential (new))\n",
		"mirror api: would create secret gitops/mirrors/api with credential (new)\n",
	} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, &h.out)
		}
	}
	if h.creds.Creates != 0 || h.gl.Changes() != 0 {
		t.Errorf("dry run changed: %d credentials, %d GitLab changes", h.creds.Creates, h.gl.Changes())
	}
	for _, a := range []string{"tooling", "dev"} {
		list, err := secretsmanager.NewFromConfig(h.config(a)).ListSecrets(context.Background(), &secretsmanager.ListSecretsInput{})
		if err != nil || len(list.SecretList) != 0 {
			t.Errorf("dry run left secrets in %s: %+v %v", a, list, err)
		}
	}

	// After a real sync, a dry run with --rotate says what rotation does
	// and still changes nothing.
	h.sync(false, false)
	before := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	_, versions, _ := h.stored("tooling", "webapp")
	creates, changes := h.creds.Creates, h.gl.Changes()
	h.sync(true, true, "webapp")
	for _, want := range []string{
		"mirror webapp: would create a Git credential for IAM user gitops-mirror-webapp (rotation asked for)\n",
		"mirror webapp: would update secret gitops/mirrors/webapp with credential (new)\n",
		"mirror webapp: would replace GitLab push mirror 101 of platform/webapp to give it credential (new)",
		"mirror webapp: would delete Git credential " + before.CredentialID + " of IAM user gitops-mirror-webapp (GitLab pushes with (new))\n",
	} {
		if !strings.Contains(h.out.String(), want) {
			t.Errorf("rotate dry run lacks %q:\n%s", want, &h.out)
		}
	}
	after := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	if _, v, _ := h.stored("tooling", "webapp"); v != versions || after != before || h.creds.Creates != creates || h.gl.Changes() != changes {
		t.Errorf("rotate dry run changed something")
	}
}

func TestSyncRotateWithinTheLimit(t *testing.T) {
	h := newHarness(t)
	h.sync(false, false, "webapp")
	old := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	// A second credential made by hand: with it the user is at IAM's limit.
	stray := h.creds.Add(toolingID, "gitops-mirror-webapp")

	sum := h.sync(false, true, "webapp")
	if sum != (mirrorsync.Summary{Changed: 1}) {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	st := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	if st.CredentialID == old.CredentialID || st.CredentialID == stray.ID {
		t.Errorf("rotation kept credential %s", st.CredentialID)
	}
	out := h.out.String()
	steps := []string{
		"deleted Git credential " + stray.ID + " of IAM user gitops-mirror-webapp (to make room: IAM allows 2)",
		"created Git credential " + st.CredentialID + " for IAM user gitops-mirror-webapp (rotation asked for)",
		"updated secret gitops/mirrors/webapp with credential " + st.CredentialID,
		"replaced GitLab push mirror 101 of platform/webapp to give it credential " + st.CredentialID,
		"recorded in secret gitops/mirrors/webapp that GitLab pushes with credential " + st.CredentialID,
		"deleted Git credential " + old.CredentialID + " of IAM user gitops-mirror-webapp (GitLab pushes with " + st.CredentialID + ")",
	}
	at := 0
	for _, step := range steps {
		i := strings.Index(out[at:], step)
		if i < 0 {
			t.Fatalf("rotation lacks, or has out of order, %q:\n%s", step, out)
		}
		at += i
	}
	if got := h.gl.Requests[len(h.gl.Requests)-3:]; !slices.Equal(got, []string{
		"GET /api/v4/projects/platform%2Fwebapp/remote_mirrors",
		"DELETE /api/v4/projects/platform%2Fwebapp/remote_mirrors/101",
		"POST /api/v4/projects/platform%2Fwebapp/remote_mirrors",
	}) {
		t.Errorf("GitLab requests of the rotation: %v", got)
	}
}

func TestSyncRepairs(t *testing.T) {
	h := newHarness(t)
	h.sync(false, false, "webapp")
	old := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)

	// Settings changed in GitLab's UI: put back with PUT, nothing else.
	changeSettings(t, h, h.gl.Mirrors("platform/webapp")[0].ID)
	_, versions, _ := h.stored("tooling", "webapp")
	if sum := h.sync(false, false, "webapp"); sum != (mirrorsync.Summary{Changed: 1}) {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	if _, v, _ := h.stored("tooling", "webapp"); v != versions || h.creds.Creates != 1 {
		t.Errorf("a settings repair wrote the secret (%d versions, had %d) or made a credential", v, versions)
	}
	if !slices.Contains(h.gl.Requests, "PUT /api/v4/projects/platform%2Fwebapp/remote_mirrors/101") || h.gl.Changes() != 1 {
		t.Errorf("settings repair: %v", h.gl.Requests)
	}
	h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)

	// The secret deleted by hand: the password is gone, so a new credential
	// replaces the old one everywhere.
	sm := secretsmanager.NewFromConfig(h.config("tooling"))
	if _, err := sm.DeleteSecret(context.Background(), &secretsmanager.DeleteSecretInput{
		SecretId: aws.String("gitops/mirrors/webapp"), ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if sum := h.sync(false, false, "webapp"); sum != (mirrorsync.Summary{Changed: 1}) {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	st := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	if st.CredentialID == old.CredentialID {
		t.Error("kept a credential whose password was lost")
	}

	// A duplicate push mirror to the same repository, e.g. added by hand.
	h.gl.AddMirror("platform/webapp", mirrorsynctest.Mirror{URL: "https://someone:pw@git-codecommit.eu-west-1.amazonaws.com/v1/repos/webapp/", Enabled: true})
	if sum := h.sync(false, false, "webapp"); sum != (mirrorsync.Summary{Changed: 1}) || !strings.Contains(h.out.String(), "(duplicate)") {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
}

// changeSettings turns only_protected_branches off on GitLab's side.
func changeSettings(t *testing.T, h *harness, id int) {
	t.Helper()
	gl := &mirrorsync.GitLab{BaseURL: h.gl.URL, Token: token}
	if _, err := gl.UpdatePushMirror(context.Background(), "platform/webapp", id, mirrorsync.MirrorSettings{Enabled: true, KeepDivergentRefs: true}); err != nil {
		t.Fatal(err)
	}
	h.gl.Requests = nil
}

func TestSyncMissingUser(t *testing.T) {
	h := newHarness(t, "api")
	sum := h.sync(false, false)
	if sum != (mirrorsync.Summary{Changed: 1, Failed: 1, Reported: 1}) {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	want := "mirror api: IAM user gitops-mirror-api does not exist in account dev (200000000002): deploy the mirror's stack first, then sync again; skipped\n"
	if h.errOut.String() != want {
		t.Errorf("errors:\n%s\nwant:\n%s", &h.errOut, want)
	}
	h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	if _, _, ok := h.stored("dev", "api"); ok || len(h.gl.Mirrors("platform/api")) != 0 {
		t.Error("a skipped mirror was partly set up")
	}
}

func TestSyncGitLabErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		prep func(h *harness)
		want string
	}{
		{"401", func(h *harness) { h.gl.Token = "another" },
			"mirror webapp: GitLab at " + "%URL%" + " answered 401 Unauthorized to GET /api/v4/projects/platform%2Fwebapp/protected_branches (401 Unauthorized): the token is missing, wrong, expired or revoked; give a token with the api scope in GITLAB_TOKEN or --gitlab-token-secret\n"},
		{"403", func(h *harness) { h.gl.FailStatus = 403 },
			"answered 403 Forbidden to GET /api/v4/projects/platform%2Fwebapp/protected_branches (403 Forbidden (token [REDACTED], url )): the token's user may not manage the mirrors of platform/webapp; it needs the Maintainer role there\n"},
		{"404", func(h *harness) { h.ops.Mirrors[0].Project = "platform/webap" },
			"answered 404 Not Found to GET /api/v4/projects/platform%2Fwebap/protected_branches (404 Project Not Found): project platform/webap does not exist, or the token's user cannot see it; check the mirror's project path\n"},
		{"500", func(h *harness) { h.gl.FailStatus = 500 },
			"answered 500 Internal Server Error to GET /api/v4/projects/platform%2Fwebapp/protected_branches (500 Internal Server Error (token [REDACTED], url )): GitLab failed; check its health and logs, then sync again\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			tc.prep(h)
			sum := h.sync(false, false, "webapp")
			want := strings.ReplaceAll(tc.want, "%URL%", h.gl.URL)
			if sum.Failed != 1 || !strings.HasSuffix(h.errOut.String(), want) {
				t.Errorf("summary %+v; errors:\n%s\nwant suffix:\n%s", sum, &h.errOut, want)
			}
			// The credential is stored before GitLab is asked, so the next
			// sync finishes the job with it.
			st, _, ok := h.stored("tooling", "webapp")
			if !ok || st.GitLabCredentialID != "" {
				t.Errorf("stored %+v, found %v", st, ok)
			}
		})
	}
}

func TestSyncGitLabFailsAfterPasswordSent(t *testing.T) {
	h := newHarness(t)
	h.sync(false, false, "webapp")
	old := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL)
	// GitLab fails the POST of a rotation; its answer echoes the URL just
	// posted, password and all.
	h.gl.FailStatus, h.gl.FailMethod = 500, "POST"
	sum := h.sync(false, true, "webapp")
	errs := h.errOut.String()
	if sum.Failed != 1 || !strings.Contains(errs, "url https://gitops-mirror-webapp-at-123456789012:[REDACTED]@git-codecommit.eu-west-1.amazonaws.com/v1/repos/webapp") ||
		!strings.Contains(errs, "; the push mirror was deleted: sync again to create it\n") {
		t.Errorf("summary %+v, errors:\n%s", sum, errs)
	}
	// The old credential stays until GitLab pushes with the new one.
	if creds := h.creds.List(toolingID, "gitops-mirror-webapp"); len(creds) != 2 || creds[0].ID != old.CredentialID {
		t.Errorf("credentials after the failed rotation: %+v", creds)
	}
	h.gl.FailStatus = 0
	if sum := h.sync(false, false, "webapp"); sum != (mirrorsync.Summary{Changed: 1}) {
		t.Fatalf("summary %+v\n%s%s", sum, &h.out, &h.errOut)
	}
	if st := h.wantConverged("tooling", toolingID, "webapp", "platform/webapp", webappURL); st.CredentialID == old.CredentialID {
		t.Error("the next sync went back to the old credential")
	}
}

func TestSyncTokenFromSecret(t *testing.T) {
	for _, value := range []string{token, `{"token": "` + token + `"}`} {
		h := newHarness(t)
		sm := secretsmanager.NewFromConfig(h.config("tooling"))
		if _, err := sm.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
			Name: aws.String("gitops/gitlab-token"), SecretString: aws.String(value)}); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		r := &mirrorsync.Redactor{}
		w := r.Writer(&out)
		s := &mirrorsync.Syncer{Operations: h.ops, Clients: h.clients, GitLabURL: h.gl.URL, TokenSecret: "gitops/gitlab-token",
			Redactor: r, Out: w, Err: w}
		if sum := s.Sync(context.Background(), []*stacks.Mirror{&h.ops.Mirrors[0]}); sum.Changed != 1 {
			t.Fatalf("%s: summary %+v\n%s", value, sum, &out)
		}
		w.Close()
		if strings.Contains(out.String(), token) {
			t.Errorf("token printed:\n%s", &out)
		}
	}

	h := newHarness(t)
	var out bytes.Buffer
	s := &mirrorsync.Syncer{Operations: h.ops, Clients: h.clients, GitLabURL: h.gl.URL, TokenSecret: "nope",
		Redactor: &mirrorsync.Redactor{}, Out: &out, Err: &out}
	if sum := s.Sync(context.Background(), []*stacks.Mirror{&h.ops.Mirrors[0]}); sum.Failed != 1 ||
		!strings.Contains(out.String(), "mirror webapp: reading the GitLab token from secret nope in tooling/eu-west-1:") {
		t.Errorf("missing token secret: %+v\n%s", sum, &out)
	}
}

func TestSyncGitLabURL(t *testing.T) {
	h := newHarness(t)
	var out bytes.Buffer
	h.ops.Mirrors[0].GitLab.URL = ""
	s := &mirrorsync.Syncer{Operations: h.ops, Clients: h.clients, Token: token, Redactor: &mirrorsync.Redactor{}, Out: &out, Err: &out}
	if sum := s.Sync(context.Background(), []*stacks.Mirror{&h.ops.Mirrors[0]}); sum.Failed != 1 ||
		!strings.Contains(out.String(), "mirror webapp: GitLab service gitlab has no alb.domain to reach it by; pass --gitlab-url\n") {
		t.Errorf("no domain: %+v\n%s", sum, &out)
	}
}

func TestConnections(t *testing.T) {
	for _, tc := range []struct {
		conns mirrorsynctest.Connections
		want  string
	}{
		{mirrorsynctest.Connections{Status: map[string]cctypes.ConnectionStatus{"a": cctypes.ConnectionStatusAvailable, "gitlab-infra": cctypes.ConnectionStatusPending}},
			"mirror infra: note: connection gitlab-infra in tooling/eu-west-1 is PENDING: approve it once in the console (Developer Tools > Settings > Connections > gitlab-infra > Update pending connection); no API can\n"},
		{mirrorsynctest.Connections{Status: map[string]cctypes.ConnectionStatus{"gitlab-infra": cctypes.ConnectionStatusError}},
			"mirror infra: note: connection gitlab-infra in tooling/eu-west-1 is ERROR: check it in the console\n"},
		{mirrorsynctest.Connections{Status: map[string]cctypes.ConnectionStatus{"other": cctypes.ConnectionStatusAvailable}},
			"mirror infra: note: connection gitlab-infra not found in tooling/eu-west-1: deploy the mirror's stack first\n"},
		{mirrorsynctest.Connections{Err: errors.New("AccessDeniedException: no codeconnections:ListConnections")},
			"mirror infra: note: could not read connection gitlab-infra in tooling/eu-west-1 (AccessDeniedException: no codeconnections:ListConnections); skipped: check it in the console\n"},
	} {
		var out bytes.Buffer
		ops := stacks.NewOperations(testEstate())
		s := &mirrorsync.Syncer{Operations: ops, Clients: mirrorsynctest.Clients{Conns: tc.conns}, Redactor: &mirrorsync.Redactor{}, Out: &out, Err: &out}
		if sum := s.Sync(context.Background(), []*stacks.Mirror{&ops.Mirrors[2]}); sum != (mirrorsync.Summary{Reported: 1}) || out.String() != tc.want {
			t.Errorf("summary %+v, output:\n%s\nwant:\n%s", sum, &out, tc.want)
		}
	}
}

func TestSelect(t *testing.T) {
	e := stacks.NewOperations(testEstate())
	got, err := mirrorsync.Select(e, []string{"infra", "webapp"})
	if err != nil || len(got) != 2 || got[0].Name != "webapp" || got[1].Name != "infra" {
		t.Errorf("Select: %v %v", got, err)
	}
	if _, err := mirrorsync.Select(e, []string{"webap", "zzz"}); err == nil ||
		err.Error() != "no mirror named \"webap\" in the manifest; did you mean \"webapp\"?\nno mirror named \"zzz\" in the manifest" {
		t.Errorf("Select unknown: %v", err)
	}
	if all, err := mirrorsync.Select(e, nil); err != nil || len(all) != len(e.Mirrors) {
		t.Errorf("Select all: %v %v", all, err)
	}
}

func TestRedactor(t *testing.T) {
	r := &mirrorsync.Redactor{}
	secret := "Pw1/x+y=z@7919:q"
	r.Add(secret)
	r.Add("")
	var out bytes.Buffer
	w := r.Writer(&out)
	u := url.URL{Scheme: "https", User: url.UserPassword("me", secret), Host: "h", Path: "/p"}
	quoted, _ := json.Marshal(secret)
	// A secret split across writes, in every encoding.
	for _, part := range []string{"raw " + secret[:4], secret[4:] + "\n", "url " + u.String() + "\n",
		"query " + url.QueryEscape(secret) + " path " + url.PathEscape(secret) + "\n", "json " + string(quoted) + "\n", "unfinished " + secret} {
		if _, err := w.Write([]byte(part)); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	want := "raw [REDACTED]\nurl https://me:[REDACTED]@h/p\nquery [REDACTED] path [REDACTED]\njson \"[REDACTED]\"\nunfinished [REDACTED]"
	if out.String() != want {
		t.Errorf("redacted:\n%s\nwant:\n%s", &out, want)
	}
}

// A declared branch GitLab does not protect would never be pushed (the
// push mirror carries protected branches only): the mirror fails, and a
// wildcard protection counts.
func TestSyncRefusesUnprotectedBranches(t *testing.T) {
	h := newHarness(t)
	h.gl.Protect("platform/webapp", "develop")
	sum := h.sync(false, false, "webapp")
	if sum.Failed != 1 || !strings.Contains(h.errOut.String(), "branches main of mirror webapp are not protected in GitLab project platform/webapp") {
		t.Fatalf("summary %+v, errors:\n%s", sum, &h.errOut)
	}
	if len(h.gl.Mirrors("platform/webapp")) != 0 {
		t.Error("a push mirror was created for a branch it would never push")
	}
	h.gl.Protect("platform/webapp", "ma*")
	h.errOut.Reset()
	if sum := h.sync(false, false, "webapp"); sum.Failed != 0 {
		t.Fatalf("with main protected by ma*: summary %+v, errors:\n%s", sum, &h.errOut)
	}
}
