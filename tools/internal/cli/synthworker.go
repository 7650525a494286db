package cli

import (
	"bufio"
	"bytes"
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
}

// findSynthWorker locates the worker: $GITOPS_SYNTH, then gitops-synth next
// to the gitops executable, then on PATH; failing those it builds it with
// `go build` from the gitops module holding root (or the working directory)
// into the cache directory, saying so on progress the first time, which
// takes minutes. Installing both binaries side by side
// (go build -o bin/ ./tools/cmd/...) keeps a no-op compile fast; the build
// fallback costs a `go build` up-to-date check on every run.
func findSynthWorker(root, cacheDir string, progress io.Writer) (*synthWorker, error) {
	if p := os.Getenv("GITOPS_SYNTH"); p != "" {
		return identify(p, "$GITOPS_SYNTH")
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), synthWorkerName+exeSuffix())
		if fileExists(p) {
			return identify(p, "next to gitops")
		}
	}
	if p, err := exec.LookPath(synthWorkerName); err == nil {
		return identify(p, "on PATH")
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
	var wg sync.WaitGroup
	for i, chunk := range chunks {
		wg.Go(func() { results[i], errs[i] = w.runInBatches(chunk) })
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

// stacksPerWorker bounds the stacks one worker process synthesizes: jsii
// keeps every object it ever created alive in node, so a worker's memory
// grows with its stacks; a fresh process per batch keeps a large estate's
// compile within a fixed memory, for about a second per batch. At 500 the
// two workers' node processes peaked at 1.2 GiB together on the 3,320-stack
// benchmark (tools/bench-compile.sh); at 250, under 1 GiB for 5 s more.
const stacksPerWorker = 250

// runInBatches synthesizes a chunk in consecutive worker processes of at
// most stacksPerWorker stacks each.
func (w *synthWorker) runInBatches(chunk []*stacks.Stack) (map[string][]byte, error) {
	out := map[string][]byte{}
	for start := 0; start < len(chunk); start += stacksPerWorker {
		templates, err := w.run(chunk[start:min(start+stacksPerWorker, len(chunk))])
		if err != nil {
			return nil, err
		}
		maps.Copy(out, templates)
	}
	return out, nil
}

// run synthesizes one chunk in one worker process: the job on its stdin,
// the templates on its stdout, its log on stderr.
func (w *synthWorker) run(chunk []*stacks.Stack) (map[string][]byte, error) {
	job, err := json.Marshal(stacks.Job{Version: stacks.JobVersion, Stacks: chunk})
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(w.path)
	cmd.Stdin = bytes.NewReader(job)
	var answer, log bytes.Buffer
	cmd.Stdout = &answer
	cmd.Stderr = &log
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", w.path, err, strings.TrimSpace(log.String()))
	}
	res, err := stacks.DecodeJobResult(answer.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%s (%s): %v\n%s", w.path, w.how, err, strings.TrimSpace(log.String()))
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
