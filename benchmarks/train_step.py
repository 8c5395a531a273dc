"""Time one training step of nnbook against PyTorch on the CPU, and against the GEMM floor.

A training step is the forward pass, the loss and its gradients, and the optimizer's update:

    nnbook:   loss, grads = nnbook.loss_and_gradients(params, X, y, ...); opt.step(grads)
    PyTorch:  loss = cross_entropy(model(X), y); opt.zero_grad(); loss.backward(); opt.step()

Both run in this process, with the same number of threads, interleaved A/B/A/B after a warm-up,
with a pause before each timed block so that neither pays for the other's spinning threads, and
one untimed step after the pause so that each block times the steady state of a training loop. The
"GEMM floor" is the time of the matrix products alone that any implementation must do in a step
(three in the forward pass, five in the backward pass), computed with NumPy's BLAS into
preallocated outputs.

The table gives the median time per step of each, and each ratio as the median over rounds of
the ratio within a round (nnbook's block against the PyTorch or floor block next to it), with
its quartiles: on a shared machine the speed drifts from minute to minute, and a ratio taken
within a round cancels the drift that a ratio of two overall medians would keep.

    python benchmarks/train_step.py                 # every configuration
    python benchmarks/train_step.py --quick         # fewer repeats
    python benchmarks/train_step.py --goals         # only the four configurations with goals
    python benchmarks/train_step.py --goals --log benchmarks/results/goals.json   # add a run
    python benchmarks/train_step.py --json benchmarks/results/train_step.json

PyTorch is optional. Without it the script still times nnbook and the floor; to compare, install
PyTorch's CPU build into the same environment (``pip install torch``, choosing the CPU build).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

import nnbook

try:
    import torch
except ImportError:
    torch = None

ARCHS = {"784-256-128-10": (784, 256, 128, 10), "64-128-64-10": (64, 128, 64, 10)}
BATCHES = (32, 128, 512)
DTYPES = ("float32", "float64")
OPTIMIZERS = ("SGD", "Adam")
LR = {"SGD": 0.01, "Adam": 1e-3}
GOALS = [  # (network, batch, dtype, optimizer): the configurations the library sets goals for
    ("784-256-128-10", 128, "float32", "SGD"), ("784-256-128-10", 128, "float32", "Adam"),
    ("64-128-64-10", 32, "float32", "SGD"), ("784-256-128-10", 512, "float32", "SGD"),
]
SEED = 0


def data(sizes, batch, dtype):
    rng = np.random.default_rng(SEED)
    X = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = rng.integers(0, sizes[-1], size=batch)
    return X, y


def nnbook_step(sizes, batch, dtype, optimizer):
    params = nnbook.init_params(sizes, seed=SEED, dtype=np.dtype(dtype), init="he")
    X, y = data(sizes, batch, dtype)
    opt = getattr(nnbook, optimizer)(params, lr=LR[optimizer])

    def step():
        _, grads = nnbook.loss_and_gradients(
            params, X, y, hidden="relu", output="softmax", loss="cross_entropy"
        )
        opt.step(grads)

    return step


def torch_step(sizes, batch, dtype, optimizer):
    params = nnbook.init_params(sizes, seed=SEED, dtype=np.dtype(dtype), init="he")
    X, y = data(sizes, batch, dtype)
    layers = []
    for W, b in params:
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=getattr(torch, dtype))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    opt = getattr(torch.optim, optimizer)(model.parameters(), lr=LR[optimizer])

    def step():
        loss = torch.nn.functional.cross_entropy(model(Xt), yt)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    return step


def floor_step(sizes, batch, dtype):
    """The matrix products of one step, into preallocated outputs: the least any step costs."""
    rng = np.random.default_rng(SEED)
    Ws = [rng.standard_normal((n, k)).astype(dtype) for k, n in itertools.pairwise(sizes)]
    As = [rng.standard_normal((batch, s)).astype(dtype) for s in sizes]  # a^(1) ... a^(n_l)
    Zs = [np.empty((batch, s), dtype) for s in sizes[1:]]
    dWs = [np.empty_like(W) for W in Ws]
    deltas = [rng.standard_normal((batch, s)).astype(dtype) for s in sizes[1:]]
    dAs = [np.empty((batch, s), dtype) for s in sizes[1:-1]]

    def step():
        # forward: z^(l+1) = a^(l) W^(l)T
        for A, W, Z in zip(As[:-1], Ws, Zs, strict=True):
            np.matmul(A, W.T, out=Z)
        # backward: dJ/dW^(l) = delta^(l+1)T a^(l)
        for A, delta, dW in zip(As[:-1], deltas, dWs, strict=True):
            np.matmul(delta.T, A, out=dW)
        # and delta^(l+1) W^(l), for every layer but the first
        for delta, W, dA in zip(deltas[1:], Ws[1:], dAs, strict=True):
            np.matmul(delta, W, out=dA)

    return step


def breakdown(sizes, batch, dtype, optimizer, repeats, block, pause):
    """Where a step's time goes: the forward pass alone, forward and backward, the update."""
    params = nnbook.init_params(sizes, seed=SEED, dtype=np.dtype(dtype), init="he")
    X, y = data(sizes, batch, dtype)
    opt = getattr(nnbook, optimizer)(params, lr=LR[optimizer])
    _, grads = nnbook.loss_and_gradients(params, X, y, hidden="relu", output="softmax",
                                         loss="cross_entropy")
    parts = {
        "forward": lambda: nnbook.forward(params, X, hidden="relu", output="softmax"),
        "loss_and_gradients": lambda: nnbook.loss_and_gradients(
            params, X, y, hidden="relu", output="softmax", loss="cross_entropy"),
        "optimizer_step": lambda: opt.step(grads),
        "gemm_floor": floor_step(sizes, batch, dtype),
    }
    return {name: 1e3 * statistics.median(t)
            for name, t in measure(parts, repeats, block, pause).items()}


