"""Tests for nnbook.forward (chapter 1): parameters, activations, the forward pass, its checker."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnbook
from nnbook._checks import (
    _check_params,
    _check_X,
    _compare_on_cases,
    _first_difference,
    _verdict,
)
from nnbook.forward import _check_activation

FLOATS = [np.float32, np.float64]
HIDDEN = ["sigmoid", "tanh", "relu", "identity"]
OUTPUT = HIDDEN + ["softmax"]


def network(sizes, seed=0, dtype=np.float64):
    """Parameters with random, nonzero biases (init_params makes them zero)."""
    rng = np.random.default_rng(seed)
    params = nnbook.init_params(sizes, seed=rng, dtype=dtype, init=1.0)
    for _, b in params:
        b[:] = rng.standard_normal(b.shape)
    return params


def loop_forward(params, X, hidden, output):
    """One example at a time, as a column vector: z = W a + b, a = f(z)."""
    rows = []
    for x in X:
        a = x.reshape(-1, 1)
        for l, (W, b) in enumerate(params, start=1):
            z = W @ a + b.reshape(-1, 1)
            name = output if l == len(params) else hidden
            a = nnbook.ACTIVATIONS[name](z.T).T  # softmax works along rows
        rows.append(a.ravel())
    return np.array(rows)


# --- exact values -----------------------------------------------------------------------------


def test_a_hand_computed_3_3_1_network():
    W1 = [[0.1, -0.2, 0.3], [0.0, 0.5, -0.5], [1.0, 1.0, 1.0]]
    b1 = [0.1, 0.2, -3.0]
    W2 = [[1.0, -2.0, 0.5]]
    b2 = [0.25]
    x = [1.0, 2.0, 3.0]
    # by hand, with the math module only
    a2 = [1 / (1 + math.exp(-(sum(w * xi for w, xi in zip(row, x, strict=True)) + b)))
          for row, b in zip(W1, b1, strict=True)]
    expected = sum(w * a for w, a in zip(W2[0], a2, strict=True)) + b2[0]
    params = [(np.array(W1), np.array(b1)), (np.array(W2), np.array(b2))]
    out = nnbook.forward(params, np.array([x]))
    assert out.shape == (1, 1)
    assert out[0, 0] == pytest.approx(expected, rel=1e-12)
    # z^(2) = W^(1) x + b^(1) = [0.1 - 0.4 + 0.9 + 0.1, 1 - 1.5 + 0.2, 6 - 3] = [0.7, -0.3, 3]
    Z, A = nnbook.forward_all(params, np.array([x]))
    np.testing.assert_allclose(Z[0], [[0.7, -0.3, 3.0]], atol=1e-12)


def test_activation_values():
    np.testing.assert_allclose(nnbook.sigmoid(np.array([0.0, math.log(3), -math.log(3)])),
                               [0.5, 0.75, 0.25])
    np.testing.assert_allclose(nnbook.tanh(np.array([0.0, math.atanh(0.5)])), [0.0, 0.5])
    np.testing.assert_array_equal(nnbook.relu(np.array([-2.0, 0.0, 3.5])), [0.0, 0.0, 3.5])
    z = np.array([1.5, -2.0])
    assert nnbook.identity(z) is z
    np.testing.assert_allclose(nnbook.softmax(np.log([[1.0, 2.0, 3.0]])), [[1 / 6, 2 / 6, 3 / 6]])


@given(st.sampled_from(FLOATS), st.integers(0, 2), st.data())
def test_relu_is_max_with_zero_bit_for_bit(dtype, ndim, data):
    """relu compares with a row of zeros for speed: the same numbers as np.maximum(z, 0), NaN,
    infinities and signed zeros included, in place or not, in any number of dimensions."""
    from hypothesis.extra.numpy import array_shapes, arrays

    z = data.draw(arrays(dtype, array_shapes(min_dims=ndim, max_dims=ndim, min_side=0),
                         elements=st.floats(width=np.finfo(dtype).bits)))
    expected = np.maximum(z, z.dtype.type(0))  # a 0-D float32 z stays float32 on NumPy 1 too
    got = nnbook.relu(z)
    assert got.dtype == dtype and got.shape == z.shape
    assert got.tobytes() == expected.tobytes()
    nnbook.relu(z, out=z)
    assert z.tobytes() == expected.tobytes()


def test_derivative_values():
    np.testing.assert_allclose(nnbook.sigmoid_derivative(np.array([0.0, math.log(3)])),
                               [0.25, 0.75 * 0.25])
    np.testing.assert_allclose(nnbook.tanh_derivative(np.array([0.0, math.atanh(0.5)])),
                               [1.0, 0.75])
    np.testing.assert_array_equal(nnbook.relu_derivative(np.array([-1.0, 0.0, 2.0])), [0, 0, 1])
    np.testing.assert_array_equal(nnbook.identity_derivative(np.zeros((2, 3))), np.ones((2, 3)))
    assert set(nnbook.DERIVATIVES) == set(nnbook.HIDDEN_ACTIVATIONS)


def test_activations_convert_integers_and_work_in_place():
    assert nnbook.sigmoid(np.array([0, 1])).dtype == np.float64
    assert nnbook.relu([-1, 2]).tolist() == [0.0, 2.0]
    for name in OUTPUT:
        z = np.array([[0.5, -1.0, 2.0]])
        expected = nnbook.ACTIVATIONS[name](z.copy())
        out = nnbook.ACTIVATIONS[name](z, out=z)
        assert out is z
        np.testing.assert_allclose(z, expected)


def test_softmax_rows_sum_to_one():
    Z = np.random.default_rng(0).normal(scale=5, size=(7, 4))
    A = nnbook.softmax(Z)
    np.testing.assert_allclose(A.sum(axis=1), np.ones(7))
    assert (A > 0).all()
    np.testing.assert_allclose(nnbook.softmax(Z[0]), A[0])  # one example as a 1-D row


def test_count_params():
    assert nnbook.count_params([3, 3, 1]) == 3 * 4 + 1 * 4 == 16
    assert nnbook.count_params([784, 100, 10]) == 79510
    params = nnbook.init_params([5, 7, 7, 2], seed=1)
    assert nnbook.count_params(params) == sum(W.size + b.size for W, b in params)
    assert nnbook.count_params(params) == nnbook.count_params([5, 7, 7, 2])


# --- init_params ------------------------------------------------------------------------------


def test_init_params_shapes_zero_biases_and_seed():
    params = nnbook.init_params([3, 4, 2], seed=7)
    assert [(W.shape, b.shape) for W, b in params] == [((4, 3), (4,)), ((2, 4), (2,))]
    assert all((b == 0).all() for _, b in params)
    again = nnbook.init_params([3, 4, 2], seed=7)
    assert all(np.array_equal(W, V) for (W, _), (V, _) in zip(params, again, strict=True))
    other = nnbook.init_params([3, 4, 2], seed=8)
    assert not np.array_equal(params[0][0], other[0][0])
    rng = np.random.default_rng(3)
    nnbook.init_params([2, 2], seed=rng)  # a Generator is used as it is, and advances
    assert not np.array_equal(nnbook.init_params([2, 2], seed=rng)[0][0],
                              nnbook.init_params([2, 2], seed=np.random.default_rng(3))[0][0])


@pytest.mark.parametrize("init, std", [("small", 0.01), ("xavier", math.sqrt(2 / 800)),
                                       ("he", math.sqrt(2 / 400)), (1.0, 1.0), (0.3, 0.3)])
def test_init_params_standard_deviations(init, std):
    (W, _), = nnbook.init_params([400, 400], seed=0, init=init)
    assert W.std() == pytest.approx(std, rel=0.02)
    assert abs(W.mean()) < 0.01 * std


@pytest.mark.parametrize("dtype", FLOATS)
def test_init_params_dtype(dtype):
    assert all(W.dtype == dtype and b.dtype == dtype
               for W, b in nnbook.init_params([2, 3, 1], seed=0, dtype=dtype))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"sizes": [3]}, ValueError, "at least two layers"),
    ({"sizes": [3, 0, 1]}, ValueError, r"s_2 = sizes\[1\] is 0"),
    ({"sizes": [3, 2.5]}, ValueError, "positive integers"),
    ({"sizes": 3}, TypeError, "list of layer sizes"),
    ({"sizes": [3, 1], "init": "glorot"}, ValueError, "unknown init 'glorot'"),
    ({"sizes": [3, 1], "init": -1.0}, ValueError, "positive number"),
    ({"sizes": [3, 1], "dtype": np.int64}, TypeError, "float32 or float64"),
])
def test_init_params_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        nnbook.init_params(**kwargs)


# --- forward and forward_all ------------------------------------------------------------------


def test_forward_all_returns_the_cache():
    params = network([3, 5, 4, 2])
    X = np.random.default_rng(1).standard_normal((6, 3))
    Z, A = nnbook.forward_all(params, X, hidden="tanh", output="softmax")
    assert len(Z) == 3 and len(A) == 4
    np.testing.assert_array_equal(A[0], X)
    assert [z.shape for z in Z] == [(6, 5), (6, 4), (6, 2)]
    assert [a.shape for a in A] == [(6, 3), (6, 5), (6, 4), (6, 2)]
    for k in (1, 2):
        W, b = params[k]
        np.testing.assert_allclose(Z[k], A[k] @ W.T + b)
        np.testing.assert_allclose(A[k], np.tanh(Z[k - 1]))
    np.testing.assert_allclose(A[-1], nnbook.softmax(Z[-1]))
    np.testing.assert_array_equal(A[-1], nnbook.forward(params, X, hidden="tanh", output="softmax"))


def test_forward_leaves_its_inputs_alone():
    params = network([3, 4, 1])
    X = np.random.default_rng(2).standard_normal((5, 3))
    saved = [(W.copy(), b.copy()) for W, b in params], X.copy()
    for output in OUTPUT:
        nnbook.forward(params, X, output=output)
        nnbook.forward_all(params, X, output=output)
    np.testing.assert_array_equal(X, saved[1])
    for (W, b), (W0, b0) in zip(params, saved[0], strict=True):
        np.testing.assert_array_equal(W, W0)
        np.testing.assert_array_equal(b, b0)


def test_forward_casts_X_to_the_parameters_dtype():
    X = np.array([[1, 0, 2]])
    assert nnbook.forward(network([3, 2]), X).dtype == np.float64  # integers -> float
    assert nnbook.forward(network([3, 2]), [[1.0, 0.0, 2.0]]).shape == (1, 2)  # nested lists
    single = network([3, 2], dtype=np.float32)
    assert nnbook.forward(single, X.astype(np.float64)).dtype == np.float32
    assert nnbook.forward(network([3, 2]), X.astype(np.float32)).dtype == np.float64


# --- properties -------------------------------------------------------------------------------

sizes_strategy = st.lists(st.integers(1, 6), min_size=2, max_size=5)


@given(sizes=sizes_strategy, m=st.integers(1, 8), seed=st.integers(0, 2**16),
       hidden=st.sampled_from(HIDDEN), output=st.sampled_from(OUTPUT))
def test_batch_equals_the_per_example_loop(sizes, m, seed, hidden, output):
    params = network(sizes, seed)
    X = np.random.default_rng(seed + 1).standard_normal((m, sizes[0]))
    np.testing.assert_allclose(nnbook.forward(params, X, hidden=hidden, output=output),
                               loop_forward(params, X, hidden, output), rtol=1e-10, atol=1e-12)


@given(sizes=sizes_strategy, m=st.integers(1, 8), dtype=st.sampled_from(FLOATS),
       hidden=st.sampled_from(HIDDEN), output=st.sampled_from(OUTPUT))
def test_shapes_and_dtype_for_random_sizes(sizes, m, dtype, hidden, output):
    params = network(sizes, dtype=dtype)
    X = np.ones((m, sizes[0]), dtype=dtype)
    out = nnbook.forward(params, X, hidden=hidden, output=output)
    assert out.shape == (m, sizes[-1]) and out.dtype == dtype
    Z, A = nnbook.forward_all(params, X, hidden=hidden, output=output)
    assert [z.shape for z in Z] == [(m, s) for s in sizes[1:]]
    assert [a.shape for a in A] == [(m, s) for s in sizes]
    assert all(z.dtype == dtype for z in Z) and all(a.dtype == dtype for a in A)
    assert _check_params(params) == sizes


@given(rows=st.integers(1, 5), cols=st.integers(1, 6), seed=st.integers(0, 2**16),
       shift=st.floats(-1e3, 1e3))
def test_softmax_is_invariant_to_a_constant_per_row(rows, cols, seed, shift):
    rng = np.random.default_rng(seed)
    Z = rng.normal(scale=3, size=(rows, cols))
    C = shift * rng.random((rows, 1))
    np.testing.assert_allclose(nnbook.softmax(Z + C), nnbook.softmax(Z), rtol=1e-9, atol=1e-12)


@given(dtype=st.sampled_from(FLOATS), name=st.sampled_from(OUTPUT),
       z=st.lists(st.floats(-1e4, 1e4), min_size=1, max_size=8))
def test_no_overflow_for_large_inputs(dtype, name, z):
    z = np.array([z], dtype=dtype)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = nnbook.ACTIVATIONS[name](z)
        if name in nnbook.DERIVATIVES:
            d = nnbook.DERIVATIVES[name](z, a)
            assert np.isfinite(d).all() and d.dtype == dtype
    assert np.isfinite(a).all() and a.dtype == dtype
    if name in ("sigmoid", "softmax"):
        assert ((a >= 0) & (a <= 1)).all()
    if name == "softmax":
        assert a.sum() == pytest.approx(1, rel=1e-5)


@given(dtype=st.sampled_from(FLOATS), name=st.sampled_from(OUTPUT))
def test_dtype_is_kept(dtype, name):
    z = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    assert nnbook.ACTIVATIONS[name](z).dtype == dtype
    if name in nnbook.DERIVATIVES:
        assert nnbook.DERIVATIVES[name](z).dtype == dtype


@given(name=st.sampled_from(HIDDEN), z=st.lists(st.floats(-6, 6), min_size=1, max_size=8))
def test_derivatives_match_finite_differences(name, z):
    z = np.array(z)
    z = z[np.abs(z) > 1e-3]  # relu has a corner at 0
    f, df = nnbook.ACTIVATIONS[name], nnbook.DERIVATIVES[name]
    eps = 1e-6
    numeric = (f(z + eps) - f(z - eps)) / (2 * eps)
    np.testing.assert_allclose(df(z), numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(df(z, f(z)), df(z))  # from a = f(z) it is the same


# --- bad input gives a clear error ------------------------------------------------------------

P = network([3, 3, 1])
X3 = np.ones((2, 3))


@pytest.mark.parametrize("call, error, match", [
    (lambda: nnbook.forward(P, np.ones((2, 4))), ValueError,
     r"X has 4 columns, but the first layer expects s_1 = 3 inputs "
     r"\(W\^\(1\) has shape \(3, 3\)\)"),
    (lambda: nnbook.forward([P[0], (np.ones((1, 4)), np.ones(1))], X3), ValueError,
     r"params do not chain: W\^\(1\) has shape \(3, 3\), so layer L_2 has s_2 = 3 units, "
     r"but W\^\(2\) has shape \(1, 4\)"),
    (lambda: nnbook.forward(P, X3, hidden="sigmod"), ValueError,
     r"unknown hidden activation 'sigmod' \(did you mean 'sigmoid'\?\); "
     r"valid names: 'sigmoid', 'tanh', 'relu', 'identity'"),
    (lambda: nnbook.forward(P, X3, output="linear"), ValueError,
     "unknown output activation 'linear'.*'identity', 'softmax'"),
    (lambda: nnbook.forward(P, X3, hidden="softmax"), ValueError,
     "'softmax' cannot be the hidden activation.*only for the output"),
    (lambda: nnbook.forward(P, X3, hidden=np.tanh), TypeError, "must be given by name"),
    (lambda: nnbook.forward(P, np.ones((0, 3))), ValueError, "X has 0 rows: the batch is empty"),
    (lambda: nnbook.forward(P, np.array([[1.0, np.nan, 0.0]])), ValueError,
     r"X contains NaN or infinity \(the first at index \(0, 1\)"),
    (lambda: nnbook.forward(P, np.array([[0.0, 0.0, 0.0], [1.0, 1.0, np.inf]])), ValueError,
     r"NaN or infinity \(the first at index \(1, 2\)"),
    (lambda: nnbook.forward(P, np.ones(3)), ValueError,
     r"X must be 2-D with shape \(m, s_1\).*got a 1-D array of shape \(3,\).*X.reshape\(1, -1\)"),
    (lambda: nnbook.forward(P, np.ones((1, 1, 3))), ValueError, "X must be 2-D"),
    (lambda: nnbook.forward(P, np.array([["a", "b", "c"]])), TypeError, "real numbers"),
    (lambda: nnbook.forward([], X3), ValueError, "params is empty"),
    (lambda: nnbook.forward(P[0], X3), TypeError, r"params\[0\] must be a pair"),
    (lambda: nnbook.forward({"W": 1}, X3), TypeError, "list of \\(W, b\\) pairs"),
    (lambda: nnbook.forward([(P[0][0].tolist(), P[0][1])], X3), TypeError,
     r"W\^\(1\) \(params\[0\]\[0\]\) must be a NumPy array"),
    (lambda: nnbook.forward([(np.ones((3, 3), dtype=int), np.ones(3))], X3), TypeError,
     r"W\^\(1\).*dtype int64; parameters must be float32 or float64"),
    (lambda: nnbook.forward([P[0], (P[1][0].astype(np.float32), P[1][1])], X3), TypeError,
     "params mix dtypes"),
    (lambda: nnbook.forward([(P[0][0], np.ones((3, 1)))], X3), ValueError,
     r"b\^\(1\) \(params\[0\]\[1\]\) must be 1-D"),
    (lambda: nnbook.forward([(P[0][0], np.ones(2))], X3), ValueError,
     r"b\^\(1\) has shape \(2,\), but W\^\(1\) has shape \(3, 3\): "
     r"expected b\^\(1\) of shape \(3,\)"),
    (lambda: nnbook.forward([(np.ones(3), np.ones(3))], X3), ValueError,
     r"W\^\(1\) \(params\[0\]\[0\]\) must be 2-D"),
    (lambda: nnbook.forward([(np.ones((0, 3)), np.ones(0))], X3), ValueError, "at least one unit"),
    (lambda: nnbook.check_forward(lambda p, X: X, hidden="soft"), ValueError, "unknown hidden"),
    (lambda: nnbook.count_params([3]), ValueError, "at least two layers"),
])
def test_bad_input_gets_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_validation_helpers_directly():
    assert _check_params(P) == [3, 3, 1]
    assert _check_X([[1, 2, 3]], [3, 3, 1]).dtype == np.float64
    assert _check_X(X3, [3, 3, 1]) is X3  # no copy when nothing needs converting
    huge = np.full((2, 3), 1e308)  # finite, though its sum overflows
    with np.errstate(all="raise"):
        assert _check_X(huge, [3, 1]) is huge
    with pytest.raises(ValueError, match=r"NaN or infinity \(the first at index \(1, 0\): -inf\)"):
        _check_X(np.array([[1e308, 1e308, 1.0], [-np.inf, np.inf, 0.0]]), [3, 1])
    with pytest.raises(ValueError, match="Y has 2 columns"):
        _check_X(np.ones((4, 2)), [3, 1], name="Y")
    assert _check_activation("tanh", nnbook.HIDDEN_ACTIVATIONS, "hidden") is nnbook.tanh


# --- check_forward and the verdict machinery --------------------------------------------------


def my_forward(params, X):
    A = X
    for l, (W, b) in enumerate(params, start=1):
        Z = A @ W.T + b
        A = Z if l == len(params) else 1 / (1 + np.exp(-Z))
    return A


def test_check_forward_accepts_a_correct_forward(capsys):
    assert nnbook.check_forward(my_forward) is True
    verdict = capsys.readouterr().out
    assert verdict == "✓ my_forward agrees with nnbook.forward on 12 random networks\n"


def test_check_forward_with_other_activations(capsys):
    def relu_softmax(params, X):
        A = X
        for l, (W, b) in enumerate(params, start=1):
            Z = A @ W.T + b
            if l < len(params):
                A = np.maximum(Z, 0)
            else:
                E = np.exp(Z - Z.max(axis=1, keepdims=True))
                A = E / E.sum(axis=1, keepdims=True)
        return A

    assert nnbook.check_forward(relu_softmax, hidden="relu", output="softmax")
    assert not nnbook.check_forward(relu_softmax)  # against the default sigmoid/identity
    assert "✗" in capsys.readouterr().out


def test_check_forward_rejects_a_forgotten_bias_with_a_hint(capsys):
    def no_bias(params, X):
        A = X
        for l, (W, _) in enumerate(params, start=1):
            Z = A @ W.T
            A = Z if l == len(params) else 1 / (1 + np.exp(-Z))
        return A

    assert nnbook.check_forward(no_bias) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ no_bias disagrees with nnbook.forward on case 1 of 12:")
    assert "params: sizes [3, 3, 1] (W^(1) (3, 3), W^(2) (1, 3)), float64" in out
    assert "X: shape (1, 3), float64" in out
    assert "the largest difference is" in out
    assert "Hint: this is what the network computes without its biases" in out


def test_check_forward_names_sigmoid_at_the_output(capsys):
    def sigmoid_everywhere(params, X):
        A = X
        for W, b in params:
            A = 1 / (1 + np.exp(-(A @ W.T + b)))
        return A

    assert not nnbook.check_forward(sigmoid_everywhere)
    assert "Hint: this is what the network computes with sigmoid at the output too" in \
        capsys.readouterr().out


@pytest.mark.parametrize("fn, message", [
    (lambda params, X: my_forward(params, X).T, "transposed?"),
    (lambda params, X: my_forward(params, X).ravel(), "shape (1,), but should have shape (1, 1)"),
    (lambda params, X: None, "is None: did the function forget to return it?"),
    (lambda params, X: params[5], "raised IndexError on case 1 of 12"),
    (lambda params, X: [my_forward(params, X), X.fill(0)][0], "modified its argument X"),
])
def test_check_forward_explains_other_mistakes(fn, message, capsys):
    assert nnbook.check_forward(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("✗ ") and message in out


def test_a_result_full_of_nan_gets_a_verdict_without_warnings(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not nnbook.check_forward(lambda params, X: np.full((X.shape[0], 1), np.nan))
    out = capsys.readouterr().out
    assert "result[0, 0] is nan, but should be -1.18703 (1 of 1 entries differ; 1 is NaN" in out
    assert "largest difference" not in out


def test_the_verdict_machinery_compares_nested_results(capsys):
    cases = [{"params": network([2, 3, 1], seed=s), "X": np.ones((2, 2))} for s in range(3)]

    def ours(params, X):
        return nnbook.forward_all(params, X)

    def theirs(params, X):
        Z, A = nnbook.forward_all(params, X)
        return Z, A[:-1] + [A[-1] + 1e-3]

    assert _compare_on_cases("nnbook.forward_all", cases, ours, ours, noun="networks")
    assert capsys.readouterr().out == "✓ ours agrees with nnbook.forward_all on 3 networks\n"
    assert not _compare_on_cases("nnbook.forward_all", cases, theirs, ours)
    assert "result[1][2][0, 0] is" in capsys.readouterr().out
    assert _first_difference([1.0, 2.0], [1.0, 2.0 + 1e-12]) is None
    assert "should be a list of 2 items" in _first_difference((1.0,), [1.0, 2.0])
    assert _verdict(False, "headline", ["detail"]) is False
    assert capsys.readouterr().out == "✗ headline\n    detail\n"
