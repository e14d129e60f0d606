# make test: every test, with a throwaway redis-server (and Chromium for the page
# tests) started on loopback by .ci/with-services, installing them with apt when
# they are missing and we may.
GO ?= go
PKGS ?= ./...

.PHONY: test test-short check fmt vet staticcheck fuzz bench run build

test:
	./.ci/with-services $(GO) test -race -count=1 -timeout 30m $(PKGS)

test-short:
	$(GO) test -short -count=1 $(PKGS)

check: fmt vet staticcheck

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/hikiai ./cmd/hikiai

run:
	$(GO) run ./cmd/hikiai serve
