// Package imagebuildertest is a stand-in for EC2 ImageBuilder in tests (no
// emulator has it): pipelines whose builds go through scripted states.
package imagebuildertest

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder"
	"github.com/aws/aws-sdk-go-v2/service/imagebuilder/types"
	"github.com/aws/smithy-go"
)

// Fake answers StartImagePipelineExecution and GetImage like ImageBuilder.
type Fake struct {
	mu sync.Mutex
	// Builds scripts each pipeline by name (e.g. gitops-webapp); starting
	// any other pipeline fails with ResourceNotFoundException.
	Builds map[string]*Build
	// Started lists the pipeline ARNs started, in order.
	Started []string
	// GetErrors fails that many GetImage calls before answering.
	GetErrors int

	images map[string]*Build
}

// Build is one pipeline's image build: GetImage answers Statuses in turn,
// then the last one for ever.
type Build struct {
	Statuses []types.ImageStatus
	// Reason is the state's reason once the build FAILED.
	Reason string
	// AMIs are the output resources once the build is AVAILABLE.
	AMIs []types.Ami
	// LogGroup and S3Bucket are the image's logging settings, if any.
	LogGroup, S3Bucket string

	runs, polls int
}

// Available is a build that goes through ImageBuilder's states to
// AVAILABLE with amis.
func Available(amis ...types.Ami) *Build {
	return &Build{
		Statuses: []types.ImageStatus{types.ImageStatusPending, types.ImageStatusBuilding, types.ImageStatusTesting,
			types.ImageStatusDistributing, types.ImageStatusAvailable},
		AMIs: amis,
	}
}

// AMI is an output AMI; an empty account leaves its owner out.
func AMI(id, account, region string) types.Ami {
	a := types.Ami{Image: aws.String(id), Region: aws.String(region)}
	if account != "" {
		a.AccountId = aws.String(account)
	}
	return a
}

// StartImagePipelineExecution starts the pipeline's scripted build; the
// image build version counts the pipeline's runs (1.0.0/1, 1.0.0/2, ...).
func (f *Fake) StartImagePipelineExecution(_ context.Context, in *imagebuilder.StartImagePipelineExecutionInput, _ ...func(*imagebuilder.Options)) (*imagebuilder.StartImagePipelineExecutionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.ImagePipelineArn)
	parts := strings.Split(arn, ":")
	name, ok := strings.CutPrefix(parts[len(parts)-1], "image-pipeline/")
	b := f.Builds[name]
	if !ok || len(parts) != 6 || b == nil {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "The image pipeline " + arn + " does not exist."}
	}
	f.Started = append(f.Started, arn)
	b.runs++
	b.polls = 0
	image := fmt.Sprintf("arn:%s:imagebuilder:%s:%s:image/%s/1.0.0/%d", parts[1], parts[3], parts[4], strings.TrimPrefix(name, "gitops-"), b.runs)
	if f.images == nil {
		f.images = map[string]*Build{}
	}
	f.images[image] = b
	return &imagebuilder.StartImagePipelineExecutionOutput{ImageBuildVersionArn: aws.String(image)}, nil
}

// GetImage answers the build's next state.
func (f *Fake) GetImage(_ context.Context, in *imagebuilder.GetImageInput, _ ...func(*imagebuilder.Options)) (*imagebuilder.GetImageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.GetErrors > 0 {
		f.GetErrors--
		return nil, &smithy.GenericAPIError{Code: "ServiceUnavailableException", Message: "Service is unavailable."}
	}
	b, ok := f.images[aws.ToString(in.ImageBuildVersionArn)]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "ResourceNotFoundException", Message: "The image does not exist."}
	}
	status := b.Statuses[min(b.polls, len(b.Statuses)-1)]
	b.polls++
	name := strings.Split(aws.ToString(in.ImageBuildVersionArn), "/")[1]
	img := &types.Image{
		Arn:   in.ImageBuildVersionArn,
		Name:  aws.String(name),
		State: &types.ImageState{Status: status},
	}
	if status == types.ImageStatusFailed && b.Reason != "" {
		img.State.Reason = aws.String(b.Reason)
	}
	if b.LogGroup != "" {
		img.LoggingConfiguration = &types.ImageLoggingConfiguration{LogGroupName: aws.String(b.LogGroup)}
	}
	if b.S3Bucket != "" {
		img.InfrastructureConfiguration = &types.InfrastructureConfiguration{Logging: &types.Logging{
			S3Logs: &types.S3Logs{S3BucketName: aws.String(b.S3Bucket), S3KeyPrefix: aws.String("imagebuilder")},
		}}
	}
	if status == types.ImageStatusAvailable {
		img.OutputResources = &types.OutputResources{Amis: b.AMIs}
	}
	return &imagebuilder.GetImageOutput{Image: img}, nil
}
