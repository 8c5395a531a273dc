"""Sphinx extension: what a reader of the rendered book should not see.

Code cells start with nbdev's ``#|`` directive lines (``#| export``, ``#| default_exp ...``):
they tell ``tools/export.py`` what goes into the library, and say nothing to a reader. They are
stripped from the code shown on the page (HTML and PDF); the notebooks keep them. A cell left
with no code and no output disappears.

It also removes the page-wide header bar that pydata-sphinx-theme adds above sphinx-book-theme's
layout (its only item is a second search field, next to the sidebar's), and gives the PDF edition
a target for every admonition with a ``:name:`` (Sphinx's LaTeX writer drops their labels, so a
``{ref}`` to a box is an undefined reference), and keeps a figure inside an exercise or a solution
in place (sphinx-exercise's boxes, unlike Sphinx's admonitions, let it float, which LaTeX refuses:
"Not in outer par mode").
"""

from __future__ import annotations

from docutils import nodes
from sphinx.writers.latex import LaTeXTranslator
from sphinx_exercise import nodes as exercise_nodes

NAMED_ADMONITIONS = (
    nodes.attention,
    nodes.caution,
    nodes.danger,
    nodes.error,
    nodes.hint,
    nodes.important,
    nodes.note,
    nodes.tip,
    nodes.warning,
)


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


def _admonition_with_label(visit):
    def visit_and_label(self, node):
        if node["ids"]:  # just before the box: inside, it would come before the box's title
            self.body.append("\n" + self.hypertarget_to(node, anchor=True))
        visit(self, node)

    return visit_and_label


def _without_floats(visit, depart):
    def visit_box(self, node):
        self.no_latex_floats += 1
        visit(self, node)

    def depart_box(self, node):
        depart(self, node)
        self.no_latex_floats -= 1

    return visit_box, depart_box


def setup(app):
    app.setup_extension("sphinx_exercise")  # so that its LaTeX visitors are the ones replaced
    for name in ("exercise_node", "exercise_enumerable_node", "solution_node"):
        app.add_node(
            getattr(exercise_nodes, name),
            override=True,
            latex=_without_floats(
                getattr(exercise_nodes, f"visit_{name}"), getattr(exercise_nodes, f"depart_{name}")
            ),
        )
    app.add_node(
        nodes.admonition,
        override=True,
        latex=(
            _admonition_with_label(LaTeXTranslator.visit_admonition),
            LaTeXTranslator.depart_admonition,
        ),
    )
    for node in NAMED_ADMONITIONS:
        app.add_node(
            node,
            override=True,
            latex=(
                _admonition_with_label(LaTeXTranslator._visit_named_admonition),
                LaTeXTranslator._depart_named_admonition,
            ),
        )
    app.connect("config-inited", _one_search_field)
    app.connect("doctree-read", _strip_cells)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
