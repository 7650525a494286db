package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"gitops/tools/internal/load"
	"gitops/tools/internal/stacks"
)

// checkFresh refuses a generated/ (dir) that was not compiled from the
// YAML under root as it is now: plan, apply, bake and mirrors sync would
// act on what the repository no longer says.
func checkFresh(root, dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, stacks.ManifestFile))
	if err != nil {
		return err
	}
	var m struct {
		EstateSHA256 string `json:"estateSha256"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return err
	}
	have, err := load.EstateHash(root)
	if err != nil {
		return err
	}
	rel := displayPath(root, dir)
	fix := fmt.Sprintf("run gitops compile and commit %s, then run this again", rel)
	switch {
	case m.EstateSHA256 == "":
		return fmt.Errorf("%s%s records no estate hash (an older gitops compiled it); %s", rel, stacks.ManifestFile, fix)
	case m.EstateSHA256 != have:
		return fmt.Errorf("%s is not what the YAML compiles to: accounts/, environments/ or imagerecipes/ changed since it was compiled; %s", rel, fix)
	}
	return nil
}
