#!/usr/bin/env bash
# The PDF edition, _build/nnbook.pdf, typeset by XeLaTeX from the same sources as the HTML book.
#
#   tools/build_pdf.sh    install TeX Live if missing, build the PDF, check it, put it in
#                         _build/nnbook.pdf, and rebuild the HTML book (if built) so that its front
#                         page links to it
#
# It installs, when missing, the Debian packages below (apt-get; run as root, as CI does), builds
# with `jupyter-book build --builder pdflatex .` into _build/pdf/ (its own Sphinx environment, so
# that the HTML book's stays valid and its rebuild reads the front page only), and fails unless
# the PDF has at least MIN_PAGES pages, shows every chapter's title, and its LaTeX log has no
# undefined reference, no missing figure and no missing character.
#
# NNBOOK_BUILD_ROOT=DIR builds into DIR/_build instead of ./_build (jupyter-book's --path-output).
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(make latexmk texlive-xetex texlive-latex-recommended texlive-latex-extra
          texlive-fonts-recommended fonts-freefont-otf fonts-dejavu-core poppler-utils)
JUPYTER_BOOK=${JUPYTER_BOOK:-.venv/bin/jupyter-book}
PYTHON=${PYTHON:-.venv/bin/python}
MIN_PAGES=${MIN_PAGES:-100}
ROOT=${NNBOOK_BUILD_ROOT:-.}
BUILD=$ROOT/_build
PDF=$BUILD/pdf/_build/latex/nnbook.pdf
LOG=$BUILD/pdf/_build/latex/nnbook.log

step() { printf '\n=== %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }

missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  step "Install ${missing[*]}"
  t0=$SECONDS
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  echo "--- took $((SECONDS - t0)) s"
fi

step "Build the PDF, warnings as errors: $JUPYTER_BOOK build -W -n --keep-going --builder pdflatex ."
t0=$SECONDS
mkdir -p "$BUILD/pdf"
rm -rf "$BUILD/pdf/_build/latex" "$BUILD/nnbook.pdf"
"$JUPYTER_BOOK" build -W -n --keep-going --builder pdflatex --path-output "$BUILD/pdf" . \
  > "$BUILD/pdf/build.log" 2>&1 || {
  tail -n 60 "$BUILD/pdf/build.log"
  grep -n -A3 '^!' "$LOG" 2>/dev/null | head -n 40 || true
  echo "FAIL: the PDF build failed; its output is in $BUILD/pdf/build.log"
  exit 1
}
echo "--- took $((SECONDS - t0)) s"

step "Check $PDF"
problems=0
fail() { echo "FAIL: $*"; problems=$((problems + 1)); }
[ -f "$PDF" ] || { echo "FAIL: no $PDF"; exit 1; }
pages=$(pdfinfo "$PDF" | awk '/^Pages:/ {print $2}')
echo "$pages pages, $(du -k "$PDF" | cut -f1) kB"
[ "$pages" -ge "$MIN_PAGES" ] || fail "$PDF has $pages pages, fewer than $MIN_PAGES"
# The log of the last LaTeX run: references, figures and glyphs.
if grep -E "There were undefined references|Reference .* undefined|Citation .* undefined" "$LOG"; then
  fail "undefined references (see $LOG)"
fi
if grep -E "File .* not found|Unable to load picture|Could not find image|Error: cannot find image" "$LOG"; then
  fail "missing figures (see $LOG)"
fi
if grep -E "Missing character" "$LOG" | sort | uniq -c; then
  fail "characters that no font of the PDF has (see $LOG)"
fi
if grep -E "multiply defined" "$LOG"; then
  fail "labels defined twice (see $LOG)"
fi
# Every chapter is in it: the title of each chapter notebook appears in the text.
"$PYTHON" - "$PDF" <<'EOF' || problems=$((problems + 1))
import json, subprocess, sys
from pathlib import Path

text = " ".join(subprocess.run(["pdftotext", sys.argv[1], "-"], capture_output=True,
                               text=True, check=True).stdout.split())
missing = []
for path in sorted(Path("book").glob("[0-9][0-9]_*.ipynb")):
    cells = json.loads(path.read_text())["cells"]
    title = next(line[2:] for cell in cells if cell["cell_type"] == "markdown"
                 for line in "".join(cell["source"]).splitlines() if line.startswith("# "))
    if " ".join(title.split()) not in text:
        missing.append(f"{path.name}: {title!r}")
print(f"{len(list(Path('book').glob('[0-9][0-9]_*.ipynb')))} chapter titles looked for in the text")
for m in missing:
    print("FAIL: chapter title not found in the PDF:", m)
sys.exit(1 if missing else 0)
EOF
[ "$problems" -eq 0 ] || { echo "$problems problem(s)"; exit 1; }
cp "$PDF" "$BUILD/nnbook.pdf"
echo "ok: $BUILD/nnbook.pdf"

if [ -f "$BUILD/html/index.html" ]; then
  step "Rebuild the HTML book so that its front page links to the PDF"
  t0=$SECONDS
  "$JUPYTER_BOOK" build -W -n --keep-going --path-output "$ROOT" . > "$BUILD/html-rebuild.log" 2>&1 || {
    tail -n 40 "$BUILD/html-rebuild.log"
    exit 1
  }
  [ -f "$BUILD/html/downloads/nnbook.pdf" ] || { echo "FAIL: no $BUILD/html/downloads/nnbook.pdf"; exit 1; }
  grep -q 'href="../downloads/nnbook.pdf"' "$BUILD/html/book/index.html" \
    || { echo "FAIL: the front page does not link to the PDF"; exit 1; }
  echo "--- took $((SECONDS - t0)) s"
fi
