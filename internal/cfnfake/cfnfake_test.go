package cfnfake

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/django-serverless/django-serverless-action/internal/testenv"
)

func newClient(t *testing.T, srv *Server, attempts int) *cloudformation.Client {
	t.Helper()
	testenv.AWSEnv(t)
	return cloudformation.NewFromConfig(aws.Config{
		Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		Retryer: func() aws.Retryer {
			return retry.AddWithMaxBackoffDelay(retry.AddWithMaxAttempts(retry.NewStandard(), attempts), time.Millisecond)
		},
	}, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func nested() *Level {
	return &Level{Changes: []Change{
		{Action: "Add", LogicalID: "Topic", ResourceType: "AWS::SNS::Topic"},
		{Action: "Add", LogicalID: "Inner", ResourceType: StackType, Nested: &Level{Changes: []Change{
			{Action: "Add", LogicalID: "A", ResourceType: "AWS::SQS::Queue"},
			{Action: "Add", LogicalID: "B", ResourceType: "AWS::SQS::Queue"},
			{Action: "Add", LogicalID: "C", ResourceType: "AWS::SQS::Queue"},
		}}},
	}}
}

func TestChangeSetLifecycle(t *testing.T) {
	srv := New(t, Scenario{Plans: map[string]*Level{"s": nested()}, PageSize: 2, ChangeSetTicks: 3})
	c := newClient(t, srv, 1)
	ctx := context.Background()
	out, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{
		StackName: aws.String("s"), ChangeSetName: aws.String("cs1"), ChangeSetType: types.ChangeSetTypeCreate,
		TemplateURL: aws.String("https://b.s3.us-east-1.amazonaws.com/t.yaml"), IncludeNestedStacks: aws.Bool(true),
	})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("s")}); err != nil || st.Stacks[0].StackStatus != types.StackStatusReviewInProgress {
		t.Fatalf("stack after CREATE change set: %+v, %v", st, err)
	}
	var seen []types.ChangeSetStatus
	var d *cloudformation.DescribeChangeSetOutput
	for i := 0; i < 6; i++ {
		d, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
		if err != nil {
			t.Fatal(err)
		}
		if len(seen) == 0 || seen[len(seen)-1] != d.Status {
			seen = append(seen, d.Status)
		}
	}
	if want := "CREATE_PENDING CREATE_IN_PROGRESS CREATE_COMPLETE"; join(seen) != want {
		t.Errorf("statuses = %s, want %s", join(seen), want)
	}
	if d.ExecutionStatus != types.ExecutionStatusAvailable || !aws.ToBool(d.IncludeNestedStacks) {
		t.Errorf("exec %s nested %v", d.ExecutionStatus, aws.ToBool(d.IncludeNestedStacks))
	}
	nestedID := aws.ToString(d.Changes[1].ResourceChange.ChangeSetId)
	if nestedID == "" {
		t.Fatal("nested stack change has no ChangeSetId")
	}
	p1, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: &nestedID})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p1.ParentChangeSetId) != aws.ToString(out.Id) || aws.ToString(p1.RootChangeSetId) != aws.ToString(out.Id) {
		t.Errorf("parent %q root %q, want %q", aws.ToString(p1.ParentChangeSetId), aws.ToString(p1.RootChangeSetId), aws.ToString(out.Id))
	}
	if len(p1.Changes) != 2 || p1.NextToken == nil {
		t.Fatalf("first page: %d changes, token %v", len(p1.Changes), p1.NextToken)
	}
	p2, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: &nestedID, NextToken: p1.NextToken})
	if err != nil || len(p2.Changes) != 1 || p2.NextToken != nil || aws.ToString(p2.Changes[0].ResourceChange.LogicalResourceId) != "C" {
		t.Fatalf("second page: %+v, %v", p2, err)
	}
	_, err = c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: &nestedID})
	if !isCode(err, "ValidationError") {
		t.Errorf("executing a nested change set: %v", err)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: out.Id}); err != nil {
		t.Fatal(err)
	}
	// Events: newest first, paged, the nested stack with its own ARN.
	var last string
	for i := 0; i < 40 && last != "CREATE_COMPLETE"; i++ {
		ev, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("s")})
		if err != nil {
			t.Fatal(err)
		}
		if e := ev.StackEvents[0]; aws.ToString(e.LogicalResourceId) == "s" {
			last = string(e.ResourceStatus)
		}
	}
	if last != "CREATE_COMPLETE" {
		t.Fatalf("stack never completed")
	}
	ev, _ := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("s")})
	var innerARN string
	for _, e := range ev.StackEvents {
		if aws.ToString(e.LogicalResourceId) == "Inner" {
			innerARN = aws.ToString(e.PhysicalResourceId)
		}
	}
	if !strings.HasPrefix(innerARN, "arn:aws:cloudformation:us-east-1:123456789012:stack/s-Inner-") {
		t.Fatalf("nested stack ARN = %q", innerARN)
	}
	all := 0
	var tok *string
	for {
		ne, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: &innerARN, NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		all += len(ne.StackEvents)
		if tok = ne.NextToken; tok == nil {
			break
		}
	}
	// REVIEW_IN_PROGRESS (the change set created it), CREATE_IN_PROGRESS,
	// 3 x (CREATE_IN_PROGRESS without and with a physical ID, CREATE_COMPLETE),
	// CREATE_COMPLETE.
	if all != 12 {
		t.Errorf("nested stack has %d events, want 12", all)
	}
	if d, _ := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id}); d.ExecutionStatus != types.ExecutionStatusExecuteComplete {
		t.Errorf("execution status after success = %s", d.ExecutionStatus)
	}
}

