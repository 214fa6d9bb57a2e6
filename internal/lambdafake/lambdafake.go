// Package lambdafake is a stand-in for AWS Lambda's Invoke API that runs
// functions for real: an HTTP server speaking the Invoke operation
// (POST /2015-03-31/functions/{FunctionName}/invocations, driven by
// aws-sdk-go-v2's lambda client in tests) that executes the function's
// handler from its deployment packages the way the Lambda Python runtime
// does.
//
// What it stands for, and how closely:
//
//   - Functions, versions and aliases: Put is a function's $LATEST
//     (CreateFunction/UpdateFunctionCode/Configuration), Publish freezes it
//     as the next version number (or returns the last one when nothing
//     changed, as PublishVersion does), SetAlias points an alias at a
//     version. Invoke takes a function name, a full or partial ARN, with an
//     optional ":qualifier" or a Qualifier query parameter (both given must
//     agree).
//   - Execution: each version has its own execution environments, each a
//     warm Python process serving one invocation at a time; a new one is
//     started (a cold start) when none is idle. The code zip is unpacked as
//     the task root (LAMBDA_TASK_ROOT), the layers in order under a folder
//     standing for /opt (a later layer's files win), sys.path is built as
//     the Python runtime builds it, the working folder is the task root and
//     each environment gets a /tmp of its own (TMPDIR). The environment has
//     the function's variables plus Lambda's own (AWS_LAMBDA_FUNCTION_NAME,
//     _HANDLER, ... and Options.Env, which stands for the credentials and
//     the network Lambda gives a function). The handler runs in
//     Options.Python: Debian's Django and boto3 there stand for the
//     dependencies layer and the runtime's boto3. Memory is not limited.
//   - Answers: 200 with the result; a function error as Lambda reports it
//     (200, X-Amz-Function-Error: Unhandled, {errorMessage, errorType,
//     stackTrace}), including Runtime.ImportModuleError and
//     Runtime.HandlerNotFound at init, Runtime.MarshalError,
//     Runtime.ExitError, Function.ResponseSizeTooLarge, and
//     Sandbox.Timedout after the function's timeout (the environment is
//     then discarded, as Lambda does). LogType Tail returns the last 4 KB
//     of the invocation's log (START/END/REPORT lines included) base64
//     encoded in X-Amz-Log-Result; X-Amz-Executed-Version names the
//     version. InvocationType Event answers 202 and runs in the
//     background; DryRun answers 204.
//   - Service errors as the Lambda API sends them (x-amzn-ErrorType
//     header, {"Type", "message"} body): ResourceNotFoundException (404),
//     InvalidRequestContentException for a payload that is not JSON (400),
//     RequestTooLargeException above 6 MB (1 MB for Event) (413),
//     InvalidParameterValueException for a qualifier mismatch (400).
//
// Not modelled: request signing checks, concurrency limits and throttling,
// provisioned concurrency, SnapStart, response streaming, the other
// Lambda API operations.
package lambdafake

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

//go:embed bootstrap.py
var bootstrap []byte

// Limits of the Invoke API.
const (
	MaxSyncPayload  = 6 * 1024 * 1024
	MaxAsyncPayload = 1024 * 1024
	maxResponse     = 6 * 1024 * 1024
	logTail         = 4096
)

// Function is a function's configuration and code.
type Function struct {
	Name    string
	Runtime string // "python3.12"
	Handler string // "django_serverless.handler.handle"
	Timeout time.Duration
	Memory  int // MB
	Env     map[string]string
	// Code is the deployment package; Layers are the layer zips in the
	// function's order.
	Code   []byte
	Layers [][]byte
}

// Options configure a Server.
type Options struct {
	// Python runs the handlers (Debian's /usr/bin/python3 in tests).
	Python string
	// Region and Account make the ARNs (us-east-1, 123456789012 when "").
	Region, Account string
	// Env is added to every environment: credentials, endpoint overrides
	// (what the function's network reaches), PATH.
	Env map[string]string
	// Log receives every line the functions log (nil discards them).
	Log io.Writer
}

// Server is the fake Lambda service.
type Server struct {
	// URL is the endpoint to give the SDK (BaseEndpoint).
	URL string

	opts  Options
	http  *httptest.Server
	dir   string
	mu    sync.Mutex
	funcs map[string]*function
	seq   int // request IDs
	bg    sync.WaitGroup
	stats Stats
}

