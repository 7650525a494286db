package diff

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/stacks"
)

// testStack is a stack of a hand-written side.
type testStack struct {
	id, account string
	params      []stacks.Parameter
	template    string
}

func testSide(t *testing.T, label string, list ...testStack) *Side {
	t.Helper()
	s := &Side{Label: label, Manifest: &stacks.Manifest{}, Templates: map[string]*Template{}}
	for _, ts := range list {
		parts := strings.Split(ts.id, "/")
		account := ts.account
		if account == "" {
			account = "111111111111"
		}
		s.Manifest.Stacks = append(s.Manifest.Stacks, stacks.ManifestStack{
			StackHeader: stacks.StackHeader{ID: ts.id, Name: "gitops-" + parts[2], Account: parts[0], AccountID: account, Region: parts[1], Kind: stacks.KindNetwork, Parameters: ts.params},
			SHA256:      ts.template,
		})
		tmpl, err := ParseTemplate([]byte(ts.template))
		if err != nil {
			t.Fatalf("%s: %v", ts.id, err)
		}
		s.Templates[ts.id] = tmpl
	}
	return s
}

const subnetTemplate = `{"Resources": {
  "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
  "SubnetA": {"Type": "AWS::EC2::Subnet", "Properties": {"VpcId": {"Ref": "Vpc"}, "CidrBlock": "%s", "Tags": [{"Key": "Name", "Value": "%s"}]}},
  "Assoc": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "SubnetA"}, "RouteTableId": "rtb-1"}}
 },
 "Outputs": {"SubnetIds": {"Value": {"Fn::Join": [",", [{"Ref": "SubnetA"}]]}}}}`

func subnets(cidr, name string) string {
	return strings.Replace(strings.Replace(subnetTemplate, "%s", cidr, 1), "%s", name, 1)
}

// consumer reads the network's subnets through a parameter.
const consumer = `{"Parameters": {"SubnetIds": {"Type": "String"}},
 "Resources": {
  "Target": {"Type": "AWS::EFS::MountTarget", "Properties": {"FileSystemId": "fs-1", "SubnetId": {"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "SubnetIds"}]}]}, "SecurityGroups": ["sg-1"]}},
  "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": {"MaxSize": "1", "MinSize": "1", "LaunchTemplate": {"Version": "1"}, "VPCZoneIdentifier": {"Fn::Split": [",", {"Ref": "SubnetIds"}]}}}
 }}`

var consumerParams = []stacks.Parameter{{Name: "SubnetIds", Type: "String", Source: stacks.Source{Stack: "a/r/network", Output: "SubnetIds"}}}

func find(t *testing.T, r *Result, stack, id string) ResourceDiff {
	t.Helper()
	for _, d := range r.Stacks {
		if d.ID != stack {
			continue
		}
		for _, rd := range d.Resources {
			if rd.LogicalID == id {
				return rd
			}
		}
	}
	t.Fatalf("no change of %s in %s; diff: %s", id, stack, mustJSON(r))
	return ResourceDiff{}
}

func mustJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", " ")
	return string(b)
}

func TestReplacementFromCreateOnlyAndReferences(t *testing.T) {
	base := testSide(t, "base",
		testStack{id: "a/r/network", template: subnets("10.0.4.0/22", "one")},
		testStack{id: "a/r/app", params: consumerParams, template: consumer})
	head := testSide(t, "head",
		testStack{id: "a/r/network", template: subnets("10.0.8.0/21", "one")},
		testStack{id: "a/r/app", params: consumerParams, template: consumer})
	r := Compare(base, head)
	cases := []struct {
		stack, id, replacement, cause string
	}{
		// A literal create-only property changes: replaced.
		{"a/r/network", "SubnetA", ReplaceTrue, "CidrBlock"},
		// Its text is unchanged but it refers to the replaced subnet.
		{"a/r/network", "Assoc", ReplaceTrue, "SubnetId (new value of SubnetA)"},
		// Across stacks: the output changes, so the parameter does.
		{"a/r/app", "Target", ReplaceTrue, "SubnetId (new value of SubnetIds)"},
		// A conditional create-only property: may be replaced.
		{"a/r/app", "Group", ReplaceConditional, "VPCZoneIdentifier (new value of SubnetIds)"},
	}
	for _, c := range cases {
		rd := find(t, r, c.stack, c.id)
		if rd.Action != ActionModify || rd.Replacement != c.replacement || !strings.Contains(strings.Join(rd.Causes, ";"), c.cause) {
			t.Errorf("%s/%s: %s %s %v, want Modify %s because of %s", c.stack, c.id, rd.Action, rd.Replacement, rd.Causes, c.replacement, c.cause)
		}
	}
	if rd := find(t, r, "a/r/network", "SubnetA"); len(rd.Properties) != 1 || rd.Properties[0] != (PropertyDiff{"CidrBlock", "10.0.4.0/22", "10.0.8.0/21"}) {
		t.Errorf("SubnetA properties = %+v, want the CidrBlock change only", rd.Properties)
	}
	for _, d := range r.Stacks {
		for _, rd := range d.Resources {
			if rd.LogicalID == "Vpc" {
				t.Errorf("the VPC does not change, yet it is listed: %+v", rd)
			}
		}
	}
}

