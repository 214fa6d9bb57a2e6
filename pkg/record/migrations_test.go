package record

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The migration list keeps Django's order (it is not sorted like the
// other lists), an empty list is written as [], and a record written
// before migrations were recorded reads back as nil: unknown, not "none".
func TestMigrations(t *testing.T) {
	r := sample()
	r.Migrations = []string{"shop.0002_b", "auth.0001_initial", "shop.0001_a"}
	data, _, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r.Migrations, back.Migrations); diff != "" {
		t.Errorf("migrations (-want +got):\n%s", diff)
	}
	r.Migrations = nil
	data, _, _ = r.Encode()
	if !strings.Contains(string(data), `"migrations": []`) {
		t.Errorf("no migrations is not written as []:\n%s", data)
	}
	if back, _ := Decode(data); back.Migrations == nil || len(back.Migrations) != 0 {
		t.Errorf("[] read back as %#v", back.Migrations)
	}
	old := strings.Replace(string(data), `  "migrations": [],`+"\n", "", 1)
	old = strings.Replace(old, `,`+"\n"+`  "migrations": []`, "", 1)
	if strings.Contains(old, "migrations") {
		t.Fatalf("could not remove the key:\n%s", old)
	}
	back, err = Decode([]byte(old))
	if err != nil || back.Migrations != nil {
		t.Errorf("a record without the key: %v, %#v", err, back.Migrations)
	}
}
