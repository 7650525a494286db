package smtpcredentials

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
)

// Password derives the SES SMTP password of an IAM access key from its
// secret, for region, by AWS's published procedure ("Obtaining Amazon SES
// SMTP credentials by converting existing AWS credentials", SES developer
// guide): an HMAC-SHA256 chain over a fixed date, the region, "ses",
// "aws4_request" and "SendRawEmail" keyed first with "AWS4"+secret, then
// version byte 0x04 before the signature, base64-encoded. The password is
// valid in that region only.
func Password(secretAccessKey, region string) string {
	sig := []byte("AWS4" + secretAccessKey)
	for _, msg := range []string{"11111111", region, "ses", "aws4_request", "SendRawEmail"} {
		mac := hmac.New(sha256.New, sig)
		mac.Write([]byte(msg))
		sig = mac.Sum(nil)
	}
	return base64.StdEncoding.EncodeToString(append([]byte{0x04}, sig...))
}
