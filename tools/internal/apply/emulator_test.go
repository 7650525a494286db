package apply

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"gitops/tools/internal/smtpcredentials"
	"gitops/tools/internal/stacks"
)

func TestEndpointOverride(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if got := EndpointOverride(get); got != "" {
		t.Errorf("no override: %q", got)
	}
	env["AWS_ENDPOINT_URL"] = "http://127.0.0.1:5000"
	if got := EndpointOverride(get); got != "http://127.0.0.1:5000" {
		t.Errorf("AWS_ENDPOINT_URL: %q", got)
	}
	env["AWS_ENDPOINT_URL_CLOUDFORMATION"] = "http://127.0.0.1:5001"
	if got := EndpointOverride(get); got != "http://127.0.0.1:5001" {
		t.Errorf("the CloudFormation endpoint wins: %q", got)
	}
}

// Against an emulator, what it has no service for is reported as not
// emulated and the run goes on: the image copy, and the SMTP credentials
// when the emulator made no secret.
func TestEmulatorLeavesOutWhatItCannotDo(t *testing.T) {
	image := stackSpec{id: "tooling/eu-west-1/gitlab-image", resources: map[string]TemplateResource{
		"Repository": res("AWS::ECR::Repository", nil), "Secret": res("AWS::SecretsManager::Secret", nil),
	}, outputs: []string{"RepoUri"}}
	service := stackSpec{id: "tooling/eu-west-1/gitlab", deps: []string{image.id}, resources: map[string]TemplateResource{"Service": res("AWS::ECS::Service", nil)},
		params: []stacks.Parameter{{Name: "RepoUri", Type: "String", Source: stacks.Source{Stack: image.id, Output: "RepoUri"}}}}
	w := newWorld()
	d := writeDeployment(t, image, service)
	d.Stacks[0].CopyImage = &stacks.ImageCopy{From: "docker.io/gitlab/gitlab-ce:17.5.1-ce.0", RepositoryOutput: "RepoUri", Tag: "17.5.1-ce.0"}
	d.Stacks[0].SMTPCredentials = &stacks.SMTPCredentials{User: "u", Secret: "gitops/gitlab/gitlab/smtp", Cluster: "c", Service: "gitlab"}
	w.cf(image).unemulated = []string{"Secret"}
	opts := w.options()
	opts.Emulator = "http://127.0.0.1:5000"
	copier := &fakeCopier{cf: w.cf(image)}
	opts.Images = copier
	opts.SMTP = func(context.Context, smtpcredentials.Target, io.Writer) (smtpcredentials.Result, error) {
		t.Error("SMTP credentials written into a secret the emulator did not make")
		return smtpcredentials.Result{}, nil
	}
	r := Apply(context.Background(), d, d.Stacks, opts)
	if got := outcomes(r); got != "tooling/eu-west-1/gitlab-image applied\ntooling/eu-west-1/gitlab applied" {
		t.Fatalf("outcomes:\n%s\n%s", got, w.progress)
	}
	if len(copier.copies) != 0 {
		t.Errorf("copied into an emulator: %v", copier.copies)
	}
	ne := strings.Join(r.Stacks[0].NotEmulated, "\n")
	for _, want := range []string{"copying image docker.io/gitlab/gitlab-ce:17.5.1-ce.0", "AWS::SecretsManager::Secret Secret", "writing GitLab's SMTP credentials"} {
		if !strings.Contains(ne, want) {
			t.Errorf("not emulated lacks %q:\n%s", want, ne)
		}
	}
	var text strings.Builder
	if err := Write(&text, "text", r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "  not emulated: copying image") {
		t.Errorf("the report does not show what was not emulated:\n%s", text.String())
	}
}

// A producer without the output its dependant needs is explained: when its
// template declares the output and the endpoint is an emulator, as the
// emulator's doing (not emulated); otherwise as a stale stack (failed).
func TestMissingOutputExplained(t *testing.T) {
	for _, tc := range []struct {
		emulator string
		declared bool
		outcome  Outcome
		advice   string
	}{
		{"", true, OutcomeFailed, "gitops compile --check"},
		{"http://127.0.0.1:5000", false, OutcomeFailed, "gitops compile --check"},
		{"http://127.0.0.1:5000", true, OutcomeNotEmulated, "moto_server.py"},
	} {
		producer := stackSpec{id: "tooling/eu-west-1/gitlab-image", resources: map[string]TemplateResource{"Repository": res("AWS::ECR::Repository", nil)}}
		if tc.declared {
			producer.outputs = []string{"RepoUri"}
		}
		consumer := stackSpec{id: "tooling/eu-west-1/gitlab", deps: []string{producer.id}, resources: map[string]TemplateResource{"Service": res("AWS::ECS::Service", nil)},
			params: []stacks.Parameter{{Name: "RepoUri", Type: "String", Source: stacks.Source{Stack: producer.id, Output: "RepoUri"}}}}
		w := newWorld()
		d := writeDeployment(t, producer, consumer)
		w.cf(producer).dropOutputs = true
		opts := w.options()
		opts.Emulator = tc.emulator
		r := Apply(context.Background(), d, d.Stacks, opts)
		c := r.Stacks[1]
		if !strings.Contains(c.Error, "has no output RepoUri") || c.Outcome != tc.outcome || !strings.Contains(c.Advice, tc.advice) {
			t.Errorf("%+v: %s %q, advice %q\n%s", tc, c.Outcome, c.Error, c.Advice, w.progress)
		}
	}
}

