"""Tests for nnbook.descent (chapter 4): gradient descent, mini-batches, the training loop."""

import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnbook
from nnbook import (
    GradientDescent,
    TrainingDiverged,
    accuracy,
    check_minibatches,
    minibatches,
    predict,
    train,
)


def blobs(m_per_class=20, seed=0):
    """Two well separated clusters in the plane: X (2 m, 2), labels (2 m,)."""
    rng = np.random.default_rng(seed)
    X = np.concatenate([rng.normal(-2.0, 0.5, (m_per_class, 2)),
                        rng.normal(2.0, 0.5, (m_per_class, 2))])
    y = np.repeat([0, 1], m_per_class)
    order = rng.permutation(2 * m_per_class)
    return X[order], y[order]


# --- GradientDescent -------------------------------------------------------------------------

def test_one_step_by_hand():
    W, b = np.array([[1.0, 2.0]]), np.array([0.0])
    GradientDescent([(W, b)], lr=0.1).step([(np.array([[0.5, -1.0]]), np.array([2.0]))])
    np.testing.assert_allclose(W, [[0.95, 2.1]])
    np.testing.assert_allclose(b, [-0.2])


@pytest.mark.parametrize("lr", [-0.1, 0.0, math.nan, math.inf, -math.inf])
def test_bad_learning_rate_value(lr):
    params = nnbook.init_params([2, 1], seed=0)
    with pytest.raises(ValueError, match="the learning rate lr must be a finite number > 0"):
        GradientDescent(params, lr)


@pytest.mark.parametrize("lr", ["0.1", None, True, [0.1]])
def test_bad_learning_rate_type(lr):
    params = nnbook.init_params([2, 1], seed=0)
    with pytest.raises(TypeError, match="the learning rate lr must be a number"):
        GradientDescent(params, lr)


def test_step_rejects_mismatched_gradients():
    params = nnbook.init_params([3, 2, 1], seed=0)
    opt = GradientDescent(params, 0.1)
    with pytest.raises(ValueError, match="grads has 1 layers, but params has 2"):
        opt.step(params[:1])
    bad = [(np.zeros((2, 3)), np.zeros(2)), (np.zeros((1, 3)), np.zeros(1))]
    with pytest.raises(ValueError, match=r"layer 2: the gradient of W\^\(2\) has shape \(1, 3\)"):
        opt.step(bad)


def test_step_keeps_float32_and_updates_in_place():
    params = nnbook.init_params([3, 4, 2], seed=0, dtype=np.float32)
    W_id = id(params[0][0])
    grads = [(np.ones_like(W), np.ones_like(b)) for W, b in params]
    before = params[0][0].copy()
    GradientDescent(params, 0.5).step(grads)
    assert id(params[0][0]) == W_id
    assert all(W.dtype == np.float32 and b.dtype == np.float32 for W, b in params)
    np.testing.assert_allclose(params[0][0], before - 0.5)


