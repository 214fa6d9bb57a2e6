package stack

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// tracked is one stack whose events are followed.
type tracked struct {
	path   string // root stack name, then root/Logical/...
	id     string // stack ARN
	name   string
	newest string    // newest event already seen
	since  time.Time // events older than this belong to earlier operations
	done   bool      // its own terminal event was seen
	seen   map[string]bool
}

type seenEvent struct {
	path string
	ev   types.StackEvent
}

// streamer follows the events of a root stack and of every nested stack
// those events reveal, printing new events only.
type streamer struct {
	api      API
	d        *Deployer
	root     *tracked
	stacks   []*tracked
	byID     map[string]*tracked
	events   []seenEvent
	terminal string
	// rootEvents counts new events of the root stack in this operation.
	rootEvents int
}

func newStreamer(api API, d *Deployer, name, id string) *streamer {
	root := &tracked{path: name, id: id, name: name}
	return &streamer{api: api, d: d, root: root, stacks: []*tracked{root}, byID: map[string]*tracked{id: root}}
}

// baseline marks the root stack's existing events as seen (one call).
func (s *streamer) baseline(ctx context.Context) error {
	var (
		out *cloudformation.DescribeStackEventsOutput
		err error
	)
	for i := 0; ; i++ {
		out, err = s.api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(s.root.id)})
		if err == nil || !isThrottle(err) || i == 4 {
			break
		}
		if serr := s.d.sleep(ctx, i); serr != nil {
			return serr
		}
	}
	if err != nil {
		if isCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist") {
			return nil
		}
		return fmt.Errorf("read events of stack %s: %w", s.root.name, awsErr(ctx, err))
	}
	if len(out.StackEvents) > 0 {
		s.root.newest = aws.ToString(out.StackEvents[0].EventId)
		s.root.since = aws.ToTime(out.StackEvents[0].Timestamp)
	}
	return nil
}

// follow polls until the root stack's own terminal event, then reads every
// stack once more so late nested events are not lost.
func (s *streamer) follow(ctx context.Context) error {
	quiet := 0
	for i := 0; s.terminal == ""; i++ {
		before := len(s.events)
		if err := s.round(ctx, false); err != nil {
			return err
		}
		if s.terminal != "" {
			break
		}
		// Safety net: after many quiet rounds, ask the stack itself, so a
		// lost terminal event cannot make the wait last until the timeout.
		if quiet++; len(s.events) > before {
			quiet = 0
		}
		if quiet >= quietRounds {
			quiet = 0
			st, err := describeStack(ctx, s.api, s.root.id)
			if err != nil && !isThrottle(err) {
				return err
			}
			if err == nil && s.rootEvents > 0 && (st == nil || !inProgress(string(st.StackStatus)) && st.StackStatus != "REVIEW_IN_PROGRESS") {
				s.terminal = "DELETE_COMPLETE"
				if st != nil {
					s.terminal = string(st.StackStatus)
				}
				break
			}
		}
		if err := s.d.sleep(ctx, i); err != nil {
			return err
		}
	}
	return s.round(ctx, true)
}

// round reads every followed stack once and handles the new events in
// time order across stacks (a stable sort: events of one instant keep
// the order of the stacks, parents first). Nested stacks the events
// reveal are read in the same round.
func (s *streamer) round(ctx context.Context, all bool) error {
	for from := 0; from < len(s.stacks); {
		to := len(s.stacks)
		var batch []seenEvent
		for _, t := range s.stacks[from:to] {
			if t.done && !all && t != s.root {
				continue
			}
			fresh, err := s.poll(ctx, t)
			if err != nil {
				if isThrottle(err) || (t != s.root && isCode(err, "ValidationError") && strings.Contains(err.Error(), "does not exist")) {
					continue // the SDK already retried, or the nested stack is not readable yet: next round
				}
				return err
			}
			for _, e := range fresh {
				batch = append(batch, seenEvent{path: t.path, ev: e})
			}
		}
		sort.SliceStable(batch, func(i, j int) bool {
			return aws.ToTime(batch[i].ev.Timestamp).Before(aws.ToTime(batch[j].ev.Timestamp))
		})
		for _, e := range batch {
			s.handle(s.tracked(e.path), e.ev)
		}
		from = to
	}
	return nil
}

func (s *streamer) tracked(path string) *tracked {
	for _, t := range s.stacks {
		if t.path == path {
			return t
		}
	}
	return s.root
}

