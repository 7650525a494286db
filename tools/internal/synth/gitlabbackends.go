package synth

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"

	"gitops/tools/internal/stacks"
)

// gitlabAurora builds GitLab's external database: an encrypted, retained
// Aurora PostgreSQL cluster with one writer, reachable from the tasks only,
// its master password generated into a retained secret that CloudFormation
// resolves at deploy time and ECS injects at run time.
func (b *builder) gitlabAurora(g *gitlabBuild) {
	p, db := g.p, g.spec.GitLab.Database
	secret := b.secret(p+"DatabaseSecret", "gitops/gitlab/"+g.name+"/database",
		"Master user of GitLab "+g.name+"'s Aurora cluster", `{"username":"`+stacks.AuroraUser+`"}`, "password")
	acknowledge(secret, "SMG4", "Rotating it takes a Lambda rotation function, which the templates do not carry (no Lambda-backed resources); the secret is attached to the cluster, ready for rotation once one is added, and only GitLab's task execution role reads it.")
	sg := awsec2.NewCfnSecurityGroup(b.st, id(p, "DatabaseSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: str("GitLab " + g.name + " database: PostgreSQL from the GitLab tasks"),
		VpcId:            g.vpc,
		SecurityGroupIngress: &[]any{&awsec2.CfnSecurityGroup_IngressProperty{
			IpProtocol: str("tcp"), FromPort: num(stacks.AuroraPort), ToPort: num(stacks.AuroraPort),
			SourceSecurityGroupId: g.taskSG.AttrGroupId(), Description: str("PostgreSQL from the GitLab tasks"),
		}},
		SecurityGroupEgress: denyAllEgress(),
		Tags:                nameTag("gitlab-" + g.name + "-db"),
	})
	var subnets []any
	for _, s := range *b.listParam(g.spec.DatabaseSubnetsParam) {
		subnets = append(subnets, s)
	}
	group := awsrds.NewCfnDBSubnetGroup(b.st, id(p, "DatabaseSubnets"), &awsrds.CfnDBSubnetGroupProps{
		DbSubnetGroupDescription: str("GitLab " + g.name + " database subnets"),
		SubnetIds:                &subnets,
	})
	resolve := func(key string) *string {
		return awscdk.Fn_Join(str(""), &[]*string{str("{{resolve:secretsmanager:"), secret.Ref(), str(":SecretString:" + key + "}}")})
	}
	cluster := awsrds.NewCfnDBCluster(b.st, id(p, "Database"), &awsrds.CfnDBClusterProps{
		Engine:                      str("aurora-postgresql"),
		EngineVersion:               str(db.EngineVersion),
		DatabaseName:                str(stacks.AuroraDatabase),
		Port:                        num(stacks.AuroraPort),
		MasterUsername:              resolve("username"),
		MasterUserPassword:          resolve("password"),
		StorageEncrypted:            true,
		DeletionProtection:          true,
		BackupRetentionPeriod:       num(7),
		CopyTagsToSnapshot:          true,
		DbSubnetGroupName:           group.Ref(),
		VpcSecurityGroupIds:         &[]any{sg.AttrGroupId()},
		EnableCloudwatchLogsExports: &[]*string{str("postgresql")},
	})
	cluster.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	acknowledge(cluster, "RDS6", "GitLab connects to PostgreSQL with a password (from Secrets Manager); it has no support for IAM database authentication tokens.")
	writer := awsrds.NewCfnDBInstance(b.st, id(p, "DatabaseWriter"), &awsrds.CfnDBInstanceProps{
		Engine:              str("aurora-postgresql"),
		DbClusterIdentifier: cluster.Ref(),
		DbInstanceClass:     str(db.InstanceClass),
		PubliclyAccessible:  false,
	})
	writer.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	// Adds the endpoint to the secret, ready for rotation.
	awssecretsmanager.NewCfnSecretTargetAttachment(b.st, id(p, "DatabaseSecretAttachment"), &awssecretsmanager.CfnSecretTargetAttachmentProps{
		SecretId:   secret.Ref(),
		TargetId:   cluster.Ref(),
		TargetType: str("AWS::RDS::DBCluster"),
	})
	g.dbHost = cluster.AttrEndpointAddress()
	g.addSecretEnv(stacks.EnvDBPassword, secret, "password")
	g.waitFor = append(g.waitFor, writer)
}

// gitlabSES builds the SES identity GitLab sends from (with its DKIM
// records when the hosted zone holds the domain), an IAM user allowed to
// send from it and nothing else, and the secret holding that user's SMTP
// credentials. SES derives SMTP passwords from access keys, which plain
// CloudFormation cannot do without exposing the key, so the operator sets
// the secret's value once; the task reads it at start.
func (b *builder) gitlabSES(g *gitlabBuild) {
	p, smtp := g.p, g.spec.GitLab.SMTP
	identity := awsses.NewCfnEmailIdentity(b.st, id(p, "EmailIdentity"), &awsses.CfnEmailIdentityProps{
		EmailIdentity:  str(smtp.Domain),
		DkimAttributes: &awsses.CfnEmailIdentity_DkimAttributesProperty{SigningEnabled: true},
	})
	if zone := g.spec.GitLab.ALB.HostedZone; zone != nil && !zone.Private && inZone(smtp.Domain, zone.Name) {
		names := []*string{identity.AttrDkimDnsTokenName1(), identity.AttrDkimDnsTokenName2(), identity.AttrDkimDnsTokenName3()}
		values := []*string{identity.AttrDkimDnsTokenValue1(), identity.AttrDkimDnsTokenValue2(), identity.AttrDkimDnsTokenValue3()}
		for i := range names {
			awsroute53.NewCfnRecordSet(b.st, id(p, "DkimRecord", string(rune('1'+i))), &awsroute53.CfnRecordSetProps{
				HostedZoneId:    str(zone.ID),
				Name:            names[i],
				Type:            str("CNAME"),
				Ttl:             str("1800"),
				ResourceRecords: &[]*string{values[i]},
			})
		}
	}
	awsiam.NewCfnUser(b.st, id(p, "SmtpUser"), &awsiam.CfnUserProps{
		Policies: &[]any{&awsiam.CfnUser_PolicyProperty{
			PolicyName: str("send-from-" + smtp.Domain),
			PolicyDocument: policy(statement("Allow", []string{"ses:SendRawEmail"},
				b.arn("ses", "identity/"+smtp.Domain))),
		}},
	})
	secret := b.secret(p+"SmtpCredentials", "gitops/gitlab/"+g.name+"/smtp",
		"SES SMTP credentials of GitLab "+g.name+`: set username to an access key id of the stack's SmtpUser and password to its SES SMTP password`,
		`{"username":"set-me"}`, "password")
	acknowledge(secret, "SMG4", "The SES SMTP password is derived from the SMTP user's access key, so it is rotated by replacing that key and writing the new password here, not by Secrets Manager.")
	g.addSecretEnv(stacks.EnvSMTPUser, secret, "username")
	g.addSecretEnv(stacks.EnvSMTPPassword, secret, "password")
}

// inZone reports whether domain is zone or one of its subdomains.
func inZone(domain, zone string) bool {
	domain, zone = strings.TrimSuffix(domain, "."), strings.TrimSuffix(zone, ".")
	return domain == zone || strings.HasSuffix(domain, "."+zone)
}
