#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# check-docs.sh: the series' documentation builds clean.  Builds
# "make htmldocs SPHINXDIRS=core-api" out of tree (build/obj-docs) from
# $SRC (build/linux, the series applied) and checks that
#  - sphinx-build succeeds;
#  - no warning or error in its log names a file the series adds or
#    changes (git diff pristine HEAD): cev.rst, index.rst, and the
#    kernel-doc cev.rst pulls in from cev.h, cev.c, buffer.c, buffer_head.h;
#  - cev.html holds the rendered kernel-doc (signature and description) of
#    a function from each of cev.h, cev.c and buffer.c, and mm-api.html,
#    where core-api documents mm/filemap.c's exports, one of the series'
#    functions there (cev.rst points to it: a second directive for them
#    would declare them twice, a warning Sphinx names only on an
#    incremental build, and then after the rst's path): a kernel-doc
#    directive that matches nothing (a renamed function, a wrong
#    :identifiers:, a lost EXPORT_SYMBOL under :export:) renders nothing,
#    without a warning.
# Core-api has warnings of its own; only those naming the series' files
# count.  Needs python3-sphinx and python3-yaml (htmldocs first makes the
# netlink specs' .rst from YAML, in the source tree, as upstream does).
. "$(dirname "$0")/lib.sh"

DOCS_DIR=core-api
OBJ=$BUILD/obj-docs
LOG=$LOGS/docs.log
HTML=$OBJ/Documentation/output/$DOCS_DIR/cev.html
# Functions whose rendered kernel-doc must be in cev.html: one from
# include/linux/cev.h, one from kernel/cev.c (:export:), one from
# fs/buffer.c (:identifiers:); and in mm-api.html, one of the series' in
# mm/filemap.c (its :export:).
MUST_RENDER="cev_wait_attached cev_add bh_cev_add"
MUST_RENDER_MM="folio_lev_add folio_cev_add"

# series_files_changed: the files the series adds or changes, one a line.
series_files_changed() {
	git -C "$SRC" diff --name-only refs/tags/pristine HEAD
}

# forget_series_docs: make sphinx read again the documents the series adds
# or changes, and those that pull in kernel-doc from its files.  Sphinx
# reads again only what changed since the last build, and says nothing of
# the warnings of a document it did not read: without this a second run
# would pass where the first failed.  A document whose doctree is missing
# is read again.
forget_series_docs() {
	local f docs
	docs=$(series_files_changed | grep "^Documentation/$DOCS_DIR/.*\.rst$" || true)
	for f in $(series_files_changed); do
		docs="$docs $(grep -rlF --include='*.rst' "kernel-doc:: $f" "$SRC/Documentation/$DOCS_DIR" || true)"
	done
	for f in $docs; do
		f=${f#"$SRC/"}
		f=${f#"Documentation/$DOCS_DIR/"}
		rm -f "$OBJ/Documentation/output/.doctrees/$DOCS_DIR/${f%.rst}.doctree"
	done
}

build_docs() {
	: >"$LOG"
	forget_series_docs
	kmake "$OBJ" "$LOG" htmldocs SPHINXDIRS=$DOCS_DIR
}

# subset_artefact: drop the warnings that only building a subset makes.
# core-api/index.rst's toctree names ../RCU/index, a document outside
# SPHINXDIRS=core-api; a toctree entry that exists nowhere still counts.
subset_artefact() {
	local line doc
	while IFS= read -r line; do
		doc=$(echo "$line" | sed -n "s/.*toctree contains reference to nonexisting document '\(.*\)'$/\1/p")
		[ -n "$doc" ] && [ -f "$SRC/Documentation/$doc.rst" ] && continue
		printf '%s\n' "$line"
	done
}

# series_warnings: the log's warnings and errors that name one of those
# files (paths in the log are absolute; make them relative to $SRC).
series_warnings() {
	local src pats
	src=$(realpath "$SRC")
	pats=$(series_files_changed | sed -e 's/[.[\*^$]/\\&/g' -e 's/.*/(^|[[:space:]'"'"'"(])&([:'"'"'")[:space:]]|$)/')
	sed "s|$src/||g" "$LOG" |
		grep -Ei 'warning|error|critical' |
		grep -E -f <(echo "$pats") |
		subset_artefact || true
}

# renders FUNC [HTML]: HTML (cev.html) has FUNC's C-domain signature, and
# a description paragraph after it (the kernel-doc's short description).
renders() {
	python3 - "${2:-$HTML}" "$1" <<'PY'
import re, sys
html, func = open(sys.argv[1]).read(), sys.argv[2]
m = re.search(r'<dl class="c function">\s*<dt [^>]*\bid="c\.%s">'
              r'(.*?)</dt>\s*<dd>(.*?)</dd>' % re.escape(func), html, re.S)
if not m:
    sys.exit('%s: no rendered signature in %s' % (func, sys.argv[1]))
sig = re.sub(r'<[^>]+>', '', m.group(1))
desc = re.sub(r'<[^>]+>', '', m.group(2)).strip()
if '(' not in sig or not desc:
    sys.exit('%s: signature or description empty: %r %r' % (func, sig, desc[:80]))
PY
}

if ! stage "make htmldocs SPHINXDIRS=$DOCS_DIR (build/obj-docs)" build_docs; then
	result docs fail "docs: make htmldocs SPHINXDIRS=$DOCS_DIR (see $LOG)"
	exit 0
fi
result docs ok "docs: make htmldocs SPHINXDIRS=$DOCS_DIR builds"

warnings=$(series_warnings)
if [ -z "$warnings" ]; then
	result docs ok "docs: no sphinx or kernel-doc warning names a file of the series"
else
	echo "$warnings" | head -20 >&2
	result docs fail "docs: $(echo "$warnings" | wc -l) warnings name files of the series (see $LOG)"
fi

if [ ! -f "$HTML" ]; then
	result docs fail "docs: $DOCS_DIR/cev.html is built"
	exit 0
fi
for f in $MUST_RENDER; do
	if renders "$f"; then
		result docs ok "docs: cev.html renders the kernel-doc of $f()"
	else
		result docs fail "docs: cev.html renders the kernel-doc of $f()"
	fi
done
for f in $MUST_RENDER_MM; do
	if renders "$f" "$(dirname "$HTML")/mm-api.html"; then
		result docs ok "docs: mm-api.html renders the kernel-doc of $f()"
	else
		result docs fail "docs: mm-api.html renders the kernel-doc of $f()"
	fi
done
