package bundle

import (
	"bytes"
	"regexp"
)

// ScanLimit is the size up to which a file's content is scanned for keys
// and credentials (a larger file is data, not a key file; it is zipped
// without being scanned).
const ScanLimit = 8 << 20

// binarySniff is how much of a file decides whether it is text: a NUL byte
// in it means binary (git's rule), and binary files are not scanned.
const binarySniff = 8 << 10

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
	pemBegin = regexp.MustCompile(`-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----`)
	// keyBody is what follows a real key's header within a few lines: a
	// run of base64, past optional headers (Proc-Type, DEK-Info, PGP's
	// Version) and the "\n" escapes of a key pasted into a string.
	keyBody = regexp.MustCompile(`[A-Za-z0-9+/=]{40,}`)
	// puttyKey is the first line of a PuTTY .ppk file (versions 2 and 3).
	puttyKey = regexp.MustCompile(`(?m)^PuTTY-User-Key-File-[0-9]+: `)
	// gcpServiceAccount is a Google Cloud service-account key file.
	gcpServiceAccount = regexp.MustCompile(`"type"\s*:\s*"service_account"`)
	gcpPrivateKey     = regexp.MustCompile(`"private_key"\s*:\s*"-----BEGIN`)
	// awsAccessKeyID is a long-term (AKIA) or temporary (ASIA) access key
	// ID; AWS's documentation examples end in EXAMPLE and are left alone.
	awsAccessKeyID = regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z2-7]{16}\b`)
	// awsSecret is a 40-character secret access key: base64 characters
	// standing alone (not part of a longer run), with both cases and a
	// digit or a '/' or '+', which a hex digest or a word does not have.
	awsSecret = regexp.MustCompile(`(?:^|[^A-Za-z0-9+/=])([A-Za-z0-9+/]{40})(?:[^A-Za-z0-9+/=]|$)`)
)

// ScanSecrets returns the kinds of secret data holds (nil: none), with
// the rules the project layer applies (files over ScanLimit are the
// caller's to skip): for other files that get published, such as the
// collected static files.
func ScanSecrets(data []byte) []string { return scanSecrets(data) }

// scanSecrets returns what kinds of secret data holds (none: nil). Binary
// data is not scanned: key stores (.jks, .p12) are left out by name.
func scanSecrets(data []byte) []string {
	if bytes.IndexByte(data[:min(len(data), binarySniff)], 0) >= 0 {
		return nil
	}
	var kinds []string
	for _, m := range pemBegin.FindAllSubmatchIndex(data, -1) {
		after := data[m[1]:min(len(data), m[1]+400)]
		if keyBody.Match(after) {
			kind := string(data[m[2]:m[3]])
			if bytes.HasPrefix(data[m[2]:m[3]], []byte("PGP ")) {
				kinds = append(kinds, "PGP private key block")
			} else {
				kinds = append(kinds, "private key ("+kind+")")
			}
			break
		}
	}
	if puttyKey.Match(data) && bytes.Contains(data, []byte("Private-Lines:")) {
		kinds = append(kinds, "PuTTY private key")
	}
	if gcpServiceAccount.Match(data) && gcpPrivateKey.Match(data) {
		kinds = append(kinds, "Google Cloud service-account key")
	}
	if id := awsKeyPair(data); id != "" {
		kinds = append(kinds, "AWS access key "+id+" with its secret")
	}
	return kinds
}

// awsKeyPair returns the first access key ID of data that comes with a
// secret-looking 40-character string in the same file.
func awsKeyPair(data []byte) string {
	var id string
	for _, m := range awsAccessKeyID.FindAll(data, -1) {
		if !bytes.HasSuffix(m, []byte("EXAMPLE")) {
			id = string(m)
			break
		}
	}
	if id == "" {
		return ""
	}
	for _, m := range awsSecret.FindAllSubmatch(data, -1) {
		if secretLooking(m[1]) {
			// The ID's first letters are enough to find it; all of it
			// would print the key in the log.
			return id[:8] + "…"
		}
	}
	return ""
}

func secretLooking(s []byte) bool {
	var lower, upper, other bool
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= 'A' && c <= 'Z':
			upper = true
		default:
			other = true
		}
	}
	return lower && upper && other
}