@given(eigenvalues=st.lists(st.floats(0.1, 100.0), min_size=2, max_size=5),
       fraction=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_descent_on_a_convex_quadratic_decreases_the_loss(eigenvalues, fraction, seed):
    # J(theta) = 1/2 theta^T A theta, theta = (W.ravel(), b): eta < 2 / lambda_max is stable.
    rng = np.random.default_rng(seed)
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    A = Q @ np.diag(eigenvalues) @ Q.T
    W, b = rng.standard_normal((1, n - 1)), rng.standard_normal(1)
    opt = GradientDescent([(W, b)], lr=fraction * 2 / max(eigenvalues))

    def loss():
        theta = np.concatenate([W.ravel(), b])
        return 0.5 * theta @ A @ theta

    losses = [loss()]
    for _ in range(30):
        g = A @ np.concatenate([W.ravel(), b])
        opt.step([(g[:-1].reshape(1, -1), g[-1:])])
        losses.append(loss())
    assert all(after <= before * (1 + 1e-12) + 1e-300
               for before, after in zip(losses, losses[1:], strict=False))
    assert losses[-1] < losses[0]


# --- minibatches -----------------------------------------------------------------------------

@given(m=st.integers(1, 300), N=st.integers(1, 320), shuffle=st.booleans(),
       seed=st.integers(0, 2**32 - 1), two_d=st.booleans())
def test_minibatches_cover_every_example_once(m, N, shuffle, seed, two_d):
    X = np.stack([np.arange(m, dtype=float), -np.arange(m, dtype=float)], axis=1)
    Y = np.stack([np.arange(m), np.arange(m)], axis=1) if two_d else 10 * np.arange(m)
    batches = list(minibatches(X, Y, N, shuffle=shuffle, seed=seed))
    assert len(batches) == math.ceil(m / N)
    sizes = [len(Xb) for Xb, _ in batches]
    assert all(n == N for n in sizes[:-1]) and 1 <= sizes[-1] <= N
    assert sizes[-1] == m - N * (len(batches) - 1)
    ids = np.concatenate([Xb[:, 0] for Xb, _ in batches]).astype(int)
    np.testing.assert_array_equal(np.sort(ids), np.arange(m))
    for Xb, Yb in batches:                               # every target next to its input
        np.testing.assert_array_equal(Yb, Y[Xb[:, 0].astype(int)])
    if not shuffle:
        np.testing.assert_array_equal(ids, np.arange(m))
        assert all(np.shares_memory(Xb, X) and np.shares_memory(Yb, Y) for Xb, Yb in batches)


def test_minibatches_shuffle_is_reproducible_and_seeded():
    X, Y = np.arange(100.0).reshape(100, 1), np.arange(100)

    def order(seed):
        return np.concatenate([Yb for _, Yb in minibatches(X, Y, 7, seed=seed)])

    np.testing.assert_array_equal(order(3), order(3))
    assert not np.array_equal(order(3), order(4))
    assert not np.array_equal(order(3), Y)
    rng = np.random.default_rng(0)            # one generator: a new order every epoch
    first = np.concatenate([Yb for _, Yb in minibatches(X, Y, 7, seed=rng)])
    second = np.concatenate([Yb for _, Yb in minibatches(X, Y, 7, seed=rng)])
    assert not np.array_equal(first, second)


def test_minibatches_last_batch_and_large_batch():
    X, Y = np.zeros((10, 2)), np.zeros(10)
    assert [len(Xb) for Xb, _ in minibatches(X, Y, 4, shuffle=False)] == [4, 4, 2]
    assert [len(Xb) for Xb, _ in minibatches(X, Y, 50)] == [10]


@pytest.mark.parametrize("batch_size, error, message", [
    (0, ValueError, "batch_size must be an integer >= 1, got 0"),
    (-3, ValueError, "batch_size must be an integer >= 1, got -3"),
    (2.5, TypeError, "batch_size must be an int"),
    (True, TypeError, "batch_size must be an int"),
    ("4", TypeError, "batch_size must be an int"),
])
def test_minibatches_bad_batch_size(batch_size, error, message):
    with pytest.raises(error, match=message):
        minibatches(np.zeros((5, 2)), np.zeros(5), batch_size)


def test_minibatches_lengths_must_match():
    with pytest.raises(ValueError, match="X has 5 examples .* but Y has 4"):
        minibatches(np.zeros((5, 2)), np.zeros(4), 2)


# --- predict and accuracy --------------------------------------------------------------------

def test_predict_softmax_is_argmax_and_sigmoid_thresholds():
    W = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    params = [(W, np.zeros(3))]
    X = np.array([[2.0, 1.0], [0.0, 3.0], [-2.0, -2.0]])
    np.testing.assert_array_equal(predict(params, X, output="softmax"), [0, 1, 2])
    one = [(np.array([[1.0, 0.0]]), np.zeros(1))]
    labels = predict(one, np.array([[1.0, 5.0], [-1.0, 5.0], [0.0, 0.0]]), output="sigmoid")
    np.testing.assert_array_equal(labels, [1, 0, 1])
    assert labels.dtype.kind == "i"


def test_accuracy_values_and_forms():
    assert accuracy(np.array([0, 1, 2, 2]), np.array([0, 1, 1, 2])) == 0.75
    assert accuracy([1, 0], np.array([[0.0, 1.0], [0.0, 1.0]])) == 0.5    # one-hot truth
    assert accuracy(np.array([1, 0, 1]), np.array([[1], [0], [0]])) == pytest.approx(2 / 3)
    assert isinstance(accuracy([1], [1]), float)


def test_accuracy_errors():
    with pytest.raises(ValueError, match="labels_pred has 3 labels but labels_true has 2"):
        accuracy([0, 1, 2], [0, 1])
    with pytest.raises(ValueError, match="zero examples"):
        accuracy([], [])
    with pytest.raises(ValueError, match="labels_true must be labels of shape"):
        accuracy([0, 1], np.zeros((2, 2, 2)))


# --- train -----------------------------------------------------------------------------------

def test_train_separates_two_blobs():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 8, 2], seed=0, init="he")
    history = train(params, X, y, GradientDescent(params, 0.5), epochs=10, batch_size=8,
                    validation=blobs(seed=1), seed=0, verbose=False)
    assert accuracy(predict(params, X), y) == 1.0
    assert history["val_accuracy"][-1] == 1.0
    assert history["loss"][-1] < 0.05 < history["loss"][0]
    assert len(history["loss"]) == len(history["val_loss"]) == 10
    assert len(history["step_loss"]) == len(history["grad_norm"]) == 10 * 5
    for e in range(10):                     # the epoch's loss is the mean of its step losses
        assert history["loss"][e] == pytest.approx(np.mean(history["step_loss"][5 * e:5 * e + 5]))


