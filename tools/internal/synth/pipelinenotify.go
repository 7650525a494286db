package synth

import (
	_ "embed"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodestarnotifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"

	"gitops/tools/internal/stacks"
)

// chatCode is the chat function's Python source; it goes inline into the
// template (ZipFile), so the template deploys without an asset bucket.
//
//go:embed chat/notify.py
var chatCode string

// chatRuntime is the chat function's runtime: current, and one whose
// inline ZipFile code cfn-lint accepts.
const chatRuntime = "python3.14"

// notificationEvents are the pipeline events people hear about.
var notificationEvents = []string{
	"codepipeline-pipeline-manual-approval-needed",
	"codepipeline-pipeline-pipeline-execution-succeeded",
	"codepipeline-pipeline-pipeline-execution-failed",
}

// pipelineTopic is the encrypted topic of the approvals and notifications,
// with its email subscriptions; CodeStar Notifications may publish to it.
func (b *builder) pipelineTopic(pb *pipelineBuild) *string {
	n := pb.spec.Notifications
	topic := awssns.NewCfnTopic(b.st, id(pb.p, "Topic"), &awssns.CfnTopicProps{
		TopicName:      str(n.TopicName),
		DisplayName:    str("gitops pipeline " + pb.spec.Name),
		KmsMasterKeyId: pb.key.AttrArn(),
	})
	awssns.NewCfnTopicPolicy(b.st, id(pb.p, "TopicPolicy"), &awssns.CfnTopicPolicyProps{
		Topics: &[]*string{b.ref(topic)},
		PolicyDocument: policy(map[string]any{
			"Sid": "NotificationsPublish", "Effect": "Allow",
			"Principal": map[string]any{"Service": "codestar-notifications.amazonaws.com"},
			"Action":    "sns:Publish", "Resource": b.ref(topic),
			"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": b.spec.AccountID}},
		}),
	})
	for i, email := range n.Emails {
		awssns.NewCfnSubscription(b.st, id(pb.p, "Email", strconv.Itoa(i+1)), &awssns.CfnSubscriptionProps{
			TopicArn: b.ref(topic), Protocol: str("email"), Endpoint: str(email),
		})
	}
	if n.Chat != nil {
		b.chatFunction(pb, b.ref(topic), n.Chat)
	}
	return b.ref(topic)
}

// pipelineNotifications sends the pipeline's approvals-needed, successes
// and failures to the topic.
func (b *builder) pipelineNotifications(pb *pipelineBuild, pl awscodepipeline.CfnPipeline) {
	rule := awscodestarnotifications.NewCfnNotificationRule(b.st, id(pb.p, "NotificationRule"), &awscodestarnotifications.CfnNotificationRuleProps{
		Name:         str(pb.spec.Notifications.RuleName),
		DetailType:   str("FULL"),
		Resource:     pb.arn,
		EventTypeIds: strs(notificationEvents),
		Targets: &[]any{&awscodestarnotifications.CfnNotificationRule_TargetProperty{
			TargetType: str("SNS"), TargetAddress: pb.topic,
		}},
	})
	rule.Node().AddDependency(pl)
}

// chatFunction subscribes a small function to the topic that posts each
// message to the chat webhook; it reads the webhook's URL from the secret
// at run time and may read nothing else.
func (b *builder) chatFunction(pb *pipelineBuild, topic *string, chat *stacks.ChatSpec) {
	logs := awslogs.NewCfnLogGroup(b.st, id(pb.p, "ChatLogs"), &awslogs.CfnLogGroupProps{
		LogGroupName: str("/aws/lambda/" + chat.FunctionName), RetentionInDays: num(stacks.DefaultLogRetentionDays),
	})
	role := awsiam.NewCfnRole(b.st, id(pb.p, "ChatRole"), &awsiam.CfnRoleProps{
		Description:              str("Posts pipeline " + pb.spec.Name + "'s notifications to " + chat.Kind),
		AssumeRolePolicyDocument: serviceTrust("lambda.amazonaws.com", b.spec.AccountID),
		Policies: &[]any{&awsiam.CfnRole_PolicyProperty{
			PolicyName: str("post-to-chat"),
			PolicyDocument: policy(
				statement("Allow", []string{"logs:CreateLogStream", "logs:PutLogEvents"}, logs.AttrArn()),
				statement("Allow", []string{"secretsmanager:GetSecretValue"},
					b.partitionARN(chat.SecretResource)),
			),
		}},
	})
	fn := awslambda.NewCfnFunction(b.st, id(pb.p, "ChatFunction"), &awslambda.CfnFunctionProps{
		FunctionName: str(chat.FunctionName),
		Description:  str("Posts pipeline " + pb.spec.Name + "'s notifications to a " + chat.Kind + " webhook"),
		Runtime:      str(chatRuntime),
		Handler:      str("index.handler"),
		Code:         &awslambda.CfnFunction_CodeProperty{ZipFile: str(chatCode)},
		Role:         role.AttrArn(),
		Timeout:      num(15),
		MemorySize:   num(128),
		Environment: &awslambda.CfnFunction_EnvironmentProperty{Variables: map[string]any{
			"WEBHOOK_SECRET": chat.Secret, "CHAT_KIND": chat.Kind,
		}},
	})
	fn.Node().AddDependency(logs)
	awslambda.NewCfnPermission(b.st, id(pb.p, "ChatInvoke"), &awslambda.CfnPermissionProps{
		Action: str("lambda:InvokeFunction"), FunctionName: fn.AttrArn(),
		Principal: str("sns.amazonaws.com"), SourceArn: topic,
	})
	awssns.NewCfnSubscription(b.st, id(pb.p, "ChatSubscription"), &awssns.CfnSubscriptionProps{
		TopicArn: topic, Protocol: str("lambda"), Endpoint: fn.AttrArn(),
	})
}
