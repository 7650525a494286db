// Package synth turns planned stacks into CloudFormation templates with the
// AWS CDK for Go. It is linked only into the gitops-synth worker, never into
// gitops itself: the CDK costs a large module and a node child process.
//
// Every construct is a CloudFormation (L1) resource with a readable logical
// ID, so templates review well, deploy without `cdk bootstrap`, carry no
// Lambda-backed custom resources and come out byte-identical for the same
// plan. The constructs of each stack kind live in the file named after it.
package synth

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"gitops/tools/internal/stacks"
)

// featureFlags pins the CDK's feature flags to the values recommended by
// the pinned aws-cdk-lib (its recommended-feature-flags.json), so that
// upgrading the library never changes a template behind our back. Usage
// data collection and synth-time rule validation are off: cfn-lint checks
// the templates instead.
//
//go:embed featureflags.json
var featureFlags []byte

// Env is what the worker must set before the first CDK call; jsii starts
// its node child early, so call jsii.Close after setting them.
var Env = map[string]string{
	// The built-in template validation costs seconds and hundreds of MB
	// per synth; cfn-lint runs over the output instead.
	"CDK_VALIDATION": "false",
	// Node 20 makes jsii print an end-of-life banner on every run.
	"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
	"CDK_DISABLE_VERSION_CHECK":                     "1",
}

// Warm loads the CDK and cdk-nag into node before the first stack: the
// first use of each library loads it, which takes about a second. An empty
// app's cloud assembly goes to dir.
func Warm(dir string) {
	awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir)})
	cdknag.NewAwsSolutionsChecks(nil)
}

// Templates synthesizes the stacks in one CDK app whose cloud assembly goes
// to asmDir, and returns each template's bytes by stack ID. It must not be
// called from two goroutines at once: jsii is not goroutine-safe.
func Templates(specs []*stacks.Stack, asmDir string) (map[string][]byte, error) {
	return templates(specs, asmDir, nil)
}

// templates is Templates; extend, which only tests set, adds constructs
// to every stack before the rule pack runs.
func templates(specs []*stacks.Stack, asmDir string, extend func(awscdk.Stack)) (map[string][]byte, error) {
	out, nag, _, err := synthesizeApp(specs, asmDir, false, extend)
	if err != nil {
		return nil, err
	}
	if len(nag.Findings) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "cdk-nag %s: %d unacknowledged finding(s); fix the resource, or acknowledge the rule on it with a reason (acknowledge in tools/internal/synth):", nagPack, len(nag.Findings))
		for _, f := range nag.Findings {
			b.WriteString("\n  " + f.String())
		}
		return nil, errors.New(b.String())
	}
	return out, nil
}

// NagFigures synthesizes the stacks with both rule packs and returns their
// outcomes: AwsSolutions (enforced by Templates) and NIST 800-53 rev 5
// (the README's figure, not enforced). Unlike Templates it has cdk-nag
// write its CSV reports and reads them: only they count acknowledged
// findings.
func NagFigures(specs []*stacks.Stack, asmDir string) (aws, nist NagCounts, err error) {
	return nagFigures(specs, asmDir, nil)
}

// nagFigures is NagFigures; extend is as in templates.
func nagFigures(specs []*stacks.Stack, asmDir string, extend func(awscdk.Stack)) (aws, nist NagCounts, err error) {
	_, aws, nist, err = synthesizeApp(specs, asmDir, true, extend)
	return aws, nist, err
}

