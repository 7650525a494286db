package mirrorsync

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections/types"

	"gitops/tools/internal/stacks"
)

// reportConnection says what a CodeConnections mirror needs: nothing to
// sync, but a new connection stays PENDING until a person approves it once
// in the console, which no API can do. It never fails the sync: when the
// connection cannot be read, it says so and moves on.
func (s *Syncer) reportConnection(ctx context.Context, m *stacks.Mirror, acct stacks.Account) {
	name := m.CodeConnections.Connection
	where := acct.Name + "/" + m.Region
	conns, err := s.Clients.Connections(ctx, acct, m.Region)
	if err == nil {
		var c *types.Connection
		c, err = findConnection(ctx, conns, name)
		if err == nil {
			switch {
			case c == nil:
				s.say(m, "note: connection %s not found in %s: deploy the mirror's stack first", name, where)
			case c.ConnectionStatus == types.ConnectionStatusPending:
				s.say(m, "note: connection %s in %s is PENDING: approve it once in the console "+
					"(Developer Tools > Settings > Connections > %s > Update pending connection); no API can", name, where, name)
			case c.ConnectionStatus == types.ConnectionStatusAvailable:
				s.say(m, "connection %s in %s is AVAILABLE; nothing to sync", name, where)
			default:
				s.say(m, "note: connection %s in %s is %s: check it in the console", name, where, c.ConnectionStatus)
			}
			return
		}
	}
	s.say(m, "note: could not read connection %s in %s (%s); skipped: check it in the console", name, where, s.Redactor.Redact(err.Error()))
}

// findConnection returns the GitLab self-managed connection named name, or nil.
func findConnection(ctx context.Context, conns Connections, name string) (*types.Connection, error) {
	in := &codeconnections.ListConnectionsInput{ProviderTypeFilter: types.ProviderTypeGitlabSelfManaged}
	for {
		out, err := conns.ListConnections(ctx, in)
		if err != nil {
			return nil, err
		}
		for i, c := range out.Connections {
			if aws.ToString(c.ConnectionName) == name {
				return &out.Connections[i], nil
			}
		}
		if aws.ToString(out.NextToken) == "" {
			return nil, nil
		}
		in.NextToken = out.NextToken
	}
}
