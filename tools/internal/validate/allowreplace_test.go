package validate

import "testing"

func TestAllowReplaceRules(t *testing.T) {
	network := func(entry string) map[string]string {
		return map[string]string{"environments/prod/network.yaml": `kind: Network
account: prod
region: eu-west-1
allowReplace:
  - ` + entry + `
vpcs:
  - name: app
    cidr: 10.1.0.0/16
    azCount: 2
    subnets:
      - {name: private, type: private, prefix: 24}
    egress: {type: none}
`}
	}
	runRuleCases(t, []ruleCase{
		{
			rule: "allow-replace-form",
			at:   "environments/prod/network.yaml:5",
			bad:  network("AppPrivateASubnet"),
			good: network("AWS::EC2::Subnet/AppPrivateASubnet"),
		},
		{
			rule: "allow-replace-form",
			at:   "environments/prod/network.yaml:5",
			bad:  network("AWS::EC2/AppPrivateASubnet"),
			good: network("AWS::S3::Bucket/Logs"),
		},
	})
}
