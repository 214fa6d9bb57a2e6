package bundle

import (
	"bytes"
	"io"
	"regexp"
)

// Files are scanned through a window: scanChunk new bytes after the last
// scanOverlap bytes of the previous window, so a file of any size is
// scanned in bounded memory, and a secret that spans two chunks is seen
// whole in the window that carries it over. Every pattern below matches at
// most a few hundred bytes (their repetitions are bounded), well within the
// overlap; a match touching a window's edge in the middle of the file is
// left to the neighbouring window, where it lies inside (an edge would
// otherwise pass for the start or the end of a line or a word).
const (
	scanChunk   = 1 << 20
	scanOverlap = 4 << 10
)

// binarySniff is how much of a file decides whether it is text: a NUL byte
// in it means binary (git's rule), and binary files are not scanned.
const binarySniff = 8 << 10

// pemKeyWindow is how far after a private key's header its base64 body
// must start (past Proc-Type, DEK-Info or Version headers).
const pemKeyWindow = 400

// Finding is one secret found in a file's content.
type Finding struct {
	Path string // zip-relative slash path (without the prefix)
	Kind string // what was found: "PEM private key (RSA PRIVATE KEY)", ...
}

var (
	// pemBegin is the header of every PEM private key form: PKCS#1 ("RSA
	// PRIVATE KEY"), SEC1 ("EC PRIVATE KEY"), DSA, PKCS#8 ("PRIVATE KEY",
	// "ENCRYPTED PRIVATE KEY"), OpenSSH ("OPENSSH PRIVATE KEY"), and PGP's
	// armour ("PGP PRIVATE KEY BLOCK").
	pemBegin = regexp.MustCompile(`-----BEGIN ((?:[A-Z0-9]{1,32} ){0,4}PRIVATE KEY(?: BLOCK)?)-----`)
	// keyBody is what follows a real key's header within pemKeyWindow
	// bytes: a run of base64, past optional headers (Proc-Type, DEK-Info,
	// PGP's Version) and the "\n" escapes of a key pasted into a string.
	keyBody = regexp.MustCompile(`[A-Za-z0-9+/=]{40}`)
	// puttyKey is the first line of a PuTTY .ppk file (versions 2 and 3).
	puttyKey = regexp.MustCompile(`(?m)^PuTTY-User-Key-File-[0-9]{1,8}: `)
	// gcpServiceAccount is a Google Cloud service-account key file.
	gcpServiceAccount = regexp.MustCompile(`"type"\s{0,64}:\s{0,64}"service_account"`)
	gcpPrivateKey     = regexp.MustCompile(`"private_key"\s{0,64}:\s{0,64}"-----BEGIN`)
	// kubeVersion, kubeKind and kubeCredential make a kubeconfig with
	// credentials (YAML, or JSON as kubectl also reads): "apiVersion: v1",
	// "kind: Config" and a user's client key (base64 of a PEM block, so
	// "LS0tLS1" for "-----") or bearer token (a JWT, a bootstrap token:
	// letters and digits; "${TOKEN}" or "REPLACE_ME" placeholders are not
	// tokens).
	kubeVersion    = regexp.MustCompile(`(?m)"apiVersion"\s{0,64}:\s{0,64}"v1"|^[ \t]{0,64}apiVersion:[ \t]{0,64}(?:v1|"v1"|'v1')[ \t]{0,64}\r?$`)
	kubeKind       = regexp.MustCompile(`(?m)"kind"\s{0,64}:\s{0,64}"Config"|^[ \t]{0,64}kind:[ \t]{0,64}(?:Config|"Config"|'Config')[ \t]{0,64}\r?$`)
	kubeCredential = regexp.MustCompile(`(?m)(?:"client-key-data"\s{0,64}:\s{0,64}"|^[ \t]{0,64}(?:-[ \t]{1,8})?client-key-data:[ \t]{0,64}["']?)LS0tLS1[A-Za-z0-9+/=]{33}|` +
		`(?:"token"\s{0,64}:\s{0,64}"|^[ \t]{0,64}(?:-[ \t]{1,8})?token:[ \t]{0,64}["']?)([A-Za-z0-9._~+/=-]{16})`)
)

// ScanSecrets returns the kinds of secret data holds (nil: none), with
// the rules the project layer applies: for other files that get
// published, such as the collected static files.
func ScanSecrets(data []byte) []string { return scanSecrets(data) }

