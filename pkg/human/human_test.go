package human

import "testing"

func TestBytes(t *testing.T) {
	for n, want := range map[int64]string{
		0:                   "0 B",
		1:                   "1 B",
		1023:                "1023 B",
		1024:                "1 KiB",
		1536:                "1.5 KiB",
		1075:                "1 KiB", // 1.05 rounds to 1.0
		1127:                "1.1 KiB",
		48_213:              "47.1 KiB",
		1<<20 - 1:           "1 MiB", // 1023.999 KiB rounds up a unit
		18_874_368:          "18 MiB",
		3_145_728:           "3 MiB",
		250 << 20:           "250 MiB", // Lambda's unzipped limit
		262_144_001:         "250 MiB",
		5 << 30:             "5 GiB",
		5<<30 + 300<<20:     "5.3 GiB",
		-1536:               "-1.5 KiB",
		1 << 62:             "4 EiB",
		9223372036854775807: "8 EiB",
	} {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n          int
		noun, want string
	}{
		{0, "function", "0 functions"},
		{1, "function", "1 function"},
		{2, "function", "2 functions"},
		{1, "change", "1 change"},
		{3, "change", "3 changes"},
		{2, "dependency", "2 dependencies"},
		{2, "day", "2 days"},
		{2, "alias", "2 aliases"},
		{2, "match", "2 matches"},
		{-1, "byte", "-1 byte"},
	} {
		if got := Count(tc.n, tc.noun); got != tc.want {
			t.Errorf("Count(%d, %q) = %q, want %q", tc.n, tc.noun, got, tc.want)
		}
	}
	if got := CountOf(2, "child", "children"); got != "2 children" {
		t.Errorf("CountOf = %q", got)
	}
}
