// Command gitops-synth is the synth worker `gitops compile` drives: it
// starts node and loads the AWS CDK, then reads a JSON job (stacks.Job) on
// stdin, refuses one of another protocol version, synthesizes the stacks
// and answers with the templates (stacks.JobResult) on stdout; its log
// goes to stderr. It is a separate binary so that gitops itself never
// links the CDK.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"

	"github.com/aws/jsii-runtime-go"

	"gitops/tools/internal/stacks"
	"gitops/tools/internal/synth"
)

func main() {
	// The answer alone goes to stdout: anything printed along the way
	// goes to stderr.
	answer := os.Stdout
	os.Stdout = os.Stderr
	err := run(os.Stdin, answer)
	// The CDK's packages set jsii up as the program starts, unpacking its
	// runtime into a temporary directory that only Close removes, also
	// where run failed before it started node.
	jsii.Close()
	if err != nil {
		fmt.Fprintf(os.Stderr, "gitops-synth: %v\n", err)
		os.Exit(1)
	}
}

// synthBatch is how many stacks share one CDK app.
const synthBatch = 100

func run(stdin io.Reader, stdout io.Writer) (err error) {
	// No panic reaches the user as a Go stack trace: jsii and the CDK
	// panic on what they refuse.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the CDK failed: %v", r)
		}
	}()
	// Without node the CDK panics deep inside jsii; say it plainly.
	if _, err := exec.LookPath("node"); err != nil {
		return fmt.Errorf("node (Node.js) is not on PATH; the AWS CDK runs in it")
	}
	// jsii set itself up as the program started, with the environment
	// of then and its runtime unpacked into the temporary directory;
	// closed, it starts again on first use, with the variables below.
	jsii.Close()
	asm, err := os.MkdirTemp("", "gitops-synth-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(asm)
	// (Deferred after the removal, so it runs first: node ends, then its
	// files go.)
	defer jsii.Close()
	cleanUpOnSignal(asm)
	// jsii's runtime and the kernel's files go into asm too, so that one
	// removal leaves nothing behind; jsii's package cache, which is to
	// outlast the worker, stays where jsii puts it.
	keepPackageCache()
	os.Setenv("TMPDIR", asm)
	for k, v := range synth.Env {
		os.Setenv(k, v)
	}
	for k, v := range directKernel(asm) {
		os.Setenv(k, v)
	}
	// gitops starts its first worker while it validates the estate: the
	// libraries load before the job arrives.
	synth.Warm(filepath.Join(asm, "warm"))
	job, err := readJob(stdin)
	if err != nil {
		return err
	}
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
	res := stacks.JobResult{Version: stacks.JobVersion, Templates: []stacks.JobTemplate{}}
	for _, s := range job.Stacks {
		res.Templates = append(res.Templates, stacks.JobTemplate{Stack: s.ID, Template: templates[s.ID]})
	}
	return json.NewEncoder(stdout).Encode(res)
}

// cleanUpOnSignal removes dir, then exits, when the worker is interrupted
// (Ctrl-C reaches every process of a compile) or terminated, which would
// otherwise end it before its deferred removals. A worker whose reader is
// gone (gitops stopped the worker it started early, and exited) goes on
// to clean up: its writes to stderr fail instead of killing it. Its node
// process ends on its own once the worker's pipes close.
func cleanUpOnSignal(dir string) {
	signal.Ignore(syscall.SIGPIPE)
	sigs := make(chan os.Signal, 1)
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM, syscall.SIGHUP} {
		// One that was ignored when the worker started (nohup) stays so.
		if !signal.Ignored(sig) {
			signal.Notify(sigs, sig)
		}
	}
	go func() {
		sig := <-sigs
		os.RemoveAll(dir)
		fmt.Fprintf(os.Stderr, "gitops-synth: stopped by %v\n", sig)
		os.Exit(1)
	}()
}

// keepPackageCache names jsii's package cache (the CDK's libraries,
// unpacked once for every later run) where jsii would put it without a
// home directory to keep it in: the temporary directory, which the worker
// is about to replace with its own.
func keepPackageCache() {
	if os.Getenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT") != "" {
		return
	}
	home := "HOME"
	if runtime.GOOS == "windows" {
		home = "LOCALAPPDATA"
	}
	if os.Getenv(home) == "" || !slices.Contains([]string{"linux", "darwin", "windows"}, runtime.GOOS) {
		os.Setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", filepath.Join(os.TempDir(), "aws-jsii-package-cache"))
	}
}

// readJob reads the job, refusing one of another protocol version.
func readJob(stdin io.Reader) (*stacks.Job, error) {
	data, err := io.ReadAll(stdin)
	if err != nil {
		return nil, fmt.Errorf("reading the job: %v", err)
	}
	return stacks.DecodeJob(data)
}
