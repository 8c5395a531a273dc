"""Tests for nnbook.data (chapter 7): splitting, standardizing, MNIST files, confusion matrices."""

import gzip
import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnbook
from nnbook.data import (
    DataSplit,
    augment_with_shifts,
    check_confusion_matrix,
    confusion_matrix,
    load_digits,
    load_mnist,
    read_idx,
    shift_images,
    standardization_stats,
    standardize,
    stratified_split,
)

# --------------------------------------------------------------------------- load_digits

@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("sklearn")
    return load_digits(seed=0)


def test_load_digits_shapes_dtypes_and_sizes(digits):
    assert isinstance(digits, DataSplit)
    X_train, y_train, X_val, y_val, X_test, y_test = digits
    assert (len(y_train), len(y_val), len(y_test)) == (1168, 270, 359)
    assert len(y_train) + len(y_val) + len(y_test) == 1797
    for X, y in ((X_train, y_train), (X_val, y_val), (X_test, y_test)):
        assert X.shape == (len(y), 64) and X.dtype == np.float64
        assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert X_train.min() == 0 and X_train.max() == 16      # raw gray levels by default
    assert "train: X (1168, 64)" in repr(digits)


def test_load_digits_float32_and_standardized():
    pytest.importorskip("sklearn")
    data = load_digits(seed=0, dtype=np.float32, standardize=True)
    assert all(X.dtype == np.float32 for X in (data.X_train, data.X_val, data.X_test))
    assert not any(np.isnan(X).any() for X in (data.X_train, data.X_val, data.X_test))
    np.testing.assert_allclose(data.X_train.mean(axis=0), 0, atol=1e-5)


def test_load_digits_rejects_an_integer_dtype():
    with pytest.raises(TypeError, match="float32 or float64"):
        load_digits(dtype=np.int32)


def test_no_image_is_in_two_splits(digits):
    idx = np.concatenate([digits.idx_train, digits.idx_val, digits.idx_test])
    assert np.array_equal(np.sort(idx), np.arange(1797))
    # The rows really are those images (the indices are not just bookkeeping).
    from sklearn.datasets import load_digits as sklearn_load_digits

    everything = sklearn_load_digits()
    np.testing.assert_array_equal(digits.X_test, everything.data[digits.idx_test])
    np.testing.assert_array_equal(digits.y_val, everything.target[digits.idx_val])


def test_every_split_is_stratified_within_one(digits):
    n_c = np.bincount(np.concatenate([digits.y_train, digits.y_val, digits.y_test]))
    for y, f in ((digits.y_val, 0.15), (digits.y_test, 0.2)):
        assert np.all(np.abs(np.bincount(y, minlength=10) - f * n_c) < 1)
    # What is left for training is within 2 (one from each cut).
    assert np.all(np.abs(np.bincount(digits.y_train, minlength=10) - 0.65 * n_c) < 2)


def test_the_split_is_seeded(digits):
    again = load_digits(seed=0)
    for a, b in zip(digits, again, strict=True):
        np.testing.assert_array_equal(a, b)
    other = load_digits(seed=1)
    assert not np.array_equal(digits.idx_test, other.idx_test)
    assert not np.array_equal(np.sort(digits.idx_test), np.sort(other.idx_test))


def test_import_nnbook_does_not_import_sklearn():
    code = "import nnbook, sys; assert 'sklearn' not in sys.modules, 'sklearn was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_load_digits_without_sklearn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="scikit-learn") as info:
        load_digits()
    assert "nnbook[test]" in str(info.value)


# --------------------------------------------------------------------------- stratified_split

@given(st.lists(st.integers(0, 4), min_size=1, max_size=200),
       st.floats(0, 0.45), st.floats(0, 0.45), st.integers(0, 2**32 - 1))
