package awsaccess

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// Caller is who the default credentials belong to.
type Caller struct {
	Account, ARN string
	// Source says where the SDK's chain found the credentials.
	Source string
}

// Check finds the default credentials and asks STS whose they are, once, so
// that a command refuses up front with one message instead of failing every
// call with the SDK's. The error names the sources the chain tried.
func (a *Access) Check(ctx context.Context) (Caller, error) {
	if a.base.Credentials == nil {
		return Caller{}, fmt.Errorf("no AWS credentials: the SDK's default chain found none; it tried %s", chainTried(os.Getenv))
	}
	creds, err := a.base.Credentials.Retrieve(ctx)
	if err != nil {
		return Caller{}, fmt.Errorf("no AWS credentials: the SDK's default chain found none; it tried %s", chainTried(os.Getenv))
	}
	source := describeSource(creds.Source)
	cfg := a.base.Copy()
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	out, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Caller{}, fmt.Errorf("the AWS credentials from %s do not work (sts:GetCallerIdentity: %s)", source, ShortError(err))
	}
	a.mu.Lock()
	a.caller = aws.ToString(out.Account)
	a.mu.Unlock()
	return Caller{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), Source: source}, nil
}

// chainTried lists the places the SDK's default chain looks, and what the
// environment says about each.
func chainTried(getenv func(string) string) string {
	set := func(name string) string {
		if getenv(name) == "" {
			return name + " not set"
		}
		return name + " set"
	}
	profile := getenv("AWS_PROFILE")
	if profile == "" {
		profile = "default"
	}
	imds := "the EC2 instance role"
	if strings.EqualFold(getenv("AWS_EC2_METADATA_DISABLED"), "true") {
		imds += " (AWS_EC2_METADATA_DISABLED)"
	}
	return strings.Join([]string{
		"environment variables (" + set("AWS_ACCESS_KEY_ID") + ")",
		fmt.Sprintf("profile %q of %s and %s", profile,
			orDefault(getenv("AWS_CONFIG_FILE"), "~/.aws/config"), orDefault(getenv("AWS_SHARED_CREDENTIALS_FILE"), "~/.aws/credentials")),
		"web identity (" + set("AWS_WEB_IDENTITY_TOKEN_FILE") + ")",
		"the container role (" + set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") + ")",
		imds,
	}, ", ")
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// describeSource names a credentials provider of the SDK the way a person
// configures it.
func describeSource(source string) string {
	for prefix, name := range map[string]string{
		"EnvConfigCredentials":        "environment variables",
		"SharedConfigCredentials":     "the shared credentials file",
		"AssumeRoleProvider":          "an assumed role of the shared config",
		"WebIdentityCredentials":      "web identity",
		"CredentialsEndpointProvider": "the container role",
		"EC2RoleProvider":             "the EC2 instance role",
		"SSOProvider":                 "AWS IAM Identity Center (SSO)",
	} {
		if strings.HasPrefix(source, prefix) {
			return name
		}
	}
	if source == "" {
		return "the SDK's default chain"
	}
	return source
}

// ShortError is an AWS error as its code and message, without the SDK's
// operation, request id and retry details.
func ShortError(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "UnknownError" {
		return ae.ErrorCode() + ": " + ae.ErrorMessage()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() >= 400 {
		return fmt.Sprintf("HTTP %d, no error code in the answer", re.HTTPStatusCode())
	}
	return err.Error()
}
