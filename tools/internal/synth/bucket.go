package synth

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
)

// privateBucket makes a retained bucket that is never public, owned by its
// account alone (no ACLs), encrypted (with kmsKey when given, else S3's
// keys), and whose objects expire after expireDays (0: never). Its policy
// refuses requests without TLS, and adds the statements extra returns for
// the bucket's ARN and its objects' (extra may be nil).
func (b *builder) privateBucket(logicalID, name string, kmsKey *string, versioned bool, expireDays int, extra func(bucket, objects *string) []map[string]any) awss3.CfnBucket {
	enc := &awss3.CfnBucket_ServerSideEncryptionByDefaultProperty{SseAlgorithm: str("AES256")}
	if kmsKey != nil {
		enc = &awss3.CfnBucket_ServerSideEncryptionByDefaultProperty{SseAlgorithm: str("aws:kms"), KmsMasterKeyId: kmsKey}
	}
	rule := &awss3.CfnBucket_RuleProperty{
		Id:                             str("expire"),
		Status:                         str("Enabled"),
		AbortIncompleteMultipartUpload: &awss3.CfnBucket_AbortIncompleteMultipartUploadProperty{DaysAfterInitiation: num(7)},
	}
	if expireDays > 0 {
		rule.ExpirationInDays = num(expireDays)
	}
	if versioned {
		rule.NoncurrentVersionExpiration = &awss3.CfnBucket_NoncurrentVersionExpirationProperty{NoncurrentDays: num(30)}
	}
	props := &awss3.CfnBucketProps{
		BucketEncryption: &awss3.CfnBucket_BucketEncryptionProperty{
			ServerSideEncryptionConfiguration: &[]any{&awss3.CfnBucket_ServerSideEncryptionRuleProperty{
				ServerSideEncryptionByDefault: enc,
				BucketKeyEnabled:              kmsKey != nil,
			}},
		},
		PublicAccessBlockConfiguration: &awss3.CfnBucket_PublicAccessBlockConfigurationProperty{
			BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
		},
		OwnershipControls: &awss3.CfnBucket_OwnershipControlsProperty{
			Rules: &[]any{&awss3.CfnBucket_OwnershipControlsRuleProperty{ObjectOwnership: str("BucketOwnerEnforced")}},
		},
		LifecycleConfiguration: &awss3.CfnBucket_LifecycleConfigurationProperty{Rules: &[]any{rule}},
	}
	if name != "" {
		props.BucketName = str(name)
	}
	if versioned {
		props.VersioningConfiguration = &awss3.CfnBucket_VersioningConfigurationProperty{Status: str("Enabled")}
	}
	bucket := awss3.NewCfnBucket(b.st, str(logicalID), props)
	bucket.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	b.logBucketAccess(bucket, logicalID)
	objects := awscdk.Fn_Join(str(""), &[]*string{bucket.AttrArn(), str("/*")})
	statements := []map[string]any{{
		"Sid": "DenyWithoutTLS", "Effect": "Deny", "Principal": map[string]any{"AWS": "*"}, "Action": "s3:*",
		"Resource":  []any{bucket.AttrArn(), objects},
		"Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
	}}
	if extra != nil {
		statements = append(statements, extra(bucket.AttrArn(), objects)...)
	}
	awss3.NewCfnBucketPolicy(b.st, str(logicalID+"Policy"), &awss3.CfnBucketPolicyProps{
		Bucket:         b.ref(bucket),
		PolicyDocument: policy(statements...),
	})
	return bucket
}
