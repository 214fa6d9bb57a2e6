package github

import (
	"fmt"
	"strings"
	"testing"
)

// Discovery's alerts (no routes, most routes to the catch-all) head the
// comment and the job summary, escaped, and survive the shortening of a
// comment too long for GitHub.
func TestWarningsHeadTheReport(t *testing.T) {
	d := firstDeploy()
	d.Mode = ModePlan
	d.ChangeSet = bigModel(3000, 10, func(i int) string { return fmt.Sprintf("CatalogProductDetailFunction%04d", i) })
	d.Warnings = []string{
		"warning: no routes discovered from shop.urls: every request goes to the catch-all function (see the warnings before this one)",
		"shop/urls.py:3: warning: <b>route</b> not known `statically`",
	}
	for name, out := range map[string]string{"comment": Comment(d), "summary": Summary(d)} {
		first := strings.Index(out, "> ⚠️ warning: no routes discovered from shop.urls")
		if first < 0 {
			t.Errorf("%s lacks the first warning", name)
			continue
		}
		if changes := strings.Index(out, "**Changes**"); changes < first {
			t.Errorf("%s: the warning is not above the changes", name)
		}
		if strings.Contains(out, "<b>route</b>") || !strings.Contains(out, "> ⚠️ shop/urls.py:3: warning: ") {
			t.Errorf("%s: the second warning is not escaped:\n%s", name, out[:first+400])
		}
		if i := strings.Index(out, "<details>"); i >= 0 && i < first {
			t.Errorf("%s: a warning is inside <details>", name)
		}
	}
	if got := Comment(d); len(got) > MaxCommentBytes {
		t.Errorf("comment is %d bytes", len(got))
	}
	d.Warnings = nil
	if strings.Contains(Comment(d), "> ⚠️") {
		t.Error("a warning without warnings")
	}
}
