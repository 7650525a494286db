package apply

import (
	"context"
	"strings"
	"sync"
	"testing"

	"gitops/tools/internal/stacks"
)

// fakeShares answers ShareNotYet until its invitation has "arrived"
// (after arriveAfter calls), then accepts it once.
type fakeShares struct {
	mu          sync.Mutex
	arriveAfter int
	calls       int
	accepted    bool
	before      int // CloudFormation calls made before the acceptance
	cf          *fakeCF
	err         error
}

func (f *fakeShares) AcceptShare(ctx context.Context, t Target, inv stacks.ShareInvitation) (ShareState, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	switch {
	case f.err != nil:
		return ShareNotYet, f.err
	case f.calls <= f.arriveAfter:
		return ShareNotYet, nil
	case f.accepted:
		return ShareAlreadyAccepted, nil
	}
	f.accepted = true
	f.before = f.cf.called("CreateChangeSet")
	return ShareAccepted, nil
}

func TestShareAcceptedBeforeTheAttachments(t *testing.T) {
	attach := stackSpec{id: "dev/eu-west-1/network-dev-app", resources: map[string]TemplateResource{"Attachment": res("AWS::EC2::TransitGatewayAttachment", nil)}}
	w := newWorld()
	d := writeDeployment(t, attach)
	d.Stacks[0].AcceptShare = &stacks.ShareInvitation{Share: "gitops-tgw-hub", OwnerAccountID: "100000000001"}

	// plan says what apply will do, and accepts nothing.
	shares := &fakeShares{cf: w.cf(attach), arriveAfter: 2}
	opts := w.options()
	opts.Shares = shares
	p := Plan(context.Background(), d, d.Stacks, opts)
	if shares.calls != 0 || !strings.Contains(p.Stacks[0].Share, "apply first accepts the RAM invitation to share gitops-tgw-hub from account 100000000001") {
		t.Errorf("plan: %d calls, share %q", shares.calls, p.Stacks[0].Share)
	}

	// apply waits for the invitation, accepts it, then makes the change set.
	w = newWorld()
	d = writeDeployment(t, attach)
	d.Stacks[0].AcceptShare = &stacks.ShareInvitation{Share: "gitops-tgw-hub", OwnerAccountID: "100000000001"}
	shares = &fakeShares{cf: w.cf(attach), arriveAfter: 2}
	opts = w.options()
	opts.Shares = shares
	r := Apply(context.Background(), d, d.Stacks, opts)
	if r.Stacks[0].Outcome != OutcomeApplied || !shares.accepted || shares.before != 0 || shares.calls != 3 {
		t.Errorf("apply: %s %q; accepted %v after %d change sets, %d calls\n%s", r.Stacks[0].Outcome, r.Stacks[0].Error, shares.accepted, shares.before, shares.calls, w.progress)
	}

	// Against an emulator without RAM invitations, the step is not emulated.
	w = newWorld()
	d = writeDeployment(t, attach)
	d.Stacks[0].AcceptShare = &stacks.ShareInvitation{Share: "gitops-tgw-hub", OwnerAccountID: "100000000001"}
	opts = w.options()
	opts.Shares = &fakeShares{cf: w.cf(attach), err: apiError("InternalFailure", "not yet implemented")}
	opts.Emulator = "http://127.0.0.1:5000"
	r = Apply(context.Background(), d, d.Stacks, opts)
	if r.Stacks[0].Outcome != OutcomeApplied || len(r.Stacks[0].NotEmulated) != 1 {
		t.Errorf("emulator: %s %v", r.Stacks[0].Outcome, r.Stacks[0].NotEmulated)
	}
}
