package action_test

// Attacks of issue 13 on the offline pipeline, each written as the hostile
// project or command line that found it: the project layer must not carry
// secrets or what the repository ignores, --out must never replace a
// folder render did not write, paths must not lead out of the project.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/action"
	"github.com/django-serverless/django-serverless-action/pkg/cli"
)

// projectCopy is the tutorial project in a fresh folder.
func projectCopy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "tutorial")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	return dir
}

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// newBuild runs the offline pipeline and returns the build or its error.
func newBuild(t *testing.T, dir, config string, outside ...string) (*action.Build, error) {
	t.Helper()
	return action.NewBuild(context.Background(), action.BuildOptions{
		ProjectDir: dir, ConfigFile: config, Environment: "dev", WorkDir: t.TempDir(), Outside: outside,
		Deps: &action.PipDeps{Install: false, CacheDir: t.TempDir(), ToolVersion: cli.Version},
	})
}

// layerNames lists the project layer's entries without the python/ prefix.
func layerNames(t *testing.T, b *action.Build) map[string]bool {
	t.Helper()
	data := zips(t, b)["project-layer"]
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, f := range zr.File {
		out[strings.TrimPrefix(f.Name, "python/")] = true
	}
	return out
}

// Key material is made at run time: nothing in the repository looks like
// a committed key to a secret scanner, and every form is a real one.
func pemKey(t *testing.T, kind string) string {
	t.Helper()
	switch kind {
	case "RSA PRIVATE KEY":
		k, err := rsa.GenerateKey(rand.Reader, 1024)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: x509.MarshalPKCS1PrivateKey(k)}))
	case "EC PRIVATE KEY", "PRIVATE KEY":
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		der, _ := x509.MarshalECPrivateKey(k)
		if kind == "PRIVATE KEY" {
			der, _ = x509.MarshalPKCS8PrivateKey(k)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}))
	}
	// OPENSSH PRIVATE KEY, PGP PRIVATE KEY BLOCK: their armour around
	// random bytes (what a scanner sees of them).
	body := make([]byte, 300)
	rand.Read(body)
	return string(pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: body}))
}

func randomText(alphabet string, n int) string {
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

func awsPair() string {
	id := "AK" + "IA" + randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
	secret := "Ab1/" + randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 36)
	return "[default]\naws_access_key_id = " + id + "\naws_secret_access_key = " + secret + "\n"
}

func gcpServiceAccount(t *testing.T) string {
	key := strings.ReplaceAll(pemKey(t, "PRIVATE KEY"), "\n", `\n`)
	return `{"type": "service_account", "project_id": "shop", "private_key_id": "0123", "private_key": "` + key + `", "client_email": "x@shop.iam.gserviceaccount.com"}`
}

func puttyKey() string {
	return "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n" +
		randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 64) + "\n" +
		randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 20) + "\n" +
		"Private-Lines: 1\n" + randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 44) + "\nPrivate-MAC: 00\n"
}

// Finding 3, by name: secret-looking files and local databases never ship,
// whatever their content.
func TestAttackSecretNamesNotPackaged(t *testing.T) {
	dir := projectCopy(t)
	secrets := map[string]string{
		"deploy_key":         pemKey(t, "OPENSSH PRIVATE KEY"),
		"secrets.json":       `{"db_password": "hunter2"}`,
		"polls/credentials":  "[default]\nregion = eu-west-1\n",
		"terraform.tfstate":  `{"version": 4, "resources": []}`,
		".htpasswd":          "admin:$apr1$abc$def\n",
		"keystore.jks":       "\xfe\xed\xfe\xed binary key store",
		"db.sqlite3":         "SQLite format 3\x00",
		"mysite/db.sqlite3":  "SQLite format 3\x00",
		"deploy.ppk":         "not even a key",
		"client_secret.json": `{"installed": {}}`,
	}
	write(t, dir, secrets)
	names := layerNames(t, build(t, dir, "", "dev"))
	for rel := range secrets {
		if names[rel] {
			t.Errorf("%s was packaged", rel)
		}
	}
	if !names["polls/views.py"] || !names["manage.py"] {
		t.Fatalf("the project itself is missing: %v", names)
	}
}

