"""Tests of nnbook.backprop (chapter 3): loss_and_gradients and the checkers."""

import sys
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import nnbook
from nnbook import (
    check_activation_derivative,
    check_gradients,
    compute_loss,
    flatten_params,
    init_params,
    loss_and_gradients,
    numerical_gradients,
)

HIDDEN = ("sigmoid", "tanh", "relu", "identity")
# (output, loss, kind of targets): every pair the library accepts
PAIRS = [
    ("identity", "mse", "real"), ("sigmoid", "mse", "real"), ("tanh", "mse", "real"),
    ("relu", "mse", "real"), ("softmax", "mse", "real"),
    ("softmax", "cross_entropy", "labels"), ("softmax", "cross_entropy", "one-hot"),
    ("softmax", "cross_entropy", "probabilities"), ("sigmoid", "cross_entropy", "binary"),
]


def vector_relative_error(grads, reference):
    """||g - r|| / max(||g||, ||r||): the relative error of the whole gradient vector.

    The worst entry's relative error is not a fair measure against a numerical gradient: that is
    accurate to about 1e-10 in absolute terms, so an entry that is itself 1e-9 cannot be
    measured to a relative 1e-7 however right the analytic gradient is.
    """
    g, r = flatten_params(grads).astype(np.float64), flatten_params(reference)
    scale = max(np.linalg.norm(g), np.linalg.norm(r))
    return 0.0 if scale == 0 else float(np.linalg.norm(g - r) / scale)


def make_targets(rng, kind, m, k):
    if kind == "real":
        return rng.standard_normal((m, k))
    if kind == "labels":
        return rng.integers(0, k, size=m)
    if kind == "one-hot":
        return nnbook.one_hot(rng.integers(0, k, size=m), k)
    if kind == "probabilities":
        P = rng.random((m, k)) + 0.1
        return P / P.sum(axis=1, keepdims=True)
    return rng.integers(0, 2, size=(m, k)).astype(np.float64)           # binary


def make_case(seed, sizes, m, kind, bias_scale=0.5):
    """A random network (Xavier weights, random biases), a batch and its targets."""
    rng = np.random.default_rng(seed)
    params = init_params(sizes, seed=rng)
    for _, b in params:
        b[:] = bias_scale * rng.standard_normal(b.shape)
    X = rng.standard_normal((m, sizes[0]))
    return params, X, make_targets(rng, kind, m, sizes[-1])


def smallest_kink_distance(params, X, hidden, output):
    """The smallest |z| over the layers whose activation is ReLU (inf if none is)."""
    Z, _ = nnbook.forward_all(params, X, hidden=hidden, output=output)
    layers = (Z[:-1] if hidden == "relu" else []) + ([Z[-1]] if output == "relu" else [])
    return min((float(np.abs(z).min()) for z in layers), default=np.inf)


# --- agreement with the numerical gradient ----------------------------------------------------

@settings(max_examples=150)
@given(seed=st.integers(0, 2**32 - 1),
       sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5),
       m=st.integers(1, 6),
       hidden=st.sampled_from(HIDDEN),
       pair=st.sampled_from(PAIRS))
def test_agrees_with_the_numerical_gradient_on_random_networks(seed, sizes, m, hidden, pair):
    output, loss, kind = pair
    if output == "softmax":
        sizes = [*sizes[:-1], max(sizes[-1], 2)]    # at least two units: one is refused
    params, X, Y = make_case(seed, sizes, m, kind)
    # Finite differences are meaningless across a ReLU corner: keep every z off it.
    assume(smallest_kink_distance(params, X, hidden, output) > 1e-3)
    kwargs = dict(hidden=hidden, output=output, loss=loss)
    J, grads = loss_and_gradients(params, X, Y, **kwargs)
    assert isinstance(J, float)
    assert J == pytest.approx(compute_loss(params, X, Y, **kwargs), rel=1e-12, abs=1e-14)
    assert vector_relative_error(grads, numerical_gradients(params, X, Y, **kwargs)) <= 1e-7


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss, kind", PAIRS)
def test_every_activation_and_loss_on_a_deep_network(hidden, output, loss, kind):
    # n_l = 5: three hidden layers; the first seed whose z are all off the ReLU corners
    params, X, Y = next(c for c in (make_case(seed, [4, 5, 4, 5, 3], 5, kind) for seed in range(99))
                        if smallest_kink_distance(c[0], c[1], hidden, output) > 1e-3)
    kwargs = dict(hidden=hidden, output=output, loss=loss)
    J, grads = loss_and_gradients(params, X, Y, **kwargs)
    assert J == pytest.approx(compute_loss(params, X, Y, **kwargs), rel=1e-12)
    assert vector_relative_error(grads, numerical_gradients(params, X, Y, **kwargs)) <= 1e-7
    for (W, b), (dW, db) in zip(params, grads, strict=True):
        assert dW.shape == W.shape and db.shape == b.shape


