"""Set-up for the whole test suite: the tests in tests/ and the notebooks in book/."""

import os

# pytest-xdist runs one worker per core (addopts: -n auto). OpenBLAS would start one thread per
# core in every worker and in every notebook kernel on top of that, and threads that spin while
# they wait for a core make each matrix product many times slower. One BLAS thread per worker,
# inherited by the kernels it starts; the printed results do not depend on it
# (tools/portability.py replays the notebooks with one thread and with one per core).
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
