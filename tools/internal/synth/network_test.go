package synth

import (
	"maps"
	"strings"
	"testing"
)

func TestNetwork(t *testing.T) {
	_, templates := fixtureTemplates(t)
	// The tooling account's two VPCs, each in its own stack, read as one.
	tmpl := parse(t, templates["tooling/eu-west-1/network-gitlab.template.json"])
	desktops := parse(t, templates["tooling/eu-west-1/network-desktops.template.json"])
	maps.Copy(tmpl.Resources, desktops.Resources)
	if tmpl.Parameters == nil {
		tmpl.Parameters = map[string]map[string]any{}
	}
	maps.Copy(tmpl.Parameters, desktops.Parameters)

	vpc := tmpl.Resources["GitlabVpc"].Properties
	if vpc["CidrBlock"] != "10.0.0.0/16" || vpc["EnableDnsHostnames"] != true || vpc["EnableDnsSupport"] != true {
		t.Errorf("gitlab VPC: %v", vpc)
	}
	sub := tmpl.Resources["GitlabTgwBSubnet"].Properties
	if sub["CidrBlock"] != "10.0.2.16/28" || sub["AvailabilityZone"] != "eu-west-1b" || sub["MapPublicIpOnLaunch"] != false {
		t.Errorf("tgw-b subnet: %v", sub)
	}
	if n := len(tmpl.ofType("AWS::EC2::NatGateway")); n != 1 {
		t.Errorf("want one NAT gateway (perAZ off), got %d", n)
	}
	route := tmpl.Resources["GitlabPrivateBDefaultRoute"].Properties
	if jsonString(route["NatGatewayId"]) != `{"Ref":"GitlabPublicANatGateway"}` {
		t.Errorf("private-b default route: %v", route)
	}
	if _, ok := tmpl.Resources["GitlabDataADefaultRoute"]; ok {
		t.Error("isolated subnet has a default route")
	}
	// The NAT instance: the declared type, AMI from SSM.
	nats := tmpl.ofType("AWS::EC2::Instance")
	if len(nats) != 1 {
		t.Fatalf("want 1 NAT instance, got %d", len(nats))
	}
	for id, n := range nats {
		if n.Properties["InstanceType"] != "t4g.micro" || n.Properties["SourceDestCheck"] != false || jsonString(n.Properties["ImageId"]) != `{"Ref":"NatImageArm64"}` {
			t.Errorf("%s: %v", id, n.Properties)
		}
	}
	if typ := tmpl.Parameters["NatImageArm64"]["Type"]; typ != "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>" {
		t.Errorf("NAT image parameter type %v", typ)
	}
	if jsonString(tmpl.Resources["DesktopsPrivateBDefaultRoute"].Properties["InstanceId"]) != `{"Ref":"DesktopsPublicANatInstance"}` {
		t.Error("private-b does not use the NAT instance")
	}

	// Interface endpoints: private DNS, the endpoint group open on 443 to the VPC.
	eps := 0
	for id, e := range tmpl.ofType("AWS::EC2::VPCEndpoint") {
		switch e.Properties["VpcEndpointType"] {
		case "Interface":
			eps++
			if e.Properties["PrivateDnsEnabled"] != true {
				t.Errorf("%s without private DNS", id)
			}
		case "Gateway":
			if e.Properties["ServiceName"] != "com.amazonaws.eu-west-1.s3" || len(e.Properties["RouteTableIds"].([]any)) != 8 {
				t.Errorf("%s: %v", id, e.Properties)
			}
		}
	}
	if eps != 8 {
		t.Errorf("want 8 interface endpoints, got %d", eps)
	}
	sg := jsonString(tmpl.Resources["GitlabEndpointSecurityGroup"].Properties["SecurityGroupIngress"])
	if !strings.Contains(sg, `"CidrIp":"10.0.0.0/16"`) || !strings.Contains(sg, `"FromPort":443`) {
		t.Errorf("endpoint security group: %s", sg)
	}

	// Flow logs as declared: defaults for gitlab, REJECT/30 for desktops.
	if tmpl.Resources["GitlabFlowLog"].Properties["TrafficType"] != "ALL" || tmpl.Resources["GitlabFlowLogGroup"].Properties["RetentionInDays"] != 365.0 {
		t.Error("gitlab flow log defaults")
	}
	if tmpl.Resources["DesktopsFlowLog"].Properties["TrafficType"] != "REJECT" || tmpl.Resources["DesktopsFlowLogGroup"].Properties["RetentionInDays"] != 30.0 {
		t.Error("desktops flow log options")
	}
	prod := parse(t, templates["prod/eu-west-1/network-app.template.json"])
	// Its only routes go to the transit gateway it is attached to.
	outside := 0
	for _, r := range prod.ofType("AWS::EC2::Route") {
		if r.Properties["TransitGatewayId"] == nil {
			outside++
		}
	}
	if len(prod.ofType("AWS::EC2::FlowLog"))+len(prod.ofType("AWS::EC2::InternetGateway"))+outside != 0 {
		t.Error("prod app VPC has flow logs, an internet gateway or routes it did not declare")
	}
	// Account tags reach the resources.
	if !strings.Contains(jsonString(prod.Resources["AppVpc"].Properties["Tags"]), `{"Key":"environment","Value":"production"}`) {
		t.Error("account tags missing on the VPC")
	}
}

