package record

import (
	"bytes"
	"strings"
	"testing"
)

func sample() *Record {
	return &Record{
		Stack: "shop-dev",
		Functions: []Function{
			{Name: "Zed", PhysicalName: "shop-dev_Zed", Shard: 2, Runtime: "python3.12"},
			{Name: "Default", PhysicalName: "shop-dev_Default", Shard: 1, Runtime: "python3.12"},
		},
		Resolvers: []Resolver{{Type: "Query", Field: "b", Shard: 1}, {Type: "Mutation", Field: "a", Shard: 0}, {Type: "Query", Field: "a", Shard: 0}},
		DepsLayer: &Layer{Key: "shop/abc.zip", UnzippedSize: 123},
	}
}

// TestEncodeIsCanonical: order of the lists does not matter; the bytes
// round-trip.
func TestEncodeIsCanonical(t *testing.T) {
	a, shaA, err := sample().Encode()
	if err != nil {
		t.Fatal(err)
	}
	r := sample()
	r.Functions[0], r.Functions[1] = r.Functions[1], r.Functions[0]
	r.Resolvers[0], r.Resolvers[2] = r.Resolvers[2], r.Resolvers[0]
	b, shaB, _ := r.Encode()
	if !bytes.Equal(a, b) || shaA != shaB || len(shaA) != 64 {
		t.Errorf("order changed the record:\n%s\n%s", a, b)
	}
	back, err := Decode(a)
	if err != nil {
		t.Fatal(err)
	}
	again, _, _ := back.Encode()
	if !bytes.Equal(a, again) || back.Version != Version {
		t.Errorf("round trip:\n%s\n%s", a, again)
	}
	if f, ok := back.Function("Zed"); !ok || f.Shard != 2 {
		t.Errorf("Function(Zed) = %+v %v", f, ok)
	}
	if _, ok := (*Record)(nil).Function("Zed"); ok {
		t.Error("a nil record has functions")
	}
	if Key("shop", shaA) != "shop/records/"+shaA+".json" {
		t.Error(Key("shop", shaA))
	}
}

// TestDecodeRefuses: a record this version cannot trust is an error, not
// a first-deploy layout; unknown keys of the same version are ignored.
func TestDecodeRefuses(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"version": 2, "functions": []}`, "deployment record version 2"},
		{`{"functions": []}`, "no version"},
		{`not json`, "deployment record"},
		{`{"version": 1, "functions": [{"name": "A", "shard": 0}]}`, "shard 0"},
		{`{"version": 1, "functions": [{"name": "A", "shard": 1}, {"name": "A", "shard": 2}]}`, "listed twice"},
		{`{"version": 1, "functions": [], "resolvers": [{"type": "Query", "field": "a", "shard": -1}]}`, "shard -1"},
	} {
		if _, err := Decode([]byte(c.in)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.in, err, c.want)
		}
	}
	r, err := Decode([]byte(`{"version": 1, "stack": "s", "functions": [], "migrations": ["0001_initial"], "media": {"files": 3}}`))
	if err != nil || r.Stack != "s" {
		t.Errorf("later optional keys: %v %+v", err, r)
	}
}

// TestStatic: the static files round-trip sorted by name; a record
// without them (written before static files existed) reads as nil, and
// bad entries are refused (destroy deletes by these names).
func TestStatic(t *testing.T) {
	sha := strings.Repeat("ab", 32)
	in := Record{Stack: "shop-dev", Functions: []Function{{Name: "Default", Shard: 1}},
		Static: &Static{Bucket: "static-b", Prefix: "shop/dev", Files: []StaticFile{{Name: "b.css", SHA256: sha, Size: 2}, {Name: "a.css", SHA256: sha, Size: 1}}}}
	body, _, err := in.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"static": {`) || strings.Index(string(body), "a.css") > strings.Index(string(body), "b.css") {
		t.Errorf("static not written sorted:\n%s", body)
	}
	if in.Static.Files[0].Name != "b.css" {
		t.Error("Encode sorted the caller's slice")
	}
	out, err := Decode(body)
	if err != nil || out.Static == nil || len(out.Static.Files) != 2 || out.Static.Key("a.css") != "shop/dev/static/a.css" {
		t.Fatalf("decode: %v %+v", err, out.Static)
	}
	old, err := Decode([]byte(`{"version": 1, "functions": []}`))
	if err != nil || old.Static != nil {
		t.Errorf("record without static: %v %+v", err, old.Static)
	}
	for _, bad := range []string{
		`{"version": 1, "functions": [], "static": {"prefix": "", "files": []}}`,
		`{"version": 1, "functions": [], "static": {"prefix": "/shop/dev", "files": []}}`,
		`{"version": 1, "functions": [], "static": {"prefix": "shop/dev", "files": [{"name": "../x", "sha256": "` + sha + `"}]}}`,
		`{"version": 1, "functions": [], "static": {"prefix": "shop/dev", "files": [{"name": "a", "sha256": "x"}]}}`,
		`{"version": 1, "functions": [], "static": {"prefix": "shop/dev", "files": [{"name": "a", "sha256": "` + sha + `"}, {"name": "a", "sha256": "` + sha + `"}]}}`,
	} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func TestKeyFromTemplate(t *testing.T) {
	body := "AWSTemplateFormatVersion: \"2010-09-09\"\nMetadata:\n  DjangoServerless:\n    DeploymentRecord: \"shop/records/abc.json\"\nResources:\n  LambdasStack:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: !Sub \"https://${ArtifactsBucket}.s3.${AWS::Region}.${AWS::URLSuffix}/shop/templates/x.yaml\"\n      Parameters:\n        A: !GetAtt X.Outputs.Y\n"
	key, ok, err := KeyFromTemplate([]byte(body))
	if err != nil || !ok || key != "shop/records/abc.json" {
		t.Errorf("%q %v %v", key, ok, err)
	}
	_, ok, err = KeyFromTemplate([]byte("Resources:\n  A:\n    Type: AWS::SNS::Topic\n"))
	if err != nil || ok {
		t.Errorf("no record: %v %v", ok, err)
	}
	for _, bad := range []string{"Metadata:\n  DjangoServerless:\n    DeploymentRecord: 3\n", "Metadata: [\n"} {
		if _, _, err := KeyFromTemplate([]byte(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestAPI: the api key round-trips (what is inferred is never written); a
// record without it reads as nil (unknown); bad entries are refused.
func TestAPI(t *testing.T) {
	in := Record{Stack: "shop-dev", API: &API{Type: "http", StageID: "HttpStage", Domain: "www.example.com", DomainID: "HttpCustomDomain", Inferred: true, SiteDomain: "x"}}
	body, _, err := in.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), `"api": {`) || strings.Contains(string(body), "Inferred") || strings.Contains(string(body), `"x"`) {
		t.Errorf("api written:\n%s", body)
	}
	out, err := Decode(body)
	if err != nil || out.API == nil || *out.API != (API{Type: "http", StageID: "HttpStage", Domain: "www.example.com", DomainID: "HttpCustomDomain"}) {
		t.Fatalf("decode: %v %+v", err, out.API)
	}
	if old, err := Decode([]byte(`{"version": 1, "functions": []}`)); err != nil || old.API != nil {
		t.Errorf("record without api: %v %+v", err, old.API)
	}
	for _, bad := range []string{
		`{"version": 1, "functions": [], "api": {"type": "websocket", "stage_id": "Stage"}}`,
		`{"version": 1, "functions": [], "api": {"type": "rest", "stage_id": ""}}`,
		`{"version": 1, "functions": [], "api": {"type": "rest", "stage_id": "Stage", "domain": "www.example.com"}}`,
	} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
