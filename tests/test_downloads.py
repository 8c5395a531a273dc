"""The book's downloads: the workbook has no solutions, solutions fold in Jupyter, the zips hold
every chapter, and the rendered page hides nbdev's directive lines."""

import json
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

pytest.importorskip("sphinx", reason="needs the book extra: pip install -e '.[book,test]'")
import book_downloads  # noqa: E402
import book_polish  # noqa: E402
import solutions  # noqa: E402

CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
HIDDEN = {"source_hidden": True, "outputs_hidden": True}


def notebook(*cells):
    """A notebook of ("md" | "code", source) cells, with ids c0, c1, ..."""
    nb = nbformat.v4.new_notebook()
    for i, (kind, source) in enumerate(cells):
        new = nbformat.v4.new_markdown_cell if kind == "md" else nbformat.v4.new_code_cell
        nb.cells.append(new(source, id=f"c{i}"))
    return nb


EXERCISES = notebook(
    ("code", "#| export\ndef f(x):\n    return 2 * x"),
    (
        "md",
        "```{exercise} First\n:label: ex-first\n\nWrite `g`.\n```\n\n"
        "```{solution-start} ex-first\n:class: dropdown\n```",
    ),
    ("md", "Double it:"),
    ("code", "def g(x):\n    return 2 * x\n\nnnbook.check_g(g)"),
    (
        "md",
        "```{solution-end}\n```\n\n```{exercise} Second\n:label: ex-second\n\nWhy?\n```\n\n"
        "````{solution} ex-second\n:class: dropdown\n\nBecause:\n```python\nf(2)\n```\n````",
    ),
    ("md", "```{exercise} Third\n:label: ex-third\n\nCheck yours with `nnbook.check_h`.\n```"),
    ("md", "```{solution-start} ex-third\n```"),
    ("code", "nnbook.check_h(h)"),
    ("md", "It passes.\n\n```{solution-end}\n```"),
)


def test_solution_cells_are_found_across_cells_and_inside_exercise_cells():
    found = dict(solutions.solution_cells(EXERCISES))
    assert sorted(i for i, rest in found.items() if rest is None) == [2, 3, 6, 7, 8]
    assert found[1] == "```{exercise} First\n:label: ex-first\n\nWrite `g`.\n```"
    assert found[4] == "```{exercise} Second\n:label: ex-second\n\nWhy?\n```"
    assert 0 not in found and 5 not in found


def test_the_workbook_keeps_exercises_and_checkers_and_drops_solutions():
    book = solutions.workbook(EXERCISES)
    text = "\n".join(cell.source for cell in book.cells)
    for label in ("ex-first", "ex-second", "ex-third"):
        assert f":label: {label}" in text
    assert "check_h`." in text and "def f(x)" in text
    for gone in ("solution", "Double it", "def g", "Because", "It passes", "check_h(h)"):
        assert gone not in text
    assert [cell.id for cell in book.cells] == ["c0", "c1", "c4", "c5"]
    assert len(EXERCISES.cells) == 9, "the workbook is a copy"


def test_fold_hides_every_cell_that_is_all_solution():
    nb = solutions.fold(json.loads(json.dumps(EXERCISES)))
    hidden = [i for i, cell in enumerate(nb["cells"]) if cell["metadata"].get("jupyter") == HIDDEN]
    assert hidden == [2, 3, 6, 7, 8]


def test_split_gives_each_solution_its_own_cells_and_then_fold_hides_them():
    nb = json.loads(json.dumps(EXERCISES))
    assert solutions.split(nb) == 2
    assert [cell["id"] for cell in nb["cells"]] == [
        "c0", "c1", "c1-s1", "c2", "c3", "c4-s1", "c4", "c4-s2", "c5", "c6", "c7", "c8",
    ]  # fmt: skip
    assert all(rest is None for _, rest in solutions.solution_cells(nb))
    solutions.fold(nb)
    assert [cell["id"] for cell in nb["cells"] if "jupyter" not in cell["metadata"]] == [
        "c0", "c1", "c4", "c5",
    ]  # fmt: skip
    assert "Second" in nb["cells"][6]["source"] and "Because" in nb["cells"][7]["source"]
    assert solutions.workbook(nb)["cells"] == solutions.workbook(EXERCISES)["cells"]
    assert solutions.split(nb) == 0, "splitting twice changes nothing"