// poll reads a stack's new events, newest first, paging only until an
// event already seen (or older than the operation), and returns them
// oldest first.
func (s *streamer) poll(ctx context.Context, t *tracked) ([]types.StackEvent, error) {
	var (
		fresh []types.StackEvent
		token *string
	)
	for {
		out, err := s.api.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(t.id), NextToken: token})
		if err != nil {
			return nil, fmt.Errorf("read events of stack %s: %w", t.path, awsErr(ctx, err))
		}
		stop := false
		for _, e := range out.StackEvents {
			if aws.ToString(e.EventId) == t.newest || (!t.since.IsZero() && aws.ToTime(e.Timestamp).Before(t.since)) {
				stop = true
				break
			}
			fresh = append(fresh, e)
		}
		if stop || aws.ToString(out.NextToken) == "" {
			break
		}
		token = out.NextToken
	}
	if len(fresh) == 0 {
		return nil, nil
	}
	t.newest = aws.ToString(fresh[0].EventId)
	if t.seen == nil {
		t.seen = map[string]bool{}
	}
	var out []types.StackEvent
	for i := len(fresh) - 1; i >= 0; i-- {
		if id := aws.ToString(fresh[i].EventId); !t.seen[id] {
			t.seen[id] = true
			out = append(out, fresh[i])
		}
	}
	return out, nil
}

func (s *streamer) handle(t *tracked, e types.StackEvent) {
	s.events = append(s.events, seenEvent{path: t.path, ev: e})
	if t == s.root {
		s.rootEvents++
	}
	logical := aws.ToString(e.LogicalResourceId)
	status := string(e.ResourceStatus)
	line := fmt.Sprintf("%s %s %s %s", t.path, status, aws.ToString(e.ResourceType), logical)
	if r := aws.ToString(e.ResourceStatusReason); r != "" {
		line += ": " + strings.Join(strings.Fields(r), " ")
	}
	s.d.logf("%s", line)
	own := aws.ToString(e.ResourceType) == StackType && (logical == t.name || aws.ToString(e.PhysicalResourceId) == t.id)
	if own {
		if !strings.HasSuffix(status, "_IN_PROGRESS") {
			t.done = true
			if t == s.root {
				s.terminal = status
			}
		} else {
			t.done = false
		}
		return
	}
	phys := aws.ToString(e.PhysicalResourceId)
	if aws.ToString(e.ResourceType) != StackType || !strings.HasPrefix(phys, "arn:") {
		return
	}
	if c := s.byID[phys]; c != nil {
		c.done = false // the parent is acting on it again (e.g. rollback)
		return
	}
	// A nested stack's own events of this operation come after the parent's
	// event that reveals it; one second of slack absorbs clock skew.
	c := &tracked{path: t.path + "/" + logical, id: phys, name: nestedName(phys), since: aws.ToTime(e.Timestamp).Add(-time.Second)}
	s.byID[phys] = c
	s.stacks = append(s.stacks, c)
}

// quietRounds is how many polls without any new event trigger a
// DescribeStacks check of the root stack.
const quietRounds = 10

// StackType is the resource type of a nested stack.
const StackType = "AWS::CloudFormation::Stack"

// nestedName extracts the stack name from a stack ARN.
func nestedName(arn string) string {
	parts := strings.Split(arn, "/")
	if len(parts) >= 2 {
		return parts[1]
	}
	return arn
}

// wrapper reasons are consequences, not causes.
var wrappers = []string{
	"Resource creation cancelled",
	"Resource update cancelled",
	"Embedded stack",
	"was not successfully",
	"The following resource(s) failed",
}

func isWrapper(reason string) bool {
	for _, w := range wrappers {
		if strings.Contains(reason, w) {
			return true
		}
	}
	return false
}

// rootCause is the earliest *_FAILED event across all followed stacks whose
// reason is not a wrapper, as "path/LogicalId (Type): reason".
func (s *streamer) rootCause() string {
	evs := append([]seenEvent(nil), s.events...)
	sort.SliceStable(evs, func(i, j int) bool {
		return aws.ToTime(evs[i].ev.Timestamp).Before(aws.ToTime(evs[j].ev.Timestamp))
	})
	var fallback string
	for _, e := range evs {
		if !strings.HasSuffix(string(e.ev.ResourceStatus), "_FAILED") {
			continue
		}
		reason := strings.Join(strings.Fields(aws.ToString(e.ev.ResourceStatusReason)), " ")
		desc := fmt.Sprintf("%s/%s (%s): %s", e.path, aws.ToString(e.ev.LogicalResourceId), aws.ToString(e.ev.ResourceType), reason)
		if reason != "" && !isWrapper(reason) {
			return desc
		}
		if fallback == "" {
			fallback = desc
		}
	}
	if fallback != "" {
		return fallback
	}
	for i := len(s.events) - 1; i >= 0; i-- {
		e := s.events[i]
		if e.path == s.root.path && aws.ToString(e.ev.ResourceStatusReason) != "" {
			return aws.ToString(e.ev.ResourceStatusReason)
		}
	}
	return "no failure event found"
}
