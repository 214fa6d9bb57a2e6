package action_test

// Attacks of the secrets review on the project layer: secret files the
// built-in names missed, credentials the content scan did not know
// (kubeconfig, Google Cloud service-account keys), and secrets in files too
// big to be read whole, which were zipped unscanned.

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Secret files by name: each is left out whatever its content (the
// content here is innocuous on purpose, so only the name can leave it
// out), and names that merely resemble them still ship.
func TestAttackSecretFileNamesNotPackaged(t *testing.T) {
	dir := projectCopy(t)
	secrets := map[string]string{
		".secrets.toml":                        "[default]\npassword = 'x'\n",
		"mysite/.secrets.yaml":                 "password: x\n",
		"kubeconfig":                           "apiVersion: v1\n",
		"deploy/kubeconfig.yaml":               "apiVersion: v1\n",
		"deploy/prod.kubeconfig":               "apiVersion: v1\n",
		".kube/config":                         "apiVersion: v1\n",
		"service-account.json":                 `{"type": "x"}`,
		"deploy/service-account-prod.json":     `{"type": "x"}`,
		"deploy/service_account.json":          `{"type": "x"}`,
		"application_default_credentials.json": `{"type": "x"}`,
		".pypirc":                              "[pypi]\n",
		".netrc":                               "machine x\n",
		".npmrc":                               "//registry.npmjs.org/:_authToken=x\n",
		"id_ed25519":                           "x",
		"ci/id_ed25519":                        "x",
		"certs/client.p12":                     "x",
		"certs/client.pfx":                     "x",
		"credentials.json":                     "{}",
		"terraform.tfstate":                    "{}",
		"infra/terraform.tfstate.backup":       "{}",
		"infra/prod.tfvars":                    "db_password = \"x\"\n",
		"infra/prod.auto.tfvars.json":          "{}",
		".terraformrc":                         "credentials \"app.terraform.io\" {}\n",
		".htpasswd":                            "admin:x\n",
		".s3cfg":                               "[default]\n",
		".boto":                                "[Credentials]\n",
		".vault-token":                         "x",
		".azure/accessTokens.json":             "[]",
	}
	write(t, dir, secrets)
	innocent := map[string]string{
		"polls/kube.py":          "# no secret\n",
		"polls/service.json":     "{}",
		"polls/secrets_utils.py": "# no secret\n",
		"polls/tokens.py":        "# no secret\n",
		"polls/config.py":        "# no secret\n",
	}
	write(t, dir, innocent)
	names := layerNames(t, build(t, dir, "", "dev"))
	for rel := range secrets {
		if names[rel] {
			t.Errorf("%s was packaged", rel)
		}
	}
	for rel := range innocent {
		if !names[rel] {
			t.Errorf("%s was left out", rel)
		}
	}
}

// kubeconfig returns a kubeconfig whose user holds the given YAML lines.
func kubeconfig(user string) string {
	return "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: " +
		randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 120) +
		"\n    server: https://10.0.0.1:6443\n  name: prod\ncontexts:\n- context:\n    cluster: prod\n    user: deployer\n  name: prod\n" +
		"current-context: prod\nkind: Config\npreferences: {}\nusers:\n- name: deployer\n  user:\n" + user
}

func jwtLike() string {
	const b64url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	return "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ." + randomText(b64url, 120) + "." + randomText(b64url, 86)
}