// A stack the emulator breaks on is not emulated, and so are its
// dependants; the other stacks still run and the run does not fail. The
// same error from AWS is a failure that stops the run.
func TestEmulatorInternalErrorIsNotEmulated(t *testing.T) {
	network := stackSpec{id: "tooling/eu-west-1/network", resources: map[string]TemplateResource{"Vpc": res("AWS::EC2::VPC", nil)}, outputs: []string{"VpcId"}}
	gitlab := stackSpec{id: "tooling/eu-west-1/gitlab", deps: []string{network.id}, resources: map[string]TemplateResource{"Service": res("AWS::ECS::Service", nil)},
		params: []stacks.Parameter{{Name: "VpcId", Type: "String", Source: stacks.Source{Stack: network.id, Output: "VpcId"}}}}
	other := stackSpec{id: "dev/eu-west-1/network", resources: map[string]TemplateResource{"Vpc": res("AWS::EC2::VPC", nil)}}
	for _, emulator := range []string{"http://127.0.0.1:5000", "http://127.0.0.1:5000/validation", ""} {
		w := newWorld()
		d := writeDeployment(t, network, gitlab, other)
		broke := apiError("InternalFailure", "moto: KeyError 'FromPort'")
		if strings.HasSuffix(emulator, "/validation") {
			broke = apiError("ValidationError", "The request must contain the parameter size/snapshot")
		}
		w.cf(network).broken = map[string]error{"ExecuteChangeSet": broke}
		opts := w.options()
		opts.Emulator = emulator
		opts.Parallel = 1
		r := Apply(context.Background(), d, d.Stacks, opts)
		got := outcomes(r)
		if emulator == "" {
			if !r.Failed() || !strings.Contains(got, "tooling/eu-west-1/network failed") {
				t.Errorf("against AWS the error is a failure:\n%s", got)
			}
			continue
		}
		want := "tooling/eu-west-1/network not emulated\ntooling/eu-west-1/gitlab not emulated\ndev/eu-west-1/network applied"
		if got != want || r.Failed() {
			t.Errorf("outcomes (failed %v):\n%s\nwant\n%s", r.Failed(), got, want)
		}
		if !strings.Contains(r.Stacks[1].Error, "which the emulator could not deploy") || !strings.Contains(r.Summary(), "1 applied, 2 not emulated") {
			t.Errorf("dependant: %q; summary %q", r.Stacks[1].Error, r.Summary())
		}
	}
}

// A plan's change set on a new stack leaves it REVIEW_IN_PROGRESS; apply
// deletes that empty stack when only gitops' change sets are on it and
// creates it afresh, and stops on a change set someone else made.
func TestApplyReplacesLeftoverChangeSets(t *testing.T) {
	app := stackSpec{id: "dev/eu-west-1/app", resources: map[string]TemplateResource{"Queue": res("AWS::SQS::Queue", nil)}}
	for _, planName := range []string{"gitops-plan-20260101T000000Z", "console-review"} {
		w := newWorld()
		d := writeDeployment(t, app)
		opts := w.options()
		opts.ChangeSetName = planName
		if r := Plan(context.Background(), d, d.Stacks, opts); r.Stacks[0].ChangeSetID == "" {
			t.Fatalf("plan left no change set: %+v", r.Stacks[0])
		}
		opts = w.options()
		opts.ChangeSetName = "gitops-apply-20260101T010000Z"
		r := Apply(context.Background(), d, d.Stacks, opts)
		got := r.Stacks[0]
		if planName == "console-review" {
			if got.Outcome != OutcomeFailed || !strings.Contains(got.Error, "change set console-review, which gitops did not make") || !strings.Contains(got.Advice, "delete-change-set") {
				t.Errorf("foreign change set: %s %q %q", got.Outcome, got.Error, got.Advice)
			}
			continue
		}
		if got.Outcome != OutcomeApplied || w.cf(app).called("DeleteStack") != 1 {
			t.Errorf("leftover plan change set: %s %q, %d deletes\n%s", got.Outcome, got.Error, w.cf(app).called("DeleteStack"), w.progress)
		}
	}
}

func TestEmulatorBroke(t *testing.T) {
	resp := func(code int) error {
		return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("deserialization failed"),
		}}
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{resp(500), true},
		{resp(404), true}, // moto: an operation it does not implement
		{resp(400), false},
		{apiError("ValidationError", "Template format error"), false},
		{&asyncCallErr{callError(apiError("ValidationError", "must contain the parameter size/snapshot"), "executing change set x")}, true},
		{&asyncCallErr{callError(apiError("InvalidChangeSetStatus", "cannot be executed"), "executing change set x")}, false},
	} {
		if got := emulatorBroke(tc.err); got != tc.want {
			t.Errorf("emulatorBroke(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}
