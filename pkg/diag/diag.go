// Package diag carries problems a user can act on: each names the file, line
// and column it comes from, and many are reported together.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Severity says whether a problem stops the run.
type Severity int

const (
	// Error stops the run before anything is deployed.
	Error Severity = iota
	// Warning is reported and the run goes on.
	Warning
	// Note is information (for example "static() ignored").
	Note
)

func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	default:
		return "error"
	}
}

// Diagnostic is one problem at one place. File is relative to the project
// when possible; Line and Col are 1-based and 0 when unknown.
type Diagnostic struct {
	Severity Severity `json:"-"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Col      int      `json:"col,omitempty"`
	Message  string   `json:"message"`
}

// Position renders "file:line:col", dropping the parts that are unknown.
func (d Diagnostic) Position() string {
	switch {
	case d.File == "":
		return ""
	case d.Line == 0:
		return d.File
	case d.Col == 0:
		return fmt.Sprintf("%s:%d", d.File, d.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", d.File, d.Line, d.Col)
	}
}

func (d Diagnostic) String() string {
	if p := d.Position(); p != "" {
		return p + ": " + d.Severity.String() + ": " + d.Message
	}
	return d.Severity.String() + ": " + d.Message
}

// List is a set of diagnostics. As an error it reports every entry, one per
// line, sorted by file and position so output is deterministic.
type List []Diagnostic

// Errf appends an error at a position.
func (l *List) Errf(file string, line, col int, format string, args ...any) {
	*l = append(*l, Diagnostic{Severity: Error, File: file, Line: line, Col: col, Message: fmt.Sprintf(format, args...)})
}

// Warnf appends a warning at a position.
func (l *List) Warnf(file string, line, col int, format string, args ...any) {
	*l = append(*l, Diagnostic{Severity: Warning, File: file, Line: line, Col: col, Message: fmt.Sprintf(format, args...)})
}

// Notef appends a note at a position.
func (l *List) Notef(file string, line, col int, format string, args ...any) {
	*l = append(*l, Diagnostic{Severity: Note, File: file, Line: line, Col: col, Message: fmt.Sprintf(format, args...)})
}

// HasErrors reports whether any entry is an Error.
func (l List) HasErrors() bool {
	for _, d := range l {
		if d.Severity == Error {
			return true
		}
	}
	return false
}

// Errors returns only the Error entries.
func (l List) Errors() List { return l.filter(Error) }

// Warnings returns the Warning and Note entries.
func (l List) Warnings() List {
	var out List
	for _, d := range l {
		if d.Severity != Error {
			out = append(out, d)
		}
	}
	return out
}

func (l List) filter(s Severity) List {
	var out List
	for _, d := range l {
		if d.Severity == s {
			out = append(out, d)
		}
	}
	return out
}

// Sort orders entries by file, line, column, then message.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Message < b.Message
	})
}

// Err returns the list as an error when it holds at least one Error, else nil.
func (l List) Err() error {
	if !l.HasErrors() {
		return nil
	}
	errs := append(List(nil), l.Errors()...)
	errs.Sort()
	return errs
}

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, d := range l {
		lines[i] = d.String()
	}
	return strings.Join(lines, "\n")
}
