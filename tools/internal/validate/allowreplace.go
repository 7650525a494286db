package validate

import (
	"strings"

	"gitops/tools/internal/diag"
)

// checkAllowReplace checks the allowReplace: entries' form, TYPE/LOGICAL-ID,
// the way apply's --allow-replace reads them.
func (c *checker) checkAllowReplace() {
	for _, entry := range c.e.AllowReplace() {
		typ, id, ok := strings.Cut(entry.Key, "/")
		if ok && id != "" && strings.Count(typ, "::") == 2 && !strings.ContainsAny(id, "/ ") {
			continue
		}
		c.report(diag.Errorf(entry.Pos, "allow-replace-form", "allowReplace entry %q is not TYPE/LOGICAL-ID", entry.Key).
			WithHint("copy the name gitops diff prints, e.g. AWS::EFS::FileSystem/GitlabFileSystem"))
	}
}