def test_train_is_reproducible_and_leaves_data_alone():
    X, y = blobs(seed=0)
    X0, y0 = X.copy(), y.copy()
    runs = []
    for _ in range(2):
        params = nnbook.init_params([2, 8, 2], seed=0)
        runs.append(train(params, X, y, GradientDescent(params, 0.3), epochs=3, batch_size=7,
                          seed=5, verbose=False))
    assert runs[0] == runs[1]
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_first_step_records_loss_and_gradient_norm_before_the_update():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 5, 2], seed=1)
    J, grads = nnbook.loss_and_gradients(params, X, y, hidden="relu", output="softmax",
                                         loss="cross_entropy")
    norm = np.linalg.norm(nnbook.flatten_params(grads))
    history = train(params, X, y, GradientDescent(params, 0.1), epochs=1, batch_size=len(X),
                    verbose=False)
    assert history["step_loss"][0] == pytest.approx(J, rel=1e-12)
    assert history["grad_norm"][0] == pytest.approx(norm, rel=1e-12)


def test_train_binary_sigmoid_output():
    X, y = blobs(seed=0)
    Y = y.reshape(-1, 1).astype(float)                       # (m, 1) targets 0/1
    params = nnbook.init_params([2, 4, 1], seed=0)
    history = train(params, X, Y, GradientDescent(params, 0.5), epochs=10, batch_size=8,
                    output="sigmoid", validation=(X, Y), seed=0, verbose=False)
    assert history["val_accuracy"][-1] == 1.0
    np.testing.assert_array_equal(predict(params, X, output="sigmoid"), y)


def test_train_keeps_float32():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0, dtype=np.float32)
    train(params, X, y, GradientDescent(params, 0.1), epochs=2, batch_size=10, verbose=False)
    assert all(W.dtype == np.float32 and b.dtype == np.float32 for W, b in params)


def test_train_regression_has_no_accuracy():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((30, 2))
    Y = X[:, :1] - X[:, 1:]
    params = nnbook.init_params([2, 1], seed=0)
    history = train(params, X, Y, GradientDescent(params, 0.1), epochs=50, batch_size=10,
                    hidden="tanh", output="identity", loss="mse", validation=(X, Y), seed=0,
                    verbose=False)
    assert "val_accuracy" not in history
    assert history["val_loss"][-1] < 1e-3


