package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gitops/tools/internal/motoserver"
	"gitops/tools/internal/stacks/stackstest"
)

// apply refuses to remove a stateful resource until a document of the
// estate declares it in allowReplace:, the declaration gitops diff reads.
func TestApplyHonoursTheEstatesAllowReplace(t *testing.T) {
	motoserver.Need(t)
	root := deployRoot(t)
	t.Setenv("GITOPS_RUN_ID", "allow")
	stackstest.EditTemplate(t, filepath.Join(root, "generated"), "tooling/eu-west-1/hub", func(res map[string]any) {
		res["HubAmi"] = map[string]any{"Type": "AWS::SSM::Parameter", "Properties": map[string]any{"Name": "/gitops/hub/ami", "Type": "String", "DataType": "aws:ec2:image", "Value": "ami-0123456789abcdef0"}}
	})
	if code, out, errOut := runGitops("apply", "--root", root); code != ExitOK {
		t.Fatalf("first apply: exit %d\n%s%s", code, out, errOut)
	}

	stackstest.EditTemplate(t, filepath.Join(root, "generated"), "tooling/eu-west-1/hub", func(res map[string]any) { delete(res, "HubAmi") })
	code, out, _ := runGitops("apply", "--root", root, "--account", "tooling")
	if code != ExitFindings || !strings.Contains(out, "--allow-replace AWS::SSM::Parameter/HubAmi") {
		t.Fatalf("removing the AMI parameter undeclared: exit %d\n%s", code, out)
	}

	account := "kind: Account\nname: tooling\nid: \"111111111111\"\nemail: tooling@example.com\nrole: tooling\nregions: [eu-west-1]\nallowReplace: [AWS::SSM::Parameter/HubAmi]\n"
	if err := os.MkdirAll(filepath.Join(root, "accounts"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "accounts", "tooling.yaml"), []byte(account), 0o644); err != nil {
		t.Fatal(err)
	}
	// Compile carries the declaration into the manifest, which is all
	// apply reads.
	recordEstate(t, root)
	t.Setenv("GITOPS_RUN_ID", "allow-2")
	code, out, errOut := runGitops("apply", "--root", root, "--account", "tooling")
	if code != ExitOK || !strings.Contains(errOut, "tooling/eu-west-1/hub: UPDATE_COMPLETE") {
		t.Fatalf("declared removal: exit %d\n%s%s", code, out, errOut)
	}
}
