package diag

import (
	"errors"
	"testing"
)

func TestListErrSortsAndKeepsOnlyErrors(t *testing.T) {
	var l List
	l.Warnf("b.py", 3, 1, "a warning")
	l.Errf("b.py", 2, 0, "second")
	l.Errf("a.py", 9, 4, "first")
	l.Notef("", 0, 0, "a note")
	l.Errf("", 0, 0, "no position")
	if !l.HasErrors() {
		t.Fatal("HasErrors = false")
	}
	err := l.Err()
	want := "error: no position\na.py:9:4: error: first\nb.py:2: error: second"
	if err == nil || err.Error() != want {
		t.Fatalf("Err() =\n%v\nwant\n%s", err, want)
	}
	var got List
	if !errors.As(err, &got) || len(got) != 3 {
		t.Errorf("errors.As(List) = %v, %d entries", errors.As(err, &got), len(got))
	}
	if w := l.Warnings(); len(w) != 2 || w[0].Severity != Warning || w[1].Severity != Note {
		t.Errorf("Warnings() = %v", w)
	}
}

func TestListWithoutErrorsIsNoError(t *testing.T) {
	var l List
	l.Warnf("x.py", 1, 1, "only a warning")
	if err := l.Err(); err != nil {
		t.Errorf("Err() = %v, want nil", err)
	}
	if (List{}).Err() != nil {
		t.Error("empty list is an error")
	}
}

func TestPosition(t *testing.T) {
	for _, tt := range []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{File: "f", Line: 2, Col: 3}, "f:2:3"},
		{Diagnostic{File: "f", Line: 2}, "f:2"},
		{Diagnostic{File: "f"}, "f"},
		{Diagnostic{Line: 2}, ""},
	} {
		if got := tt.d.Position(); got != tt.want {
			t.Errorf("%+v.Position() = %q, want %q", tt.d, got, tt.want)
		}
	}
}
