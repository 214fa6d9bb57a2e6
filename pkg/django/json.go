package django

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/django-serverless/django-serverless-action/pkg/diag"
)

// jsonDiagnostic is one diagnostic in `discover --json`.
type jsonDiagnostic struct {
	Severity string `json:"severity"` // "error" | "warning" | "note"
	File     string `json:"file"`     // relative to the Django root; "" when about the whole project
	Line     int    `json:"line"`     // 1-based; 0 when unknown
	Column   int    `json:"column"`   // 1-based; 0 when unknown
	Message  string `json:"message"`
}

// JSON renders the `discover --json` object of DESIGN section 2: indented,
// with <, > and & kept as written (routes contain "<int:pk>"), ending in a
// newline. After the keys of the contract comes "diagnostics": every
// error, warning and note, sorted by file and position.
func (p *Project) JSON() ([]byte, error) {
	type project Project // the contract's fields, without this method
	out := struct {
		*project
		Diagnostics []jsonDiagnostic `json:"diagnostics"`
	}{project: (*project)(p), Diagnostics: []jsonDiagnostic{}}
	list := append(diag.List(nil), p.Diagnostics...)
	list.Sort()
	for _, d := range list {
		out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{Severity: d.Severity.String(), File: d.File, Line: d.Line, Column: d.Col, Message: d.Message})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return nil, fmt.Errorf("encode project %s: %w", p.SettingsModule, err)
	}
	return b.Bytes(), nil
}
