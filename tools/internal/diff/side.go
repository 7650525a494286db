package diff

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

// Side is one side of the diff: a compiled estate and the YAML it came from.
type Side struct {
	// Label names the side in reports: a commit or "working tree".
	Label     string
	Manifest  *stacks.Manifest
	Templates map[string]*Template // by stack ID
	// Estate is the YAML the side compiles; nil when it cannot be read.
	Estate *estate.Estate
}

// estateDirs are the directories holding the estate's YAML.
var estateDirs = []string{"accounts", "environments", "imagerecipes"}

// ReadDir reads a side from a checkout: root's YAML and generatedDir's
// manifest and templates.
func ReadDir(root, generatedDir string) (*Side, error) {
	s := &Side{Label: "working tree", Templates: map[string]*Template{}}
	if head, err := git(root, "rev-parse", "--short=12", "HEAD"); err == nil {
		s.Label = "working tree at " + strings.TrimSpace(head)
	}
	data, err := os.ReadFile(filepath.Join(generatedDir, stacks.ManifestFile))
	if err != nil {
		return nil, fmt.Errorf("%w (run gitops compile first)", err)
	}
	err = s.readGenerated(data, func(p string) ([]byte, error) {
		return os.ReadFile(filepath.Join(generatedDir, filepath.FromSlash(p)))
	})
	if err != nil {
		return nil, err
	}
	// A generated/ compiled from other YAML would predict the wrong change.
	if want := s.Manifest.EstateSHA256; want != "" {
		if have, err := load.EstateHash(root); err == nil && have != want {
			return nil, fmt.Errorf("%s is not what the YAML compiles to: accounts/, environments/ or imagerecipes/ changed since it was compiled; run gitops compile, then diff again", generatedDir)
		}
	}
	e, _, err := load.LoadEstate(root)
	if err == nil {
		s.Estate = e
	}
	return s, nil
}

// ReadGit reads a side from commit rev of the Git repository at root: its
// committed generated/ and YAML, through one git cat-file process.
func ReadGit(root, rev string) (*Side, error) {
	if _, err := git(root, "rev-parse", "--git-dir"); err != nil {
		return nil, fmt.Errorf("%s is not inside a Git checkout: diff reads the base's generated/ from Git", root)
	}
	commit, err := git(root, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("base %q is not a commit of %s", rev, root)
	}
	commit = strings.TrimSpace(commit)
	prefix, err := git(root, "rev-parse", "--show-prefix")
	if err != nil {
		return nil, err
	}
	prefix = strings.TrimSpace(prefix)
	list, err := git(root, "ls-tree", "-r", "--name-only", "--full-tree", commit, "--", prefix+"generated", prefix+"accounts", prefix+"environments", prefix+"imagerecipes")
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, p := range strings.Split(strings.TrimSpace(list), "\n") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	files, err := catFiles(root, commit, paths)
	if err != nil {
		return nil, err
	}
	short := commit
	if len(short) > 12 {
		short = short[:12]
	}
	label := rev + " (" + short + ")"
	if strings.HasPrefix(commit, rev) {
		label = short
	}
	s := &Side{Label: label, Templates: map[string]*Template{}}
	manifest, ok := files[prefix+"generated/"+stacks.ManifestFile]
	if !ok {
		// A base from before the first compile has no stacks.
		s.Manifest = &stacks.Manifest{}
	} else if err := s.readGenerated(manifest, func(p string) ([]byte, error) {
		data, ok := files[prefix+"generated/"+p]
		if !ok {
			return nil, fmt.Errorf("%s: generated/%s is not in the commit", rev, p)
		}
		return data, nil
	}); err != nil {
		return nil, err
	}
	e := &estate.Estate{Root: root, Components: map[string]*estate.Component{}}
	diags := &diag.List{}
	for _, p := range paths {
		rel := strings.TrimPrefix(p, prefix)
		if strings.HasPrefix(rel, "generated/") || !isYAML(rel) || hidden(rel) {
			continue
		}
		e.Files = append(e.Files, rel)
		for _, doc := range load.LoadBytes(rel, files[p], diags) {
			load.AddDocument(e, doc)
		}
	}
	s.Estate = e
	return s, nil
}

