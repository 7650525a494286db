package synth

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsefs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"

	"gitops/tools/internal/gitlabrb"
	"gitops/tools/internal/stacks"
)

// GitLab's fixed container settings.
const (
	gitlabContainer = "gitlab"
	gitlabPort      = 80
	// runtimeVolume is the task-local volume (Fargate ephemeral storage)
	// at gitlabrb.RuntimeDir that holds GitLab's sockets and runtime files.
	runtimeVolume = "runtime"
)

// gitlabBuild holds the GitLab service's resources while they are wired.
type gitlabBuild struct {
	spec        *stacks.GitLabSpec
	p, name     string
	vpc         *string
	taskSubnets *[]*string
	taskSG      awsec2.CfnSecurityGroup
	taskRole    awsiam.CfnRole
	logGroup    awslogs.CfnLogGroup
	// secretsRead are the secrets the execution role may read.
	secretsRead []any
	readable    map[string]bool
	env         []any
	secrets     []any
	dbHost      *string
	// waitFor are resources the service must not start before.
	waitFor []awscdk.CfnResource
}

// gitlab builds the GitLab service: ECS on Fargate in private subnets, one
// task at a time, data on EFS, behind an ALB; optional Aurora and SES.
func (b *builder) gitlab(spec *stacks.GitLabSpec) error {
	g := &gitlabBuild{
		spec: spec, p: spec.ID, name: spec.Name, readable: map[string]bool{},
		vpc: b.param(spec.VPCParam), taskSubnets: b.listParam(spec.TaskSubnetsParam),
	}
	g.logGroup = awslogs.NewCfnLogGroup(b.st, id(g.p, "LogGroup"), &awslogs.CfnLogGroupProps{
		LogGroupName:    str("/gitops/gitlab/" + g.name),
		RetentionInDays: num(spec.LogRetentionDays),
	})
	g.logGroup.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	g.taskSG = awsec2.NewCfnSecurityGroup(b.st, id(g.p, "TaskSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: str("GitLab " + g.name + " tasks: HTTP from the load balancer"),
		VpcId:            g.vpc,
		// GitLab reaches AWS services, its database, SMTP, webhook targets
		// and mirrors: destinations the estate does not enumerate.
		SecurityGroupEgress: &[]any{&awsec2.CfnSecurityGroup_EgressProperty{
			IpProtocol: str("-1"), CidrIp: str("0.0.0.0/0"), Description: str("AWS services, database, SMTP, webhooks, mirrors"),
		}},
		Tags: nameTag("gitlab-" + g.name + "-tasks"),
	})
	b.offer(stacks.GitLabTaskSecurityGroupOutput(g.name), g.taskSG.AttrGroupId())
	g.taskRole = b.gitlabTaskRole(g)

	root := b.secret(g.p+"RootPassword", "gitops/gitlab/"+g.name+"/root-password",
		"Initial password of GitLab "+g.name+"'s root user", "", "")
	acknowledge(root, "SMG4", "GitLab reads the root password only when it first initialises its database; rotating the secret afterwards would not change the password in GitLab, where the root user changes it.")
	b.offer(stacks.GitLabRootPasswordOutput(g.name), b.ref(root))
	g.addSecretEnv(gitlabrb.EnvRootPassword, root, "")
	g.env = append(g.env, keyValue("GITLAB_ROOT_EMAIL", str(spec.RootEmail)))

	fs, accessPoints := b.gitlabEFS(g)
	if spec.Aurora != nil {
		b.gitlabAurora(g)
	}
	if spec.SES != nil {
		b.gitlabSES(g)
	}
	targetGroup, albDNS := b.gitlabALB(g)
	b.gitlabService(g, fs, accessPoints, targetGroup, albDNS)
	return nil
}

