"""Checks of the built book (run by .ci/run after ``jupyter-book build``).

python tools/check_html.py offline _build/html
    fail if any page loads a script, style, font or image from another host
python tools/check_html.py math PAGE.html DOM.html
    fail unless every math element of PAGE.html was typeset by MathJax in DOM.html
    (DOM.html is what a browser shows after running the page's scripts)
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)
CSS_URL = re.compile(
    r"""(?:url\(\s*['"]?|@import\s+['"])((?:https?:)?//[^'")\s]+)""", re.IGNORECASE
)
LOADING = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src",),
    "iframe": ("src",),
    "source": ("src",),
    "video": ("src",),
    "audio": ("src",),
    "embed": ("src",),
}
LINK_RELS_THAT_LOAD = {"stylesheet", "preload", "modulepreload", "icon", "prefetch", "manifest"}


class _Loads(HTMLParser):
    """Collect the URLs a page makes the browser fetch (not the links a reader may click)."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and not LINK_RELS_THAT_LOAD & set((attrs.get("rel") or "").split()):
            return
        for name in LOADING.get(tag, ()):
            if attrs.get(name):
                self.urls.append(attrs[name])


def external_loads(site: Path) -> list[str]:
    problems = []
    pages = sorted(site.rglob("*.html"))
    for page in pages:
        parser = _Loads()
        parser.feed(page.read_text(errors="replace"))
        problems += [
            f"{page.relative_to(site)}: loads {u}" for u in parser.urls if EXTERNAL.match(u)
        ]
        problems += [
            f"{page.relative_to(site)}: inline CSS loads {u}"
            for u in CSS_URL.findall(page.read_text(errors="replace"))
        ]
    for sheet in sorted(site.rglob("*.css")):
        problems += [
            f"{sheet.relative_to(site)}: loads {u}"
            for u in CSS_URL.findall(sheet.read_text(errors="replace"))
        ]
    print(f"checked {len(pages)} pages and their stylesheets for requests to other hosts")
    return problems


MATH = re.compile(r'class="math notranslate nohighlight"')


def untypeset_math(page: Path, dom: Path) -> list[str]:
    expected = len(MATH.findall(page.read_text()))
    typeset = dom.read_text(errors="replace").count("<mjx-container")
    print(f"{page.name}: {expected} math elements in the page, {typeset} typeset by MathJax")
    if expected == 0:
        return [f"{page.name} has no math: choose a page that has some"]
    if typeset < expected:
        return [f"{page.name}: only {typeset} of {expected} math elements were typeset"]
    return []


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "offline":
        problems = external_loads(Path(argv[1]))
    elif len(argv) == 3 and argv[0] == "math":
        problems = untypeset_math(Path(argv[1]), Path(argv[2]))
    else:
        print(__doc__)
        return 2
    return report(problems)


def report(problems: list[str]) -> int:
    """Print each problem and a summary line; the exit status: 1 if there was any."""
    for problem in problems:
        print("FAIL:", problem)
    print("ok" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
