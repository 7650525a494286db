package apply

import (
	"fmt"
	"strings"
)

// statefulTypes hold data that a replacement or removal destroys: GitLab's
// repositories and secrets, databases, images, buckets.
var statefulTypes = map[string]bool{
	"AWS::EFS::FileSystem":        true,
	"AWS::RDS::DBCluster":         true,
	"AWS::RDS::DBInstance":        true,
	"AWS::RDS::GlobalCluster":     true,
	"AWS::ECR::Repository":        true,
	"AWS::CodeCommit::Repository": true,
	"AWS::S3::Bucket":             true,
	"AWS::SecretsManager::Secret": true,
	"AWS::DynamoDB::Table":        true,
	"AWS::DynamoDB::GlobalTable":  true,
}

// IsStateful tells whether a resource of type typ with the given template
// properties (nil when unknown) holds data apply must not destroy unasked.
// An SSM parameter counts when it holds an AMI id: the image pipelines
// write the baked AMI there and the templates read it.
func IsStateful(typ string, props map[string]any) bool {
	if typ == "AWS::SSM::Parameter" {
		return holdsAMI(props)
	}
	return statefulTypes[typ]
}

// OverwritesAMI tells whether a change to an AMI parameter would lose the
// baked AMI: any update of the parameter writes the template's seed value
// over the id gitops bake published, so even an in-place Modify destroys.
func OverwritesAMI(ch Change) bool {
	return ch.Type == "AWS::SSM::Parameter" && ch.Action == "Modify"
}

func holdsAMI(props map[string]any) bool {
	if dt, _ := props["DataType"].(string); dt == "aws:ec2:image" {
		return true
	}
	for _, key := range []string{"Name", "Value"} {
		if s, ok := props[key].(string); ok && (strings.HasPrefix(s, "ami-") || strings.Contains(strings.ToLower(s), "/ami")) {
			return true
		}
	}
	return false
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