// gitlabTaskRole is the role GitLab's container runs with: ECS Exec's
// channels when enabled, its session logs, and nothing else (EFS admits
// it through the file system policy).
func (b *builder) gitlabTaskRole(g *gitlabBuild) awsiam.CfnRole {
	props := &awsiam.CfnRoleProps{
		Description:              str("GitLab " + g.name + "'s task"),
		AssumeRolePolicyDocument: serviceTrust("ecs-tasks.amazonaws.com", b.spec.AccountID),
	}
	if g.spec.ECSExec {
		props.Policies = &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName: str("ecs-exec"),
			PolicyDocument: policy(
				statement("Allow", []string{
					"ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
					"ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
				}, "*"),
				statement("Allow", []string{"logs:DescribeLogGroups"}, "*"),
				statement("Allow", []string{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"}, g.logGroup.AttrArn()),
			),
		}}
	}
	role := awsiam.NewCfnRole(b.st, id(g.p, "TaskRole"), props)
	if g.spec.ECSExec {
		acknowledge(role, "IAM5", "ECS Exec's ssmmessages channels and logs:DescribeLogGroups have no resource-level permissions; the log writes are limited to GitLab's log group.", "Resource::*")
	}
	return role
}

// secret makes a retained Secrets Manager secret whose value Secrets
// Manager generates: a plain password, or JSON holding template plus a
// generated password under key.
func (b *builder) secret(logicalID, name, description, template, key string) awssecretsmanager.CfnSecret {
	gen := &awssecretsmanager.CfnSecret_GenerateSecretStringProperty{
		PasswordLength: num(32),
		// Quotes, backslashes, @, / and : trip up URLs and shells.
		ExcludeCharacters: str(`"'\@/:;` + "`"),
	}
	if template != "" {
		gen.SecretStringTemplate = str(template)
		gen.GenerateStringKey = str(key)
	}
	s := awssecretsmanager.NewCfnSecret(b.st, str(logicalID), &awssecretsmanager.CfnSecretProps{
		Name:                 str(name),
		Description:          str(description),
		GenerateSecretString: gen,
	})
	s.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	return s
}

// addSecretEnv injects a secret (or one key of its JSON) into the
// container's environment and lets the execution role read it.
func (g *gitlabBuild) addSecretEnv(env string, s awssecretsmanager.CfnSecret, jsonKey string) {
	g.addSecretEnvARN(env, s.Ref(), jsonKey)
}

// addSecretEnvARN is addSecretEnv for a secret given by its ARN.
func (g *gitlabBuild) addSecretEnvARN(env string, arn *string, jsonKey string) {
	from := arn
	if jsonKey != "" {
		from = awscdk.Fn_Join(str(""), &[]*string{arn, str(":" + jsonKey + "::")})
	}
	g.secrets = append(g.secrets, &awsecs.CfnTaskDefinition_SecretProperty{Name: str(env), ValueFrom: from})
	if !g.readable[*arn] {
		g.readable[*arn] = true
		g.secretsRead = append(g.secretsRead, arn)
	}
}

func keyValue(name string, value *string) *awsecs.CfnTaskDefinition_KeyValuePairProperty {
	return &awsecs.CfnTaskDefinition_KeyValuePairProperty{Name: str(name), Value: value}
}

// gitlabVolumes are GitLab's persistent directories, each on its own EFS
// access point; /etc/gitlab holds gitlab-secrets.json, without which the
// database's encrypted columns are lost.
var gitlabVolumes = []struct{ name, path string }{
	{"data", "/var/opt/gitlab"},
	{"logs", "/var/log/gitlab"},
	{"config", "/etc/gitlab"},
}