func (s *Side) readGenerated(manifest []byte, read func(string) ([]byte, error)) error {
	var m stacks.Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return fmt.Errorf("%s: %s: %v", s.Label, stacks.ManifestFile, err)
	}
	s.Manifest = &m
	for _, st := range m.Stacks {
		data, err := read(st.Template)
		if err != nil {
			return err
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != st.SHA256 {
			return fmt.Errorf("%s: generated/%s does not match the SHA-256 in %s: run gitops compile", s.Label, st.Template, stacks.ManifestFile)
		}
		t, err := ParseTemplate(data)
		if err != nil {
			return fmt.Errorf("%s: %s: %v", s.Label, st.Template, err)
		}
		s.Templates[st.ID] = t
	}
	return nil
}

// MergeBase finds the default base. In GitLab CI: the target branch's
// commit in a merged-results pipeline (HEAD is then the merge of the two),
// else the merge request's diff base. Elsewhere: the merge-base of HEAD with
// the target branch (GitLab's variable, origin/HEAD, main or master, the
// first that exists).
func MergeBase(root string, getenv func(string) string) (string, error) {
	for _, v := range []string{"CI_MERGE_REQUEST_TARGET_BRANCH_SHA", "CI_MERGE_REQUEST_DIFF_BASE_SHA"} {
		if sha := getenv(v); sha != "" {
			return sha, nil
		}
	}
	var candidates []string
	if t := getenv("CI_MERGE_REQUEST_TARGET_BRANCH_NAME"); t != "" {
		candidates = append(candidates, "origin/"+t, t)
	}
	if t := getenv("CI_DEFAULT_BRANCH"); t != "" {
		candidates = append(candidates, "origin/"+t, t)
	}
	candidates = append(candidates, "origin/HEAD", "origin/main", "main", "origin/master", "master")
	if _, err := git(root, "rev-parse", "--git-dir"); err != nil {
		return "", fmt.Errorf("%s is not inside a Git checkout: diff reads the base's generated/ from Git", root)
	}
	for _, c := range candidates {
		if _, err := git(root, "rev-parse", "--verify", "--quiet", c+"^{commit}"); err != nil {
			continue
		}
		out, err := git(root, "merge-base", "HEAD", c)
		if err != nil {
			return "", fmt.Errorf("no merge-base of HEAD and %s (a shallow clone? fetch more history)", c)
		}
		return strings.TrimSpace(out), nil
	}
	return "", errors.New("cannot find the target branch to diff against: give --base REF")
}

func git(root string, args ...string) (string, error) {
	cmd := exec.Command("git", append([]string{"-C", root}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// catFiles reads the blobs of paths at commit through one git cat-file.
func catFiles(root, commit string, paths []string) (map[string][]byte, error) {
	cmd := exec.Command("git", "-C", root, "cat-file", "--batch")
	var in bytes.Buffer
	for _, p := range paths {
		fmt.Fprintf(&in, "%s:%s\n", commit, p)
	}
	cmd.Stdin = &in
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	r := bufio.NewReader(out)
	var readErr error
	for _, p := range paths {
		header, err := r.ReadString('\n')
		if err != nil {
			readErr = err
			break
		}
		fields := strings.Fields(header)
		if len(fields) != 3 {
			readErr = fmt.Errorf("git cat-file: %s: %s", p, strings.TrimSpace(header))
			break
		}
		n, err := strconv.Atoi(fields[2])
		if err != nil {
			readErr = err
			break
		}
		data := make([]byte, n+1) // the blob and its newline
		if _, err := io.ReadFull(r, data); err != nil {
			readErr = err
			break
		}
		files[p] = data[:n]
	}
	if err := cmd.Wait(); err != nil && readErr == nil {
		readErr = err
	}
	return files, readErr
}

func isYAML(p string) bool { return strings.HasSuffix(p, ".yaml") || strings.HasSuffix(p, ".yml") }

// hidden tells whether p is under a hidden file or directory, which the
// loader leaves out.
func hidden(p string) bool {
	for _, part := range strings.Split(path.Clean(p), "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}
