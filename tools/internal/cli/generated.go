package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// treeDiff lists how a directory differs from the files it should hold,
// by slash-separated path relative to the directory, each list sorted.
type treeDiff struct {
	Added, Removed, Changed []string
}

func (d treeDiff) empty() bool { return len(d.Added)+len(d.Removed)+len(d.Changed) == 0 }

// diffTree compares dir with want (path → content). A missing dir holds
// nothing.
func diffTree(dir string, want map[string][]byte) (treeDiff, error) {
	var d treeDiff
	seen := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		content, ok := want[rel]
		if !ok {
			d.Removed = append(d.Removed, rel)
			return nil
		}
		seen[rel] = true
		have, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(have, content) {
			d.Changed = append(d.Changed, rel)
		}
		return nil
	})
	if err != nil {
		return d, err
	}
	for _, rel := range slices.Sorted(maps.Keys(want)) {
		if !seen[rel] {
			d.Added = append(d.Added, rel)
		}
	}
	slices.Sort(d.Removed)
	slices.Sort(d.Changed)
	return d, nil
}

// replaceTree makes dir hold exactly files: it writes them into a fresh
// directory next to dir, then swaps it in, so a failed compile never
// leaves a half-written generated/. diff is diffTree's answer for dir.
func replaceTree(dir string, files map[string][]byte, diff treeDiff) error {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".new-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	// A file diff found unchanged is hard-linked from the current tree
	// rather than written again: a one-stack edit of a large estate then
	// costs a link per file, not a copy of generated/.
	changed := map[string]bool{}
	for _, rel := range slices.Concat(diff.Added, diff.Changed) {
		changed[rel] = true
	}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if !changed[rel] && os.Link(filepath.Join(dir, filepath.FromSlash(rel)), p) == nil {
			continue
		}
		if err := os.WriteFile(p, files[rel], 0o644); err != nil {
			return err
		}
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return os.Rename(tmp, dir)
	}
	old, err := os.MkdirTemp(parent, "."+base+".old-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(old)
	moved := filepath.Join(old, base)
	if err := os.Rename(dir, moved); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Put the previous tree back rather than leave nothing.
		if rerr := os.Rename(moved, dir); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	return nil
}
