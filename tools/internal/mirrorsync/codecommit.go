package mirrorsync

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"gitops/tools/internal/stacks"
)

// CodeCommitService is the service a CodeCommit HTTPS Git credential is for.
const CodeCommitService = "codecommit.amazonaws.com"

// MaxCredentials is how many credentials IAM lets a user have per service.
const MaxCredentials = 2

// Stored is the secret of a mirror: the Git credential GitLab pushes with.
type Stored struct {
	Username     string `json:"username"`
	Password     string `json:"password"`
	CredentialID string `json:"credentialId"`
	// GitLabCredentialID is the credential GitLab's push mirror was last
	// given. GitLab never shows a mirror's password again, so this is how a
	// sync knows whether GitLab still pushes with an older one.
	GitLabCredentialID string `json:"gitlabCredentialId,omitempty"`
}

// credential is a service-specific credential of the mirror user.
type credential struct {
	id      string
	active  bool
	created time.Time
}

// syncCodeCommit brings one CodeCommit mirror to: exactly one active
// credential, stored in the mirror's secret, and GitLab's push mirror to the
// repository using it with the wanted settings.
func (s *Syncer) syncCodeCommit(ctx context.Context, m *stacks.Mirror, acct stacks.Account) (bool, error) {
	user := m.CodeCommit.User
	iamc, err := s.Clients.IAM(ctx, acct, m.Region)
	if err != nil {
		return false, err
	}
	if _, err := iamc.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)}); err != nil {
		if hasCode(err, "NoSuchEntity") {
			return false, fmt.Errorf("IAM user %s does not exist in account %s (%s): deploy the mirror's stack first, then sync again; skipped", user, acct.Name, acct.ID)
		}
		return false, fmt.Errorf("reading IAM user %s: %w", user, err)
	}
	creds, err := listCredentials(ctx, iamc, user)
	if err != nil {
		return false, err
	}
	secrets, err := s.Clients.Secrets(ctx, acct, m.Region)
	if err != nil {
		return false, err
	}
	secretName := m.CodeCommit.Secret
	stored, exists, err := s.readStored(ctx, secrets, secretName)
	if err != nil {
		return false, err
	}

	changed := false
	current := slices.IndexFunc(creds, func(c credential) bool { return c.active && c.id == stored.CredentialID && stored.Password != "" })
	// Every other credential goes once GitLab holds the current one: its
	// password is not stored anywhere gitops can give GitLab.
	var obsolete []credential
	for i, c := range creds {
		if i != current {
			obsolete = append(obsolete, c)
		}
	}
	if current < 0 || s.Rotate {
		why := "rotation asked for"
		switch {
		case !exists:
			why = "none stored yet"
		case current < 0:
			why = fmt.Sprintf("the stored credential %s no longer exists or is inactive", orNone(stored.CredentialID))
		}
		if current >= 0 {
			obsolete = append(obsolete, creds[current])
		}
		// IAM allows two per user: make room by deleting the oldest ones
		// GitLab cannot be pushing with (not the current one, in a rotation).
		for n := len(creds); n >= MaxCredentials; n-- {
			room := slices.IndexFunc(obsolete, func(c credential) bool { return current < 0 || c.id != creds[current].id })
			if room < 0 {
				break
			}
			if err := s.deleteCredential(ctx, iamc, m, user, obsolete[room].id, fmt.Sprintf("to make room: IAM allows %d", MaxCredentials)); err != nil {
				return changed, err
			}
			obsolete = slices.Delete(obsolete, room, room+1)
			changed = true
		}
		next, err := s.createCredential(ctx, iamc, m, user, acct, why)
		if err != nil {
			return true, err
		}
		next.GitLabCredentialID = stored.GitLabCredentialID
		// Store before configuring GitLab: IAM shows a password only once.
		if exists {
			s.change(m, "updated", "update", "secret %s with credential %s", secretName, next.CredentialID)
		} else {
			s.change(m, "created", "create", "secret %s with credential %s", secretName, next.CredentialID)
		}
		if err := s.writeStored(ctx, secrets, m, secretName, next, exists); err != nil {
			return true, err
		}
		stored, exists, changed = next, true, true
	}

	gitlabChanged, err := s.syncPushMirror(ctx, m, stored)
	if err != nil {
		return changed || gitlabChanged, err
	}
	changed = changed || gitlabChanged
	if gitlabChanged && stored.GitLabCredentialID != stored.CredentialID {
		stored.GitLabCredentialID = stored.CredentialID
		if !s.DryRun {
			s.say(m, "recorded in secret %s that GitLab pushes with credential %s", secretName, stored.CredentialID)
			if err := s.writeStored(ctx, secrets, m, secretName, stored, exists); err != nil {
				return true, err
			}
		}
	}
	for _, c := range obsolete {
		if err := s.deleteCredential(ctx, iamc, m, user, c.id, "GitLab pushes with "+stored.CredentialID); err != nil {
			return true, err
		}
		changed = true
	}
	return changed, nil
}

