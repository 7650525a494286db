package apply

import (
	"fmt"
	"slices"
	"strings"

	"gitops/tools/internal/stacks"
)

// protected says whether a resource of s is one apply must not destroy
// unasked: the manifest lists them for the template being deployed.
func (s *Stack) protected(logicalID string) (stacks.Protected, bool) {
	i := slices.IndexFunc(s.Protected, func(p stacks.Protected) bool { return p.LogicalID == logicalID })
	if i < 0 {
		return stacks.Protected{}, false
	}
	return s.Protected[i], true
}

// removedProtected says the same of a resource the new template no longer
// has, from its type and its properties in the deployed template (nil when
// unknown): an AMI parameter is one of the AMI data type.
func removedProtected(typ, logicalID string, props map[string]any) (stacks.Protected, bool) {
	if reason, ok := stacks.StatefulReason(typ); ok {
		return stacks.Protected{LogicalID: logicalID, Type: typ, Reason: reason}, true
	}
	if dt, _ := props["DataType"].(string); typ == "AWS::SSM::Parameter" && dt == stacks.AMIDataType {
		return stacks.Protected{LogicalID: logicalID, Type: typ, UpdateDestroys: true}, true
	}
	return stacks.Protected{}, false
}

// allowKey is how --allow-replace names a resource: TYPE/LOGICAL-ID.
func allowKey(typ, logicalID string) string { return typ + "/" + logicalID }

// ParseAllowReplace checks --allow-replace values: each names a resource as
// TYPE/ID, e.g. AWS::EFS::FileSystem/Data.
func ParseAllowReplace(values []string) (map[string]bool, error) {
	allowed := map[string]bool{}
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			item = strings.TrimSpace(item)
			if item == "" {
				continue
			}
			typ, id, ok := strings.Cut(item, "/")
			if !ok || id == "" || strings.Count(typ, "::") != 2 {
				return nil, fmt.Errorf("--allow-replace %q: want TYPE/ID, e.g. AWS::EFS::FileSystem/Data", item)
			}
			allowed[allowKey(typ, id)] = true
		}
	}
	return allowed, nil
}
