package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsses"

	"gitops/tools/internal/gitlabrb"
)

// gitlabAurora builds GitLab's external database: an encrypted, retained
// Aurora PostgreSQL cluster with one writer, reachable from the tasks only,
// its master password generated into a retained secret that CloudFormation
// resolves at deploy time and ECS injects at run time.
func (b *builder) gitlabAurora(g *gitlabBuild) {
	p, db := g.p, g.spec.Aurora
	secret := b.secret(p+"DatabaseSecret", "gitops/gitlab/"+g.name+"/database",
		"Master user of GitLab "+g.name+"'s Aurora cluster", `{"username":"`+gitlabrb.AuroraUser+`"}`, "password")
	acknowledge(secret, "SMG4", "Rotating it takes a Lambda rotation function, which the templates do not carry (no Lambda-backed resources); the secret is attached to the cluster, ready for rotation once one is added, and only GitLab's task execution role reads it.")
	sg := awsec2.NewCfnSecurityGroup(b.st, id(p, "DatabaseSecurityGroup"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: str("GitLab " + g.name + " database: PostgreSQL from the GitLab tasks"),
		VpcId:            g.vpc,
		SecurityGroupIngress: &[]any{&awsec2.CfnSecurityGroup_IngressProperty{
			IpProtocol: str("tcp"), FromPort: num(gitlabrb.AuroraPort), ToPort: num(gitlabrb.AuroraPort),
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
		return awscdk.Fn_Join(str(""), &[]*string{str("{{resolve:secretsmanager:"), b.ref(secret), str(":SecretString:" + key + "}}")})
	}
	cluster := awsrds.NewCfnDBCluster(b.st, id(p, "Database"), &awsrds.CfnDBClusterProps{
		Engine:                      str("aurora-postgresql"),
		EngineVersion:               str(db.EngineVersion),
		DatabaseName:                str(gitlabrb.AuroraDatabase),
		Port:                        num(gitlabrb.AuroraPort),
		MasterUsername:              resolve("username"),
		MasterUserPassword:          resolve("password"),
		StorageEncrypted:            true,
		DeletionProtection:          true,
		BackupRetentionPeriod:       num(7),
		CopyTagsToSnapshot:          true,
		DbSubnetGroupName:           b.ref(group),
		VpcSecurityGroupIds:         &[]any{sg.AttrGroupId()},
		EnableCloudwatchLogsExports: &[]*string{str("postgresql")},
	})
	cluster.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	acknowledge(cluster, "RDS6", "GitLab connects to PostgreSQL with a password (from Secrets Manager); it has no support for IAM database authentication tokens.")
	writer := awsrds.NewCfnDBInstance(b.st, id(p, "DatabaseWriter"), &awsrds.CfnDBInstanceProps{
		Engine:              str("aurora-postgresql"),
		DbClusterIdentifier: b.ref(cluster),
		DbInstanceClass:     str(db.InstanceClass),
		PubliclyAccessible:  false,
	})
	writer.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	// Adds the endpoint to the secret, ready for rotation.
	awssecretsmanager.NewCfnSecretTargetAttachment(b.st, id(p, "DatabaseSecretAttachment"), &awssecretsmanager.CfnSecretTargetAttachmentProps{
		SecretId:   b.ref(secret),
		TargetId:   b.ref(cluster),
		TargetType: str("AWS::RDS::DBCluster"),
	})
	g.dbHost = cluster.AttrEndpointAddress()
	g.addSecretEnv(gitlabrb.EnvDBPassword, secret, "password")
	g.waitFor = append(g.waitFor, writer)
}

// gitlabSES builds the SES domain identity GitLab sends from, with Easy
// DKIM and its three CNAME records in the public hosted zone when that
// zone holds the domain, and lets the task read the SMTP credentials'
// secret. The IAM user and the secret live in the image stack: apply gives
// the user an access key and derives its SES SMTP password into the secret
// before this stack's task first starts (gitops gitlab smtp-credentials).
func (b *builder) gitlabSES(g *gitlabBuild) {
	p, ses := g.p, g.spec.SES
	identity := awsses.NewCfnEmailIdentity(b.st, id(p, "EmailIdentity"), &awsses.CfnEmailIdentityProps{
		EmailIdentity:  str(ses.Domain),
		DkimAttributes: &awsses.CfnEmailIdentity_DkimAttributesProperty{SigningEnabled: true},
	})
	if ses.DKIMZoneID != "" {
		names := []*string{identity.AttrDkimDnsTokenName1(), identity.AttrDkimDnsTokenName2(), identity.AttrDkimDnsTokenName3()}
		values := []*string{identity.AttrDkimDnsTokenValue1(), identity.AttrDkimDnsTokenValue2(), identity.AttrDkimDnsTokenValue3()}
		for i := range names {
			awsroute53.NewCfnRecordSet(b.st, id(p, "DkimRecord", string(rune('1'+i))), &awsroute53.CfnRecordSetProps{
				HostedZoneId:    str(ses.DKIMZoneID),
				Name:            names[i],
				Type:            str("CNAME"),
				Ttl:             str("1800"),
				ResourceRecords: &[]*string{values[i]},
			})
		}
	}
	secret := b.param(ses.SecretParam)
	g.addSecretEnvARN(gitlabrb.EnvSMTPUser, secret, "username")
	g.addSecretEnvARN(gitlabrb.EnvSMTPPassword, secret, "password")
}