def test_stratified_split_properties(labels, val_fraction, test_fraction, seed):
    y = np.array(labels)
    try:
        tr, va, te = stratified_split(y, val_fraction=val_fraction,
                                      test_fraction=test_fraction, seed=seed)
    except ValueError as error:       # tiny sets: the two cuts can take every example
        assert "no example is left for training" in str(error)
        assert round(test_fraction * len(y)) + round(val_fraction * len(y)) >= len(y)
        return
    assert np.array_equal(np.sort(np.concatenate([tr, va, te])), np.arange(len(y)))
    assert len(te) == round(test_fraction * len(y))
    n_c = np.bincount(y, minlength=5)
    assert np.all(np.abs(np.bincount(y[te], minlength=5) - test_fraction * n_c) < 1)
    assert np.all(np.bincount(y[va], minlength=5) <= np.floor(val_fraction * n_c) + 1)


def test_stratified_split_exact_on_a_small_example():
    y = np.array([0] * 10 + [1] * 5)
    tr, va, te = stratified_split(y, val_fraction=0.2, test_fraction=0.2, seed=3)
    assert (len(tr), len(va), len(te)) == (9, 3, 3)
    # 0.2 * 10 = 2 and 0.2 * 5 = 1: no remainders, so exactly these counts.
    assert np.bincount(y[te]).tolist() == [2, 1] and np.bincount(y[va]).tolist() == [2, 1]


@pytest.mark.parametrize("kwargs, message", [
    ({"val_fraction": 0.5, "test_fraction": 0.5}, "less than 1"),
    ({"val_fraction": -0.1}, r"val_fraction must be in \[0, 1\), got -0.1"),
    ({"test_fraction": 1.0}, "test_fraction"),
])
def test_stratified_split_rejects_bad_fractions(kwargs, message):
    with pytest.raises(ValueError, match=message):
        stratified_split(np.arange(10) % 2, **kwargs)


def test_stratified_split_rejects_2d_labels():
    with pytest.raises(ValueError, match="1-D"):
        stratified_split(np.zeros((4, 2)))


# --------------------------------------------------------------------------- standardize

def test_standardize_uses_training_statistics_and_keeps_constant_columns_finite():
    rng = np.random.default_rng(0)
    X_train = rng.normal(5, 3, (50, 4))
    X_train[:, 2] = 7.0                                    # a constant column
    X_val = rng.normal(5, 3, (20, 4))
    before = X_train.copy()
    Xs_train, Xs_val = standardize(X_train, X_val)
    np.testing.assert_array_equal(X_train, before)         # inputs untouched
    np.testing.assert_allclose(Xs_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Xs_train.std(axis=0)[[0, 1, 3]], 1)
    assert np.all(Xs_train[:, 2] == 0) and not np.isnan(Xs_val).any()
    varying = [0, 1, 3]
    mean, std = X_train[:, varying].mean(axis=0), X_train[:, varying].std(axis=0)
    np.testing.assert_allclose(Xs_val[:, varying], (X_val[:, varying] - mean) / std)
    np.testing.assert_allclose(Xs_val[:, 2], X_val[:, 2] - 7.0)


def test_standardize_one_array_returns_one_array_and_keeps_float32():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    out = standardize(X)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    mean, std = standardization_stats(np.ones((3, 2), dtype=np.int64))
    assert mean.dtype == np.float64 and np.all(std == 1)


def test_standardize_rejects_mismatched_columns_and_nan():
    with pytest.raises(ValueError, match="others\\[0\\] has 3 columns, but X_train has 2"):
        standardize(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="NaN"):
        standardize(np.array([[1.0, np.nan]]))
    with pytest.raises(ValueError, match="2-D"):
        standardize(np.ones(5))