// syncPushMirror makes GitLab push m's project to the repository with the
// stored credential and the wanted settings. GitLab cannot change a push
// mirror's URL, so a new credential replaces the mirror.
func (s *Syncer) syncPushMirror(ctx context.Context, m *stacks.Mirror, stored Stored) (bool, error) {
	gl, err := s.gitlab(ctx, m)
	if err != nil {
		return false, err
	}
	if err := checkProtected(ctx, gl, m); err != nil {
		return false, err
	}
	target := RepositoryURL(m)
	mirrors, err := gl.ListPushMirrors(ctx, m.Project)
	if err != nil {
		return false, err
	}
	var ours []PushMirror
	for _, pm := range mirrors {
		if sameRepository(pm.URL, target) {
			ours = append(ours, pm)
		}
	}
	withCredential := target
	if u, err := url.Parse(target); err == nil {
		u.User = url.UserPassword(stored.Username, stored.Password)
		withCredential = u.String()
	}

	changed := false
	// Duplicates push the same refs, likely with a stale password.
	for _, dup := range ours[min(1, len(ours)):] {
		if err := s.deletePushMirror(ctx, gl, m, dup.ID, "duplicate"); err != nil {
			return changed, err
		}
		changed = true
	}
	switch {
	case len(ours) == 0:
		s.change(m, "created", "create", "GitLab push mirror of %s to %s (credential %s)", m.Project, target, stored.CredentialID)
		if !s.DryRun {
			if _, err := gl.CreatePushMirror(ctx, m.Project, withCredential, WantedSettings); err != nil {
				return changed, err
			}
		}
		return true, nil
	case stored.GitLabCredentialID != stored.CredentialID:
		old := ours[0]
		s.change(m, "replaced", "replace", "GitLab push mirror %d of %s to give it credential %s (GitLab cannot change a mirror's URL)", old.ID, m.Project, stored.CredentialID)
		if !s.DryRun {
			if err := gl.DeletePushMirror(ctx, m.Project, old.ID); err != nil {
				return changed, err
			}
			if _, err := gl.CreatePushMirror(ctx, m.Project, withCredential, WantedSettings); err != nil {
				return true, fmt.Errorf("%w; the push mirror was deleted: sync again to create it", err)
			}
		}
		return true, nil
	case ours[0].Settings() != WantedSettings:
		s.change(m, "updated", "update", "GitLab push mirror %d of %s: enabled, only protected branches, divergent refs overwritten", ours[0].ID, m.Project)
		if !s.DryRun {
			if _, err := gl.UpdatePushMirror(ctx, m.Project, ours[0].ID, WantedSettings); err != nil {
				return changed, err
			}
		}
		return true, nil
	}
	if e := ours[0].LastError; e != nil && *e != "" {
		s.say(m, "note: GitLab reports the last push failed: %s", strings.TrimSpace(*e))
	}
	return changed, nil
}

func (s *Syncer) deletePushMirror(ctx context.Context, gl *GitLab, m *stacks.Mirror, id int, why string) error {
	s.change(m, "deleted", "delete", "GitLab push mirror %d of %s (%s)", id, m.Project, why)
	if s.DryRun {
		return nil
	}
	return gl.DeletePushMirror(ctx, m.Project, id)
}

// sameRepository reports whether a push mirror URL (credentials masked)
// points at target.
func sameRepository(mirrorURL, target string) bool {
	a, err1 := url.Parse(mirrorURL)
	b, err2 := url.Parse(target)
	if err1 != nil || err2 != nil {
		return false
	}
	return strings.EqualFold(a.Host, b.Host) && strings.TrimSuffix(a.Path, "/") == b.Path
}

