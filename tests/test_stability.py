"""Tests for nnbook.stability (chapter 6): gradient norms, clipping, its checker, RNN and BPTT."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnbook
from nnbook.gradient import flatten_params, numerical_gradient, unflatten_params
from nnbook.stability import (
    _EPS,
    check_clip_by_global_norm,
    clip_by_global_norm,
    clip_by_norm,
    clip_by_value,
    gradient_norms,
    lstm_init,
    rnn_backward,
    rnn_forward,
    rnn_init,
    rnn_loss_and_gradients,
)

FLOATS = [np.float32, np.float64]


def random_grads(sizes, norm=None, seed=0, dtype=np.float64):
    """A random gradient shaped like a network's parameters, rescaled to a global norm."""
    rng = np.random.default_rng(seed)
    g = [(rng.standard_normal((b, a)), rng.standard_normal(b))
         for a, b in zip(sizes[:-1], sizes[1:], strict=False)]
    if norm is not None:
        total = math.sqrt(sum(np.sum(dW**2) + np.sum(db**2) for dW, db in g))
        g = [(dW * (norm / total), db * (norm / total)) for dW, db in g]
    return [(dW.astype(dtype), db.astype(dtype)) for dW, db in g]


def copy(grads):
    return [(dW.copy(), db.copy()) for dW, db in grads]


def assert_same(a, b):
    assert len(a) == len(b)
    for (dW, db), (dW2, db2) in zip(a, b, strict=True):
        assert dW.dtype == dW2.dtype and db.dtype == db2.dtype
        np.testing.assert_array_equal(dW, dW2)
        np.testing.assert_array_equal(db, db2)


def global_norm(grads):
    return math.sqrt(sum(np.sum(a.astype(np.float64) ** 2) for pair in grads for a in pair))


# --- gradient_norms ---------------------------------------------------------------------------


def test_gradient_norms_on_a_hand_example():
    grads = [(np.array([[3.0, 0.0], [0.0, 0.0]]), np.array([4.0, 0.0])),
             (np.array([[1.0, 2.0]]), np.array([2.0]))]
    norms = gradient_norms(grads)
    assert norms.dtype == np.float64 and norms.shape == (2,)
    np.testing.assert_array_equal(norms, [5.0, 3.0])


def test_gradient_norms_of_float32_do_not_overflow():
    # 1e20 squared overflows float32 (max 3.4e38); the norm is accumulated in float64
    grads = [(np.full((2, 2), 1e20, dtype=np.float32), np.zeros(2, dtype=np.float32))]
    assert gradient_norms(grads)[0] == pytest.approx(2e20, rel=1e-6)


def test_gradient_norms_report_nonfinite_layers():
    grads = [(np.array([[np.inf]]), np.array([0.0])), (np.array([[1.0]]), np.array([0.0]))]
    norms = gradient_norms(grads)
    assert norms[0] == np.inf and norms[1] == 1.0


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(FLOATS))
def test_gradient_norms_match_numpy(sizes, seed, dtype):
    grads = random_grads(sizes, seed=seed, dtype=dtype)
    expected = [np.linalg.norm(np.concatenate([dW.ravel(), db]).astype(np.float64))
                for dW, db in grads]
    np.testing.assert_allclose(gradient_norms(grads), expected, rtol=1e-12)


# --- clip_by_global_norm ----------------------------------------------------------------------


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(FLOATS), max_norm=st.floats(1.0, 100.0),
       ratio=st.floats(1.01, 1e4))
