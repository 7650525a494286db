package estate

import (
	"maps"
	"slices"
)

// regions lists the commercial AWS regions gitops knows, and whether
// CodePipeline can use a CodeConnections (formerly CodeStar Connections) host
// for a self-managed GitLab there. AWS documents the GitLab self-managed
// source action as unavailable in Hong Kong, Hyderabad, Jakarta, Melbourne,
// Osaka, Cape Town, Bahrain, UAE, Spain, Zurich and Tel Aviv; regions opened
// after that note (Calgary, Malaysia, Thailand, Mexico, Taipei, New Zealand)
// are not listed as offering it either, so they count as without until AWS
// says otherwise. Milan offers it through a region-specific app.
var regions = map[string]bool{
	"us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
	"af-south-1": false,
	"ap-east-1":  false, "ap-east-2": false,
	"ap-south-1": true, "ap-south-2": false,
	"ap-southeast-1": true, "ap-southeast-2": true, "ap-southeast-3": false, "ap-southeast-4": false,
	"ap-southeast-5": false, "ap-southeast-6": false, "ap-southeast-7": false,
	"ap-northeast-1": true, "ap-northeast-2": true, "ap-northeast-3": false,
	"ca-central-1": true, "ca-west-1": false,
	"eu-central-1": true, "eu-central-2": false, "eu-west-1": true, "eu-west-2": true, "eu-west-3": true,
	"eu-south-1": true, "eu-south-2": false, "eu-north-1": true,
	"il-central-1": false, "me-south-1": false, "me-central-1": false, "mx-central-1": false,
	"sa-east-1": true,
}

// KnownRegion reports whether name is an AWS region gitops knows.
func KnownRegion(name string) bool {
	_, ok := regions[name]
	return ok
}

// CodeConnectionsRegion reports whether CodePipeline can reach a self-managed
// GitLab through a CodeConnections host in region.
func CodeConnectionsRegion(name string) bool {
	return regions[name]
}

// Regions lists the known region names, sorted.
func Regions() []string {
	return slices.Sorted(maps.Keys(regions))
}
