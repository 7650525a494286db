package stacks

import (
	"maps"
	"slices"
)

// AccessLogsSpec is the log bucket of an account and region: the load
// balancers' access logs and the buckets' server access logs go there.
type AccessLogsSpec struct {
	// Bucket is the bucket's name, fixed (AccessLogBucketName) so the
	// stacks writing to it name it without a parameter.
	Bucket string `json:"bucket"`
	// RetentionDays is how long a log is kept.
	RetentionDays int `json:"retentionDays"`
}

// AccessLogRetentionDays keeps access logs for a year and a month: a year
// of history for an audit, and the month it takes to ask for it.
const AccessLogRetentionDays = 400

// AccessLogBucketName is the log bucket of an account and region.
func AccessLogBucketName(accountID, region string) string {
	return "gitops-logs-" + accountID + "-" + region
}

// logWriters are the stack kinds with load balancers or buckets, whose
// logs go to the account and region's log bucket.
var logWriters = []Kind{KindGitLab, KindImageRecipe, KindPipeline, KindApplication}

// planAccessLogs makes a log bucket stack in each account and region
// holding a stack that writes logs, and makes those stacks wait for it.
func (p *planner) planAccessLogs() {
	for _, id := range slices.Sorted(maps.Keys(p.stacks)) {
		s := p.stacks[id]
		if !slices.Contains(logWriters, s.Kind) {
			continue
		}
		logs := p.stacks[StackID(s.Account, s.Region, accessLogsStack)]
		if logs == nil {
			if logs = p.newStack(KindAccessLogs, s.Account, s.Region, accessLogsStack); logs == nil {
				continue
			}
			logs.AccessLogs = &AccessLogsSpec{Bucket: AccessLogBucketName(s.AccountID, s.Region), RetentionDays: AccessLogRetentionDays}
		}
		s.AccessLogBucket = logs.AccessLogs.Bucket
		p.dependOn(s, logs)
	}
}

const accessLogsStack = "access-logs"
