package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// EndpointOverride returns the endpoint the AWS SDK is pointed at instead of
// AWS, from the variables the SDK reads (AWS_ENDPOINT_URL, or the
// CloudFormation one), or "" for AWS itself.
func EndpointOverride(getenv func(string) string) string {
	for _, k := range []string{"AWS_ENDPOINT_URL_CLOUDFORMATION", "AWS_ENDPOINT_URL"} {
		if v := getenv(k); v != "" {
			return v
		}
	}
	return ""
}

// notEmulated records a step apply leaves out because the endpoint is an
// emulator (Options.Emulator) that has no such service: it is said as
// that, not as a failure of the estate.
func (r *run) notEmulated(s *Stack, res *StackResult, what string) {
	line := fmt.Sprintf("not emulated: %s (the endpoint %s is an emulator; a real account does this step)", what, r.opts.Emulator)
	res.NotEmulated = append(res.NotEmulated, what)
	r.say(s.ID, "%s", line)
}

// missingOutput explains a producer stack without an output its dependant
// needs. When the producer's template declares it, an emulator failed to
// return it: not emulated. Otherwise (or against AWS) the deployed stack
// is not what generated/ holds.
func (r *run) missingOutput(producer, name string, outs map[string]string) error {
	msg := fmt.Sprintf("stack %s has no output %s (it has %s)", producer, name, outputNames(outs))
	if p := r.d.Stack(producer); r.opts.Emulator != "" && p != nil && declaresOutput(p.Body, name) {
		return &stackError{outcome: OutcomeNotEmulated, msg: msg, advice: fmt.Sprintf("the emulator at %s did not return the output the template declares: it made nothing for the resource behind it (see the producer's not emulated lines), or, for moto 5.x, gives a stack made through a change set no outputs unless it runs with the repository's fix (tools/internal/motoserver/moto_server.py; sh tools/demo.sh starts it that way)", r.opts.Emulator)}
	}
	return &stackError{msg: msg, advice: fmt.Sprintf("the deployed stack was made from another template than generated/ holds: check generated/ is current (gitops compile --check), then apply %s again (gitops apply --stack %s)", producer, producer)}
}

// declaresOutput tells whether the template body declares output name.
func declaresOutput(body, name string) bool {
	var t struct {
		Outputs map[string]json.RawMessage `json:"Outputs"`
	}
	if json.Unmarshal([]byte(body), &t) != nil {
		return false
	}
	_, ok := t.Outputs[name]
	return ok
}

// unemulatedResources reports the template's resources an emulator did
// not make although it marked the stack complete: moto lists those without
// a physical id (or without any id) for the types it does not implement.
func (r *run) unemulatedResources(ctx context.Context, s *Stack, res *StackResult, p *prepared) {
	made, listed := map[string]bool{}, 0
	in := &cloudformation.ListStackResourcesInput{StackName: aws.String(s.Name)}
	for {
		out, err := call(ctx, r, p.cf.ListStackResources, in)
		if err != nil {
			r.say(s.ID, "could not list the stack's resources: %s", apiMessage(err))
			return
		}
		listed += len(out.StackResourceSummaries)
		for _, rs := range out.StackResourceSummaries {
			if aws.ToString(rs.PhysicalResourceId) != "" {
				made[aws.ToString(rs.LogicalResourceId)] = true
			}
		}
		if out.NextToken == nil {
			break
		}
		in.NextToken = out.NextToken
	}
	// moto lists no resources at all for some stacks it did make: an
	// empty list tells nothing.
	t := parseTemplate(s.Body)
	if t == nil || listed == 0 {
		return
	}
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if !made[id] {
			r.notEmulated(s, res, t.Resources[id].Type+" "+id+" (the emulator made nothing for it)")
		}
	}
}

// emulatedWithout reports whether the emulator made nothing for a resource
// of type typ in the stack.
func emulatedWithout(res *StackResult, typ string) bool {
	return slices.ContainsFunc(res.NotEmulated, func(n string) bool { return len(n) > len(typ) && n[:len(typ)+1] == typ+" " })
}

// emulatorBroke tells whether err is an emulator's internal error (HTTP
// 5xx, e.g. moto's answer to a template feature it does not implement), a
// call it does not implement, or a resource error during a call AWS
// answers before doing the work.
func emulatorBroke(err error) bool {
	// CloudFormation creates and deletes resources after ExecuteChangeSet
	// and DeleteStack answer, so a resource never fails those calls
	// themselves; moto works during the call and fails it (e.g. a NAT
	// instance's volume "must contain the parameter size/snapshot").
	var x *asyncCallErr
	if errors.As(err, &x) && apiCode(err) != "InvalidChangeSetStatus" && apiCode(err) != "Throttling" {
		return true
	}
	// An operation moto does not implement answers 404 with an HTML
	// page, which no API error code comes out of.
	var re *awshttp.ResponseError
	if errors.As(err, &re) && (re.HTTPStatusCode() >= 500 || re.HTTPStatusCode() == 404 && apiCode(err) == "") {
		return true
	}
	code := apiCode(err)
	return code == "NotImplemented" || code == "InternalFailure" || code == "InternalError"
}

// asyncCallErr is the error of a call CloudFormation answers before doing
// the work (ExecuteChangeSet, DeleteStack): the call's, not the stack's.
type asyncCallErr struct{ error }

func (e *asyncCallErr) Unwrap() error { return e.error }