def test_global_clipping_above_the_threshold_gives_max_norm(sizes, seed, dtype, max_norm, ratio):
    grads = random_grads(sizes, norm=max_norm * ratio, seed=seed, dtype=dtype)
    before = copy(grads)
    clipped, norm = clip_by_global_norm(grads, max_norm)
    assert isinstance(norm, float)
    assert norm == pytest.approx(global_norm(grads), rel=1e-12)
    after = global_norm(clipped)
    # max_norm up to the epsilon (a relative 1e-6 / norm <= 1e-6 / 1.01 here) ...
    if dtype == np.float64:
        assert after == pytest.approx(max_norm, rel=1e-6)
    # ... and exactly max_norm * norm / (norm + 1e-6) up to rounding (float32: 6e-8 per entry)
    assert after == pytest.approx(max_norm * norm / (norm + 1e-6), rel=1e-6)
    assert_same(grads, before)                                  # input untouched
    factor = min(1.0, max_norm / (norm + 1e-6))
    for (c, cb), (dW, db) in zip(clipped, grads, strict=True):
        assert c.dtype == dtype and cb.dtype == dtype           # float32 kept
        np.testing.assert_array_equal(c, dW * factor)           # the exact factor
        np.testing.assert_array_equal(cb, db * factor)


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(FLOATS), max_norm=st.floats(1e-3, 1e3),
       fraction=st.floats(0.0, 0.999))
def test_global_clipping_below_the_threshold_changes_nothing(sizes, seed, dtype, max_norm,
                                                             fraction):
    grads = random_grads(sizes, norm=max_norm * fraction, seed=seed, dtype=dtype)
    clipped, norm = clip_by_global_norm(grads, max_norm)
    assert norm <= max_norm
    assert_same(clipped, grads)
    assert all(c is not g for pc, pg in zip(clipped, grads, strict=True)
               for c, g in zip(pc, pg, strict=True))             # new arrays


def test_global_clipping_factor_is_torchs_formula():
    # torch.nn.utils.clip_grad_norm_: coef = max_norm / (total_norm + 1e-6), clamped to <= 1
    grads = [(np.array([[3.0, 4.0]]), np.array([0.0]))]        # norm 5
    clipped, norm = clip_by_global_norm(grads, 2.0)
    assert norm == 5.0 and _EPS == 1e-6
    np.testing.assert_array_equal(clipped[0][0], np.array([[3.0, 4.0]]) * (2.0 / (5.0 + 1e-6)))
    # just below the threshold the factor is still applied (it is 1 only when max_norm >= norm+eps)
    clipped, _ = clip_by_global_norm(grads, 5.0)
    np.testing.assert_array_equal(clipped[0][0], np.array([[3.0, 4.0]]) * (5.0 / (5.0 + 1e-6)))


@pytest.mark.parametrize("dtype", FLOATS)
def test_zero_gradients_stay_zero(dtype):
    grads = [(np.zeros((3, 2), dtype), np.zeros(3, dtype)), (np.zeros((1, 3), dtype),
                                                             np.zeros(1, dtype))]
    for clipped in (clip_by_global_norm(grads, 1.0)[0], clip_by_norm(grads, 1.0)[0],
                    clip_by_value(grads, 1.0)):
        assert_same(clipped, grads)
    assert clip_by_global_norm(grads, 1.0)[1] == 0.0


# --- clip_by_norm and clip_by_value -----------------------------------------------------------


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(FLOATS), max_norm=st.floats(1.0, 10.0))
def test_per_layer_clipping(sizes, seed, dtype, max_norm):
    grads = random_grads(sizes, norm=3 * max_norm * len(sizes), seed=seed, dtype=dtype)
    before = copy(grads)
    clipped, norms = clip_by_norm(grads, max_norm)
    np.testing.assert_array_equal(norms, gradient_norms(grads))
    after = gradient_norms(clipped)
    for n, a, (c, cb), (dW, db) in zip(norms, after, clipped, grads, strict=True):
        assert c.dtype == dtype and cb.dtype == dtype
        if n > max_norm:
            assert a == pytest.approx(max_norm * n / (n + 1e-6), rel=1e-6)
        else:
            np.testing.assert_array_equal(c, dW)
        factor = min(1.0, max_norm / (float(n) + 1e-6))
        np.testing.assert_array_equal(c, dW * factor)
        np.testing.assert_array_equal(cb, db * factor)
    assert_same(grads, before)