@given(st.integers(2, 30), st.integers(1, 6), st.integers(0, 1000))
def test_standardize_property(m, n, seed):
    rng = np.random.default_rng(seed)
    X = rng.integers(0, 3, (m, n)).astype(float) * rng.normal(size=n)
    Xs = standardize(X)
    assert np.isfinite(Xs).all()
    varying = X.max(axis=0) > X.min(axis=0)
    np.testing.assert_allclose(Xs.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(Xs.std(axis=0)[varying], 1, rtol=1e-9)
    assert np.all(Xs[:, ~varying] == 0)


# --------------------------------------------------------------------------- one_hot

def test_one_hot_rejects_labels_outside_the_classes():
    np.testing.assert_array_equal(nnbook.one_hot(np.array([2, 0]), 3), [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(ValueError, match="10"):
        nnbook.one_hot(np.array([3, 10]), 10)
    with pytest.raises(ValueError, match="-1"):
        nnbook.one_hot(np.array([-1, 2]), 10)


# --------------------------------------------------------------------------- confusion_matrix

def test_confusion_matrix_on_a_hand_example():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 2]
    C = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(C, [[1, 1, 0], [0, 2, 1], [0, 0, 1]])
    assert C.dtype == np.int64
    np.testing.assert_array_equal(confusion_matrix([1], [1], k=3),
                                  [[0, 0, 0], [0, 1, 0], [0, 0, 0]])
    assert confusion_matrix([], [], k=2).tolist() == [[0, 0], [0, 0]]


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), min_size=1, max_size=100))
def test_confusion_matrix_rows_count_the_classes(pairs):
    y_true, y_pred = map(np.array, zip(*pairs, strict=True))
    C = confusion_matrix(y_true, y_pred, k=6)
    np.testing.assert_array_equal(C.sum(axis=1), np.bincount(y_true, minlength=6))
    np.testing.assert_array_equal(C.sum(axis=0), np.bincount(y_pred, minlength=6))
    assert np.trace(C) == np.sum(y_true == y_pred)


@pytest.mark.parametrize("y_true, y_pred, k, error, message", [
    ([0, 1], [0], None, ValueError, "2 labels but y_pred has 1"),
    ([0, 1], [0, 3], 3, ValueError, r"y_pred\[1\] is 3, outside the k = 3 classes"),
    ([0, -1], [0, 1], None, ValueError, "start at 0"),
    ([0.5, 1.0], [0, 1], None, TypeError, "integer"),
    ([0, 1], np.eye(2), None, ValueError, "argmax"),
    ([0, 1], [0, 1], 0, ValueError, "k must be an integer >= 1"),
])
def test_confusion_matrix_rejects_bad_labels(y_true, y_pred, k, error, message):
    with pytest.raises(error, match=message):
        confusion_matrix(y_true, y_pred, k)


def test_check_confusion_matrix_passes_a_correct_one_and_fails_wrong_ones(capsys):
    def loops(y_true, y_pred, k):
        C = np.zeros((k, k), dtype=int)
        for t, p in zip(y_true, y_pred, strict=True):
            C[t, p] += 1
        return C

    assert check_confusion_matrix(loops) is True
    assert "✓" in capsys.readouterr().out

    def transposed(y_true, y_pred, k):
        return loops(y_true, y_pred, k).T

    assert check_confusion_matrix(transposed) is False
    out = capsys.readouterr().out
    assert "✗" in out and "transpose" in out

    def crashes(y_true, y_pred, k):
        raise RuntimeError("oops")

    assert check_confusion_matrix(crashes) is False
    assert "RuntimeError" in capsys.readouterr().out


# --------------------------------------------------------------------------- augmentation

def test_shift_images_moves_pixels_and_fills_with_zero():
    X = np.arange(1, 10, dtype=float).reshape(1, 9)        # one 3x3 image 1..9
    right = shift_images(X, 0, 1, image_shape=(3, 3)).reshape(3, 3)
    np.testing.assert_array_equal(right, [[0, 1, 2], [0, 4, 5], [0, 7, 8]])
    up = shift_images(X, -1, 0, image_shape=(3, 3)).reshape(3, 3)
    np.testing.assert_array_equal(up, [[4, 5, 6], [7, 8, 9], [0, 0, 0]])
    np.testing.assert_array_equal(shift_images(X, 0, 0, image_shape=(3, 3)), X)
    with pytest.raises(ValueError, match=r"\(m, 9\)"):
        shift_images(np.ones((2, 8)), 1, 0, image_shape=(3, 3))


@pytest.mark.parametrize(("dy", "dx", "image_shape", "error", "message"), [
    (3, 0, (3, 3), ValueError, r"dy = 3 moves every pixel out of the 3x3 image; use \|dy\| < 3"),
    (0, -4, (3, 3), ValueError, r"dx = -4 moves every pixel out"),
    (0.5, 0, (3, 3), TypeError, r"dy must be a whole number of pixels; got a float \(0.5\)"),
    (0, True, (3, 3), TypeError, r"dx must be a whole number of pixels; got a bool"),
    (0, 0, 9, ValueError, r"image_shape must be \(height, width\)"),
    (0, 0, (3, 0), ValueError, r"image_shape's height and width must be an integer >= 1"),
])
def test_shift_images_rejects_shifts_that_cannot_be(dy, dx, image_shape, error, message):
    X = np.ones((2, 9))
    with pytest.raises(error, match=message):
        shift_images(X, dy, dx, image_shape=image_shape)


