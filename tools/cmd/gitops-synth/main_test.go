package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"gitops/tools/internal/stacks"
)

// TestMain closes jsii, which the CDK's packages set up as the test binary
// starts, unpacking its runtime into a temporary directory. It also lets
// a test run this binary as the worker: the CDK is linked into it, as
// into gitops-synth.
func TestMain(m *testing.M) {
	if os.Getenv("GITOPS_SYNTH_TEST_WORKER") == "1" {
		main()
		jsii.Close()
		os.Exit(0)
	}
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// A job of another protocol version is refused with a message saying what
// to rebuild.
func TestRefusesAJobOfAnotherVersion(t *testing.T) {
	for _, job := range []string{
		`{"version": 1, "out": "/tmp/x", "stacks": []}`,
		fmt.Sprintf(`{"version": %d, "stacks": [], "extra": 1}`, stacks.JobVersion+1),
		`{"stacks": []}`,
	} {
		_, err := readJob(strings.NewReader(job))
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("this build speaks version %d", stacks.JobVersion)) ||
			!strings.Contains(err.Error(), "build both from one checkout") {
			t.Errorf("%s: %v", job, err)
		}
	}
	if _, err := readJob(strings.NewReader(fmt.Sprintf(`{"version": %d, "stacks": [], "out": "x"}`, stacks.JobVersion))); err == nil ||
		!strings.Contains(err.Error(), `unknown field "out"`) {
		t.Errorf("a job with an unknown field: %v", err)
	}
}
