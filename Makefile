# Tessera — set-up, demo, tests and benchmarks.
# Every target first makes sure the system libraries are installed (Debian/Ubuntu; needs root or sudo).

SWIFT        ?= swift
APT_PACKAGES := libopenblas-dev liblapacke-dev zlib1g-dev pkg-config
# make test also renders wall.html and report.html in headless Chromium and runs the notebooks.
TEST_PACKAGES := chromium python3-pip
PYTHON_TEST_PACKAGES := pandas matplotlib nbclient nbformat ipykernel
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN  := .build/release/tessera
# Open MPI for `make mpi` (one job over the ranks of mpirun/srun). Open MPI refuses to run as root
# unless told; oversubscription lets tests start more ranks than there are cores.
MPI_PACKAGES := openmpi-bin libopenmpi-dev
MPIRUN       := mpirun --oversubscribe$(shell [ "$$(id -u)" = 0 ] && echo " --allow-run-as-root")

.PHONY: deps mpi-deps test-deps build release mpi demo test bench clean

deps:
	@dpkg -s $(APT_PACKAGES) >/dev/null 2>&1 || \
	  ( echo "Installing system packages: $(APT_PACKAGES)"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) )

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release --product tessera

mpi-deps: deps
	@dpkg -s $(MPI_PACKAGES) >/dev/null 2>&1 || \
	  ( echo "Installing Open MPI: $(MPI_PACKAGES)"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(MPI_PACKAGES) )

# The release binary with the Open MPI backend: `mpirun -np 4 .build/release/tessera segment …`.
# Without mpirun/srun it runs as one process, like the plain build.
mpi: mpi-deps
	TESSERA_MPI=1 $(SWIFT) build -c release --product tessera

demo: release
	$(RELEASE_BIN) demo

test-deps: deps
	@dpkg -s $(TEST_PACKAGES) >/dev/null 2>&1 || \
	  ( echo "Installing test packages: $(TEST_PACKAGES)"; \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(TEST_PACKAGES) )
	@python3 -c "import pandas, matplotlib, nbclient, nbformat, ipykernel" 2>/dev/null || \
	  ( echo "Installing Python packages for the notebooks: $(PYTHON_TEST_PACKAGES)"; \
	    python3 -m pip install -q $(PYTHON_TEST_PACKAGES) || python3 -m pip install -q --break-system-packages $(PYTHON_TEST_PACKAGES) )

# The release binary is the MPI build (`make mpi`), so the end-to-end tests also run it over 1-3 ranks.
test: test-deps mpi
	TESSERA_BIN=$(CURDIR)/$(RELEASE_BIN) TESSERA_MPIRUN="$(MPIRUN)" TESSERA_RENDER_CHECK=1 $(SWIFT) test --disable-xctest
	python3 notebooks/check_notebooks.py $(CURDIR)/$(RELEASE_BIN)

bench: release
	$(MAKE) -C Benchmarks all TESSERA=$(CURDIR)/$(RELEASE_BIN)

clean:
	rm -rf .build demo-output