def test_shift_images_largest_legal_shift_keeps_one_row():
    X = np.arange(1, 10, dtype=float).reshape(1, 9)
    np.testing.assert_array_equal(shift_images(X, 2, 0, image_shape=(3, 3)).reshape(3, 3),
                                  [[0, 0, 0], [0, 0, 0], [1, 2, 3]])


def test_augment_with_shifts_repeats_labels():
    X = np.arange(18, dtype=float).reshape(2, 9)
    X_aug, y_aug = augment_with_shifts(X, np.array([4, 7]), image_shape=(3, 3))
    assert X_aug.shape == (10, 9) and y_aug.tolist() == [4, 7] * 5
    np.testing.assert_array_equal(X_aug[:2], X)
    with pytest.raises(ValueError, match="one label per row"):
        augment_with_shifts(X, np.array([1, 2, 3]), image_shape=(3, 3))


# --------------------------------------------------------------------------- MNIST files

def idx_bytes(array, magic_type=0x08):
    """An IDX file's bytes: magic (0, 0, type, ndim), big-endian sizes, the data."""
    header = bytes([0, 0, magic_type, array.ndim])
    header += b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_mnist(directory, *, gz, n_train=3, n_test=2, seed=0):
    rng = np.random.default_rng(seed)
    arrays = {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28)),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28)),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test),
    }
    for name, array in arrays.items():
        data = idx_bytes(array)
        if gz:
            (directory / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (directory / name).write_bytes(data)
    return arrays


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
def test_load_mnist_reads_what_was_written(tmp_path, gz):
    written = write_mnist(tmp_path, gz=gz)
    X_train, y_train, X_test, y_test = load_mnist(tmp_path)
    assert X_train.shape == (3, 28, 28) and X_train.dtype == np.uint8
    assert y_train.shape == (3,) and y_train.dtype == np.int64
    np.testing.assert_array_equal(X_train, written["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(y_test, written["t10k-labels-idx1-ubyte"])
    X_train[0, 0, 0] = 1                                    # writable
    flat = load_mnist(str(tmp_path), flatten=True)[2]
    assert flat.shape == (2, 784)
    np.testing.assert_array_equal(flat, written["t10k-images-idx3-ubyte"].reshape(2, 784))


def test_read_idx_of_other_types(tmp_path):
    array = np.arange(6, dtype=">i4").reshape(2, 3)
    path = tmp_path / "ints.idx"
    path.write_bytes(bytes([0, 0, 0x0C, 2]) + (2).to_bytes(4, "big") + (3).to_bytes(4, "big")
                     + array.tobytes())
    magic, data = read_idx(path)
    assert magic == 0x0C02 and data.dtype == np.int32
    np.testing.assert_array_equal(data, [[0, 1, 2], [3, 4, 5]])


def test_load_mnist_names_a_missing_file_and_where_to_get_it(tmp_path):
    write_mnist(tmp_path, gz=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte") as info:
        load_mnist(tmp_path)
    assert "LeCun" in str(info.value) and "train-images-idx3-ubyte" in str(info.value)
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_mnist(tmp_path / "nowhere")


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzipped"])
def test_load_mnist_names_a_truncated_file(tmp_path, gz):
    write_mnist(tmp_path, gz=False)
    path = tmp_path / "train-images-idx3-ubyte"
    data = path.read_bytes()[:-100]
    if gz:
        path.unlink()
        (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(gzip.compress(data))
    else:
        path.write_bytes(data)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.* is truncated") as info:
        load_mnist(tmp_path)
    assert "2,352 bytes of data, but 2,252" in str(info.value)      # 3 * 28 * 28 = 2,352


def test_a_cut_gzip_stream_is_reported_as_truncated(tmp_path):
    write_mnist(tmp_path, gz=True)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz is truncated"):
        load_mnist(tmp_path)


def test_load_mnist_checks_magic_numbers_and_sizes(tmp_path):
    write_mnist(tmp_path, gz=False)
    images = tmp_path / "train-images-idx3-ubyte"
    labels = tmp_path / "train-labels-idx1-ubyte"
    good_images, good_labels = images.read_bytes(), labels.read_bytes()
    images.write_bytes(good_labels)                        # labels where images should be
    with pytest.raises(ValueError, match="magic number 2049.*2051"):
        load_mnist(tmp_path)
    images.write_bytes(b"\x1f\x8b" + good_images[2:])      # not IDX at all
    with pytest.raises(ValueError, match="not an IDX file"):
        load_mnist(tmp_path)
    images.write_bytes(idx_bytes(np.zeros((3, 8, 8))))     # the wrong image size
    with pytest.raises(ValueError, match="8 x 8 pixels; MNIST's are 28 x 28"):
        load_mnist(tmp_path)
    images.write_bytes(good_images + b"\0")                # one byte too many
    with pytest.raises(ValueError, match="longer than its header says"):
        load_mnist(tmp_path)
    images.write_bytes(good_images)
    labels.write_bytes(idx_bytes(np.array([1, 2])))        # 3 images, 2 labels
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        load_mnist(tmp_path)
    labels.write_bytes(idx_bytes(np.array([1, 2, 12])))
    with pytest.raises(ValueError, match="label 12"):
        load_mnist(tmp_path)


def test_read_idx_header_whose_sizes_overflow_int64_is_not_accepted(tmp_path):
    # Four sizes of 2^16 multiply to 2^64 items: an int64 product wraps to 0, as the empty body.
    header = bytes([0, 0, 0x08, 4]) + (2**16).to_bytes(4, "big") * 4
    path = tmp_path / "huge-idx4-ubyte"
    path.write_bytes(header)
    with pytest.raises(ValueError, match=r"truncated: its header promises 65536 x 65536 x 65536 "
                                         r"x 65536 items = 18,446,744,073,709,551,616 bytes"):
        read_idx(path)


def test_a_plain_file_named_gz_is_reported(tmp_path):
    write_mnist(tmp_path, gz=False)
    (tmp_path / "train-images-idx3-ubyte").rename(tmp_path / "train-images-idx3-ubyte.gz")
    with pytest.raises(ValueError, match="cannot be read as a gzip file"):
        load_mnist(tmp_path)


# --------------------------------------------------------------------------- early stopping

def two_blobs(seed, m=120):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, m)
    X = rng.normal(size=(m, 2)) + 1.5 * y[:, None]
    return X, y


def test_train_early_stopping_keeps_the_best_epoch():
    X, y = two_blobs(0)
    X_val, y_val = two_blobs(1, 60)
    params = nnbook.init_params([2, 16, 2], seed=0, init="he")
    history = nnbook.train_early_stopping(params, X, y, nnbook.Adam(params, lr=0.05),
                                          validation=(X_val, y_val), max_epochs=60, patience=3,
                                          batch_size=16, seed=0)
    best = history["best_epoch"]
    assert 1 <= best <= len(history["loss"]) <= 60
    assert history["val_loss"][best - 1] == min(history["val_loss"])
    # It stopped either at the budget or exactly `patience` epochs after the best one.
    assert len(history["loss"]) in (60, best + 3)
    # The parameters in place are the best epoch's: their validation loss is the recorded one.
    J = nnbook.compute_loss(params, X_val, y_val, hidden="relu", output="softmax",
                            loss="cross_entropy")
    assert J == pytest.approx(history["val_loss"][best - 1], rel=1e-12)


def test_train_early_stopping_is_reproducible_and_matches_train():
    X, y = two_blobs(0)
    X_val, y_val = two_blobs(1, 60)
    runs = []
    for _ in range(2):
        params = nnbook.init_params([2, 8, 2], seed=0)
        h = nnbook.train_early_stopping(params, X, y, nnbook.Adam(params, lr=0.01),
                                        validation=(X_val, y_val), max_epochs=5, patience=5,
                                        seed=7)
        runs.append((h, params))
    assert runs[0][0]["val_loss"] == runs[1][0]["val_loss"]
    # With enough patience it is train(epochs=5) with the same seed, plus the restore.
    params = nnbook.init_params([2, 8, 2], seed=0)
    plain = nnbook.train(params, X, y, nnbook.Adam(params, lr=0.01), epochs=5, batch_size=32,
                         validation=(X_val, y_val), seed=7, verbose=False)
    assert plain["val_loss"] == runs[0][0]["val_loss"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"validation": None, "max_epochs": 3}, ValueError, "needs a validation set"),
    ({"max_epochs": 0}, ValueError, "max_epochs must be an integer >= 1"),
    ({"max_epochs": 3, "patience": 1.5}, TypeError, "patience must be an integer >= 1"),
    ({"max_epochs": 3, "seed": -1}, ValueError, "seed must be an integer >= 0"),
    ({"max_epochs": 3, "seed": "0.1"}, TypeError, "seed must be None, an integer"),
    ({"max_epochs": 3, "batch_size": 0}, ValueError, "batch_size"),
    ({"max_epochs": 3, "validation": (np.ones((2, 5)), [0, 1])}, ValueError, "X_val"),
    ({"max_epochs": 3, "clip": lambda g: None}, TypeError, "clip must return"),
])
def test_train_early_stopping_refuses_bad_arguments_and_changes_nothing(kwargs, error, message):
    X, y = two_blobs(0, 10)
    params = nnbook.init_params([2, 3, 2], seed=0)
    opt = nnbook.Adam(params)
    before = [(W.copy(), b.copy()) for W, b in params]
    state = {k: v for k, v in vars(opt).items() if isinstance(v, (int, float))}
    kwargs = {"validation": (X, y), **kwargs}
    with pytest.raises(error, match=message):
        nnbook.train_early_stopping(params, X, y, opt, **kwargs)
    for (W, b), (W0, b0) in zip(params, before, strict=True):
        assert W.tobytes() == W0.tobytes() and b.tobytes() == b0.tobytes()
    assert state == {k: v for k, v in vars(opt).items() if isinstance(v, (int, float))}


def test_train_early_stopping_divergence_names_its_epoch():
    X, y = two_blobs(0, 40)
    params = nnbook.init_params([2, 8, 2], seed=0)
    calls = []

    def blow_up_in_epoch_3(grads):                 # 2 steps an epoch (40 examples, batches of 20)
        calls.append(1)
        scale = 1e150 if len(calls) > 4 else 1.0
        return [(dW * scale, db * scale) for dW, db in grads]

    with pytest.raises(nnbook.TrainingDiverged, match="at epoch 3,") as info:
        nnbook.train_early_stopping(params, X, y, nnbook.GradientDescent(params, 0.1),
                                    validation=(X, y), max_epochs=10, batch_size=20, seed=0,
                                    clip=blow_up_in_epoch_3)
    assert info.value.epoch == 3 and len(info.value.history["val_loss"]) == 2   # epochs 1, 2


def test_check_confusion_matrix_hints_at_missing_classes(capsys):
    def only_seen_classes(y_true, y_pred, k):
        return confusion_matrix(y_true, y_pred)            # ignores k

    assert check_confusion_matrix(only_seen_classes) is False
    assert "classes that never occur" in capsys.readouterr().out


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=50))
def test_confusion_matrix_agrees_with_a_loop(pairs):
    C = np.zeros((4, 4), dtype=np.int64)
    for t, p in pairs:
        C[t, p] += 1
    y_true = np.array([t for t, _ in pairs], dtype=np.int64)
    y_pred = np.array([p for _, p in pairs], dtype=np.int64)
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, k=4), C)


