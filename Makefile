# Tessera — set-up, demo, tests and benchmarks.
# Every target first makes sure the system libraries are installed (Debian/Ubuntu; needs root or sudo).

SWIFT        ?= swift
APT_PACKAGES := libopenblas-dev liblapacke-dev zlib1g-dev pkg-config
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release/tessera

.PHONY: deps build release demo test bench clean

deps:
	@dpkg -s $(APT_PACKAGES) >/dev/null 2>&1 || \
	  ( echo "Installing system packages: $(APT_PACKAGES)"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) )

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product tessera

demo: release
	$(RELEASE_BIN) demo

test: deps
	$(SWIFT) build -c release --product tessera
	TESSERA_BIN=$(CURDIR)/$(RELEASE_BIN) $(SWIFT) test --disable-xctest

bench: release
	$(MAKE) -C Benchmarks all TESSERA=$(CURDIR)/$(RELEASE_BIN)

clean:
	rm -rf .build demo-output
