package bake

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"

	"gitops/tools/internal/stacks"
)

// Clock paces the wait for a build; tests pass one that does not sleep.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done.
	Sleep(ctx context.Context, d time.Duration) error
}

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

func (wallClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// maxPollErrors is how many GetImage calls in a row may fail before the
// wait gives up: one network blip should not fail an hour-long build.
const maxPollErrors = 3

// BuildError is an image build that ended without an image.
type BuildError struct {
	Recipe, Image string
	Status        types.ImageStatus
	Reason        string
	// Logs says where the build's logs are.
	Logs []string
}

func (e *BuildError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: image build %s: %s\n  image: %s", e.Recipe, e.Status, orNone(e.Reason), e.Image)
	for _, l := range e.Logs {
		fmt.Fprintf(&b, "\n  logs: %s", l)
	}
	return b.String()
}

// TimeoutError is a build still running when the wait ran out.
type TimeoutError struct {
	Recipe, Image string
	After         time.Duration
	Status        types.ImageStatus
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s: timed out after %s waiting for %s (last status %s); "+
		"the build goes on in ImageBuilder: raise --timeout or watch it there, then bake again",
		e.Recipe, e.After, e.Image, e.Status)
}

// builtImage is a finished build.
type builtImage struct {
	arn   string
	image *types.Image
}

// build starts r's pipeline and waits for the image.
func (b *Baker) build(ctx context.Context, ib ImageBuilder, r stacks.ImageRecipe, acct stacks.Account) (builtImage, error) {
	pipeline := PipelineARN(r, acct.ID)
	out, err := ib.StartImagePipelineExecution(ctx, &imagebuilder.StartImagePipelineExecutionInput{
		ImagePipelineArn: aws.String(pipeline),
	})
	if err != nil {
		return builtImage{}, fmt.Errorf("%s: starting image pipeline %s: %w", r.Name, pipeline, err)
	}
	arn := aws.ToString(out.ImageBuildVersionArn)
	fmt.Fprintf(b.Out, "%s: started %s (pipeline %s in %s/%s)\n", r.Name, arn, r.Pipeline, r.Account, r.Region)

	clock := b.clock()
	start := clock.Now()
	interval := orDefault(b.PollFirst, DefaultPollFirst)
	maxInterval := max(orDefault(b.PollMax, DefaultPollMax), interval)
	timeout := orDefault(b.Timeout, DefaultTimeout)
	status := types.ImageStatusPending
	failures := 0
	for {
		got, err := ib.GetImage(ctx, &imagebuilder.GetImageInput{ImageBuildVersionArn: aws.String(arn)})
		elapsed := clock.Now().Sub(start).Round(time.Second)
		switch {
		case err != nil:
			failures++
			if failures >= maxPollErrors || ctx.Err() != nil {
				return builtImage{}, fmt.Errorf("%s: reading the state of %s: %w", r.Name, arn, err)
			}
			fmt.Fprintf(b.Out, "%s: reading the state failed (%v), trying again (elapsed %s)\n", r.Name, err, elapsed)
		case got.Image == nil || got.Image.State == nil:
			failures = 0
			fmt.Fprintf(b.Out, "%s: no state yet (elapsed %s)\n", r.Name, elapsed)
		default:
			failures = 0
			img := got.Image
			status = img.State.Status
			fmt.Fprintf(b.Out, "%s: %s (elapsed %s)\n", r.Name, status, elapsed)
			switch status {
			case types.ImageStatusAvailable:
				return builtImage{arn: arn, image: img}, nil
			case types.ImageStatusFailed, types.ImageStatusCancelled, types.ImageStatusDeleted,
				types.ImageStatusDisabled, types.ImageStatusDeprecated:
				return builtImage{}, &BuildError{
					Recipe: r.Name, Image: arn, Status: status,
					Reason: aws.ToString(img.State.Reason),
					Logs:   logLocations(r, img),
				}
			}
		}
		left := timeout - clock.Now().Sub(start)
		if left <= 0 {
			return builtImage{}, &TimeoutError{Recipe: r.Name, Image: arn, After: timeout, Status: status}
		}
		if err := clock.Sleep(ctx, min(interval, left)); err != nil {
			return builtImage{}, fmt.Errorf("%s: waiting for %s: %w", r.Name, arn, err)
		}
		interval = min(2*interval, maxInterval)
	}
}

// logLocations says where ImageBuilder put the build's logs: the CloudWatch
// Logs group (the image's own, else ImageBuilder's default
// /aws/imagebuilder/<image name>) and the S3 location of the
// infrastructure configuration, when it has one.
func logLocations(r stacks.ImageRecipe, img *types.Image) []string {
	group := "/aws/imagebuilder/" + orElse(aws.ToString(img.Name), r.Name)
	if img.LoggingConfiguration != nil && aws.ToString(img.LoggingConfiguration.LogGroupName) != "" {
		group = aws.ToString(img.LoggingConfiguration.LogGroupName)
	}
	logs := []string{fmt.Sprintf("CloudWatch Logs group %s in %s/%s", group, r.Account, r.Region)}
	if ic := img.InfrastructureConfiguration; ic != nil && ic.Logging != nil && ic.Logging.S3Logs != nil {
		s3 := ic.Logging.S3Logs
		if bucket := aws.ToString(s3.S3BucketName); bucket != "" {
			logs = append(logs, "s3://"+strings.TrimSuffix(bucket+"/"+aws.ToString(s3.S3KeyPrefix), "/")+"/")
		}
	}
	return logs
}

func (b *Baker) clock() Clock {
	if b.Clock == nil {
		return wallClock{}
	}
	return b.Clock
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func orElse(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orNone(s string) string {
	return orElse(s, "(ImageBuilder gave no reason)")
}
