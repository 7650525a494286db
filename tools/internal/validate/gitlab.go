package validate

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/mail"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gitops/tools/internal/diag"
	"gitops/tools/internal/estate"
	"gitops/tools/internal/gitlabrb"
)

// checkGitLabs checks each GitLab service: where it runs, its Fargate size,
// image, network (including the VPC endpoints it needs when its subnets have
// no way out), load balancer, database, mail, EFS and gitlab.rb settings,
// and that an account and region run at most one GitLab.
func (c *checker) checkGitLabs() {
	perRegion := map[string]*estate.GitLab{}
	for _, g := range c.e.GitLabs {
		if g.Name != "" && !gitlabNamePattern.MatchString(g.Name) {
			c.report(diag.Errorf(g.Pos("name"), "gitlab-name", "GitLab name %q is not a lowercase name of at most 31 characters", g.Name).
				WithHint("use lowercase letters, digits and dashes, starting with a letter"))
		}
		if a, ok := c.placement(&g.Doc, "account", g.Account, "region", g.Region); ok && a.Role == "workload" {
			c.report(diag.Warningf(g.Pos("account"), "gitlab-account-role", "GitLab %s runs in workload account %s", g.Name, a.Name).
				WithHint("GitLab normally lives in the tooling account, next to the pipelines that read its mirrors"))
		}
		if g.Account != "" && g.Region != "" {
			key := g.Account + "/" + g.Region
			if first, ok := perRegion[key]; ok {
				c.report(diag.Errorf(g.Pos("region"), "gitlab-per-region", "GitLab %s is the second GitLab in account %s, region %s", g.Name, g.Account, g.Region).
					WithRelated(first.Pos("name"), "GitLab %s is declared here", first.Name).
					WithHint("run one GitLab per account and region"))
			} else {
				perRegion[key] = g
			}
		}
		c.checkGitLabSize(g)
		c.checkGitLabImage(g)
		vpc, tier := c.checkGitLabNetwork(g)
		c.checkGitLabALB(g, vpc)
		c.checkGitLabDatabase(g, vpc)
		c.checkGitLabSMTP(g)
		c.checkGitLabSMTPPort(g, vpc, gitlabrb.SMTPPort, estate.InterfaceEndpointPorts("email-smtp"))
		c.checkGitLabEFS(g)
		c.checkGitLabRb(g)
		if g.RootEmail != "" && !emailAddress(g.RootEmail) {
			c.report(diag.Errorf(g.Pos("rootEmail"), "gitlab-root-email", "%q is not an email address", g.RootEmail).
				WithHint("write the bare address, e.g. gitlab-admin@example.com"))
		}
		if g.Has("logRetentionDays") && !slices.Contains(logRetentionDays, g.LogRetentionDays) {
			c.report(diag.Errorf(g.Pos("logRetentionDays"), "gitlab-log-retention", "CloudWatch Logs cannot keep logs for %d days", g.LogRetentionDays).
				WithHint("use one of %s", joinInts(logRetentionDays)))
		}
		if vpc.VPC != nil && tier != nil && gitlabNeedsEndpoints(vpc.VPC, tier) {
			c.checkGitLabEndpoints(g, vpc, tier)
			if g.Image.Source == "pullThroughCache" {
				c.report(diag.Warningf(g.Pos("image.source"), "gitlab-image-offline", "GitLab %s has no internet access but takes its image through an ECR pull-through cache", g.Name).
					WithHint("that works while ECR can reach Docker Hub (with Docker Hub credentials in an ecr-pullthroughcache/ secret) on the first pull of each tag; source: ecrCopy keeps the image in the account and needs neither"))
			}
		}
	}
}

var (
	gitlabNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
)

// gitlabMinMemory is GitLab's minimum memory in MiB.
const gitlabMinMemory = 6144

// fargateMemory is the memory Fargate allows per CPU size, in MiB:
// from min to max in steps.
var fargateMemory = map[int]struct{ min, max, step int }{
	1024:  {2048, 8192, 1024},
	2048:  {4096, 16384, 1024},
	4096:  {8192, 30720, 1024},
	8192:  {16384, 61440, 4096},
	16384: {32768, 122880, 8192},
}

