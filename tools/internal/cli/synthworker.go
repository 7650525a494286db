package cli

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/version"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"gitops/tools/internal/stacks"
)

// synthWorkerName is the worker binary gitops compile drives.
const synthWorkerName = "gitops-synth"

// synthWorker is a located worker binary and its identity: the Go build ID,
// which changes whenever anything compiled into the worker changes, so it
// keys the template cache.
type synthWorker struct {
	path string
	id   string
	// how says where it was found, for messages.
	how string
	// spare is a process of it started early, which the first batch takes.
	spare *process
}

// findSynthWorker locates the worker: $GITOPS_SYNTH, then gitops-synth next
// to the gitops executable, then on PATH; failing those it builds it with
// `go build` from the gitops module holding root (or the working directory)
// into the cache directory, saying so on progress the first time, which
// takes minutes. Installing both binaries side by side
// (go build -o bin/ ./tools/cmd/...) keeps a no-op compile fast; the build
// fallback costs a `go build` up-to-date check on every run.
func findSynthWorker(root, cacheDir string, progress io.Writer) (*synthWorker, error) {
	if p, how := installedSynthWorker(); p != "" {
		return identify(p, how)
	}
	mod := findGitopsModule(root)
	if mod == "" {
		if wd, err := os.Getwd(); err == nil {
			mod = findGitopsModule(wd)
		}
	}
	if mod == "" || cacheDir == "" {
		return nil, fmt.Errorf("cannot find %s: build it next to gitops (go build -o bin/ ./tools/cmd/...) or put it on PATH", synthWorkerName)
	}
	if err := checkGoVersion(mod); err != nil {
		return nil, err
	}
	out := filepath.Join(cacheDir, "bin", synthWorkerName+exeSuffix())
	if !fileExists(out) {
		fmt.Fprintf(progress, "building %s (first run, a few minutes)… go build -o bin/ ./tools/cmd/... once makes this instant\n", synthWorkerName)
	}
	cmd := exec.Command("go", "build", "-o", out, "./tools/cmd/gitops-synth")
	cmd.Dir = mod
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building %s in %s: %v\n%s", synthWorkerName, mod, err, msg)
	}
	return identify(out, "built from "+mod)
}

// installedSynthWorker is the worker's path and where it was found when it
// is installed: named by $GITOPS_SYNTH, next to the gitops executable or
// on PATH; else "".
func installedSynthWorker() (path, how string) {
	if p := os.Getenv("GITOPS_SYNTH"); p != "" {
		return p, "$GITOPS_SYNTH"
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), synthWorkerName+exeSuffix())
		if fileExists(p) {
			return p, "next to gitops"
		}
	}
	if p, err := exec.LookPath(synthWorkerName); err == nil {
		return p, "on PATH"
	}
	return "", ""
}

