// Package serve runs a planned environment on localhost as it will be
// deployed: each request is routed as API Gateway routes it, turned into
// the event API Gateway would send (REST payload 1.0 or HTTP API 2.0,
// binary bodies base64 per the binary media types), handed to the
// function's handler in a warm Python worker (pkg/adapter) with the
// environment, memory and timeout the template gives that function, and
// its answer turned back into HTTP the way API Gateway does, gateway errors
// included. POST /graphql runs a GraphQL request as AppSync would, one
// Lambda call per root field.
package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/django-serverless/django-serverless-action/pkg/adapter"
	"github.com/django-serverless/django-serverless-action/pkg/plan"
)

// Options configure a Server.
type Options struct {
	// Plan is the environment's plan: API type, stage, functions and their
	// settings and environments.
	Plan *plan.Plan
	// Root is the Django root (the folder holding manage.py).
	Root string
	// Python runs the workers; "" means python3 from PATH.
	Python string
	// Router routes requests; nil routes with the plan's API entries.
	Router Router
	// MaxWorkers caps the worker processes (default 8).
	MaxWorkers int
	// Log receives one line per request, cold starts, reloads and the
	// functions' own output. Nil discards it.
	Log io.Writer
	// GraphQL serves POST /graphql as AppSync would; nil when the plan has
	// no AppSync API.
	GraphQL *GraphQL
	// LoadGraphQL, when set instead, prepares GraphQL at the first GraphQL
	// request (generating the schema runs Python: it would slow every
	// start and the first request of the API); that request waits for it.
	// An error is logged and /graphql is left to the API.
	LoadGraphQL func(ctx context.Context) (*GraphQL, error)
	// Static, when set, serves requests under StaticPrefix before routing
	// (the collected static files; set by the static-files feature).
	Static       http.Handler
	StaticPrefix string
	// Env is added to every function's environment (the local static
	// files' manifest folder, DJANGO_SERVERLESS_STATIC_ROOT).
	Env map[string]string
	// IntegrationTimeout is the API's integration timeout (default: 29 s
	// for REST, 30 s for the HTTP API, AWS's maximums).
	IntegrationTimeout time.Duration
	// Watch polls the project for changes at this interval and restarts
	// the workers that imported a changed file (0: no watching).
	Watch time.Duration
	// Replan, when set, is called after a change to rebuild the plan (new
	// routes, functions, settings); a failure keeps the current plan.
	Replan func(ctx context.Context) (*plan.Plan, error)
}

// Server is the local API.
type Server struct {
	opts    Options
	rt      *adapter.Runtime
	pool    *pool
	log     *logger
	watcher *watcher

	mu     sync.RWMutex
	plan   *plan.Plan
	router Router
	graph  *GraphQL
	// graphReady is closed once LoadGraphQL has finished.
	graphReady chan struct{}
	graphOnce  sync.Once
	ctx        context.Context // Serve's
	pyOnce     sync.Once

	port string
}

// New prepares a Server; Serve starts it.
func New(o Options) (*Server, error) {
	if o.Plan == nil {
		return nil, errors.New("serve: no plan")
	}
	if o.MaxWorkers <= 0 {
		o.MaxWorkers = 8
	}
	if o.IntegrationTimeout <= 0 {
		o.IntegrationTimeout = 29 * time.Second
		if o.Plan.APIType != "rest" {
			o.IntegrationTimeout = 30 * time.Second
		}
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	rt, err := adapter.NewRuntime()
	if err != nil {
		return nil, err
	}
	s := &Server{opts: o, rt: rt, log: &logger{w: o.Log}, plan: o.Plan, router: o.Router, graph: o.GraphQL, graphReady: make(chan struct{})}
	if o.LoadGraphQL == nil {
		close(s.graphReady)
	}
	if s.router == nil {
		r, err := PlanRouter(o.Plan)
		if err != nil {
			rt.Close()
			return nil, err
		}
		s.router = r
	}
	s.pool = newPool(rt, o.Python, o.Root, o.MaxWorkers, s.log)
	if s.graph != nil {
		s.graph.server = s
	}
	return s, nil
}

// Serve answers requests on ln until ctx ends, then stops every worker.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if _, port, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		s.port = port
	}
	hs := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second, ErrorLog: nil}
	if s.opts.Watch > 0 {
		w, err := newWatcher(s.opts.Root, s.opts.Watch)
		if err != nil {
			return err
		}
		s.watcher = w
		go s.watch(ctx, w)
	}
	s.ctx = ctx
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return err
	case <-ctx.Done():
	}
	// Stop accepting, give requests in flight a moment, then stop workers
	// (which ends any event still running).
	shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	go func() {
		<-shut.Done()
		s.pool.close()
	}()
	_ = hs.Shutdown(shut)
	s.Close()
	return nil
}

