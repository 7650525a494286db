package stacks

import (
	"reflect"
	"testing"
)

func TestOperations(t *testing.T) {
	ops := buildFixture(t, nil).Operations
	prod, ok := ops.Account("prod")
	if !ok || prod != (Account{Name: "prod", ID: "222222222222", DeployRole: "prod-deployer"}) {
		t.Errorf("prod: %+v %v", prod, ok)
	}
	if tooling, _ := ops.Account("tooling"); tooling.DeployRole != "gitops-deploy" {
		t.Errorf("tooling's deploy role %q, want the default", tooling.DeployRole)
	}
	if len(ops.Mirrors) != 2 {
		t.Fatalf("mirrors %+v", ops.Mirrors)
	}
	webapp, estate := ops.Mirrors[0], ops.Mirrors[1]
	if webapp.CodeCommit == nil || *webapp.CodeCommit != (MirrorCodeCommit{Repository: "webapp", User: MirrorUserName("webapp"), Secret: MirrorSecretName("webapp")}) ||
		webapp.GitLab.Name != "main" || webapp.GitLab.URL == "" || webapp.CodeConnections != nil {
		t.Errorf("webapp mirror %+v", webapp)
	}
	if estate.CodeConnections == nil || estate.CodeConnections.Connection != "gitlab-estate" || estate.CodeCommit != nil {
		t.Errorf("estate mirror %+v", estate)
	}
	app, ok := ops.ImageRecipe("app")
	want := ImageRecipe{Name: "app", Account: "tooling", Region: "eu-west-1", Pipeline: ImagePipelineName("app"),
		Parameter: "/gitops/ami/app", Parent: "base", Distribution: []RecipeTarget{{"prod", "eu-west-1"}}}
	if !ok || !reflect.DeepEqual(app, want) {
		t.Errorf("app recipe\n got %+v\nwant %+v", app, want)
	}
	if got := ops.AMIParameters(); !reflect.DeepEqual(got, []string{"/gitops/ami/app", "/gitops/ami/base"}) {
		t.Errorf("AMI parameters %q", got)
	}
}

func TestProtectedResources(t *testing.T) {
	template := []byte(`{"Resources": {
		"Topic": {"Type": "AWS::SNS::Topic"},
		"Data": {"Type": "AWS::EFS::FileSystem"},
		"Ami": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/gitops/ami/app", "DataType": "aws:ec2:image"}},
		"Label": {"Type": "AWS::SSM::Parameter", "Properties": {"Name": "/gitops/ami-label"}}}}`)
	got := ProtectedResources(template, []string{"/gitops/ami/app"})
	if len(got) != 2 || got[0].LogicalID != "Ami" || !got[0].UpdateDestroys || got[1].LogicalID != "Data" || got[1].UpdateDestroys || got[1].Reason == "" {
		t.Errorf("protected %+v", got)
	}
	if got := ProtectedResources(template, nil); len(got) != 1 {
		t.Errorf("without AMI parameters: %+v", got)
	}
	// Templates are searched for a protected type before they are parsed:
	// each type is found on its own, also as the synth writes templates.
	for typ := range statefulReasons {
		for _, tmpl := range []string{`{"Resources": {"X": {"Type": "` + typ + `"}}}`, "{\n \"Resources\": {\n  \"X\": {\n   \"Type\": \"" + typ + "\"\n  }\n }\n}"} {
			if got := ProtectedResources([]byte(tmpl), nil); len(got) != 1 || got[0].Type != typ {
				t.Errorf("%s: protected %+v", tmpl, got)
			}
		}
	}
	if got := ProtectedResources([]byte(`{"Resources": {"Vpc": {"Type": "AWS::EC2::VPC"}}}`), []string{"/gitops/ami/app"}); got != nil {
		t.Errorf("a network's template: protected %+v", got)
	}
}

// The documents' allowReplace: entries reach the manifest once each, so
// plan and apply need not read the estate for them.
func TestOperationsCarryAllowReplace(t *testing.T) {
	if got := buildFixture(t, nil).Operations.AllowReplace; got == nil || len(got) != 0 {
		t.Errorf("without entries: %#v, want an empty list", got)
	}
	prod := readFixture(t, "accounts/prod.yaml") + "allowReplace: [AWS::S3::Bucket/Logs, AWS::EFS::FileSystem/Data]\n"
	tooling := readFixture(t, "accounts/tooling.yaml") + "allowReplace: [AWS::EFS::FileSystem/Data]\n"
	got := buildFixture(t, map[string]string{"accounts/prod.yaml": prod, "accounts/tooling.yaml": tooling}).Operations.AllowReplace
	if !reflect.DeepEqual(got, []string{"AWS::S3::Bucket/Logs", "AWS::EFS::FileSystem/Data"}) {
		t.Errorf("allowReplace %q", got)
	}
}
