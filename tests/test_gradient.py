"""Tests for nnbook.gradient (chapter 2): losses, flattening, numerical gradients, checks."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nnbook import (
    check_numerical_gradient,
    compute_loss,
    count_params,
    flatten_params,
    forward,
    forward_all,
    grade_relative_error,
    gradient_check,
    init_params,
    loss_from_logits,
    numerical_gradient,
    numerical_gradients,
    one_hot,
    relative_error,
    unflatten_params,
)
from nnbook.backprop import loss_and_gradients
from nnbook.gradient import _check_targets, _floor

SOFTMAX_CE = {"output": "softmax", "loss": "cross_entropy"}
SIGMOID_CE = {"output": "sigmoid", "loss": "cross_entropy"}


def naive_softmax_ce(Z, labels):
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    return -np.mean(np.log(P[np.arange(len(Z)), labels]))


def naive_bce(Z, Y):
    S = 1 / (1 + np.exp(-Z))
    return -np.sum(Y * np.log(S) + (1 - Y) * np.log(1 - S)) / len(Z)


# ---------------------------------------------------------------- exact values of the losses


def test_mse_on_a_hand_example():
    tiny = [(np.array([[2.0]]), np.array([0.0]))]                 # yhat = 2x
    X, Y = np.array([[1.0], [3.0]]), np.array([[1.0], [2.0]])     # yhat = 2, 6
    assert compute_loss(tiny, X, Y) == pytest.approx((0.5 * 1 + 0.5 * 16) / 2, abs=1e-15)


def test_mse_sums_over_outputs_and_averages_over_examples():
    Z = np.array([[1.0, 2.0], [3.0, 4.0]])
    Y = np.array([[0.0, 0.0], [1.0, 1.0]])
    assert loss_from_logits(Z, Y) == pytest.approx(0.5 * (1 + 4 + 4 + 9) / 2, abs=1e-15)


def test_mse_applies_the_output_activation():
    Z = np.zeros((3, 2))
    assert loss_from_logits(Z, np.ones((3, 2)), output="sigmoid") == pytest.approx(0.25)
    assert loss_from_logits(-np.ones((1, 1)), np.ones((1, 1)), output="relu") == 0.5
    assert loss_from_logits(Z, np.full((3, 2), 0.5), output="softmax") == 0.0


@pytest.mark.parametrize("k", [2, 3, 7, 10])
def test_cross_entropy_of_a_uniform_softmax_is_log_k(k):
    Z = np.full((4, k), 3.7)
    labels = np.arange(4) % k
    assert loss_from_logits(Z, labels, **SOFTMAX_CE) == pytest.approx(math.log(k), abs=1e-14)
    assert loss_from_logits(Z, one_hot(labels, k), **SOFTMAX_CE) == pytest.approx(math.log(k))


def test_cross_entropy_on_a_hand_example():
    Z = np.array([[0.0, math.log(3.0)]])                          # probabilities 1/4, 3/4
    assert loss_from_logits(Z, np.array([1]), **SOFTMAX_CE) == pytest.approx(-math.log(0.75))
    assert loss_from_logits(Z, np.array([0]), **SOFTMAX_CE) == pytest.approx(math.log(4.0))


def test_cross_entropy_with_probability_rows():
    Z = np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]])
    Y = np.array([[0.8, 0.1, 0.1], [0.0, 0.5, 0.5]])
    logp = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    assert loss_from_logits(Z, Y, **SOFTMAX_CE) == pytest.approx(-np.sum(Y * logp) / 2)


def test_binary_cross_entropy_values():
    Z = np.array([[0.0, 2.0], [2.0, -3.0]])
    Y = np.array([[1, 1], [0, 1]])
    expected = (math.log(2) + math.log1p(math.exp(-2))             # z=0; z=2, y=1
                + 2 + math.log1p(math.exp(-2)) + 3 + math.log1p(math.exp(-3))) / 2
    assert loss_from_logits(Z, Y, **SIGMOID_CE) == pytest.approx(expected, rel=1e-14)
    assert loss_from_logits(Z, Y, **SIGMOID_CE) == pytest.approx(naive_bce(Z, Y), rel=1e-12)
    assert loss_from_logits(Z, Y.astype(bool), **SIGMOID_CE) == pytest.approx(expected)


def test_compute_loss_is_the_loss_of_the_forward_pass():
    rng = np.random.default_rng(0)
    params = init_params([4, 5, 3], seed=1)
    X = rng.normal(size=(6, 4))
    labels = rng.integers(0, 3, size=6)
    Z = forward_all(params, X, hidden="tanh", output="softmax")[0][-1]
    assert compute_loss(params, X, labels, hidden="tanh", **SOFTMAX_CE) == pytest.approx(
        naive_softmax_ce(Z, labels), rel=1e-12)
    Y01 = rng.integers(0, 2, size=(6, 3))
    Z = forward_all(params, X, output="sigmoid")[0][-1]
    assert compute_loss(params, X, Y01, **SIGMOID_CE) == pytest.approx(naive_bce(Z, Y01))
    Y = rng.normal(size=(6, 3))
    E = forward(params, X, hidden="relu", output="tanh") - Y
    assert compute_loss(params, X, Y, hidden="relu", output="tanh") == pytest.approx(
        0.5 * np.sum(E**2) / 6, rel=1e-13)


def test_one_hot():
    Y = one_hot([2, 0, 1, 2])
    np.testing.assert_array_equal(Y, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert Y.dtype == np.float64
    assert one_hot(np.array([1]), 4, dtype=np.float32).dtype == np.float32
    assert one_hot(np.array([1]), 4).shape == (1, 4)
    assert one_hot(np.array([], dtype=int), 3).shape == (0, 3)


def test_the_losses_return_python_floats():
    Z = np.zeros((2, 3), dtype=np.float32)
    for kwargs, Y in [({}, np.zeros((2, 3))), (SOFTMAX_CE, [0, 1]), (SIGMOID_CE, np.ones((2, 3)))]:
        assert type(loss_from_logits(Z, Y, **kwargs)) is float


# -------------------------------------------------- stability and dtypes


@given(st.lists(st.floats(-1e4, 1e4), min_size=6, max_size=6),
       st.sampled_from([np.float32, np.float64]), st.integers(0, 2))
def test_stable_losses_are_finite_for_huge_logits(values, dtype, label):
    Z = (np.array(values).reshape(2, 3) * 1.0).astype(dtype)
    Z[0, 0] = 1e4                                                  # always one huge logit
    Z[1, 2] = -1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")                             # no overflow warning either
        ce = loss_from_logits(Z, np.array([label, label]), **SOFTMAX_CE)
        bce = loss_from_logits(Z, np.eye(2, 3), **SIGMOID_CE)
    assert math.isfinite(ce) and ce >= 0
    assert math.isfinite(bce) and bce >= 0
    Z64 = Z.astype(np.float64)                                     # float32 is as good as it gets
    assert ce == pytest.approx(loss_from_logits(Z64, np.array([label, label]), **SOFTMAX_CE),
                               rel=1e-5, abs=1e-3)
    assert bce == pytest.approx(loss_from_logits(Z64, np.eye(2, 3), **SIGMOID_CE),
                                rel=1e-5, abs=1e-3)


def test_huge_logits_give_the_exact_margin():
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=np.float32)
    assert loss_from_logits(Z, np.array([1, 1]), **SOFTMAX_CE) == pytest.approx(1e4)
    assert loss_from_logits(np.array([[40.0, -800.0]]), np.array([[0, 1]]),
                            **SIGMOID_CE) == pytest.approx(840.0)


def test_float32_is_kept_inside_the_loss():
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(50, 4)).astype(np.float32) * 3
    Y = rng.normal(size=(50, 4))                                   # float64 targets
    E32 = Z - Y.astype(np.float32)
    assert loss_from_logits(Z, Y) == float(np.vdot(E32, E32) / 100)    # bit for bit in float32
    Y01 = rng.integers(0, 2, size=(50, 4))
    per32 = np.maximum(Z, 0) - Z * Y01.astype(np.float32) + np.log1p(np.exp(-np.abs(Z)))
    assert per32.dtype == np.float32
    assert loss_from_logits(Z, Y01, **SIGMOID_CE) == float(per32.sum() / 50)
    params32 = init_params([4, 3, 4], seed=0, dtype=np.float32)
    params64 = [(W.astype(np.float64), b.astype(np.float64)) for W, b in params32]
    X = rng.normal(size=(50, 4))
    J32, J64 = compute_loss(params32, X, Y), compute_loss(params64, X, Y)
    assert J32 == pytest.approx(J64, rel=1e-5) and J32 != J64


@given(st.integers(1, 6), st.integers(2, 6), st.integers(0, 10**6))
def test_cross_entropy_with_labels_equals_with_one_hot(m, k, seed):
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=5, size=(m, k))
    labels = rng.integers(0, k, size=m)
    assert loss_from_logits(Z, labels, **SOFTMAX_CE) == pytest.approx(
        loss_from_logits(Z, one_hot(labels, k), **SOFTMAX_CE), rel=1e-12, abs=1e-14)


def test_targets_come_back_unchanged():
    Y = np.array([[0.0, 1.0]], dtype=np.float32)
    assert _check_targets(Y, 1, 2, "identity", "mse") is Y
    labels = np.array([1, 0], dtype=np.int8)
    assert _check_targets(labels, 2, 3, "softmax", "cross_entropy") is labels


# -------------------------------------------------- clear errors for bad targets and names


@pytest.mark.parametrize("labels, message", [
    ([0, 4, 1], r"label 1 is 4, outside the k = 4 classes 0 \.\. 3"),
    ([0, -1, 1], r"label 1 is -1, outside"),
])
def test_labels_out_of_range(labels, message):
    with pytest.raises(ValueError, match=message):
        loss_from_logits(np.zeros((3, 4)), np.array(labels), **SOFTMAX_CE)
    with pytest.raises(ValueError, match=message):
        one_hot(labels, 4)


@pytest.mark.parametrize("Y, kwargs, message", [
    (np.zeros(3), {}, r"Y has shape \(3,\), but loss='mse'.*needs shape \(m, k\) = \(3, 2\)"),
    (np.zeros((3, 3)), {}, r"Y has shape \(3, 3\).*\(3, 2\)"),
    (np.zeros((2, 2)), {}, r"Y has shape \(2, 2\).*m = 3 examples"),
    (np.zeros((3, 1)), SOFTMAX_CE, r"integer labels of shape \(3,\) or one-hot rows"),
    (np.array([0, 1]), SOFTMAX_CE, r"Y holds 2 labels, but the batch has m = 3 examples"),
    (np.array([0, 1, 1]), {}, r"one_hot\(Y, 2\)"),
    (np.zeros(3, dtype=int), SIGMOID_CE, r"Y has shape \(3,\)"),
])
def test_wrong_target_shapes(Y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        loss_from_logits(np.zeros((3, 2)), Y, **kwargs)


def test_single_output_targets_need_a_column():
    with pytest.raises(ValueError, match=r"pass Y.reshape\(-1, 1\)"):
        loss_from_logits(np.zeros((4, 1)), np.zeros(4))


def test_unknown_loss_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; valid losses: 'mse', "
                                         r"'cross_entropy'"):
        loss_from_logits(np.zeros((2, 2)), np.zeros((2, 2)), loss="hinge")
    with pytest.raises(ValueError, match="unknown loss"):
        compute_loss(init_params([2, 2]), np.zeros((1, 2)), np.zeros((1, 2)), loss="MSE")


@pytest.mark.parametrize("output", ["identity", "relu", "tanh"])
def test_cross_entropy_needs_softmax_or_sigmoid(output):
    message = r"output='softmax'.*output='sigmoid'"
    with pytest.raises(ValueError, match=rf"loss='cross_entropy'.*output='{output}'.*{message}"):
        loss_from_logits(np.zeros((2, 2)), np.array([0, 1]), output=output, loss="cross_entropy")
    with pytest.raises(ValueError, match="Valid pairs"):
        compute_loss(init_params([2, 2]), np.zeros((2, 2)), np.array([0, 1]), output=output,
                     loss="cross_entropy")


def test_unknown_output_activation():
    with pytest.raises(ValueError, match="unknown output activation 'softmx'"):
        loss_from_logits(np.zeros((2, 2)), np.zeros((2, 2)), output="softmx")


def test_empty_batch():
    with pytest.raises(ValueError, match="empty"):
        loss_from_logits(np.zeros((0, 3)), np.zeros((0, 3)))
    with pytest.raises(ValueError, match="0 rows"):
        compute_loss(init_params([2, 3]), np.zeros((0, 2)), np.zeros((0, 3)))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_targets(bad):
    Y = np.zeros((3, 2))
    Y[2, 1] = bad
    with pytest.raises(ValueError, match=rf"Y\[2, 1\] is {bad}: targets must be finite"):
        loss_from_logits(np.zeros((3, 2)), Y)
    with pytest.raises(ValueError, match=r"Y\[2, 1\]"):
        compute_loss(init_params([2, 2]), np.zeros((3, 2)), Y, **SOFTMAX_CE)


def test_non_finite_logits():
    Z = np.zeros((2, 2))
    Z[1, 0] = np.inf
    with pytest.raises(ValueError, match="Z contains NaN or infinity"):
        loss_from_logits(Z, np.array([0, 1]), **SOFTMAX_CE)


def test_binary_targets_must_be_0_or_1():
    with pytest.raises(ValueError, match=r"targets 0 or 1, but Y\[0, 1\] is 0.5"):
        loss_from_logits(np.zeros((2, 2)), np.array([[1, 0.5], [0, 1]]), **SIGMOID_CE)


def test_probability_rows_must_be_probabilities():
    with pytest.raises(ValueError, match="row 1 sums to 2, not 1"):
        loss_from_logits(np.zeros((2, 2)), np.array([[1.0, 0.0], [1.0, 1.0]]), **SOFTMAX_CE)
    with pytest.raises(ValueError, match=r"Y\[0, 0\] is -0.5"):
        loss_from_logits(np.zeros((2, 2)), np.array([[-0.5, 1.5], [1.0, 0.0]]), **SOFTMAX_CE)


def test_bad_types():
    with pytest.raises(TypeError, match="class labels, which must be integers"):
        loss_from_logits(np.zeros((2, 2)), np.array([0.0, 1.0]), **SOFTMAX_CE)
    with pytest.raises(TypeError, match="labels must be integers"):
        one_hot([0.0, 1.0])
    with pytest.raises(TypeError, match="Y must hold numbers"):
        loss_from_logits(np.zeros((1, 1)), np.array([["a"]]))
    with pytest.raises(TypeError, match="Z must be a float32 or float64 NumPy array"):
        loss_from_logits(np.zeros((2, 2), dtype=int), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"Z must be 2-D.*shape \(4,\)"):
        loss_from_logits(np.zeros(4), np.zeros(4))
    with pytest.raises(ValueError, match=r"k \(the number of classes\) must be an integer >= 1"):
        one_hot([0, 1], 0)
    with pytest.raises(ValueError, match="1-D"):
        one_hot([[0, 1]])


# -------------------------------------------------- flattening


layer_sizes = st.lists(st.integers(1, 6), min_size=2, max_size=5)


@given(layer_sizes, st.sampled_from([np.float32, np.float64]), st.integers(0, 1000))
def test_flatten_unflatten_round_trip(sizes, dtype, seed):
    params = init_params(sizes, seed=seed, dtype=dtype, init=1.0)
    for _, b in params:
        b += 0.5
    theta = flatten_params(params)
    assert theta.shape == (count_params(sizes),) and theta.dtype == dtype
    back = unflatten_params(theta, params)
    assert len(back) == len(params)
    for (W, b), (W2, b2) in zip(params, back, strict=True):
        assert W2.dtype == dtype and b2.dtype == dtype
        np.testing.assert_array_equal(W2, W)
        np.testing.assert_array_equal(b2, b)
        assert not np.shares_memory(W2, theta) and not np.shares_memory(b2, theta)
        assert not np.shares_memory(W2, W)
    np.testing.assert_array_equal(flatten_params(back), theta)


def test_flatten_order_is_W1_rows_b1_W2_b2():
    params = [(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([5.0, 6.0])),
              (np.array([[7.0, 8.0]]), np.array([9.0]))]
    np.testing.assert_array_equal(flatten_params(params), np.arange(1.0, 10.0))


def test_flatten_and_unflatten_return_new_arrays():
    params = init_params([2, 3, 1], seed=0)
    theta = flatten_params(params)
    theta[0] = 42.0
    assert params[0][0][0, 0] != 42.0                              # flatten copied
    back = unflatten_params(theta, params)
    theta[0] = -1.0
    assert back[0][0][0, 0] == 42.0                                # unflatten copied
    back[0][0][0, 0] = 7.0
    assert theta[0] == -1.0


def test_unflatten_takes_values_and_dtype_from_theta():
    params = init_params([2, 2], seed=0, dtype=np.float32)
    back = unflatten_params(np.arange(6.0), params)
    assert back[0][0].dtype == np.float64
    np.testing.assert_array_equal(back[0][0], [[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_array_equal(back[0][1], [4.0, 5.0])


def test_unflatten_wrong_length_counts_the_parameters():
    params = init_params([3, 3, 1], seed=0)
    with pytest.raises(ValueError, match=r"theta has 15 entries, but parameters shaped like "
                                         r"`like` have P = 3\*3 \+ 3 \+ 1\*3 \+ 1 = 16"):
        unflatten_params(np.zeros(15), params)
    with pytest.raises(ValueError, match="theta must be 1-D"):
        unflatten_params(np.zeros((4, 4)), params)
    with pytest.raises(ValueError, match="NaN or infinity"):
        unflatten_params(np.full(16, np.nan), params)
    with pytest.raises(TypeError, match="list of"):
        flatten_params(np.zeros(3))


# -------------------------------------------------- numerical gradients


@given(st.integers(1, 8), st.integers(0, 10**6))
def test_numerical_gradient_of_a_quadratic(P, seed):
    rng = np.random.default_rng(seed)
    B = rng.uniform(-3, 3, size=(P, P))
    A = (B + B.T) / 2
    theta = rng.uniform(-3, 3, size=P)
    before = theta.copy()
    g = numerical_gradient(lambda v: 0.5 * v @ A @ v, theta)
    np.testing.assert_allclose(g, A @ theta, rtol=0, atol=1e-8)
    np.testing.assert_array_equal(theta, before)


def test_numerical_gradient_of_any_shape():
    T = np.arange(6.0).reshape(2, 3)
    g = numerical_gradient(lambda v: np.sum(v**3), T)
    assert g.shape == (2, 3)
    np.testing.assert_allclose(g, 3 * T**2, atol=1e-8)


def test_numerical_gradient_perturbs_one_entry_at_a_time():
    theta = np.array([1.0, 2.0, 3.0, 4.0])
    seen = []

    def f(v):
        seen.append(np.count_nonzero(v != theta))
        return float(np.sum(np.sin(v)))

    numerical_gradient(f, theta)
    assert seen == [1] * 8                                         # each entry restored


def test_numerical_gradient_leaves_theta_alone_even_when_f_raises():
    theta = np.array([1.0, 2.0, 3.0])
    calls = []

    def f(v):
        calls.append(v.copy())
        if len(calls) == 3:
            raise RuntimeError("boom")
        return float(v.sum())

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, theta)
    np.testing.assert_array_equal(theta, [1.0, 2.0, 3.0])


def test_numerical_gradient_warns_for_float32_and_keeps_its_dtype():
    with pytest.warns(UserWarning, match="float32.*check gradients in float64"):
        g = numerical_gradient(lambda v: float(np.sum(v * v)), np.ones(3, dtype=np.float32))
    assert g.dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        numerical_gradient(lambda v: float(np.sum(v)), np.ones(3))   # float64: no warning


def test_numerical_gradient_errors():
    with pytest.raises(TypeError, match="array of floats"):
        numerical_gradient(lambda v: 0.0, np.arange(3))
    for eps in (0, -1e-5, np.nan, np.inf, "1e-5", True):
        with pytest.raises(ValueError, match="eps must be a positive finite number"):
            numerical_gradient(lambda v: 0.0, np.ones(2), eps=eps)
    with pytest.raises(TypeError, match=r"f must return one number.*shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(2))
    with pytest.raises(ValueError, match=r"f returned nan at theta\[0\] \+ eps"):
        numerical_gradient(lambda v: np.nan, np.ones(2))
    assert numerical_gradient(lambda v: np.array([[v.sum()]]), np.ones(2)) == pytest.approx(1.0)


def linear_gradient(params, X, Y):
    (W, b), = params
    E = X @ W.T + b - Y
    return [(E.T @ X / len(X), E.sum(axis=0) / len(X))]


def test_numerical_gradients_of_a_linear_model():
    rng = np.random.default_rng(0)
    params = init_params([3, 2], seed=1, dtype=np.float32)
    params[0][1][:] = [0.5, -0.3]
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 2))
    before = flatten_params(params)
    grads = numerical_gradients(params, X, Y)
    assert grads[0][0].shape == (2, 3) and grads[0][1].shape == (2,)
    assert grads[0][0].dtype == np.float64                         # a float64 reference
    params64 = [(W.astype(np.float64), b.astype(np.float64)) for W, b in params]
    assert relative_error(grads, linear_gradient(params64, X, Y)) < 1e-8
    np.testing.assert_array_equal(flatten_params(params), before)


def test_numerical_gradients_of_cross_entropy_logits():
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(5, 4))
    labels = rng.integers(0, 4, size=5)
    numeric = numerical_gradient(lambda z: loss_from_logits(z, labels, **SOFTMAX_CE), Z)
    P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
    assert relative_error((P - one_hot(labels, 4)) / 5, numeric) < 1e-7


# -------------------------------------------------- relative error and gradient checks


def test_relative_error_values():
    assert relative_error(np.array([1.0, -2.0, 0.0]), np.array([1.0, -2.0, 0.0])) == 0.0
    assert relative_error([1.0, 1e-7], [1.0, 2e-7], floor=0) == pytest.approx(0.5)
    assert relative_error(np.array([3.0]), np.array([-3.0])) == 2.0
    assert relative_error(np.array([0.0]), np.array([1e-300]), floor=0) == 1.0
    assert relative_error(np.zeros(0), np.zeros(0)) == 0.0
    # below the floor, entries count by their absolute difference: 1e-7 / tau
    tau = _floor()                                      # for a loss <= 1 and eps = 1e-5
    assert tau == pytest.approx(1e3 * 2.0**-53 / 1e-5 / 1e-7) and 0.1 < tau < 0.12
    assert relative_error([1.0, 1e-7], [1.0, 2e-7]) == pytest.approx(1e-7 / tau)
    assert relative_error([1.0, 0.5], [1.0, 0.6], floor=0.3) == pytest.approx(0.1 / 0.6)
    assert relative_error([1.0, 0.05], [1.0, 0.06], floor=0.3) == pytest.approx(0.01 / 0.3)
    for floor in (-1.0, np.nan, np.inf):
        with pytest.raises(ValueError, match="floor must be a finite number >= 0"):
            relative_error([1.0], [1.0], floor=floor)


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8), st.integers(0, 1000))
def test_relative_error_is_symmetric_and_bounded(values, seed):
    a = np.array(values)
    n = a + np.random.default_rng(seed).normal(size=a.size)
    r = relative_error(a, n)
    assert r == relative_error(n, a)
    assert 0.0 <= r <= 2.0
    assert relative_error(a, a) == 0.0


def test_relative_error_of_parameter_lists():
    grads = [(np.ones((2, 3)), np.ones(2)), (np.ones((1, 2)), np.ones(1))]
    other = [(np.ones((2, 3)), np.ones(2)), (np.ones((1, 2)), np.array([1.5]))]
    assert relative_error(grads, other) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="same shape"):
        relative_error(grads, [(np.ones((3, 2)), np.ones(2)), (np.ones((1, 2)), np.ones(1))])
    with pytest.raises(ValueError, match="same shape"):
        relative_error(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="non-finite entry at flat index 1"):
        relative_error(np.array([1.0, np.nan]), np.ones(2))


@pytest.mark.parametrize("r, start", [(0.0, "good"), (1e-8, "good"), (1e-7, "good"),
                                      (1e-5, "fine if the loss has kinks"),
                                      (1e-3, "doubtful"), (0.5, "wrong"), (np.nan, "wrong")])
def test_grade_relative_error(r, start):
    assert grade_relative_error(r).startswith(start)


def test_gradient_check_right_and_wrong(capsys):
    A = np.array([[2.0, 1.0], [1.0, 3.0]])
    theta = np.array([0.5, -1.5])

    def f(v):
        return 0.5 * v @ A @ v

    r = gradient_check(f, theta, A @ theta, verbose=True)
    assert r < 1e-9
    assert capsys.readouterr().out == "relative error below 1e-07: good\n"     # no unstable digits
    r = gradient_check(f, theta, A @ theta * np.array([1.0, 2.0]), verbose=True)
    assert r > 0.4
    out = capsys.readouterr().out
    assert "wrong" in out and "worst at theta[1]" in out
    assert gradient_check(f, theta, A @ theta) < 1e-9
    assert capsys.readouterr().out == ""


def test_gradient_check_of_a_network_with_parameter_lists():
    rng = np.random.default_rng(2)
    params = init_params([3, 2], seed=0)
    X, Y = rng.normal(size=(8, 3)), rng.normal(size=(8, 2))

    def J(v):
        return compute_loss(unflatten_params(v, params), X, Y)

    assert gradient_check(J, flatten_params(params), linear_gradient(params, X, Y)) < 1e-7
    with pytest.raises(ValueError, match="grad has 7 entries, but theta has 8"):
        gradient_check(J, flatten_params(params), np.zeros(7))


# -------------------------------------------------- the checker for readers' code


def my_centered(f, theta, eps=1e-5):
    g = np.zeros_like(theta)
    for p in range(theta.size):
        plus, minus = theta.copy(), theta.copy()
        plus[p] += eps
        minus[p] -= eps
        g[p] = (f(plus) - f(minus)) / (2 * eps)
    return g


def test_check_numerical_gradient_accepts_a_right_one(capsys):
    assert check_numerical_gradient(my_centered) is True
    assert check_numerical_gradient(numerical_gradient) is True
    assert capsys.readouterr().out.startswith("✓ my_centered agrees with nnbook.numerical_gradient")


def test_check_numerical_gradient_recognizes_forward_differences(capsys):
    def forward_differences(f, theta, eps=1e-5):
        g = np.zeros_like(theta)
        for p in range(theta.size):
            step = theta.copy()
            step[p] += eps
            g[p] = (f(step) - f(theta)) / eps
        return g

    assert check_numerical_gradient(forward_differences) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ forward_differences disagrees") and "forward difference" in out


def test_check_numerical_gradient_recognizes_a_missing_2(capsys):
    def without_the_2(f, theta, eps=1e-5):
        return my_centered(f, theta, eps) * 2

    assert check_numerical_gradient(without_the_2) is False
    assert "divide by 2 eps" in capsys.readouterr().out


def test_check_numerical_gradient_catches_a_modified_theta(capsys):
    def restores_by_arithmetic(f, theta, eps=1e-5):
        g = np.zeros_like(theta)
        for p in range(theta.size):
            theta[p] += eps
            f_plus = f(theta)
            theta[p] -= 2 * eps
            g[p] = (f_plus - f(theta)) / (2 * eps)
            theta[p] += eps                  # x + eps - 2 eps + eps is not always x
        return g

    assert check_numerical_gradient(restores_by_arithmetic) is False
    assert "modified its argument theta" in capsys.readouterr().out


def test_check_numerical_gradient_reports_an_exception(capsys):
    def broken(f, theta):
        raise IndexError("off by one")

    assert check_numerical_gradient(broken) is False
    assert "raised IndexError" in capsys.readouterr().out


def test_relative_error_of_nested_lists_is_elementwise():
    a = [[1.0, 2.0], [3.0, 4.0]]
    assert relative_error(a, np.array([[1.0, 2.0], [3.0, 4.5]])) == pytest.approx(0.5 / 4.5)
    assert relative_error(a, np.array([[1, 2], [3, 4.5]]), floor=9.0) == pytest.approx(0.5 / 9)


def test_the_losses_leave_their_inputs_alone():
    rng = np.random.default_rng(4)
    params = init_params([3, 4, 3], seed=0)
    X = rng.normal(size=(5, 3))
    Z = rng.normal(size=(5, 3))
    labels = rng.integers(0, 3, size=5)
    Y = one_hot(labels, 3)
    copies = [flatten_params(params), X.copy(), Z.copy(), labels.copy(), Y.copy()]
    for kwargs, targets in [({}, Y), (SOFTMAX_CE, labels), (SOFTMAX_CE, Y), (SIGMOID_CE, Y)]:
        compute_loss(params, X, targets, **kwargs)
        loss_from_logits(Z, targets, **kwargs)
    for before, after in zip(copies, [flatten_params(params), X, Z, labels, Y], strict=True):
        np.testing.assert_array_equal(before, after)


# -------------------------------------------------- issue 12: clear errors, never a silent 0 or NaN


def test_numerical_gradient_refuses_float16():
    # float16 keeps ~3 digits: 1 + 1e-5 rounds back to 1, and a gradient of 2 came out as 0
    with pytest.raises(TypeError, match=r"float16, which cannot resolve the step.*float64"):
        numerical_gradient(lambda v: float(np.sum(v * v)), np.ones(2, dtype=np.float16))


@pytest.mark.parametrize("theta, eps, cure", [(np.full(2, 1e4, dtype=np.float32), 1e-5, "float64"),
                                              (np.ones(3), 1e-300, "a larger eps")])
def test_numerical_gradient_step_below_the_resolution(theta, eps, cure):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                 # the float32 warning
        with pytest.raises(ValueError, match=rf"below the resolution.*theta\[0\].*use {cure}"):
            numerical_gradient(lambda v: float(np.sum(v)), theta, eps=eps)


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_numerical_gradient_non_finite_theta(bad):
    with pytest.raises(ValueError, match="theta contains NaN or infinity"):
        numerical_gradient(lambda v: 1.0, np.array([1.0, bad]))


def test_softmax_with_one_output_unit_is_an_error():
    message = r"softmax over k = 1 output unit always outputs 1.*output='sigmoid'"
    params = init_params([2, 1], seed=0)
    X = np.ones((3, 2))
    for Y in (np.zeros(3, dtype=int), np.ones((3, 1))):
        with pytest.raises(ValueError, match=message):
            loss_from_logits(np.zeros((3, 1)), Y, **SOFTMAX_CE)
        with pytest.raises(ValueError, match=message):
            compute_loss(params, X, Y, **SOFTMAX_CE)
        with pytest.raises(ValueError, match=message):
            loss_and_gradients(params, X, Y, **SOFTMAX_CE)
    assert compute_loss(params, X, np.ones((3, 1)), **SIGMOID_CE) > 0     # what to use instead


@pytest.mark.parametrize("Z, Y", [(np.full((2, 1), 1e200), np.zeros((2, 1))),
                                  (np.full((2, 1), 1e20, dtype=np.float32), np.zeros((2, 1))),
                                  (np.zeros((2, 1)), np.full((2, 1), 1e308))])
def test_an_overflowing_squared_error_is_an_error_not_inf(Z, Y):
    with pytest.raises(ValueError, match=r"squared error overflows float(32|64)"):
        loss_from_logits(Z, Y)


def test_compute_loss_of_huge_parameters_is_an_error():
    params = [(W * 1e300, b) for W, b in init_params([2, 3, 1], seed=0)]
    with pytest.raises(ValueError, match="overflows"):
        compute_loss(params, np.ones((4, 2)), np.ones((4, 1)))
    with pytest.raises(ValueError, match="below the resolution of float64"):
        numerical_gradients(params, np.ones((4, 2)), np.ones((4, 1)))    # 1e300 + 1e-5 == 1e300


# -------------------------------------------------- issue 13: a gradient check without false alarms

PAIRS_FOR_CHECKS = [("identity", "mse"), ("sigmoid", "mse"), ("tanh", "mse"),
                    ("softmax", "cross_entropy"), ("sigmoid", "cross_entropy")]


def deep_network(sizes, init, hidden, output, loss, seed, m=5):
    """A random network with nonzero biases, a batch, targets: (params, J, gradient, J(theta))."""
    rng = np.random.default_rng(seed)
    params = init_params(sizes, seed=rng, init=init)
    for _, b in params:
        b[:] = 0.1 * rng.standard_normal(b.shape)
    X = rng.standard_normal((m, sizes[0]))
    k = sizes[-1]
    Y = (rng.integers(0, k, size=m) if output == "softmax" else
         rng.integers(0, 2, size=(m, k)).astype(float) if loss == "cross_entropy" else
         rng.standard_normal((m, k)))
    kwargs = dict(hidden=hidden, output=output, loss=loss)
    J, grads = loss_and_gradients(params, X, Y, **kwargs)

    def f(theta):
        return compute_loss(unflatten_params(theta, params), X, Y, **kwargs)

    return params, J, flatten_params(grads), f


@pytest.mark.parametrize("sizes, init, hidden", [
    ([4, 5, 5, 5, 2], "small", "sigmoid"), ([4, 6, 6, 6, 6, 6, 2], "small", "sigmoid"),
    ([4, 6, 6, 6, 6, 6, 2], "small", "tanh"), ([4, 6, 6, 6, 6, 6, 2], "xavier", "sigmoid"),
    ([4, 6, 6, 6, 6, 6, 2], "xavier", "tanh"), ([4, 6, 6, 6, 6, 6, 2], "he", "sigmoid"),
    ([4, 6, 6, 6, 6, 6, 2], "he", "tanh")])
def test_correct_gradients_of_the_issue_networks_are_good(sizes, init, hidden):
    params, J, a, f = deep_network(sizes, init, hidden, "softmax", "cross_entropy", seed=0)
    theta = flatten_params(params)
    r = gradient_check(f, theta, a)
    assert grade_relative_error(r) == "good" and r < 1e-8
    n = numerical_gradient(f, theta)
    assert relative_error(a, n, floor=_floor(J)) == pytest.approx(r)  # gradient_check's floor
    if init == "small" and len(sizes) == 7:                           # the old false alarm
        assert relative_error(a, n, floor=0) > 1e-2


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(3, 7), width=st.integers(2, 7),
       init=st.sampled_from(["small", "xavier", "he"]), hidden=st.sampled_from(["sigmoid", "tanh"]),
       pair=st.sampled_from(PAIRS_FOR_CHECKS))
def test_correct_gradients_of_random_deep_networks_are_good(seed, depth, width, init, hidden, pair):
    sizes = [4] + [width] * (depth - 2) + [3]
    params, J, a, f = deep_network(sizes, init, hidden, *pair, seed=seed)
    r = gradient_check(f, flatten_params(params), a)
    assert grade_relative_error(r) == "good", (r, J)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), depth=st.integers(3, 6), width=st.integers(2, 6),
       init=st.sampled_from(["small", "xavier", "he"]), hidden=st.sampled_from(["sigmoid", "tanh"]),
       pair=st.sampled_from(PAIRS_FOR_CHECKS), factor=st.sampled_from([0.9, 0.97, 1.02, 1.05]),
       pick=st.floats(0, 1))
def test_one_corrupted_entry_is_flagged(seed, depth, width, init, hidden, pair, factor, pick):
    sizes = [4] + [width] * (depth - 2) + [3]
    params, J, a, f = deep_network(sizes, init, hidden, *pair, seed=seed)
    # measurable entries: a 2% error in them exceeds the floor's allowance 1e-7 tau
    measurable = np.flatnonzero(np.abs(a) >= 1e-5 * max(abs(J), 1.0))
    assume(measurable.size > 0)
    p = measurable[int(pick * (measurable.size - 1))]
    corrupted = a.copy()
    corrupted[p] *= factor
    n = numerical_gradient(f, flatten_params(params))
    r = gradient_check(f, flatten_params(params), corrupted)
    assert grade_relative_error(r) != "good"
    assert r == pytest.approx(relative_error(corrupted, n, floor=_floor(J)))
    if abs(a[p]) >= _floor(J):                                        # a large entry: "wrong"
        assert r > 1e-2


def test_the_floor_follows_the_loss_and_the_step():
    assert _floor(0.01) == _floor(1.0) == pytest.approx(_floor(), rel=0)
    assert _floor(10.0) == pytest.approx(10 * _floor(1.0))
    assert _floor(1.0, eps=1e-4) == pytest.approx(_floor(1.0) / 10)
    # a loss scaled by 1000 is checked as well as the loss itself
    params, J, a, f = deep_network([4, 6, 6, 6, 2], "xavier", "tanh", "identity", "mse", seed=3)
    theta = flatten_params(params)
    assert gradient_check(lambda v: 1000 * f(v), theta, 1000 * a) < 1e-7


# --- issue cases: ragged lists, a huge k, LSTM parameters -----------------------------------

@pytest.mark.parametrize("fn", [
    lambda: relative_error([[1.0, 2.0], [3.0]], [1.0, 2.0]),
    lambda: gradient_check(lambda t: float(np.sum(t ** 2)), np.array([1.0, 2.0]),
                           [[1.0, 2.0], [3.0]]),
])
def test_ragged_lists_refused_clearly(fn):
    with pytest.raises(ValueError, match="a list of equal-length rows; got a ragged list"):
        fn()


def test_one_hot_refuses_a_k_that_would_fill_memory():
    with pytest.raises(ValueError, match=r"k = 1000000000000 classes for 2 labels would make"):
        one_hot(np.array([0, 1]), 10**12)
    with pytest.raises(TypeError, match=r"k \(the number of classes\) must be an integer"):
        one_hot(np.array([0, 1]), 2.0)
    assert one_hot(np.array([0, 1]), 10).shape == (2, 10)


def test_relative_error_floor_checked():
    with pytest.raises(ValueError, match="floor must be a finite number >= 0, got -1.0"):
        relative_error([1.0], [1.0], floor=-1.0)
    with pytest.raises(TypeError, match="floor must be a number, got a str"):
        relative_error([1.0], [1.0], floor="0")


def test_flatten_params_takes_lstm_and_rnn_params():
    from nnbook import lstm_init, rnn_init
    for params in (lstm_init(2, 3, 1, seed=0), rnn_init(2, 3, 1, seed=0)):
        theta = flatten_params(params)
        assert theta.size == sum(a.size for pair in params for a in pair)
        back = unflatten_params(theta, params)
        assert all(np.array_equal(a, c) for p, q in zip(params, back, strict=True)
                   for a, c in zip(p, q, strict=True))