func (c *checker) checkGitLabSize(g *estate.GitLab) {
	if !g.Has("cpu") || !g.Has("memory") {
		return // the loader reports the missing key
	}
	r, ok := fargateMemory[g.CPU]
	if !ok {
		c.report(diag.Errorf(g.Pos("cpu"), "gitlab-cpu", "cpu %d is not a Fargate size GitLab can run on", g.CPU).
			WithHint("use 2048 (2 vCPU, the usual size), 4096, 8192 or 16384; 1024 is the smallest size that fits 6 GiB"))
		return
	}
	if g.Memory < gitlabMinMemory {
		c.report(diag.Errorf(g.Pos("memory"), "gitlab-memory-min", "memory %d MiB is below the %d MiB GitLab needs", g.Memory, gitlabMinMemory).
			WithHint("with cpu %d use at least %d", g.CPU, max(gitlabMinMemory, r.min)))
		return
	}
	if g.Memory < r.min || g.Memory > r.max || (g.Memory-r.min)%r.step != 0 {
		c.report(diag.Errorf(g.Pos("memory"), "gitlab-memory", "Fargate does not offer %d MiB with cpu %d", g.Memory, g.CPU).
			WithHint("with cpu %d memory goes from %d to %d MiB in steps of %d", g.CPU, r.min, r.max, r.step))
	}
}

var (
	imageTagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	// movingTags name whatever was built last rather than a release.
	movingTags = []string{"latest", "nightly", "rc", "stable", "edge", "main", "master", "beta", "alpha", "dev", "test", "canary"}
)

func (c *checker) checkGitLabImage(g *estate.GitLab) {
	img := g.Image
	if repo := img.Repository; repo != "" {
		last := repo[strings.LastIndex(repo, "/")+1:]
		if strings.Contains(repo, "@") || strings.Contains(last, ":") {
			c.report(diag.Errorf(g.Pos("image.repository"), "gitlab-image-repository", "image repository %q carries a tag or digest", repo).
				WithHint("give the bare repository (e.g. gitlab/gitlab-ce) and put the version in image.tag"))
		}
	}
	switch img.Source {
	case "ecrCopy", "pullThroughCache", "":
	default:
		c.report(diag.Errorf(g.Pos("image.source"), "gitlab-image-source", "image source %q is neither ecrCopy nor pullThroughCache", img.Source).
			WithHint("%s", cmp.Or(diag.DidYouMean(img.Source, []string{"ecrCopy", "pullThroughCache"}), "ecrCopy copies the image into ECR; pullThroughCache uses an ECR pull-through cache rule")))
	}
	if !g.Has("image.tag") {
		return
	}
	tag := img.Tag
	switch {
	case strings.ContainsAny(tag, "@:"):
		// The copy into ECR is tagged with this value, and ECR's immutable
		// tags already pin it: a digest has no place to go.
		c.report(diag.Errorf(g.Pos("image.tag"), "gitlab-image-tag", "image tag %q carries a digest", tag).
			WithHint("give the release tag alone, e.g. 17.5.1-ce.0; the ECR copy keeps it immutable"))
	case tag == "":
		c.report(diag.Errorf(g.Pos("image.tag"), "gitlab-image-tag", "image tag is empty").
			WithHint("pin a GitLab release, e.g. tag: 17.5.1-ce.0"))
	case !imageTagPattern.MatchString(tag):
		c.report(diag.Errorf(g.Pos("image.tag"), "gitlab-image-tag", "%q is not a valid image tag", tag).
			WithHint("tags are up to 128 letters, digits, _ . and -, e.g. 17.5.1-ce.0"))
	case slices.Contains(movingTags, strings.ToLower(tag)) || !strings.ContainsAny(tag, "0123456789"):
		c.report(diag.Errorf(g.Pos("image.tag"), "gitlab-image-tag-moving", "image tag %q moves with every release", tag).
			WithHint("pin a release such as 17.5.1-ce.0; GitLab must be upgraded one supported step at a time, never by a moving tag"))
	}
}

