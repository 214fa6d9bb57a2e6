package changeset

import "strings"

// Resource types whose replacement is the designed churn of the templates:
// they are immutable and content-addressed, so a deploy that changes code
// or routes publishes a new one and drops the old one.
const (
	LambdaVersionType = "AWS::Lambda::Version"
	LayerVersionType  = "AWS::Lambda::LayerVersion"
	DeploymentType    = "AWS::ApiGateway::Deployment"
	DeploymentV2Type  = "AWS::ApiGatewayV2::Deployment"
)

// Risk is a removal or a replacement at one level: Path is the level's
// logical path ("" for the root). Risks returns the ones a reviewer must
// weigh, Routine the designed churn of immutable resources.
type Risk struct {
	Path   string
	Change ResourceChange
}

// Flagged reports a change a reviewer must see: a Remove, or a Modify with
// Replacement True or Conditional. (With IncludePropertyValues AWS also
// marks an Add "Replacement: True"; an Add is never flagged.)
func Flagged(c ResourceChange) bool {
	return c.Action == "Remove" || Replaced(c)
}

// Replaced reports a Modify (or Dynamic change) that replaces the resource
// (Replacement True) or may replace it (Conditional).
func Replaced(c ResourceChange) bool {
	return c.Action != "Remove" && c.Action != "Add" && c.Action != "Import" &&
		(c.Replacement == "True" || c.Replacement == "Conditional")
}

// Routine reports, for each change of the level (same index as
// s.Changes), whether it is a ROUTINE removal or replacement: the designed
// churn of the immutable, content-addressed resources the templates
// publish, not a risk:
//
//   - a Remove of an AWS::Lambda::Version when the same level adds an
//     AWS::Lambda::Version for the same function: the logical IDs are
//     "<Function>Version<hash>" and the part before the last "Version" is
//     equal (CatalogVersion3f9a... removed, CatalogVersion8b1c... added);
//   - a Remove of an AWS::ApiGateway::Deployment (or
//     AWS::ApiGatewayV2::Deployment) when the same level adds one of the
//     same type (its logical ID is "Deployment<hash of the routes>");
//   - a Replacement True or Conditional of an AWS::Lambda::LayerVersion: a
//     new layer version is published, the functions move to it and the old
//     one is deleted only after the update succeeded.
//
// Everything else that Flagged reports stays a risk: a Version removed
// with no new one for its function (the function went away), a Version
// or Deployment added in another nested stack, a removed layer, a
// replaced role, table or stage.
func (s Stack) Routine() []bool {
	out := make([]bool, len(s.Changes))
	added := map[string]bool{} // type + "\x00" + key of every Add
	for _, c := range s.Changes {
		if c.Action == "Add" {
			added[c.ResourceType+"\x00"+churnKey(c)] = true
		}
	}
	for i, c := range s.Changes {
		switch {
		case c.Action == "Remove" && (c.ResourceType == LambdaVersionType || c.ResourceType == DeploymentType || c.ResourceType == DeploymentV2Type):
			out[i] = added[c.ResourceType+"\x00"+churnKey(c)]
		case c.ResourceType == LayerVersionType:
			out[i] = Replaced(c)
		}
	}
	return out
}

// churnKey names what a versioned resource belongs to: for a Lambda
// version the logical ID before its last "Version" (the function), for a
// deployment nothing (one API per level), else the logical ID itself.
func churnKey(c ResourceChange) string {
	switch c.ResourceType {
	case LambdaVersionType:
		if i := strings.LastIndex(c.LogicalID, "Version"); i >= 0 {
			return c.LogicalID[:i]
		}
		return c.LogicalID
	case DeploymentType, DeploymentV2Type:
		return ""
	}
	return c.LogicalID
}

// Classify splits every Remove and every Replacement True or Conditional
// into risks and routine churn, each in model order; together they are
// exactly the changes Flagged reports, less the nested stacks whose own
// change set is described (their contents are listed instead). Totals
// counts the same changes.
func (m *Model) Classify() (risks, routine []Risk) {
	if m == nil {
		return nil, nil
	}
	described := m.described()
	for _, s := range m.Stacks {
		r := s.Routine()
		for i, c := range s.Changes {
			switch {
			case c.NestedStack && described[join(s.Path, c.LogicalID)]:
			case r[i]:
				routine = append(routine, Risk{Path: s.Path, Change: c})
			case Flagged(c):
				risks = append(risks, Risk{Path: s.Path, Change: c})
			}
		}
	}
	return risks, routine
}

// RoutineGroup is the routine changes of one kind at one level, for a
// compact listing.
type RoutineGroup struct {
	Path string
	// Type is the resource type of the first change of the group; the
	// group's kind is RoutineKind of it.
	Type string
	IDs  []string // logical IDs, in model order
}

// Kind names the group's kind in the plural ("Lambda versions") or, for
// one change, the singular.
func (g RoutineGroup) Kind() string {
	k := RoutineKind(ResourceChange{ResourceType: g.Type})
	if len(g.IDs) == 1 {
		return k
	}
	return k + "s"
}

// GroupRoutine groups routine changes by level and kind, in order of first
// appearance, keeping every logical ID.
func GroupRoutine(routine []Risk) []RoutineGroup {
	var out []RoutineGroup
	index := map[[2]string]int{}
	for _, r := range routine {
		k := [2]string{r.Path, RoutineKind(r.Change)}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, RoutineGroup{Path: r.Path, Type: r.Change.ResourceType})
		}
		out[i].IDs = append(out[i].IDs, r.Change.LogicalID)
	}
	return out
}

// described is the set of level paths the model holds.
func (m *Model) described() map[string]bool {
	out := map[string]bool{}
	for _, s := range m.Stacks {
		out[s.Path] = true
	}
	return out
}

func join(path, id string) string {
	if path == "" {
		return id
	}
	return path + "/" + id
}

// Totals counts resource changes over all levels, as Classify sorts them:
// a nested stack is not counted itself (its contents are), except a
// removed or replaced one whose contents are not described, which counts
// as one removal or replacement. An Import counts as Add, a Dynamic change as
// Modify.
func (m *Model) Totals() Totals {
	var t Totals
	if m == nil {
		return t
	}
	described := m.described()
	for _, s := range m.Stacks {
		routine := s.Routine()
		for i, c := range s.Changes {
			switch {
			case c.NestedStack && (described[join(s.Path, c.LogicalID)] || !Flagged(c)):
				// Its contents are counted; a nested stack added or
				// modified without a described level adds nothing to
				// count by itself.
			case routine[i]:
				t.Routine++
			case c.Action == "Add" || c.Action == "Import":
				t.Add++
			case c.Action == "Remove":
				t.Remove++
			case Replaced(c):
				t.Replace++
			default:
				t.Modify++
			}
		}
	}
	return t
}
