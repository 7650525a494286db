package synth

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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

// addNag runs the AwsSolutions pack over the app at synth. cdk-nag always
// records an unacknowledged finding as an error or warning annotation on
// the construct, which the compile reads from the cloud assembly
// (readNagAnnotations). Its per-stack CSV report (reports) costs a file
// append per rule per resource, compliant ones included, and is written
// only for NagFigures, which needs the acknowledged (Suppressed) count.
func addNag(app awscdk.App, reports bool) {
	props := &cdknag.NagPackProps{Reports: jsii.Bool(reports)}
	if reports {
		props.ReportFormats = &[]cdknag.NagReportFormat{cdknag.NagReportFormat_CSV}
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(props), nil)
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

// readNag reads a pack's CSV reports of the synthesized stacks (NagFigures
// only); constructIDs maps each CDK stack's construct id to the planned
// stack's ID. cdk-nag writes one CSV report per stack name (stacks of the
// same name in several accounts share one), each line naming its resource
// by construct path. A rule that threw is an UNKNOWN line.
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
			case "Non-Compliant", "UNKNOWN":
				cid, resource, _ := strings.Cut(path, "/")
				out.Findings = append(out.Findings, NagFinding{
					Stack: constructIDs[cid], Resource: resource, Rule: rule, Info: info, Level: level,
				})
			}
		}
	}
	sortFindings(out.Findings)
	return out, nil
}

// nagValidationFailure is the rule id under which cdk-nag reports a rule
// that threw while checking a resource (a property it cannot resolve):
// "CdkNagValidationFailure[AwsSolutions-EC23]: …". Acknowledging the rule
// that threw silences it.
const nagValidationFailure = "CdkNagValidationFailure"

// annotationLevels are the cloud assembly's metadata types of cdk-nag's
// annotations, with the rule level each stands for.
var annotationLevels = map[string]string{
	"aws:cdk:error":   "Error",
	"aws:cdk:warning": "Warning",
	"aws:cdk:info":    "Info",
}

// readNagAnnotations returns the AwsSolutions pack's unacknowledged
// findings of the synthesized stacks from the cloud assembly, whose
// manifest.json lists each stack's metadata (inline or in the file its
// additionalMetadataFile names): the annotations of its constructs by path
// ("/Stack3/Flow"), each message "AwsSolutions-IAM5[Resource::*]: info".
// Every level counts, warnings as much as errors, as in the pack's report,
// and so does a rule of the pack that threw. Other annotations (the CDK's
// own warnings, a suppression cdk-nag ignored) do not.
func readNagAnnotations(asmDir string, asm *cloudAssembly, constructIDs map[string]string) ([]NagFinding, error) {
	var out []NagFinding
	for _, art := range asm.Artifacts {
		md := art.Metadata
		if art.AdditionalMetadataFile != "" {
			var err error
			if md, err = readMetadata(asmDir, art.AdditionalMetadataFile); err != nil {
				return nil, err
			}
		}
		for path, entries := range md {
			for _, e := range entries {
				level, ok := annotationLevels[e.Type]
				if !ok {
					continue
				}
				var msg string
				if err := json.Unmarshal(e.Data, &msg); err != nil {
					return nil, fmt.Errorf("cdk-nag findings: the %s annotation of %s: %v", e.Type, path, err)
				}
				m := nagMessage.FindStringSubmatch(msg)
				if m == nil {
					continue
				}
				rule, info := m[1], strings.TrimSuffix(m[2], "\n")
				cid, resource, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
				out = append(out, NagFinding{Stack: constructIDs[cid], Resource: resource, Rule: rule, Info: info, Level: level})
			}
		}
	}
	sortFindings(out)
	return out, nil
}

// metadata is a stack artifact's metadata: entries by construct path.
type metadata map[string][]struct {
	Type string          `json:"type"`
	Data json.RawMessage `json:"data"`
}

// readMetadata reads a stack's metadata file. A file without annotations
// (every stack that passes) is not decoded: it holds an entry per
// construct, and there are thousands.
func readMetadata(asmDir, name string) (metadata, error) {
	data, err := os.ReadFile(filepath.Join(asmDir, name))
	if err != nil {
		return nil, fmt.Errorf("cdk-nag findings: %v", err)
	}
	if !annotated(data) {
		return nil, nil
	}
	var md metadata
	if err := json.Unmarshal(data, &md); err != nil {
		return nil, fmt.Errorf("cdk-nag findings: the cloud assembly's %s: %v", name, err)
	}
	return md, nil
}

// annotated reports whether a metadata file may hold an annotation.
func annotated(data []byte) bool {
	for t := range annotationLevels {
		if bytes.Contains(data, []byte(`"`+t+`"`)) {
			return true
		}
	}
	return false
}

// nagMessage matches an annotation of the AwsSolutions pack, "rule: info"
// or "rule[finding]: info", and of a rule of the pack that threw. A
// finding (an IAM5 action, say) may hold colons, never "]: ".
var nagMessage = regexp.MustCompile(`(?s)^(` + nagPack + `-\w+(?:\[.*?\])?|` + nagValidationFailure + `\[` + nagPack + `-\w+\]): (.*)$`)

func sortFindings(findings []NagFinding) {
	slices.SortFunc(findings, func(a, b NagFinding) int {
		return cmp.Or(strings.Compare(a.Stack, b.Stack), strings.Compare(a.Resource, b.Resource), strings.Compare(a.Rule, b.Rule), strings.Compare(a.Info, b.Info))
	})
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

// lintAcknowledge has cfn-lint skip a check on one resource, through the
// resource's Metadata (cfn-lint's own convention), so that anyone linting
// generated/ sees the exception where it applies; the reason is at the
// call.
func lintAcknowledge(res awscdk.CfnResource, check string) {
	res.AddMetadata(str("cfn-lint"), map[string]any{"config": map[string]any{"ignore_checks": []any{check}}})
}