// scanSecrets returns what kinds of secret data holds (none: nil), data
// being a whole file. Binary data is not scanned: key stores (.jks, .p12)
// are left out by name.
func scanSecrets(data []byte) []string {
	var s scanState
	s.window(data, true, true)
	return s.kinds()
}

// secretScanner scans a file written to it in pieces of any size, holding
// at most scanChunk+scanOverlap bytes: what scanSecrets finds in the whole
// file, Kinds finds once the file is written.
type secretScanner struct {
	w windower
	s scanState
}

func newSecretScanner() *secretScanner { return newSecretScannerSize(scanChunk) }

func newSecretScannerSize(chunk int) *secretScanner {
	sc := &secretScanner{}
	sc.w = newWindower(chunk, func(w []byte, first, final bool) bool {
		return !sc.s.window(w, first, final)
	})
	return sc
}

func (sc *secretScanner) Write(p []byte) (int, error) { return sc.w.Write(p) }

// Kinds ends the scan and returns the kinds of secret found (nil: none).
func (sc *secretScanner) Kinds() []string {
	sc.w.finish()
	return sc.s.kinds()
}

// windower cuts a stream into overlapping windows for fn (first: the
// window starts the stream; final: it ends it). fn returns true to stop.
type windower struct {
	buf   []byte
	first bool
	stop  bool
	fn    func(w []byte, first, final bool) bool
}

func newWindower(chunk int, fn func(w []byte, first, final bool) bool) windower {
	return windower{buf: make([]byte, 0, chunk+scanOverlap), first: true, fn: fn}
}

func (w *windower) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && !w.stop {
		k := min(cap(w.buf)-len(w.buf), len(p))
		w.buf = append(w.buf, p[:k]...)
		p = p[k:]
		if len(w.buf) == cap(w.buf) {
			w.stop = w.fn(w.buf, w.first, false)
			w.first = false
			w.buf = w.buf[:copy(w.buf, w.buf[len(w.buf)-scanOverlap:])]
		}
	}
	return n, nil
}

func (w *windower) finish() {
	if !w.stop {
		w.stop = true
		w.fn(w.buf, w.first, true)
	}
}

// readerHoldsPrivateKey is holdsPrivateKey over r, read window by window.
func readerHoldsPrivateKey(r io.Reader) (bool, error) {
	found := false
	w := newWindower(scanChunk, func(w []byte, _, _ bool) bool {
		found = holdsPrivateKey(w)
		return found
	})
	if _, err := io.Copy(&w, r); err != nil {
		return false, err
	}
	w.finish()
	return found, nil
}

// scanState is what the windows of one file have shown so far: some
// secrets are a single match, others two or three parts anywhere in the
// file (an access key ID and its secret).
type scanState struct {
	binary                        bool
	pem                           string // the first private key's kind
	putty, puttyPrivate           bool
	gcpType, gcpKey               bool
	awsID                         string // the first access key ID, cut
	awsSecret                     bool
	kubeVersion, kubeKind, kubeCr bool
}

func (s *scanState) kinds() []string {
	var kinds []string
	if s.pem != "" {
		kinds = append(kinds, s.pem)
	}
	if s.putty && s.puttyPrivate {
		kinds = append(kinds, "PuTTY private key")
	}
	if s.gcpType && s.gcpKey {
		kinds = append(kinds, "Google Cloud service-account key")
	}
	if s.awsID != "" && s.awsSecret {
		kinds = append(kinds, "AWS access key "+s.awsID+" with its secret")
	}
	if s.kubeVersion && s.kubeKind && s.kubeCr {
		kinds = append(kinds, "Kubernetes credentials (kubeconfig)")
	}
	return kinds
}

