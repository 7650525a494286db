package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"gitops/tools/internal/stacks"
)

// A job of another protocol version is refused before node or the CDK is
// touched, with a message saying what to rebuild; nothing reaches stdout.
func TestRefusesAJobOfAnotherVersion(t *testing.T) {
	for _, job := range []string{
		`{"version": 1, "out": "/tmp/x", "stacks": []}`,
		fmt.Sprintf(`{"version": %d, "stacks": [], "extra": 1}`, stacks.JobVersion+1),
		`{"stacks": []}`,
	} {
		var out bytes.Buffer
		err := run(strings.NewReader(job), &out)
		if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("this build speaks version %d", stacks.JobVersion)) ||
			!strings.Contains(err.Error(), "build both from one checkout") || out.Len() != 0 {
			t.Errorf("%s: %v, stdout %q", job, err, &out)
		}
	}
	var out bytes.Buffer
	if err := run(strings.NewReader(fmt.Sprintf(`{"version": %d, "stacks": [], "out": "x"}`, stacks.JobVersion)), &out); err == nil ||
		!strings.Contains(err.Error(), `unknown field "out"`) {
		t.Errorf("a job with an unknown field: %v", err)
	}
}
