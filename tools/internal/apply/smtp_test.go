package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"gitops/tools/internal/smtpcredentials"
	"gitops/tools/internal/stacks"
)

// The SMTP credentials are written after the stack holding their secret
// and before the service that reads it; a failure stops the service.
func TestSMTPCredentialsBetweenSecretAndService(t *testing.T) {
	image := stackSpec{id: "tooling/eu-west-1/gitlab-image", resources: map[string]TemplateResource{"Secret": res("AWS::SecretsManager::Secret", nil)}, outputs: []string{"SecretArn"}}
	service := stackSpec{id: "tooling/eu-west-1/gitlab", deps: []string{image.id}, resources: map[string]TemplateResource{"Service": res("AWS::ECS::Service", nil)},
		params: []stacks.Parameter{{Name: "SecretArn", Type: "String", Source: stacks.Source{Stack: image.id, Output: "SecretArn"}}}}
	creds := &stacks.SMTPCredentials{User: "gitops-gitlab-gitlab-smtp", Secret: "gitops/gitlab/gitlab/smtp", Domain: "example.com", Cluster: "gitops-gitlab-gitlab", Service: "gitlab"}
	for _, fail := range []error{nil, errors.New("AccessDenied: iam:CreateAccessKey")} {
		w := newWorld()
		d := writeDeployment(t, image, service)
		d.Stacks[0].SMTPCredentials = creds
		cf := w.cf(image)
		var synced []string
		before := -1
		opts := w.options()
		opts.SMTP = func(ctx context.Context, tg smtpcredentials.Target, out io.Writer) (smtpcredentials.Result, error) {
			synced = append(synced, tg.AccountID+" "+tg.Region+" "+tg.User+" "+tg.Secret)
			before = len(cf.calls)
			fmt.Fprintln(out, "wrote access key …ABCD")
			return smtpcredentials.Result{Changed: fail == nil}, fail
		}
		r := Apply(context.Background(), d, d.Stacks, opts)
		if want := "111111111111 eu-west-1 gitops-gitlab-gitlab-smtp gitops/gitlab/gitlab/smtp"; len(synced) != 1 || synced[0] != want {
			t.Fatalf("synced %q, want %q", synced, want)
		}
		if calls := cf.calls[:before]; !slices.Contains(calls, "ExecuteChangeSet "+r.Stacks[0].ChangeSetID) {
			t.Errorf("the credentials came before the secret's stack executed: %q", calls)
		}
		if fail == nil {
			if got := outcomes(r); got != "tooling/eu-west-1/gitlab-image applied\ntooling/eu-west-1/gitlab applied" {
				t.Errorf("outcomes:\n%s", got)
			}
			if !strings.Contains(w.progress.String(), "tooling/eu-west-1/gitlab-image: wrote access key …ABCD") {
				t.Errorf("progress lacks the syncer's line:\n%s", w.progress.String())
			}
			continue
		}
		if got := outcomes(r); got != "tooling/eu-west-1/gitlab-image failed\ntooling/eu-west-1/gitlab skipped" {
			t.Errorf("outcomes when the credentials fail:\n%s", got)
		}
		if !strings.Contains(r.Stacks[0].Error, "iam:CreateAccessKey") || !strings.Contains(r.Stacks[0].Advice, "gitops gitlab smtp-credentials") {
			t.Errorf("error %q, advice %q", r.Stacks[0].Error, r.Stacks[0].Advice)
		}
	}
}