func TestTransitGateway(t *testing.T) {
	_, templates := fixtureTemplates(t)
	owner := parse(t, templates["tooling/eu-west-1/tgw-hub.template.json"])
	tgw := owner.only(t, "AWS::EC2::TransitGateway").Properties
	if tgw["AmazonSideAsn"] != 64512.0 || tgw["DefaultRouteTableAssociation"] != "disable" || tgw["DefaultRouteTablePropagation"] != "disable" {
		t.Errorf("gateway: %v", tgw)
	}
	share := owner.only(t, "AWS::RAM::ResourceShare").Properties
	if jsonString(share["Principals"]) != `["222222222222"]` {
		t.Errorf("share principals: %v", share["Principals"])
	}
	if len(owner.ofType("AWS::EC2::TransitGatewayRouteTable")) != 2 {
		t.Error("route tables")
	}
	prod := parse(t, templates["prod/eu-west-1/network-app.template.json"])
	att := prod.only(t, "AWS::EC2::TransitGatewayAttachment").Properties
	if jsonString(att["TransitGatewayId"]) != `{"Ref":"HubTransitGatewayId"}` || len(att["SubnetIds"].([]any)) != 3 {
		t.Errorf("attachment: %v", att)
	}
	routes := prod.ofType("AWS::EC2::Route")
	if len(routes) != 12 {
		t.Errorf("want 12 VPC routes to the gateway, got %d", len(routes))
	}
	for id, r := range routes {
		if !contains(r.DependsOn, "HubAppAttachment") {
			t.Errorf("%s does not wait for the attachment", id)
		}
	}
	routing := parse(t, templates["tooling/eu-west-1/tgw-hub-routing-tooling.template.json"])
	for _, name := range []string{"routing-prod", "spokes-routes-10-0", "spokes-routes-192-168"} {
		maps.Copy(routing.Resources, parse(t, templates["tooling/eu-west-1/tgw-hub-"+name+".template.json"]).Resources)
	}
	if n := len(routing.ofType("AWS::EC2::TransitGatewayRouteTableAssociation")); n != 3 {
		t.Errorf("want 3 associations, got %d", n)
	}
	if n := len(routing.ofType("AWS::EC2::TransitGatewayRouteTablePropagation")); n != 3 {
		t.Errorf("want 3 propagations, got %d", n)
	}
	bh := routing.Resources["SpokesRoute10x0x3x0x24"].Properties
	if bh["Blackhole"] != true || bh["TransitGatewayAttachmentId"] != nil {
		t.Errorf("blackhole route: %v", bh)
	}
}

func TestDeployRole(t *testing.T) {
	_, templates := fixtureTemplates(t)
	tmpl := parse(t, templates["prod/eu-west-1/deploy-role.template.json"])
	role := tmpl.Resources["DeployRole"].Properties
	if role["RoleName"] != "prod-deployer" {
		t.Errorf("role name: %v", role["RoleName"])
	}
	trust := jsonString(role["AssumeRolePolicyDocument"])
	if !strings.Contains(trust, ":iam::111111111111:root") || !strings.Contains(trust, "role/gitops-apply") || strings.Contains(trust, "*") {
		t.Errorf("trust: %s", trust)
	}
	pol := jsonString(role["Policies"])
	if !strings.Contains(pol, "cloudformation:ExecuteChangeSet") || !strings.Contains(pol, "stack/gitops-*/*") || !strings.Contains(pol, "iam:PassedToService") {
		t.Errorf("deploy policy: %s", pol)
	}
	// The plan role of merge-request CI makes change sets but cannot run them.
	plan := tmpl.Resources["PlanRole"].Properties
	if plan["RoleName"] != "gitops-plan" {
		t.Fatalf("plan role: %v", plan)
	}
	planTrust := jsonString(plan["AssumeRolePolicyDocument"])
	if !strings.Contains(planTrust, ":iam::111111111111:role/gitops-plan") || strings.Contains(planTrust, "gitops-apply") {
		t.Errorf("plan trust: %s", planTrust)
	}
	// What it may not do is proven by the policy evaluator (TestDenials);
	// here, what it holds.
	planPol := jsonString(plan["Policies"])
	if !strings.Contains(planPol, "cloudformation:CreateChangeSet") || strings.Contains(planPol, "ecr:") {
		t.Errorf("plan policy: %s", planPol)
	}
}
