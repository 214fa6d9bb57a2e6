# The test command of README.md; .ci/run calls it with
# DJANGO_SERVERLESS_STRICT=1 after installing Debian's Django and starting
# moto_server. Without them, the tests that need them skip with a message,
# listed at the end of the Go tests' output with a closing count
# ("go test: N passed, N failed, N skipped").
GO ?= go
FUZZTIME ?= 15s
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

# Each fuzz target runs for a short fixed time (go test -fuzz takes one
# target per run).
FUZZ_TARGETS = ./pkg/django:FuzzAPIPath ./pkg/config:FuzzLoad ./pkg/graphql:FuzzToAppSync

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg, $(FUZZTIME))"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

lint-workflows:
	$(GO) run github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 .github/workflows/*.yml
	GO=$(GO) bash examples/workflows/lint.sh

build:
	CGO_ENABLED=1 $(GO) build -trimpath -tags netgo,osusergo -ldflags '-s -w -linkmode external -extldflags "-static"' -o django-serverless .

static-check:
	bash .ci/static-check
