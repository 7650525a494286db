package apply

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"gitops/tools/internal/stacks"
)

// fakeCopier records the copies asked for, with the CloudFormation calls
// made before each, and fails when told to.
type fakeCopier struct {
	mu     sync.Mutex
	copies []string
	before int
	cf     *fakeCF
	fail   error
}

func (c *fakeCopier) CopyImage(ctx context.Context, t Target, from, to string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.copies = append(c.copies, t.AccountID+" "+from+" "+to)
	c.before = len(c.cf.calls)
	return c.fail == nil, c.fail
}

func TestImageIsCopiedBetweenRepositoryAndService(t *testing.T) {
	image := stackSpec{id: "tooling/eu-west-1/gitlab-image", resources: map[string]TemplateResource{"Repository": res("AWS::ECR::Repository", nil)}, outputs: []string{"RepoUri"}}
	service := stackSpec{id: "tooling/eu-west-1/gitlab", deps: []string{image.id}, resources: map[string]TemplateResource{"Service": res("AWS::ECS::Service", nil)},
		params: []stacks.Parameter{{Name: "RepoUri", Type: "String", Source: stacks.Source{Stack: image.id, Output: "RepoUri"}}}}
	for _, fail := range []error{nil, errors.New("docker.io: 429 Too Many Requests")} {
		w := newWorld()
		d := writeDeployment(t, image, service)
		d.Stacks[0].CopyImage = &stacks.ImageCopy{From: "docker.io/gitlab/gitlab-ce:17.5.1-ce.0", RepositoryOutput: "RepoUri", Tag: "17.5.1-ce.0"}
		cf := w.cf(image)
		copier := &fakeCopier{cf: cf, fail: fail}
		opts := w.options()
		opts.Images = copier
		r := Apply(context.Background(), d, d.Stacks, opts)
		want := "111111111111 docker.io/gitlab/gitlab-ce:17.5.1-ce.0 arn:aws:fake:eu-west-1:111111111111:RepoUriResource:17.5.1-ce.0"
		if len(copier.copies) != 1 || copier.copies[0] != want {
			t.Fatalf("copies %q, want %q", copier.copies, want)
		}
		calls := cf.calls[:copier.before]
		if !slices.Contains(calls, "ExecuteChangeSet "+r.Stacks[0].ChangeSetID) || slices.Contains(calls, "CreateChangeSet gitops-gitlab") {
			t.Errorf("the copy came after %q; want after the repository's stack and before the service's", calls)
		}
		if fail == nil {
			if got := outcomes(r); got != "tooling/eu-west-1/gitlab-image applied\ntooling/eu-west-1/gitlab applied" {
				t.Errorf("outcomes:\n%s\n%s", got, w.progress)
			}
			continue
		}
		if got := outcomes(r); got != "tooling/eu-west-1/gitlab-image failed\ntooling/eu-west-1/gitlab skipped" {
			t.Errorf("outcomes when the copy fails:\n%s", got)
		}
		if !strings.Contains(r.Stacks[0].Error, "429 Too Many Requests") {
			t.Errorf("error %q", r.Stacks[0].Error)
		}
	}

	// Unchanged, the stack still gets its image, which may have failed
	// to copy before.
	w := newWorld()
	w.deploy(t, image, types.StackStatusUpdateComplete, nil).outputs = map[string]string{"RepoUri": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/gitlab"}
	d := writeDeployment(t, image)
	d.Stacks[0].CopyImage = &stacks.ImageCopy{From: "docker.io/gitlab/gitlab-ce:17.5.1-ce.0", RepositoryOutput: "RepoUri", Tag: "17.5.1-ce.0"}
	copier := &fakeCopier{cf: w.cf(image)}
	opts := w.options()
	opts.Images = copier
	if r := Apply(context.Background(), d, d.Stacks, opts); r.Stacks[0].Outcome != OutcomeUnchanged || len(copier.copies) != 1 {
		t.Errorf("unchanged stack: %s, copies %q", r.Stacks[0].Outcome, copier.copies)
	}
}

func TestRegistryCopierCopiesEveryPlatformOnce(t *testing.T) {
	src := httptest.NewServer(registry.New())
	defer src.Close()
	dst := httptest.NewServer(registry.New())
	defer dst.Close()
	host := func(url string) string { return strings.TrimPrefix(url, "http://") }

	index, err := random.Index(256, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	from := host(src.URL) + "/gitlab/gitlab-ce:17.5.1-ce.0"
	ref, _ := name.ParseReference(from)
	if err := remote.WriteIndex(ref, index); err != nil {
		t.Fatal(err)
	}
	var asked []string
	copier := &RegistryCopier{
		Auth: func(ctx context.Context, t Target) (authn.Authenticator, error) {
			asked = append(asked, t.AccountID)
			return authn.Anonymous, nil
		},
		Source: authn.NewMultiKeychain(),
	}
	tooling := Target{Account: "tooling", AccountID: "111111111111", Region: "eu-west-1"}
	to := host(dst.URL) + "/gitops/gitlab:17.5.1-ce.0"
	for i, wantCopied := range []bool{true, false} {
		copied, err := copier.CopyImage(context.Background(), tooling, from, to)
		if err != nil || copied != wantCopied {
			t.Fatalf("copy %d: copied %v, %v; want %v", i+1, copied, err, wantCopied)
		}
	}
	dstRef, _ := name.ParseReference(to)
	got, err := remote.Index(dstRef)
	if err != nil {
		t.Fatal(err)
	}
	gotDigest, _ := got.Digest()
	wantDigest, _ := index.Digest()
	if gotDigest != wantDigest {
		t.Errorf("destination index %s, want the source's %s", gotDigest, wantDigest)
	}
	if !slices.Equal(asked, []string{"111111111111", "111111111111"}) {
		t.Errorf("destination credentials asked for %q", asked)
	}
	if _, err := copier.CopyImage(context.Background(), tooling, host(src.URL)+"/missing/image:1", host(dst.URL)+"/gitops/other:1"); err == nil || !strings.Contains(err.Error(), "reading") {
		t.Errorf("missing source: %v", err)
	}
}