@given(sizes=st.lists(st.integers(1, 6), min_size=2, max_size=5), seed=st.integers(0, 2**16),
       dtype=st.sampled_from(FLOATS), clip_value=st.floats(0.01, 3.0))
def test_clipping_by_value(sizes, seed, dtype, clip_value):
    grads = random_grads(sizes, seed=seed, dtype=dtype)
    before = copy(grads)
    clipped = clip_by_value(grads, clip_value)
    for (c, cb), (dW, db) in zip(clipped, grads, strict=True):
        assert c.dtype == dtype and cb.dtype == dtype
        for got, orig in ((c, dW), (cb, db)):
            assert np.all(np.abs(got) <= dtype(clip_value))
            inside = np.abs(orig) <= dtype(clip_value)
            np.testing.assert_array_equal(got[inside], orig[inside])
            np.testing.assert_array_equal(np.sign(got), np.sign(orig))
    assert_same(grads, before)


# --- clear errors -----------------------------------------------------------------------------


GOOD = [(np.ones((2, 3)), np.ones(2))]


@pytest.mark.parametrize("fn", [
    lambda g, c: clip_by_global_norm(g, c), lambda g, c: clip_by_norm(g, c),
    lambda g, c: clip_by_value(g, c)])
@pytest.mark.parametrize("threshold, error, match", [
    (0.0, ValueError, "finite number > 0"), (-1.0, ValueError, "finite number > 0"),
    (math.inf, ValueError, "finite number > 0"), (math.nan, ValueError, "finite number > 0"),
    (10**400, ValueError, "an integer of 401 digits"), (np.array(0.0), ValueError, "> 0"),
    ("1", TypeError, "must be a number"), (True, TypeError, "must be a number"),
    (None, TypeError, "must be a number"), (1 + 2j, TypeError, "must be a number")])
def test_bad_thresholds_are_refused(fn, threshold, error, match):
    with pytest.raises(error, match=match):
        fn(GOOD, threshold)


@pytest.mark.parametrize("grads, error, match", [
    (GOOD[0], TypeError, r"grads\[0\] must be a pair"),               # one pair, not a list
    (np.ones((2, 3)), TypeError, "list of \\(dW, db\\) pairs"),
    ({"W": np.ones(2)}, TypeError, "list of \\(dW, db\\) pairs"),
    ([], ValueError, "empty"),
    ([(np.ones((2, 3)),)], TypeError, "must be a pair"),
    ([(np.ones((2, 3)), [1.0, 1.0])], TypeError, "db\\^\\(1\\)"),
    ([(np.ones((2, 3), dtype=int), np.ones(2))], TypeError, "float32 or float64"),
    ([(np.ones((2, 3)), np.ones(3))], ValueError, "shape"),
    ([(np.ones(3), np.ones(3))], ValueError, "shape"),
])
def test_bad_gradients_are_refused(grads, error, match):
    for fn in (gradient_norms, lambda g: clip_by_global_norm(g, 1.0),
               lambda g: clip_by_norm(g, 1.0), lambda g: clip_by_value(g, 1.0)):
        with pytest.raises(error, match=match):
            fn(grads)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nonfinite_gradients_are_refused_not_clipped(bad):
    grads = [(np.ones((2, 2)), np.ones(2)), (np.array([[1.0, bad]]), np.zeros(1))]
    for fn in (lambda g: clip_by_global_norm(g, 1.0), lambda g: clip_by_norm(g, 1.0),
               lambda g: clip_by_value(g, 1.0)):
        with pytest.raises(ValueError, match="layer 2 is not finite"):
            fn(grads)


# --- the checker ------------------------------------------------------------------------------


def test_checker_accepts_the_library_and_a_plain_implementation(capsys):
    assert check_clip_by_global_norm(clip_by_global_norm) is True

    def without_eps(grads, max_norm):   # max_norm / norm, only when above: also correct
        norm = global_norm(grads)
        factor = max_norm / norm if norm > max_norm else 1.0
        return [(dW * factor, db * factor) for dW, db in grads], norm

    assert check_clip_by_global_norm(without_eps) is True
    assert capsys.readouterr().out.count("✓") == 2


