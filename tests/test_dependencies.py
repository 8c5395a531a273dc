"""The declared dependency ranges are the tested ones: .ci/constraints-lowest.txt, which CI installs
on the oldest supported Python, pins exactly the floors that pyproject.toml declares."""

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself needs tomli on Python 3.10
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
LOWEST = ROOT / ".ci" / "constraints-lowest.txt"


def requirements(*extras):
    """The direct requirements of the library and of these extras (not nnbook's own extras)."""
    found = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        found += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    return [r for r in found if canonicalize_name(r.name) != "nnbook"]


def floor(requirement):
    return Version(next(s.version for s in requirement.specifier if s.operator == ">="))


def pinned():
    pins = {}
    for line in LOWEST.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, version = re.fullmatch(r"([A-Za-z0-9._-]+)==([0-9][0-9a-z.]*)", line).groups()
            pins[canonicalize_name(name)] = Version(version)
    return pins


def test_every_requirement_is_a_range_with_a_floor():
    for requirement in requirements(*PROJECT["optional-dependencies"]):
        operators = sorted(s.operator for s in requirement.specifier)
        assert operators in ([">="], ["<", ">="]), (
            f"{requirement}: declare a floor (>=) and at most an upper bound (<), never a pin"
        )


def test_a_package_has_the_same_range_in_every_extra():
    ranges = {}
    for requirement in requirements(*PROJECT["optional-dependencies"]):
        name = canonicalize_name(requirement.name)
        assert ranges.setdefault(name, requirement.specifier) == requirement.specifier, (
            f"{name}: {ranges[name]} in one extra, {requirement.specifier} in another"
        )


def test_the_lowest_constraints_pin_exactly_the_declared_floors():
    declared = {canonicalize_name(r.name): floor(r) for r in requirements("test")}
    assert pinned() == declared, (
        f"{LOWEST.relative_to(ROOT)} must pin each floor of the library and its test extra: "
        f"declared {declared}"
    )


def test_ruff_targets_the_oldest_supported_python():
    oldest = re.fullmatch(r">=3\.(\d+)", PROJECT["requires-python"]).group(1)
    assert PYPROJECT["tool"]["ruff"]["target-version"] == f"py3{oldest}"


def test_the_lowest_end_runs_on_the_oldest_supported_python():
    # .ci/run reads the oldest Python from requires-python; the classifiers say the same.
    oldest = PROJECT["requires-python"].removeprefix(">=")
    versions = [c.rsplit(" :: ", 1)[1] for c in PROJECT["classifiers"]
                if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)]
    assert versions[0] == oldest, f"classifiers start at {versions[0]}, requires-python at {oldest}"


def test_the_plot_style_is_found_by_its_package_name():
    # matplotlib >= 3.7 resolves "nnbook.book" to nnbook/book.mplstyle, the package data.
    matplotlib = pytest.importorskip("matplotlib")
    from matplotlib import style

    expected = matplotlib.rc_params_from_file(
        str(ROOT / "nnbook" / "book.mplstyle"), use_default_template=False
    )
    assert expected, "nnbook/book.mplstyle sets nothing"
    with style.context("nnbook.book"):
        for key, value in expected.items():
            assert matplotlib.rcParams[key] == value, key
