"""Sphinx extension: the book's downloads, made by the HTML build and listed on the front page.

After a successful ``html`` build, ``_build/html/downloads/`` holds

- ``nnbook-<version>-py3-none-any.whl``: the library, built by ``pip wheel`` from a copy of the
  package (``pyproject.toml``, ``README.md``, ``nnbook/``), so the work tree stays clean;
- ``nnbook-notebooks.zip``: every chapter notebook (``book/NN_*.ipynb``), with its outputs;
- ``nnbook-workbook.zip``: the same notebooks without the exercise solutions
  (``tools/solutions.py``);
- ``nnbook.pdf``, copied from ``_build/nnbook.pdf``, where ``tools/build_pdf.sh`` puts the PDF
  edition once it has passed its checks; the front page links to it only then, so the link is
  never dead.

The directive ``{nnbook-downloads}`` (on ``book/index.md``) lists them, with the command that
installs the wheel and what each chapter needs beyond it. Other builders (the PDF) get one
sentence that points to the web edition instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.osutil import relative_uri

sys.path.insert(0, str(Path(__file__).resolve().parent))
from solutions import workbook  # noqa: E402

logger = logging.getLogger(__name__)

FOLDER = "downloads"
NOTEBOOKS = "nnbook-notebooks"
WORKBOOK = "nnbook-workbook"
PDF = "nnbook.pdf"
CHAPTERS = "book/[0-9][0-9]_*.ipynb"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # fixed times: the same notebooks give the same zip bytes
PIP_NAMES = {"sklearn": "scikit-learn"}
PROVIDED = {"nnbook", "numpy", "matplotlib", "IPython"}  # the wheel, matplotlib and the kernel
README = """\
{title}

{what}

Install the library and Jupyter (Python >= 3.10), then open the notebooks:

    pip install nnbook-{version}-py3-none-any.whl {extras} jupyterlab
    jupyter lab {folder}/

The wheel, this zip and the book itself are on the front page of the book's web edition.
"""


def version(root: Path) -> str:
    """The package's version, as pyproject.toml states it."""
    found = re.search(r'^version\s*=\s*"([^"]+)"', (root / "pyproject.toml").read_text(), re.M)
    if not found:
        raise ExtensionError("book_downloads: no version in pyproject.toml")
    return found[1]


def wheel_name(root: Path) -> str:
    return f"nnbook-{version(root)}-py3-none-any.whl"


def chapters(root: Path) -> list[Path]:
    return sorted(root.glob(CHAPTERS))


def needs(notebook: Path) -> list[str]:
    """The packages a chapter imports beyond the standard library, the wheel and matplotlib."""
    found = set()
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        for match in re.finditer(r"^[ \t]*(?:from|import)[ \t]+([A-Za-z_]\w*)", source, re.M):
            module = match[1]
            if module not in sys.stdlib_module_names and module not in PROVIDED:
                found.add(PIP_NAMES.get(module, module))
    return sorted(found)


def _zip(path: Path, folder: str, files: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)


def _readme(root: Path, title: str, what: str, folder: str) -> bytes:
    extras = sorted({p for nb in chapters(root) for p in needs(nb)} | {"matplotlib"})
    return README.format(
        title=title, what=what, version=version(root), extras=" ".join(extras), folder=folder
    ).encode()


def write_zips(root: Path, dest: Path) -> list[Path]:
    """``nnbook-notebooks.zip`` and ``nnbook-workbook.zip`` in ``dest``."""
    notebooks, work = {}, {}
    for path in chapters(root):
        notebooks[path.name] = path.read_bytes()
        text = json.dumps(workbook(json.loads(path.read_text())), indent=1, ensure_ascii=False)
        work[path.name] = (text + "\n").encode()
    notebooks["README.txt"] = _readme(
        root, "nnbook: the chapters as notebooks", "Every chapter, with its outputs.", NOTEBOOKS
    )
    work["README.txt"] = _readme(
        root,
        "nnbook: the workbook",
        "Every chapter without the exercise solutions: try the exercises yourself; the\n"
        "library's checkers (nnbook.check_...) tell you whether your code is right.",
        WORKBOOK,
    )
    paths = [dest / f"{NOTEBOOKS}.zip", dest / f"{WORKBOOK}.zip"]
    _zip(paths[0], NOTEBOOKS, notebooks)
    _zip(paths[1], WORKBOOK, work)
    return paths


