"""A failed optimizer step leaves the parameters exactly as they were (chapter 4, issue 12)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import nnbook
from nnbook import GradientDescent


def snapshot(params):
    return [(W.dtype, W.tobytes(), b.dtype, b.tobytes()) for W, b in params]


def good_grads(params):
    return [(np.ones_like(W), np.ones_like(b)) for W, b in params]


def replace(grads, l, k, value):
    """The gradients with grads[l][k] replaced by value."""
    out = [list(pair) for pair in grads]
    out[l][k] = value
    return [tuple(pair) for pair in out]


def bad_gradients(params):
    """(description, grads, error) for every kind of bad gradient, the fault in the last layer."""
    g = good_grads(params)
    W2 = params[-1][0]
    return [
        ("wrong shape", replace(g, -1, 0, np.ones(W2.shape[::-1])), ValueError),
        ("wrong bias shape", replace(g, -1, 1, np.ones(3)), ValueError),
        ("integer dtype", replace(g, -1, 0, np.ones(W2.shape, dtype=int)), TypeError),
        ("boolean dtype", replace(g, -1, 0, np.ones(W2.shape, dtype=bool)), TypeError),
        ("object dtype", replace(g, -1, 0, np.ones(W2.shape, dtype=object)), TypeError),
        ("complex", replace(g, -1, 0, np.ones(W2.shape, dtype=complex)), TypeError),
        ("NaN", replace(g, -1, 0, np.full(W2.shape, np.nan)), ValueError),
        ("inf", replace(g, -1, 1, np.full(params[-1][1].shape, -np.inf)), ValueError),
        ("one NaN in float32", replace(g, -1, 0, np.where(np.eye(*W2.shape, dtype=bool),
                                                         np.float32(np.nan), np.float32(1))),
         ValueError),
        ("too few layers", g[:-1], ValueError),
        ("too many layers", g + g[-1:], ValueError),
        ("a list, not an array", replace(g, -1, 0, np.ones(W2.shape).tolist()), TypeError),
        ("a number, not an array", replace(g, -1, 1, 1.0), TypeError),
        ("not a pair", g[:-1] + [(g[-1][0],)], TypeError),
        ("None", None, ValueError),
        ("a dict", {"W": 1}, ValueError),
    ]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", range(16))
def test_a_failed_step_changes_nothing(case, dtype):
    params = nnbook.init_params([3, 4, 2], seed=0, dtype=dtype)
    opt = GradientDescent(params, 0.1)
    description, grads, error = bad_gradients(params)[case]
    before, lr = snapshot(params), opt.lr
    with pytest.raises(error):
        opt.step(grads)
    assert snapshot(params) == before, description
    assert opt.lr == lr


def test_non_finite_gradient_names_the_layer_and_suggests_a_cure():
    params = nnbook.init_params([3, 4, 2], seed=0)
    grads = replace(good_grads(params), 1, 0, np.full((2, 4), np.nan))
    with pytest.raises(ValueError, match=r"layer 2: the gradient of W\^\(2\) contains NaN") as info:
        GradientDescent(params, 0.1).step(grads)
    assert "Clip the gradients" in str(info.value) and "smaller learning rate" in str(info.value)


def test_read_only_parameters_are_refused_before_any_update():
    params = nnbook.init_params([3, 4, 2], seed=0)
    params[1][0].flags.writeable = False
    before = snapshot(params)
    with pytest.raises(ValueError, match="read-only"):
        GradientDescent(params, 0.1).step(good_grads(params))
    assert snapshot(params) == before


@pytest.mark.parametrize("lr, error", [(-0.1, ValueError), (0.0, ValueError),
                                       (float("nan"), ValueError), ("0.1", TypeError),
                                       (True, TypeError)])
def test_lr_is_checked_when_set(lr, error):
    opt = GradientDescent(nnbook.init_params([2, 1], seed=0), 0.1)
    with pytest.raises(error, match="learning rate"):
        opt.lr = lr
    assert opt.lr == 0.1
    opt.lr = 0.05
    assert opt.lr == 0.05


@given(layer=st.integers(0, 1), k=st.integers(0, 1),
       kind=st.sampled_from(["shape", "nan", "inf", "int", "complex", "list", "scalar"]),
       seed=st.integers(0, 1000))
def test_random_bad_gradients_raise_clearly_and_change_nothing(layer, k, kind, seed):
    params = nnbook.init_params([3, 4, 2], seed=seed)
    p = params[layer][k]
    value = {"shape": np.ones(p.shape + (1,)), "nan": np.full(p.shape, np.nan),
             "inf": np.full(p.shape, np.inf), "int": np.ones(p.shape, dtype=int),
             "complex": np.ones(p.shape, dtype=complex), "list": np.ones(p.shape).tolist(),
             "scalar": 0.5}[kind]
    before = snapshot(params)
    with pytest.raises((TypeError, ValueError)) as info:
        GradientDescent(params, 0.1).step(replace(good_grads(params), layer, k, value))
    assert f"^({layer + 1})" in str(info.value)
    assert snapshot(params) == before