def test_a_network_without_hidden_layers():
    params, X, Y = make_case(3, [5, 4], 7, "labels")
    kwargs = dict(output="softmax", loss="cross_entropy")
    _, grads = loss_and_gradients(params, X, Y, **kwargs)
    assert vector_relative_error(grads, numerical_gradients(params, X, Y, **kwargs)) <= 1e-7


def test_any_list_of_pairs_not_only_init_params():
    """Tuples or lists, views, Fortran order, integer inputs: all are parameters and batches."""
    rng = np.random.default_rng(5)
    params = [[np.asfortranarray(0.5 * rng.standard_normal((4, 3))), np.full(4, 0.1)],  # a list
              (0.5 * rng.standard_normal((8, 8))[::2, ::2], rng.standard_normal(4)),    # a view
              (0.5 * rng.standard_normal((4, 2)).T, np.zeros(2))]                       # transposed
    X = rng.integers(-2, 3, size=(5, 3))                          # integers become float64
    Y = rng.standard_normal((5, 2))
    kwargs = dict(hidden="tanh", output="identity", loss="mse")
    _, grads = loss_and_gradients(params, X, Y, **kwargs)
    assert vector_relative_error(grads, numerical_gradients(params, X, Y, **kwargs)) <= 1e-7


# --- exact values -----------------------------------------------------------------------------

def test_the_hand_computed_identity_network():
    """x = 1, W1 = 2, W2 = 3, y = 1: J = 12.5, delta3 = 5, delta2 = 15 (the chapter's example)."""
    params = [(np.array([[2.0]]), np.array([0.0])), (np.array([[3.0]]), np.array([0.0]))]
    J, grads = loss_and_gradients(params, np.array([[1.0]]), np.array([[1.0]]), hidden="identity")
    assert J == 12.5
    assert [(dW.tolist(), db.tolist()) for dW, db in grads] == [([[15.0]], [15.0]),
                                                                ([[10.0]], [5.0])]


def test_the_hand_computed_relu_network():
    """z2 = [2, -2], a2 = [2, 0], z3 = 7, y = 4: delta3 = 3, delta2 = [9, 0]."""
    params = [(np.array([[1.0], [-1.0]]), np.zeros(2)), (np.array([[3.0, 5.0]]), np.array([1.0]))]
    J, grads = loss_and_gradients(params, np.array([[2.0]]), np.array([[4.0]]), hidden="relu")
    assert J == 4.5
    (dW1, db1), (dW2, db2) = grads
    assert dW2.tolist() == [[6.0, 0.0]] and db2.tolist() == [3.0]
    assert dW1.tolist() == [[18.0], [0.0]] and db1.tolist() == [9.0, 0.0]


