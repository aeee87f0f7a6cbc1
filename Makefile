# SPDX-License-Identifier: GPL-2.0
# cev: layered and compound events on Linux wait queues.
#   make run    build the patched kernel, boot it in QEMU, show the demo
#   make test   every check; the last line is "N passed, M failed"

.PHONY: run test deps series clean

run:
	@scripts/run.sh

test:
	@scripts/test.sh

deps:
	@scripts/deps.sh

series:
	@scripts/series.sh

clean:
	rm -rf build