// Kubeconfig credentials and service-account keys, in files of any name,
// refuse the build through the same path as every other secret: an error
// naming each file, nothing written. Kubeconfigs without credentials,
// templates and other Kubernetes manifests are not refused.
func TestAttackKubeconfigAndServiceAccountContentsRefused(t *testing.T) {
	dir := projectCopy(t)
	clientKey := "LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo" + randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 200)
	files := map[string]string{
		"deploy/cluster.yaml":  kubeconfig("    client-certificate-data: " + randomText("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 60) + "\n    client-key-data: " + clientKey + "\n"),
		"deploy/ci.yml":        kubeconfig("    token: " + jwtLike() + "\n"),
		"deploy/bootstrap.yml": strings.Replace(kubeconfig("    token: \"07401b.f395accd246ae52d\"\n"), "apiVersion: v1", "apiVersion: \"v1\"", 1),
		"deploy/kube.json": `{"apiVersion":"v1","kind":"Config","clusters":[{"name":"prod","cluster":{"server":"https://10.0.0.1"}}],` +
			`"users":[{"name":"ci","user":{"token":"` + jwtLike() + `"}}]}`,
		"mysite/gsa.json": gcpServiceAccount(t),
		// Not secrets.
		"deploy/eks.yaml":      kubeconfig("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token, --cluster-name, prod]\n"),
		"deploy/template.yaml": kubeconfig("    token: ${K8S_TOKEN}\n") + "# or\n#    token: REPLACE_WITH_YOUR_TOKEN_VALUE\n",
		"deploy/configmap.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  token: 0123456789abcdef0123456789abcdef\n" +
			"  client-key-data: " + clientKey + "\n",
		"mysite/k8s.py":     "KEYS = ['client-key-data', 'token']  # apiVersion: v1, kind: Config\n",
		"mysite/gsa_doc.py": `"""{"type": "service_account", "private_key": "<the key>"}"""` + "\n",
	}
	write(t, dir, files)
	msg := renderRefused(t, dir)
	for rel, kind := range map[string]string{
		"deploy/cluster.yaml": "Kubernetes credentials", "deploy/ci.yml": "Kubernetes credentials",
		"deploy/bootstrap.yml": "Kubernetes credentials", "deploy/kube.json": "Kubernetes credentials",
		"mysite/gsa.json": "Google Cloud service-account key",
	} {
		if !strings.Contains(msg, rel+" holds a ") || !regexp.MustCompile(regexp.QuoteMeta(rel)+` holds a [^;]*`+kind).MatchString(msg) {
			t.Errorf("error does not name %s (%s):\n%s", rel, kind, msg)
		}
	}
	for _, rel := range []string{"eks.yaml", "template.yaml", "configmap.yaml", "k8s.py", "gsa_doc.py"} {
		if strings.Contains(msg, rel) {
			t.Errorf("false positive on %s:\n%s", rel, msg)
		}
	}
	if strings.Contains(msg, "LS0tLS1") || strings.Contains(msg, "eyJhbGci") {
		t.Errorf("the error quotes key material:\n%s", msg)
	}
}

// filler is n bytes of text lines that hold no secret (hex digests and
// words, like a fixture or a log).
func filler(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		b.WriteString(`{"model": "polls.choice", "pk": `)
		b.WriteString(strings.Repeat("7", i%5+1))
		b.WriteString(`, "fields": {"sha": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "text": "lorem ipsum"}}` + "\n")
	}
	return b.String()[:n]
}

// Files of 8 MB and more are streamed into the zip; they were zipped
// unscanned. A secret anywhere in one (at the end, across the reader's
// chunks) now refuses the build the same way; a big file without one
// ships.
func TestAttackSecretInBigFileRefused(t *testing.T) {
	dir := projectCopy(t)
	pemAt := func(size, at int, key string) string {
		f := filler(size)
		return f[:at] + "\n" + key + "\n" + f[at+len(key)+2:]
	}
	files := map[string]string{
		// Exactly 8 MiB: the first size that is streamed.
		"polls/fixtures/exact.json": pemAt(8<<20, 4<<20, pemKey(t, "RSA PRIVATE KEY")),
		// At the very end of a 9 MiB file.
		"polls/fixtures/end.json": filler(9<<20) + "\n" + awsPair(),
		// Straddling every MiB boundary that a chunked reader may use.
		"polls/fixtures/across.json": pemAt(10<<20, 3<<20-300, pemKey(t, "EC PRIVATE KEY")),
		"polls/fixtures/kube.yaml":   filler(9<<20) + "\n---\n" + kubeconfig("    token: "+jwtLike()+"\n"),
	}
	write(t, dir, files)
	write(t, dir, map[string]string{"polls/fixtures/clean.json": filler(12 << 20)})
	msg := renderRefused(t, dir)
	for rel := range files {
		if !strings.Contains(msg, rel+" holds a ") {
			t.Errorf("error does not name %s:\n%s", rel, msg)
		}
	}
	if strings.Contains(msg, "clean.json") {
		t.Errorf("false positive on clean.json:\n%s", msg)
	}

	// Without the secrets, the big files ship.
	for rel := range files {
		os.Remove(filepath.Join(dir, filepath.FromSlash(rel)))
	}
	if !layerNames(t, build(t, dir, "", "dev"))["polls/fixtures/clean.json"] {
		t.Error("a big file without secrets did not ship")
	}
}