// Finding 3, by content: a key or credentials in a file of any name
// refuse the build, naming every file; nothing is built.
func TestAttackSecretContentsRefused(t *testing.T) {
	dir := projectCopy(t)
	files := map[string]string{
		"tls.crt":                   pemKey(t, "RSA PRIVATE KEY"),
		"polls/key.txt":             pemKey(t, "EC PRIVATE KEY"),
		"mysite/pkcs8.txt":          pemKey(t, "PRIVATE KEY"),
		"ci/id_github":              pemKey(t, "OPENSSH PRIVATE KEY"),
		"ci/release.asc":            pemKey(t, "PGP PRIVATE KEY BLOCK"),
		"ci/deploy.txt":             puttyKey(),
		"mysite/service.json":       gcpServiceAccount(t),
		"mysite/aws.ini":            awsPair(),
		"mysite/local_settings.py":  "JWT_KEY = \"" + strings.ReplaceAll(pemKey(t, "RSA PRIVATE KEY"), "\n", `\n`) + "\"\n",
		"mysite/docs_example.py":    "# AWS's documented example: AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
		"mysite/parser.py":          "if line.startswith('-----BEGIN RSA PRIVATE KEY-----'):\n    pass\n",
		"mysite/static/cert.pem.py": "CERT = '-----BEGIN CERTIFICATE-----'\n",
	}
	write(t, dir, files)
	msg := renderRefused(t, dir)
	for _, rel := range []string{"tls.crt", "polls/key.txt", "mysite/pkcs8.txt", "ci/id_github", "ci/release.asc", "ci/deploy.txt", "mysite/service.json", "mysite/aws.ini", "mysite/local_settings.py"} {
		if !strings.Contains(msg, rel+" holds a ") {
			t.Errorf("error does not name %s:\n%s", rel, msg)
		}
	}
	for _, rel := range []string{"docs_example.py", "parser.py", "cert.pem.py"} {
		if strings.Contains(msg, rel) {
			t.Errorf("false positive on %s:\n%s", rel, msg)
		}
	}
	if strings.Contains(msg, "BEGIN") || strings.Contains(msg, "aws_secret") {
		t.Errorf("the error quotes key material:\n%s", msg)
	}
}

