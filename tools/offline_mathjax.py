"""Sphinx extension: serve MathJax 3 from the built book itself, so math renders offline.

MathJax comes from the ``django-static-mathjax`` package (a dependency of the ``book`` extra).
Its ``es5`` bundle is copied into ``_build/html/_static/mathjax/`` and ``mathjax_path`` points
there; no page of the book refers to a CDN.
"""

import shutil
from importlib.resources import files

PATH = "mathjax/tex-chtml.js"


def _bundle():
    try:
        bundle = files("mathjax").joinpath("static", "mathjax", "es5")
    except ModuleNotFoundError as exc:
        raise RuntimeError(
            "MathJax is missing: install the book's dependencies with  pip install -e '.[book]'"
        ) from exc
    if not bundle.joinpath("tex-chtml.js").is_file():
        raise RuntimeError(f"no tex-chtml.js in {bundle}: is django-static-mathjax intact?")
    return bundle


def _use_local_copy(app, config):
    _bundle()  # fail early, before the build, if MathJax is not installed
    config.mathjax_path = PATH


def _copy_bundle(app, exception):
    if exception is None and app.builder.format == "html":
        target = app.outdir / "_static" / "mathjax"
        shutil.copytree(str(_bundle()), target, dirs_exist_ok=True)


def setup(app):
    app.connect("config-inited", _use_local_copy, priority=900)
    app.connect("build-finished", _copy_bundle)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