def test_datasplit_unpacks_into_six_arrays_and_is_frozen(digits):
    assert len(list(digits)) == 6
    with pytest.raises(AttributeError):
        digits.X_train = None


# --------------------------------------------------------------------------- issue 12 cases

@pytest.mark.parametrize("seed", [-1, "0.1", 0.5, ["a"], np.array("x")])
def test_stratified_split_checks_its_seed(seed):
    with pytest.raises((TypeError, ValueError), match="seed must be"):
        stratified_split(np.arange(12) % 3, seed=seed)


@pytest.mark.parametrize("y, error, message", [
    ([None, 0.1, 1.0] * 4, TypeError, "class labels, integers or strings; got a 1-D array"),
    ([0.0, 1.0] * 6, TypeError, "class labels, integers or strings"),
    ([[1.0, 2.0], [3.0]], ValueError, "ragged"),
])
def test_stratified_split_refuses_labels_it_cannot_sort(y, error, message):
    with pytest.raises(error, match=message):
        stratified_split(y, seed=0)
    assert len(stratified_split(np.array(list("abcabcabcabc")), seed=0)[0]) == 8   # strings


@pytest.mark.parametrize("path", [None, 3, ["a"], b"bytes"])
def test_read_idx_and_load_mnist_want_a_path(path):
    with pytest.raises(TypeError, match=r"path must be a path \(str or os.PathLike\)"):
        read_idx(path)
    with pytest.raises(TypeError, match=r"directory must be a path \(str or os.PathLike\)"):
        load_mnist(path)