// include opts a secret back in only by its exact path, with a warning;
// a glob does not.
func TestIncludeOptsSecretsInOnlyByExactPath(t *testing.T) {
	dir := projectCopy(t)
	write(t, dir, map[string]string{"certs/dev.key": pemKey(t, "EC PRIVATE KEY"), "db.sqlite3": "SQLite format 3\x00"})
	b, err := newBuild(t, dir, writeConfig(t, "include: [\"certs/*\", \"*.sqlite3\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := layerNames(t, b); n["certs/dev.key"] || n["db.sqlite3"] {
		t.Errorf("a glob in include shipped a key-looking file: %v", n)
	}
	b, err = newBuild(t, dir, writeConfig(t, "include: [certs/dev.key, db.sqlite3]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n := layerNames(t, b); !n["certs/dev.key"] || !n["db.sqlite3"] {
		t.Errorf("exact include paths did not ship: %v", n)
	}
	warned := false
	for _, d := range b.Diagnostics {
		if d.File == "certs/dev.key" && strings.Contains(d.Message, "ships in the project layer because include: names it") {
			warned = true
		}
	}
	if !warned {
		t.Errorf("no warning for the shipped key: %v", b.Diagnostics)
	}
}

// gitRepo makes dir a git work tree (a .git folder is what marks one).
func gitRepo(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, ".git", "info"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// Finding 3, .gitignore: what the repository ignores does not ship, at
// every level (above the Django root too), with negation, anchoring and
// folder-only rules; include opts generated files back in; the run counts
// what was left out and names what looks like build output.
func TestAttackGitIgnoredFilesNotPackaged(t *testing.T) {
	repo := t.TempDir()
	gitRepo(t, repo)
	dir := filepath.Join(repo, "app")
	copyTree(t, exampleDir(t, "tutorial"), dir, false, time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	write(t, repo, map[string]string{
		".gitignore":                          "*.log\n/app/media/\n*.mo\nlocal_settings.py\n",
		".git/info/exclude":                   "scratch.py\n",
		"app/.gitignore":                      "static/dist/\n!keep.log\n",
		"app/polls/.gitignore":                "/generated.py\nfixtures/\n",
		"app/polls/generated.py":              "X = 1\n",
		"app/polls/sub/generated.py":          "X = 2\n",
		"app/polls/fixtures/big.json":         "[]",
		"app/fixtures":                        "a file named like an ignored folder\n",
		"app/debug.log":                       "x",
		"app/keep.log":                        "x",
		"app/media/upload.png":                "x",
		"app/mysite/local_settings.py":        "DEBUG = True\n",
		"app/scratch.py":                      "x",
		"app/locale/pt/LC_MESSAGES/django.mo": "compiled",
		"app/locale/pt/LC_MESSAGES/django.po": "source",
		"app/static/dist/app.min.js":          "built",
		"app/static/src/app.js":               "source",
	})
	b, err := newBuild(t, dir, "")
	if err != nil {
		t.Fatal(err)
	}
	names := layerNames(t, b)
	for _, gone := range []string{"polls/generated.py", "polls/fixtures/big.json", "debug.log", "media/upload.png",
		"mysite/local_settings.py", "scratch.py", "locale/pt/LC_MESSAGES/django.mo", "static/dist/app.min.js"} {
		if names[gone] {
			t.Errorf("%s is ignored by git but was packaged", gone)
		}
	}
	for _, kept := range []string{"polls/sub/generated.py", "fixtures", "keep.log", "locale/pt/LC_MESSAGES/django.po", "static/src/app.js", "polls/views.py"} {
		if !names[kept] {
			t.Errorf("%s is not ignored by git but is missing", kept)
		}
	}
	var report string
	for _, d := range b.Diagnostics {
		if strings.Contains(d.Message, "ignored by .gitignore") {
			report = d.Message
		}
	}
	for _, want := range []string{"8 paths ignored by .gitignore", "locale/pt/LC_MESSAGES/django.mo", "static/dist/", "include:"} {
		if !strings.Contains(report, want) {
			t.Errorf("report %q lacks %q", report, want)
		}
	}

	// include: brings the compiled translations and the built assets back.
	b, err = newBuild(t, dir, writeConfig(t, "include: [\"locale/**/*.mo\", \"static/dist/**\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	names = layerNames(t, b)
	if !names["locale/pt/LC_MESSAGES/django.mo"] || !names["static/dist/app.min.js"] {
		t.Errorf("include did not opt generated files back in: %v", names)
	}
	if names["debug.log"] || names["mysite/local_settings.py"] {
		t.Errorf("include let other ignored files in")
	}

	// render --list-excluded lists every path left out and why.
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), []string{"render", "--project", dir, "--list-excluded"},
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code != cli.ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	for _, want := range []string{"left out debug.log (.gitignore)", "left out static/dist/ (.gitignore)", "left out polls/generated.py (.gitignore)"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("--list-excluded lacks %q:\n%s", want, stderr.String())
		}
	}
}

// Finding 8: a symlink to a folder inside the project does not bypass a
// path-anchored exclude; links leaving the project, dangling links and
// FIFOs are reported by name, not dropped silently.
func TestAttackSymlinkBypassAndSilentSkips(t *testing.T) {
	dir := projectCopy(t)
	outside := t.TempDir()
	write(t, dir, map[string]string{"media/private/contract.pdf": "secret", "media/public/logo.png": "x"})
	write(t, outside, map[string]string{"base.html": "<html>"})
	for link, target := range map[string]string{
		"pub":       filepath.Join(dir, "media"),
		"templates": outside,
		"dangling":  filepath.Join(dir, "nowhere"),
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := newBuild(t, dir, writeConfig(t, "exclude: [\"media/private/**\"]\n"))
	if err != nil {
		t.Fatal(err)
	}
	names := layerNames(t, b)
	if names["pub/private/contract.pdf"] || names["media/private/contract.pdf"] {
		t.Errorf("the excluded file shipped through the symlink: %v", names)
	}
	if !names["pub/public/logo.png"] {
		t.Errorf("the symlinked folder's other files are missing")
	}
	warned := map[string]bool{}
	for _, d := range b.Diagnostics {
		if strings.HasPrefix(d.Message, "not in the project layer:") {
			warned[d.File] = true
		}
	}
	for _, p := range []string{"templates", "dangling", "pipe"} {
		if !warned[p] {
			t.Errorf("no warning naming %s: %v", p, b.Diagnostics)
		}
	}
}

// Finding 10: a 3 GB (sparse) file fails the build at once, without
// being read into memory.
func TestAttackHugeFileFailsFast(t *testing.T) {
	dir := projectCopy(t)
	f, err := os.Create(filepath.Join(dir, "polls", "dump.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(3 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err = newBuild(t, dir, "")
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "polls/dump.bin") || !strings.Contains(err.Error(), "250") {
		t.Fatalf("want an error naming the file and the 250 MB limit, got %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 200<<20 {
		t.Errorf("the build allocated %d MB for a file it must refuse unread", alloc>>20)
	}
}

// Finding 12: a file name with a newline is refused, named.
func TestAttackNewlineInFileName(t *testing.T) {
	dir := projectCopy(t)
	write(t, dir, map[string]string{"polls/evil\n::warning::x.py": "x"})
	_, err := newBuild(t, dir, "")
	if err == nil || !strings.Contains(err.Error(), `polls/evil\n::warning::x.py`) {
		t.Fatalf("want an error naming the file, got %v", err)
	}
}

func renderCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := cli.Run(context.Background(), append([]string{"render"}, args...),
		cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }})
	return code, stderr.String()
}

// renderRefused renders dir into a new folder and wants the build refused
// for secrets with nothing written; it returns the error output.
func renderRefused(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	code, msg := renderCLI(t, "--project", dir, "--out", out)
	if code != cli.ExitUsage {
		t.Errorf("exit %d, want %d (a build refused for secrets)\n%s", code, cli.ExitUsage, msg)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a refused build wrote %s", out)
	}
	return msg
}

// tree lists the files below dir with their contents.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			data, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	return out
}

// Finding 1: --out never replaces a folder render did not write, even one
// holding a manifest.json, and never the project.
func TestAttackOutDeletesProject(t *testing.T) {
	dir := projectCopy(t)
	write(t, dir, map[string]string{"manifest.json": "{}", "frontend/manifest.json": `{"name": "app"}`, "frontend/index.html": "<html>"})
	want := tree(t, dir)
	for _, out := range []string{dir, filepath.Join(dir, "frontend"), filepath.Dir(dir)} {
		code, stderr := renderCLI(t, "--project", dir, "--out", out)
		if code == cli.ExitOK {
			t.Errorf("--out %s: exit 0", out)
		}
		if !strings.Contains(stderr, "refusing to replace it") {
			t.Errorf("--out %s: no refusal:\n%s", out, stderr)
		}
	}
	if got := tree(t, dir); len(got) != len(want) {
		t.Fatalf("the project changed: %d files, want %d", len(got), len(want))
	}
	// A folder render wrote is replaced; one where a file was added is not.
	out := filepath.Join(t.TempDir(), "out")
	if code, stderr := renderCLI(t, "--project", dir, "--out", out); code != cli.ExitOK {
		t.Fatalf("render: %s", stderr)
	}
	fi, err := os.Stat(out)
	if err != nil || fi.Mode().Perm() != 0o755&^umask() {
		t.Errorf("--out folder mode %v, want %v", fi.Mode().Perm(), os.FileMode(0o755&^umask()))
	}
	if code, stderr := renderCLI(t, "--project", dir, "--out", out); code != cli.ExitOK {
		t.Fatalf("render again into its own folder: %s", stderr)
	}
	write(t, out, map[string]string{"templates/notes.md": "mine"})
	if code, stderr := renderCLI(t, "--project", dir, "--out", out); code == cli.ExitOK || !strings.Contains(stderr, "templates/notes.md") {
		t.Errorf("a render output holding a foreign file was replaced (exit %d):\n%s", code, stderr)
	}
	if data, err := os.ReadFile(filepath.Join(out, "templates", "notes.md")); err != nil || string(data) != "mine" {
		t.Errorf("foreign file lost: %v", err)
	}
}

func umask() os.FileMode {
	old := syscall.Umask(0)
	syscall.Umask(old)
	return os.FileMode(old)
}

// Finding 11: --out is a path, not a glob; an earlier render output inside
// the project is never packaged, even by a run that does not name it.
func TestAttackOutGlobAndOldOutputPackaged(t *testing.T) {
	dir := projectCopy(t)
	want := layerNames(t, build(t, dir, "", "dev"))
	glob := filepath.Join(dir, "polls", "*")
	if code, stderr := renderCLI(t, "--project", dir, "--out", glob); code != cli.ExitOK {
		t.Fatalf("render --out %s: %s", glob, stderr)
	}
	// The literal folder "polls/*" was written; polls/ still ships.
	b, err := newBuild(t, dir, "", glob)
	if err != nil {
		t.Fatal(err)
	}
	got := layerNames(t, b)
	if !got["polls/views.py"] || !got["polls/models.py"] {
		t.Errorf("--out 'polls/*' emptied the project layer: %v", sortedKeys(got))
	}
	// A plan without --out (b above named it; this one does not) still
	// leaves the earlier render output out.
	got = layerNames(t, build(t, dir, "", "dev"))
	for n := range got {
		if strings.HasPrefix(n, "polls/*/") {
			t.Errorf("the earlier render output was packaged: %s", n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("project layer holds %d files, want %d: %v", len(got), len(want), sortedKeys(got))
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Finding 11: configuration paths never lead out of the project, and the
// error never quotes what it would have read.
func TestAttackConfigPathsLeaveProject(t *testing.T) {
	dir := projectCopy(t)
	outside := t.TempDir()
	write(t, outside, map[string]string{"pkg/__init__.py": "STOLEN = 1\n", "schema.graphql": "type Query { stolen: String }\n"})
	for _, tc := range []struct{ config, want string }{
		{"vendor: [\"../outside\"]\n", `"../outside" leaves the project`},
		{"graphql: {schema_file: ../../../etc/passwd}\n", `"../../../etc/passwd" leaves the project`},
		{"requirements: /etc/passwd\n", `"/etc/passwd" leaves the project`},
	} {
		_, err := newBuild(t, dir, writeConfig(t, tc.config))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("config %q: want %q, got %v", tc.config, tc.want, err)
		}
		if err != nil && strings.Contains(err.Error(), "root:") {
			t.Errorf("the error quotes /etc/passwd: %v", err)
		}
	}
	// A symlink inside the project does not lead out either.
	if err := os.Symlink(filepath.Join(outside, "pkg"), filepath.Join(dir, "vendored")); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "schema.graphql"))
	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "schema.graphql")); err != nil {
		t.Fatal(err)
	}
	pip := &action.PipDeps{Install: false, CacheDir: t.TempDir(), ToolVersion: cli.Version}
	_, err := action.NewBuild(context.Background(), action.BuildOptions{ProjectDir: dir, ConfigFile: writeConfig(t, "vendor: [vendored]\n"),
		Environment: "dev", WorkDir: t.TempDir(), Deps: pip})
	if err == nil || !strings.Contains(err.Error(), "leads out of the project") {
		t.Errorf("vendor symlink leading out: %v", err)
	}
	_, err = newBuild(t, dir, writeConfig(t, "graphql: {schema_file: schema.graphql}\n"))
	if err == nil || !errors.Is(err, action.ErrConfig) || !strings.Contains(err.Error(), "symlink leading out of the project") || strings.Contains(err.Error(), "root:") {
		t.Errorf("schema_file symlink to /etc/passwd: %v", err)
	}
}
