package validate

import (
	"regexp"
	"slices"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
)

// checkEndpoints checks the VPC endpoints' service names.
func (c *checker) checkEndpoints(ref estate.VPCRef, types tierTypeSet) {
	n, v := ref.Network, ref.VPC
	doc := &n.Doc
	p := estate.FieldPath(ref.Path, "endpoints")
	ep := v.Endpoints
	if len(ep.Interface)+len(ep.Gateway) > 0 && !types.private && !types.isolated && !types.unknown {
		c.report(diag.Errorf(n.Pos(p), "endpoint-no-private-tier", "VPC %s has endpoints but no private or isolated tier to use them", v.Name).
			WithHint("endpoints serve private and isolated subnets; add such a tier or remove the endpoints"))
	}
	gateway := map[string]bool{}
	gwPath := estate.FieldPath(p, "gateway")
	for i, s := range ep.Gateway {
		path := estate.ItemPath(gwPath, i)
		switch {
		case gateway[s]:
			c.report(diag.Errorf(doc.Pos(path), "endpoint-duplicate", "gateway endpoint %s is listed twice", s).
				WithHint("list each service once"))
		case !slices.Contains(gatewayServices, s):
			d := diag.Errorf(doc.Pos(path), "endpoint-gateway-service", "%q has no gateway endpoint; only s3 and dynamodb do", s)
			if interfaceServices[s] {
				d = d.WithHint("move %s to endpoints.interface", s)
			} else if h := diag.DidYouMean(s, gatewayServices); h != "" {
				d = d.WithHint("%s", h)
			} else {
				d = d.WithHint("use s3 or dynamodb here, and list other services under endpoints.interface")
			}
			c.report(d)
		}
		gateway[s] = true
	}
	iface := map[string]bool{}
	ifPath := estate.FieldPath(p, "interface")
	for i, s := range ep.Interface {
		path := estate.ItemPath(ifPath, i)
		switch {
		case iface[s]:
			c.report(diag.Errorf(doc.Pos(path), "endpoint-duplicate", "interface endpoint %s is listed twice", s).
				WithHint("list each service once"))
		case strings.HasPrefix(s, "com.amazonaws.") || strings.HasPrefix(s, "aws.") || !endpointNamePattern.MatchString(s):
			short := s[strings.LastIndexByte(s, '.')+1:]
			if i := strings.Index(s, "."+n.Region+"."); i >= 0 {
				short = s[i+len(n.Region)+2:]
			}
			c.report(diag.Errorf(doc.Pos(path), "endpoint-name-form", "%q is not a short endpoint service name", s).
				WithHint("write the part after com.amazonaws.<region>., e.g. %s; gitops adds the prefix", short))
		case !interfaceServices[s] && s != "s3" && s != "dynamodb":
			d := diag.Warningf(doc.Pos(path), "endpoint-unknown", "%q is not an endpoint service gitops knows", s)
			if h := diag.DidYouMean(s, knownInterfaceServices); h != "" {
				d = d.WithHint("%s", h)
			} else {
				d = d.WithHint("check the name against com.amazonaws.%s.<name> in the VPC console; it is used as written", n.Region)
			}
			c.report(d)
		}
		iface[s] = true
	}
	if iface["s3"] && !gateway["s3"] {
		c.report(diag.Warningf(doc.Pos(estate.ItemPath(ifPath, slices.Index(ep.Interface, "s3"))), "endpoint-s3-gateway",
			"VPC %s reaches s3 through an interface endpoint only", v.Name).
			WithHint("add s3 to endpoints.gateway: the gateway endpoint is free and is what image pulls from ECR use; keep the interface one only for access from outside the VPC"))
	}
	if iface["ecr.dkr"] && !gateway["s3"] && !iface["s3"] {
		c.report(diag.Warningf(doc.Pos(estate.ItemPath(ifPath, slices.Index(ep.Interface, "ecr.dkr"))), "endpoint-ecr-s3",
			"VPC %s has an ecr.dkr endpoint but none for s3, where ECR keeps image layers", v.Name).
			WithHint("add gateway: [s3]; without it image pulls go through the NAT, or fail with egress none"))
	}
}

// gatewayServices are the only services with gateway endpoints.
var gatewayServices = []string{"dynamodb", "s3"}

// endpointNamePattern is the short form of a service name: ecr.api, email-smtp.
var endpointNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

// knownInterfaceServices are interface endpoint services (the part after
// com.amazonaws.<region>.) an estate like this one commonly uses. The list is
// for catching typos: a name outside it is a warning, not an error, because
// AWS keeps adding services.
var knownInterfaceServices = []string{
	// Containers, GitLab on ECS and its storage.
	"ecr.api", "ecr.dkr", "ecs", "ecs-agent", "ecs-telemetry", "elasticfilesystem", "eks", "eks-auth",
	// Secrets, identity and keys.
	"secretsmanager", "sts", "kms", "acm", "acm-pca", "ssm", "ssmmessages", "ec2messages",
	// Logs, metrics, events and notifications.
	"logs", "monitoring", "events", "sns", "sqs", "xray", "cloudtrail", "config",
	// Mail (SES).
	"email", "email-smtp",
	// Delivery: source, build, pipelines, artifacts, images.
	"codecommit", "git-codecommit", "codebuild", "codepipeline", "codedeploy", "codedeploy-commands-secure",
	"codeconnections.api", "codestar-connections.api", "codeartifact.api", "codeartifact.repositories",
	"imagebuilder", "cloudformation", "servicecatalog",
	// Compute and scaling.
	"ec2", "ebs", "autoscaling", "application-autoscaling", "elasticloadbalancing", "lambda", "states", "batch",
	"execute-api", "elasticbeanstalk",
	// Data.
	"rds", "rds-data", "elasticache", "dynamodb", "dynamodb-streams", "s3", "kinesis-streams", "kinesis-firehose",
	"glue", "athena", "redshift", "redshift-data", "backup", "datasync", "transfer",
	// ML teams.
	"sagemaker.api", "sagemaker.runtime", "bedrock", "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime",
	// Organisation and access.
	"ram", "organizations", "servicediscovery", "appmesh-envoy-management", "workspaces",
}

var interfaceServices = func() map[string]bool {
	m := make(map[string]bool, len(knownInterfaceServices))
	for _, s := range knownInterfaceServices {
		m[s] = true
	}
	return m
}()
