package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ram"
	ramtypes "github.com/aws/aws-sdk-go-v2/service/ram/types"

	"gitops/tools/internal/stacks"
)

// ShareState is what an account's RAM invitations say about a share.
type ShareState int

const (
	// ShareNotYet: no invitation has arrived (RAM sends them a few seconds
	// after the share is made).
	ShareNotYet ShareState = iota
	// ShareAccepted: the invitation was pending and is now accepted.
	ShareAccepted
	// ShareAlreadyAccepted: nothing to do.
	ShareAlreadyAccepted
)

// ShareAccepter accepts RAM invitations in a target account.
type ShareAccepter interface {
	AcceptShare(ctx context.Context, t Target, inv stacks.ShareInvitation) (ShareState, error)
}

// shareWait bounds the wait for a share's invitation to arrive.
const shareWait = 5 * time.Minute

// acceptShare accepts the invitation to the share the stack's resources
// need, waiting for it to arrive, before the stack's change set runs.
func (r *run) acceptShare(ctx context.Context, s *Stack, res *StackResult) error {
	inv := *s.AcceptShare
	what := fmt.Sprintf("the RAM invitation to share %s from account %s", inv.Share, inv.OwnerAccountID)
	if r.opts.Shares == nil {
		return &stackError{msg: "cannot accept " + what + ": no RAM client", advice: "accept it in the RAM console of account " + s.AccountID + ", then apply again"}
	}
	deadline := r.opts.Now().Add(shareWait)
	for {
		state, err := r.opts.Shares.AcceptShare(ctx, s.Target(), inv)
		switch {
		case err != nil && r.opts.Emulator != "" && emulatorBroke(err):
			r.notEmulated(s, res, "accepting "+what+" (the emulator has no RAM invitations)")
			return nil
		case err != nil:
			return &stackError{msg: "accepting " + what + ": " + apiMessage(err), advice: "the deploy role of account " + s.AccountID + " needs ram:GetResourceShareInvitations and ram:AcceptResourceShareInvitation; or accept it in the RAM console, then apply again"}
		case state == ShareAccepted:
			res.Share = "accepted " + what
			r.say(s.ID, "accepted %s", what)
			return nil
		case state == ShareAlreadyAccepted:
			res.Share = what + " is accepted"
			return nil
		}
		if !r.opts.Now().Before(deadline) {
			return &stackError{
				msg:    fmt.Sprintf("no %s arrived within %s", what, shareWait),
				advice: fmt.Sprintf("check the share's principals in account %s (its owner stack lists account %s), then apply again", inv.OwnerAccountID, s.AccountID),
			}
		}
		if err := r.opts.Sleep(ctx, r.opts.PollInterval); err != nil {
			return err
		}
	}
}

// AcceptShare implements ShareAccepter with RAM in the target account.
func (c *AWSClients) AcceptShare(ctx context.Context, t Target, inv stacks.ShareInvitation) (ShareState, error) {
	c.mu.Lock()
	cfg, err := c.config(ctx, t)
	c.mu.Unlock()
	if err != nil {
		return ShareNotYet, err
	}
	client := ram.NewFromConfig(cfg)
	in := &ram.GetResourceShareInvitationsInput{}
	for {
		out, err := client.GetResourceShareInvitations(ctx, in)
		if err != nil {
			return ShareNotYet, err
		}
		for _, i := range out.ResourceShareInvitations {
			if aws.ToString(i.ResourceShareName) != inv.Share || aws.ToString(i.SenderAccountId) != inv.OwnerAccountID {
				continue
			}
			switch i.Status {
			case ramtypes.ResourceShareInvitationStatusAccepted:
				return ShareAlreadyAccepted, nil
			case ramtypes.ResourceShareInvitationStatusPending:
				_, err := client.AcceptResourceShareInvitation(ctx, &ram.AcceptResourceShareInvitationInput{ResourceShareInvitationArn: i.ResourceShareInvitationArn})
				if err != nil {
					return ShareNotYet, err
				}
				return ShareAccepted, nil
			}
		}
		if out.NextToken == nil {
			return ShareNotYet, nil
		}
		in.NextToken = out.NextToken
	}
}