// checkGitLabNetwork checks the tasks' VPC and subnet tier and returns them
// when they resolve.
func (c *checker) checkGitLabNetwork(g *estate.GitLab) (estate.VPCRef, *estate.SubnetTier) {
	ref, ok := c.vpc(&g.Doc, "network.vpc", g.Network.VPC)
	if !ok {
		return estate.VPCRef{}, nil
	}
	if ref.Network.Account != g.Account || ref.Network.Region != g.Region {
		c.report(diag.Errorf(g.Pos("network.vpc"), "gitlab-vpc-placement", "VPC %s is in account %s, region %s, but GitLab %s runs in account %s, region %s",
			ref.VPC.Name, ref.Network.Account, ref.Network.Region, g.Name, g.Account, g.Region).
			WithHint("use a VPC declared for %s in %s, or move GitLab there", g.Account, g.Region))
		return estate.VPCRef{}, nil
	}
	tier, ok := c.subnetTier(&g.Doc, "network.subnets", ref, g.Network.Subnets)
	if !ok {
		return ref, nil
	}
	if tier.Type == "public" {
		c.report(diag.Errorf(g.Pos("network.subnets"), "gitlab-subnets-public", "GitLab's tasks would run in public subnet tier %s", tier.Name).
			WithHint("run the tasks in a private tier; only the load balancer may sit in public subnets"))
	}
	return ref, tier
}

// gitlabNeedsEndpoints reports whether GitLab's tasks reach AWS services
// only through VPC endpoints: no egress, or an isolated tier.
func gitlabNeedsEndpoints(vpc *estate.VPC, tier *estate.SubnetTier) bool {
	return vpc.Egress.Type == "none" || tier.Type == "isolated"
}

// gitlabEndpoint is a VPC endpoint GitLab's task needs without egress.
type gitlabEndpoint struct {
	service, kind, why string
}

// gitlabEndpoints lists what the task needs whatever its settings.
var gitlabEndpoints = []gitlabEndpoint{
	{"ecr.api", "interface", "to authenticate its image pull"},
	{"ecr.dkr", "interface", "to pull its image"},
	{"s3", "gateway", "to fetch image layers, which ECR keeps in S3"},
	{"logs", "interface", "to send its logs to CloudWatch"},
	{"secretsmanager", "interface", "to read the root password"},
	{"sts", "interface", "to assume its task role"},
	{"elasticfilesystem", "interface", "to mount its EFS file system with IAM authorization"},
}

func (c *checker) checkGitLabEndpoints(g *estate.GitLab, ref estate.VPCRef, tier *estate.SubnetTier) {
	need := slices.Clone(gitlabEndpoints)
	if g.ECSExecEnabled() {
		need = append(need, gitlabEndpoint{"ssmmessages", "interface", "for ECS Exec (ecsExec is on unless set to false)"})
	}
	if g.SMTP.Type == "ses" {
		need = append(need, gitlabEndpoint{"email-smtp", "interface", "to send mail through SES"})
	}
	why := "has no egress"
	if ref.VPC.Egress.Type != "none" {
		why = fmt.Sprintf("runs GitLab %s in isolated subnet tier %s", g.Name, tier.Name)
	}
	for _, e := range need {
		c.requireEndpoint(ref, "gitlab-endpoint-missing", e.service, e.kind, fmt.Sprintf("VPC %s %s, so GitLab %s needs the %s %s endpoint %s", ref.VPC.Name, why, g.Name, e.service, e.kind, e.why))
	}
}

