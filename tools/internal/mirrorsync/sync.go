// Package mirrorsync does for the estate's mirrors what CloudFormation
// cannot: for a CodeCommit mirror it gives the mirror's IAM user an HTTPS
// Git credential, keeps it in Secrets Manager, and configures the GitLab
// project's push mirror with it through GitLab's REST API — the step users
// otherwise do by hand in GitLab's settings. For a CodeConnections mirror it
// reports whether the connection still waits for its one-time approval in
// the console. Every step first reads, then changes only what differs, so a
// second sync changes nothing; with DryRun it only says what it would change.
package mirrorsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/diag"
	"gitops/tools/internal/stacks"
)

// RepositoryURL is the HTTPS clone URL of m's CodeCommit repository.
func RepositoryURL(m *stacks.Mirror) string {
	return fmt.Sprintf("https://git-codecommit.%s.%s/v1/repos/%s", m.Region, awsaccess.DNSSuffix(m.Region), m.CodeCommit.Repository)
}

// Syncer syncs the mirrors of one manifest.
type Syncer struct {
	// Operations is the manifest's: the mirrors, their IAM users and
	// secrets, their GitLab services, and the accounts.
	Operations *stacks.Operations
	Clients    Clients
	// GitLabURL, when set, is the address of every GitLab service;
	// otherwise https://<alb.domain> of the mirror's GitLab.
	GitLabURL string
	// Token is GitLab's API token (from the environment), unless
	// TokenSecret names the Secrets Manager secret holding it, read in
	// each GitLab service's account and region.
	Token, TokenSecret string
	// HTTP is the client for GitLab; nil is a default one.
	HTTP *http.Client
	// Redactor learns every secret the sync handles; Out and Err should
	// write through it.
	Redactor *Redactor
	// Out receives what was (or would be) done; Err the failures.
	Out, Err io.Writer
	// DryRun reads everything and changes nothing.
	DryRun bool
	// Rotate replaces each CodeCommit mirror's credential even when the
	// stored one is valid.
	Rotate bool

	tokens map[string]string
}

// Summary counts the mirrors by outcome.
type Summary struct {
	// Changed, UpToDate and Failed count CodeCommit mirrors.
	Changed, UpToDate, Failed int
	// Reported counts CodeConnections mirrors, which have nothing to sync.
	Reported int
}

// Select returns the manifest's mirrors named in names (all when names is
// empty), in estate order, or an error naming the unknown ones.
func Select(o *stacks.Operations, names []string) ([]*stacks.Mirror, error) {
	var all []string
	for _, m := range o.Mirrors {
		all = append(all, m.Name)
	}
	var errs []error
	want := map[string]bool{}
	for _, n := range names {
		if !slices.Contains(all, n) {
			msg := fmt.Sprintf("no mirror named %q in the manifest", n)
			if hint := diag.DidYouMean(n, all); hint != "" {
				msg += "; " + hint
			}
			errs = append(errs, errors.New(msg))
		}
		want[n] = true
	}
	var picked []*stacks.Mirror
	for i, m := range o.Mirrors {
		if len(names) == 0 || want[m.Name] {
			picked = append(picked, &o.Mirrors[i])
		}
	}
	return picked, errors.Join(errs...)
}

// Sync syncs mirrors; a mirror's failure is reported on Err and does not
// stop the others.
func (s *Syncer) Sync(ctx context.Context, mirrors []*stacks.Mirror) Summary {
	s.tokens = map[string]string{}
	var sum Summary
	for _, m := range mirrors {
		acct, ok := s.Operations.Account(m.Account)
		var changed bool
		var err error
		switch {
		case !ok:
			err = fmt.Errorf("account %q is not declared", m.Account)
		case m.CodeCommit != nil:
			changed, err = s.syncCodeCommit(ctx, m, acct)
		case m.CodeConnections != nil:
			s.reportConnection(ctx, m, acct)
			sum.Reported++
			continue
		default:
			err = errors.New("neither codeCommit nor codeConnections is set")
		}
		switch {
		case err != nil:
			sum.Failed++
			fmt.Fprintf(s.Err, "mirror %s: %s\n", m.Name, s.Redactor.Redact(err.Error()))
		case changed:
			sum.Changed++
		default:
			sum.UpToDate++
			s.say(m, "up to date")
		}
	}
	return sum
}

// gitlab returns the API client of m's GitLab service.
func (s *Syncer) gitlab(ctx context.Context, m *stacks.Mirror) (*GitLab, error) {
	g := m.GitLab
	base := s.GitLabURL
	if base == "" {
		if g.URL == "" {
			return nil, fmt.Errorf("GitLab service %s has no alb.domain to reach it by; pass --gitlab-url", g.Name)
		}
		base = g.URL
	}
	token, ok := s.tokens[g.Name]
	if !ok {
		var err error
		if token, err = s.token(ctx, g); err != nil {
			return nil, err
		}
		s.Redactor.Add(token)
		s.tokens[g.Name] = token
	}
	return &GitLab{BaseURL: base, Token: token, HTTP: s.HTTP}, nil
}

// token returns the API token of GitLab service g.
func (s *Syncer) token(ctx context.Context, g stacks.MirrorGitLab) (string, error) {
	if s.TokenSecret == "" {
		if s.Token == "" {
			return "", errors.New("no GitLab token: set GITLAB_TOKEN or pass --gitlab-token-secret")
		}
		return s.Token, nil
	}
	acct, ok := s.Operations.Account(g.Account)
	if !ok {
		return "", fmt.Errorf("account %q of GitLab service %s is not declared", g.Account, g.Name)
	}
	secrets, err := s.Clients.Secrets(ctx, acct, g.Region)
	if err != nil {
		return "", err
	}
	out, err := secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(s.TokenSecret)})
	if err != nil {
		return "", fmt.Errorf("reading the GitLab token from secret %s in %s/%s: %w", s.TokenSecret, acct.Name, g.Region, err)
	}
	token := strings.TrimSpace(aws.ToString(out.SecretString))
	// A JSON secret keeps the token under "token".
	var doc struct {
		Token string `json:"token"`
	}
	if strings.HasPrefix(token, "{") && json.Unmarshal([]byte(token), &doc) == nil {
		token = doc.Token
	}
	if token == "" {
		return "", fmt.Errorf("secret %s holds no GitLab token (a string, or JSON with a \"token\" key)", s.TokenSecret)
	}
	return token, nil
}

// say prints a line about m.
func (s *Syncer) say(m *stacks.Mirror, format string, args ...any) {
	fmt.Fprintf(s.Out, "mirror %s: %s\n", m.Name, fmt.Sprintf(format, args...))
}

// change prints a change made, or in a dry run the change it would make:
// s.change(m, "created", "create", "secret %s", name).
func (s *Syncer) change(m *stacks.Mirror, done, would, format string, args ...any) {
	verb := done
	if s.DryRun {
		verb = "would " + would
	}
	s.say(m, "%s %s", verb, fmt.Sprintf(format, args...))
}

// apiErrorCode is the error code of an AWS API error, or "".
func apiErrorCode(err error) string {
	var api interface{ ErrorCode() string }
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

func hasCode(err error, code string) bool {
	return strings.EqualFold(apiErrorCode(err), code)
}
