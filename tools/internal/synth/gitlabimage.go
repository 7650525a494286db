package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"

	"gitops/tools/internal/stacks"
)

// ecrLifecyclePolicy expires untagged images after two weeks and keeps the
// twenty newest tagged ones.
const ecrLifecyclePolicy = `{"rules":[` +
	`{"rulePriority":1,"description":"expire untagged images after 14 days","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}},` +
	`{"rulePriority":2,"description":"keep the 20 newest images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":20},"action":{"type":"expire"}}` +
	`]}`

// gitlabImage builds the repository GitLab's image is pulled from: a
// private repository with immutable tags, scan on push and a lifecycle
// policy that apply copies the pinned image into, or a pull-through cache
// rule for Docker Hub whose repositories get the same settings.
func (b *builder) gitlabImage(spec *stacks.GitLabImageSpec) error {
	p := spec.ID
	if spec.SMTP != nil {
		b.gitlabSMTPUser(spec)
	}
	if !spec.PullThroughCache {
		repo := awsecr.NewCfnRepository(b.st, id(p, "Repository"), &awsecr.CfnRepositoryProps{
			RepositoryName:             str(spec.Repository),
			ImageTagMutability:         str("IMMUTABLE"),
			ImageScanningConfiguration: &awsecr.CfnRepository_ImageScanningConfigurationProperty{ScanOnPush: true},
			EncryptionConfiguration:    &awsecr.CfnRepository_EncryptionConfigurationProperty{EncryptionType: str("AES256")},
			LifecyclePolicy:            &awsecr.CfnRepository_LifecyclePolicyProperty{LifecyclePolicyText: str(ecrLifecyclePolicy)},
		})
		repo.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
		b.offer(stacks.ImageRepositoryOutput(spec.Name), repo.AttrRepositoryUri())
		return nil
	}
	// Docker Hub requires authentication for pull-through caches: the
	// secret is created here and its value set by the operator (a Docker
	// Hub user name and access token), never written in a template.
	cred := awssecretsmanager.NewCfnSecret(b.st, id(p, "DockerHubCredentials"), &awssecretsmanager.CfnSecretProps{
		// ECR finds pull-through credentials under this prefix only.
		Name:        str("ecr-pullthroughcache/" + spec.Repository + "-docker-hub"),
		Description: str("Docker Hub credentials of the ECR pull-through cache for GitLab " + spec.Name + `: set {"username": "…", "accessToken": "…"}`),
		GenerateSecretString: &awssecretsmanager.CfnSecret_GenerateSecretStringProperty{
			SecretStringTemplate: str(`{"username":"set-me"}`),
			GenerateStringKey:    str("accessToken"),
			ExcludePunctuation:   true,
		},
	})
	acknowledge(cred, "SMG4", "The value is a Docker Hub access token an operator sets; Docker Hub offers Secrets Manager no way to rotate it, so the operator replaces the token in Docker Hub and here.")
	cred.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	rule := awsecr.NewCfnPullThroughCacheRule(b.st, id(p, "PullThroughCacheRule"), &awsecr.CfnPullThroughCacheRuleProps{
		EcrRepositoryPrefix: str(spec.Repository),
		UpstreamRegistry:    str("docker-hub"),
		UpstreamRegistryUrl: str("registry-1.docker.io"),
		CredentialArn:       b.ref(cred),
	})
	template := awsecr.NewCfnRepositoryCreationTemplate(b.st, id(p, "RepositoryTemplate"), &awsecr.CfnRepositoryCreationTemplateProps{
		Prefix:             str(spec.Repository),
		AppliedFor:         &[]*string{str("PULL_THROUGH_CACHE")},
		Description:        str("Repositories the pull-through cache creates for GitLab " + spec.Name),
		ImageTagMutability: str("IMMUTABLE"),
		LifecyclePolicy:    str(ecrLifecyclePolicy),
		EncryptionConfiguration: &awsecr.CfnRepositoryCreationTemplate_EncryptionConfigurationProperty{
			EncryptionType: str("AES256"),
		},
	})
	template.Node().AddDependency(rule)
	b.offer(stacks.ImageRepositoryOutput(spec.Name), awscdk.Fn_Join(str(""), &[]*string{
		str(b.spec.AccountID + ".dkr.ecr." + b.spec.Region + "."), awscdk.Aws_URL_SUFFIX(), str("/" + spec.Repository + "/" + spec.Upstream),
	}))
	return nil
}

// gitlabSMTPUser builds the IAM user GitLab sends mail through SES as,
// allowed to send from GitLab's domain identity and nothing else, and the
// secret its SMTP credentials go in. SES derives an SMTP password from an
// access key's secret, which CloudFormation cannot do without writing the
// key into the template, so the secret starts with a generated value and
// apply (gitops gitlab smtp-credentials) replaces it with the user's access
// key id and derived password before GitLab's first task starts.
func (b *builder) gitlabSMTPUser(spec *stacks.GitLabImageSpec) {
	p, smtp := spec.ID, spec.SMTP
	awsiam.NewCfnUser(b.st, id(p, "SmtpUser"), &awsiam.CfnUserProps{
		UserName: str(smtp.User),
		Policies: &[]any{&awsiam.CfnUser_PolicyProperty{
			PolicyName: str("send-from-" + smtp.Domain),
			PolicyDocument: policy(statement("Allow", []string{"ses:SendRawEmail"},
				b.arn("ses", "identity/"+smtp.Domain))),
		}},
	})
	secret := b.secret(p+"SmtpCredentials", smtp.Secret,
		"SES SMTP credentials of GitLab's user "+smtp.User+": written by gitops gitlab smtp-credentials (apply runs it)", "", "")
	acknowledge(secret, "SMG4", "SES derives the SMTP password from the SMTP user's access key: gitops gitlab smtp-credentials (apply runs it) rotates it by making a new key and writing its password here, which Secrets Manager's rotation cannot do.")
	b.offer(stacks.GitLabSMTPSecretOutput(spec.Name), b.ref(secret))
}