// Close stops every worker and removes the runtime folder.
func (s *Server) Close() {
	s.pool.close()
	s.rt.Close()
}

// Workers reports the worker processes per function.
func (s *Server) Workers() (total int, byFunction map[string]int) { return s.pool.workers() }

// WorkerPids lists the worker processes.
func (s *Server) WorkerPids() []int { return s.pool.pids() }

func (s *Server) loadGraphQL(ctx context.Context) {
	defer close(s.graphReady)
	start := time.Now()
	g, err := s.opts.LoadGraphQL(ctx)
	if err != nil {
		s.log.printf("AppSync is not served: %v", err)
		return
	}
	g.server = s
	s.mu.Lock()
	s.graph = g
	s.mu.Unlock()
	s.log.printf("AppSync schema ready (%s)", ms(time.Since(start)))
}

func (s *Server) current() (*plan.Plan, Router, *GraphQL) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.plan, s.router, s.graph
}

// spec is what a function's workers run with, from the plan: the
// template's environment plus what Lambda itself sets.
func (s *Server) spec(pl *plan.Plan, name string) funcSpec {
	env := pl.FunctionEnv(name)
	for k, v := range s.opts.Env {
		env[k] = v
	}
	f := pl.Function(name)
	if f == nil {
		f = pl.Function(plan.DefaultFunction)
	}
	memory, timeout, physical := 512, 15, name
	if f != nil {
		memory, timeout, physical = f.Memory, f.Timeout, f.PhysicalName
	}
	env["AWS_LAMBDA_FUNCTION_NAME"] = physical
	env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = strconv.Itoa(memory)
	env["AWS_LAMBDA_FUNCTION_VERSION"] = "$LATEST"
	env["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + pl.Runtime
	env["LAMBDA_TASK_ROOT"] = s.opts.Root
	env["TZ"] = ":UTC"
	return funcSpec{Name: name, Env: env, MemoryMB: memory, Timeout: time.Duration(timeout) * time.Second}
}

// outcome is one function call's result, for the log and the response.
type outcome struct {
	value json.RawMessage
	cold  bool
	init  time.Duration
	kind  gatewayKind // when failed
	fail  bool
	note  string
}

// invokeWithin runs one event on fn, as Lambda would, within the
// integration deadline (start + limit).
func (s *Server) invokeWithin(ctx context.Context, start time.Time, limit time.Duration, pl *plan.Plan, fn string, event []byte, requestID string) outcome {
	if len(event) > lambdaPayloadLimit {
		return outcome{fail: true, kind: gwInvokeRejected, note: fmt.Sprintf("Lambda refused the invocation: the event is %d bytes, over the 6 MB payload limit", len(event))}
	}
	spec := s.spec(pl, fn)
	integration := start.Add(limit)
	ictx, cancel := context.WithDeadline(ctx, integration)
	defer cancel()
	pw, init, err := s.pool.acquire(ictx, spec)
	var out outcome
	if init != nil {
		out.cold, out.init = true, init.Took
		if init.Python != "" && "python"+init.Python != pl.Runtime {
			s.pyOnce.Do(func() {
				s.log.printf("warning: the workers run Python %s; the functions run %s on Lambda (--python picks the interpreter)", init.Python, pl.Runtime)
			})
		}
	}
	if err != nil {
		var ie *adapter.InitError
		switch {
		case errors.As(err, &ie):
			out.fail, out.kind, out.note = true, gwFunctionError, s.explain(ie).Error()+" (traceback above)"
			out.cold = true
		case errors.Is(err, context.DeadlineExceeded):
			out.fail, out.kind, out.note = true, gwIntegrationTimeout, fmt.Sprintf("integration timeout (%s) passed before a worker was ready", limit)
		default:
			out.fail, out.kind, out.note = true, gwFunctionError, s.explain(err).Error()
		}
		return out
	}
	// The function's own timeout runs from the invoke; the integration's
	// from the request. The earlier one decides what API Gateway answers.
	fnDeadline := time.Now().Add(spec.Timeout)
	deadline, integrationFirst := fnDeadline, false
	if integration.Before(fnDeadline) {
		deadline, integrationFirst = integration, true
	}
	cctx, ccancel := context.WithDeadline(ctx, deadline)
	defer ccancel()
	res, err := pw.w.Invoke(cctx, requestID, time.Until(deadline), event)
	s.pool.release(pw, err == nil)
	switch {
	case err == nil:
	case errors.Is(err, context.DeadlineExceeded) && integrationFirst:
		out.fail, out.kind, out.note = true, gwIntegrationTimeout, fmt.Sprintf("integration timeout: no answer within %s (the worker was stopped)", limit)
		return out
	case errors.Is(err, context.DeadlineExceeded):
		out.fail, out.kind, out.note = true, gwFunctionError, fmt.Sprintf("Task timed out after %.2f seconds", spec.Timeout.Seconds())
		return out
	case errors.Is(err, adapter.ErrOutOfMemory):
		out.fail, out.kind, out.note = true, gwFunctionError, fmt.Sprintf("Runtime.OutOfMemory: the worker used more than its %d MB and was killed", spec.MemoryMB)
		return out
	case errors.Is(err, context.Canceled):
		out.fail, out.kind, out.note = true, gwFunctionError, "the request was cancelled"
		return out
	default:
		out.fail, out.kind, out.note = true, gwFunctionError, "Runtime.ExitError: "+err.Error()
		return out
	}
	if res.Raised {
		out.fail, out.kind, out.note = true, gwFunctionError, s.explain(errors.New("the handler raised: "+lambdaError(res.Value))).Error()+" (traceback above)"
		out.value = res.Value
		return out
	}
	if len(res.Value) > lambdaPayloadLimit {
		out.fail, out.kind, out.note = true, gwFunctionError, fmt.Sprintf("Response payload size (%d bytes) exceeded maximum allowed payload size (6291556 bytes)", len(res.Value))
		return out
	}
	out.value = res.Value
	return out
}

// explain adds to a worker's failure what went wrong with the
// interpreter (not found, or a module it cannot import) and how to pick
// another.
func (s *Server) explain(err error) error {
	return adapter.ExplainPython(err, s.opts.Python, "--python")
}

func lambdaError(v json.RawMessage) string {
	var le struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	if json.Unmarshal(v, &le) != nil || le.ErrorType == "" {
		return string(v)
	}
	return le.ErrorType + ": " + le.ErrorMessage
}

// ServeHTTP answers one request as the deployed API would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if r.Method == http.MethodPost && r.URL.Path == "/graphql" {
		if s.opts.LoadGraphQL != nil {
			s.graphOnce.Do(func() { go s.loadGraphQL(s.ctx) })
		}
		select {
		case <-s.graphReady:
		case <-r.Context().Done():
			return
		}
	}
	pl, router, graph := s.current()
	if graph != nil && r.Method == http.MethodPost && r.URL.Path == "/graphql" {
		graph.serve(w, r, start)
		return
	}
	if s.opts.Static != nil && s.opts.StaticPrefix != "" && strings.HasPrefix(r.URL.Path, s.opts.StaticPrefix) {
		s.opts.Static.ServeHTTP(w, r)
		s.log.printf("%s %s static %s", r.Method, r.URL.RequestURI(), ms(time.Since(start)))
		return
	}
	rest := pl.APIType == "rest"
	requestID := newRequestID()
	resp, fn, oc := s.handle(r, pl, router, rest, start, requestID)
	if rest {
		resp.header.Set("X-Amzn-Requestid", requestID)
	} else {
		resp.header.Set("Apigw-Requestid", requestID)
	}
	writeResponse(w, r, resp)
	s.logRequest(r, resp, fn, oc, start)
}