// gitlabEFS builds the encrypted, retained file system with one mount
// target per task zone, a policy admitting only the task role and only
// over TLS, and one access point per GitLab directory.
//
// The access points set a root directory with CreationInfo and no POSIX
// user. EFS creates a missing root directory with the CreationInfo owner
// and mode when a client first connects, and replaces the client's UID and
// GID only when the access point has a PosixUser (EFS user guide:
// RootDirectory, CreationInfo, "Enforcing a user identity using an access
// point"). So the directories exist before GitLab starts, without a Lambda,
// and GitLab keeps writing as its several users.
func (b *builder) gitlabEFS(g *gitlabBuild) (awsefs.CfnFileSystem, map[string]awsefs.CfnAccessPoint) {
	spec, p := g.spec, g.p
	sg := awsec2.NewCfnSecurityGroup(b.st, id(p, "FileSystemSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: str("GitLab " + g.name + " file system: NFS from the GitLab tasks"),
		VpcId:            g.vpc,
		SecurityGroupIngress: &[]any{&awsec2.CfnSecurityGroup_IngressProperty{
			IpProtocol: str("tcp"), FromPort: num(2049), ToPort: num(2049),
			SourceSecurityGroupId: g.taskSG.AttrGroupId(), Description: str("NFS from the GitLab tasks"),
		}},
		SecurityGroupEgress: denyAllEgress(),
		Tags:                nameTag("gitlab-" + g.name + "-efs"),
	})
	backup := "DISABLED"
	if spec.Backup {
		backup = "ENABLED"
	}
	props := &awsefs.CfnFileSystemProps{
		Encrypted:       true,
		PerformanceMode: str("generalPurpose"),
		ThroughputMode:  str(spec.ThroughputMode),
		BackupPolicy:    &awsefs.CfnFileSystem_BackupPolicyProperty{Status: str(backup)},
		FileSystemTags:  &[]*awsefs.CfnFileSystem_ElasticFileSystemTagProperty{{Key: str("Name"), Value: str("gitlab-" + g.name)}},
		FileSystemPolicy: policy(
			map[string]any{
				"Sid": "DenyUnencryptedTransport", "Effect": "Deny", "Principal": map[string]any{"AWS": "*"},
				"Action": "*", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			},
			map[string]any{
				"Sid": "GitLabTasks", "Effect": "Allow", "Principal": map[string]any{"AWS": g.taskRole.AttrArn()},
				"Action":    []string{"elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"},
				"Condition": map[string]any{"Bool": map[string]any{"elasticfilesystem:AccessedViaMountTarget": "true"}},
			},
		),
	}
	if r := spec.ReplicationRegion; r != "" {
		props.ReplicationConfiguration = &awsefs.CfnFileSystem_ReplicationConfigurationProperty{
			Destinations: &[]any{&awsefs.CfnFileSystem_ReplicationDestinationProperty{Region: str(r)}},
		}
	}
	fs := awsefs.NewCfnFileSystem(b.st, id(p, "FileSystem"), props)
	fs.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	for i := range spec.TaskZones {
		mt := awsefs.NewCfnMountTarget(b.st, id(p, "MountTarget", strconv.Itoa(i+1)), &awsefs.CfnMountTargetProps{
			FileSystemId:   b.ref(fs),
			SubnetId:       awscdk.Fn_Select(num(i), g.taskSubnets),
			SecurityGroups: &[]any{sg.AttrGroupId()},
		})
		g.waitFor = append(g.waitFor, mt)
	}
	aps := map[string]awsefs.CfnAccessPoint{}
	for _, v := range gitlabVolumes {
		aps[v.name] = awsefs.NewCfnAccessPoint(b.st, id(p, stacks.Pascal(v.name), "AccessPoint"), &awsefs.CfnAccessPointProps{
			FileSystemId: b.ref(fs),
			RootDirectory: &awsefs.CfnAccessPoint_RootDirectoryProperty{
				Path: str("/gitlab/" + v.name),
				CreationInfo: &awsefs.CfnAccessPoint_CreationInfoProperty{
					OwnerUid: str("0"), OwnerGid: str("0"), Permissions: str("755"),
				},
			},
			AccessPointTags: &[]*awsefs.CfnAccessPoint_AccessPointTagProperty{{Key: str("Name"), Value: str("gitlab-" + g.name + "-" + v.name)}},
		})
	}
	return fs, aps
}