def test_verbose_prints_one_line_per_epoch_and_quiet_prints_nothing(capsys):
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0)
    train(params, X, y, GradientDescent(params, 0.1), epochs=3, batch_size=10,
          validation=(X, y), seed=0)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert re.fullmatch(r"epoch 1/3  loss \d\.\d{4}  val_loss \d\.\d{4}  val_accuracy \d\.\d{4}",
                        lines[0])
    train(params, X, y, GradientDescent(params, 0.1), epochs=3, batch_size=10,
          validation=(X, y), seed=0, verbose=False)
    assert capsys.readouterr() == ("", "")


def test_clip_is_applied_before_every_step():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0)
    before = [(W.copy(), b.copy()) for W, b in params]
    calls = []

    def zero(grads):
        calls.append(1)
        return [(np.zeros_like(dW), np.zeros_like(db)) for dW, db in grads]

    history = train(params, X, y, GradientDescent(params, 1.0), epochs=2, batch_size=8,
                    clip=zero, verbose=False)
    assert len(calls) == 10
    assert all(n > 0 for n in history["grad_norm"])        # recorded before clipping
    for (W, b), (W0, b0) in zip(params, before, strict=True):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


def test_clip_returning_a_pair_gets_a_hint():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0)
    with pytest.raises(TypeError, match=r"clip=lambda g: f\(g\)\[0\]"):
        train(params, X, y, GradientDescent(params, 0.1), epochs=1, batch_size=8,
              clip=lambda g: (g, 1.0), verbose=False)


def test_diverging_run_names_epoch_and_step_and_suggests_a_cure():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (64, 2))
    Y = X[:, :1] * X[:, 1:]
    params = nnbook.init_params([2, 16, 1], seed=0)
    with pytest.raises(TrainingDiverged) as info:
        train(params, X, Y, GradientDescent(params, 50.0), epochs=100, batch_size=16,
              hidden="tanh", output="identity", loss="mse", seed=0, verbose=False)
    error = info.value
    assert isinstance(error, FloatingPointError)
    message = str(error)
    assert f"epoch {error.epoch}, step {error.step} of 4" in message
    assert "smaller learning rate" in message and "lr is 50.0" in message and "clip" in message
    assert 1 <= error.step <= 4 and error.epoch >= 1
    assert len(error.history["step_loss"]) == 4 * (error.epoch - 1) + error.step


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": 0}, ValueError, "epochs must be an integer >= 1, got 0"),
    ({"epochs": 2.0}, TypeError, "epochs must be an int"),
    ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
    ({"batch_size": 1.5}, TypeError, "batch_size must be an int"),
    ({"validation": (np.zeros((3, 2)),)}, TypeError, "validation must be a pair"),
])
def test_train_bad_arguments(kwargs, error, message):
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0)
    args = {"epochs": 1, "batch_size": 4, "verbose": False, **kwargs}
    with pytest.raises(error, match=message):
        train(params, X, y, GradientDescent(params, 0.1), **args)


def test_train_data_errors():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0)
    opt = GradientDescent(params, 0.1)
    with pytest.raises(ValueError, match="X has 40 examples .* but Y has 39"):
        train(params, X, y[:-1], opt, epochs=1, batch_size=4)
    with pytest.raises(ValueError, match="X has 3 columns"):
        train(params, np.zeros((40, 3)), y, opt, epochs=1, batch_size=4)
    with pytest.raises(TypeError, match="optimizer must have a step"):
        train(params, X, y, 0.1, epochs=1, batch_size=4)
    with pytest.raises(ValueError):
        train(params, X, y + 5, opt, epochs=1, batch_size=4)   # labels outside 0 .. k-1


# --- check_minibatches -----------------------------------------------------------------------

def test_check_minibatches_accepts_the_library(capsys):
    assert check_minibatches(minibatches) is True
    assert capsys.readouterr().out.startswith("✓")


def _no_shuffle(X, Y, batch_size, *, shuffle=True, seed=None):
    return minibatches(X, Y, batch_size, shuffle=False)


