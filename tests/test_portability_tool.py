"""tools/portability.py: its configurations, and how it reads pytest's reports (no replay here)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))

import portability  # noqa: E402

FAILURE = """Notebook cell execution failed
Cell 23: Cell outputs differ

Input:
#| hide-input
rng = np.random.default_rng(2)
print(f"largest difference {d:.1e}")

Traceback:
 mismatch 'stdout'

 assert reference_output == test_output failed:

  'numerical: [...uched: True\\n' == 'numerical: [...uched: True\\n'

    numerical: [ 2.3912  1.3877]
  - largest difference 1.4e-11
  ?                    ^ ^   ^
  + largest difference 5.8e-12
  ?                    ^ ^   ^
"""


def test_numpy_features_are_disabled_by_the_names_numpy_accepts_on_this_cpu():
    simd = portability.simd_targets()
    env, expect, why = portability.configurations(simd, set(), True)["no-avx2"]
    if why:
        pytest.skip(why)
    names = env["NPY_DISABLE_CPU_FEATURES"]
    code = ("try:\n    from numpy._core._multiarray_umath import __cpu_features__ as f\n"
            "except ImportError:  # NumPy 1.x\n"
            "    from numpy.core._multiarray_umath import __cpu_features__ as f\nprint(f)")
    out = subprocess.run(
        [sys.executable, "-W", "error::ImportWarning", "-c", code],
        env={**os.environ, "NPY_DISABLE_CPU_FEATURES": names},
        capture_output=True, text=True, check=True,
    ).stdout
    assert all(f"'{name}': False" in out for name in names.split())


@pytest.mark.parametrize(
    "simd, no_avx512, no_avx2",
    [
        (["X86_V3"], None, "X86_V3"),  # NumPy >= 2.4 groups, a CPU without AVX-512
        (["X86_V3", "X86_V4", "AVX512_ICL"], "X86_V4 AVX512_ICL", "X86_V3 X86_V4 AVX512_ICL"),
        (["SSE41", "FMA3", "AVX2", "AVX512F", "AVX512_SKX"], "AVX512F AVX512_SKX",
         "FMA3 AVX2 AVX512F AVX512_SKX"),  # NumPy 1.x names
        ([], None, None),  # an ARM CPU: nothing to disable
    ],
)
def test_simd_configurations_name_only_what_the_cpu_has(simd, no_avx512, no_avx2):
    configs = portability.configurations(simd, {"avx"}, True)
    for name, value in [("no-avx512", no_avx512), ("no-avx2", no_avx2)]:
        env, _, why = configs[name]
        assert (why is None) == (value is not None)
        if value:
            assert env == {"NPY_DISABLE_CPU_FEATURES": value}


def test_blas_kernels_are_skipped_where_the_cpu_cannot_run_them():
    configs = portability.configurations([], {"avx"}, True)
    assert configs["avx512"][2] == "this CPU has no avx512f" and configs["sandybridge"][2] is None
    arm = portability.configurations([], set(), False)
    assert all(arm[name][2] for name in ("sandybridge", "prescott", "avx512"))
    assert arm["one-thread"][2] is None and arm["default"][2] is None


def test_a_configuration_that_changed_nothing_is_flagged():
    nnbook = str(portability.ROOT / "nnbook" / "__init__.py")
    probe = {"architecture": "Katmai", "num_threads": 2, "simd": ["X86_V3"], "nnbook": nnbook}
    assert portability.surprises([probe], {"architecture": ("Prescott", "Katmai")}) == []
    assert portability.surprises([probe], {"architecture": ("Sandybridge",)})
    assert portability.surprises([probe], {"num_threads": 1})
    assert portability.surprises([probe], {"simd_off": ["X86_V3"]})
    assert portability.surprises([{**probe, "nnbook": "/elsewhere/nnbook/__init__.py"}], {})
    assert portability.surprises([], {})


def test_a_failure_is_summarized_as_committed_and_replayed_lines():
    first, *rest = portability.summary(FAILURE)
    assert first == "rng = np.random.default_rng(2)"
    assert rest == [
        "mismatch 'stdout'",
        "committed: largest difference 5.8e-12",
        "replayed:  largest difference 1.4e-11",
    ]


def test_long_lines_are_cut_around_their_first_difference():
    committed, replayed = "x" * 150 + " loss 0.194", "x" * 150 + " loss 0.038"
    assert portability.clip(committed, replayed, 40) == ["..." + "x" * 29 + " loss 0.194",
                                                         "..." + "x" * 29 + " loss 0.038"]
    assert portability.clip("abc", "abd", 40) == ["abc", "abd"]


def test_failures_are_read_from_the_junit_report(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite><testcase file="book/02_x.ipynb" name="Cell 3"/>'
        '<testcase file="book/02_x.ipynb" name="Cell 4"><failure message="m">#x1B[91mtext'
        '</failure></testcase></testsuite></testsuites>'
    )
    assert portability.failures(junit) == [("book/02_x.ipynb::Cell 4", "text")]
    assert portability.failures(tmp_path / "missing.xml") == []


def test_an_unknown_configuration_is_refused(capsys):
    with pytest.raises(SystemExit):
        portability.main(["--configs", "default,fast"])
    assert "unknown configuration fast" in capsys.readouterr().err
