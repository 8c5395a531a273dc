"""The book's own checks: notebooks are executed and clean, and the library is what they export."""

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
NOTEBOOKS = sorted((ROOT / "book").glob("*.ipynb"))
TIMING = re.compile(r"perf_counter|timeit|time\.time|process_time|benchmark")


def code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebook under book/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_was_run_top_to_bottom(path):
    counts = [c["execution_count"] for c in code_cells(path)]
    assert None not in counts, f"{path.name}: a code cell was never executed"
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n; refresh with tools/refresh.py"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_run_to_run_noise(path):
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        assert "execution" not in cell["metadata"], f"{path.name}: timing metadata in a cell"
        assert "ExecuteTime" not in cell["metadata"], f"{path.name}: timing metadata in a cell"
    assert "version" not in nb["metadata"].get("language_info", {}), (
        f"{path.name}: interpreter version in the metadata; refresh with tools/refresh.py"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_errors_are_expected_and_only_timings_skip_comparison(path):
    for cell in code_cells(path):
        tags = cell["metadata"].get("tags", [])
        source = "".join(cell["source"])
        if any(o["output_type"] == "error" for o in cell["outputs"]):
            assert "raises-exception" in tags, f"{path.name}: an unexpected error in\n{source}"
        if "nbval-ignore-output" in tags:
            assert TIMING.search(source), (
                f"{path.name}: nbval-ignore-output on a cell that measures no time:\n{source}"
            )


def test_library_is_what_the_notebooks_export():
    from export import check

    assert check(ROOT) == []


def test_every_public_name_is_importable_from_the_package():
    import importlib

    from export import chapter_notebooks

    import nnbook

    for name in chapter_notebooks(ROOT / "book"):
        module = importlib.import_module(f"nnbook.{name}")
        for public in module.__all__:
            assert getattr(nnbook, public, None) is getattr(module, public), (
                f"nnbook.{public} is not nnbook.{name}.{public}: check nnbook/__init__.py"
            )


def test_importing_nnbook_needs_numpy_only():
    import subprocess

    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import nnbook\n"
        "new = {name.split('.')[0] for name in set(sys.modules) - before}\n"
        "extra = new - set(sys.stdlib_module_names) - {'nnbook', 'numpy', 'cython_runtime'}\n"
        # NumPy 1.x's Cython extensions register these on import numpy: NumPy's, not ours.
        "print(sorted(n for n in extra if not n.startswith('_cython_')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"import nnbook imported {result.stdout.strip()}"


CHAPTERS = [p for p in NOTEBOOKS if p.name[:2].isdigit()]


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_solutions_are_folded_in_jupyter(path):
    from solutions import HIDDEN, solution_cells

    nb = json.loads(path.read_text())
    found = solution_cells(nb)
    assert found, f"{path.name}: no exercise solution found"
    assert all(rest is None for _, rest in found), (
        f"{path.name}: a solution shares a cell with an exercise; run tools/refresh.py --fold-only "
        "--split"
    )
    assert all(nb["cells"][i]["metadata"].get("jupyter") == HIDDEN for i, _ in found), (
        f"{path.name}: a solution cell is not folded; run tools/refresh.py --fold-only"
    )


# --- the chapter shape (README, "Change it") ------------------------------------------------

FOLDED = {"hide-input", "hide-cell", "remove-cell", "remove-input"}


def _shown_lines(cell):
    """The lines of a code cell that the built book shows unfolded (``#|`` lines are stripped)."""
    return [line for line in "".join(cell["source"]).splitlines() if not line.startswith("#|")]


def _unfolded(path):
    """(index, cell) of the code cells a reader sees unfolded: not tagged, not a solution."""
    from solutions import solution_cells

    nb = json.loads(path.read_text())
    solutions = {i for i, _ in solution_cells(nb)} if path in CHAPTERS else set()
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code"
            and not FOLDED & set(c["metadata"].get("tags", [])) and i not in solutions]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_unfolded_code_cells_are_short(path):
    long = [(i, len(_shown_lines(c))) for i, c in _unfolded(path) if len(_shown_lines(c)) > 40]
    assert not long, (f"{path.name}: code cells shown unfolded with more than 40 lines "
                      f"(cell index, lines): {long}; fold the guards (tag hide-input) or split")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_directive_cells_are_removed_and_figures_captioned(path):
    for i, cell in enumerate(code_cells(path)):
        source, meta = "".join(cell["source"]), cell["metadata"]
        if source.startswith("#| default_exp"):
            assert "remove-cell" in meta.get("tags", []), f"{path.name}: code cell {i}"
        figures = [o for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
        if figures and not {"remove-cell", "remove-output"} & set(meta.get("tags", [])):
            mystnb = meta.get("mystnb", {})
            assert mystnb.get("figure", {}).get("caption") and mystnb["figure"].get("name"), (
                f"{path.name}: code cell {i} draws a figure without a caption and a name")
            assert mystnb.get("image", {}).get("alt"), f"{path.name}: code cell {i}: no alt text"


def test_the_library_reads_in_an_evening():
    lines = sum(len(p.read_text().splitlines()) for p in (ROOT / "nnbook").glob("*.py"))
    assert lines <= 3200, f"nnbook/ has {lines} lines; the budget is 3,200"