// checkGitLabSMTPPort ties the port gitlab.rb submits mail on to the ports
// the VPC's email-smtp endpoint admits: mail through an endpoint whose
// security group refuses the port times out, with nothing in GitLab's UI.
func (c *checker) checkGitLabSMTPPort(g *estate.GitLab, ref estate.VPCRef, port int, admitted []int) {
	if g.SMTP.Type != "ses" || ref.VPC == nil || !slices.Contains(ref.VPC.Endpoints.Interface, "email-smtp") || slices.Contains(admitted, port) {
		return
	}
	c.report(diag.Errorf(g.Pos("smtp.type"), "gitlab-smtp-endpoint-port", "GitLab %s submits mail on port %d, but VPC %s's email-smtp endpoint admits only %s", g.Name, port, ref.VPC.Name, joinInts(admitted)).
		WithHint("gitlab.rb's smtp_port (gitlabrb.SMTPPort) and the endpoint's ports (estate.InterfaceEndpointPorts) must agree; this is a gitops defect, please report it"))
}

// requireEndpoint reports msg under rule at the VPC's endpoint list when the
// VPC lacks the endpoint.
func (c *checker) requireEndpoint(ref estate.VPCRef, rule, service, kind, msg string) {
	list := ref.VPC.Endpoints.Interface
	if kind == "gateway" {
		list = ref.VPC.Endpoints.Gateway
	}
	// Full com.amazonaws.<region>.x names are refused by the network checks,
	// so the short name is the only form to look for.
	if slices.Contains(list, service) {
		return
	}
	path := ref.Path + ".endpoints." + kind
	c.report(diag.Errorf(ref.Network.Pos(path), rule, "%s", msg).
		WithHint("add `- %s` under endpoints.%s of VPC %s in %s", service, kind, ref.VPC.Name, ref.Network.File))
}

func (c *checker) checkGitLabALB(g *estate.GitLab, vpc estate.VPCRef) {
	alb := g.ALB
	switch alb.Scheme {
	case "", "internal", "internet-facing":
	default:
		c.report(diag.Errorf(g.Pos("alb.scheme"), "gitlab-alb-scheme", "load balancer scheme %q is neither internal nor internet-facing", alb.Scheme).
			WithHint("%s", cmp.Or(diag.DidYouMean(alb.Scheme, []string{"internal", "internet-facing"}), "leave it out for internal, the default")))
	}
	if vpc.VPC != nil {
		if tier, ok := c.subnetTier(&g.Doc, "alb.subnets", vpc, alb.Subnets); ok {
			switch {
			case alb.IsInternetFacing() && tier.Type != "public":
				c.report(diag.Errorf(g.Pos("alb.subnets"), "gitlab-alb-public", "an internet-facing load balancer needs public subnets, but tier %s is %s", tier.Name, tier.Type).
					WithHint("use a public tier of VPC %s, or make the load balancer internal", vpc.VPC.Name))
			case !alb.IsInternetFacing() && tier.Type == "public":
				c.report(diag.Warningf(g.Pos("alb.subnets"), "gitlab-alb-internal-public", "internal load balancer sits in public subnet tier %s", tier.Name).
					WithHint("put an internal load balancer in a private tier; public subnets are for internet-facing ones"))
			}
		}
		if n := len(vpc.VPC.Zones(vpc.Network.Region)); n < 2 {
			c.report(diag.Errorf(g.Pos("alb.subnets"), "gitlab-alb-azs", "VPC %s spans only %d availability zone; a load balancer needs two or more", vpc.VPC.Name, n).
				WithHint("give VPC %s azCount: 2 or more in %s", vpc.VPC.Name, vpc.Network.File))
		}
	}
	if g.Has("alb.allowedCidrs") && len(alb.AllowedCIDRs) == 0 {
		c.report(diag.Errorf(g.Pos("alb.allowedCidrs"), "gitlab-alb-cidrs", "no CIDR may reach GitLab's load balancer").
			WithHint("list the networks that may reach GitLab, e.g. the desktop VPC's CIDR"))
	}
	for i, s := range alb.AllowedCIDRs {
		path := fmt.Sprintf("alb.allowedCidrs[%d]", i)
		p, err := netip.ParsePrefix(s)
		switch {
		case err != nil || !p.Addr().Is4():
			c.report(diag.Errorf(g.Pos(path), "gitlab-alb-cidr", "%q is not an IPv4 CIDR block", s).
				WithHint("write an address and prefix length, e.g. 10.20.0.0/16; the load balancer is IPv4 only"))
		case p.Masked() != p:
			c.report(diag.Errorf(g.Pos(path), "gitlab-alb-cidr", "%s has bits set beyond its /%d prefix", s, p.Bits()).
				WithHint("did you mean %s?", p.Masked()))
		case p.Bits() == 0 && !alb.IsInternetFacing():
			c.report(diag.Errorf(g.Pos(path), "gitlab-alb-open", "%s lets every address reach an internal load balancer", s).
				WithHint("list the networks that should reach GitLab; everything is only for scheme: internet-facing"))
		}
	}
	if alb.IsInternetFacing() && !alb.HTTPS() {
		c.report(diag.Errorf(g.Pos("alb.scheme"), "gitlab-alb-public-http", "an internet-facing load balancer without a domain would serve GitLab's sign-in over plain HTTP").
			WithHint("give alb.domain and alb.hostedZone so the load balancer serves HTTPS, or make it internal"))
	}
	c.checkGitLabHTTPS(g)
}

