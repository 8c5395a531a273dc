"""Check the built book's layout in a real browser (headless Chromium), at desktop and phone width.

    python tools/check_layout.py _build/html                 # every page of book/, 1400 and 400 px
    python tools/check_layout.py _build/html --widths 1400   # one width

For each page it reports what a reader would see go wrong:

- a display equation wider than the text column (cut off, or a scroll bar under it);
- a code cell shown unfolded with more than 40 lines, or a ``#|`` directive line shown;
- a figure in an output without a number and a caption;
- an image drawn larger than its pixels allow on a 2x screen (blurry), or shrunk below 85% of its
  intended size (its labels get small);
- at the phone width, a page wider than the screen.

The page is copied next to itself with a small script that waits for MathJax to typeset, measures,
and writes a JSON report into the DOM, which ``chromium --dump-dom`` prints. Exit status 1 if
anything is found.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

MEASURE = r"""
<script>
window.addEventListener("DOMContentLoaded", async () => {
  const sleep = ms => new Promise(r => setTimeout(r, ms));
  document.querySelectorAll("img[loading=lazy]").forEach(img => { img.loading = "eager"; });
  await sleep(500);
  for (let i = 0; i < 40 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++) {
    if (!document.querySelector("script[src*=mathjax], script[id*=MathJax]")) break;
    await sleep(250);
  }
  try { if (window.MathJax && MathJax.startup) {
    await Promise.race([MathJax.startup.promise, sleep(20000)]); } } catch (e) {}
  await Promise.race([Promise.all([...document.images].map(img => img.decode().catch(() => 0))),
                      sleep(5000)]);
  await sleep(300);
  const pre = document.createElement("pre");
  pre.id = "layout-report";
  try {
  const out = {equations: [], code: [], directives: [], figures: [], images: [], overflow: null,
               seen: {equations: 0, cells: 0, images: 0}};
  const article = document.querySelector("article") || document.body;
  const column = article.clientWidth;
  const visible = el => !el.closest("details:not([open])") && (el.checkVisibility
    ? el.checkVisibility({visibilityProperty: true}) : el.offsetParent !== null);
  document.querySelectorAll('mjx-container[display="true"]').forEach((m, i) => {
    if (!visible(m)) return;
    out.seen.equations++;
    const math = m.querySelector("mjx-math") || m;
    const width = math.getBoundingClientRect().width;
    const room = Math.min(column, m.clientWidth || column);
    if (width > room + 1 || m.scrollWidth > m.clientWidth + 1) {
      out.equations.push({index: i, width: Math.round(width), room: Math.round(room),
                          text: (m.getAttribute("aria-label") || m.textContent).slice(0, 60)});
    }
  });
  document.querySelectorAll(".cell_input pre, div.highlight pre").forEach(pre => {
    if (!visible(pre)) return;
    const lines = pre.textContent.replace(/\n$/, "").split("\n");
    if (lines.some(l => l.startsWith("#|"))) out.directives.push(lines[0].slice(0, 60));
    if (pre.closest(".cell_input")) out.seen.cells++;
    if (pre.closest(".cell_input") && lines.length > 40) {
      out.code.push({lines: lines.length, first: lines[0].slice(0, 60)});
    }
  });
  document.querySelectorAll(".cell_output img, figure img").forEach(img => {
    if (!visible(img)) return;
    out.seen.images++;
    const shown = img.getBoundingClientRect().width;
    const fig = img.closest("figure");
    if (!fig || !fig.querySelector("figcaption .caption-number")) {
      out.figures.push((img.getAttribute("alt") || img.getAttribute("src") || "").slice(0, 60));
    }
    const meant = img.naturalWidth / 2;   // retina PNGs: two pixels per CSS pixel
    if (shown > img.naturalWidth / 1.5) {
      out.images.push({src: img.getAttribute("src").slice(-40), problem: "blurry",
                       shown: Math.round(shown), pixels: img.naturalWidth});
    } else if (img.naturalWidth > 200 && shown < 0.85 * meant && shown < column - 2) {
      out.images.push({src: img.getAttribute("src").slice(-40), problem: "shrunk",
                       shown: Math.round(shown), meant: Math.round(meant)});
    }
  });
  const page = document.documentElement.scrollWidth;
  if (page > window.innerWidth + 1) out.overflow = {page: page, screen: window.innerWidth};
  pre.textContent = JSON.stringify(out);
  } catch (e) { pre.textContent = JSON.stringify({error: "the measuring script failed: " + e}); }
  document.body.appendChild(pre);
});
</script>
"""
REPORT = re.compile(r'<pre id="layout-report">(.*?)</pre>', re.S)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    sys.exit("check_layout: no Chromium found (apt-get install -y chromium)")


def measure(page: Path, width: int, browser: str, profile: str) -> dict:
    """The layout report of one page at one window width."""
    probe = page.with_name(f"__layout__{page.name}")
    html = page.read_text(encoding="utf-8")
    probe.write_text(html.replace("</body>", MEASURE + "</body>", 1), encoding="utf-8")
    try:
        run = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", f"--user-data-dir={profile}",
             f"--window-size={width},900", "--hide-scrollbars", "--virtual-time-budget=120000",
             "--dump-dom", probe.resolve().as_uri()],
            capture_output=True, text=True, timeout=180, check=False)
    finally:
        probe.unlink()
    found = REPORT.search(run.stdout)
    if not found:
        return {"error": f"no report (chromium exit {run.returncode}): {run.stderr[-300:]}"}
    import html as html_lib
    return json.loads(html_lib.unescape(found.group(1)))


def problems(report: dict, width: int) -> list[str]:
    lines = []
    if "error" in report:
        return [report["error"]]
    desktop = width >= 800           # on a phone, wide equations scroll and figures shrink
    for eq in report["equations"] * desktop:
        lines.append(f"equation {eq['width']} px wide in a {eq['room']} px column: {eq['text']!r}")
    for cell in report["code"]:
        lines.append(f"code cell of {cell['lines']} lines shown unfolded: {cell['first']!r}")
    for first in report["directives"]:
        lines.append(f"a '#|' line is shown in the cell starting {first!r}")
    for fig in report["figures"]:
        lines.append(f"figure without a number and caption: {fig!r}")
    for img in report["images"]:
        if img["problem"] == "shrunk" and not desktop:
            continue
        lines.append(f"image {img['problem']}: {img}")
    if report["overflow"] and not desktop:
        lines.append(f"page {report['overflow']['page']} px wide on a {width} px screen")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path, help="the built book, e.g. _build/html")
    parser.add_argument("--widths", default="1400,400", help="window widths in CSS px")
    parser.add_argument("--pages", nargs="*", help="page names (default: every page of book/)")
    args = parser.parse_args(argv)
    pages = sorted((args.html / "book").glob("*.html"))
    if args.pages:
        pages = [p for p in pages if p.stem in args.pages or p.name in args.pages]
    browser, failed = chromium(), 0
    with tempfile.TemporaryDirectory() as profile:
        for width in (int(w) for w in args.widths.split(",")):
            for page in pages:
                report = measure(page, width, browser, profile)
                found = problems(report, width)
                failed += bool(found)
                seen = report.get("seen", {})
                status = ("ok" if not found else f"{len(found)} problem(s)") + (
                    f" ({seen['equations']} display equations, {seen['cells']} code cells and "
                    f"{seen['images']} images shown)" if seen else "")
                print(f"{width:>5} px  {page.name}: {status}")
                for line in found:
                    print(f"           {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