// checkGoVersion compares the Go version go.mod asks for with the go
// command that would build the worker. Where GOTOOLCHAIN=local (an offline
// build image) go cannot fetch a newer toolchain, and its own error does
// not say what to install.
func checkGoVersion(mod string) error {
	want, err := goModVersion(filepath.Join(mod, "go.mod"))
	if err != nil || want == "" {
		return err
	}
	out, err := exec.Command("go", "env", "GOVERSION", "GOTOOLCHAIN").Output()
	if err != nil {
		return fmt.Errorf("cannot run go to build %s: %v; install Go %s or newer, or build bin/ where Go is (go build -o bin/ ./tools/cmd/...)", synthWorkerName, err, want)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 {
		return nil
	}
	return goVersionProblem(want, fields[0], fields[1])
}

// goVersionProblem explains why the go command (have, e.g. go1.24.2) cannot
// build a module that needs want (e.g. 1.26.0) under toolchain, or nil.
func goVersionProblem(want, have, toolchain string) error {
	if !version.IsValid(have) || version.Compare(have, "go"+want) >= 0 {
		return nil
	}
	if toolchain != "local" && !strings.HasSuffix(toolchain, "+path") {
		// go fetches the newer toolchain itself.
		return nil
	}
	return fmt.Errorf("go.mod needs Go %s, but the go command here is %s and GOTOOLCHAIN=%s forbids fetching a newer one: "+
		"install Go %s or newer (in CI: the build image the README names)", want, have, toolchain, want)
}

// goModVersion reads the go directive of a go.mod file.
func goModVersion(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", nil
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// findGitopsModule walks up from dir to the directory whose go.mod declares
// module gitops and that holds the worker's source.
func findGitopsModule(dir string) string {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for {
		if f, err := os.Open(filepath.Join(dir, "go.mod")); err == nil {
			first, _ := bufio.NewReader(f).ReadString('\n')
			f.Close()
			if strings.TrimSpace(first) == "module gitops" && fileExists(filepath.Join(dir, "tools", "cmd", "gitops-synth", "main.go")) {
				return dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

func identify(path, how string) (*synthWorker, error) {
	id, err := buildID(path)
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %v", path, how, err)
	}
	return &synthWorker{path: path, id: id, how: how}, nil
}

// buildID returns the Go build ID of an ELF executable, read from its
// note section without reading the whole file; other formats are hashed.
func buildID(path string) (string, error) {
	if f, err := elf.Open(path); err == nil {
		defer f.Close()
		if sec := f.Section(".note.go.buildid"); sec != nil {
			data, err := sec.Data()
			// The note: namesz, descsz, type (4 bytes each), "Go\0\0", desc.
			if err == nil && len(data) >= 16 {
				size := int(f.ByteOrder.Uint32(data[4:8]))
				if 16+size <= len(data) {
					return "go:" + string(data[16:16+size]), nil
				}
			}
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// process is a worker process. It starts node and loads the CDK at once,
// which takes a fraction of a second, then waits for its job on stdin.
type process struct {
	path, id string
	cmd      *exec.Cmd
	stdin    io.WriteCloser
	// answer and log are its stdout and stderr.
	answer, log bytes.Buffer
	// taken says a job went to it (or it was stopped).
	taken bool
}

// jsiiWaitNoise is what jsii-runtime-go prints, without a newline, when its
// own goroutine and its Close both wait for node to exit: on every run,
// not a failure.
const jsiiWaitNoise = "Runtime process exited abnormally: waitid: no child processes"

// workerLog is the process's stderr as a failure's message shows it.
func (p *process) workerLog() string {
	return strings.TrimSpace(strings.ReplaceAll(p.log.String(), jsiiWaitNoise, ""))
}

func startProcess(path, id string) (*process, error) {
	p := &process{path: path, id: id, cmd: exec.Command(path)}
	p.cmd.Stdout, p.cmd.Stderr = &p.answer, &p.log
	stdin, err := p.cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	p.stdin = stdin
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// prestartSynthWorker starts an installed worker before the estate is
// validated, so that node and the CDK load meanwhile; nil when there is
// none to start. (A worker built into the cache is not started early:
// the build that checks it is current may rewrite it.)
func prestartSynthWorker() *process {
	path, _ := installedSynthWorker()
	if path == "" {
		return nil
	}
	id, err := buildID(path)
	if err != nil {
		return nil
	}
	p, err := startProcess(path, id)
	if err != nil {
		return nil
	}
	return p
}

// stop ends a process that got no job: with its stdin closed it exits.
func (p *process) stop() {
	if p == nil || p.taken {
		return
	}
	p.taken = true
	p.stdin.Close()
	go p.cmd.Wait()
}

// adopt keeps a started process as the worker's first, if it runs this
// worker; else stops it.
func (w *synthWorker) adopt(p *process) {
	if p != nil && p.path == w.path && p.id == w.id {
		w.spare = p
		return
	}
	p.stop()
}

// synthesize runs the worker over the stacks, in up to two processes (jsii
// is single-threaded, so parallelism means processes), and returns the
// templates by stack ID.
func (w *synthWorker) synthesize(todo []*stacks.Stack) (map[string][]byte, error) {
	n := 1
	// A worker costs about a second to start; a second one pays off only
	// with enough stacks to share.
	if len(todo) >= 8 && runtime.NumCPU() > 1 {
		n = 2
	}
	chunks := splitByWeight(todo, n)
	results := make([]map[string][]byte, len(chunks))
	errs := make([]error, len(chunks))
	// A chunk that fails stops the others before their next batch: the
	// compile fails anyway, and a large estate's other chunk would go on
	// for minutes before the error is shown.
	var failed atomic.Bool
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		var first *process
		if i == 0 {
			first, w.spare = w.spare, nil
		}
		wg.Go(func() { results[i], errs[i] = w.runInBatches(chunk, first, &failed) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, r := range results {
		for k, v := range r {
			out[k] = v
		}
	}
	return out, nil
}

// splitByWeight deals the stacks to n chunks, heaviest first, each to the
// lightest chunk so far; the chunks keep plan order.
func splitByWeight(todo []*stacks.Stack, n int) [][]*stacks.Stack {
	order := slices.Clone(todo)
	slices.SortStableFunc(order, func(a, b *stacks.Stack) int { return b.SynthCost() - a.SynthCost() })
	load := make([]int, n)
	owner := map[string]int{}
	for _, s := range order {
		best := 0
		for i := range load {
			if load[i] < load[best] {
				best = i
			}
		}
		load[best] += s.SynthCost()
		owner[s.ID] = best
	}
	chunks := make([][]*stacks.Stack, n)
	for _, s := range todo {
		chunks[owner[s.ID]] = append(chunks[owner[s.ID]], s)
	}
	return slices.DeleteFunc(chunks, func(c []*stacks.Stack) bool { return len(c) == 0 })
}

// stacksPerWorker (a variable for the tests) bounds the stacks one worker process synthesizes: jsii
// keeps every object it ever created alive in node, so a worker's memory
// grows with its stacks; a fresh process per batch keeps a large estate's
// compile within a fixed memory, for a fraction of a second per batch. On
// the 3,320-stack benchmark (tools/bench-compile.sh) the processes of a
// compile together peaked at 793 MiB with 200, 885–968 MiB with 250 and
// 1,030 MiB with 500, at the same speed within the noise.
var stacksPerWorker = 200

// runInBatches synthesizes a chunk in consecutive worker processes of at
// most stacksPerWorker stacks each, the first in first when it is given.
// It sets failed when a batch fails, and stops (with no error of its own)
// before a batch once failed is set.
func (w *synthWorker) runInBatches(chunk []*stacks.Stack, first *process, failed *atomic.Bool) (map[string][]byte, error) {
	defer first.stop()
	out := map[string][]byte{}
	for start := 0; start < len(chunk); start += stacksPerWorker {
		if failed.Load() {
			return nil, nil
		}
		p := first
		if start > 0 || p == nil {
			var err error
			if p, err = startProcess(w.path, w.id); err != nil {
				failed.Store(true)
				return nil, fmt.Errorf("%s: %v", w.path, err)
			}
		}
		templates, err := w.run(p, chunk[start:min(start+stacksPerWorker, len(chunk))])
		if err != nil {
			failed.Store(true)
			return nil, err
		}
		maps.Copy(out, templates)
	}
	return out, nil
}

// run synthesizes one chunk in a started worker process: the job on its
// stdin, the templates on its stdout, its log on stderr.
func (w *synthWorker) run(p *process, chunk []*stacks.Stack) (map[string][]byte, error) {
	p.taken = true
	job, err := json.Marshal(stacks.Job{Version: stacks.JobVersion, Stacks: chunk})
	if err == nil {
		_, err = p.stdin.Write(job)
	}
	if cerr := p.stdin.Close(); err == nil {
		err = cerr
	}
	if werr := p.cmd.Wait(); werr != nil || err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", w.path, cmp.Or(werr, err), p.workerLog())
	}
	res, err := stacks.DecodeJobResult(p.answer.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %v\n%s", w.path, w.how, err, p.workerLog())
	}
	templates := map[string][]byte{}
	for _, t := range res.Templates {
		templates[t.Stack] = t.Template
	}
	for _, s := range chunk {
		if _, ok := templates[s.ID]; !ok {
			return nil, fmt.Errorf("%s gave no template for %s", w.path, s.ID)
		}
	}
	return templates, nil
}
