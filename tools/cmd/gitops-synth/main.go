// Command gitops-synth is the synth worker `gitops compile` drives: it reads
// a JSON job (stacks.Job) on stdin, synthesizes the stacks with the AWS CDK
// and writes each template under the job's output directory. It is a
// separate binary so that gitops itself never links the CDK.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/aws/jsii-runtime-go"

	"gitops/tools/internal/stacks"
	"gitops/tools/internal/synth"
)

func main() {
	if err := run(os.Stdin); err != nil {
		fmt.Fprintf(os.Stderr, "gitops-synth: %v\n", err)
		os.Exit(1)
	}
}

// synthBatch is how many stacks share one CDK app.
const synthBatch = 100

func run(stdin io.Reader) (err error) {
	// No panic reaches the user as a Go stack trace: jsii and the CDK
	// panic on what they refuse.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the CDK failed: %v", r)
		}
	}()
	var job stacks.Job
	dec := json.NewDecoder(stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&job); err != nil {
		return fmt.Errorf("reading the job: %v", err)
	}
	// Without node the CDK panics deep inside jsii; say it plainly.
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("node (Node.js) is not on PATH; the AWS CDK runs in it")
	}
	for k, v := range synth.Env {
		os.Setenv(k, v)
	}
	// jsii started node when the runtime package initialised, before the
	// variables above were set; restart it so node sees them.
	jsii.Close()
	defer jsii.Close()

	asm, err := os.MkdirTemp("", "gitops-synth-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(asm)
	// One CDK app per batch: an app holds every construct until it is
	// synthesized, so a large estate in one app costs gigabytes.
	templates := map[string][]byte{}
	for start := 0; start < len(job.Stacks); start += synthBatch {
		batch := job.Stacks[start:min(start+synthBatch, len(job.Stacks))]
		out, err := synth.Templates(batch, filepath.Join(asm, fmt.Sprint(start)))
		if err != nil {
			return err
		}
		maps.Copy(templates, out)
	}
	for _, s := range job.Stacks {
		p := filepath.Join(job.Out, filepath.FromSlash(s.Template))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, templates[s.ID], 0o644); err != nil {
			return err
		}
	}
	return nil
}