def test_read_idx_of_a_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="cannot be read"):
        read_idx(tmp_path)


@pytest.mark.parametrize("X, fill, error, message", [
    (np.ones((2, 6)), "abc", TypeError, "fill must be a number, got a str"),
    (np.ones((2, 6)), None, TypeError, "fill must be a number"),
    (np.ones((2, 6)), np.nan, ValueError, "fill must be a finite number"),
    (np.ones((2, 6), dtype=np.uint8), -1, ValueError, "fill = -1 cannot be stored in X's dtype u"),
    (np.ones((2, 6), dtype=np.int64), 0.5, ValueError, "cannot be stored in X's dtype int64"),
    (np.ones((2, 6), dtype=np.float16), 1e6, ValueError, "cannot be stored in X's dtype float16"),
])
def test_shift_images_checks_the_fill(X, fill, error, message):
    with pytest.raises(error, match=message):
        shift_images(X, 1, 0, image_shape=(2, 3), fill=fill)
    out = shift_images(np.full((1, 6), 7, dtype=np.uint8), 1, 0, image_shape=(2, 3), fill=255)
    assert out.dtype == np.uint8 and out.tolist() == [[255, 255, 255, 7, 7, 7]]


@pytest.mark.parametrize("dy, dx, error", [(2, 0, ValueError), (0, 3, ValueError),
                                          (-5, 0, ValueError), (1.5, 0, TypeError),
                                          (0, 1.0, TypeError), (np.int64(1), "1", TypeError)])
