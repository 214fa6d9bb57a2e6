package stack

import (
	"context"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/internal/cfnfake"
)

// BenchmarkNoChangePlan measures a no-change plan with the production poll
// interval (2s): polling starts at once and backs off Poll/4, Poll/2, Poll,
// so a change set that settles within two polls costs ~Poll/4 of waiting.
func BenchmarkNoChangePlan(b *testing.B) {
	benchPlan(b, 2*time.Second, cfnfake.Scenario{Stacks: []cfnfake.Stack{existing("shop-dev", "UPDATE_COMPLETE")}}, false)
}

// BenchmarkNestedCreateCalls counts the CloudFormation calls of a full
// nested create (plan + execute + events + outputs); the poll interval is
// shortened because the fake's time is logical.
func BenchmarkNestedCreateCalls(b *testing.B) {
	benchPlan(b, time.Millisecond, cfnfake.Scenario{Plans: map[string]*cfnfake.Level{"shop-dev": nestedCreate("")}}, true)
}

func benchPlan(b *testing.B, poll time.Duration, sc cfnfake.Scenario, deploy bool) {
	calls := 0
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d, _, _ := deployer(b, sc)
		d.Poll = poll
		b.StartTimer()
		var (
			res *Result
			err error
		)
		if deploy {
			res, err = d.Deploy(context.Background(), request("dev"))
		} else {
			res, err = d.Plan(context.Background(), request("dev"))
		}
		if err != nil {
			b.Fatal(err)
		}
		calls = total(res.Calls)
		if i == 0 {
			b.Logf("calls: %v", res.Calls)
		}
	}
	b.ReportMetric(float64(calls), "cfn-calls/op")
}
