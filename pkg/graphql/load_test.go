package graphql

import (
	"strings"
	"testing"
)

func TestLoadAppSyncKnowsAppSyncScalars(t *testing.T) {
	out, _, _, err := ToAppSync("s.graphql", []byte("scalar DateTime\ntype Query { now: DateTime, hello(name: String!): String }\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := LoadAppSync("s.graphql", out)
	if err != nil {
		t.Fatalf("load converted schema: %v\n%s", err, out)
	}
	if s.Query == nil || s.Query.Fields.ForName("now") == nil || s.Query.Fields.ForName("now").Type.Name() != "AWSDateTime" {
		t.Errorf("query type = %+v", s.Query)
	}
	if _, err := LoadAppSync("bad.graphql", []byte("type Query { x: Nope }")); err == nil || !strings.Contains(err.Error(), "bad.graphql") {
		t.Errorf("unknown type: err = %v", err)
	}
}
