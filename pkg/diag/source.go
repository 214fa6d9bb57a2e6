package diag

import "strconv"

// ParseSource splits a source position such as "catalog/urls.py:12" into
// its file and 1-based line. A trailing column ("urls.py:12:5") is dropped.
// Without a line number (no colon, or no decimal digits after the last one)
// the whole string is the file and line is 0, as Diagnostic expects for an
// unknown line; "file:0" is the file with an unknown line.
func ParseSource(src string) (file string, line int) {
	file, n, ok := cutNumber(src)
	if !ok {
		return src, 0
	}
	if f, l, ok := cutNumber(file); ok {
		return f, l // file:line:col
	}
	return file, n
}

// cutNumber splits "x:N" into x and N when N is a decimal number written
// with digits only (no sign) that fits an int.
func cutNumber(s string) (string, int, bool) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || i == 0 || s[i-1] != ':' {
		return s, 0, false
	}
	n, err := strconv.Atoi(s[i:])
	if err != nil {
		return s, 0, false
	}
	return s[:i-1], n, true
}
