"""Re-run notebooks top to bottom in a fresh kernel and save them with their new outputs.

The library is exported first (later chapters import what earlier ones export). Each notebook runs
in a kernel of the Python that runs this script, with ``book/`` as its working directory, and is
saved without run-to-run noise: no execution timestamps, no interpreter version, a fixed
kernelspec. Two refreshes in a row give the same bytes, except in cells tagged
``nbval-ignore-output`` (timings). Every exercise solution is saved folded in Jupyter (see
``tools/solutions.py``), so a reader sees the exercise first and opens its solution on purpose.

Usage::

    python tools/refresh.py                      # every notebook under book/
    python tools/refresh.py book/03_*.ipynb      # only these
    python tools/refresh.py --fold-only          # fold the solutions without running anything
    python tools/refresh.py --fold-only --split  # first cut solutions out of exercise cells
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export import ROOT, export  # noqa: E402
from solutions import fold, solution_cells, split  # noqa: E402

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class CurrentEnvKernelManager(KernelManager):
    """Start the kernel with this interpreter, whatever kernelspecs are installed elsewhere."""

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, *cmd[1:]]


def clean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop what changes from run to run but says nothing about the notebook's content, and fold
    every exercise solution in Jupyter (JupyterLab's ``source_hidden``/``outputs_hidden``)."""
    nb.metadata = nbformat.from_dict(
        {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
    )
    for cell in nb.cells:
        for key in ("execution", "ExecuteTime", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    return fold(nb)


def merge_streams(outputs):
    """Join consecutive prints to the same stream: how the kernel chunks them depends on timing."""
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            output.output_type == "stream"
            and previous is not None
            and previous.output_type == "stream"
            and previous.name == output.name
        ):
            previous.text += output.text
        else:
            merged.append(output)
    return merged


def refresh(path: Path, timeout: int = 600) -> float:
    """Execute ``path`` in place; return the seconds it took."""
    nb = nbformat.read(path, as_version=4)
    solution_cells(nb)  # a solution-start without its solution-end fails before the run
    start = time.perf_counter()
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        kernel_manager_class=CurrentEnvKernelManager,
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    seconds = time.perf_counter() - start
    nbformat.write(clean(nb), path)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: book/*.ipynb")
    parser.add_argument(
        "--fold-only", action="store_true", help="only fold the solutions; outputs stay as they are"
    )
    parser.add_argument(
        "--split", action="store_true", help="with --fold-only: give each solution its own cells"
    )
    args = parser.parse_args()
    paths = args.notebooks or sorted((ROOT / "book").glob("*.ipynb"))
    if args.fold_only:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            before = nbformat.writes(nb)
            if args.split:
                split(nb)
            if nbformat.writes(fold(nb)) != before:
                nbformat.write(nb, path)
                print(f"{path}: solutions folded", flush=True)
        return
    export(ROOT)
    for path in paths:
        print(f"{path}: ran in {refresh(path.resolve()):.1f} s", flush=True)


if __name__ == "__main__":
    main()