var (
	domainPattern       = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$`)
	hostedZoneIDPattern = regexp.MustCompile(`^Z[A-Z0-9]{1,31}$`)
)

// maxCertificateName is ACM's limit on a certificate's first domain name
// (its common name).
const maxCertificateName = 64

func (c *checker) checkGitLabHTTPS(g *estate.GitLab) {
	alb := g.ALB
	domain := strings.ToLower(strings.TrimSuffix(alb.Domain, "."))
	if domain != "" && (len(domain) > 253 || !domainPattern.MatchString(domain)) {
		c.report(diag.Errorf(g.Pos("alb.domain"), "gitlab-domain", "%q is not a host name", alb.Domain).
			WithHint("write a fully qualified name such as gitlab.example.com, without scheme or path"))
		domain = ""
	}
	if len(domain) > maxCertificateName && alb.CertificateARN == "" {
		c.report(diag.Errorf(g.Pos("alb.domain"), "gitlab-domain-length", "domain %s has %d characters; the certificate ACM would issue for it allows %d in its first name", alb.Domain, len(domain), maxCertificateName).
			WithHint("use a shorter host name, or issue a certificate yourself (with a shorter first name) and give its alb.certificateArn"))
	}
	zone := alb.HostedZone
	switch {
	case alb.Domain != "" && zone == nil:
		c.report(diag.Errorf(g.Pos("alb.domain"), "gitlab-https-zone", "domain %s is given without a hostedZone", alb.Domain).
			WithHint("add alb.hostedZone (id and name) for the record of %s", alb.Domain))
	case alb.Domain == "" && zone != nil:
		c.report(diag.Errorf(g.Pos("alb.hostedZone"), "gitlab-https-zone", "hostedZone is given without a domain").
			WithHint("add alb.domain (GitLab's host name in the zone), or remove hostedZone"))
	}
	if alb.CertificateARN != "" && alb.Domain == "" {
		c.report(diag.Errorf(g.Pos("alb.certificateArn"), "gitlab-certificate-unused", "certificateArn is set but without a domain the load balancer serves plain HTTP").
			WithHint("add alb.domain and alb.hostedZone to serve HTTPS, or remove certificateArn"))
	}
	if zone != nil {
		if zone.ID != "" && !hostedZoneIDPattern.MatchString(zone.ID) {
			c.report(diag.Errorf(g.Pos("alb.hostedZone.id"), "gitlab-hosted-zone-id", "%q is not a Route 53 hosted zone id", zone.ID).
				WithHint("copy the id from Route 53, e.g. Z0123456789ABCDEFGHIJ (without /hostedzone/)"))
		}
		zoneName := strings.ToLower(strings.TrimSuffix(zone.Name, "."))
		if domain != "" && zoneName != "" && domain != zoneName && !strings.HasSuffix(domain, "."+zoneName) {
			c.report(diag.Errorf(g.Pos("alb.domain"), "gitlab-domain-zone", "domain %s is not inside hosted zone %s", alb.Domain, zone.Name).
				WithHint("use a name ending in .%s, or the zone that holds %s", zoneName, alb.Domain))
		}
		if zone.Private && alb.Domain != "" && alb.CertificateARN == "" {
			c.report(diag.Errorf(g.Pos("alb.hostedZone.private"), "gitlab-certificate-private-zone", "hosted zone %s is private, so ACM cannot validate a certificate for %s through it", zone.Name, alb.Domain).
				WithHint("issue or import a certificate for %s yourself (e.g. DNS-validated in the public zone, or from a private CA) and give its alb.certificateArn", alb.Domain))
		}
	}
	if alb.CertificateARN != "" {
		parts := strings.SplitN(alb.CertificateARN, ":", 6)
		if len(parts) != 6 || parts[0] != "arn" || !strings.HasPrefix(parts[1], "aws") || parts[2] != "acm" || !strings.HasPrefix(parts[5], "certificate/") {
			c.report(diag.Errorf(g.Pos("alb.certificateArn"), "gitlab-certificate-arn", "%q is not an ACM certificate ARN", alb.CertificateARN).
				WithHint("copy it from ACM: arn:aws:acm:<region>:<account id>:certificate/<id>"))
			return
		}
		if g.Region != "" && parts[3] != g.Region {
			c.report(diag.Errorf(g.Pos("alb.certificateArn"), "gitlab-certificate-region", "certificate is in %s, but GitLab's load balancer is in %s", parts[3], g.Region).
				WithHint("a load balancer only uses ACM certificates of its own region; request or import the certificate in %s", g.Region))
		}
		if a := c.ix.Accounts[g.Account]; a != nil && accountIDPattern.MatchString(a.ID) && parts[4] != a.ID {
			c.report(diag.Errorf(g.Pos("alb.certificateArn"), "gitlab-certificate-account", "certificate belongs to account %s, but GitLab runs in account %s (%s)", parts[4], a.Name, a.ID).
				WithHint("a load balancer only uses ACM certificates of its own account; request or import it in %s", a.Name))
		}
	}
}

var (
	engineVersionPattern = regexp.MustCompile(`^([0-9]+)(\.[0-9]+)?$`)
	// db.serverless is left out: Serverless v2 needs a capacity range the
	// model does not declare.
	instanceClassPattern = regexp.MustCompile(`^db\.[a-z0-9-]+\.[a-z0-9]+$`)
)

func (c *checker) checkGitLabDatabase(g *estate.GitLab, vpc estate.VPCRef) {
	db := g.Database
	switch db.Type {
	case "aurora":
		if db.EngineVersion == "" {
			c.report(diag.Errorf(g.Pos("database"), "gitlab-database-version", "an aurora database needs engineVersion").
				WithHint("add engineVersion, e.g. \"16.4\" (quoted); GitLab supports PostgreSQL 14 to 17"))
		} else if m := engineVersionPattern.FindStringSubmatch(db.EngineVersion); m == nil {
			c.report(diag.Errorf(g.Pos("database.engineVersion"), "gitlab-database-version", "%q is not an Aurora PostgreSQL version", db.EngineVersion).
				WithHint("write major.minor, e.g. \"16.4\""))
		} else if major, _ := strconv.Atoi(m[1]); major < 14 || major > 17 {
			c.report(diag.Errorf(g.Pos("database.engineVersion"), "gitlab-database-version", "PostgreSQL %d is outside the versions GitLab supports", major).
				WithHint("use PostgreSQL 14 to 17, e.g. \"16.4\""))
		}
		if db.InstanceClass == "" {
			c.report(diag.Errorf(g.Pos("database"), "gitlab-database-instance-class", "an aurora database needs instanceClass").
				WithHint("add instanceClass, e.g. db.r6g.large"))
		} else if !instanceClassPattern.MatchString(db.InstanceClass) {
			c.report(diag.Errorf(g.Pos("database.instanceClass"), "gitlab-database-instance-class", "%q is not a database instance class", db.InstanceClass).
				WithHint("RDS classes start with db., e.g. db.r6g.large"))
		}
		if vpc.VPC != nil && db.Subnets != "" {
			if tier, ok := c.subnetTier(&g.Doc, "database.subnets", vpc, db.Subnets); ok && tier.Type == "public" {
				c.report(diag.Errorf(g.Pos("database.subnets"), "gitlab-database-subnets-public", "the database would sit in public subnet tier %s", tier.Name).
					WithHint("use a private or isolated tier, or leave subnets out to use GitLab's"))
			}
		}
	case "embedded":
		for _, f := range []struct{ key, value string }{{"engineVersion", db.EngineVersion}, {"instanceClass", db.InstanceClass}, {"subnets", db.Subnets}} {
			if f.value != "" {
				c.report(diag.Errorf(g.Pos("database."+f.key), "gitlab-database-unused", "database.%s is set but the embedded database ignores it", f.key).
					WithHint("remove %s, or use type: aurora", f.key))
			}
		}
	case "":
	default:
		c.report(diag.Errorf(g.Pos("database.type"), "gitlab-database-type", "database type %q is neither embedded nor aurora", db.Type).
			WithHint("%s", cmp.Or(diag.DidYouMean(db.Type, []string{"embedded", "aurora"}), "embedded keeps PostgreSQL in the container on EFS; aurora runs Aurora PostgreSQL")))
	}
}

func (c *checker) checkGitLabSMTP(g *estate.GitLab) {
	s := g.SMTP
	switch s.Type {
	case "ses":
		domain := strings.ToLower(strings.TrimSuffix(s.Domain, "."))
		if domain == "" {
			c.report(diag.Errorf(g.Pos("smtp"), "gitlab-smtp-domain", "smtp type ses needs the domain GitLab sends from").
				WithHint("add smtp.domain, the SES domain identity, e.g. example.com"))
		} else if !domainPattern.MatchString(domain) {
			c.report(diag.Errorf(g.Pos("smtp.domain"), "gitlab-smtp-domain", "%q is not a domain name", s.Domain).
				WithHint("write the SES domain identity, e.g. example.com"))
			domain = ""
		}
		switch {
		case s.FromAddress == "":
			c.report(diag.Errorf(g.Pos("smtp"), "gitlab-smtp-from", "smtp type ses needs fromAddress").
				WithHint("add smtp.fromAddress, e.g. gitlab@%s", cmp.Or(domain, "example.com")))
		case !emailAddress(s.FromAddress):
			c.report(diag.Errorf(g.Pos("smtp.fromAddress"), "gitlab-smtp-from", "%q is not an email address", s.FromAddress).
				WithHint("write the bare address, e.g. gitlab@%s", cmp.Or(domain, "example.com")))
		case domain != "":
			at := strings.ToLower(s.FromAddress[strings.LastIndex(s.FromAddress, "@")+1:])
			if at != domain && !strings.HasSuffix(at, "."+domain) {
				c.report(diag.Errorf(g.Pos("smtp.fromAddress"), "gitlab-smtp-from", "fromAddress %s is not in SES domain %s", s.FromAddress, s.Domain).
					WithHint("SES only sends from its verified domain: use an address @%s", domain))
			}
		}
	case "none":
		for _, f := range []struct{ key, value string }{{"domain", s.Domain}, {"fromAddress", s.FromAddress}} {
			if f.value != "" {
				c.report(diag.Errorf(g.Pos("smtp."+f.key), "gitlab-smtp-unused", "smtp.%s is set but smtp type none sends no mail", f.key).
					WithHint("remove %s, or use type: ses", f.key))
			}
		}
	case "":
	default:
		c.report(diag.Errorf(g.Pos("smtp.type"), "gitlab-smtp-type", "smtp type %q is neither none nor ses", s.Type).
			WithHint("%s", cmp.Or(diag.DidYouMean(s.Type, []string{"none", "ses"}), "ses sends through Amazon SES; none sends no mail")))
	}
}

func (c *checker) checkGitLabEFS(g *estate.GitLab) {
	e := g.EFS
	if r := e.ReplicationRegion; r != "" && c.regionName(&g.Doc, "efs.replicationRegion", r) && r == g.Region {
		c.report(diag.Errorf(g.Pos("efs.replicationRegion"), "gitlab-efs-replication-region", "EFS would replicate to %s, the region GitLab already runs in", r).
			WithHint("replicate to another region, or remove replicationRegion"))
	}
	switch e.ThroughputMode {
	case "", "elastic", "bursting":
	default:
		c.report(diag.Errorf(g.Pos("efs.throughputMode"), "gitlab-efs-throughput", "EFS throughput mode %q is neither elastic nor bursting", e.ThroughputMode).
			WithHint("%s", cmp.Or(diag.DidYouMean(e.ThroughputMode, []string{"elastic", "bursting"}), "leave it out for elastic, the default")))
	}
	if !e.BackupEnabled() {
		c.report(diag.Warningf(g.Pos("efs.backup"), "gitlab-efs-backup-off", "AWS Backup is off for GitLab %s's file system", g.Name).
			WithHint("/etc/gitlab holds gitlab-secrets.json; without it a restored database is unreadable, so keep backups on"))
	}
}

var secretWords = []string{"password", "secret", "token"}

// maxGitLabRbSize is how much of ECS's 64 KiB task definition the
// gitlabRb settings may take in GITLAB_OMNIBUS_CONFIG, JSON-escaped as
// ECS counts them: the rest of the task definition, with gitops's own
// gitlab.rb settings, stays under 8 KiB.
const maxGitLabRbSize = 64<<10 - 8<<10

func (c *checker) checkGitLabRb(g *estate.GitLab) {
	size := 0
	for key, lit := range gitlabrb.Literals(g.GitLabRb) {
		line, _ := json.Marshal(key + " = " + lit + "\n")
		size += len(line) - 2 // without the quotes around the whole
	}
	if size > maxGitLabRbSize {
		c.report(diag.Errorf(g.Pos("gitlabRb"), "gitlab-rb-size", "gitlabRb of GitLab %s renders %d characters into the task definition; %d fit in ECS's 64 KiB task definition", g.Name, size, maxGitLabRbSize).
			WithHint("GITLAB_OMNIBUS_CONFIG travels in the task definition: keep gitlabRb to settings, and configure large things (templates, long lists) inside GitLab"))
	}
	for _, key := range slices.Sorted(maps.Keys(g.GitLabRb)) {
		path := estate.FieldPath("gitlabRb", key)
		canon := strings.ReplaceAll(key, `"`, `'`)
		if m, ok := gitlabrb.ManagedWhy(key); ok {
			c.report(diag.Errorf(g.Pos(path), "gitlab-rb-managed", "%s is set by gitops and cannot be overridden", key).
				WithHint("%s; remove this key", m))
			continue
		}
		if !estate.GitLabRbKey.MatchString(key) {
			c.report(diag.Errorf(g.Pos(path), "gitlab-rb-key", "%q does not look like a gitlab.rb setting", key).
				WithHint("write the key as in gitlab.rb, e.g. gitlab_rails['time_zone'] or nginx['client_max_body_size']"))
			continue
		}
		if g.GitLabRb[key].Type != "string" {
			continue
		}
		last := strings.ToLower(canon[strings.LastIndex(canon, "[")+1:])
		for _, w := range secretWords {
			if strings.Contains(last, w) {
				c.report(diag.Warningf(g.Pos(path), "gitlab-rb-secret", "%s looks like a credential written in plain text", key).
					WithHint("never put passwords or tokens in YAML; keep them in Secrets Manager and set them inside GitLab"))
				break
			}
		}
	}
}

// emailAddress reports whether s is a bare email address.
func emailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
