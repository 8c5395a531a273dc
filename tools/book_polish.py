"""Sphinx extension: what a reader of the rendered book should not see.

Code cells start with nbdev's ``#|`` directive lines (``#| export``, ``#| default_exp ...``):
they tell ``tools/export.py`` what goes into the library, and say nothing to a reader. They are
stripped from the code shown on the page (HTML and PDF); the notebooks keep them. A cell left
with no code and no output disappears.

It also removes the page-wide header bar that pydata-sphinx-theme adds above sphinx-book-theme's
layout: its only item is a second search field, next to the sidebar's.
"""

from __future__ import annotations

from docutils import nodes


def strip_directives(source: str) -> str:
    """``source`` without its leading ``#|`` lines (and the blank lines among them)."""
    lines = source.splitlines()
    start = 0
    while start < len(lines) and (
        lines[start].lstrip().startswith("#|") or not lines[start].strip()
    ):
        start += 1
    return "\n".join(lines[start:])


def _strip_cells(app, doctree):
    for source in list(doctree.findall(nodes.container)):
        if source.get("nb_element") != "cell_code_source":
            continue
        for block in source.findall(nodes.literal_block):
            text = block.astext()
            shown = strip_directives(text)
            if shown != text:
                block.rawsource = shown
                block.children = []
                block += nodes.Text(shown)
        if not source.astext().strip():
            cell = source.parent
            cell.remove(source)
            if not cell.children:
                cell.parent.remove(cell)


def _one_search_field(app, config):
    config.html_theme_options.setdefault("navbar_persistent", [])


def setup(app):
    app.connect("config-inited", _one_search_field)
    app.connect("doctree-read", _strip_cells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
