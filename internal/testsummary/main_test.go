package main

import (
	"bytes"
	"strings"
	"testing"
)

// A stream as test2json writes it for a package with a passing test, a
// skipped one (with its reason), a failing one and a subtest, and a
// second package that does not build.
const stream = `{"Action":"start","Package":"ex/a"}
{"Action":"run","Package":"ex/a","Test":"TestOK"}
{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}
{"Action":"output","Package":"ex/a","Test":"TestOK","Output":"--- PASS: TestOK (0.00s)\n"}
{"Action":"pass","Package":"ex/a","Test":"TestOK","Elapsed":0}
{"Action":"run","Package":"ex/a","Test":"TestMoto"}
{"Action":"output","Package":"ex/a","Test":"TestMoto","Output":"=== RUN   TestMoto\n"}
{"Action":"output","Package":"ex/a","Test":"TestMoto","Output":"    moto_test.go:12: skipping: moto_server not running (set MOTO_ENDPOINT)\n"}
{"Action":"output","Package":"ex/a","Test":"TestMoto","Output":"--- SKIP: TestMoto (0.00s)\n"}
{"Action":"skip","Package":"ex/a","Test":"TestMoto","Elapsed":0}
{"Action":"run","Package":"ex/a","Test":"TestBad"}
{"Action":"run","Package":"ex/a","Test":"TestBad/case"}
{"Action":"output","Package":"ex/a","Test":"TestBad/case","Output":"    bad_test.go:7: got 1, want 2\n"}
{"Action":"fail","Package":"ex/a","Test":"TestBad/case","Elapsed":0}
{"Action":"output","Package":"ex/a","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"ex/a","Test":"TestBad","Elapsed":0}
{"Action":"output","Package":"ex/a","Output":"FAIL\n"}
{"Action":"output","Package":"ex/a","Output":"FAIL\tex/a\t0.01s\n"}
{"Action":"fail","Package":"ex/a","Elapsed":0.01}
# ex/b
b.go:3:1: syntax error: non-declaration statement outside function body
{"Action":"output","Package":"ex/b","Output":"FAIL\tex/b [build failed]\n"}
{"Action":"fail","Package":"ex/b","Elapsed":0}
{"Action":"output","Package":"ex/c","Output":"?   \tex/c\t[no test files]\n"}
{"Action":"skip","Package":"ex/c","Elapsed":0}
`

func TestSummarize(t *testing.T) {
	var out bytes.Buffer
	s, err := summarize(strings.NewReader(stream), &out, "ex/")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.line(), "go test: 1 passed, 2 failed, 1 skipped"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if s.packagesFailed != 2 {
		t.Errorf("packages failed %d, want 2", s.packagesFailed)
	}
	for _, want := range []string{
		"bad_test.go:7: got 1, want 2", // a failure's output
		"FAIL\tex/a\t0.01s",            // package lines as go test prints them
		"b.go:3:1: syntax error",       // build errors pass through
		"FAIL\tex/b [build failed]",    //
		"?   \tex/c\t[no test files]",  //
		"skipped tests (1):\n  a TestMoto: skipping: moto_server not running (set MOTO_ENDPOINT)\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	// Passing tests stay quiet, as without -v.
	if strings.Contains(out.String(), "--- PASS") || strings.Contains(out.String(), "=== RUN") {
		t.Errorf("passing tests' output printed:\n%s", out.String())
	}
}
