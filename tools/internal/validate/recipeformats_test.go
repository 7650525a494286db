package validate

import "testing"

func TestRecipeFormats(t *testing.T) {
	for _, tc := range []struct {
		check func(string) string
		name  string
		ok    []string
		bad   []string
	}{
		{recipeVersionProblem, "recipe version",
			[]string{"1.0.0", "0.0.0", "2021.01.01", "1073741823.0.0"},
			[]string{"1.0", "1.0.0.0", "1.0.x", "v1.0.0", "1.-1.0", "1.+1.0", "1073741824.0.0", ""}},
		{versionFilterProblem, "component version",
			[]string{"1.2.3", "1.0.x", "1.x.x", "x.x.x"},
			[]string{"x.2.x", "1.x.8", "1.0", "1.0.*", "latest", "1.0.0/1"}},
		{func(s string) string { return ssmNameProblem(s, true, true) }, "recipe ssmParameter",
			[]string{"/gitops/ami/golden-base", "/a", "/x/y_z.v-1", "/team/aws/ami"},
			[]string{"gitops/ami", "/", "/a//b", "/a/", "/a b", "/aws/ami/x", "/AWS/x", "/ssm-x/y", "/awsome/x",
				"/" + string(make([]byte, 1011)), "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16"}},
		{func(s string) string { return ssmNameProblem(s, false, false) }, "parent ssmParameter",
			[]string{"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "golden-ami", "/gitops/ami/base"},
			[]string{"/aws//service", "ssm:/aws/service/x", "/a b"}},
		{instanceTypeProblem, "instance type",
			[]string{"t3.micro", "t3.medium", "m7i-flex.large", "c7gn.16xlarge", "u-6tb1.metal", "mac2-m2pro.metal", "m5d.2xlarge", "r7iz.metal-16xl", "t4g.nano"},
			[]string{"t3", "medium", "t3.mirco", "T3.micro", "t.micro", "t3.2xlrage", "t3..micro", "t3.micro "}},
		{cronProblem, "cron",
			[]string{"cron(0 3 ? * sun *)", "cron(0 3 * * ? *)", "cron(0/30 23 ? jan-mar fri#2 2026)", "cron(15 3 L * ? *)",
				"cron(0 0 15W * ? *)", "cron(0 0 ? * 6L *)", "cron(0,30 8-17 ? * MON-FRI *)", "cron(0 3 1 */2 ? 2025-2030)"},
			[]string{"cron(0 3 * * sun *)", "cron(0 3 ? * ? *)", "cron(0 24 ? * sun *)", "cron(60 3 ? * sun *)", "cron(0 3 ? * sun)",
				"0 3 ? * sun *", "rate(1 day)", "cron(0 3 ? * sun * *)", "cron(0 3 ? 13 sun *)", "cron(0 3 ? * funday *)",
				"cron(0 3 ? * sun#6 *)", "cron(0 3 ? * sun 1969)", "cron(0/0 3 ? * sun *)", "cron(0 ? ? * sun *)", "cron(0 3 32 * ? *)", "cron(0 3 , * ? *)"}},
	} {
		for _, s := range tc.ok {
			if p := tc.check(s); p != "" {
				t.Errorf("%s %q: unexpected problem %q", tc.name, s, p)
			}
		}
		for _, s := range tc.bad {
			if tc.check(s) == "" {
				t.Errorf("%s %q: no problem found", tc.name, s)
			}
		}
	}
}