func join(s []types.ChangeSetStatus) string {
	var out []string
	for _, x := range s {
		out = append(out, string(x))
	}
	return strings.Join(out, " ")
}

func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

func TestErrorsParseInTheSDK(t *testing.T) {
	srv := New(t, Scenario{
		Stacks:   []Stack{{Name: "rb", Status: "ROLLBACK_COMPLETE"}, {Name: "tp", Status: "UPDATE_COMPLETE", TerminationProtection: true}},
		Throttle: map[string]int{"DescribeStacks": 1},
	})
	c := newClient(t, srv, 1)
	ctx := context.Background()
	_, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("rb")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "Throttling" || ae.ErrorMessage() != "Rate exceeded" {
		t.Errorf("throttled error = %v", err)
	}
	_, err = c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("missing")})
	if !isCode(err, "ValidationError") || !strings.Contains(err.Error(), "Stack with id missing does not exist") {
		t.Errorf("missing stack error = %v", err)
	}
	_, err = c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("rb"), ChangeSetName: aws.String("x"), TemplateURL: aws.String("https://x")})
	if !isCode(err, "ValidationError") || !strings.Contains(err.Error(), "is in ROLLBACK_COMPLETE state and can not be updated") {
		t.Errorf("update of ROLLBACK_COMPLETE stack = %v", err)
	}
	_, err = c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("tp"), ChangeSetName: aws.String("1bad"), TemplateURL: aws.String("https://x")})
	if !isCode(err, "ValidationError") || !strings.Contains(err.Error(), "changeSetName") {
		t.Errorf("bad change-set name = %v", err)
	}
	_, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String("arn:aws:cloudformation:us-east-1:123456789012:changeSet/x/y")})
	var nf *types.ChangeSetNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("missing change set error = %T %v", err, err)
	}
	_, err = c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("tp")})
	if !isCode(err, "ValidationError") || !strings.Contains(err.Error(), "TerminationProtection is enabled") {
		t.Errorf("delete protected = %v", err)
	}
	_, err = c.CancelUpdateStack(ctx, &cloudformation.CancelUpdateStackInput{StackName: aws.String("tp")})
	if !isCode(err, "ValidationError") {
		t.Errorf("cancel of an idle stack = %v", err)
	}
	// Deleted stacks: gone by name, DELETE_COMPLETE by ARN.
	st, _ := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("rb")})
	arn := st.Stacks[0].StackId
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("rb")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		_, _ = c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: arn})
	}
	if _, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("rb")}); !isCode(err, "ValidationError") {
		t.Errorf("deleted stack by name = %v", err)
	}
	if st, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: arn}); err != nil || st.Stacks[0].StackStatus != types.StackStatusDeleteComplete {
		t.Errorf("deleted stack by ARN = %+v, %v", st, err)
	}
	if got := srv.Calls(); got["DescribeStacks"] != 9 || got["DeleteStack"] != 2 {
		t.Errorf("calls = %v", got)
	}
}

func TestNoChangeAndObsolete(t *testing.T) {
	srv := New(t, Scenario{
		Stacks:         []Stack{{Name: "s", Status: "UPDATE_COMPLETE"}},
		NoChangeReason: ReasonNoUpdates,
	})
	c := newClient(t, srv, 1)
	ctx := context.Background()
	in := &cloudformation.CreateChangeSetInput{StackName: aws.String("s"), ChangeSetName: aws.String("a"), TemplateURL: aws.String("https://x")}
	out, err := c.CreateChangeSet(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	var d *cloudformation.DescribeChangeSetOutput
	for i := 0; i < 3; i++ {
		d, _ = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
	}
	if d.Status != types.ChangeSetStatusFailed || aws.ToString(d.StatusReason) != ReasonNoUpdates || d.ExecutionStatus != types.ExecutionStatusUnavailable {
		t.Errorf("empty change set = %s %q %s", d.Status, aws.ToString(d.StatusReason), d.ExecutionStatus)
	}
	if _, err := c.CreateChangeSet(ctx, in); !isCode(err, "AlreadyExistsException") {
		t.Errorf("duplicate change-set name = %v", err)
	}
	srv.SetPlan("s", &Level{Changes: []Change{{Action: "Add", LogicalID: "T", ResourceType: "AWS::SNS::Topic"}}})
	in.ChangeSetName = aws.String("b")
	out, err = c.CreateChangeSet(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	srv.MakeObsolete(aws.ToString(out.Id))
	for i := 0; i < 3; i++ {
		d, _ = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: out.Id})
	}
	if d.ExecutionStatus != types.ExecutionStatusObsolete {
		t.Errorf("execution status = %s", d.ExecutionStatus)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: out.Id}); !isCode(err, "InvalidChangeSetStatus") {
		t.Errorf("execute obsolete = %v", err)
	}
	ls, err := c.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String("s")})
	if err != nil || len(ls.Summaries) != 2 {
		t.Errorf("list = %+v, %v", ls, err)
	}
}