def build_wheel(root: Path, dest: Path) -> Path:
    """Build the library's wheel with ``pip wheel`` from a copy of the package."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, source / name)
        shutil.copytree(
            root / "nnbook", source / "nnbook", ignore=shutil.ignore_patterns("__pycache__")
        )
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
        command += ["--disable-pip-version-check", "--wheel-dir", tmp, str(source)]
        env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        built = Path(tmp) / wheel_name(root)
        if result.returncode != 0 or not built.is_file():
            raise ExtensionError(
                f"book_downloads: pip wheel failed ({' '.join(command)}):\n"
                f"{result.stdout}{result.stderr}"
            )
        target = dest / built.name
        shutil.copy2(built, target)
    return target


def _pdf(app) -> Path:
    return Path(app.outdir).parent / PDF


class downloads_list(nodes.General, nodes.Element):
    """Where the list of downloads goes; filled in when the builder is known."""


class DownloadsDirective(SphinxDirective):
    """``{nnbook-downloads}``: the book's downloads and how to install and run them."""

    def run(self):
        root = Path(self.env.srcdir)
        for path in [*chapters(root), root / "pyproject.toml", _pdf(self.env.app)]:
            self.env.note_dependency(str(path))  # re-read when the PDF appears or needs change
        return [downloads_list()]


def _item(text: str, uri: str, rest: str) -> nodes.list_item:
    paragraph = nodes.paragraph()
    paragraph += nodes.strong(text=text)
    paragraph += nodes.Text(" ")
    name = uri.rsplit("/", 1)[-1]
    paragraph += nodes.reference("", "", nodes.literal(text=name), refuri=uri)
    paragraph += nodes.Text(f" — {rest}")
    return nodes.list_item("", paragraph)


def _listing(app, docname: str) -> list[nodes.Node]:
    root = Path(app.srcdir)
    here = app.builder.get_target_uri(docname)

    def uri(name):
        return relative_uri(here, f"{FOLDER}/{name}")

    items = nodes.bullet_list()
    items += _item("The notebooks:", uri(f"{NOTEBOOKS}.zip"), "every chapter, with its outputs.")
    items += _item(
        "The workbook:",
        uri(f"{WORKBOOK}.zip"),
        "the same notebooks without the solutions, to try the exercises yourself.",
    )
    items += _item(
        "The library:", uri(wheel_name(root)), "the nnbook package; pip installs NumPy with it."
    )
    if _pdf(app).is_file():
        items += _item("The PDF edition:", uri(PDF), "the whole book, to read offline or print.")
    extras = sorted({p for nb in chapters(root) for p in needs(nb)} | {"matplotlib"})
    command = (
        f"pip install {wheel_name(root)} {' '.join(extras)} jupyterlab\n"
        f"unzip {WORKBOOK}.zip && jupyter lab {WORKBOOK}/"
    )
    intro = nodes.paragraph(
        text="Install the library and Jupyter, unzip the notebooks (or the workbook) and open "
        "them; each notebook runs on its own, top to bottom:"
    )
    block = nodes.literal_block(command, command, language="bash")
    by_chapter = [
        f"chapter {int(nb.name[:2])} also needs {' and '.join(needs(nb))}"
        for nb in chapters(root)
        if needs(nb)
    ]
    note = nodes.paragraph(
        text="Every chapter needs the wheel and matplotlib"
        + ("; " + "; ".join(by_chapter) if by_chapter else "")
        + "."
    )
    return [items, intro, block, note]


def _fill(app, doctree, docname):
    for placeholder in list(doctree.findall(downloads_list)):
        if app.builder.format == "html" and app.builder.name == "html":
            placeholder.replace_self(_listing(app, docname))
        else:
            placeholder.replace_self(
                nodes.paragraph(
                    text="The web edition of this book offers every chapter as a Jupyter "
                    "notebook, a workbook without the solutions, and the library's wheel."
                )
            )


def _build(app, exception):
    if exception is not None or app.builder.name != "html":
        return
    root = Path(app.srcdir)
    dest = Path(app.outdir) / FOLDER
    dest.mkdir(exist_ok=True)
    start = time.perf_counter()
    made = [*write_zips(root, dest), build_wheel(root, dest)]
    if _pdf(app).is_file():
        shutil.copy2(_pdf(app), dest / PDF)
        made.append(dest / PDF)
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e3:.0f} kB" for p in made)
    logger.info(f"downloads ({time.perf_counter() - start:.1f} s): {sizes}")


def setup(app):
    app.add_node(downloads_list)
    app.add_directive("nnbook-downloads", DownloadsDirective)
    app.connect("doctree-resolved", _fill)
    app.connect("build-finished", _build)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