def wrong_implementations():
    def per_layer(g, c):
        return clip_by_norm(g, c)[0], global_norm(g)

    def always_scale(g, c):
        n = global_norm(g)
        return [(dW * (c / (n + 1e-6)), db * (c / (n + 1e-6))) for dW, db in g], n

    def nan_on_zero(g, c):
        n = global_norm(g)
        f = min(1.0, c / n) if n > 0 else math.nan
        return [(dW * f, db * f) for dW, db in g], n

    def upcasts(g, c):
        n = np.float64(global_norm(g))
        f = np.minimum(1.0, c / (n + 1e-6)) * np.ones(1)  # a float64 array upcasts float32
        return [(dW * f, db * f) for dW, db in g], n

    def in_place(g, c):
        clipped, n = clip_by_global_norm(g, c)
        for (dW, db), (a, b) in zip(g, clipped, strict=True):
            dW[...], db[...] = a, b
        return g, n

    def norm_after(g, c):
        clipped, n = clip_by_global_norm(g, c)
        return clipped, min(n, c)

    def only_clipped(g, c):
        return clip_by_global_norm(g, c)[0]

    def raises(g, c):
        raise RuntimeError("not written yet")

    return [(per_layer, "layer by layer"), (always_scale, "never stretch"),
            (nan_on_zero, "NaN"), (upcasts, "keep the dtype"), (in_place, "modified"),
            (norm_after, "norm after clipping"), (only_clipped, "pair"),
            (raises, "raised RuntimeError"), (lambda g, c: clip_by_value(g, c), "pair")]


@pytest.mark.parametrize("fn, says", wrong_implementations())
def test_checker_rejects_wrong_implementations_and_says_why(fn, says, capsys):
    assert check_clip_by_global_norm(fn) is False
    out = capsys.readouterr().out
    assert out.startswith("✗") and says in out


# --- the recurrent network --------------------------------------------------------------------


def rnn_data(m, T, s_x, s_y, seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, T, s_x)), rng.standard_normal((m, s_y))


def loop_rnn(params, X):
    """One sequence, one step at a time, with column vectors: the equation as written."""
    (W_h, b_h), (W_y, b_y) = params
    s_h = b_h.shape[0]
    W_hh, W_xh = W_h[:, :s_h], W_h[:, s_h:]
    out = []
    for x in X:
        h = np.zeros(s_h)
        for x_t in x:
            h = np.tanh(W_hh @ h + W_xh @ x_t + b_h)
        out.append(W_y @ h + b_y)
    return np.array(out)


@pytest.mark.parametrize("dtype", FLOATS)
def test_rnn_init_shapes_dtype_radius_and_seed(dtype):
    params = rnn_init(3, 5, 2, seed=0, dtype=dtype, radius=0.7)
    (W_h, b_h), (W_y, b_y) = params
    assert W_h.shape == (5, 8) and b_h.shape == (5,) and W_y.shape == (2, 5) and b_y.shape == (2,)
    assert all(a.dtype == dtype for pair in params for a in pair)
    assert not b_h.any() and not b_y.any()
    radius = np.max(np.abs(np.linalg.eigvals(W_h[:, :5].astype(np.float64))))
    assert radius == pytest.approx(0.7, rel=1e-5)
    again = rnn_init(3, 5, 2, seed=0, dtype=dtype, radius=0.7)
    assert_same(params, again)


def test_rnn_init_without_radius_has_the_documented_scale():
    W_h = rnn_init(200, 400, 1, seed=0)[0][0]
    assert W_h[:, :400].std() == pytest.approx(1 / math.sqrt(400), rel=0.02)
    assert W_h[:, 400:].std() == pytest.approx(1 / math.sqrt(200), rel=0.02)


