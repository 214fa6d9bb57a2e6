package manage

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitArgs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"migrate --noinput", []string{"migrate", "--noinput"}},
		{"  migrate\t--noinput \n", []string{"migrate", "--noinput"}},
		{`loaddata 'my fixture.json' "other one"`, []string{"loaddata", "my fixture.json", "other one"}},
		{`echo $(id) ; rm -rf / | cat && x`, []string{"echo", "$(id)", ";", "rm", "-rf", "/", "|", "cat", "&&", "x"}},
		{`a\ b "c\"d" 'e\f' ""`, []string{"a b", `c"d`, `e\f`, ""}},
		{`--name="x y"z`, []string{"--name=x yz"}},
		{``, nil},
	} {
		got, err := SplitArgs(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.in, diff)
		}
	}
	for _, bad := range []string{`'open`, `"open`, `a "b`} {
		if _, err := SplitArgs(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