def per_step(step, seconds):
    """Seconds per call of ``step``, over a block of calls that lasts about ``seconds``."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return elapsed / n
        n *= 2


def measure(contenders, repeats, block, pause=0.0):
    """Interleave the contenders ``repeats`` times; return each one's seconds per step per round.

    ``pause`` seconds of rest before each timed block let the worker threads of the previous
    block go to sleep: OpenBLAS's and PyTorch's OpenMP threads spin for a while after their
    work, and spinning threads on a 2-core machine slow down whatever runs next. One untimed
    call then starts each block, so that a block times steps that follow steps, as in training,
    and not the first step after the pause, which pays for waking threads and cold caches (on a
    shared machine, 30 to 50% more for a step of a few milliseconds, of which a block holds few).
    """
    calls = {name: max(1, round(block / per_step(step, block / 4))) for name, step in
             contenders.items()}  # warm-up, and how many calls make a block
    samples = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, step in contenders.items():
            time.sleep(pause)
            step()                               # untimed: wakes its threads, refills the caches
            start = time.perf_counter()
            for _ in range(calls[name]):
                step()
            samples[name].append((time.perf_counter() - start) / calls[name])
    return samples


def ratio(a, b):
    """The ratio a/b of two contenders' samples, round by round: (median, lower, upper quartile)."""
    q1, q2, q3 = statistics.quantiles([x / y for x, y in zip(a, b, strict=True)], n=4)
    return q2, q1, q3


