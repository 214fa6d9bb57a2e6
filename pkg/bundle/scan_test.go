package bundle

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

const (
	testPEM   = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----\n"
	testAWS   = "aws_access_key_id = AKIAZ2XQ7LMNOPQRSTUV\naws_secret_access_key = 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\n"
	testGCP   = `{"type": "service_account", "private_key": "-----BEGIN PRIVATE KEY-----\nMII"}` + "\n"
	testKube  = "apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.abc\n"
	testPuTTY = "PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\n"
)

func TestScanKubeconfig(t *testing.T) {
	key := "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQpNSUlFb3dJQkFBS0NBUUVB"
	for _, tt := range []struct {
		name, data string
		want       bool
	}{
		{"client key", "apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user:\n    client-key-data: " + key + "\n", true},
		{"token", testKube, true},
		{"quoted token", "apiVersion: 'v1'\nkind: \"Config\"\nusers:\n- user:\n    token: \"07401b.f395accd246ae52d\"\n", true},
		{"CRLF", strings.ReplaceAll(testKube, "\n", "\r\n"), true},
		{"JSON", `{"apiVersion":"v1","kind":"Config","users":[{"user":{"client-key-data":"` + key + `"}}]}`, true},
		{"exec plugin", "apiVersion: v1\nkind: Config\nusers:\n- user:\n    exec:\n      command: aws\n", false},
		{"placeholder", "apiVersion: v1\nkind: Config\nusers:\n- user:\n    token: ${K8S_TOKEN}\n    token: REPLACE_WITH_YOUR_TOKEN\n", false},
		{"client key not base64 PEM", "apiVersion: v1\nkind: Config\nusers:\n- user:\n    client-key-data: " + strings.Repeat("A", 60) + "\n", false},
		{"ConfigMap", "apiVersion: v1\nkind: ConfigMap\ndata:\n  token: 0123456789abcdef0123\n  client-key-data: " + key + "\n", false},
		{"not v1", "apiVersion: apps/v1\nkind: Config\ntoken: 0123456789abcdef0123\n", false},
		{"no kind", "apiVersion: v1\nusers:\n- user:\n    token: 0123456789abcdef0123\n", false},
		{"code", "KEYS = ['client-key-data', 'token: 0123456789abcdef0123']  # apiVersion: v1, kind: Config\n", false},
	} {
		got := slices.Contains(scanSecrets([]byte(tt.data)), "Kubernetes credentials (kubeconfig)")
		if got != tt.want {
			t.Errorf("%s: kubeconfig credentials found = %v, want %v (%v)", tt.name, got, tt.want, scanSecrets([]byte(tt.data)))
		}
	}
}

func TestScanServiceAccount(t *testing.T) {
	if got := scanSecrets([]byte(testGCP)); !slices.Contains(got, "Google Cloud service-account key") {
		t.Errorf("service-account key not found: %v", got)
	}
	if got := scanSecrets([]byte(`{"type": "service_account", "private_key": "<redacted>"}`)); len(got) != 0 {
		t.Errorf("false positive: %v", got)
	}
}

// lines is n bytes of text holding no secret.
func lines(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		b.WriteString("row ")
		b.WriteString(strings.Repeat("x", i%13))
		b.WriteString(" 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n")
	}
	return b.Bytes()[:n]
}

// Every secret, placed at every offset around a window boundary and fed
// in pieces of several sizes, is found by the streaming scanner exactly
// as the whole-file scan finds it, and nothing is found in the filler.
func TestScanStreamAcrossChunkBoundary(t *testing.T) {
	const chunk = 8 << 10
	fill := lines(3 * chunk)
	if got := scanSecrets(fill); got != nil {
		t.Fatalf("the filler holds secrets: %v", got)
	}
	for _, secret := range []string{testPEM, testAWS, testGCP, testKube, testPuTTY} {
		// The boundary of the first window is at chunk+scanOverlap, the
		// next ones every chunk bytes after it.
		for _, boundary := range []int{chunk + scanOverlap, 2*chunk + scanOverlap} {
			for at := boundary - len(secret) - 2; at <= boundary+2; at++ {
				data := append(append(append([]byte{}, fill[:at]...), "\n"+secret...), fill[at:]...)
				want := scanSecrets(data)
				if len(want) == 0 {
					t.Fatalf("the whole-file scan finds nothing in %q", secret)
				}
				for _, piece := range []int{1, 7, 4096, len(data)} {
					if piece == 1 && at%17 != 0 {
						continue // byte by byte is slow: a sample
					}
					sc := newSecretScannerSize(chunk)
					for p := data; len(p) > 0; {
						k := min(piece, len(p))
						sc.Write(p[:k])
						p = p[k:]
					}
					if got := sc.Kinds(); !slices.Equal(got, want) {
						t.Fatalf("secret %q at %d (boundary %d), pieces of %d: found %v, want %v", secret[:20], at, boundary, piece, got, want)
					}
				}
			}
		}
	}
}

