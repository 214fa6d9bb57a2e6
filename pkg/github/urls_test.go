package github

import (
	"strings"
	"testing"
)

// TestCommentShowsEnvironmentURLs: the comment names the environment's
// front door, API, GraphQL and static files, and what static uploading
// did; the site line is left out when it is the API's own URL, and a URL
// that is not a plain https one is shown as escaped text, not a link.
func TestCommentShowsEnvironmentURLs(t *testing.T) {
	d := firstDeploy()
	d.SiteURL = "https://pr-2.preview.example.com/"
	d.StaticURL = "https://pr-2.preview.example.com/static/"
	d.Static = &Artifacts{Uploaded: 241, UploadedBytes: 3_060_813, Skipped: 0}
	c := Comment(d)
	for _, want := range []string{
		"**Site** https://pr-2.preview.example.com/\n",
		"**API** https://abc123defg.execute-api.eu-west-1.amazonaws.com/pr-2\n",
		"**GraphQL** https://xyz.appsync-api.eu-west-1.amazonaws.com/graphql\n",
		"**Static files** https://pr-2.preview.example.com/static/\n",
		"**Static files** 241 uploaded (2.9 MiB), 0 unchanged\n",
	} {
		if !strings.Contains(c, want) {
			t.Errorf("comment lacks %q:\n%s", want, c)
		}
	}
	if i, j := strings.Index(c, "**Site**"), strings.Index(c, "**API**"); i > j {
		t.Error("the site comes after the API")
	}

	// A plan leaves the changed originals (names the live site serves)
	// to deploy and says how many.
	d.Static = &Artifacts{Uploaded: 119, UploadedBytes: 1_500_000, Skipped: 2, Left: 120}
	if c := Comment(d); !strings.Contains(c, "**Static files** 119 uploaded (1.4 MiB), 2 unchanged, 120 changed for deploy to upload (names the live site serves)\n") {
		t.Errorf("plan's static line:\n%s", c)
	}

	d.SiteURL = d.APIURL
	if c := Comment(d); strings.Contains(c, "**Site**") {
		t.Errorf("site line repeats the API URL:\n%s", c)
	}
	d.SiteURL, d.StaticURL, d.Static = "", "", nil
	if c := Comment(d); strings.Contains(c, "**Static files**") || strings.Contains(c, "**Site**") {
		t.Errorf("lines without values:\n%s", c)
	}

	d.StaticURL = "javascript:alert(1)//[x](y)"
	if c := Comment(d); strings.Contains(c, "[x](y)") {
		t.Errorf("a hostile static URL reached the comment unescaped:\n%s", c)
	}
}
