package apply

import (
	"context"
	"io"

	"gitops/tools/internal/smtpcredentials"
)

// SMTPSync keeps a GitLab's SES SMTP credentials current, writing what it
// does to out (smtpcredentials.Syncer.Sync).
type SMTPSync func(ctx context.Context, t smtpcredentials.Target, out io.Writer) (smtpcredentials.Result, error)

// syncSMTP fills the SMTP credentials' secret the stack made, before the
// GitLab service that reads it starts its first task.
func (r *run) syncSMTP(ctx context.Context, s *Stack, res *StackResult) error {
	t, _ := smtpcredentials.TargetOf(s.StackHeader)
	if emulatedWithout(res, "AWS::SecretsManager::Secret") || emulatedWithout(res, "AWS::IAM::User") {
		r.notEmulated(s, res, "writing GitLab's SMTP credentials into "+t.Secret+" (the emulator made no secret or user to hold them)")
		return nil
	}
	if r.opts.SMTP == nil {
		return &stackError{msg: "cannot write GitLab's SMTP credentials: no SMTP syncer", advice: "run gitops gitlab smtp-credentials, then apply again"}
	}
	out := &smtpcredentials.LineWriter{Line: func(line string) { r.say(s.ID, "%s", line) }}
	_, err := r.opts.SMTP(ctx, t, out)
	if err != nil && r.opts.Emulator != "" {
		// Emulators implement CloudFormation's secrets and users unevenly
		// (moto makes no AWS::SecretsManager::Secret).
		r.notEmulated(s, res, "writing GitLab's SMTP credentials: "+err.Error())
		return nil
	}
	if err != nil {
		return &stackError{
			msg:    "writing GitLab's SMTP credentials: " + err.Error(),
			advice: "GitLab's service waits for them; fix the cause, then run gitops gitlab smtp-credentials or apply again",
		}
	}
	return nil
}
