package config

import (
	"path"
	"path/filepath"
	"strings"
)

// DefaultProject is the stack-name prefix (and S3 key prefix) when the
// configuration sets no project: the repository's name from
// GITHUB_REPOSITORY ("owner/name"), else the name of the folder holding
// manage.py. It is made to fit CloudFormation's stack names
// ([A-Za-z][-A-Za-z0-9]*) and S3's safe key characters: lower case, every
// run of other characters one "-", a letter first ("app-" is put before a
// name that starts otherwise), at most 64 characters, as project: allows.
func DefaultProject(repository, djangoRoot string) string {
	name := ""
	if repository != "" {
		name = path.Base(strings.TrimRight(repository, "/"))
	}
	if name == "" || name == "." || name == "/" {
		name = filepath.Base(djangoRoot)
	}
	return SanitizeProject(name)
}

// SanitizeProject turns any name into a valid project: value.
func SanitizeProject(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "django"
	}
	if out[0] < 'a' || out[0] > 'z' {
		out = "app-" + out
	}
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], "-")
	}
	return out
}
