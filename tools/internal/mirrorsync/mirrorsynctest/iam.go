// Package mirrorsynctest has stand-ins for what the AWS emulator lacks
// (IAM service-specific credentials, CodeConnections) and a GitLab API
// server that checks every request it gets.
package mirrorsynctest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	cctypes "github.com/aws/aws-sdk-go-v2/service/codeconnections/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"gitops/tools/internal/mirrorsync"
	"gitops/tools/internal/stacks"
)

// Credentials keeps IAM service-specific credentials as IAM does (at most
// two per user and service), for users that exist in the emulator's IAM.
type Credentials struct {
	mu    sync.Mutex
	creds []*Credential
	n     int
	// Calls counts the calls that change something.
	Creates, Deletes int
}

// Credential is one stored credential.
type Credential struct {
	Account, User, ID, Password string
	Active                      bool
	Created                     time.Time
}

// List returns the credentials of user in account.
func (c *Credentials) List(account, user string) []Credential {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Credential
	for _, cr := range c.creds {
		if cr.Account == account && cr.User == user {
			out = append(out, *cr)
		}
	}
	return out
}

// Add stores a credential gitops did not create (made by hand, or left by
// an interrupted run).
func (c *Credentials) Add(account, user string) Credential {
	c.mu.Lock()
	defer c.mu.Unlock()
	return *c.add(account, user)
}

func (c *Credentials) add(account, user string) *Credential {
	c.n++
	cr := &Credential{
		Account: account, User: user, Active: true,
		ID: fmt.Sprintf("ACCA%016d", c.n),
		// Characters a URL's userinfo must escape.
		Password: fmt.Sprintf("Pw%d/x+y=z@%d", c.n, c.n*7919),
		Created:  time.Date(2026, 1, 1, 0, 0, c.n, 0, time.UTC),
	}
	c.creds = append(c.creds, cr)
	return cr
}

// IAM is an IAM client of one account: users from the emulator, Git
// credentials from creds.
func (c *Credentials) IAM(real mirrorsync.IAM, account string) mirrorsync.IAM {
	return &fakeIAM{IAM: real, c: c, account: account}
}

type fakeIAM struct {
	mirrorsync.IAM
	c       *Credentials
	account string
}

func (f *fakeIAM) userExists(ctx context.Context, user string) error {
	_, err := f.IAM.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(user)})
	return err
}

func (f *fakeIAM) ListServiceSpecificCredentials(ctx context.Context, in *iam.ListServiceSpecificCredentialsInput, _ ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error) {
	user := aws.ToString(in.UserName)
	if err := f.userExists(ctx, user); err != nil {
		return nil, err
	}
	if aws.ToString(in.ServiceName) != mirrorsync.CodeCommitService {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "fake knows only " + mirrorsync.CodeCommitService}
	}
	out := &iam.ListServiceSpecificCredentialsOutput{}
	for _, cr := range f.c.List(f.account, user) {
		status := iamtypes.StatusTypeActive
		if !cr.Active {
			status = iamtypes.StatusTypeInactive
		}
		out.ServiceSpecificCredentials = append(out.ServiceSpecificCredentials, iamtypes.ServiceSpecificCredentialMetadata{
			UserName: aws.String(user), ServiceName: in.ServiceName, ServiceSpecificCredentialId: aws.String(cr.ID),
			ServiceUserName: aws.String(user + "-at-" + f.account), Status: status, CreateDate: aws.Time(cr.Created),
		})
	}
	return out, nil
}

func (f *fakeIAM) CreateServiceSpecificCredential(ctx context.Context, in *iam.CreateServiceSpecificCredentialInput, _ ...func(*iam.Options)) (*iam.CreateServiceSpecificCredentialOutput, error) {
	user := aws.ToString(in.UserName)
	if err := f.userExists(ctx, user); err != nil {
		return nil, err
	}
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	n := 0
	for _, cr := range f.c.creds {
		if cr.Account == f.account && cr.User == user {
			n++
		}
	}
	if n >= mirrorsync.MaxCredentials {
		return nil, &smithy.GenericAPIError{Code: "LimitExceeded", Message: "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2"}
	}
	f.c.Creates++
	cr := f.c.add(f.account, user)
	return &iam.CreateServiceSpecificCredentialOutput{ServiceSpecificCredential: &iamtypes.ServiceSpecificCredential{
		UserName: aws.String(user), ServiceName: in.ServiceName, ServiceSpecificCredentialId: aws.String(cr.ID),
		ServiceUserName: aws.String(user + "-at-" + f.account), ServicePassword: aws.String(cr.Password),
		Status: iamtypes.StatusTypeActive, CreateDate: aws.Time(cr.Created),
	}}, nil
}

