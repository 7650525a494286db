package load

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
)

// EstateHash is the SHA-256 of the estate's YAML under root: every file
// LoadEstate reads, by path and content. compile records it in the manifest
// so plan and apply can tell a generated/ that the YAML has moved past.
func EstateHash(root string) (string, error) {
	files, err := estateFiles(root)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			return "", err
		}
		// Length-prefixed, so no two file sets hash alike by shifting
		// bytes between a name and a content.
		fmt.Fprintf(h, "%d:%s\n%d:", len(f), f, len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
