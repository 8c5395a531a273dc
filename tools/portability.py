"""Replay the notebooks under other BLAS kernels, thread counts and NumPy SIMD paths.

What the book prints must be what every reader gets. This replays notebooks with nbval in strict
mode (``python -m pytest NOTEBOOKS`` from the repository root, so pyproject's addopts apply) once
per configuration, each in a subprocess whose environment picks another code path:

    default      one BLAS thread a core (the test suite itself runs one a worker)
    sandybridge  OPENBLAS_CORETYPE=Sandybridge     OpenBLAS's AVX kernel (no FMA)
    prescott     OPENBLAS_CORETYPE=Prescott        its SSE3 kernel
    avx512       OPENBLAS_CORETYPE=SkylakeX        only on a CPU with avx512f
    one-thread   OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
    no-avx512    NPY_DISABLE_CPU_FEATURES=<NumPy's AVX-512 dispatch targets this CPU has>
    no-avx2      NPY_DISABLE_CPU_FEATURES=<its AVX2 and AVX-512 targets>: an older CPU

Every kernel reports, from a startup file in a temporary IPYTHONDIR, its OpenBLAS kernel and
threads, NumPy's SIMD targets and where ``nnbook`` comes from; a configuration that changed
nothing is flagged. Then come the cells that differ (numbered as nbval does: code cells from 0),
committed vs replayed, and a table of failing cells per configuration; exit status 1 if any cell
differs. Run it by hand before committing new outputs; the tests do not run it.

Usage::

    python tools/portability.py                          # every book/*.ipynb, every configuration
    python tools/portability.py book/02_*.ipynb --configs sandybridge,one-thread --jobs 2
    python tools/portability.py book/06_*.ipynb -k "Cell 13 or Cell 16"
    python tools/portability.py --list                   # the configurations on this machine
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from itertools import zip_longest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")  # colours; the JUnit report escapes ESC
PROBE = """\
import importlib.util, json, os
try:
    try:
        from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    except ImportError:
        from numpy.core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    from threadpoolctl import threadpool_info
    blas = [i for i in threadpool_info() if i["user_api"] == "blas"][0]
    info = {"architecture": blas.get("architecture"), "num_threads": blas["num_threads"],
            "simd": [f for f in __cpu_dispatch__ if __cpu_features__.get(f)],
            "nnbook": importlib.util.find_spec("nnbook").origin}
except Exception as e:
    info = {"error": repr(e)}
with open(os.environ["PORTABILITY_PROBE"], "a") as f:
    f.write(json.dumps(info) + "\\n")
"""


def simd_targets() -> list[str]:
    """NumPy's dispatch targets that this CPU has (baseline ones cannot be disabled)."""
    try:
        from numpy._core import _multiarray_umath as m
    except ImportError:  # NumPy 1.x
        from numpy.core import _multiarray_umath as m
    on = m.__cpu_features__
    return [f for f in m.__cpu_dispatch__ if on.get(f) and f not in m.__cpu_baseline__]


def configurations(simd: list[str], cpu_flags: set[str], x86: bool) -> dict:
    """Name -> (environment changes, what the kernel must report, reason to skip or None)."""
    avx512 = [f for f in simd if f.startswith("AVX512") or f == "X86_V4"]
    avx2 = [f for f in simd if f in ("AVX2", "FMA3", "X86_V3")] + avx512

    def core(name, *aliases, needs=None):
        why = None if x86 else "not an x86-64 CPU"
        if x86 and needs and needs not in cpu_flags:
            why = f"this CPU has no {needs}"
        return {"OPENBLAS_CORETYPE": name}, {"architecture": (name, *aliases)}, why

    def numpy_off(names, what):
        why = None if names else f"NumPy dispatches to no {what} target on this CPU"
        return {"NPY_DISABLE_CPU_FEATURES": " ".join(names)}, {"simd_off": names}, why

    one_thread = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    return {
        # the suite's conftest.py asks for one BLAS thread unless told otherwise: here, one a core
        "default": ({"OPENBLAS_NUM_THREADS": str(os.cpu_count()),
                     "OMP_NUM_THREADS": str(os.cpu_count())}, {}, None),
        "sandybridge": core("Sandybridge", needs="avx"),
        "prescott": core("Prescott", "Katmai"),  # OpenBLAS names its Prescott kernel Katmai
        "avx512": core("SkylakeX", needs="avx512f"),  # OpenBLAS would take it on any CPU
        "one-thread": (one_thread, {"num_threads": 1}, None),
        "no-avx512": numpy_off(avx512, "AVX-512"),
        "no-avx2": numpy_off(avx2, "AVX2"),
    }


