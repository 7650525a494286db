package apply

import (
	"context"
	"errors"
	"fmt"
)

// CheckAccess reaches every account of targets once before any stack is
// touched: the default credentials first, then each other account's deploy
// role. Its error has one line per account that cannot be reached, naming
// the credentials tried, so a run without credentials says so once rather
// than once per stack.
func (c *AWSClients) CheckAccess(ctx context.Context, targets []Target) error {
	if len(targets) == 0 {
		return nil
	}
	caller, err := c.access.Check(ctx)
	if err != nil {
		return fmt.Errorf("cannot reach account %s (%s): %v", targets[0].Account, targets[0].AccountID, err)
	}
	var errs []error
	seen := map[string]bool{}
	for _, t := range targets {
		if seen[t.AccountID] {
			continue
		}
		seen[t.AccountID] = true
		c.mu.Lock()
		_, err := c.config(ctx, t)
		c.mu.Unlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot reach account %s (%s) with %s (from %s): %v", t.Account, t.AccountID, caller.ARN, caller.Source, err))
		}
	}
	return errors.Join(errs...)
}
