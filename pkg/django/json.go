package django

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON renders the `discover --json` object of DESIGN section 2: indented,
// with <, > and & kept as written (routes contain "<int:pk>"), ending in a
// newline.
func (p *Project) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("encode project %s: %w", p.SettingsModule, err)
	}
	return b.Bytes(), nil
}
