"""Find the exercise solutions of a chapter notebook: fold them in Jupyter, or remove them.

A solution is written with sphinx-exercise in one of two ways, in markdown cells:

- gated: a ``{solution-start} LABEL`` directive, any cells (text and code), then a
  ``{solution-end}`` directive; the two directives may share a markdown cell with other text
  (the exercise before, the next exercise after);
- a ``{solution} LABEL`` block inside one markdown cell.

``fold(nb)`` gives every solution cell JupyterLab's collapsed metadata, so a reader running the
notebook sees the exercise and opens its solution on purpose (``tools/refresh.py`` calls it).
A solution written in the same markdown cell as an exercise cannot be folded without the
exercise: ``split(nb)`` cuts such cells in two or more (``tools/refresh.py --fold-only --split``).
``workbook(nb)`` returns a copy without any solution: solution cells are dropped and solution
text is cut out of the cells it shares with an exercise.
"""

from __future__ import annotations

import copy
import itertools
import re

FENCE = re.compile(r"^[ ]{0,3}(?P<fence>`{3,}|:{3,})\s*(?P<info>\{[\w-]+\})?")
HIDDEN = {"source_hidden": True, "outputs_hidden": True}


def _closes(line: str, fence: str) -> bool:
    """Whether ``line`` closes a block opened by ``fence`` (same character, at least as long)."""
    stripped = line.strip()
    return (
        len(stripped) >= len(fence)
        and set(stripped) == {fence[0]}
        and len(line) - len(line.lstrip()) <= 3
    )


def _split(text: str, inside: bool) -> tuple[list[bool], bool]:
    """For each line of a markdown cell, whether it belongs to a solution (markers included).

    ``inside`` says whether the cell starts within a gated solution; the second value returned
    says whether it ends within one.
    """
    lines = text.splitlines()
    marks = [False] * len(lines)
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            marks[i] = inside
            i += 1
            continue
        fence, info = opening["fence"], opening["info"]
        end = i + 1  # the line after the block opened at line i
        while end < len(lines) and not _closes(lines[end], fence):
            end += 1
        if end == len(lines) and info in ("{solution}", "{solution-start}", "{solution-end}"):
            raise ValueError(f"a {info} block is not closed by a line {fence!r}")
        end = min(end + 1, len(lines))
        if info == "{solution-start}":
            if inside:
                raise ValueError("{solution-start} inside a solution: a {solution-end} is missing")
            inside = True
            solution = True
        elif info == "{solution-end}":
            if not inside:
                raise ValueError("{solution-end} without a {solution-start} before it")
            inside = False
            solution = True
        else:
            solution = inside or info == "{solution}"
        marks[i:end] = [solution] * (end - i)
        i = end
    return marks, inside


def solution_cells(nb) -> list[tuple[int, str | None]]:
    """Every cell that holds a solution: ``(index, None)`` for a cell that is all solution (and
    markers), ``(index, text)`` for a markdown cell that also holds something else, where
    ``text`` is that cell without its solution."""
    found = []
    inside = False
    for index, cell in enumerate(nb["cells"]):
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] != "markdown":
            if inside:
                found.append((index, None))
            continue
        marks, inside = _split(source, inside)
        if not any(marks):
            continue
        kept = [
            line for line, solution in zip(source.splitlines(), marks, strict=True) if not solution
        ]
        if any(line.strip() for line in kept):
            found.append((index, re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip("\n")))
        else:
            found.append((index, None))
    if inside:
        raise ValueError("a {solution-start} is never closed by a {solution-end}")
    return found


def fold(nb):
    """Give every cell that is all solution JupyterLab's collapsed metadata (in place)."""
    for index, rest in solution_cells(nb):
        if rest is None:
            nb["cells"][index]["metadata"].setdefault("jupyter", {}).update(HIDDEN)
    return nb


def workbook(nb):
    """A copy of ``nb`` without solutions: exercises, checkers and everything else kept."""
    nb = copy.deepcopy(nb)
    found = dict(solution_cells(nb))
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if index not in found:
            cells.append(cell)
        elif found[index] is not None:
            cell["source"] = found[index]
            cell["metadata"].pop("jupyter", None)
            cells.append(cell)
    nb["cells"] = cells
    return nb


def split(nb):
    """Cut every markdown cell that holds both a solution and something else into cells that
    hold one or the other (in place). The first part that is not a solution keeps the cell's id;
    the others get ``ID-s1``, ``ID-s2``, ... Returns the number of cells cut."""
    ids = {cell.get("id") for cell in nb["cells"]}
    cells, inside, cut = [], False, 0
    for cell in nb["cells"]:
        if cell["cell_type"] != "markdown":
            cells.append(cell)
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        marks, after = _split(source, inside)
        lines = source.splitlines()
        parts = []
        for solution, group in itertools.groupby(zip(lines, marks, strict=True), lambda x: x[1]):
            text = "\n".join(line for line, _ in group).strip("\n")
            if text.strip():
                parts.append((solution, text))
        if len({solution for solution, _ in parts}) > 1:
            cut += 1
            keeper = next(k for k, (solution, _) in enumerate(parts) if not solution)
            suffix = 0
            for k, (_, text) in enumerate(parts):
                part = copy.deepcopy(cell)
                part["source"] = text
                part["metadata"].pop("jupyter", None)
                if k != keeper:
                    suffix += 1
                    part["id"] = new_id = f"{cell.get('id', 'cell')}-s{suffix}"
                    if new_id in ids:
                        raise ValueError(f"cannot split cell {cell.get('id')}: {new_id} exists")
                    ids.add(new_id)
                cells.append(part)
        else:
            cells.append(cell)
        inside = after
    nb["cells"] = cells
    return cut