func (s *Server) handle(r *http.Request, pl *plan.Plan, router Router, rest bool, start time.Time, requestID string) (response, string, *outcome) {
	path := r.URL.EscapedPath()
	stage := pl.StageName
	below := path
	if rest {
		prefix := "/" + stage
		switch {
		case path == prefix:
			below = "/"
		case strings.HasPrefix(path, prefix+"/"):
			below = path[len(prefix):]
		default:
			return gatewayResponse(true, gwForbidden, fmt.Sprintf("outside the stage: REST API paths start with /%s/", stage)), "", nil
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, apiPayloadLimit+1))
	if err != nil {
		return gatewayResponse(rest, gwTooLarge, "read body: "+err.Error()), "", nil
	}
	if len(body) > apiPayloadLimit {
		return gatewayResponse(rest, gwTooLarge, "the request body is over API Gateway's 10 MB payload quota"), "", nil
	}
	match, ok := router.Match(r.Method, below)
	if !ok {
		return gatewayResponse(rest, gwNoRoute, "no API entry for "+r.Method+" "+below), "", nil
	}
	binary := pl.BinaryMediaTypes
	if b, ok := router.(interface{ BinaryMediaTypes() []string }); ok {
		binary = b.BinaryMediaTypes()
	}
	q := &request{r: r, body: body, match: match, stage: stage, path: below, requestID: requestID, now: start, port: s.port, binary: binary}
	var event []byte
	if rest {
		event, err = restEvent(q)
	} else {
		event, err = httpEvent(q)
	}
	if err != nil {
		return gatewayResponse(rest, gwFunctionError, "build event: "+err.Error()), match.Function, nil
	}
	limit := s.opts.IntegrationTimeout
	if match.Timeout > 0 {
		limit = match.Timeout
	}
	oc := s.invokeWithin(r.Context(), start, limit, pl, match.Function, event, requestID)
	if oc.fail {
		return gatewayResponse(rest, oc.kind, oc.note), match.Function, &oc
	}
	if rest {
		return restResponse(oc.value, firstAccept(r), binary), match.Function, &oc
	}
	return httpResponse(oc.value), match.Function, &oc
}

func writeResponse(w http.ResponseWriter, r *http.Request, resp response) {
	h := w.Header()
	for k, vs := range resp.header {
		h[k] = vs
	}
	h.Set("Content-Length", strconv.Itoa(len(resp.body)))
	w.WriteHeader(resp.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(resp.body)
	}
}

func (s *Server) logRequest(r *http.Request, resp response, fn string, oc *outcome, start time.Time) {
	state := "-"
	if oc != nil {
		state = "warm"
		if oc.cold {
			state = "cold"
		}
	}
	if fn == "" {
		fn = "-"
	}
	line := fmt.Sprintf("%s %s %d %s %s %s", r.Method, r.URL.RequestURI(), resp.status, fn, state, ms(time.Since(start)))
	if oc != nil && oc.cold && oc.init > 0 {
		line += " (cold start " + ms(oc.init) + ")"
	}
	if resp.note != "" {
		line += ": " + resp.note
	}
	s.log.printf("%s", line)
}