// Stats count what the server did.
type Stats struct {
	Invocations  int
	ColdStarts   int
	FunctionErrs int
	Timeouts     int
}

type function struct {
	name     string
	latest   *version
	versions map[string]*version // "1", "2", ...
	aliases  map[string]string   // alias -> version number
	last     int
}

type version struct {
	number string // "$LATEST", "1", ...
	cfg    Function
	digest string

	mu   sync.Mutex
	dir  string // unpacked task root and /opt; "" until first use
	idle []*environment
	all  map[*environment]bool
}

// New starts a Server; Close stops it and every environment.
func New(opts Options) (*Server, error) {
	if opts.Python == "" {
		opts.Python = "python3"
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Account == "" {
		opts.Account = "123456789012"
	}
	dir, err := os.MkdirTemp("", "lambdafake-")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap.py"), bootstrap, 0o444); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &Server{opts: opts, dir: dir, funcs: map[string]*function{}}
	s.http = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.http.URL
	return s, nil
}

// Close stops the HTTP server and every execution environment.
func (s *Server) Close() {
	s.http.Close()
	s.bg.Wait()
	s.mu.Lock()
	var all []*version
	for _, f := range s.funcs {
		all = append(all, f.latest)
		for _, v := range f.versions {
			all = append(all, v)
		}
	}
	s.mu.Unlock()
	for _, v := range all {
		v.shutdown()
	}
	makeWritable(s.dir)
	os.RemoveAll(s.dir)
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// Put creates a function or replaces its $LATEST code and configuration
// (warm environments of $LATEST are discarded, as an update does).
func (s *Server) Put(f Function) error {
	if !nameRe.MatchString(f.Name) {
		return fmt.Errorf("lambdafake: invalid function name %q", f.Name)
	}
	if !strings.HasPrefix(f.Runtime, "python3") {
		return fmt.Errorf("lambdafake: function %s: runtime %q (only python3.x runs here)", f.Name, f.Runtime)
	}
	if f.Timeout <= 0 || f.Timeout > 900*time.Second {
		return fmt.Errorf("lambdafake: function %s: timeout %s outside 1s..900s", f.Name, f.Timeout)
	}
	if len(f.Layers) > 5 {
		return fmt.Errorf("lambdafake: function %s: %d layers (at most 5)", f.Name, len(f.Layers))
	}
	s.mu.Lock()
	fn := s.funcs[f.Name]
	if fn == nil {
		fn = &function{name: f.Name, versions: map[string]*version{}, aliases: map[string]string{}}
		s.funcs[f.Name] = fn
	}
	old := fn.latest
	fn.latest = &version{number: "$LATEST", cfg: f, digest: digest(f), all: map[*environment]bool{}}
	s.mu.Unlock()
	if old != nil {
		old.shutdown()
	}
	return nil
}

// Publish freezes $LATEST as a new version and returns its number; when
// $LATEST is unchanged since the last version, that version is returned.
func (s *Server) Publish(name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := s.funcs[name]
	if fn == nil {
		return "", fmt.Errorf("lambdafake: function %s not found", name)
	}
	if fn.last > 0 && fn.versions[strconv.Itoa(fn.last)].digest == fn.latest.digest {
		return strconv.Itoa(fn.last), nil
	}
	fn.last++
	n := strconv.Itoa(fn.last)
	fn.versions[n] = &version{number: n, cfg: fn.latest.cfg, digest: fn.latest.digest, all: map[*environment]bool{}}
	return n, nil
}

// PublishAs freezes $LATEST as version number n (the number a
// CloudFormation stand-in assigned); publishing the same number again is a
// no-op.
func (s *Server) PublishAs(name, n string) error {
	if _, err := strconv.Atoi(n); err != nil {
		return fmt.Errorf("lambdafake: version %q is not a number", n)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := s.funcs[name]
	if fn == nil {
		return fmt.Errorf("lambdafake: function %s not found", name)
	}
	if _, ok := fn.versions[n]; ok {
		return nil
	}
	fn.versions[n] = &version{number: n, cfg: fn.latest.cfg, digest: fn.latest.digest, all: map[*environment]bool{}}
	if v, _ := strconv.Atoi(n); v > fn.last {
		fn.last = v
	}
	return nil
}

// SetAlias points alias at a published version.
func (s *Server) SetAlias(name, alias, ver string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := s.funcs[name]
	if fn == nil {
		return fmt.Errorf("lambdafake: function %s not found", name)
	}
	if _, ok := fn.versions[ver]; !ok {
		return fmt.Errorf("lambdafake: function %s has no version %s", name, ver)
	}
	if _, err := strconv.Atoi(alias); err == nil || alias == "$LATEST" {
		return fmt.Errorf("lambdafake: alias name %q is a version", alias)
	}
	fn.aliases[alias] = ver
	return nil
}

// Alias returns the version an alias points at ("" when there is none).
func (s *Server) Alias(name, alias string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn := s.funcs[name]; fn != nil {
		return fn.aliases[alias]
	}
	return ""
}

// Delete removes a function with its versions and aliases.
func (s *Server) Delete(name string) {
	s.mu.Lock()
	fn := s.funcs[name]
	delete(s.funcs, name)
	s.mu.Unlock()
	if fn == nil {
		return
	}
	fn.latest.shutdown()
	for _, v := range fn.versions {
		v.shutdown()
	}
}

// Environments returns how many execution environments of name:qualifier
// are alive.
func (s *Server) Environments(name, qualifier string) int {
	s.mu.Lock()
	v, _ := s.lookup(name, qualifier)
	s.mu.Unlock()
	if v == nil {
		return 0
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.all)
}

func digest(f Function) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%d\x00%d\x00", f.Name, f.Runtime, f.Handler, f.Timeout, f.Memory)
	keys := make([]string, 0, len(f.Env))
	for k := range f.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%s\x00", k, f.Env[k])
	}
	sum := sha256.Sum256(f.Code)
	h.Write(sum[:])
	for _, l := range f.Layers {
		sum := sha256.Sum256(l)
		h.Write(sum[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// lookup resolves a function and qualifier ("" = $LATEST); s.mu held.
func (s *Server) lookup(name, qualifier string) (*version, string) {
	fn := s.funcs[name]
	if fn == nil {
		return nil, ""
	}
	switch {
	case qualifier == "" || qualifier == "$LATEST":
		return fn.latest, "$LATEST"
	case fn.versions[qualifier] != nil:
		return fn.versions[qualifier], qualifier
	case fn.aliases[qualifier] != "":
		n := fn.aliases[qualifier]
		return fn.versions[n], n
	}
	return nil, ""
}

// --- the HTTP API -----------------------------------------------------------

var pathRe = regexp.MustCompile(`^/2015-03-31/functions/([^/]+)/invocations$`)

// functionRef splits "name", "name:qual", "123456789012:function:name[:qual]"
// and "arn:aws:lambda:region:acct:function:name[:qual]".
var (
	arnRe     = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):([0-9]{12}):function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$`)
	partialRe = regexp.MustCompile(`^([0-9]{12}):function:([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$`)
	plainRe   = regexp.MustCompile(`^([A-Za-z0-9_-]+)(?::([A-Za-z0-9_$-]+))?$`)
)

func parseRef(ref string) (name, qualifier string, ok bool) {
	if m := arnRe.FindStringSubmatch(ref); m != nil {
		return m[3], m[4], true
	}
	if m := partialRe.FindStringSubmatch(ref); m != nil {
		return m[2], m[3], true
	}
	if m := plainRe.FindStringSubmatch(ref); m != nil && len(m[1]) <= 64 {
		return m[1], m[2], true
	}
	return "", "", false
}

func (s *Server) arn(name, qualifier string) string {
	a := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", s.opts.Region, s.opts.Account, name)
	if qualifier != "" {
		a += ":" + qualifier
	}
	return a
}

func apiError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-ErrorType", typ)
	w.Header().Set("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": msg})
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw := r.URL.EscapedPath()
	m := pathRe.FindStringSubmatch(raw)
	if m == nil || r.Method != http.MethodPost {
		apiError(w, http.StatusNotFound, "UnknownOperationException", "lambdafake serves Invoke only: "+r.Method+" "+raw)
		return
	}
	ref, err := url.PathUnescape(m[1])
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidParameterValueException", "invalid function name")
		return
	}
	name, qual, ok := parseRef(ref)
	if !ok {
		apiError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint", ref))
		return
	}
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		if qual != "" && qual != q {
			apiError(w, http.StatusBadRequest, "InvalidParameterValueException", "The derived qualifier from the function name does not match the specified qualifier.")
			return
		}
		qual = q
	}
	invType := r.Header.Get("X-Amz-Invocation-Type")
	if invType == "" {
		invType = "RequestResponse"
	}
	limit := MaxSyncPayload
	switch invType {
	case "RequestResponse", "DryRun":
	case "Event":
		limit = MaxAsyncPayload
	default:
		apiError(w, http.StatusBadRequest, "ValidationException", fmt.Sprintf("1 validation error detected: Value '%s' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]", invType))
		return
	}
	payload, err := io.ReadAll(io.LimitReader(r.Body, int64(limit)+1))
	if err != nil {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "could not read the request body")
		return
	}
	if len(payload) > limit {
		apiError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", limit))
		return
	}
	if len(bytes.TrimSpace(payload)) == 0 {
		payload = []byte("{}")
	}
	if !json.Valid(payload) {
		apiError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: Could not parse payload into json: Unexpected character")
		return
	}
	s.mu.Lock()
	v, executed := s.lookup(name, qual)
	s.mu.Unlock()
	if v == nil {
		apiError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+s.arn(name, qual))
		return
	}
	switch invType {
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	case "Event":
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.invoke(v, name, qual, executed, payload, "")
		}()
		w.WriteHeader(http.StatusAccepted)
		return
	}
	res := s.invoke(v, name, qual, executed, payload, r.Header.Get("X-Amz-Client-Context"))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amz-Executed-Version", executed)
	w.Header().Set("x-amzn-RequestId", res.requestID)
	if res.functionError != "" {
		w.Header().Set("X-Amz-Function-Error", res.functionError)
	}
	if r.Header.Get("X-Amz-Log-Type") == "Tail" {
		log := res.log
		if len(log) > logTail {
			log = log[len(log)-logTail:]
		}
		w.Header().Set("X-Amz-Log-Result", base64.StdEncoding.EncodeToString(log))
	}
	w.WriteHeader(http.StatusOK)
	w.Write(res.payload)
}

// result is one invocation's outcome.
type result struct {
	requestID     string
	payload       []byte
	functionError string // "" or "Unhandled"
	log           []byte
}

func errorPayload(typ, msg string) []byte {
	b, _ := json.Marshal(map[string]any{"errorMessage": msg, "errorType": typ})
	return b
}

func (s *Server) invoke(v *version, name, qual, executed string, payload []byte, clientContext string) result {
	s.mu.Lock()
	s.seq++
	s.stats.Invocations++
	id := fmt.Sprintf("%08x-0000-4000-8000-%012x", s.seq, s.seq)
	s.mu.Unlock()
	var log bytes.Buffer
	start := time.Now()
	res := s.run(v, id, executed, s.arn(name, qual), payload, clientContext, &log)
	elapsed := time.Since(start)
	fmt.Fprintf(&log, "END RequestId: %s\n", id)
	fmt.Fprintf(&log, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\n",
		id, float64(elapsed.Microseconds())/1000, elapsed.Milliseconds()+1, v.cfg.Memory, v.cfg.Memory)
	res.requestID = id
	res.log = log.Bytes()
	if res.functionError != "" {
		s.mu.Lock()
		s.stats.FunctionErrs++
		s.mu.Unlock()
	}
	return res
}

// run executes one invocation in an idle (or new) environment of v.
// A cold start's init output comes first in the log, before START, as in
// the function's log stream.
func (s *Server) run(v *version, id, executed, arn string, payload []byte, clientContext string, log *bytes.Buffer) result {
	env, cold, err := s.acquire(v, log)
	fmt.Fprintf(log, "START RequestId: %s Version: %s\n", id, executed)
	if err != nil {
		var ie *initError
		if errors.As(err, &ie) {
			return result{payload: ie.payload, functionError: "Unhandled"}
		}
		return result{payload: errorPayload("Runtime.Unknown", err.Error()), functionError: "Unhandled"}
	}
	if cold {
		s.mu.Lock()
		s.stats.ColdStarts++
		s.mu.Unlock()
	}
	deadline := time.Now().Add(v.cfg.Timeout)
	out, err := env.call(id, arn, payload, clientContext, deadline, log)
	switch {
	case errors.Is(err, errTimeout):
		s.mu.Lock()
		s.stats.Timeouts++
		s.mu.Unlock()
		v.discard(env)
		msg := fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", id, v.cfg.Timeout.Seconds())
		fmt.Fprintf(log, "%s %s\n", time.Now().UTC().Format("2006-01-02T15:04:05.000Z"), msg)
		return result{payload: errorPayload("Sandbox.Timedout", msg), functionError: "Unhandled"}
	case err != nil:
		v.discard(env)
		msg := fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %v", id, err)
		return result{payload: errorPayload("Runtime.ExitError", msg), functionError: "Unhandled"}
	}
	v.release(env)
	if out.Error != nil {
		return result{payload: out.Error, functionError: "Unhandled"}
	}
	if len(out.Result) > maxResponse {
		return result{payload: errorPayload("Function.ResponseSizeTooLarge",
			fmt.Sprintf("Response payload size exceeded maximum allowed payload size (%d bytes).", maxResponse)), functionError: "Unhandled"}
	}
	return result{payload: []byte(out.Result)}
}

// --- versions and their environments --------------------------------------

func (s *Server) acquire(v *version, log *bytes.Buffer) (*environment, bool, error) {
	v.mu.Lock()
	if n := len(v.idle); n > 0 {
		env := v.idle[n-1]
		v.idle = v.idle[:n-1]
		v.mu.Unlock()
		return env, false, nil
	}
	if v.dir == "" {
		dir, err := os.MkdirTemp(s.dir, "fn-")
		if err != nil {
			v.mu.Unlock()
			return nil, false, err
		}
		if err := unpackVersion(dir, v.cfg); err != nil {
			v.mu.Unlock()
			return nil, false, err
		}
		v.dir = dir
	}
	dir := v.dir
	v.mu.Unlock()
	env, err := s.start(v, dir, log)
	if err != nil {
		return nil, false, err
	}
	v.mu.Lock()
	v.all[env] = true
	v.mu.Unlock()
	return env, true, nil
}

func (v *version) release(env *environment) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.all[env] {
		v.idle = append(v.idle, env)
	}
}

func (v *version) discard(env *environment) {
	v.mu.Lock()
	delete(v.all, env)
	v.mu.Unlock()
	env.kill()
}

func (v *version) shutdown() {
	v.mu.Lock()
	envs := make([]*environment, 0, len(v.all))
	for e := range v.all {
		envs = append(envs, e)
	}
	v.all = map[*environment]bool{}
	v.idle = nil
	v.mu.Unlock()
	for _, e := range envs {
		e.kill()
	}
}

// unpackVersion writes the task root and the /opt stand-in of a version,
// read-only as on Lambda.
func unpackVersion(dir string, f Function) error {
	task := filepath.Join(dir, "task")
	opt := filepath.Join(dir, "opt")
	if err := unzip(f.Code, task); err != nil {
		return fmt.Errorf("unpack code of %s: %w", f.Name, err)
	}
	if err := os.MkdirAll(opt, 0o755); err != nil {
		return err
	}
	for i, l := range f.Layers {
		if err := unzip(l, opt); err != nil {
			return fmt.Errorf("unpack layer %d of %s: %w", i+1, f.Name, err)
		}
	}
	return readOnly(task, opt)
}

func unzip(data []byte, dst string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, f := range zr.File {
		if !filepath.IsLocal(f.Name) {
			return fmt.Errorf("zip entry %q leaves the folder", f.Name)
		}
		p := filepath.Join(dst, filepath.FromSlash(f.Name))
		if strings.HasSuffix(f.Name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if f.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("zip entry %q is a symlink", f.Name)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		os.Remove(p) // a later layer replaces an earlier one's file
		out, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, rc)
		rc.Close()
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func readOnly(dirs ...string) error {
	for _, d := range dirs {
		err := filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() {
				return os.Chmod(p, 0o555)
			}
			return os.Chmod(p, 0o444)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func makeWritable(dir string) {
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && e.IsDir() {
			os.Chmod(p, 0o755)
		}
		return nil
	})
}
