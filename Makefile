# The test command of README.md; .ci/run calls it with
# DJANGO_SERVERLESS_STRICT=1 after installing Debian's Django and starting
# moto_server. Without them, the tests that need them skip with a message,
# listed at the end of the Go tests' output with a closing count
# ("go test: N passed, N failed, N skipped").
GO ?= go
# FUZZTIME (e.g. 30s or 1000000x) overrides every target's own budget.
FUZZTIME ?=
DEBIAN_PYTHON ?= /usr/bin/python3

.PHONY: test vet gotest pytest fuzz lint-workflows build static-check

test: vet lint-workflows static-check pytest fuzz gotest

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

gotest:
	GO=$(GO) $(GO) run ./internal/testsummary -count=1 ./...

# The runtime adapter's tests: Django's with Debian's python3-django
# (graphene 2), graphene 3's execution path with an interpreter that has
# graphql-core 3 (the pyenv python3 of these machines).
CORE3_PYTHON ?= python3

pytest:
	@if $(DEBIAN_PYTHON) -c 'import django, rest_framework, graphene' 2>/dev/null; then \
		$(DEBIAN_PYTHON) -m unittest discover -s pkg/adapter/python/tests -v; \
	elif [ "$$DJANGO_SERVERLESS_STRICT" = 1 ]; then \
		echo "python tests: Debian's Django is missing (DJANGO_SERVERLESS_STRICT=1)"; exit 1; \
	else \
		echo "python tests: skipped, $(DEBIAN_PYTHON) lacks django/rest_framework/graphene"; \
	fi
	$(CORE3_PYTHON) -m unittest discover -s pkg/adapter/python/tests_core3 -v

# Each fuzz target runs for a fixed number of executions (go test -fuzz
# takes one target per run), about 15 s each here. Counts, not durations:
# Go 1.26's coordinator can report a bare "context deadline exceeded" when
# a -fuzztime duration ends while a worker is busy on a loaded machine
# (go.dev/issue/75804, fixed in Go 1.27), a failure with no input behind it.
FUZZ_TARGETS = ./pkg/django:FuzzAPIPath:300000x ./pkg/config:FuzzLoad:100000x ./pkg/graphql:FuzzToAppSync:200000x

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; rest=$${t#*:}; name=$${rest%%:*}; budget=$${rest#*:}; \
		budget=$${FUZZTIME:-$$budget}; \
		echo "fuzz $$name ($$pkg, $$budget)"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$$budget $$pkg; \
	done

lint-workflows:
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 .github/workflows/*.yml
	GO=$(GO) bash examples/workflows/lint.sh

build:
	CGO_ENABLED=1 $(GO) build -trimpath -tags netgo,osusergo -ldflags '-s -w -linkmode external -extldflags "-static"' -o django-serverless .

static-check:
	bash .ci/static-check