def test_softmax_cross_entropy_with_zero_weights():
    """Zero weights give uniform probabilities 1/3: J = log 3 and delta = (1/3 - y) / m."""
    params = [(np.zeros((3, 2)), np.zeros(3))]
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    J, [(dW, db)] = loss_and_gradients(params, X, np.array([0, 2]), output="softmax",
                                       loss="cross_entropy")
    assert J == pytest.approx(np.log(3), rel=1e-15)
    delta = (np.full((2, 3), 1 / 3) - np.array([[1, 0, 0], [0, 0, 1]])) / 2
    np.testing.assert_allclose(db, delta.sum(axis=0), rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(dW, delta.T @ X, rtol=1e-15, atol=1e-16)


def test_labels_and_one_hot_rows_give_the_same_result():
    params, X, labels = make_case(11, [3, 4, 5], 6, "labels")
    kwargs = dict(hidden="sigmoid", output="softmax", loss="cross_entropy")
    J1, g1 = loss_and_gradients(params, X, labels, **kwargs)
    J2, g2 = loss_and_gradients(params, X, nnbook.one_hot(labels, 5), **kwargs)
    assert J1 == pytest.approx(J2, rel=1e-14)
    np.testing.assert_allclose(flatten_params(g1), flatten_params(g2), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_matching_output_error_is_yhat_minus_y_over_m(output):
    """The one-layer gradient of a matching pair is (yhat - y)^T X / m, exactly as derived."""
    rng = np.random.default_rng(2)
    params = [(rng.standard_normal((3, 4)), rng.standard_normal(3))]
    X = rng.standard_normal((5, 4))
    Y = nnbook.one_hot(rng.integers(0, 3, 5), 3) if output == "softmax" else \
        rng.integers(0, 2, (5, 3)).astype(float)
    _, [(dW, db)] = loss_and_gradients(params, X, Y, output=output, loss="cross_entropy")
    delta = (nnbook.forward(params, X, output=output) - Y) / 5
    np.testing.assert_allclose(dW, delta.T @ X, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(db, delta.sum(axis=0), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("output", ["softmax", "sigmoid"])
def test_huge_logits_give_a_finite_loss_and_gradient(output):
    params = [(np.array([[1000.0], [-1000.0]]), np.zeros(2))]
    X = np.array([[1.0], [-1.0]])
    Y = np.array([1, 0]) if output == "softmax" else np.array([[0.0, 1.0], [1.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")                            # no overflow, no log(0)
        J, [(dW, db)] = loss_and_gradients(params, X, Y, output=output, loss="cross_entropy")
    assert np.isfinite(J) and J > 100
    assert np.isfinite(dW).all() and np.isfinite(db).all()


@given(st.integers(1, 20), st.integers(2, 12), st.integers(0, 2**32 - 1))
def test_softmax_cross_entropy_shifts_each_row_by_its_own_maximum(m, k, seed):
    """Rows whose logits lie far apart (offsets up to 1e4) each keep their softmax: a shift by
    one maximum for the whole batch would underflow every row but one to 0 / 0."""
    rng = np.random.default_rng(seed)
    Z = rng.standard_normal((m, k)) * 5 + rng.uniform(-1e4, 1e4, (m, 1))
    y = rng.integers(0, k, m)
    params = [(np.eye(k), np.zeros(k))]                 # one layer: the logits are X itself
    J, [(dW, db)] = loss_and_gradients(params, Z, y, output="softmax", loss="cross_entropy")
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_total = np.log(np.exp(shifted).sum(axis=1))
    assert J == pytest.approx(np.mean(log_total - shifted[np.arange(m), y]), rel=1e-12, abs=1e-12)
    delta = np.exp(shifted - log_total[:, None])
    delta[np.arange(m), y] -= 1
    np.testing.assert_allclose(db, delta.sum(axis=0) / m, rtol=1e-9, atol=1e-12)


@given(st.integers(1, 20), st.integers(2, 12), st.integers(0, 2**32 - 1),
       st.sampled_from(["labels", "one-hot", "probabilities"]),
       st.sampled_from([np.float32, np.float64]))
def test_softmax_cross_entropy_shares_one_softmax(m, k, seed, kind, dtype):
    """The fused step 2 gives chapter 2's loss bit for bit and the unfused output error."""
    from nnbook.backprop import _loss_and_output_error, _output_error
    from nnbook.gradient import _loss
    rng = np.random.default_rng(seed)
    Z = (3 * rng.standard_normal((m, k))).astype(dtype)
    Y = make_targets(rng, kind, m, k)
    J, delta = _loss_and_output_error(None, Z, Y, "softmax", "cross_entropy")
    assert J == _loss(Z, Y, "softmax", "cross_entropy")
    assert delta.dtype == dtype and delta.shape == (m, k)
    Yd = Y if Y.ndim == 1 else Y.astype(dtype)
    expected = _output_error(Z.copy(), Yd, "softmax", "cross_entropy")
    np.testing.assert_allclose(delta, expected, rtol=0, atol=8 * np.finfo(dtype).eps / m)


# --- dtypes and side effects --------------------------------------------------------------------

@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss, kind", PAIRS)
def test_float32_in_float32_out(hidden, output, loss, kind):
    params, X, Y = make_case(4, [6, 8, 7, 4], 9, kind)
    params32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in params]
    kwargs = dict(hidden=hidden, output=output, loss=loss)
    J32, g32 = loss_and_gradients(params32, X.astype(np.float32), Y, **kwargs)  # Y stays float64
    J64, g64 = loss_and_gradients(params, X, Y, **kwargs)
    assert isinstance(J32, float)
    assert {a.dtype for pair in g32 for a in pair} == {np.dtype(np.float32)}
    assert J32 == pytest.approx(J64, rel=1e-5, abs=1e-6)
    assert vector_relative_error(g32, g64) <= 1e-4


def test_float32_parameters_with_a_float64_batch_stay_float32():
    params, X, Y = make_case(1, [3, 4, 2], 5, "real")
    params32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in params]
    _, grads = loss_and_gradients(params32, X, Y)
    assert all(a.dtype == np.float32 for pair in grads for a in pair)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss, kind", PAIRS)
def test_nothing_passed_in_is_modified(dtype, hidden, output, loss, kind):
    params, X, Y = make_case(9, [3, 5, 4, 3], 4, kind)
    params = [(W.astype(dtype), b.astype(dtype)) for W, b in params]
    X = X.astype(dtype)
    before = [(W.copy(), b.copy()) for W, b in params], X.copy(), Y.copy()
    _, grads = loss_and_gradients(params, X, Y, hidden=hidden, output=output, loss=loss)
    for (W, b), (W0, b0) in zip(params, before[0], strict=True):
        assert np.array_equal(W, W0) and np.array_equal(b, b0)
    assert np.array_equal(X, before[1]) and np.array_equal(Y, before[2])
    for (W, b), (dW, db) in zip(params, grads, strict=True):   # new arrays, never the inputs
        assert not np.shares_memory(dW, W) and not np.shares_memory(db, b)
        assert not np.shares_memory(dW, X)


def test_calls_are_independent():
    params, X, Y = make_case(6, [3, 4, 3], 5, "labels")
    kwargs = dict(hidden="relu", output="softmax", loss="cross_entropy")
    J1, g1 = loss_and_gradients(params, X, Y, **kwargs)
    J2, g2 = loss_and_gradients(params, X, Y, **kwargs)
    assert J1 == J2
    assert np.array_equal(flatten_params(g1), flatten_params(g2))


# --- bad input ----------------------------------------------------------------------------------

@pytest.fixture
def case():
    params, X, labels = make_case(0, [3, 4, 2], 5, "labels")
    return params, X, labels


def test_x_with_the_wrong_number_of_columns(case):
    params, X, y = case
    with pytest.raises(ValueError, match=r"X has 4 columns, but the first layer expects s_1 = 3"):
        loss_and_gradients(params, np.ones((5, 4)), y, output="softmax", loss="cross_entropy")


def test_params_that_do_not_chain(case):
    params, X, y = case
    bad = [params[0], (np.ones((2, 5)), np.zeros(2))]
    with pytest.raises(ValueError, match="params do not chain"):
        loss_and_gradients(bad, X, y, output="softmax", loss="cross_entropy")


def test_labels_out_of_range(case):
    params, X, y = case
    with pytest.raises(ValueError, match=r"outside the k = 2 classes 0 \.\. 1"):
        loss_and_gradients(params, X, y + 1, output="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="outside the k = 2 classes"):
        loss_and_gradients(params, X, y - 1, output="softmax", loss="cross_entropy")


def test_labels_of_the_wrong_shape(case):
    params, X, y = case
    with pytest.raises(ValueError, match="Y holds 4 labels, but the batch has m = 5"):
        loss_and_gradients(params, X, y[:4], output="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match=r"Y has shape \(5, 3\)"):
        loss_and_gradients(params, X, np.zeros((5, 3)), output="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match=r"Y has shape \(5,\)"):
        loss_and_gradients(params, X, y, output="identity", loss="mse")
    with pytest.raises(TypeError, match="integers"):
        loss_and_gradients(params, X, y.astype(float), output="softmax", loss="cross_entropy")


def test_unknown_names(case):
    params, X, y = case
    with pytest.raises(ValueError, match="unknown hidden activation 'sigmod'"):
        loss_and_gradients(params, X, y, hidden="sigmod", output="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown output activation"):
        loss_and_gradients(params, X, y, output="softmx", loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        loss_and_gradients(params, X, y, output="softmax", loss="hinge")
    with pytest.raises(ValueError, match="cannot be the hidden activation"):
        loss_and_gradients(params, X, y, hidden="softmax", output="softmax", loss="cross_entropy")
    with pytest.raises(ValueError, match="needs probabilities"):
        loss_and_gradients(params, X, y, output="identity", loss="cross_entropy")


def test_an_empty_batch(case):
    params, _, _ = case
    with pytest.raises(ValueError, match="0 rows"):
        loss_and_gradients(params, np.ones((0, 3)), np.zeros(0, dtype=int), output="softmax",
                           loss="cross_entropy")


def test_non_finite_inputs(case):
    params, X, y = case
    X_bad = X.copy()
    X_bad[2, 1] = np.nan
    with pytest.raises(ValueError, match=r"X contains NaN or infinity \(the first at index \(2, 1"):
        loss_and_gradients(params, X_bad, y, output="softmax", loss="cross_entropy")
    Y_bad = np.zeros((5, 2))
    Y_bad[0, 0] = np.inf
    with pytest.raises(ValueError, match="targets must be finite"):
        loss_and_gradients(params, X, Y_bad)


def test_parameters_of_two_dtypes_or_not_arrays(case):
    params, X, y = case
    mixed = [params[0], (params[1][0].astype(np.float32), params[1][1])]
    with pytest.raises(TypeError, match="params mix dtypes"):
        loss_and_gradients(mixed, X, y, output="softmax", loss="cross_entropy")
    with pytest.raises(TypeError, match="must be a NumPy array"):
        loss_and_gradients([(params[0][0].tolist(), params[0][1])], X, np.zeros((5, 4)))


def test_binary_targets_must_be_zero_or_one(case):
    params, X, _ = case
    with pytest.raises(ValueError, match="binary cross-entropy needs targets 0 or 1"):
        loss_and_gradients(params, X, np.full((5, 2), 0.5), output="sigmoid",
                           loss="cross_entropy")


# --- the checkers -------------------------------------------------------------------------------

def backprop_by_hand(params, X, Y, f, f_prime):
    """A reader's backpropagation: hidden activation f, identity output, mse; ``f_prime(a)`` is
    f' written with a = f(z), or None for the common slip of forgetting it."""
    A = [X]
    for W, b in params[:-1]:
        A.append(f(A[-1] @ W.T + b))
    W, b = params[-1]
    delta = (A[-1] @ W.T + b - Y) / len(X)
    grads = [None] * len(params)
    for l in range(len(params), 0, -1):
        grads[l - 1] = (delta.T @ A[l - 1], delta.sum(axis=0))
        if l > 1:
            delta = delta @ params[l - 1][0]
            if f_prime is not None:
                delta *= f_prime(A[l - 1])
    return grads


def sigmoid_backprop(params, X, Y):
    return backprop_by_hand(params, X, Y, lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a))


def test_check_gradients_accepts_a_correct_backpropagation(capsys):
    assert check_gradients(sigmoid_backprop) is True
    assert capsys.readouterr().out.startswith("✓ sigmoid_backprop agrees with "
                                              "nnbook.loss_and_gradients on 8 random networks")


def test_check_gradients_accepts_loss_and_grads_pairs(capsys):
    def with_loss(params, X, Y):
        return compute_loss(params, X, Y), sigmoid_backprop(params, X, Y)

    assert check_gradients(with_loss) is True


def test_check_gradients_checks_the_returned_loss(capsys):
    def wrong_loss(params, X, Y):
        return 2 * compute_loss(params, X, Y), sigmoid_backprop(params, X, Y)

    assert check_gradients(wrong_loss) is False
    assert "result[0] is" in capsys.readouterr().out


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("output, loss", [("softmax", "cross_entropy"),
                                          ("sigmoid", "cross_entropy"), ("tanh", "mse")])
def test_check_gradients_for_other_activations_and_losses(hidden, output, loss, capsys):
    def library(params, X, Y):
        return loss_and_gradients(params, X, Y, hidden=hidden, output=output, loss=loss)[1]

    assert check_gradients(library, hidden=hidden, output=output, loss=loss) is True
    assert check_gradients(sigmoid_backprop, hidden=hidden, output=output, loss=loss) is (
        hidden == "sigmoid" and output == "identity")


def test_check_gradients_rejects_a_wrong_backpropagation_and_hints(capsys):
    def summed(params, X, Y):
        return [(len(X) * dW, len(X) * db) for dW, db in sigmoid_backprop(params, X, Y)]

    def without_derivative(params, X, Y):
        return backprop_by_hand(params, X, Y, lambda z: 1 / (1 + np.exp(-z)), None)

    assert check_gradients(summed) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ summed disagrees") and "Hint: these are the gradients of the summed" \
        in out
    assert check_gradients(without_derivative) is False
    assert "Hint: these are the gradients without the factor f'(z^(l))" in capsys.readouterr().out
    assert check_gradients(lambda p, X, Y: [(dW.T, db) for dW, db in sigmoid_backprop(p, X, Y)]) \
        is False
    assert "shape" in capsys.readouterr().out


def test_check_gradients_hints_at_a_derivative_taken_at_a(capsys):
    def tanh_backprop_at_a(params, X, Y):                 # the slip: f'(a) instead of f'(z)
        return backprop_by_hand(params, X, Y, np.tanh, lambda a: 1 - np.tanh(a) ** 2)

    assert check_gradients(tanh_backprop_at_a, hidden="tanh") is False
    assert "Hint: this is what you get with tanh' evaluated at a" in capsys.readouterr().out


def test_check_gradients_reports_an_exception_and_rejects_bad_names(capsys):
    def broken(params, X, Y):
        raise RuntimeError("not written yet")

    assert check_gradients(broken) is False
    assert "raised RuntimeError" in capsys.readouterr().out
    with pytest.raises(ValueError, match="unknown loss"):
        check_gradients(sigmoid_backprop, loss="l1")
    with pytest.raises(ValueError, match="unknown hidden activation"):
        check_gradients(sigmoid_backprop, hidden="elu")


def test_check_gradients_does_not_accept_a_function_that_modifies_params(capsys):
    def modifies(params, X, Y):
        grads = sigmoid_backprop(params, X, Y)
        params[0][0][0, 0] += 1
        return grads

    assert check_gradients(modifies) is False
    assert "modified its argument params" in capsys.readouterr().out


def test_check_activation_derivative(capsys):
    def leaky(z):
        return np.where(z > 0, z, 0.1 * z)

    assert check_activation_derivative(leaky, lambda z: np.where(z > 0, 1.0, 0.1)) is True
    assert check_activation_derivative(np.tanh, lambda z: 1 - np.tanh(z) ** 2) is True
    assert check_activation_derivative(leaky, lambda z: (z > 0).astype(float)) is False
    assert check_activation_derivative(np.tanh, lambda z: 1 - z**2) is False
    assert check_activation_derivative(np.tanh, lambda z: 1.0) is False    # not an array
    out = capsys.readouterr().out
    assert out.count("✓") == 2 and out.count("✗") == 3


# --- never a silent NaN; each argument checked once ------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameters_that_overflow_the_forward_pass_raise(dtype):
    """Issue 12: loss_and_gradients returned (nan, NaN gradients) where compute_loss raised."""
    big = np.finfo(dtype).max / 10
    params = [(np.full((3, 2), big, dtype), np.zeros(3, dtype)),
              (np.full((2, 3), -big, dtype), np.zeros(2, dtype))]
    X, Y = np.ones((4, 2), dtype), np.zeros((4, 2), dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)              # NumPy's overflow warning
        with pytest.raises(ValueError, match=r"forward pass overflowed.*largest \|W\|"):
            loss_and_gradients(params, X, Y, hidden="identity")
        with pytest.raises(ValueError, match="forward pass overflowed"):
            loss_and_gradients(params, X, np.array([0, 1, 0, 1]), hidden="relu",
                               output="softmax", loss="cross_entropy")


def test_a_loss_that_overflows_with_finite_logits_is_the_loss_compute_loss_gives():
    """Finite logits near float32's limit: the binary cross-entropy's sum overflows to inf, as in
    compute_loss, and the gradients (bounded by 1/m) are still computed."""
    params = [(np.full((1, 1), 1e30, np.float32), np.zeros(1, np.float32))]
    X, Y = np.full((4, 1), 1e8, np.float32), np.zeros((4, 1), np.float32)
    kwargs = dict(hidden="relu", output="sigmoid", loss="cross_entropy")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)              # NumPy's overflow warning
        J, [(dW, db)] = loss_and_gradients(params, X, Y, **kwargs)
        assert J == compute_loss(params, X, Y, **kwargs) == np.inf
    np.testing.assert_array_equal(db, [1.0])                        # sigmoid = 1, y = 0: 4 x 1/4
    assert np.isfinite(dW).all()


def test_parameters_that_overflow_the_backward_pass_raise():
    """A finite loss (J ~ 4e306) whose error overflows on its way back through W^(2)."""
    params = [(np.full((3, 2), -2.65), np.zeros(3)), (np.full((1, 3), 2e155), np.zeros(1))]
    X, Y = np.ones((1, 2)), np.zeros((1, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.isfinite(compute_loss(params, X, Y))               # the loss itself is finite
        with pytest.raises(ValueError, match="backward pass overflowed"):
            loss_and_gradients(params, X, Y)


def test_non_finite_parameters_are_named():
    params = init_params([2, 3, 1], seed=0)
    params[1][0][0, 1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(ValueError, match=r"W\^\(2\) or b\^\(2\) contains NaN or infinity"):
            loss_and_gradients(params, np.ones((2, 2)), np.zeros((2, 1)))


def test_softmax_with_one_output_unit_raises():
    """Issue 12: one softmax unit gives loss 0 and zero gradients, silently."""
    params = init_params([3, 4, 1], seed=0)
    X = np.ones((5, 3))
    with pytest.raises(ValueError, match="softmax"):
        loss_and_gradients(params, X, np.zeros(5, dtype=int), output="softmax",
                           loss="cross_entropy")
    with pytest.raises(ValueError, match="softmax"):
        loss_and_gradients(params, X, np.ones((5, 1)), output="softmax", loss="cross_entropy")


def test_each_argument_is_checked_once_per_call(monkeypatch):
    """Issue 12: the training step validates params, X and Y once, not per layer or helper."""
    calls = {}

    def counting(module, name):
        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            calls[name] = calls.get(name, 0) + 1
            return original(*args, **kwargs)
        monkeypatch.setattr(module, name, wrapper)

    forward_module, backprop_module = sys.modules["nnbook.forward"], sys.modules["nnbook.backprop"]
    counting(forward_module, "_check_params")
    counting(forward_module, "_check_X")
    counting(backprop_module, "_check_targets")
    counting(backprop_module, "_loss_and_output_error")
    params = init_params([4, 6, 5, 3], seed=0, dtype=np.float32)
    X = np.ones((8, 4), np.float32)
    loss_and_gradients(params, X, np.arange(8) % 3, hidden="relu", output="softmax",
                       loss="cross_entropy")
    assert calls == {"_check_params": 1, "_check_X": 1, "_check_targets": 1,
                     "_loss_and_output_error": 1}
