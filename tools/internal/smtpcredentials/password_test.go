package smtpcredentials

import (
	"encoding/base64"
	"testing"
)

// AWS's knowledge-center article on rotating SES SMTP keys runs its script
// on the example secret below for us-east-1. AWS does not print the
// result, so the expected passwords were computed with an independent
// implementation of the same published steps (Python's hmac and hashlib);
// the IAM documentation's example secret covers a second region.
func TestPasswordWorkedExample(t *testing.T) {
	cases := []struct{ secret, region, want string }{
		{"YOURKEYrrpg/JHpyvtStUVcAV9177EAKKmDP37P", "us-east-1", "BNSPZY0jlomEr4Z6voxNGBKDK4qcWk6/DsLPMg466vEX"},
		{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "eu-west-1", "BMW5RDrXmmVs0lV7GpI4oLkHXpZ4stDsk6q91z1g38Pk"},
	}
	for _, tc := range cases {
		got := Password(tc.secret, tc.region)
		if got != tc.want {
			t.Errorf("Password(%s, %s) = %s, want %s", tc.secret, tc.region, got, tc.want)
		}
		raw, err := base64.StdEncoding.DecodeString(got)
		if err != nil || len(raw) != 33 || raw[0] != 0x04 {
			t.Errorf("password is not version 4 + a SHA-256 signature: % x", raw)
		}
	}
	if Password("k", "eu-west-1") == Password("k", "eu-central-1") {
		t.Error("the password does not depend on the region")
	}
}
