package apply

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// throttleRetries is how many more times a call is made when it still
// comes back throttled after the SDK's own retries; each waits twice as
// long as the one before, from the poll interval up to maxThrottleWait.
const (
	throttleRetries = 6
	maxThrottleWait = time.Minute
)

// call makes one CloudFormation call, trying again with a growing pause
// while CloudFormation throttles it. A throttled request changed nothing,
// so trying again is safe for every call, CreateChangeSet included. Many
// parallel stacks polling one account is how apply gets throttled.
func call[In, Out any](ctx context.Context, r *run, f func(context.Context, In, ...func(*cloudformation.Options)) (Out, error), in In) (Out, error) {
	wait := r.opts.PollInterval
	for attempt := 0; ; attempt++ {
		out, err := f(ctx, in)
		if err == nil || !isThrottled(err) || attempt == throttleRetries {
			return out, err
		}
		if err := r.opts.Sleep(ctx, wait); err != nil {
			return out, err
		}
		wait = min(2*wait, maxThrottleWait)
	}
}