func synthesizeApp(specs []*stacks.Stack, asmDir string, withNIST bool, extend func(awscdk.Stack)) (out map[string][]byte, aws, nist NagCounts, err error) {
	context := map[string]any{}
	if err := json.Unmarshal(featureFlags, &context); err != nil {
		return nil, aws, nist, fmt.Errorf("feature flags: %v", err)
	}
	maps.Copy(context, map[string]any{
		"aws:cdk:enable-path-metadata":  false,
		"aws:cdk:enable-asset-metadata": false,
		"aws:cdk:version-reporting":     false,
		// cdk-nag reports its findings as error annotations, which this
		// flag would turn into a failed synth with a report on stderr;
		// Templates reads the annotations from the cloud assembly and
		// fails with them instead.
		"@aws-cdk/core:annotationsInValidationReport": false,
	})
	for _, s := range specs {
		// The availability zones come from the model; seeding them means
		// no construct can fall back to the dummy zones CDK uses when a
		// lookup is missing.
		if len(s.Zones) > 0 {
			context["availability-zones:account="+s.AccountID+":region="+s.Region] = s.Zones
		}
	}
	app := awscdk.NewApp(&awscdk.AppProps{
		Outdir:             jsii.String(asmDir),
		AnalyticsReporting: jsii.Bool(false),
		StackTraces:        jsii.Bool(false),
		TreeMetadata:       jsii.Bool(false),
		Context:            &context,
	})
	constructIDs := map[string]string{}
	for i, s := range specs {
		cid := fmt.Sprintf("Stack%d", i)
		st, err := build(app, cid, s)
		if err != nil {
			return nil, aws, nist, fmt.Errorf("stack %s: %w", s.ID, err)
		}
		if extend != nil {
			extend(st)
		}
		constructIDs[cid] = s.ID
	}
	addNag(app, withNIST)
	if withNIST {
		addNIST(app)
	}
	if err := synthApp(app, specs); err != nil {
		return nil, aws, nist, err
	}
	asm, err := readAssembly(asmDir)
	if err != nil {
		return nil, aws, nist, err
	}
	if len(asm.Missing) > 0 {
		var keys []string
		for _, m := range asm.Missing {
			keys = append(keys, m.Key)
		}
		return nil, aws, nist, fmt.Errorf("the CDK needs context the model does not give: %s", strings.Join(keys, ", "))
	}
	out = map[string][]byte{}
	for cid, id := range constructIDs {
		artifact, ok := asm.Artifacts[cid]
		if !ok || artifact.Properties.TemplateFile == "" {
			return nil, aws, nist, fmt.Errorf("stack %s: the cloud assembly has no template for it", id)
		}
		data, err := os.ReadFile(filepath.Join(asmDir, artifact.Properties.TemplateFile))
		if err != nil {
			return nil, aws, nist, err
		}
		out[id] = data
	}
	if !withNIST {
		if aws.Findings, err = readNagAnnotations(asmDir, asm, constructIDs); err != nil {
			return nil, aws, nist, err
		}
		return out, aws, nist, nil
	}
	if aws, err = readNag(asmDir, nagPack, constructIDs); err != nil {
		return nil, aws, nist, err
	}
	if nist, err = readNag(asmDir, "NIST.800.53.R5", constructIDs); err != nil {
		return nil, aws, nist, err
	}
	return out, aws, nist, nil
}

// synthApp synthesizes the app. The CDK reports what it refuses at synth
// (a stack over CloudFormation's limits, say) as a panic out of jsii
// naming the construct (Stack<i>); it becomes an error naming the stack.
func synthApp(app awscdk.App, specs []*stacks.Stack) (err error) {
	defer func() {
		if r := recover(); r != nil {
			msg := fmt.Sprint(r)
			for i := len(specs) - 1; i >= 0; i-- {
				construct := fmt.Sprintf("Stack%d", i)
				if strings.Contains(msg, "'"+construct+"'") || strings.Contains(msg, construct+"/") {
					msg = strings.ReplaceAll(msg, construct, specs[i].Name)
					err = fmt.Errorf("stack %s: the CDK refused it: %s", specs[i].ID, msg)
					return
				}
			}
			err = fmt.Errorf("the CDK refused the stacks: %s", msg)
		}
	}()
	app.Synth(nil)
	return nil
}