func listCredentials(ctx context.Context, iamc IAM, user string) ([]credential, error) {
	out, err := iamc.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{
		UserName:    aws.String(user),
		ServiceName: aws.String(CodeCommitService),
	})
	if err != nil {
		return nil, fmt.Errorf("listing the Git credentials of %s: %w", user, err)
	}
	var creds []credential
	for _, c := range out.ServiceSpecificCredentials {
		creds = append(creds, credential{
			id:      aws.ToString(c.ServiceSpecificCredentialId),
			active:  c.Status == iamtypes.StatusTypeActive,
			created: aws.ToTime(c.CreateDate),
		})
	}
	slices.SortFunc(creds, func(a, b credential) int { return a.created.Compare(b.created) })
	return creds, nil
}

func (s *Syncer) createCredential(ctx context.Context, iamc IAM, m *stacks.Mirror, user string, acct stacks.Account, why string) (Stored, error) {
	if s.DryRun {
		s.change(m, "created", "create", "a Git credential for IAM user %s (%s)", user, why)
		return Stored{Username: user + "-at-" + acct.ID, CredentialID: "(new)"}, nil
	}
	out, err := iamc.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
		UserName:    aws.String(user),
		ServiceName: aws.String(CodeCommitService),
	})
	if err != nil {
		return Stored{}, fmt.Errorf("creating a Git credential for %s: %w", user, err)
	}
	c := out.ServiceSpecificCredential
	next := Stored{
		Username:     aws.ToString(c.ServiceUserName),
		Password:     aws.ToString(c.ServicePassword),
		CredentialID: aws.ToString(c.ServiceSpecificCredentialId),
	}
	s.Redactor.Add(next.Password)
	s.change(m, "created", "create", "Git credential %s for IAM user %s (%s)", next.CredentialID, user, why)
	return next, nil
}

func (s *Syncer) deleteCredential(ctx context.Context, iamc IAM, m *stacks.Mirror, user, id, why string) error {
	s.change(m, "deleted", "delete", "Git credential %s of IAM user %s (%s)", id, user, why)
	if s.DryRun {
		return nil
	}
	_, err := iamc.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{
		UserName:                    aws.String(user),
		ServiceSpecificCredentialId: aws.String(id),
	})
	if err != nil {
		return fmt.Errorf("deleting Git credential %s of %s: %w", id, user, err)
	}
	return nil
}

// readStored reads a mirror's secret; a missing secret is no error, and
// one gitops cannot read as a Stored is treated as empty (it is replaced).
func (s *Syncer) readStored(ctx context.Context, secrets Secrets, name string) (Stored, bool, error) {
	out, err := secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
	if err != nil {
		if hasCode(err, "ResourceNotFoundException") {
			return Stored{}, false, nil
		}
		return Stored{}, false, fmt.Errorf("reading secret %s: %w", name, err)
	}
	var st Stored
	if json.Unmarshal([]byte(aws.ToString(out.SecretString)), &st) != nil {
		return Stored{}, true, nil
	}
	s.Redactor.Add(st.Password)
	return st, true, nil
}

func (s *Syncer) writeStored(ctx context.Context, secrets Secrets, m *stacks.Mirror, name string, st Stored, exists bool) error {
	if s.DryRun {
		return nil
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if !exists {
		_, err = secrets.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
			Name:         aws.String(name),
			Description:  aws.String(fmt.Sprintf("CodeCommit HTTPS Git credential of IAM user %s, pushed with by GitLab's mirror of %s; written by gitops mirrors sync", m.CodeCommit.User, m.Project)),
			SecretString: aws.String(string(data)),
		})
	} else {
		_, err = secrets.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId:     aws.String(name),
			SecretString: aws.String(string(data)),
		})
	}
	if err != nil {
		return fmt.Errorf("writing secret %s: %w", name, err)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// checkProtected fails when a declared branch is not protected in GitLab:
// the push mirror pushes protected branches only (GitLab CE cannot pick
// branches), so such a branch would never reach CodeCommit and its
// pipeline would never run.
func checkProtected(ctx context.Context, gl *GitLab, m *stacks.Mirror) error {
	protected, err := gl.ProtectedBranches(ctx, m.Project)
	if err != nil {
		return err
	}
	var missing []string
	for _, b := range m.Branches {
		if !slices.ContainsFunc(protected, func(p string) bool { ok, _ := path.Match(p, b); return ok }) {
			missing = append(missing, b)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("branches %s of mirror %s are not protected in GitLab project %s, and the push mirror pushes protected branches only: protect them (Settings → Repository → Protected branches)",
			strings.Join(missing, ", "), m.Name, m.Project)
	}
	return nil
}