// A run of base64 longer than 40 characters cut by a window edge (the end
// of one window, the start of the next) is not taken for a 40-character
// secret beside an access key ID.
func TestScanStreamEdgesAreNotBoundaries(t *testing.T) {
	const chunk = 8 << 10
	run := strings.Repeat("Ab1/", 200) // 800 base64 characters, no secret
	fill := append([]byte("id = AKIAZ2XQ7LMNOPQRSTUV\n"), lines(3*chunk)...)
	if got := scanSecrets(fill); got != nil {
		t.Fatalf("the filler holds secrets: %v", got)
	}
	// The first window ends at chunk+scanOverlap, the second starts at
	// chunk.
	for _, edge := range []int{chunk + scanOverlap, chunk} {
		for at := edge - 820; at < edge+20; at++ {
			data := append(append(append([]byte{}, fill[:at]...), " "+run+" "...), fill[at:]...)
			if got := scanSecrets(data); got != nil {
				t.Fatalf("whole-file scan, run at %d: found %v", at, got)
			}
			sc := newSecretScannerSize(chunk)
			sc.Write(data)
			if got := sc.Kinds(); got != nil {
				t.Fatalf("run at %d (edge %d): found %v", at, edge, got)
			}
		}
	}
}

// A binary file (a NUL in its first 8 KiB) is not scanned, streamed or
// not: the rule of the whole-file scan.
func TestScanStreamBinary(t *testing.T) {
	data := append(append([]byte("\x00"), lines(3<<20)...), testPEM...)
	sc := newSecretScanner()
	sc.Write(data)
	if got := sc.Kinds(); got != nil || scanSecrets(data) != nil {
		t.Errorf("a binary file was scanned: %v", got)
	}
}

// genReader yields n bytes of filler, then tail, without holding them.
type genReader struct {
	n    int
	line []byte
	tail []byte
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n <= 0 {
		if len(g.tail) == 0 {
			return 0, io.EOF
		}
		k := copy(p, g.tail)
		g.tail = g.tail[k:]
		return k, nil
	}
	k := 0
	for k < len(p) && g.n > 0 {
		c := copy(p[k:min(len(p), k+g.n)], g.line)
		k += c
		g.n -= c
	}
	return k, nil
}

func newGen(n int, tail string) *genReader {
	return &genReader{n: n, line: []byte("row 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 lorem ipsum\n"), tail: []byte(tail)}
}

// Scanning 64 MiB allocates about what one window takes, not the file.
func TestScanStreamBoundedMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	sc := newSecretScanner()
	if _, err := io.CopyBuffer(sc, newGen(64<<20, "\n"+testAWS), make([]byte, 32<<10)); err != nil {
		t.Fatal(err)
	}
	kinds := sc.Kinds()
	runtime.ReadMemStats(&after)
	if len(kinds) != 1 || !strings.HasPrefix(kinds[0], "AWS access key") {
		t.Errorf("the key pair at the end of 64 MiB was not found: %v", kinds)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("scanning 64 MiB allocated %d MiB", alloc>>20)
	}
}

// The project layer scans files it streams (8 MiB and more) through the
// same refusal as the others; the dependencies layer reads a big .pem
// whole, in windows, and leaves it out when it holds a key.
func TestZipDirScansBigFiles(t *testing.T) {
	dir := t.TempDir()
	big := append(lines(9<<20), "\n"+testKube...)
	if err := os.WriteFile(filepath.Join(dir, "fixture.yaml"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "clean.txt"), lines(9<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ZipDir(context.Background(), io.Discard, dir, Options{ScanSecrets: true})
	var se *SecretError
	if !errors.As(err, &se) || len(se.Findings) != 1 || se.Findings[0] != (Finding{Path: "fixture.yaml", Kind: "Kubernetes credentials (kubeconfig)"}) {
		t.Fatalf("want a SecretError naming fixture.yaml, got %v", err)
	}
	st, err := ZipDir(context.Background(), io.Discard, dir, Options{ScanSecrets: true, Include: []string{"fixture.yaml"}})
	if err != nil || len(st.Allowed) != 1 || st.Allowed[0].Path != "fixture.yaml" {
		t.Fatalf("include by exact path: %v, allowed %v", err, st.Allowed)
	}

	deps := t.TempDir()
	if err := os.WriteFile(filepath.Join(deps, "bundle.pem"), append(lines(9<<20), "\n"+testPEM...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(deps, "cacert.pem"), lines(9<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = ZipDir(context.Background(), io.Discard, deps, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 1 || len(st.Skipped) != 1 || st.Skipped[0] != (Skipped{Path: "bundle.pem", Reason: "holds a private key"}) {
		t.Errorf("files %d, skipped %v; want cacert.pem only", st.Files, st.Skipped)
	}
}
