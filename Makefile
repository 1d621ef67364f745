# Tessera — set-up, demo, tests and benchmarks.
# Every target first makes sure the system libraries are installed (Debian/Ubuntu; needs root or sudo).

SWIFT        ?= swift
APT_PACKAGES := libopenblas-dev liblapacke-dev zlib1g-dev pkg-config
# make test also renders wall.html and report.html in headless Chromium and runs the notebooks.
TEST_PACKAGES := chromium python3-pip
PYTHON_TEST_PACKAGES := pandas matplotlib nbclient nbformat ipykernel
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release/tessera

.PHONY: deps test-deps build release demo test bench clean

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

test-deps: deps
	@dpkg -s $(TEST_PACKAGES) >/dev/null 2>&1 || \
	  ( echo "Installing test packages: $(TEST_PACKAGES)"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_PACKAGES) )
	@python3 -c "import pandas, matplotlib, nbclient, nbformat, ipykernel" 2>/dev/null || \
	  ( echo "Installing Python packages for the notebooks: $(PYTHON_TEST_PACKAGES)"; \
	    python3 -m pip install -q $(PYTHON_TEST_PACKAGES) || python3 -m pip install -q --break-system-packages $(PYTHON_TEST_PACKAGES) )

test: test-deps
	$(SWIFT) build -c release --product tessera
	TESSERA_BIN=$(CURDIR)/$(RELEASE_BIN) TESSERA_RENDER_CHECK=1 $(SWIFT) test --disable-xctest
	python3 notebooks/check_notebooks.py $(CURDIR)/$(RELEASE_BIN)

bench: release
	$(MAKE) -C Benchmarks all TESSERA=$(CURDIR)/$(RELEASE_BIN)

clean:
	rm -rf .build demo-output
