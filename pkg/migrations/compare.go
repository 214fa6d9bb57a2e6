package migrations

import "sort"

// Summary is what plan and render report of the migrations: the ones this
// change adds compared with what the environment last deployed, and the
// risky operations among them. Its JSON form is the "migrations" object of
// `plan --json` and manifest.json.
type Summary struct {
	// New lists "app.name" in graph order.
	New []string `json:"new"`
	// Risky lists the risky operations of the new migrations.
	Risky []Risk `json:"risky"`
	// Removed lists migrations the previous deployment had that the
	// project no longer has (the database may be ahead of the code).
	Removed []string `json:"removed,omitempty"`
	// Known is false when no previous deployment was known (offline, or a
	// first deploy): every migration then counts as new.
	Known bool `json:"-"`
}

// Risk is one risky operation of a new migration.
type Risk struct {
	Migration string `json:"migration"` // "app.name"
	Operation string `json:"operation"` // "RemoveField"
	Line      int    `json:"line"`
	File      string `json:"file"`   // relative to the Django root
	Reason    string `json:"reason"` // why it is risky
}

// Compare summarises s against the migration list of the previous
// deployment; previous nil means none is known (every migration is new).
// A squashed migration whose replaced migrations were all deployed is not
// new (it is the same schema): a replaced migration counts as deployed
// when it was, or when it is itself a squash on disk (a squash of a
// squash) whose replaced migrations all were. A previously deployed
// migration that a squash replaces is not removed, whether its file is
// still there or was deleted.
func (s *Set) Compare(previous []string) Summary {
	sum := Summary{New: []string{}, Risky: []Risk{}, Known: previous != nil}
	if s == nil {
		return sum
	}
	had := map[string]bool{}
	for _, id := range previous {
		had[id] = true
	}
	squashes := map[string]Migration{}
	current := map[string]bool{}
	for _, list := range [][]Migration{s.Migrations, s.Replaced} {
		for _, m := range list {
			current[m.String()] = true
			if len(m.Replaces) > 0 {
				squashes[m.String()] = m
			}
			for _, r := range m.Replaces {
				current[r.String()] = true
			}
		}
	}
	for _, m := range s.Migrations {
		if previous != nil && deployed(m.String(), had, squashes, map[string]bool{}) {
			continue
		}
		sum.New = append(sum.New, m.String())
		for _, op := range m.Operations {
			if op.Risk != "" {
				sum.Risky = append(sum.Risky, Risk{Migration: m.String(), Operation: op.Name, Line: op.Line, File: m.File, Reason: op.Risk})
			}
		}
	}
	for _, id := range previous {
		if !current[id] {
			sum.Removed = append(sum.Removed, id)
		}
	}
	sort.Strings(sum.Removed)
	return sum
}

// deployed reports whether id, or every migration it replaces, was
// deployed; a replaced migration that is a squash on disk is looked at the
// same way. A squash whose file is gone says nothing of what it replaced:
// it counts as deployed only when it was itself.
func deployed(id string, had map[string]bool, squashes map[string]Migration, seen map[string]bool) bool {
	if had[id] {
		return true
	}
	m, ok := squashes[id]
	if !ok || seen[id] {
		return false
	}
	seen[id] = true
	for _, r := range m.Replaces {
		if !deployed(r.String(), had, squashes, seen) {
			return false
		}
	}
	return true
}
