// Package estate holds the typed model of everything the repository declares:
// accounts, networks, transit gateways, the GitLab service, mirrors, image
// recipes and rollout pipelines. Every document remembers where each of its
// values came from, so later stages can report positioned errors.
package estate

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Pos is a position in a source file; Line and Col are 1-based.
type Pos struct {
	File string
	Line int
	Col  int
}

// Doc records which file a document came from and the position of every
// value in it, keyed by path (for example `vpcs[0].subnets[1].cidr`).
type Doc struct {
	File string
	// positions hold line and column only (the file is File): a large
	// estate records millions of them.
	positions map[string]lineCol
	// misses are the paths Pos was asked for that the document does not
	// hold, so a test can tell a misspelt path (which names no value the
	// document's type can hold) from an absent optional one.
	misses *pathSet
}

type lineCol struct{ line, col int32 }

// pathSet is a set of paths, safe for the concurrent checks.
type pathSet struct {
	mu    sync.Mutex
	paths map[string]bool
}

// NewDoc returns an empty Doc for file.
func NewDoc(file string) Doc {
	return Doc{File: file, positions: map[string]lineCol{}, misses: &pathSet{paths: map[string]bool{}}}
}

// Record stores the position of the value at path.
func (s *Doc) Record(path string, line, col int) {
	s.positions[path] = lineCol{int32(line), int32(col)}
}

// Pos returns the position of the value at path. When the value is absent
// (an optional key left out), it returns the position of the nearest
// enclosing value that is present, so errors still point at the right block.
func (s *Doc) Pos(path string) Pos {
	if _, ok := s.positions[path]; !ok && s.misses != nil {
		s.misses.mu.Lock()
		s.misses.paths[path] = true
		s.misses.mu.Unlock()
	}
	for {
		if p, ok := s.positions[path]; ok {
			return Pos{File: s.File, Line: int(p.line), Col: int(p.col)}
		}
		if path == "" {
			return Pos{File: s.File, Line: 1, Col: 1}
		}
		path = ParentPath(path)
	}
}

// Misses returns, sorted, the paths Pos was asked for that the document
// does not hold: absent optional values, and misspelt paths, which
// ValidPath tells apart.
func (s *Doc) Misses() []string {
	if s.misses == nil {
		return nil
	}
	s.misses.mu.Lock()
	defer s.misses.mu.Unlock()
	out := make([]string, 0, len(s.misses.paths))
	for p := range s.misses.paths {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Document returns the Doc itself; every kind has it through the
// embedded Doc.
func (s *Doc) Document() *Doc { return s }

// Has reports whether the document set the value at path explicitly.
func (s *Doc) Has(path string) bool {
	_, ok := s.positions[path]
	return ok
}

// ParentPath strips the last key or index from path.
func ParentPath(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}

// FieldPath joins a path and a mapping key.
func FieldPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// ItemPath joins a path and a sequence index.
func ItemPath(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
