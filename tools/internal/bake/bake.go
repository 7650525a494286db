// Package bake builds an image recipe's AMI with EC2 ImageBuilder and
// publishes it: it starts the recipe's image pipeline, waits for the build,
// and writes the new AMI id to the recipe's SSM parameter in every account
// and region of the distribution, where launch templates read it. Baking a
// recipe re-bakes the recipes built on it (the golden-image cascade).
//
// It runs in CodeBuild (CodePipeline cannot call ImageBuilder), after the
// compile stage has deployed the pipeline; it never touches CloudFormation.
package bake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"gitops/tools/internal/awsaccess"
	"gitops/tools/internal/diag"
	"gitops/tools/internal/stacks"
)

// Defaults of a Baker's timing.
const (
	DefaultTimeout   = 2 * time.Hour
	DefaultPollFirst = 15 * time.Second
	DefaultPollMax   = 2 * time.Minute
)

// Baker bakes the recipes of one manifest.
type Baker struct {
	// Operations is the manifest's: the recipes, their pipelines and
	// parameters, and the accounts.
	Operations *stacks.Operations
	Clients    Clients
	// Out receives the progress lines.
	Out io.Writer
	// Clock paces the polling; nil is the wall clock.
	Clock Clock
	// Timeout bounds the wait for one image build.
	Timeout time.Duration
	// PollFirst is the first interval between two GetImage calls; it
	// doubles up to PollMax.
	PollFirst, PollMax time.Duration
	// NoCascade bakes only the named recipe, not the recipes built on it.
	NoCascade bool
}

// Result is one recipe's bake.
type Result struct {
	Recipe string
	// Image is the ARN of the image build version, e.g.
	// arn:aws:imagebuilder:eu-west-1:100000000001:image/webapp/1.0.0/3.
	Image string
	// Label is the SSM parameter label of this build, e.g. v1.0.0-3.
	Label string
	// Published lists the AMI id written per distribution target.
	Published []Published
}

// Published is an AMI id written to the recipe's SSM parameter in one
// account and region.
type Published struct {
	Account, Region, AMI string
	// Version is the SSM parameter version holding the AMI id.
	Version int64
}

// PipelineARN is the ARN of the image pipeline that builds recipe r.
func PipelineARN(r stacks.ImageRecipe, accountID string) string {
	return fmt.Sprintf("arn:%s:imagebuilder:%s:%s:image-pipeline/%s",
		awsaccess.Partition(r.Region), r.Region, accountID, r.Pipeline)
}

// Bake bakes the recipe named name and then, unless NoCascade, every recipe
// built on it, parents before children. It stops at the first failure: a
// child built on a parent whose AMI was not published would build on the
// previous one.
func (b *Baker) Bake(ctx context.Context, name string) ([]Result, error) {
	if _, ok := b.Operations.ImageRecipe(name); !ok {
		msg := fmt.Sprintf("no image recipe named %q in the manifest", name)
		if hint := diag.DidYouMean(name, recipeNames(b.Operations)); hint != "" {
			msg += "; " + hint
		}
		return nil, errors.New(msg)
	}
	order := []string{name}
	if !b.NoCascade {
		order = b.cascade(name)
	}
	if len(order) > 1 {
		fmt.Fprintf(b.Out, "%s: bake order %v (--no-cascade bakes %s alone)\n", name, order, name)
	}
	var results []Result
	for _, n := range order {
		r, _ := b.Operations.ImageRecipe(n)
		res, err := b.bakeOne(ctx, r)
		if err != nil {
			if rest := order[len(results)+1:]; len(rest) > 0 {
				err = fmt.Errorf("%w\nnot baked: %v", err, rest)
			}
			return results, err
		}
		results = append(results, res)
	}
	return results, nil
}

// cascade lists name and the recipes built on it, directly or not, breadth
// first, each recipe once and after its parent; siblings in estate order.
func (b *Baker) cascade(name string) []string {
	order := []string{name}
	for i := 0; i < len(order); i++ {
		for _, r := range b.Operations.ImageRecipes {
			if r.Parent == order[i] && !slices.Contains(order, r.Name) {
				order = append(order, r.Name)
			}
		}
	}
	return order
}

func (b *Baker) bakeOne(ctx context.Context, r stacks.ImageRecipe) (Result, error) {
	res := Result{Recipe: r.Name}
	acct, ok := b.Operations.Account(r.Account)
	if !ok {
		return res, fmt.Errorf("%s: account %q is not declared", r.Name, r.Account)
	}
	ib, err := b.Clients.ImageBuilder(ctx, acct, r.Region)
	if err != nil {
		return res, fmt.Errorf("%s: %w", r.Name, err)
	}
	img, err := b.build(ctx, ib, r, acct)
	if err != nil {
		return res, err
	}
	res.Image = img.arn
	res.Label = VersionLabel(img.arn)
	res.Published, err = b.publish(ctx, r, img, res.Label)
	return res, err
}

func recipeNames(o *stacks.Operations) []string {
	names := make([]string, 0, len(o.ImageRecipes))
	for _, r := range o.ImageRecipes {
		names = append(names, r.Name)
	}
	return names
}