// cloudAssembly is what the synth reads of the cloud assembly's
// manifest.json: reading the file costs nothing, while asking the CDK for
// its manifest costs several round trips to node per stack.
type cloudAssembly struct {
	// Artifacts are keyed by artifact id: a top-level stack's construct id.
	Artifacts map[string]struct {
		Properties struct {
			TemplateFile string `json:"templateFile"`
		} `json:"properties"`
		// Metadata are the annotations of the stack's constructs, here or
		// in the file AdditionalMetadataFile names.
		Metadata               metadata `json:"metadata"`
		AdditionalMetadataFile string   `json:"additionalMetadataFile"`
	} `json:"artifacts"`
	// Missing are the context lookups the app needed and did not find.
	Missing []struct {
		Key string `json:"key"`
	} `json:"missing"`
}

func readAssembly(dir string) (*cloudAssembly, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("reading the cloud assembly: %v", err)
	}
	asm := &cloudAssembly{}
	if err := json.Unmarshal(data, asm); err != nil {
		return nil, fmt.Errorf("reading the cloud assembly's manifest.json: %v", err)
	}
	return asm, nil
}

// build makes the CDK stack of one planned stack.
func build(app awscdk.App, constructID string, s *stacks.Stack) (st awscdk.Stack, err error) {
	// The CDK reports construct errors (a duplicate id, say) as panics out
	// of jsii; they become this stack's error rather than a Go stack trace.
	defer func() {
		if r := recover(); r != nil {
			st, err = nil, fmt.Errorf("the CDK refused a construct: %v", r)
		}
	}()
	st = awscdk.NewStack(app, jsii.String(constructID), &awscdk.StackProps{
		Env:       &awscdk.Environment{Account: jsii.String(s.AccountID), Region: jsii.String(s.Region)},
		StackName: jsii.String(s.Name),
		// No bootstrap bucket, roles or version parameter: the templates
		// deploy as they are, and adding an asset fails the synth.
		Synthesizer: awscdk.NewBootstraplessSynthesizer(&awscdk.BootstraplessSynthesizerProps{}),
		Description: jsii.String(fmt.Sprintf("gitops %s: %s (generated; do not edit)", s.Kind, s.ID)),
	})
	b := &builder{st: st, spec: s, params: map[string]awscdk.CfnParameter{}, values: map[string]*string{}, outputs: map[string]*string{}, refs: map[any]*string{}}
	for _, p := range s.Parameters {
		props := &awscdk.CfnParameterProps{Type: jsii.String(p.Type), Description: jsii.String(describeSource(p.Source))}
		switch {
		case p.Source.SSM != "":
			props.Default = jsii.String(p.Source.SSM)
		case p.Source.Literal != "":
			props.Default = jsii.String(p.Source.Literal)
		}
		b.params[p.Name] = awscdk.NewCfnParameter(st, jsii.String(p.Name), props)
	}
	switch {
	case s.Network != nil:
		err = b.network(s.Network)
	case s.TransitGateway != nil:
		err = b.transitGateway(s.TransitGateway)
	case s.Routing != nil:
		err = b.routing(s.Routing)
	case s.GitLab != nil:
		err = b.gitlab(s.GitLab)
	case s.GitLabImage != nil:
		err = b.gitlabImage(s.GitLabImage)
	case s.DeployRole != nil:
		if err = b.deployRole(s.DeployRole); err == nil {
			b.templateBucket(s.DeployRole)
		}
	case s.Mirrors != nil:
		err = b.mirrors(s.Mirrors)
	case s.ImageRecipe != nil:
		err = b.imageRecipe(s.ImageRecipe)
	case s.AMIParameters != nil:
		err = b.amiParameters(s.AMIParameters)
	case s.Pipeline != nil:
		err = b.pipeline(s.Pipeline)
	case s.Application != nil:
		err = b.application(s.Application)
	case s.AccessLogs != nil:
		err = b.accessLogs(s.AccessLogs)
	case s.TemplateBucket != nil:
		err = b.regionalTemplateBucket(s.TemplateBucket)
	default:
		err = fmt.Errorf("no spec for kind %s", s.Kind)
	}
	if err != nil {
		return nil, err
	}
	if err := b.emitOutputs(); err != nil {
		return nil, err
	}
	b.boundPrincipals()
	for _, k := range slices.Sorted(maps.Keys(s.Tags)) {
		awscdk.Tags_Of(st).Add(jsii.String(k), jsii.String(s.Tags[k]), &awscdk.TagProps{
			ExcludeResourceTypes: &untaggable,
		})
	}
	return st, nil
}