def _ignores_seed(X, Y, batch_size, *, shuffle=True, seed=None):
    return minibatches(X, Y, batch_size, shuffle=shuffle, seed=None)


def _drops_last(X, Y, batch_size, *, shuffle=True, seed=None):
    for Xb, Yb in minibatches(X, Y, batch_size, shuffle=shuffle, seed=seed):
        if len(Xb) == batch_size:
            yield Xb, Yb


def _separates_targets(X, Y, batch_size, *, shuffle=True, seed=None):
    rng = np.random.default_rng(seed)
    for i in range(0, len(X), batch_size):
        idx = np.arange(i, min(i + batch_size, len(X)))
        yield X[idx], Y[rng.permutation(idx) if shuffle else idx]


@pytest.mark.parametrize("fn, words", [
    (_no_shuffle, "original order: shuffle them"),
    (_ignores_seed, "same seed gave two different orders"),
    (_drops_last, "never appear"),
    (_separates_targets, "wrong targets"),
])
def test_check_minibatches_finds_mistakes(fn, words, capsys):
    assert check_minibatches(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("✗") and words in out


def test_check_minibatches_reports_an_exception(capsys):
    def broken(X, Y, batch_size, *, shuffle=True, seed=None):
        raise RuntimeError("oops")

    assert check_minibatches(broken) is False
    assert "broken raised RuntimeError: oops" in capsys.readouterr().out


# --- issue 12: divergence anywhere in train, optimizers on other arrays, probabilities -------

@pytest.mark.parametrize("validation", [False, True])
def test_a_blow_up_in_the_last_step_raises(validation):
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 8, 2], seed=0)
    kwargs = {"validation": (X, y)} if validation else {}
    with pytest.raises(TrainingDiverged, match="epoch 1, step 1 of 1") as info:
        train(params, X, y, GradientDescent(params, 1e300), epochs=1, batch_size=len(X),
              verbose=False, **kwargs)
    assert "not a finite number" in str(info.value)
    assert info.value.history["step_loss"] and info.value.epoch == 1


def test_a_blow_up_first_seen_in_the_validation_pass_is_training_diverged():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 8, 2], seed=0)
    with pytest.raises(TrainingDiverged, match="the validation loss is not a finite") as info:
        train(params, X, y, GradientDescent(params, 1e300), epochs=3, batch_size=len(X),
              validation=(X, y), verbose=False)
    assert (info.value.epoch, info.value.step) == (1, 1)
    assert info.value.history["loss"] and "Z contains" not in str(info.value)


def test_an_overflow_inside_the_step_is_training_diverged():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 8, 2], seed=0)
    with pytest.raises(TrainingDiverged) as info:
        train(params, X, y, GradientDescent(params, 1e300), epochs=3, batch_size=len(X),
              verbose=False)
    assert info.value.epoch == 2
    assert len(info.value.history["step_loss"]) == 2


def test_an_optimizer_built_on_copies_is_refused():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0)
    copies = [(W.copy(), b.copy()) for W, b in params]
    with pytest.raises(ValueError, match=r"does not update the arrays of params.*W\^\(1\)"):
        train(params, X, y, GradientDescent(copies, 0.1), epochs=1, batch_size=8)


def test_replacing_a_layer_after_building_the_optimizer_is_refused():
    X, y = blobs(seed=0)
    params = nnbook.init_params([2, 4, 2], seed=0)
    opt = GradientDescent(list(params), 0.1)       # its own list of the same arrays: fine
    train(params, X, y, opt, epochs=1, batch_size=8, verbose=False)
    params[1] = (params[1][0].copy(), params[1][1].copy())
    with pytest.raises(ValueError, match=r"params\[1\] was replaced"):
        train(params, X, y, opt, epochs=1, batch_size=8, verbose=False)
    sgd = nnbook.SGD(params, 0.1)                  # chapter 5's optimizers too
    params[0] = (params[0][0].copy(), params[0][1].copy())
    with pytest.raises(ValueError, match="does not update the arrays of params"):
        train(params, X, y, sgd, epochs=1, batch_size=8, verbose=False)