// window scans one window of a file and reports whether scanning should
// go on (false: the file is binary). first and final say whether the
// window's start and end are the file's; a match touching an edge that is
// not is left to the neighbouring window.
func (s *scanState) window(w []byte, first, final bool) bool {
	if first && bytes.IndexByte(w[:min(len(w), binarySniff)], 0) >= 0 {
		s.binary = true
		return false
	}
	inside := func(start, end int) bool {
		return (first || start > 0) && (final || end < len(w))
	}
	found := func(re *regexp.Regexp, ok func(m []int) bool) bool {
		for _, m := range re.FindAllSubmatchIndex(w, -1) {
			if inside(m[0], m[1]) && (ok == nil || ok(m)) {
				return true
			}
		}
		return false
	}
	if s.pem == "" && bytes.Contains(w, []byte("-----BEGIN ")) {
		found(pemBegin, func(m []int) bool {
			end := m[1] + pemKeyWindow
			if end > len(w) && !final {
				return false // whole in the next window
			}
			if !keyBody.Match(w[m[1]:min(len(w), end)]) {
				return false
			}
			if bytes.HasPrefix(w[m[2]:m[3]], []byte("PGP ")) {
				s.pem = "PGP private key block"
			} else {
				s.pem = "private key (" + string(w[m[2]:m[3]]) + ")"
			}
			return true
		})
	}
	if !s.putty && bytes.Contains(w, []byte("PuTTY-User-Key-File-")) {
		s.putty = found(puttyKey, nil)
	}
	if !s.puttyPrivate {
		s.puttyPrivate = bytes.Contains(w, []byte("Private-Lines:"))
	}
	if !s.gcpType && bytes.Contains(w, []byte(`"service_account"`)) {
		s.gcpType = found(gcpServiceAccount, nil)
	}
	if !s.gcpKey && bytes.Contains(w, []byte(`"private_key"`)) {
		s.gcpKey = found(gcpPrivateKey, nil)
	}
	if s.awsID == "" {
		s.awsID = awsKeyID(w, inside)
	}
	if !s.awsSecret {
		s.awsSecret = awsSecretIn(w, inside)
	}
	if !s.kubeVersion && bytes.Contains(w, []byte("apiVersion")) {
		s.kubeVersion = found(kubeVersion, nil)
	}
	if !s.kubeKind && bytes.Contains(w, []byte("Config")) {
		s.kubeKind = found(kubeKind, nil)
	}
	if !s.kubeCr && (bytes.Contains(w, []byte("client-key-data")) || bytes.Contains(w, []byte("token"))) {
		s.kubeCr = found(kubeCredential, func(m []int) bool {
			// A token has letters and digits; a client key's prefix is
			// enough.
			return m[2] < 0 || hasLetterAndDigit(w[m[2]:m[3]])
		})
	}
	return true
}

func hasLetterAndDigit(s []byte) bool {
	var letter, digit bool
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letter = true
		}
	}
	return letter && digit
}

// awsKeyID returns the first long-term (AKIA) or temporary (ASIA) access
// key ID of w standing alone as a word, cut to its first letters (all of
// it would print the key in the log); AWS's documentation examples end in
// EXAMPLE and are left alone. "" when there is none.
func awsKeyID(w []byte, inside func(start, end int) bool) string {
	for _, prefix := range []string{"AKIA", "ASIA"} {
		for i := 0; ; {
			j := bytes.Index(w[i:], []byte(prefix))
			if j < 0 {
				break
			}
			start, end := i+j, i+j+20
			i = start + 1
			if end > len(w) || !inside(start, end) {
				continue
			}
			if start > 0 && isWord(w[start-1]) || end < len(w) && isWord(w[end]) {
				continue
			}
			id := w[start:end]
			if !base32Upper(id[4:]) || bytes.HasSuffix(id, []byte("EXAMPLE")) {
				continue
			}
			return string(id[:8]) + "…"
		}
	}
	return ""
}

func isWord(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
}

func base32Upper(s []byte) bool {
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// awsSecretIn reports whether w holds a string that looks like a
// 40-character secret access key: a run of exactly 40 base64 characters
// standing alone (not part of a longer run of base64 or '='), with both
// cases and a digit or a '/' or '+', which a hex digest or a word does not
// have.
func awsSecretIn(w []byte, inside func(start, end int) bool) bool {
	start := -1
	for i := 0; i <= len(w); i++ {
		if i < len(w) && isBase64(w[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start == 40 && inside(start, i) && secretLooking(w[start:i]) {
			return true
		}
		start = -1
	}
	return false
}

func isBase64(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '+' || c == '/' || c == '='
}

// secretLooking reports whether s mixes lower case, upper case and other
// characters, and holds no '=' (padding is not part of a secret key).
func secretLooking(s []byte) bool {
	var lower, upper, other bool
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		case c == '=':
			return false
		default:
			other = true
		}
	}
	return lower && upper && other
}
