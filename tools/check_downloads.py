"""Check the downloads of the built book (run by CI after ``jupyter-book build``).

python tools/check_downloads.py _build/html [--run 01 ...]

- ``downloads/`` holds the library's wheel, ``nnbook-notebooks.zip`` and ``nnbook-workbook.zip``,
  and the front page links to each (and to ``nnbook.pdf`` exactly when it is there);
- the workbook holds every chapter, with every exercise and without any solution;
- the chapters named by ``--run`` (default: chapter 1), taken from the notebooks zip, run top to
  bottom in an empty folder, in a new virtual environment that has only the wheel, matplotlib
  and a kernel (ipykernel, and nbclient to drive it) installed from the package index.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
import venv
import zipfile
from pathlib import Path

from check_html import report  # tools/ is on sys.path when a tool runs

RUN = """
import sys, nbformat
from nbclient import NotebookClient
for name in sys.argv[1:]:
    nb = nbformat.read(name, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3").execute()
    print(name, "ran top to bottom", flush=True)
"""


def check_files(site: Path) -> list[str]:
    downloads = site / "downloads"
    index = (site / "book" / "index.html").read_text()
    wheels = sorted(downloads.glob("nnbook-*-py3-none-any.whl"))
    problems = [] if len(wheels) == 1 else [f"expected one wheel in {downloads}, found {wheels}"]
    names = [w.name for w in wheels] + ["nnbook-notebooks.zip", "nnbook-workbook.zip"]
    for name in names:
        if not (downloads / name).is_file():
            problems.append(f"no {downloads / name}")
        elif f'href="../downloads/{name}"' not in index:
            problems.append(f"the front page does not link to {name}")
        else:
            print(f"{name}: {(downloads / name).stat().st_size / 1e3:.0f} kB, linked")
    pdf_there = (downloads / "nnbook.pdf").is_file()
    pdf_linked = 'href="../downloads/nnbook.pdf"' in index
    if pdf_linked and not pdf_there:
        problems.append("the front page links to nnbook.pdf, which is not there")
    print(
        f"nnbook.pdf: {'there' if pdf_there else 'not built'}, {'' if pdf_linked else 'not '}linked"
    )
    return problems


def check_workbook(site: Path) -> list[str]:
    problems = []
    zips = {}
    for kind in ("notebooks", "workbook"):
        with zipfile.ZipFile(site / "downloads" / f"nnbook-{kind}.zip") as archive:
            zips[kind] = {
                Path(n).name: archive.read(n).decode()
                for n in archive.namelist()
                if n.endswith(".ipynb")
            }
    if sorted(zips["notebooks"]) != sorted(zips["workbook"]) or not zips["workbook"]:
        problems.append("the two zips do not hold the same chapters")
    for name, text in sorted(zips["workbook"].items()):
        json.loads(text)
        exercises = len(re.findall(r"\{exercise\}", text))
        if "{solution" in text:
            problems.append(f"the workbook's {name} has a solution")
        if exercises != len(re.findall(r"\{exercise\}", zips["notebooks"].get(name, ""))):
            problems.append(f"the workbook's {name} lost exercises")
        print(f"workbook {name}: {exercises} exercises, no solution")
    return problems


def run_chapters(site: Path, chapters: list[str]) -> list[str]:
    wheel = next((site / "downloads").glob("nnbook-*-py3-none-any.whl"))
    with tempfile.TemporaryDirectory() as tmp:
        env_dir, folder = Path(tmp) / "venv", Path(tmp) / "reader"
        start = time.perf_counter()
        venv.create(env_dir, with_pip=True)
        python = env_dir / "bin" / "python"
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             str(wheel), "matplotlib", "ipykernel", "nbclient"],
            check=True,
        )  # fmt: skip
        print(f"new environment with the wheel, matplotlib and a kernel: "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip
        folder.mkdir()
        with zipfile.ZipFile(site / "downloads" / "nnbook-notebooks.zip") as archive:
            names = [
                n for n in archive.namelist() if any(Path(n).name.startswith(c) for c in chapters)
            ]
            for name in names:  # only the notebook: an empty folder around it
                (folder / Path(name).name).write_bytes(archive.read(name))
        if not names:
            return [f"no chapter {chapters} in the notebooks zip"]
        start = time.perf_counter()
        result = subprocess.run(
            [python, "-c", RUN, *sorted(Path(n).name for n in names)], cwd=folder,
            env={"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(folder)},
            capture_output=True, text=True,
        )  # fmt: skip
        print(result.stdout.strip(), f"({time.perf_counter() - start:.0f} s)")
        if result.returncode != 0:
            return [f"a chapter from the zip does not run on its own:\n{result.stderr[-3000:]}"]
    return []


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built book, e.g. _build/html")
    parser.add_argument("--run", nargs="*", default=["01"], help="chapters to run (prefixes)")
    args = parser.parse_args(argv)
    problems = check_files(args.site)
    if not problems:
        problems += check_workbook(args.site)
    if not problems and args.run:
        problems += run_chapters(args.site, args.run)
    return report(problems)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