func TestUpdateInPlaceAndUnknownValues(t *testing.T) {
	base := testSide(t, "base", testStack{id: "a/r/network", template: subnets("10.0.4.0/22", "one")})
	head := testSide(t, "head", testStack{id: "a/r/network", template: subnets("10.0.4.0/22", "two")})
	r := Compare(base, head)
	if rd := find(t, r, "a/r/network", "SubnetA"); rd.Replacement != ReplaceFalse || len(rd.Causes) != 0 {
		t.Errorf("a tag change replaces: %+v", rd)
	}
	if len(r.Stacks[0].Resources) != 1 {
		t.Errorf("only the subnet changes; got %+v", r.Stacks[0].Resources)
	}
	// A create-only property whose new value is computed at deploy time.
	head = testSide(t, "head", testStack{id: "a/r/network", template: strings.Replace(subnets("x", "one"), `"x"`, `{"Fn::Select": [0, {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}]}`, 1)})
	if rd := find(t, Compare(base, head), "a/r/network", "SubnetA"); rd.Replacement != ReplaceConditional {
		t.Errorf("an intrinsic create-only value: replacement %s, want Conditional", rd.Replacement)
	}
}

func TestNoChangesAndStacksAddedRemoved(t *testing.T) {
	side := func() *Side {
		return testSide(t, "x", testStack{id: "a/r/network", template: subnets("10.0.4.0/22", "one")}, testStack{id: "a/r/app", params: consumerParams, template: consumer})
	}
	if r := Compare(side(), side()); !r.Empty() {
		t.Fatalf("a side against itself: %s", mustJSON(r))
	}
	base := testSide(t, "base", testStack{id: "a/r/network", template: subnets("10.0.4.0/22", "one")})
	head := testSide(t, "head", testStack{id: "a/r/app", params: consumerParams, template: consumer})
	r := Compare(base, head)
	if len(r.Stacks) != 2 || r.Stacks[0].Action != StackAdd || r.Stacks[1].Action != StackRemove || len(r.Stacks[1].Resources) != 3 {
		t.Fatalf("want app added, network removed with its 3 resources: %s", mustJSON(r))
	}
	// The same stack name in another account is another stack.
	moved := testSide(t, "head", testStack{id: "a/r/network", account: "222222222222", template: subnets("10.0.4.0/22", "one")})
	r = Compare(base, moved)
	if len(r.Stacks) != 2 || r.Stacks[0].Action != StackAdd || r.Stacks[1].Action != StackRemove {
		t.Fatalf("an account id change must delete and create: %s", mustJSON(r))
	}
	if rd := r.Stacks[1].Resources[0]; !strings.HasPrefix(rd.Moved, "moves to a/r/network/") {
		t.Errorf("resource moving account not named as a move: %+v", rd)
	}
}

func TestRenameAndStatefulAndSecrets(t *testing.T) {
	const bucket = `{"Resources": {"%s": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "Properties": {"BucketName": "logs"}},
	  "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {"SecretString": "%s"}}}}`
	tmpl := func(id, secret string) string {
		return strings.Replace(strings.Replace(bucket, "%s", id, 1), "%s", secret, 1)
	}
	base := testSide(t, "base", testStack{id: "a/r/logs", template: tmpl("Logs", "hunter2")})
	head := testSide(t, "head", testStack{id: "a/r/logs", template: tmpl("LogBucket", "swordfish")})
	r := Compare(base, head)
	old, nw := find(t, r, "a/r/logs", "Logs"), find(t, r, "a/r/logs", "LogBucket")
	if old.Action != ActionRemove || old.Moved != "renamed to LogBucket" || !old.Stateful || !old.Destroys {
		t.Errorf("renamed bucket, old side: %+v", old)
	}
	if nw.Action != ActionAdd || nw.Moved != "renamed from Logs" {
		t.Errorf("renamed bucket, new side: %+v", nw)
	}
	out := mustJSON(r)
	var text strings.Builder
	if err := Write(&text, "text", "", r); err != nil {
		t.Fatal(err)
	}
	for _, report := range []string{out, text.String()} {
		if strings.Contains(report, "hunter2") || strings.Contains(report, "swordfish") {
			t.Errorf("a secret value is printed:\n%s", report)
		}
	}
	if !strings.Contains(text.String(), "SecretString: (redacted) → (redacted)") {
		t.Errorf("the secret's change is not reported:\n%s", text.String())
	}
}