func (f *fakeIAM) DeleteServiceSpecificCredential(ctx context.Context, in *iam.DeleteServiceSpecificCredentialInput, _ ...func(*iam.Options)) (*iam.DeleteServiceSpecificCredentialOutput, error) {
	f.c.mu.Lock()
	defer f.c.mu.Unlock()
	i := slices.IndexFunc(f.c.creds, func(cr *Credential) bool {
		return cr.Account == f.account && cr.User == aws.ToString(in.UserName) && cr.ID == aws.ToString(in.ServiceSpecificCredentialId)
	})
	if i < 0 {
		return nil, &smithy.GenericAPIError{Code: "NoSuchEntity", Message: "The credential " + aws.ToString(in.ServiceSpecificCredentialId) + " cannot be found."}
	}
	f.c.Deletes++
	f.c.creds = slices.Delete(f.c.creds, i, i+1)
	return &iam.DeleteServiceSpecificCredentialOutput{}, nil
}

// Connections answers ListConnections from a map of connection name to
// status, or fails with Err.
type Connections struct {
	Status map[string]cctypes.ConnectionStatus
	Err    error
}

// ListConnections lists the connections, one per page.
func (c Connections) ListConnections(_ context.Context, in *codeconnections.ListConnectionsInput, _ ...func(*codeconnections.Options)) (*codeconnections.ListConnectionsOutput, error) {
	if c.Err != nil {
		return nil, c.Err
	}
	var names []string
	for n := range c.Status {
		names = append(names, n)
	}
	slices.Sort(names)
	i := 0
	if tok := aws.ToString(in.NextToken); tok != "" {
		i = slices.Index(names, tok)
	}
	out := &codeconnections.ListConnectionsOutput{}
	if i >= 0 && i < len(names) {
		out.Connections = []cctypes.Connection{{
			ConnectionName: aws.String(names[i]), ConnectionStatus: c.Status[names[i]],
			ProviderType: cctypes.ProviderTypeGitlabSelfManaged,
		}}
		if i+1 < len(names) {
			out.NextToken = aws.String(names[i+1])
		}
	}
	return out, nil
}

// Clients are the emulator's clients with the stand-ins above.
type Clients struct {
	Real        mirrorsync.AWSClients
	Credentials *Credentials
	// Conns answers for CodeConnections; nil leaves it to the emulator,
	// which does not answer.
	Conns mirrorsync.Connections
}

// IAM returns the emulator's IAM with the fake credentials.
func (c Clients) IAM(ctx context.Context, acct stacks.Account, region string) (mirrorsync.IAM, error) {
	real, err := c.Real.IAM(ctx, acct, region)
	if err != nil {
		return nil, err
	}
	return c.Credentials.IAM(real, acct.ID), nil
}

// Secrets returns the emulator's Secrets Manager.
func (c Clients) Secrets(ctx context.Context, acct stacks.Account, region string) (mirrorsync.Secrets, error) {
	return c.Real.Secrets(ctx, acct, region)
}

// Connections returns the fake connections, or the real client (which the
// emulator does not answer) when none are set.
func (c Clients) Connections(ctx context.Context, acct stacks.Account, region string) (mirrorsync.Connections, error) {
	if c.Conns == nil {
		return c.Real.Connections(ctx, acct, region)
	}
	return c.Conns, nil
}

// Masked is how GitLab shows a push mirror's URL: credentials replaced.
func Masked(rawURL string) string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 && at < strings.Index(rest+"/", "/") {
		rest = "*****:*****" + rest[at:]
	}
	return scheme + "://" + rest
}
