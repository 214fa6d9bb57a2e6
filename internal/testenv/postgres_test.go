package testenv

import "testing"

func TestClusterRestart(t *testing.T) {
	c := PostgresCluster(t)
	if got := Psql(t, c.URL, "SELECT 1"); got != "1" {
		t.Fatalf("got %q", got)
	}
	c.Restart(t)
	if got := Psql(t, c.URL, "SELECT 2"); got != "2" {
		t.Fatalf("got %q", got)
	}
}
