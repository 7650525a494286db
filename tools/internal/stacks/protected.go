package stacks

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
)

// AMIDataType is the SSM data type of every AMI parameter: SSM checks the
// value is an AMI id, and templates read it as
// AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>.
const AMIDataType = "aws:ec2:image"

// statefulReasons are the resource types that hold data a replacement or
// removal destroys, with what they hold.
var statefulReasons = map[string]string{
	"AWS::EFS::FileSystem":        "holds GitLab's repositories and uploads",
	"AWS::RDS::DBCluster":         "holds a database",
	"AWS::RDS::DBInstance":        "holds a database",
	"AWS::RDS::GlobalCluster":     "holds a database",
	"AWS::ECR::Repository":        "holds container images",
	"AWS::CodeCommit::Repository": "holds a mirror's Git history",
	"AWS::S3::Bucket":             "holds objects",
	"AWS::SecretsManager::Secret": "holds a secret value",
	"AWS::DynamoDB::Table":        "holds a table's items",
	"AWS::DynamoDB::GlobalTable":  "holds a table's items",
}

// StatefulReason says what a resource of type typ holds when a replacement
// or removal would destroy it; ok is false for other types.
func StatefulReason(typ string) (reason string, ok bool) {
	reason, ok = statefulReasons[typ]
	return reason, ok
}

// amiParameterReason is why an AMI parameter is protected even from an
// in-place update.
const amiParameterReason = "holds the AMI id gitops bake published; any update writes the template's seed over it"

// Protected is a resource apply must not replace, remove (or, when
// UpdateDestroys, update at all) unless --allow-replace names it.
type Protected struct {
	LogicalID string `json:"logicalId"`
	Type      string `json:"type"`
	Reason    string `json:"reason"`
	// UpdateDestroys is set when even an in-place update loses the data.
	UpdateDestroys bool `json:"updateDestroys,omitempty"`
}

// ProtectedResources lists the protected resources of a template, sorted by
// logical id: those of a stateful type, and the SSM parameters named in
// amiParameters (the recipes' AMI parameters). A template that does not
// parse has none; compile only writes templates the synth produced.
func ProtectedResources(template []byte, amiParameters []string) []Protected {
	if !mayHoldProtected(template) {
		return nil
	}
	// Properties stay raw: only an SSM parameter's Name is read, and
	// compile runs this over every template of the estate.
	var t struct {
		Resources map[string]struct {
			Type       string          `json:"Type"`
			Properties json.RawMessage `json:"Properties"`
		} `json:"Resources"`
	}
	if json.Unmarshal(template, &t) != nil {
		return nil
	}
	var out []Protected
	for id, r := range t.Resources {
		if reason, ok := StatefulReason(r.Type); ok {
			out = append(out, Protected{LogicalID: id, Type: r.Type, Reason: reason})
			continue
		}
		if r.Type != "AWS::SSM::Parameter" {
			continue
		}
		var props struct {
			Name any `json:"Name"`
		}
		_ = json.Unmarshal(r.Properties, &props)
		if name, _ := props.Name.(string); slices.Contains(amiParameters, name) {
			out = append(out, Protected{LogicalID: id, Type: r.Type, Reason: amiParameterReason, UpdateDestroys: true})
		}
	}
	slices.SortFunc(out, func(a, b Protected) int { return strings.Compare(a.LogicalID, b.LogicalID) })
	return out
}

// mayHoldProtected reports whether a template names a protected type at
// all: most of an estate's templates (networks, routes) name none, and one
// pass over the strings that start "AWS:: is much cheaper than parsing.
func mayHoldProtected(template []byte) bool {
	rest := template
	for {
		i := bytes.Index(rest, []byte(`"AWS::`))
		if i < 0 {
			return false
		}
		rest = rest[i+1:]
		end := bytes.IndexByte(rest, '"')
		if end < 0 {
			return false
		}
		if typ := string(rest[:end]); typ == "AWS::SSM::Parameter" || statefulReasons[typ] != "" {
			return true
		}
		rest = rest[end:]
	}
}

// AMIParameters lists the SSM parameters the recipes publish their AMIs in.
func (o *Operations) AMIParameters() []string {
	var names []string
	for _, r := range o.ImageRecipes {
		if !slices.Contains(names, r.Parameter) {
			names = append(names, r.Parameter)
		}
	}
	return names
}
