package stacks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// The buildspecs gitops generates go inline into the CodeBuild projects of
// the pipeline stacks; the application's own buildspec stays in its
// repository.

// BakeBuildspec publishes the build's output (the input artifact, a
// secondary source) as a tar.gz at s3://bucket/key, where the recipe's
// components read it through the gitops:release parameter value, then
// builds gitops from the estate source (this repository) and bakes recipe:
// gitops bake starts the recipe's image pipeline, waits, and writes the AMI
// id to the recipe's parameter in every distribution account and region,
// then re-bakes the recipes built on it. In a build image of its own
// (buildImage: the pipeline's bake.image) nothing is downloaded: the image's
// Go builds, checked by .ci/check-image. In CodeBuild's standard image Go
// fetches the toolchain go.mod names, so the image's Go only has to be
// recent enough to know how (1.21).
func BakeBuildspec(recipe, input, bucket, key string, buildImage bool) string {
	toolchain := `    GOTOOLCHAIN: auto
phases:
  install:
    runtime-versions:
      golang: 1.24
`
	if buildImage {
		toolchain = `    GOTOOLCHAIN: local
phases:
  install:
    commands:
      - sh .ci/check-image
`
	}
	return `version: 0.2
env:
  shell: bash
  variables:
    GOFLAGS: -mod=readonly
` + toolchain + `  build:
    on-failure: ABORT
    commands:
      - tar -czf /tmp/release.tar.gz -C "$CODEBUILD_SRC_DIR_` + input + `" .
      - aws s3 cp /tmp/release.tar.gz s3://` + bucket + "/" + key + `
      - go build -o "$CODEBUILD_SRC_DIR/bin/gitops" ./tools/cmd/gitops
      - '"$CODEBUILD_SRC_DIR/bin/gitops" bake ` + recipe + `'
`
}

// ECSBuildspec builds the application's container image from the
// Dockerfile at the root of its repository, pushes it to the pipeline's
// repository ($REPOSITORY_URI, set by the project) tagged with the commit
// and build number (tags are immutable), and writes one image definitions
// file per ECS target for its deploy action.
func ECSBuildspec(targets []TargetStage) string {
	var b strings.Builder
	b.WriteString(`version: 0.2
env:
  shell: bash
phases:
  pre_build:
    on-failure: ABORT
    commands:
      - aws ecr get-login-password | docker login --username AWS --password-stdin "${REPOSITORY_URI%%/*}"
      - IMAGE="$REPOSITORY_URI:${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}-$CODEBUILD_BUILD_NUMBER"
  build:
    on-failure: ABORT
    commands:
      - docker build --tag "$IMAGE" .
      - docker push "$IMAGE"
`)
	for _, t := range targets {
		cmd := fmt.Sprintf(`printf '[{"name":"%s","imageUri":"%%s"}]' "$IMAGE" > %s`, t.ECS.Container, t.ECS.ImageDefinitions)
		fmt.Fprintf(&b, "      - %s\n", yamlQuote(cmd))
	}
	b.WriteString(`artifacts:
  files:
`)
	for _, t := range targets {
		fmt.Fprintf(&b, "    - %s\n", t.ECS.ImageDefinitions)
	}
	return b.String()
}

// yamlQuote writes s as a single-quoted YAML scalar.
func yamlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// shortHash is 8 hex digits of s's SHA-256, for names that must be short.
func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:4])
}
