package diag

import "testing"

func TestParseSource(t *testing.T) {
	for _, tc := range []struct {
		src  string
		file string
		line int
	}{
		{"catalog/urls.py:12", "catalog/urls.py", 12},
		{"shop/schema.py:30:5", "shop/schema.py", 30},
		{"django-serverless.yml", "django-serverless.yml", 0},
		{"", "", 0},
		{"urls.py:", "urls.py:", 0},
		{"urls.py:abc", "urls.py:abc", 0},
		{"urls.py:+12", "urls.py:+12", 0},
		{"urls.py:-3", "urls.py:-3", 0},
		{"urls.py:0", "urls.py", 0},
		{"urls.py:99999999999999999999", "urls.py:99999999999999999999", 0},
		{":7", "", 7},
		{"12", "12", 0},
		{"C:/src/urls.py:4", "C:/src/urls.py", 4},
		{"a:b:3", "a:b", 3},
	} {
		file, line := ParseSource(tc.src)
		if file != tc.file || line != tc.line {
			t.Errorf("ParseSource(%q) = %q, %d; want %q, %d", tc.src, file, line, tc.file, tc.line)
		}
	}
}

// A parsed position prints back as the source it came from.
func TestParseSourceRoundTrip(t *testing.T) {
	for _, src := range []string{"shop/urls.py:8", "shop/urls.py", "a/b/c.py:1"} {
		file, line := ParseSource(src)
		if got := (Diagnostic{File: file, Line: line}).Position(); got != src {
			t.Errorf("ParseSource(%q) prints back as %q", src, got)
		}
	}
}