@given(m=st.integers(1, 4), T=st.integers(1, 7), s_x=st.integers(1, 3), s_h=st.integers(1, 4),
       s_y=st.integers(1, 3), seed=st.integers(0, 2**16), dtype=st.sampled_from(FLOATS))
def test_rnn_forward_matches_the_equation_step_by_step(m, T, s_x, s_h, s_y, seed, dtype):
    params = rnn_init(s_x, s_h, s_y, seed=seed, dtype=dtype)
    params = [(W, b + 0.1) for W, b in params]          # nonzero biases
    X, _ = rnn_data(m, T, s_x, s_y, seed)
    H, Y_hat = rnn_forward(params, X.astype(dtype))
    assert H.shape == (m, T + 1, s_h) and Y_hat.shape == (m, s_y)
    assert H.dtype == dtype and Y_hat.dtype == dtype
    assert not H[:, 0].any()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    expected = loop_rnn([(W.astype(np.float64), b.astype(np.float64)) for W, b in params],
                        X.astype(dtype).astype(np.float64))
    np.testing.assert_allclose(Y_hat, expected, rtol=tol, atol=tol)


def norm_relative_error(a, n):
    return np.linalg.norm(a - n) / max(np.linalg.norm(a), np.linalg.norm(n), 1e-300)


# Spectral radii up to 1.5: beyond, the exploding regime makes the loss so curved that centered
# differences themselves are off by more than 1e-7 (their error grows with the third derivative).
@given(m=st.integers(1, 3), T=st.integers(1, 8), s_x=st.integers(1, 3), s_h=st.integers(1, 4),
       s_y=st.integers(1, 2), seed=st.integers(0, 2**16), radius=st.floats(0.3, 1.5))
def test_bptt_matches_the_numerical_gradient(m, T, s_x, s_h, s_y, seed, radius):
    params = rnn_init(s_x, s_h, s_y, seed=seed, radius=radius)
    params = [(W, b + 0.1) for W, b in params]
    X, Y = rnn_data(m, T, s_x, s_y, seed)
    loss, grads = rnn_loss_and_gradients(params, X, Y)
    assert isinstance(loss, float)

    def J(theta):
        return rnn_loss_and_gradients(unflatten_params(theta, params), X, Y)[0]

    numeric = numerical_gradient(J, flatten_params(params))
    analytic = flatten_params(grads)
    assert analytic.shape == numeric.shape
    # Relative error of the whole gradient vector, ||a - n|| / max(||a||, ||n||): an entry that
    # is nearly 0 (a saturated unit) has no meaningful ratio of its own, as its centered
    # difference carries the round-off of the loss, about 1e-16 |J| / eps.
    assert norm_relative_error(analytic, numeric) <= 1e-7


def test_bptt_matches_the_numerical_gradient_entry_by_entry():
    params = rnn_init(2, 3, 2, seed=0, radius=1.2)
    X, Y = rnn_data(4, 6, 2, 2, seed=1)
    _, grads = rnn_loss_and_gradients(params, X, Y)

    def J(theta):
        return rnn_loss_and_gradients(unflatten_params(theta, params), X, Y)[0]

    numeric = numerical_gradient(J, flatten_params(params))
    assert nnbook.relative_error(flatten_params(grads), numeric) <= 1e-7


