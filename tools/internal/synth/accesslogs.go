package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"

	"gitops/tools/internal/stacks"
)

// elbLogAccounts are the accounts Elastic Load Balancing writes access logs
// from in the regions opened before August 2022; the later regions use the
// log delivery service principal.
var elbLogAccounts = map[string]string{
	"us-east-1": "127311923021", "us-east-2": "033677994240", "us-west-1": "027434742980", "us-west-2": "797873946194",
	"af-south-1": "098369216593", "ap-east-1": "754344448648", "ap-southeast-3": "589379963580",
	"ap-south-1": "718504428378", "ap-northeast-3": "383597477331", "ap-northeast-2": "600734575887",
	"ap-southeast-1": "114774131450", "ap-southeast-2": "783225319266", "ap-northeast-1": "582318560864",
	"ca-central-1": "985666609251", "eu-central-1": "054676820928", "eu-west-1": "156460612806",
	"eu-west-2": "652711504416", "eu-south-1": "635631232127", "eu-west-3": "009996457667",
	"eu-north-1": "897822967062", "me-south-1": "076674570225", "sa-east-1": "507241528517",
	"us-gov-west-1": "048591011584", "us-gov-east-1": "190560391635",
	"cn-north-1": "638102146993", "cn-northwest-1": "037604701340",
}

// Prefixes of the log bucket: load balancers write under elb/, buckets
// under s3/<stack>/<bucket>/.
const (
	elbLogPrefix = "elb"
	s3LogPrefix  = "s3/"
)

// accessLogs builds the account and region's log bucket: retained,
// encrypted with S3's keys (the only encryption load balancer logs
// support), logs expiring after the retention, writable by the load
// balancers' log delivery and S3's server access logging of this account.
func (b *builder) accessLogs(spec *stacks.AccessLogsSpec) error {
	elb := map[string]any{"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}
	if acct, ok := elbLogAccounts[b.spec.Region]; ok {
		elb = map[string]any{"AWS": b.globalARN("iam", acct, "root")}
	}
	bucket := b.privateBucket("LogBucket", spec.Bucket, nil, false, spec.RetentionDays, func(bucket, objects *string) []map[string]any {
		return []map[string]any{
			{
				"Sid": "LoadBalancerAccessLogs", "Effect": "Allow", "Principal": elb, "Action": "s3:PutObject",
				"Resource": joinARN(bucket, "/"+elbLogPrefix+"/AWSLogs/"+b.spec.AccountID+"/*"),
			},
			{
				"Sid": "ServerAccessLogs", "Effect": "Allow", "Principal": map[string]any{"Service": "logging.s3.amazonaws.com"},
				"Action": "s3:PutObject", "Resource": joinARN(bucket, "/"+s3LogPrefix+"*"),
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": b.spec.AccountID}},
			},
		}
	})
	acknowledge(bucket, "S1", "This is the account and region's access log bucket; logging its own accesses into itself would log every log delivery, without end.")
	return nil
}

// logBucketAccess sends a bucket's server access logs to the account and
// region's log bucket, when the plan gives one.
func (b *builder) logBucketAccess(bucket awss3.CfnBucket, logicalID string) {
	if b.spec.AccessLogBucket == "" {
		return
	}
	bucket.SetLoggingConfiguration(&awss3.CfnBucket_LoggingConfigurationProperty{
		DestinationBucketName: str(b.spec.AccessLogBucket),
		LogFilePrefix:         str(s3LogPrefix + b.spec.Name + "/" + logicalID + "/"),
	})
}

// loadBalancerLogs are the attributes that send a load balancer's access
// logs to the account and region's log bucket.
func (b *builder) loadBalancerLogs() []any {
	if b.spec.AccessLogBucket == "" {
		b.fail("stack %s has a load balancer but no log bucket in the plan", b.spec.ID)
		return nil
	}
	attr := func(k, v string) any {
		return &awselasticloadbalancingv2.CfnLoadBalancer_LoadBalancerAttributeProperty{Key: str(k), Value: str(v)}
	}
	return []any{
		attr("access_logs.s3.enabled", "true"),
		attr("access_logs.s3.bucket", b.spec.AccessLogBucket),
		attr("access_logs.s3.prefix", elbLogPrefix),
	}
}
