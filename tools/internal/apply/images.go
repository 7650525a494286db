package apply

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// ImageCopier copies a container image into a private registry of a target
// account: the GitLab image goes from Docker Hub into the account's ECR
// repository between the stack that creates the repository and the
// service that pulls from it, which has no route to Docker Hub.
type ImageCopier interface {
	// CopyImage copies from (e.g. docker.io/gitlab/gitlab-ce:17.5.1-ce.0)
	// to to (repository URI:tag). copied is false when to already holds
	// the tag: ECR tags are immutable here, so it is never overwritten.
	CopyImage(ctx context.Context, t Target, from, to string) (copied bool, err error)
}

// RegistryCopier copies through the registry API, every platform of a
// multi-platform image, layers the destination lacks only.
type RegistryCopier struct {
	// Auth gives the credentials for the destination registry in t's
	// account (an ECR authorization token: AWSClients.RegistryAuth).
	Auth func(ctx context.Context, t Target) (authn.Authenticator, error)
	// Source finds credentials for the source registry: Docker's own
	// configuration (docker login) when nil, else anonymous.
	Source authn.Keychain
}

// CopyImage implements ImageCopier.
func (c *RegistryCopier) CopyImage(ctx context.Context, t Target, from, to string) (bool, error) {
	src, err := name.ParseReference(from)
	if err != nil {
		return false, fmt.Errorf("source image %q: %v", from, err)
	}
	dst, err := name.ParseReference(to)
	if err != nil {
		return false, fmt.Errorf("destination %q: %v", to, err)
	}
	auth, err := c.Auth(ctx, t)
	if err != nil {
		return false, err
	}
	dstOpts := []remote.Option{remote.WithContext(ctx), remote.WithAuth(auth)}
	_, err = remote.Head(dst, dstOpts...)
	var terr *transport.Error
	switch {
	case err == nil:
		return false, nil
	case !errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound:
		return false, fmt.Errorf("looking for %s: %w", to, err)
	}
	keychain := c.Source
	if keychain == nil {
		keychain = authn.DefaultKeychain
	}
	desc, err := remote.Get(src, remote.WithContext(ctx), remote.WithAuthFromKeychain(keychain))
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", from, err)
	}
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err == nil {
			err = remote.WriteIndex(dst, idx, dstOpts...)
		}
		if err != nil {
			return false, fmt.Errorf("copying %s to %s: %w", from, to, err)
		}
		return true, nil
	}
	img, err := desc.Image()
	if err == nil {
		err = remote.Write(dst, img, dstOpts...)
	}
	if err != nil {
		return false, fmt.Errorf("copying %s to %s: %w", from, to, err)
	}
	return true, nil
}

// copyImage copies the image a stack asks for into the repository it
// created, once the stack is deployed and before the stacks depending on
// it start.
func (r *run) copyImage(ctx context.Context, s *Stack, res *StackResult) error {
	c := s.CopyImage
	r.mu.Lock()
	outs := r.outputs[s.ID]
	r.mu.Unlock()
	repo := outs[c.RepositoryOutput]
	if r.opts.Emulator != "" {
		r.notEmulated(s, res, "copying image "+c.From+" into ECR (an emulator has no registry to push to)")
		return nil
	}
	if repo == "" {
		return r.missingOutput(s.ID, c.RepositoryOutput, outs)
	}
	to := repo + ":" + c.Tag
	if r.opts.Images == nil {
		return fmt.Errorf("cannot copy %s to %s: no image copier", c.From, to)
	}
	r.say(s.ID, "copying image %s to %s", c.From, to)
	copied, err := r.opts.Images.CopyImage(ctx, s.Target(), c.From, to)
	if err != nil {
		return &stackError{
			msg:    fmt.Sprintf("copying image %s: %v", c.From, err),
			advice: "the stacks that run the image wait for it; check the registry is reachable from here (docker login for Docker Hub's pull limits) and apply again",
		}
	}
	res.Image = c.From + " → " + to
	if copied {
		r.say(s.ID, "copied image to %s", to)
	} else {
		r.say(s.ID, "image %s is already there", to)
	}
	return nil
}
