package apply

import "testing"

func TestTemplateObjectURL(t *testing.T) {
	for _, tc := range []struct{ region, want string }{
		{"eu-central-1", "https://s3.eu-central-1.amazonaws.com/b/apply/k.json"},
		{"us-gov-west-1", "https://s3.us-gov-west-1.amazonaws.com/b/apply/k.json"},
		{"cn-north-1", "https://s3.cn-north-1.amazonaws.com.cn/b/apply/k.json"},
	} {
		if got := templateObjectURL(tc.region, "b", "apply/k.json"); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.region, got, tc.want)
		}
	}
}