// untaggable are resource types the stack tags leave alone: listeners,
// which CloudFormation (as cfn-lint's schemas know it) does not tag, and
// SSM parameters — the estate's only ones hold baked AMI ids, and any
// update of such a parameter (a changed tag, say) writes its seed value
// over the AMI that gitops bake published.
var untaggable = []*string{jsii.String("AWS::ElasticLoadBalancingV2::Listener"), jsii.String("AWS::SSM::Parameter")}

func describeSource(src stacks.Source) string {
	switch {
	case src.Stack != "":
		return fmt.Sprintf("output %s of stack %s", src.Output, src.Stack)
	case src.SSM != "":
		return "SSM parameter " + src.SSM
	}
	return "literal"
}

// builder carries one stack under construction.
type builder struct {
	st     awscdk.Stack
	spec   *stacks.Stack
	params map[string]awscdk.CfnParameter
	// values and refs hold the tokens of parameters and resources once
	// asked for: each question to the CDK is a round trip to node, and
	// the answer never changes.
	values map[string]*string
	refs   map[any]*string
	// partition is the token of the stack's partition (aws, aws-cn …).
	partition string
	// outputs are the values this stack can offer, by output name; the
	// ones the plan asks for are emitted.
	outputs map[string]*string
	// boundary is the permissions boundary's ARN when this stack makes it.
	boundary *string
	err      error
}

// param returns a parameter's value; a name the plan did not declare is
// a bug between planner and synth, reported once the stack is built.
func (b *builder) param(name string) *string {
	if v, ok := b.values[name]; ok {
		return v
	}
	p, ok := b.params[name]
	if !ok {
		b.fail("parameter %s is not in the plan", name)
		return jsii.String("")
	}
	b.values[name] = p.ValueAsString()
	return b.values[name]
}

// ref returns a resource's Ref: its physical ID, or its ARN for some types.
func (b *builder) ref(r interface{ Ref() *string }) *string {
	v, ok := b.refs[r]
	if !ok {
		v = r.Ref()
		b.refs[r] = v
	}
	return v
}

// listParam returns a list parameter's value.
func (b *builder) listParam(name string) *[]*string {
	p, ok := b.params[name]
	if !ok {
		b.fail("parameter %s is not in the plan", name)
		return &[]*string{}
	}
	return p.ValueAsList()
}

func (b *builder) fail(format string, args ...any) {
	if b.err == nil {
		b.err = fmt.Errorf(format, args...)
	}
}

// offer makes value available as output name.
func (b *builder) offer(name string, value *string) { b.outputs[name] = value }

func (b *builder) emitOutputs() error {
	if b.err != nil {
		return b.err
	}
	for _, name := range b.spec.Outputs {
		v, ok := b.outputs[name]
		if !ok {
			return fmt.Errorf("the plan asks for output %s, which the stack does not produce", name)
		}
		awscdk.NewCfnOutput(b.st, jsii.String(name), &awscdk.CfnOutputProps{Value: v})
	}
	return nil
}

// id makes a construct id from parts: they are already logical-ID-safe.
func id(parts ...string) *string { return jsii.String(strings.Join(parts, "")) }

// tags returns a Name tag, the only tag constructs set themselves; the
// account's tags are added to every resource by the stack.
func nameTag(name string) *[]*awscdk.CfnTag {
	return &[]*awscdk.CfnTag{{Key: jsii.String("Name"), Value: jsii.String(name)}}
}

func str(s string) *string { return jsii.String(s) }

// ptr returns a pointer to v (the CDK's optional list properties).
func ptr[T any](v T) *T  { return &v }
func num(n int) *float64 { return jsii.Number(float64(n)) }
