package bake

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"gitops/tools/internal/stacks"
)

// publish writes the AMI of each distribution target to the recipe's SSM
// parameter there and labels the new parameter version. It tries every
// target, so one denied account does not hold back the others, and reports
// all failures together.
func (b *Baker) publish(ctx context.Context, r stacks.ImageRecipe, img builtImage, label string) ([]Published, error) {
	var amis []types.Ami
	if img.image.OutputResources != nil {
		amis = img.image.OutputResources.Amis
	}
	buildAcct, _ := b.Operations.Account(r.Account)
	var published []Published
	var errs []error
	for _, t := range r.Distribution {
		p, err := b.publishTo(ctx, r, t, amis, buildAcct, label)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s/%s: %w", r.Name, t.Account, t.Region, err))
			continue
		}
		fmt.Fprintf(b.Out, "%s: %s = %s in %s/%s (version %d, label %s)\n", r.Name, r.Parameter, p.AMI, t.Account, t.Region, p.Version, label)
		published = append(published, p)
	}
	return published, errors.Join(errs...)
}

func (b *Baker) publishTo(ctx context.Context, r stacks.ImageRecipe, t stacks.RecipeTarget, amis []types.Ami, buildAcct stacks.Account, label string) (Published, error) {
	p := Published{Account: t.Account, Region: t.Region}
	acct, ok := b.Operations.Account(t.Account)
	if !ok {
		return p, fmt.Errorf("account %q is not declared", t.Account)
	}
	ami, err := amiFor(amis, acct.ID, t.Region, buildAcct.ID)
	if err != nil {
		return p, err
	}
	p.AMI = ami
	params, err := b.Clients.Parameters(ctx, acct, t.Region)
	if err != nil {
		return p, err
	}
	put, err := params.PutParameter(ctx, &ssm.PutParameterInput{
		Name:        aws.String(r.Parameter),
		Value:       aws.String(ami),
		Type:        ssmtypes.ParameterTypeString,
		DataType:    aws.String(stacks.AMIDataType),
		Overwrite:   aws.Bool(true),
		Description: aws.String("AMI of image recipe " + r.Name + ", written by gitops bake"),
	})
	if err != nil {
		return p, fmt.Errorf("writing %s to %s: %w%s", ami, r.Parameter, err, deniedHint(err, acct, r.Parameter))
	}
	p.Version = put.Version
	labelled, err := params.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{
		Name:             aws.String(r.Parameter),
		ParameterVersion: aws.Int64(put.Version),
		Labels:           []string{label},
	})
	if err != nil {
		return p, fmt.Errorf("labelling version %d of %s: %w%s", put.Version, r.Parameter, err, deniedHint(err, acct, r.Parameter))
	}
	if len(labelled.InvalidLabels) > 0 {
		return p, fmt.Errorf("SSM refused label(s) %s on %s", strings.Join(labelled.InvalidLabels, ", "), r.Parameter)
	}
	return p, nil
}

// amiFor picks the AMI a target account and region launches: the copy
// distributed into that account, else the build account's own AMI in that
// region, which reaches the target through a launch permission. An AMI
// without an owner is the build account's.
func amiFor(amis []types.Ami, accountID, region, buildAccountID string) (string, error) {
	var shared string
	for _, a := range amis {
		if aws.ToString(a.Region) != region {
			continue
		}
		owner := aws.ToString(a.AccountId)
		switch owner {
		case accountID:
			return aws.ToString(a.Image), nil
		case buildAccountID, "":
			if shared == "" {
				shared = aws.ToString(a.Image)
			}
		}
	}
	if shared != "" {
		return shared, nil
	}
	var have []string
	for _, a := range amis {
		have = append(have, fmt.Sprintf("%s in %s/%s", aws.ToString(a.Image), orElse(aws.ToString(a.AccountId), "?"), aws.ToString(a.Region)))
	}
	return "", fmt.Errorf("the build distributed no AMI to account %s in %s (it distributed: %s); "+
		"the image pipeline's distribution configuration differs from the recipe's: compile and deploy it, then bake again",
		accountID, region, orElse(strings.Join(have, ", "), "nothing"))
}

// deniedHint says which permissions are needed when AWS denied a call: an
// AccessDenied error, or any 403 answer whose body did not say more.
func deniedHint(err error, acct stacks.Account, param string) string {
	var api smithy.APIError
	var resp *smithyhttp.ResponseError
	denied := errors.As(err, &api) && strings.Contains(api.ErrorCode(), "AccessDenied") ||
		errors.As(err, &resp) && resp.HTTPStatusCode() == http.StatusForbidden
	if !denied {
		return ""
	}
	return fmt.Sprintf("\n  hint: the credentials used in account %s (role %s unless it is the caller's account) need ssm:PutParameter and ssm:LabelParameterVersion on %s",
		acct.Name, stacks.PublishRoleName, param)
}

var buildVersion = regexp.MustCompile(`/([0-9]+\.[0-9]+\.[0-9]+)/([0-9]+)$`)

// VersionLabel is the SSM parameter label of an image build version:
// image/webapp/1.0.0/3 is v1.0.0-3. SSM labels may not start with a digit,
// and each label marks one version, so every build gets its own.
func VersionLabel(imageARN string) string {
	m := buildVersion.FindStringSubmatch(imageARN)
	if m == nil {
		return "gitops-bake"
	}
	return "v" + m[1] + "-" + m[2]
}