def test_shift_images_refuses_shifts_beyond_the_image_or_not_whole(dy, dx, error):
    with pytest.raises(error, match="moves every pixel out|whole number of pixels"):
        shift_images(np.arange(12.0).reshape(2, 6), dy, dx, image_shape=(2, 3))


@pytest.mark.parametrize("k, labels", [(10**300, [0, 1]), (10**5, [0, 1]), (None, [0, 10**9])])
def test_confusion_matrix_refuses_a_huge_k(k, labels):
    with pytest.raises(ValueError, match="a confusion matrix holds at most 10,000 classes"):
        confusion_matrix(np.array(labels), np.array([1, 1]), k)
    assert confusion_matrix([0, 1], [1, 1], 100).shape == (100, 100)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"val_fraction": "abc"}, TypeError, "val_fraction must be a number"),
    ({"test_fraction": 1.0}, ValueError, r"test_fraction must be in \[0, 1\)"),
    ({"val_fraction": math.nan}, ValueError, "val_fraction"),
    ({"dtype": np.int64}, TypeError, "dtype must be float32 or float64; got int64"),
    ({"dtype": "abc"}, TypeError, "dtype must be float32 or float64; got a str"),
    ({"dtype": None}, TypeError, "dtype must be float32 or float64"),
    ({"dtype": np.float16}, TypeError, "got float16"),
    ({"standardize": "yes"}, TypeError, "standardize must be True or False"),
    ({"seed": -3}, ValueError, "seed must be an integer >= 0"),
])
def test_load_digits_checks_every_argument(kwargs, error, message):
    pytest.importorskip("sklearn")
    with pytest.raises(error, match=message):
        load_digits(**kwargs)