def test_accuracy_of_a_column_of_probabilities_thresholds_at_one_half():
    probabilities = np.array([[0.9], [0.2], [0.7], [0.5]])
    assert accuracy(probabilities, [1, 0, 0, 1]) == 0.75
    assert accuracy(probabilities[:, 0], np.array([[1], [0], [0], [1]])) == 0.75
    assert accuracy(np.array([[0.2, 0.8], [0.6, 0.4]]), [1, 0]) == 1.0     # rows: argmax
    with pytest.raises(ValueError, match="neither labels nor probabilities"):
        accuracy(np.array([0.5, 1.7]), [0, 1])
    with pytest.raises(ValueError, match="neither labels nor probabilities"):
        accuracy(np.array([0.5, np.nan]), [0, 1])


# --- issue cases: seeds, huge rates, replaced parameters, label shapes -----------------------

@pytest.mark.parametrize("seed, error, message", [
    (-1, ValueError, "seed must be an integer >= 0, got -1"),
    ("0.1", TypeError, "seed must be None, an integer >= 0 or a numpy.random.Generator; got a s"),
    (0.5, TypeError, "seed must be None, an integer >= 0 or a numpy.random.Generator; got a f"),
])
def test_bad_seeds_refused_before_anything_changes(seed, error, message):
    params = nnbook.init_params([2, 3, 2], seed=0)
    before = [a.copy() for pair in params for a in pair]
    with pytest.raises(error, match=message):
        list(minibatches(np.ones((4, 2)), np.ones(4), 2, seed=seed))
    with pytest.raises(error, match=message):
        nnbook.init_params([2, 1], seed=seed)
    with pytest.raises(error, match=message):
        nnbook.train(params, np.ones((4, 2)), np.array([0, 1, 0, 1]),
                     GradientDescent(params, 0.1), epochs=1, batch_size=2, seed=seed,
                     verbose=False)
    assert all(np.array_equal(a, b) for a, b in
               zip(before, [a for pair in params for a in pair], strict=True))


def test_huge_integer_rate_refused():
    params = nnbook.init_params([2, 1], seed=0)
    with pytest.raises(ValueError, match="lr must be a finite number > 0, got an integer of 401"):
        GradientDescent(params, 10**400)


def test_step_refuses_replaced_params():
    params = nnbook.init_params([2, 3, 1], seed=0)
    opt = GradientDescent(params, 0.1)
    params[0] = (params[0][0].copy(), params[0][1].copy())
    before = [a.copy() for pair in params for a in pair]
    grads = [(np.ones_like(W), np.ones_like(b)) for W, b in params]
    with pytest.raises(ValueError, match=r"holds another W\^\(1\) .*params\[0\] was replaced"):
        opt.step(grads)
    assert all(np.array_equal(a, b) for a, b in
               zip(before, [a for pair in params for a in pair], strict=True))


@pytest.mark.parametrize("pred, error, message", [
    (np.empty((3, 0)), ValueError, r"labels_pred has shape \(3, 0\): rows of scores need"),
    (np.array(["a", "b", "c"]), TypeError, "labels_pred must hold class labels or scores"),
])
def test_accuracy_refuses_shapes_without_labels(pred, error, message):
    with pytest.raises(error, match=message):
        nnbook.accuracy(pred, np.array([0, 1, 0]))


def test_train_names_an_unknown_hidden_activation_before_any_step():
    params = nnbook.init_params([3, 4, 3], seed=0)
    before = [a.copy() for pair in params for a in pair]
    with pytest.raises(ValueError, match="unknown hidden activation 'nope'"):
        nnbook.train(params, np.ones((6, 3)), np.arange(6) % 3, GradientDescent(params, 0.1),
                     epochs=1, batch_size=2, hidden="nope", verbose=False)
    assert all(np.array_equal(a, b) for a, b in
               zip(before, [a for pair in params for a in pair], strict=True))