def test_rnn_backward_returns_dJ_dh_t():
    # dH[:, T] = dJ/dY_hat W_y (chain rule at the last step), and dH[:, 1] gives the gradient
    # with respect to the first input, which we compare with centered differences.
    params = rnn_init(1, 3, 1, seed=2, radius=0.9)
    X, Y = rnn_data(2, 5, 1, 1, seed=3)
    H, Y_hat = rnn_forward(params, X)
    dY = (Y_hat - Y) / 2
    grads, dH = rnn_backward(params, X, H, dY)
    np.testing.assert_allclose(dH[:, 5], dY @ params[1][0])
    # dJ/dx_1 = dJ/dz_1 W_xh with dJ/dz_1 = dH[:, 1] (1 - h_1^2): compare with differences
    W_xh = params[0][0][:, 3:]
    analytic = (dH[:, 1] * (1 - H[:, 1] ** 2)) @ W_xh        # (m, s_x)

    def J(x1):
        X2 = X.copy()
        X2[:, 0] = x1.reshape(2, 1)
        return rnn_loss_and_gradients(params, X2, Y)[0]

    numeric = numerical_gradient(J, X[:, 0].ravel().copy())
    np.testing.assert_allclose(analytic.ravel(), numeric, rtol=1e-7, atol=1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
def test_rnn_keeps_float32_and_leaves_inputs_alone(dtype):
    params = rnn_init(2, 4, 1, seed=0, dtype=dtype)
    before = copy(params)
    X, Y = rnn_data(3, 5, 2, 1, seed=0)
    X, Y = X.astype(dtype), Y.astype(dtype)
    X0, Y0 = X.copy(), Y.copy()
    loss, grads = rnn_loss_and_gradients(params, X, Y)
    assert isinstance(loss, float)
    assert all(a.dtype == dtype for pair in grads for a in pair)
    assert_same(params, before)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(Y, Y0)
    # the gradient fits the clipping functions and gradient_norms as it is
    assert gradient_norms(grads).shape == (2,)
    assert all(a.dtype == dtype for pair in clip_by_global_norm(grads, 1e-3)[0] for a in pair)


@pytest.mark.parametrize("call, error, match", [
    (lambda p: rnn_forward(p, np.ones((3, 2))), ValueError, r"\(m, T, s_x\)"),
    (lambda p: rnn_forward(p, np.ones((3, 4, 3))), ValueError, r"\(m, T, 2\)"),
    (lambda p: rnn_forward(p, np.ones((3, 0, 2))), ValueError, "T >= 1"),
    (lambda p: rnn_forward(p[:1], np.ones((3, 4, 2))), TypeError,
     r"\[\(W_h, b_h\), \(W_y, b_y\)\]"),
    (lambda p: rnn_forward([(p[0][0][:, :4], p[0][1]), p[1]], np.ones((3, 4, 2))), ValueError,
     "s_x >= 1"),
    (lambda p: rnn_forward(p, np.full((3, 4, 2), np.nan)), ValueError, "NaN"),
    (lambda p: rnn_loss_and_gradients(p, np.ones((3, 4, 2)), np.ones((3, 2))), ValueError,
     r"Y must have shape \(m, s_y\) = \(3, 1\)"),
    (lambda p: rnn_backward(p, np.ones((3, 4, 2)), np.ones((3, 4, 4)), np.ones((3, 1))),
     ValueError, "H must be"),
    (lambda p: rnn_init(2, 0, 1), ValueError, "s_h must be an integer >= 1, got 0"),
    (lambda p: rnn_init(2, 4, 1, radius=-1.0), ValueError, "radius must be a finite number > 0"),
    (lambda p: rnn_init(2, 4, 1, radius="1"), TypeError, "radius must be a number"),
    (lambda p: rnn_init(2, 4, 1, radius=math.inf), ValueError, "radius"),
    (lambda p: rnn_init(2, 4, 1, dtype=np.int64), TypeError, "dtype"),
    (lambda p: rnn_init(2, 4, 1, dtype="abc"), TypeError, "dtype must be float32 or float64"),
    (lambda p: rnn_init(2, 4, 1, dtype=None), TypeError, "dtype must be float32 or float64"),
    (lambda p: rnn_init(2, 4, 1, dtype=[1]), TypeError, "dtype must be float32 or float64"),
    (lambda p: rnn_forward(p, [[[1.0, 2.0]], [[1.0]]]), ValueError, "ragged"),
    (lambda p: rnn_loss_and_gradients(p, np.ones((3, 4, 2)), [[1.0], [1.0, 2.0], [1.0]]),
     ValueError, "ragged"),
])
def test_rnn_errors_are_clear(call, error, match):
    params = rnn_init(2, 4, 1, seed=0)
    with pytest.raises(error, match=match):
        call(params)


# --- initialization statistics (chapter 1's init_params, as chapter 6 explains it) ------------


@pytest.mark.parametrize("init, variance", [("xavier", 2 / (500 + 300)), ("he", 2 / 500)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_xavier_and_he_variances(init, variance, dtype):
    W = nnbook.init_params([500, 300], seed=0, init=init, dtype=dtype)[0][0]
    assert W.shape == (300, 500)
    assert float(W.var()) == pytest.approx(variance, rel=0.03)
    assert abs(float(W.mean())) < 4 * math.sqrt(variance / W.size)


def test_he_keeps_relu_activations_steady_and_small_init_does_not():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((256, 128))
    sizes = [128] * 11
    ratios = {}
    for init in ("he", "small"):
        _, A = nnbook.forward_all(nnbook.init_params(sizes, seed=1, init=init), X,
                                  hidden="relu", output="relu")
        ratios[init] = np.sqrt(np.mean(A[-1] ** 2)) / np.sqrt(np.mean(A[1] ** 2))
    assert 0.3 < ratios["he"] < 3
    assert ratios["small"] < 1e-8


# --- clipping inside chapter 4's training loop ------------------------------------------------


def test_global_clipping_keeps_a_too_large_learning_rate_from_diverging():
    # Linear regression, J = (1/m) sum 1/2 (w x + b - y)^2, with a rate far above 2 / curvature:
    # plain gradient descent overflows; with the gradient clipped to norm 1 every step moves the
    # parameters by at most lr * 1, so they stay finite, and train records the unclipped norms.
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 1)) * 10
    Y = 3 * X + 1
    runs = {}
    for clip in (None, lambda g: clip_by_global_norm(g, 1.0)[0]):
        params = [(np.zeros((1, 1)), np.zeros(1))]
        try:
            runs[clip is None] = nnbook.train(
                params, X, Y, nnbook.GradientDescent(params, lr=1.0), epochs=200, batch_size=32,
                hidden="identity", output="identity", loss="mse", verbose=False, clip=clip)
        except nnbook.TrainingDiverged as error:
            runs[clip is None] = error
    assert isinstance(runs[True], nnbook.TrainingDiverged)
    history = runs[False]
    assert len(history["grad_norm"]) == 200 and all(map(math.isfinite, history["step_loss"]))
    assert max(history["grad_norm"]) > 1.0          # the recorded norms are before clipping


# --- a failing call changes nothing (issue: mutating operations are atomic) -------------------


CLIPPERS = [clip_by_value, lambda g, c: clip_by_norm(g, c), lambda g, c: clip_by_global_norm(g, c)]


def snapshot(grads):
    """Every array's dtype, shape and bytes: equality is bit for bit, NaN included."""
    return [(a.dtype, a.shape, a.tobytes()) if isinstance(a, np.ndarray) else repr(a)
            for pair in grads for a in (pair if isinstance(pair, (list, tuple)) else [pair])]


def second_layer(grads, dW=None, db=None):
    """``grads`` with its second layer's dW or db replaced (the first layer is left valid)."""
    (dW1, db1), (dW2, db2) = grads
    return [(dW1, db1), (dW2 if dW is None else dW, db2 if db is None else db)]


BAD = {   # name: (gradients from good ones, threshold)
    "threshold 0": (lambda g: g, 0.0), "threshold -1": (lambda g: g, -1.0),
    "threshold nan": (lambda g: g, math.nan), "threshold inf": (lambda g: g, math.inf),
    "threshold str": (lambda g: g, "1"), "threshold None": (lambda g: g, None),
    "threshold array": (lambda g: g, np.array([1.0, 2.0])),
    "NaN in layer 2": (lambda g: second_layer(g, dW=np.full_like(g[1][0], np.nan)), 1.0),
    "inf in layer 2": (lambda g: second_layer(g, db=np.full_like(g[1][1], np.inf)), 1.0),
    "layer 2 mis-shaped": (lambda g: second_layer(g, db=np.zeros(7)), 1.0),
    "layer 2 int": (lambda g: second_layer(g, dW=np.ones(g[1][0].shape, dtype=int)), 1.0),
    "layer 2 complex": (lambda g: second_layer(g, dW=g[1][0].astype(complex)), 1.0),
    "layer 2 float16": (lambda g: second_layer(g, dW=g[1][0].astype(np.float16)), 1.0),
    "layer 2 a list": (lambda g: second_layer(g, dW=g[1][0].tolist()), 1.0),
}


@pytest.mark.parametrize("clip", CLIPPERS)
@pytest.mark.parametrize("case", list(BAD))
def test_a_failing_clip_leaves_every_gradient_bit_for_bit(clip, case):
    make, threshold = BAD[case]
    grads = make(random_grads([4, 3, 2], norm=50.0))
    before = snapshot(grads)
    with pytest.raises((TypeError, ValueError)) as info:
        clip(grads, threshold)
    assert snapshot(grads) == before
    assert "numpy" not in type(info.value).__module__      # the library's error, not NumPy's


@given(threshold=st.one_of(st.floats(), st.integers(-10**6, 10**6), st.text(max_size=3),
                           st.none(), st.booleans()))
def test_any_threshold_is_either_used_or_refused_clearly(threshold):
    grads = random_grads([3, 2], norm=4.0)
    before = snapshot(grads)
    for clip in CLIPPERS:
        try:
            clip(grads, threshold)
        except TypeError as error:
            assert "must be a number" in str(error)
        except ValueError as error:
            assert "must be a finite number > 0" in str(error)
        assert snapshot(grads) == before


def test_clip_by_value_with_a_threshold_beyond_float32_keeps_the_values_without_warning():
    grads = random_grads([3, 2], norm=4.0, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for threshold in (1e39, 1e300):
            clipped = clip_by_value(grads, threshold)
            assert_same(clipped, grads)


@pytest.mark.parametrize("seed, error, match", [
    (-1, ValueError, "seed must be an integer >= 0, got -1"), ("0.1", TypeError, "seed must be"),
    (0.5, TypeError, "seed must be"), (["a"], TypeError, "seed must be"),
    (np.array("x"), TypeError, "seed must be"), (True, TypeError, "seed must be")])
@pytest.mark.parametrize("init", [rnn_init, lstm_init])
def test_rnn_and_lstm_init_refuse_a_bad_seed_in_the_librarys_words(init, seed, error, match):
    """Issue 12: a seed that NumPy's default_rng would refuse deep inside is refused up front."""
    with pytest.raises(error, match=match):
        init(2, 3, 1, seed=seed)


def test_rnn_init_takes_a_generator_as_seed():
    a, b = rnn_init(2, 3, 1, seed=7), rnn_init(2, 3, 1, seed=np.random.default_rng(7))
    assert_same(a, b)


def test_checker_takes_a_generator_and_refuses_a_bad_seed():
    assert check_clip_by_global_norm(clip_by_global_norm, seed=np.random.default_rng(1)) is True
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        check_clip_by_global_norm(clip_by_global_norm, seed=-1)


@pytest.mark.parametrize("clip", [clip_by_value, clip_by_norm, clip_by_global_norm])
def test_a_bad_threshold_with_bad_gradients_changes_nothing(clip):
    """Every argument is checked before anything is computed (issue 12): nothing half-done."""
    grads = random_grads([4, 3, 2], norm=5.0)
    grads[1] = (grads[1][0], np.full(2, np.nan))
    before = copy(grads)
    for threshold in (1.0, -1.0, "1"):
        with pytest.raises((TypeError, ValueError)):
            clip(grads, threshold)
        assert_same(grads, before)
