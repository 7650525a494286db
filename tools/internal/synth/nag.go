package synth

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// The synth runs cdk-nag's AwsSolutions pack over every stack: a finding
// fails the compile unless the construct acknowledges it with a reason,
// which cdk-nag writes into the resource's template Metadata
// (cdk_nag.rules_to_suppress), so every exception is in the merge request.

// nagPack is the rule pack the compile enforces; NagFigurePack is only
// counted (the README's NIST 800-53 rev 5 figure).
const nagPack = "AwsSolutions"

// addNag runs the AwsSolutions pack over the app at synth, writing its JSON
// report per stack into the cloud assembly.
func addNag(app awscdk.App) {
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{
		Reports:       jsii.Bool(true),
		ReportFormats: &[]cdknag.NagReportFormat{cdknag.NagReportFormat_CSV},
	}), nil)
}

// AddNISTFigure also runs the NIST 800-53 rev 5 pack; its findings are
// counted (NagFindings), never enforced.
func addNIST(app awscdk.App) {
	awscdk.Aspects_Of(app).Add(cdknag.NewNIST80053R5Checks(&cdknag.NagPackProps{
		Reports:       jsii.Bool(true),
		ReportFormats: &[]cdknag.NagReportFormat{cdknag.NagReportFormat_CSV},
	}), nil)
}

// NagFinding is one unacknowledged finding of a rule pack.
type NagFinding struct {
	// Stack is the planned stack's ID; Resource the logical ID.
	Stack, Resource string
	// Rule is the rule id, with the finding (an IAM5 wildcard, say) in
	// brackets where the rule reports one.
	Rule, Info string
	// Level is Error or Warning.
	Level string
}

func (f NagFinding) String() string {
	return fmt.Sprintf("%s: %s: %s: %s", f.Stack, f.Resource, f.Rule, f.Info)
}

// NagCounts are the outcomes of one pack over the stacks.
type NagCounts struct {
	Findings     []NagFinding
	Acknowledged int
}

// readNag reads a pack's reports of the synthesized stacks; constructIDs
// maps each CDK stack's construct id to the planned stack's ID. cdk-nag
// writes one CSV report per stack name (stacks of the same name in several
// accounts share one), each line naming its resource by construct path.
func readNag(asmDir, pack string, constructIDs map[string]string) (NagCounts, error) {
	var out NagCounts
	files, err := filepath.Glob(filepath.Join(asmDir, pack+"-*-NagReport.csv"))
	if err != nil {
		return out, err
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return out, fmt.Errorf("cdk-nag %s report: %v", pack, err)
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			return out, fmt.Errorf("cdk-nag %s report %s: %v", pack, filepath.Base(f), err)
		}
		for _, r := range rows[min(1, len(rows)):] {
			if len(r) != 6 {
				return out, fmt.Errorf("cdk-nag %s report %s: a line of %d fields, want 6", pack, filepath.Base(f), len(r))
			}
			rule, path, compliance, level, info := r[0], r[1], r[2], r[4], r[5]
			switch compliance {
			case "Suppressed":
				out.Acknowledged++
			case "Non-Compliant", "Error":
				cid, resource, _ := strings.Cut(path, "/")
				out.Findings = append(out.Findings, NagFinding{
					Stack: constructIDs[cid], Resource: resource, Rule: rule, Info: info, Level: level,
				})
			}
		}
	}
	slices.SortFunc(out.Findings, func(a, b NagFinding) int {
		return cmp.Or(strings.Compare(a.Stack, b.Stack), strings.Compare(a.Resource, b.Resource), strings.Compare(a.Rule, b.Rule))
	})
	return out, nil
}

// acknowledge records that a resource breaks rule on purpose, and why; the
// reason goes into the template next to the resource. appliesTo narrows
// the acknowledgement to the named findings of the rule (IAM5's
// "Resource::*", say).
func acknowledge(res any, rule, reason string, appliesTo ...string) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(nagPack + "-" + rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		list := make([]any, len(appliesTo))
		for i, a := range appliesTo {
			list[i] = a
		}
		s.AppliesTo = &list
	}
	cdknag.NagSuppressions_AddResourceSuppressions(res, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(false))
}
