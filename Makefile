# SPDX-License-Identifier: GPL-2.0
# cev: layered and compound events on Linux wait queues.
#   make run    build the patched kernel, boot it in QEMU, show the demo
#   make test   every check; the last line is "N passed, M failed"
#   make torture DURATION=seconds   soak the torture test (default 1800)
#   make stack-soak DURATION=seconds   soak cevstack with faults (default 1800)
#   make bench  benchmarks: tables on stdout, figures in build/bench.tsv

.PHONY: run test torture stack-soak bench deps series clean

DURATION ?= 1800

run:
	@scripts/run.sh

test:
	@scripts/test.sh

torture:
	@scripts/torture.sh $(DURATION)

stack-soak:
	@scripts/stack-soak.sh $(DURATION)

bench:
	@scripts/bench.sh

deps:
	@scripts/deps.sh

series:
	@scripts/series.sh

clean:
	rm -rf build