def machine(threads):
    from threadpoolctl import threadpool_info

    blas = [
        f"{i['internal_api']} {i.get('version', '?')} ({i.get('architecture', '?')}, "
        f"{i['num_threads']} threads)"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    info = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "nnbook": nnbook.__version__,
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "threads": threads,
        "numpy_blas": blas,
    }
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    return info


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--block", type=float, default=0.05, help="seconds per timed block")
    parser.add_argument("--pause", type=float, default=0.3,
                        help="seconds of rest before each timed block (lets idle threads sleep)")
    parser.add_argument("--quick", action="store_true", help="7 repeats")
    parser.add_argument("--goals", action="store_true",
                        help="only the four configurations the library sets goals for")
    parser.add_argument("--json", help="also write the results and the machine to this file")
    parser.add_argument("--log", help="append this run (date, machine, table) to the JSON list in "
                        "this file, to compare runs made at different times")
    args = parser.parse_args()
    repeats = 7 if args.quick else args.repeats

    from threadpoolctl import threadpool_limits

    threadpool_limits(args.threads)
    if torch is None:
        print("PyTorch is not installed: timing nnbook and the GEMM floor only. To compare,")
        print("install PyTorch's CPU build into this environment (pip install torch, CPU build).")
    else:
        torch.set_num_threads(args.threads)
    info = machine(args.threads)
    print(json.dumps(info, indent=1))

    print("| network | batch | dtype | optimizer | nnbook ms | PyTorch ms | nnbook/PyTorch "
          "| floor ms | nnbook/floor |")
    print("|---|---:|---|---|---:|---:|---:|---:|---:|")
    rows = []
    configurations = GOALS if args.goals else itertools.product(ARCHS, BATCHES, DTYPES,
                                                                 OPTIMIZERS)
    for arch, batch, dtype, optimizer in configurations:
        sizes = ARCHS[arch]
        contenders = {"nnbook": nnbook_step(sizes, batch, dtype, optimizer),
                      "floor": floor_step(sizes, batch, dtype)}
        if torch is not None:
            contenders["torch"] = torch_step(sizes, batch, dtype, optimizer)
        t = measure(contenders, repeats, args.block, args.pause)
        row = {"network": arch, "batch": batch, "dtype": dtype, "optimizer": optimizer}
        for name in ("nnbook", "torch", "floor"):
            row[f"{name}_ms"] = 1e3 * statistics.median(t[name]) if name in t else None
        for name in ("torch", "floor"):
            row[f"nnbook_over_{name}"] = ratio(t["nnbook"], t[name]) if name in t else None
        rows.append(row)
        cells = [f"{row['nnbook_ms']:.3f}", "—", "—", f"{row['floor_ms']:.3f}"]
        if row["torch_ms"] is not None:
            cells[1:3] = [f"{row['torch_ms']:.3f}", "{:.2f} ({:.2f}–{:.2f})".format(
                *row["nnbook_over_torch"])]
        cells.append("{:.2f} ({:.2f}–{:.2f})".format(*row["nnbook_over_floor"]))
        print(f"| {arch} | {batch} | {dtype} | {optimizer} | " + " | ".join(cells) + " |",
              flush=True)
    if args.log:
        runs = []
        if os.path.exists(args.log):
            with open(args.log) as f:
                runs = json.load(f)
        runs.append({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": info,
                     "repeats": repeats, "untimed_first_step": True, "rows": rows})
        with open(args.log, "w") as f:
            json.dump(runs, f, indent=1)
            f.write("\n")
        print(f"appended run {len(runs)} to {args.log}")
    parts = {}  # where the time of a step goes (not with --goals, which is for quick runs)
    for arch, batch in [] if args.goals else [("64-128-64-10", 32), ("784-256-128-10", 128),
                                               ("784-256-128-10", 512)]:
        key = f"{arch} B={batch} float32 Adam"
        parts[key] = breakdown(ARCHS[arch], batch, "float32", "Adam", repeats, args.block,
                               args.pause)
        print(f"{key}: " + ", ".join(f"{k} {v:.3f} ms" for k, v in parts[key].items()))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": info, "repeats": repeats, "rows": rows, "breakdown": parts},
                      f, indent=1)
            f.write("\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    sys.exit(main())
