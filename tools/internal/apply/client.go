package apply

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"
)

// CloudFormation is the part of the CloudFormation API that plan and apply
// call. *cloudformation.Client implements it; tests use a fake for what the
// emulator lacks (replacements, failures, rollbacks, throttling).
type CloudFormation interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	GetTemplate(context.Context, *cloudformation.GetTemplateInput, ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error)
	CreateChangeSet(context.Context, *cloudformation.CreateChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.CreateChangeSetOutput, error)
	DescribeChangeSet(context.Context, *cloudformation.DescribeChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeChangeSetOutput, error)
	DeleteChangeSet(context.Context, *cloudformation.DeleteChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.DeleteChangeSetOutput, error)
	ExecuteChangeSet(context.Context, *cloudformation.ExecuteChangeSetInput, ...func(*cloudformation.Options)) (*cloudformation.ExecuteChangeSetOutput, error)
	DescribeStackEvents(context.Context, *cloudformation.DescribeStackEventsInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackEventsOutput, error)
	DeleteStack(context.Context, *cloudformation.DeleteStackInput, ...func(*cloudformation.Options)) (*cloudformation.DeleteStackOutput, error)
	ListChangeSets(context.Context, *cloudformation.ListChangeSetsInput, ...func(*cloudformation.Options)) (*cloudformation.ListChangeSetsOutput, error)
	ListStackResources(context.Context, *cloudformation.ListStackResourcesInput, ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error)
}

var _ CloudFormation = (*cloudformation.Client)(nil)

// Target is where a stack lives: the account (by its estate name and AWS
// id) and the region.
type Target struct {
	Account   string
	AccountID string
	Region    string
}

// Clients hands out the CloudFormation client for a target, with the
// target account's credentials.
type Clients interface {
	CloudFormation(ctx context.Context, t Target) (CloudFormation, error)
}

// apiCode is the error code of an AWS API error, or "".
func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// apiMessage is the message of an AWS API error, or the error's text.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// isStackMissing tells whether err says the stack does not exist, which
// CloudFormation reports as a ValidationError.
func isStackMissing(err error) bool {
	return apiCode(err) == "ValidationError" && strings.Contains(apiMessage(err), "does not exist")
}

// noChangesMessages are the two ways CloudFormation says a change set would
// change nothing: as the reason of a FAILED change set, or as the error of
// CreateChangeSet itself.
var noChangesMessages = []string{
	"didn't contain changes",
	"No updates are to be performed",
}

func isNoChanges(reason string) bool {
	for _, m := range noChangesMessages {
		if strings.Contains(reason, m) {
			return true
		}
	}
	return false
}

// isThrottled tells whether err is CloudFormation asking the caller to slow
// down; the SDK retries those with backoff, and a poll loop that still sees
// one polls again later instead of failing.
func isThrottled(err error) bool {
	switch apiCode(err) {
	case "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException":
		return true
	}
	return false
}

// callErr is a failed AWS call said in a sentence: the message is the
// context and the API's message, and the call's error stays reachable
// (errors.As) for what inspects it.
type callErr struct {
	msg string
	err error
}

func (e *callErr) Error() string { return e.msg }
func (e *callErr) Unwrap() error { return e.err }

// callError describes a failed call: format and args say what was being
// done, the API's message follows.
func callError(err error, format string, args ...any) error {
	return &callErr{msg: fmt.Sprintf(format, args...) + ": " + apiMessage(err), err: err}
}