def surprises(probes: list[dict], expect: dict) -> list[str]:
    """What the kernels reported that the configuration should have changed."""
    bad = [p["error"] for p in probes if "error" in p]
    for p in (p for p in probes if "error" not in p):
        if p["architecture"] not in expect.get("architecture", [p["architecture"]]):
            bad.append(f"OpenBLAS kernel {p['architecture']}, not {expect['architecture'][0]}")
        if "num_threads" in expect and p["num_threads"] != expect["num_threads"]:
            bad.append(f"{p['num_threads']} BLAS threads, not {expect['num_threads']}")
        if set(expect.get("simd_off", ())) & set(p["simd"]):
            bad.append(f"NumPy SIMD targets still on: {' '.join(p['simd'])}")
        if not p["nnbook"] or not Path(p["nnbook"]).is_relative_to(ROOT):
            bad.append(f"nnbook imported from {p['nnbook']}, not from {ROOT}")
    return sorted(set(bad)) or ([] if probes else ["no kernel reported (did any cell run?)"])


def failures(junit: Path) -> list[tuple[str, str]]:
    """(test id, failure text) of every failed or erroring test of a JUnit XML report."""
    if not junit.exists():
        return []
    return [
        (f"{case.get('file')}::{case.get('name')}", ANSI.sub("", bad.text or bad.get("message")))
        for case in ET.parse(junit).iter("testcase")
        for bad in [*case.iter("failure"), *case.iter("error")]
    ]


