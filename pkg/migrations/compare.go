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
// new (it is the same schema), and a previously deployed migration that a
// squash now replaces is not removed.
func (s *Set) Compare(previous []string) Summary {
	sum := Summary{New: []string{}, Risky: []Risk{}, Known: previous != nil}
	if s == nil {
		return sum
	}
	had := map[string]bool{}
	for _, id := range previous {
		had[id] = true
	}
	current := map[string]bool{}
	for _, m := range s.Migrations {
		current[m.String()] = true
	}
	for _, m := range s.Replaced {
		current[m.String()] = true
	}
	for _, m := range s.Migrations {
		if previous != nil && deployed(m, had) {
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

// deployed reports whether m, or every migration it replaces, was deployed.
func deployed(m Migration, had map[string]bool) bool {
	if had[m.String()] {
		return true
	}
	if len(m.Replaces) == 0 {
		return false
	}
	for _, r := range m.Replaces {
		if !had[r.String()] {
			return false
		}
	}
	return true
}
