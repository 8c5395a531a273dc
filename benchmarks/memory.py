"""Peak memory of a digits training run: chapter 7's network trained with mini-batches and Adam.

    python benchmarks/memory.py [--json benchmarks/results/memory.json]

Reports the peak of the memory NumPy and Python allocate during training (tracemalloc counts
NumPy's array buffers) against the size of the data and the parameters, and the process's
maximum resident set size (which includes the interpreter, NumPy and scikit-learn themselves).
"""

import argparse
import json
import resource
import time
import tracemalloc

import numpy as np

import nnbook


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    data = nnbook.load_digits(seed=0, dtype=np.float32, standardize=True)
    params = nnbook.init_params([64, 256, 10], seed=0, dtype=np.float32, init="he")
    optimizer = nnbook.Adam(params, lr=2e-3)
    data_bytes = sum(a.nbytes for a in (data.X_train, data.X_val, data.X_test))
    param_bytes = sum(W.nbytes + b.nbytes for W, b in params)

    tracemalloc.start()
    start = time.perf_counter()
    history = nnbook.train(params, data.X_train, data.y_train, optimizer, epochs=30,
                           batch_size=64, validation=(data.X_val, data.y_val), seed=0,
                           verbose=False)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    accuracy = nnbook.accuracy(nnbook.predict(params, data.X_test), data.y_test)
    print(f"network 64-256-10 float32, Adam, batch 64, 30 epochs: {seconds:.2f} s, "
          f"validation accuracy {history['val_accuracy'][-1]:.4f}, test accuracy {accuracy:.4f}")
    print(f"data {data_bytes / 2**10:.0f} KiB, parameters {param_bytes / 2**10:.0f} KiB")
    print(f"peak traced allocation during training: {peak / 2**10:.0f} KiB")
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 2**10  # Linux: KiB
    print(f"max resident set size of the process: {maxrss / 2**20:.0f} MiB")
    if args.json:
        result = {"network": "64-256-10", "dtype": "float32", "optimizer": "Adam", "batch": 64,
                  "epochs": 30, "seconds": seconds, "test_accuracy": accuracy,
                  "data_bytes": data_bytes, "param_bytes": param_bytes,
                  "peak_traced_bytes": peak, "max_rss_bytes": maxrss}
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
