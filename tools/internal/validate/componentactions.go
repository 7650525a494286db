package validate

// The AWSTOE action modules and the inputs each takes, from "Action modules
// supported by AWSTOE component manager" (EC2 Image Builder user guide). No
// public schema exists, so this table is the schema.

// inputKind is the shape one input value must have.
type inputKind int

const (
	inString     inputKind = iota // a string (numbers are accepted: YAML reads 0755 as one)
	inStringList                  // a list of strings
	inBool                        // true or false
	inInt                         // an integer
	inStringMap                   // a mapping of string values (InstallMSI properties)
	inAny                         // any value (SetRegistry value: string, number or list)
	inS3URL                       // s3://bucket/key
	inWebURL                      // http:// or https://
	inDocParams                   // ExecuteDocument parameters: a list of {name, value}
)

// actionSpec describes one action module's inputs.
type actionSpec struct {
	// list: the documented form is a list of entries (S3Download, CreateFile,
	// …); otherwise one mapping (ExecuteBash, Reboot, …). Either form is
	// accepted (AWSTOE treats one mapping as a one-entry list), but a list
	// must hold mappings.
	list bool
	// optional: inputs may be left out (Reboot, UpdateOS).
	optional bool
	// required keys of every entry.
	required []string
	// oneOf: exactly one of these keys (ExecutePowerShell: commands or file).
	oneOf []string
	// keys lists every documented key and its kind; nil accepts any key
	// (Assert takes comparison operators).
	keys map[string]inputKind
	// enums restricts some string keys to documented values.
	enums map[string][]string
}

var encodings = []string{"utf8", "utf-8", "utf16", "utf-16", "utf16-LE", "utf-16-LE", "utf16-BE", "utf-16-BE",
	"utf32", "utf-32", "utf32-LE", "utf-32-LE", "utf32-BE", "utf-32-BE"}

var msiKeys = map[string]inputKind{
	"path": inString, "reboot": inString, "logOptions": inString, "logFile": inString,
	"properties": inStringMap, "ignoreAuthenticodeSignatureErrors": inBool, "allowUnsignedInstaller": inBool,
}

var copyKeys = map[string]inputKind{"source": inString, "destination": inString, "overwrite": inBool}

// actions maps each AWSTOE action module to its inputs.
var actions = map[string]actionSpec{
	// General execution.
	"ExecuteBash":       {oneOf: []string{"commands", "file"}, keys: map[string]inputKind{"commands": inStringList, "file": inString}},
	"ExecutePowerShell": {oneOf: []string{"commands", "file"}, keys: map[string]inputKind{"commands": inStringList, "file": inString}},
	"ExecuteBinary":     {required: []string{"path"}, keys: map[string]inputKind{"path": inString, "arguments": inStringList}},
	"ExecuteDocument": {required: []string{"document"}, keys: map[string]inputKind{
		"document": inString, "document-s3-bucket-owner": inString, "phases": inString, "parameters": inDocParams}},
	// Download and upload.
	"S3Download": {list: true, required: []string{"source", "destination"}, keys: map[string]inputKind{
		"source": inS3URL, "destination": inString, "expectedBucketOwner": inString, "overwrite": inBool}},
	"S3Upload": {list: true, required: []string{"source", "destination"}, keys: map[string]inputKind{
		"source": inString, "destination": inS3URL, "recurse": inBool, "expectedBucketOwner": inString}},
	"WebDownload": {list: true, required: []string{"source", "destination"}, keys: map[string]inputKind{
		"source": inWebURL, "destination": inString, "overwrite": inBool, "checksum": inString,
		"algorithm": inString, "ignoreCertificateErrors": inBool},
		enums: map[string][]string{"algorithm": {"MD5", "SHA1", "SHA256", "SHA512"}}},
	// File system operations.
	"AppendFile": {list: true, required: []string{"path"}, keys: map[string]inputKind{"path": inString, "content": inString, "encoding": inString},
		enums: map[string][]string{"encoding": encodings}},
	"CopyFile":   {list: true, required: []string{"source", "destination"}, keys: copyKeys},
	"CopyFolder": {list: true, required: []string{"source", "destination"}, keys: copyKeys},
	"MoveFile":   {list: true, required: []string{"source", "destination"}, keys: copyKeys},
	"MoveFolder": {list: true, required: []string{"source", "destination"}, keys: copyKeys},
	"CreateFile": {list: true, required: []string{"path"}, keys: map[string]inputKind{
		"path": inString, "content": inString, "encoding": inString, "owner": inString, "group": inString,
		"permissions": inString, "overwrite": inBool},
		enums: map[string][]string{"encoding": encodings}},
	"CreateFolder": {list: true, required: []string{"path"}, keys: map[string]inputKind{
		"path": inString, "owner": inString, "group": inString, "permissions": inString, "overwrite": inBool}},
	"CreateSymlink": {list: true, required: []string{"path", "target"}, keys: map[string]inputKind{"path": inString, "target": inString, "force": inBool}},
	"DeleteFile":    {list: true, required: []string{"path"}, keys: map[string]inputKind{"path": inString}},
	"DeleteFolder":  {list: true, required: []string{"path"}, keys: map[string]inputKind{"path": inString, "force": inBool}},
	"ListFiles": {list: true, required: []string{"path"}, keys: map[string]inputKind{
		"path": inString, "fileNamePattern": inString, "recursive": inBool}},
	"ReadFile": {list: true, required: []string{"path"}, keys: map[string]inputKind{
		"path": inString, "encoding": inString, "printFileContent": inBool},
		enums: map[string][]string{"encoding": encodings}},
	"SetFileEncoding": {list: true, required: []string{"path"}, keys: map[string]inputKind{"path": inString, "encoding": inString},
		enums: map[string][]string{"encoding": encodings}},
	"SetFileOwner": {list: true, required: []string{"path", "owner"}, keys: map[string]inputKind{
		"path": inString, "owner": inString, "group": inString}},
	"SetFolderOwner": {list: true, required: []string{"path", "owner"}, keys: map[string]inputKind{
		"path": inString, "owner": inString, "group": inString, "recursive": inBool}},
	"SetFilePermissions": {list: true, required: []string{"path", "permissions"}, keys: map[string]inputKind{
		"path": inString, "permissions": inString}},
	"SetFolderPermissions": {list: true, required: []string{"path", "permissions"}, keys: map[string]inputKind{
		"path": inString, "permissions": inString, "recursive": inBool}},
	// Software installation.
	"InstallMSI":   {required: []string{"path"}, keys: msiKeys, enums: map[string][]string{"reboot": {"Allow", "Force", "Skip"}}},
	"UninstallMSI": {required: []string{"path"}, keys: msiKeys, enums: map[string][]string{"reboot": {"Allow", "Force", "Skip"}}},
	// System actions.
	"Reboot": {optional: true, keys: map[string]inputKind{"delaySeconds": inInt}},
	"SetRegistry": {list: true, required: []string{"path", "name", "value", "type"}, keys: map[string]inputKind{
		"path": inString, "name": inString, "value": inAny, "type": inString},
		enums: map[string][]string{"type": {"BINARY", "DWORD", "QWORD", "SZ", "EXPAND_SZ", "MULTI_SZ"}}},
	"UpdateOS": {optional: true, keys: map[string]inputKind{"include": inStringList, "exclude": inStringList}},
	// Assertions take one comparison or logical operator expression.
	"Assert": {},
}