def test_refresh_saves_solutions_folded():
    refresh = pytest.importorskip("refresh")
    nb = nbformat.from_dict(json.loads(json.dumps(EXERCISES)))
    nb.cells[3].metadata["collapsed"] = False
    cleaned = refresh.clean(nb)
    assert cleaned.cells[3].metadata == {"jupyter": HIDDEN}
    assert "jupyter" not in cleaned.cells[5].metadata
    assert refresh.clean(cleaned) == cleaned, "cleaning twice changes nothing"


@pytest.mark.parametrize(
    "sources, message",
    [
        (["```{solution-start} ex\n```", "x = 1"], "never closed"),
        (["```{solution-end}\n```"], "without a {solution-start}"),
        (["```{solution-start} a\n```\n```{solution-start} b\n```"], "missing"),
        (["````{solution} ex\ntext\n```"], "not closed"),
    ],
)
def test_unbalanced_solutions_are_an_error(sources, message):
    nb = notebook(*[("md" if "{" in s else "code", s) for s in sources])
    with pytest.raises(ValueError, match=message):
        solutions.solution_cells(nb)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_each_chapter_workbook_has_every_exercise_and_no_solution(path):
    nb = json.loads(path.read_text())
    book = json.dumps(solutions.workbook(nb))
    assert "{solution" not in book
    assert book.count("{exercise}") == json.dumps(nb).count("{exercise}") > 0


def test_the_zips_hold_every_chapter(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "nnbook"\nversion = "9.8.7"\n')
    for name in ("01_one.ipynb", "02_two.ipynb"):
        nbformat.write(EXERCISES, tmp_path / "book" / name)
    nbformat.write(EXERCISES, tmp_path / "book" / "appendix.ipynb")
    notebooks, work = book_downloads.write_zips(tmp_path, tmp_path)
    for path, folder in ((notebooks, "nnbook-notebooks"), (work, "nnbook-workbook")):
        with zipfile.ZipFile(path) as archive:
            assert archive.namelist() == [
                f"{folder}/{name}" for name in ("01_one.ipynb", "02_two.ipynb", "README.txt")
            ]
            readme = archive.read(f"{folder}/README.txt").decode()
            assert "pip install nnbook-9.8.7-py3-none-any.whl" in readme
    chapter = tmp_path / "book" / "01_one.ipynb"
    with zipfile.ZipFile(notebooks) as archive:
        assert archive.read("nnbook-notebooks/01_one.ipynb") == chapter.read_bytes()
    with zipfile.ZipFile(work) as archive:
        text = archive.read("nnbook-workbook/01_one.ipynb").decode()
        assert "{solution" not in text and ":label: ex-third" in text
    again = tmp_path / "again"
    again.mkdir()
    assert book_downloads.write_zips(tmp_path, again)[1].read_bytes() == work.read_bytes(), (
        "the same notebooks give the same zip"
    )


def test_needs_lists_what_a_chapter_imports_beyond_the_wheel(tmp_path):
    path = tmp_path / "09_demo.ipynb"
    nbformat.write(
        notebook(
            ("code", "import math\nimport numpy as np\nimport matplotlib.pyplot as plt"),
            ("code", "from sklearn.datasets import load_digits\nfrom nnbook import forward"),
            ("code", "    import threadpoolctl  # inside a function"),
        ),
        path,
    )
    assert book_downloads.needs(path) == ["scikit-learn", "threadpoolctl"]


@pytest.mark.parametrize(
    "source, shown",
    [
        ("#| export\ndef f():\n    pass", "def f():\n    pass"),
        ("#| default_exp forward", ""),
        (
            "#| export\n#| hide\n\nx = 1  #| not a directive\n#| kept",
            "x = 1  #| not a directive\n#| kept",
        ),
        ("x = 1", "x = 1"),
    ],
)
def test_directive_lines_are_stripped_from_shown_code(source, shown):
    assert book_polish.strip_directives(source) == shown