func TestLiteralInsideJoinAndStackNotes(t *testing.T) {
	const task = `{"Parameters": {"Repo": {"Type": "String"}}, "Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
	  "ContainerDefinitions": [{"Name": "gitlab", "Image": {"Fn::Join": ["", [{"Ref": "Repo"}, ":%s"]]}}]}}}}`
	side := func(tag, env string) *Side {
		s := testSide(t, "x", testStack{id: "a/r/gitlab", template: strings.Replace(task, "%s", tag, 1)})
		s.Manifest.Stacks[0].Tags = map[string]string{"environment": env}
		s.Manifest.Stacks[0].CopyImage = &stacks.ImageCopy{From: "docker.io/gitlab/gitlab-ce:" + tag}
		return s
	}
	r := Compare(side("17.11.1-ce.0", "prod"), side("17.11.3-ce.0", "production"))
	// The tag is a literal piece of the joined image name: the image changes
	// for sure, and ContainerDefinitions is create-only.
	if rd := find(t, r, "a/r/gitlab", "Task"); rd.Replacement != ReplaceTrue {
		t.Errorf("task definition with a new image tag: %+v", rd)
	}
	want := []string{
		"tag environment: prod → production (on every taggable resource)",
		"image apply copies into its repository: docker.io/gitlab/gitlab-ce:17.11.1-ce.0 → docker.io/gitlab/gitlab-ce:17.11.3-ce.0",
	}
	if got := r.Stacks[0].Notes; !slices.Equal(got, want) {
		t.Errorf("notes %q, want %q", got, want)
	}
	// Only the manifest changes: the stack is still listed.
	r = Compare(side("17.11.1-ce.0", "prod"), side("17.11.1-ce.0", "production"))
	if len(r.Stacks) != 1 || len(r.Stacks[0].Resources) != 0 || len(r.Stacks[0].Notes) != 1 {
		t.Errorf("a tag change alone: %s", mustJSON(r))
	}
}

func TestSecretsInNamedValuesAreRedacted(t *testing.T) {
	const task = `{"Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Name": "app",
	  "Environment": [{"Name": "LOG_LEVEL", "Value": "%s"}, {"Name": "DB_PASSWORD", "Value": "%s"}]}]}}}}`
	tmpl := func(level, password string) string {
		return strings.Replace(strings.Replace(task, "%s", level, 1), "%s", password, 1)
	}
	r := Compare(testSide(t, "b", testStack{id: "a/r/app", template: tmpl("info", "hunter2")}), testSide(t, "h", testStack{id: "a/r/app", template: tmpl("debug", "swordfish")}))
	got := find(t, r, "a/r/app", "Task").Properties
	want := []PropertyDiff{
		{"ContainerDefinitions/0/Environment/0/Value", "info", "debug"},
		{"ContainerDefinitions/0/Environment/1/Value", "(redacted)", "(redacted)"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("properties %+v, want %+v", got, want)
	}
}

// TestSecretsInsideAChangedListAreRedacted: when a list changes length its
// whole value is the change; a secret anywhere inside it (an environment
// entry named like one, a key named like one) must not be printed.
func TestSecretsInsideAChangedListAreRedacted(t *testing.T) {
	const task = `{"Resources": {"Task": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"ContainerDefinitions": [{"Name": "app",
	  "Environment": [{"Name": "LOG_LEVEL", "Value": "info"}%s], "Auth": %s}]}}}}`
	base := strings.Replace(strings.Replace(task, "%s", "", 1), "%s", `[]`, 1)
	head := strings.Replace(strings.Replace(task, "%s", `, {"Name": "DB_PASSWORD", "Value": "hunter2"}`, 1), "%s", `[{"Token": "swordfish"}]`, 1)
	r := Compare(testSide(t, "b", testStack{id: "a/r/app", template: base}), testSide(t, "h", testStack{id: "a/r/app", template: head}))
	var text strings.Builder
	if err := Write(&text, "text", "", r); err != nil {
		t.Fatal(err)
	}
	for _, report := range []string{mustJSON(r), text.String()} {
		if strings.Contains(report, "hunter2") || strings.Contains(report, "swordfish") {
			t.Errorf("a secret value is printed:\n%s", report)
		}
	}
	got := find(t, r, "a/r/app", "Task").Properties
	want := []PropertyDiff{
		{"ContainerDefinitions/0/Auth", "[]", "(redacted)"},
		{"ContainerDefinitions/0/Environment", `[{"Name":"LOG_LEVEL","Value":"info"}]`, "(redacted)"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("properties %+v, want %+v", got, want)
	}
}
