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
// unknown).
func removedProtected(typ, logicalID string, props map[string]any) (stacks.Protected, bool) {
	if reason, ok := stacks.StatefulReason(typ); ok {
		return stacks.Protected{LogicalID: logicalID, Type: typ, Reason: reason}, true
	}
	if IsStateful(typ, props) {
		return stacks.Protected{LogicalID: logicalID, Type: typ, UpdateDestroys: true}, true
	}
	return stacks.Protected{}, false
}

// IsStateful tells whether a resource of type typ with the given template
// properties (nil when unknown) holds data apply must not destroy unasked,
// for a template the manifest does not describe (the deployed one, or
// gitops diff's base): a resource of a stateful type, or an SSM parameter
// of the AMI data type, which only the recipes' AMI parameters have.
func IsStateful(typ string, props map[string]any) bool {
	if _, ok := stacks.StatefulReason(typ); ok {
		return true
	}
	dt, _ := props["DataType"].(string)
	return typ == "AWS::SSM::Parameter" && dt == stacks.AMIDataType
}

// OverwritesAMI tells whether a change to a stateful resource (see
// IsStateful) would lose the baked AMI: any update of an AMI parameter
// writes the template's seed value over the id gitops bake published, so
// even an in-place Modify destroys.
func OverwritesAMI(ch Change) bool {
	return ch.Type == "AWS::SSM::Parameter" && ch.Action == "Modify"
}

// AllowKey is how --allow-replace and allowReplace: name a resource:
// TYPE/LOGICAL-ID.
func AllowKey(typ, logicalID string) string { return typ + "/" + logicalID }

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
			allowed[AllowKey(typ, id)] = true
		}
	}
	return allowed, nil
}