def clip(a: str, b: str, width: int) -> list[str]:
    """Both lines cut to the same `width` columns around where they first differ."""
    start = max(0, min(len(os.path.commonprefix([a, b])) - width // 2, max(len(a), len(b)) - width))
    end = start + width
    return [("..." if start else "") + s[start:end] + ("..." if s[end:] else "") for s in (a, b)]


def summary(text: str, n: int = 3, width: int = 100) -> list[str]:
    """The cell's first source line, what kind of output differs, the first differing lines."""
    source, _, tail = text.partition("Traceback:")
    code = source.partition("Input:\n")[2].splitlines()
    first = next((s for s in code if s.strip() and not s.startswith("#|")), "")
    tail = tail.splitlines()
    kept = [s.strip()[:width] for s in tail if s.strip()]
    # pytest's ndiff of `reference == test`: '+' lines are the left side (committed outputs)
    committed = [s[4:] for s in tail if s.startswith("  + ")][:n]
    replayed = [s[4:] for s in tail if s.startswith("  - ")][:n]
    if not committed and not replayed:  # e.g. an exception: nbval's reason, the last line
        reason = re.search(r"^Cell \d+: (.*)$", source, re.M)
        return [first[:width], reason[1] if reason else text[:width], *kept[-1:]]
    pairs = [clip(c, r, width) for c, r in zip_longest(committed, replayed, fillvalue="")]
    return [first[:width], kept[0], *(f"committed: {c}" for c, _ in pairs if c),
            *(f"replayed:  {r}" for _, r in pairs if r)]


def run(env_changes: dict, expect: dict, notebooks: list[str], extra: list[str], out: Path):
    """Replay the notebooks under one configuration: what differed, what the kernels said."""
    startup = out / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-portability-probe.py").write_text(PROBE)
    probe, log = out / "probe.jsonl", out / "pytest.log"
    env = {**os.environ, **env_changes, "IPYTHONDIR": str(out / "ipython"),
           "PORTABILITY_PROBE": str(probe)}
    flags = "-q --color=no -o verbosity_assertions=2 -o junit_family=xunit1".split()
    cmd = [sys.executable, "-m", "pytest", *notebooks, *flags, f"--junitxml={out / 'junit.xml'}"]
    start = time.perf_counter()
    with open(log, "w") as f:
        rc = subprocess.run([*cmd, *extra], cwd=ROOT, env=env, stdout=f, stderr=f).returncode
    probes = [json.loads(s) for s in probe.read_text().splitlines()] if probe.exists() else []
    bad = surprises(probes, expect) + ([f"pytest exited with {rc}, see {log}"] if rc > 1 else [])
    seen = sorted({f"{p.get('architecture')} x{p.get('num_threads')}" for p in probes})
    return {"seconds": time.perf_counter() - start, "failed": failures(out / "junit.xml"),
            "probes": probes, "surprises": bad, "kernels": ", ".join(seen)}


def setting(env_changes: dict) -> str:
    """The environment changes as shell assignments."""
    return " ".join(f"{k}={v}" for k, v in env_changes.items()) or "environment as is"


def report(name: str, env_changes: dict, r: dict) -> str:
    """One configuration's section of the report."""
    head = f"== {name}: {setting(env_changes)}  ({len(r['failed'])} failing, {r['seconds']:.0f} s)"
    lines = [head]
    for p in {json.dumps(p, sort_keys=True): p for p in r["probes"] if "error" not in p}.values():
        simd = " ".join(p["simd"]) or "baseline only"
        lines.append(f"   kernel: OpenBLAS {p['architecture']}, {p['num_threads']} threads; "
                     f"NumPy SIMD {simd}; nnbook from {p['nnbook']}")
    lines += [f"   WARNING: {s}" for s in r["surprises"]]
    for test, text in r["failed"]:
        first, *rest = summary(text)
        lines += [f"   {test}  | {first}", *(f"       {s}" for s in rest)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    cpuinfo = Path("/proc/cpuinfo")
    flags = set(cpuinfo.read_text().split()) if cpuinfo.exists() else set()
    x86 = platform.machine().lower() in ("x86_64", "amd64")
    configs = configurations(simd_targets(), flags, x86)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="default: every book/*.ipynb")
    parser.add_argument("--configs", default=",".join(configs), help="comma-separated names")
    parser.add_argument("--jobs", type=int, default=1, help="configurations run at once")
    parser.add_argument("-k", help='pytest\'s -k selection, e.g. "Cell 13"')
    parser.add_argument("--pytest-args", default="", help="more pytest arguments, one string")
    parser.add_argument("--list", action="store_true", help="show the configurations and stop")
    args = parser.parse_args(argv)
    names = [s.strip() for s in args.configs.split(",") if s.strip()]
    if unknown := [s for s in names if s not in configs]:
        parser.error(f"unknown configuration {', '.join(unknown)}; known: {', '.join(configs)}")
    if args.list:
        for name, (env, _, why) in configs.items():
            print(f"{name:12} {'skipped: ' + why if why else setting(env)}")
        return 0
    notebooks = [str(Path(p).resolve()) for p in args.notebooks]
    notebooks = notebooks or [str(p) for p in sorted((ROOT / "book").glob("*.ipynb"))]
    extra = (["-k", args.k] if args.k else []) + shlex.split(args.pytest_args)
    todo = [s for s in names if configs[s][2] is None]
    workdir = Path(tempfile.mkdtemp(prefix="portability-"))
    print(f"{len(notebooks)} notebooks; configurations {', '.join(todo)}; logs in {workdir}")
    results = {}
    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        jobs = {pool.submit(run, *configs[s][:2], notebooks, extra, workdir / s): s for s in todo}
        for job in as_completed(jobs):
            results[jobs[job]] = job.result()
            print(report(jobs[job], configs[jobs[job]][0], results[jobs[job]]), flush=True)
    print(f"\n{'configuration':14}{'failing cells':>14}  OpenBLAS kernel x threads")
    for name in names:
        r = results.get(name)
        if r is None:
            print(f"{name:14}{'-':>14}  skipped: {configs[name][2]}")
        else:
            warn = "  WARNING: see above" if r["surprises"] else ""
            print(f"{name:14}{len(r['failed']):>14}  {r['kernels']}{warn}")
    return int(any(r["failed"] or r["surprises"] for r in results.values()))


if __name__ == "__main__":
    sys.exit(main())
