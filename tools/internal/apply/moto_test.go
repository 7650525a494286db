package apply

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks"
)

// syncBuffer collects progress lines from the stacks' goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// copyDeployment copies testdata/<name>/generated into a temporary
// directory, so a test can change it.
func copyDeployment(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", name, "generated")
	dst := filepath.Join(t.TempDir(), "generated")
	err := filepath.WalkDir(src, func(p string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// editDeployment lets edit change the manifest and templates of dir, then
// rewrites them with fresh digests, as gitops compile would.
func editDeployment(t *testing.T, dir string, edit func(m *stacks.Manifest, templates map[string]map[string]any)) {
	t.Helper()
	var m stacks.Manifest
	readJSON(t, filepath.Join(dir, stacks.ManifestFile), &m)
	templates := map[string]map[string]any{}
	for _, s := range m.Stacks {
		var tpl map[string]any
		readJSON(t, filepath.Join(dir, s.Template), &tpl)
		templates[s.ID] = tpl
	}
	edit(&m, templates)
	for i, s := range m.Stacks {
		data, err := json.MarshalIndent(templates[s.ID], "", " ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, s.Template), data, 0o644); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		m.Stacks[i].SHA256 = hex.EncodeToString(sum[:])
	}
	data, err := m.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stacks.ManifestFile), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadDeployment(t *testing.T, dir string) *Deployment {
	t.Helper()
	d, err := LoadDeployment(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// motoOptions are apply's options against the emulator: the real SDK
// clients, the deploy role of the twoaccounts manifest assumed in each
// account, no waiting.
func motoOptions(t *testing.T, progress *syncBuffer) Options {
	t.Helper()
	d := loadDeployment(t, filepath.Join("testdata", "twoaccounts", "generated"))
	clients, err := NewAWSClients(context.Background(), AWSOptions{
		Accounts:    d.Operations.Accounts,
		SessionName: SessionName("test-run"),
		MaxAttempts: MaxAttemptsFromEnv(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		Clients:       clients,
		ChangeSetName: "gitops-test",
		PollInterval:  time.Millisecond,
		Progress:      progress,
	}
}

// deployedStack describes a stack in its account through the emulator.
func deployedStack(t *testing.T, opts Options, s *Stack) *types.Stack {
	t.Helper()
	cf, err := opts.Clients.CloudFormation(context.Background(), s.Target())
	if err != nil {
		t.Fatal(err)
	}
	out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(s.Name)})
	if err != nil {
		t.Fatalf("%s: %v", s.ID, err)
	}
	return &out.Stacks[0]
}

// deployedTemplate is the template CloudFormation holds for a stack, read
// through the emulator.
func deployedTemplate(t *testing.T, opts Options, s *Stack) string {
	t.Helper()
	cf, err := opts.Clients.CloudFormation(context.Background(), s.Target())
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := cf.GetTemplate(context.Background(), &cloudformation.GetTemplateInput{StackName: aws.String(s.Name)})
	if err != nil {
		t.Fatalf("%s: %v", s.ID, err)
	}
	return aws.ToString(tpl.TemplateBody)
}

// appliedKey is the key apply uploads a stack's template under:
// apply/<stack name>/<sha256 of the template>.json.
func appliedKey(s *Stack) string {
	sum := sha256.Sum256([]byte(s.Body))
	return "apply/" + s.Name + "/" + hex.EncodeToString(sum[:]) + ".json"
}

func outputValue(st *types.Stack, key string) string {
	for _, o := range st.Outputs {
		if aws.ToString(o.OutputKey) == key {
			return aws.ToString(o.OutputValue)
		}
	}
	return ""
}

func parameterValue(st *types.Stack, key string) string {
	for _, p := range st.Parameters {
		if aws.ToString(p.ParameterKey) == key {
			return aws.ToString(p.ParameterValue)
		}
	}
	return ""
}

// lineIndex is the position of the first progress line with both texts.
func lineIndex(progress, id, text string) int {
	for i, l := range strings.Split(progress, "\n") {
		if strings.HasPrefix(l, id+": ") && strings.Contains(l, text) {
			return i
		}
	}
	return -1
}

func TestMotoApplyCreatesInOrderAcrossAccountsThenDoesNothing(t *testing.T) {
	motoserver.Need(t)
	dir := copyDeployment(t, "twoaccounts")
	d := loadDeployment(t, dir)
	var progress syncBuffer
	opts := motoOptions(t, &progress)

	res := Apply(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("first apply failed:\n%s", progress.String())
	}
	for _, s := range res.Stacks {
		if s.Action != ActionCreate || s.Outcome != OutcomeApplied || s.FinalStatus != "CREATE_COMPLETE" {
			t.Errorf("%s: action %s, outcome %s, status %s; want create, applied, CREATE_COMPLETE", s.ID, s.Action, s.Outcome, s.FinalStatus)
		}
	}
	out := progress.String()
	for _, s := range d.Stacks {
		started := lineIndex(out, s.ID, "executing change set")
		if started < 0 {
			t.Errorf("%s was not executed:\n%s", s.ID, out)
		}
		for _, dep := range s.DependsOn {
			if done := lineIndex(out, dep, "CREATE_COMPLETE"); done < 0 || done > started {
				t.Errorf("%s started before %s was complete:\n%s", s.ID, dep, out)
			}
		}
		// Each stack is in its own account: AssumeRole switched accounts.
		st := deployedStack(t, opts, s)
		if !strings.Contains(aws.ToString(st.StackId), ":"+s.AccountID+":stack/") {
			t.Errorf("%s: stack %s is not in account %s", s.ID, aws.ToString(st.StackId), s.AccountID)
		}
	}

	// The hub's topic, in the tooling account, reached the dev account's
	// stack as a parameter.
	hub := deployedStack(t, opts, d.Stack("tooling/eu-west-1/hub"))
	app := deployedStack(t, opts, d.Stack("dev/eu-west-1/app"))
	topic := outputValue(hub, "EventsTopicArn")
	if !strings.Contains(topic, ":111111111111:gitops-hub-events") {
		t.Fatalf("hub output EventsTopicArn = %q, want the tooling account's topic", topic)
	}
	if got := parameterValue(app, "EventsTopicArn"); got != topic {
		t.Errorf("app parameter EventsTopicArn = %q, want the hub's output %q", got, topic)
	}
	if got := outputValue(app, "SeenTopicArn"); got != topic {
		t.Errorf("app output SeenTopicArn = %q, want %q", got, topic)
	}
	if strings.Contains(out, "testing-secret-never-printed") {
		t.Error("the progress shows the secret access key")
	}

	var again syncBuffer
	res = Apply(context.Background(), d, d.Stacks, motoOptions(t, &again))
	if res.Failed() || res.Count(OutcomeUnchanged) != len(d.Stacks) {
		t.Fatalf("second apply: %s\n%s", res.Summary(), again.String())
	}
	t.Logf("first apply:\n%s\nsecond apply:\n%s", out, again.String())
	if got, want := res.Summary(), "no changes: all 4 stacks are up to date"; got != want {
		t.Errorf("second apply says %q, want %q", got, want)
	}
	if strings.Contains(again.String(), "executing") {
		t.Errorf("second apply executed something:\n%s", again.String())
	}
}

func TestMotoChangedTemplateAppliesAsUpdate(t *testing.T) {
	motoserver.Need(t)
	dir := copyDeployment(t, "twoaccounts")
	var progress syncBuffer
	if res := Apply(context.Background(), loadDeployment(t, dir), loadDeployment(t, dir).Stacks, motoOptions(t, &progress)); res.Failed() {
		t.Fatalf("first apply failed:\n%s", progress.String())
	}

	editDeployment(t, dir, func(m *stacks.Manifest, templates map[string]map[string]any) {
		app := templates["dev/eu-west-1/app"]
		app["Resources"].(map[string]any)["Extra"] = map[string]any{
			"Type":       "AWS::SSM::Parameter",
			"Properties": map[string]any{"Name": "/gitops/app/extra", "Type": "String", "Value": "added"},
		}
		app["Outputs"].(map[string]any)["ExtraName"] = map[string]any{"Value": map[string]any{"Ref": "Extra"}}
	})
	d := loadDeployment(t, dir)
	var second syncBuffer
	opts := motoOptions(t, &second)
	opts.ChangeSetName = "gitops-test-2"
	res := Apply(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("second apply failed:\n%s", second.String())
	}
	for _, s := range res.Stacks {
		want := OutcomeUnchanged
		if s.ID == "dev/eu-west-1/app" {
			want = OutcomeApplied
			if s.Action != ActionUpdate || s.ChangeSet != "gitops-test-2" || s.FinalStatus != "UPDATE_COMPLETE" {
				t.Errorf("app: action %s, change set %q, status %s; want an executed UPDATE change set", s.Action, s.ChangeSet, s.FinalStatus)
			}
		}
		if s.Outcome != want {
			t.Errorf("%s: outcome %s, want %s", s.ID, s.Outcome, want)
		}
	}
	if got := outputValue(deployedStack(t, opts, d.Stack("dev/eu-west-1/app")), "ExtraName"); got != "/gitops/app/extra" {
		t.Errorf("app output ExtraName = %q after the update", got)
	}
}

func TestMotoPlanMakesChangeSetsAndCleansUp(t *testing.T) {
	motoserver.Need(t)
	d := loadDeployment(t, copyDeployment(t, "twoaccounts"))
	var progress syncBuffer
	opts := motoOptions(t, &progress)
	opts.Cleanup = true
	res := Plan(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("plan failed:\n%s", progress.String())
	}
	want := map[string]string{
		"dev/eu-west-1/deploy-role":     "create, 1 to add",
		"tooling/eu-west-1/deploy-role": "create, 1 to add",
		"tooling/eu-west-1/hub":         "create, 2 to add",
		"dev/eu-west-1/app":             "create after tooling/eu-west-1/hub, which this run creates, for its outputs",
	}
	for _, s := range res.Stacks {
		if got := stackHeadline(res, s); !strings.HasPrefix(got, want[s.ID]) {
			t.Errorf("%s: %q, want %q", s.ID, got, want[s.ID])
		}
		if s.ChangeSet != "" {
			t.Errorf("%s: change set %s left behind despite cleanup", s.ID, s.ChangeSet)
		}
	}
	if app := res.Stacks[3]; len(app.Changes) != 2 {
		t.Errorf("app: the plan lists %d resources to add from the template, want 2", len(app.Changes))
	}
	// Cleanup removed the empty stacks the CREATE change sets made.
	for _, s := range d.Stacks[:3] {
		cf, _ := opts.Clients.CloudFormation(context.Background(), s.Target())
		out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(s.Name)})
		if err == nil && len(out.Stacks) > 0 && out.Stacks[0].StackStatus != types.StackStatusDeleteComplete {
			t.Errorf("%s: plan --cleanup left the stack in %s", s.ID, out.Stacks[0].StackStatus)
		}
	}
}

func TestMotoRegistryAuthFromECRToken(t *testing.T) {
	motoserver.Need(t)
	opts := motoOptions(t, &syncBuffer{})
	auth, err := opts.Clients.(*AWSClients).RegistryAuth(context.Background(), Target{Account: "tooling", AccountID: "111111111111", Region: "eu-west-1"})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := auth.Authorization()
	if err != nil || cfg.Username != "AWS" || cfg.Password == "" {
		t.Errorf("registry credentials: user %q, a password: %v, %v", cfg.Username, cfg.Password != "", err)
	}
}

// TestMotoLargeTemplateGoesThroughTheBucket: a template over 51,200 bytes
// is uploaded to the account's template bucket (made by its deploy-role
// stack) and the change set reads it from there.
func TestMotoLargeTemplateGoesThroughTheBucket(t *testing.T) {
	motoserver.Need(t)
	dir := copyDeployment(t, "twoaccounts")
	bucket := stacks.TemplateBucketName("222222222222", "eu-west-1")
	editDeployment(t, dir, func(m *stacks.Manifest, templates map[string]map[string]any) {
		templates["dev/eu-west-1/deploy-role"]["Resources"].(map[string]any)["TemplateBucket"] = map[string]any{
			"Type": "AWS::S3::Bucket", "Properties": map[string]any{"BucketName": bucket},
		}
		templates["dev/eu-west-1/app"]["Metadata"] = map[string]any{"Padding": strings.Repeat("x", 60000)}
	})
	d := loadDeployment(t, dir)
	var progress syncBuffer
	opts := motoOptions(t, &progress)
	res := Apply(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("apply failed:\n%s", progress.String())
	}
	app := d.Stack("dev/eu-west-1/app")
	if len(app.Body) <= maxTemplateBody {
		t.Fatalf("the app template is %d bytes, not over the inline limit", len(app.Body))
	}
	if st := deployedStack(t, opts, app); string(st.StackStatus) != "CREATE_COMPLETE" {
		t.Errorf("app: %s", st.StackStatus)
	}
	url, err := (&run{opts: opts, d: d, apply: true}).templateURL(context.Background(), app)
	if err != nil || !strings.Contains(url, "/"+bucket+"/apply/gitops-app/") {
		t.Errorf("template URL %q, %v", url, err)
	}
}

// Placement of the regional template bucket tests: account dev's deploy
// role is in eu-west-1, its stack "big" in eu-central-1.
const (
	regionalAccountID = "222222222222"
	regionalHome      = "eu-west-1"
	regionalOther     = "eu-central-1"
)

// regionalDeployment is twoaccounts with a stack of account dev in
// eu-central-1 whose template is over the inline limit, behind that
// region's template-bucket stack unless withBucket is false.
func regionalDeployment(t *testing.T, withBucket bool) *Deployment {
	t.Helper()
	const accountID, home, other = regionalAccountID, regionalHome, regionalOther
	dir := copyDeployment(t, "twoaccounts")
	editDeployment(t, dir, func(m *stacks.Manifest, templates map[string]map[string]any) {
		if err := os.MkdirAll(filepath.Join(dir, "dev", other), 0o755); err != nil {
			t.Fatal(err)
		}
		bucket := func(region string) map[string]any {
			return map[string]any{
				"Type": "AWS::S3::Bucket", "Properties": map[string]any{"BucketName": stacks.TemplateBucketName(accountID, region)},
			}
		}
		templates["dev/"+home+"/deploy-role"]["Resources"].(map[string]any)["TemplateBucket"] = bucket(home)
		header := func(id, name string, kind stacks.Kind, deps ...string) stacks.ManifestStack {
			return stacks.ManifestStack{StackHeader: stacks.StackHeader{
				ID: id, Name: name, Kind: kind, Account: "dev", AccountID: accountID, Region: other,
				Template: id + ".template.json", DependsOn: deps, Parameters: []stacks.Parameter{}, Outputs: []string{},
			}}
		}
		deps := []string{"dev/" + home + "/deploy-role"}
		if withBucket {
			m.Stacks = append(m.Stacks, header("dev/"+other+"/template-bucket", "gitops-template-bucket", stacks.KindTemplateBucket, deps...))
			templates["dev/"+other+"/template-bucket"] = map[string]any{"Resources": map[string]any{"TemplateBucket": bucket(other)}}
			deps = append(deps, "dev/"+other+"/template-bucket")
		}
		m.Stacks = append(m.Stacks, header("dev/"+other+"/big", "gitops-big", stacks.KindAMIParameters, deps...))
		templates["dev/"+other+"/big"] = map[string]any{
			"Metadata": map[string]any{"Padding": strings.Repeat("x", 60000)},
			"Resources": map[string]any{"Parameter": map[string]any{
				"Type": "AWS::SSM::Parameter", "Properties": map[string]any{"Name": "/gitops/big", "Type": "String", "Value": "v"},
			}},
		}
	})
	return loadDeployment(t, dir)
}

// TestMotoLargeTemplateGoesToItsRegionsBucket: the big stack's template,
// over 51,200 bytes, is uploaded to the eu-central-1 bucket (none of it to
// eu-west-1's, the deploy-role stack's) and its change set is made from
// there: the deployed template is the uploaded one.
func TestMotoLargeTemplateGoesToItsRegionsBucket(t *testing.T) {
	motoserver.Need(t)
	const accountID, home, other = regionalAccountID, regionalHome, regionalOther
	d := regionalDeployment(t, true)
	var progress syncBuffer
	opts := motoOptions(t, &progress)
	res := Apply(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("apply failed:\n%s", progress.String())
	}
	big := d.Stack("dev/" + other + "/big")
	if len(big.Body) <= maxTemplateBody {
		t.Fatalf("the big template is %d bytes, not over the inline limit", len(big.Body))
	}
	if st := deployedStack(t, opts, big); string(st.StackStatus) != "CREATE_COMPLETE" {
		t.Errorf("big: %s", st.StackStatus)
	}
	key := appliedKey(big)
	if got := templateObjects(t, opts, other); len(got) != 1 || got[key] != big.Body {
		t.Errorf("the %s template bucket holds %d objects, want the template under %s", other, len(got), key)
	}
	if got := templateObjects(t, opts, home); len(got) != 0 {
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		t.Errorf("the %s template bucket holds %v, want nothing: no stack there is over the inline limit", home, keys)
	}
	if tpl := deployedTemplate(t, opts, big); !strings.Contains(tpl, `"/gitops/big"`) || len(tpl) <= maxTemplateBody {
		t.Errorf("the deployed template (%d bytes) is not the uploaded one", len(tpl))
	}
}

// TestMotoLargeTemplateWithoutItsRegionsBucket: a manifest with no template
// bucket in the big stack's region (compiled by an older gitops) stops at
// that stack with a message naming the account and region, and uploads
// nothing to another region's bucket.
func TestMotoLargeTemplateWithoutItsRegionsBucket(t *testing.T) {
	motoserver.Need(t)
	d := regionalDeployment(t, false)
	var progress syncBuffer
	opts := motoOptions(t, &progress)
	res := Apply(context.Background(), d, d.Stacks, opts)
	if !res.Failed() {
		t.Fatalf("apply succeeded:\n%s", progress.String())
	}
	big := res.Stacks[slices.IndexFunc(res.Stacks, func(s *StackResult) bool { return s.ID == "dev/"+regionalOther+"/big" })]
	if !strings.Contains(big.Error, "no template bucket of account dev in "+regionalOther) {
		t.Errorf("big: %q", big.Error)
	}
	if got := templateObjects(t, opts, regionalHome); len(got) != 0 {
		t.Errorf("the %s template bucket holds %d objects, want none", regionalHome, len(got))
	}
}

// templateObjects reads every object of account dev's template bucket in
// the region, by key.
func templateObjects(t *testing.T, opts Options, region string) map[string]string {
	t.Helper()
	clients := opts.Clients.(*AWSClients)
	clients.mu.Lock()
	cfg, err := clients.config(context.Background(), Target{Account: "dev", AccountID: regionalAccountID, Region: region})
	clients.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := stacks.TemplateBucketName(regionalAccountID, region)
	list, err := client.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("listing %s: %v", bucket, err)
	}
	out := map[string]string{}
	for _, o := range list.Contents {
		obj, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: o.Key})
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(obj.Body)
		obj.Body.Close()
		out[aws.ToString(o.Key)] = string(body)
	}
	return out
}

// TestMotoPlanWaitsForItsRegionsBucket: a plan of the first stacks of a
// region (the template-bucket stack is created by this run) cannot upload
// the big template yet; it says it waits for the bucket, as it does for
// outputs, rather than failing the upload.
func TestMotoPlanWaitsForItsRegionsBucket(t *testing.T) {
	motoserver.Need(t)
	d := regionalDeployment(t, true)
	var progress syncBuffer
	opts := motoOptions(t, &progress)
	opts.Cleanup = true
	res := Plan(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("plan failed:\n%s", progress.String())
	}
	big := res.Stacks[slices.IndexFunc(res.Stacks, func(s *StackResult) bool { return s.ID == "dev/"+regionalOther+"/big" })]
	if want := "after dev/" + regionalOther + "/template-bucket, which this run creates, for its template bucket"; big.Pending != want || big.Action != ActionCreate {
		t.Errorf("big: %s, pending %q, want %q", big.Action, big.Pending, want)
	}
	if len(big.Changes) != 1 {
		t.Errorf("big: the plan lists %d resources to add from the template, want 1", len(big.Changes))
	}
}

// bigDeployRole is twoaccounts with dev's deploy-role template over the
// inline limit, holding its template bucket as compile makes it.
func bigDeployRole(t *testing.T) *Deployment {
	t.Helper()
	dir := copyDeployment(t, "twoaccounts")
	editDeployment(t, dir, func(m *stacks.Manifest, templates map[string]map[string]any) {
		tpl := templates["dev/"+regionalHome+"/deploy-role"]
		tpl["Resources"].(map[string]any)["TemplateBucket"] = map[string]any{
			"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain",
			"Properties": map[string]any{"BucketName": stacks.TemplateBucketName(regionalAccountID, regionalHome)},
		}
		tpl["Metadata"] = map[string]any{"Padding": strings.Repeat("x", 60000)}
	})
	return loadDeployment(t, dir)
}

// TestMotoBigDeployRoleMakesItsBucketFirst: a deploy-role stack whose
// template is over the inline limit cannot upload it on its first creation
// (the stack makes the bucket); apply creates the stack with the bucket
// alone, uploads the whole template there and updates the stack from it.
func TestMotoBigDeployRoleMakesItsBucketFirst(t *testing.T) {
	motoserver.Need(t)
	d := bigDeployRole(t)
	var progress syncBuffer
	opts := motoOptions(t, &progress)
	res := Apply(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("apply failed:\n%s", progress.String())
	}
	roles := d.Stack("dev/" + regionalHome + "/deploy-role")
	if len(roles.Body) <= maxTemplateBody {
		t.Fatalf("the deploy-role template is %d bytes, not over the inline limit", len(roles.Body))
	}
	if st := deployedStack(t, opts, roles); st.StackStatus != types.StackStatusUpdateComplete {
		t.Errorf("deploy-role: %s, want UPDATE_COMPLETE (created with its bucket, then updated)", st.StackStatus)
	}
	key := appliedKey(roles)
	if got := templateObjects(t, opts, regionalHome); got[key] != roles.Body {
		t.Errorf("the template bucket does not hold the deploy-role template under %s (%d objects)", key, len(got))
	}
	if tpl := deployedTemplate(t, opts, roles); !strings.Contains(tpl, strings.Repeat("x", 60000)) {
		t.Errorf("the deployed deploy-role template (%d bytes) is not the whole one", len(tpl))
	}
	if r := res.Stacks[slices.IndexFunc(res.Stacks, func(s *StackResult) bool { return s.ID == roles.ID })]; r.Action != ActionCreate || r.Outcome != OutcomeApplied {
		t.Errorf("deploy-role: %s, %s", r.Action, r.Outcome)
	}
	if !strings.Contains(progress.String(), "creating the stack with its template bucket first") {
		t.Errorf("the progress does not say the bucket comes first:\n%s", progress.String())
	}
}

// TestMotoPlanBigDeployRoleSaysTwoSteps: plan cannot make a change set of
// such a stack (nothing to upload it to); it says how apply will create it
// and lists what the template adds, and creates nothing.
func TestMotoPlanBigDeployRoleSaysTwoSteps(t *testing.T) {
	motoserver.Need(t)
	d := bigDeployRole(t)
	var progress syncBuffer
	opts := motoOptions(t, &progress)
	opts.Cleanup = true
	res := Plan(context.Background(), d, d.Stacks, opts)
	if res.Failed() {
		t.Fatalf("plan failed:\n%s", progress.String())
	}
	roles := d.Stack("dev/" + regionalHome + "/deploy-role")
	r := res.Stacks[slices.IndexFunc(res.Stacks, func(s *StackResult) bool { return s.ID == roles.ID })]
	if r.Action != ActionCreate || !strings.HasPrefix(r.Pending, "created in two steps") || len(r.Changes) == 0 {
		t.Errorf("deploy-role: %s, pending %q, %d changes", r.Action, r.Pending, len(r.Changes))
	}
	cf, err := opts.Clients.CloudFormation(context.Background(), roles.Target())
	if err != nil {
		t.Fatal(err)
	}
	if out, err := cf.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(roles.Name)}); err == nil && len(out.Stacks) > 0 {
		t.Errorf("plan left stack %s in %s", roles.Name, out.Stacks[0].StackStatus)
	}
}
