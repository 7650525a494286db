package cli

import (
	"encoding/json"
	"os"
	"path/filepath"

	"gitops/tools/internal/stacks"
)

// templateCache stores synthesized templates by the hash of everything that
// produced them: the worker's build ID and the planned stack (its spec
// carries every model value the synth reads). A stack whose inputs did not
// change is never synthesized again, on any branch.
type templateCache struct {
	// dir is empty when there is no cache.
	dir string
}

// cacheDir is $GITOPS_CACHE, else gitops/ in the user's cache directory.
func cacheDir() string {
	if d := os.Getenv("GITOPS_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "gitops")
	}
	return ""
}

// key is the cache key of a stack synthesized by the worker with workerID.
func (c templateCache) key(workerID string, s *stacks.Stack) (string, error) {
	spec, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	return stacks.SHA256Hex(append([]byte(workerID+"\n"), spec...)), nil
}

func (c templateCache) path(key string) string {
	return filepath.Join(c.dir, "templates", key[:2], key+".json")
}

// get returns the cached template for key.
func (c templateCache) get(key string) ([]byte, bool) {
	if c.dir == "" {
		return nil, false
	}
	data, err := os.ReadFile(c.path(key))
	return data, err == nil
}

// put stores a template; a cache that cannot be written only costs speed.
func (c templateCache) put(key string, data []byte) {
	if c.dir == "" {
		return
	}
	p := c.path(key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-")
	if err != nil {
		return
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if werr != nil || cerr != nil || os.Rename(f.Name(), p) != nil {
		os.Remove(f.Name())
	}
}
