"""Chapter 5's optimizers never half-apply a step: every refused step leaves the parameters and
the optimizer's memory exactly as they were (issue: the training API never half-applies)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnbook.optim import SGD, AdaGrad, Adam, AdamW, CosineDecay, RMSProp, StepDecay

OPTIMIZERS = {
    "SGD": lambda p: SGD(p, 0.1),
    "SGD momentum": lambda p: SGD(p, 0.1, momentum=0.9, weight_decay=0.01),
    "SGD Nesterov": lambda p: SGD(p, [0.1, 0.01], momentum=0.5, nesterov=True),
    "AdaGrad": lambda p: AdaGrad(p, 0.1),
    "RMSProp": lambda p: RMSProp(p, 0.01),
    "Adam": lambda p: Adam(p, 0.01),
    "AdamW": lambda p: AdamW(p, [0.01, 0.1], weight_decay=0.1),
}


def network(dtype=np.float64):
    rng = np.random.default_rng(0)
    params = [(rng.normal(size=(3, 2)).astype(dtype), rng.normal(size=3).astype(dtype)),
              (rng.normal(size=(1, 3)).astype(dtype), rng.normal(size=1).astype(dtype))]
    grads = [(rng.normal(size=W.shape).astype(dtype), rng.normal(size=b.shape).astype(dtype))
             for W, b in params]
    return params, grads


def snapshot(opt):
    """Copies of every array the optimizer holds (parameters, flat memory) and its scalars;
    scratch arrays (``_tmp...``), which a refused step may use, are left out."""
    held = {k: v for k, v in vars(opt).items() if not k.startswith("_tmp")}
    arrays = {k: [v.copy()] for k, v in held.items() if isinstance(v, np.ndarray)}
    arrays |= {k: [a.copy() for a in v] for k, v in held.items()
               if isinstance(v, list) and v and isinstance(v[0], np.ndarray)}
    arrays["params"] = [a.copy() for pair in opt.params for a in pair]
    scalars = {k: v for k, v in held.items() if k not in arrays and not isinstance(v, list)}
    return arrays, scalars


def assert_same(before, after):
    (arrays0, scalars0), (arrays1, scalars1) = before, after
    assert scalars0 == scalars1
    assert arrays0.keys() == arrays1.keys()
    for key in arrays0:
        for a, b in zip(arrays0[key], arrays1[key], strict=True):
            assert a.dtype == b.dtype and a.tobytes() == b.tobytes(), key   # bit for bit


def second_layer(grads, dW=None, db=None):
    (g1, g2) = grads
    return [g1, (g2[0] if dW is None else dW, g2[1] if db is None else db)]


BAD = {   # name: (bad gradients from good ones, expected error type, words of the message)
    "wrong shape": (lambda g: second_layer(g, dW=np.ones((3, 1))), ValueError, "shape"),
    "transposed": (lambda g: second_layer(g, dW=g[1][0].T), ValueError, "shape"),
    "complex": (lambda g: second_layer(g, dW=g[1][0] + 1j), TypeError, "real numbers"),
    "strings": (lambda g: second_layer(g, db=np.array(["a"])), TypeError, "real numbers"),
    "objects": (lambda g: second_layer(g, db=np.array([None])), TypeError, "real numbers"),
    "NaN": (lambda g: second_layer(g, dW=np.full((1, 3), np.nan)), ValueError, "NaN"),
    "inf": (lambda g: second_layer(g, db=np.array([np.inf])), ValueError, "clip"),
    "-inf in layer 1": (lambda g: [(g[0][0], np.full(3, -np.inf)), g[1]], ValueError, "layer 1"),
    "too few pairs": (lambda g: g[:1], ValueError, "grads has 1 pairs, but params has 2"),
    "too many pairs": (lambda g: g + g[:1], ValueError, "grads has 3 pairs"),
    "lists, not arrays": (lambda g: second_layer(g, dW=g[1][0].tolist()), TypeError, "NumPy array"),
    "not a pair": (lambda g: [g[0], (g[1][0],)], TypeError, "must be a pair"),
    "None": (lambda g: None, TypeError, "grads must be a list of \\(dW, db\\) pairs"),
    "a dict": (lambda g: {"W": 1}, TypeError, "grads must be a list"),
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_refused_step_changes_nothing(name, bad, dtype):
    params, grads = network(dtype)
    opt = OPTIMIZERS[name](params)
    opt.step(grads)                                    # some memory to protect
    before = snapshot(opt)
    make_bad, error, words = BAD[bad]
    with pytest.raises(error, match=words):
        opt.step(make_bad(grads))
    assert_same(before, snapshot(opt))
    opt.step(grads)                                    # and it still works
    assert opt.t == 2


def test_non_finite_gradient_message_names_the_layer_and_a_cure():
    params, grads = network()
    opt = Adam(params)
    with pytest.raises(ValueError, match=r"layer 2: the gradient of b\^\(2\) contains NaN or "
                       r"infinity.*lower the learning rate or clip the gradients"):
        opt.step(second_layer(grads, db=np.array([np.nan])))


def test_huge_but_finite_gradients_are_accepted():
    """The fast check (a sum of squares) overflows; the exact one must then decide."""
    params, grads = network()
    big = second_layer(grads, dW=np.full((1, 3), 1e200))
    SGD(params, 1e-300).step(big)
    assert np.isfinite(params[1][0]).all()


def test_float64_gradients_beyond_float32_are_refused_by_name():
    """Cast into float32 parameters they would be inf: refused, and nothing changes."""
    params, grads = network(np.float32)
    opt = Adam(params)
    opt.step(grads)
    before = snapshot(opt)
    big = second_layer(grads, dW=np.full((1, 3), 1e300))
    with pytest.raises(ValueError, match=r"layer 2: the gradient of W\^\(2\) has values beyond "
                       "the range of float32"):
        opt.step(big)
    assert_same(before, snapshot(opt))


def test_mixed_dtypes_are_refused():
    params, _ = network()
    params[1] = (params[1][0].astype(np.float32), params[1][1].astype(np.float32))
    with pytest.raises(TypeError, match="params mix float32 and float64"):
        SGD(params, 0.1)


def test_the_memory_is_checked_bit_for_bit():
    """The snapshot sees the optimizer's flat memory: a changed entry is a difference."""
    params, grads = network()
    opt = Adam(params)
    opt.step(grads)
    before = snapshot(opt)
    opt.m[1][0][0, 0] += 1.0
    with pytest.raises(AssertionError):
        assert_same(before, snapshot(opt))


def test_integer_gradients_are_fine():
    params, grads = network()
    SGD(params, 0.1).step([(np.ones((3, 2), dtype=int), np.zeros(3, dtype=np.int8)), grads[1]])


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_replaced_parameters_are_detected(name):
    params, grads = network()
    opt = OPTIMIZERS[name](params)
    params[0] = (params[0][0].copy(), params[0][1].copy())   # a new pair: the optimizer's is lost
    before = [a.copy() for pair in params for a in pair]
    with pytest.raises(ValueError, match="params no longer holds the arrays"):
        opt.step(grads)
    after = [a for pair in params for a in pair]
    assert all(np.array_equal(a, b) for a, b in zip(before, after, strict=True))
    params.append(params[0])
    with pytest.raises(ValueError, match="params no longer holds"):
        opt.step(grads)


def test_in_place_changes_of_the_parameters_are_fine():
    params, grads = network()
    opt = SGD(params, 0.1)
    params[0][0][...] = 0.0
    opt.step(grads)
    np.testing.assert_array_equal(params[0][0], -0.1 * grads[0][0])


def test_sgd_with_complex_gradients_in_layer_2_does_not_touch_layer_1():
    """The issue's case: NumPy's UFuncTypeError after W^(1) was updated and the step counted."""
    params, grads = network()
    W1 = params[0][0].copy()
    opt = SGD(params, 0.1)
    with pytest.raises(TypeError, match=r"layer 2: the gradient of W\^\(2\)"):
        opt.step(second_layer(grads, dW=grads[1][0].astype(complex)))
    assert opt.t == 0 and np.array_equal(params[0][0], W1)


# --- hypothesis: random garbage in, a clear error or a clean step out -----------------------------

garbage = st.one_of(
    st.none(), st.integers(), st.floats(), st.text(max_size=3), st.booleans(),
    st.lists(st.floats(allow_nan=True), max_size=4),
    st.sampled_from([np.nan, np.inf, -np.inf, 1e308, np.array([]), np.zeros((3, 2), complex),
                     np.zeros((3, 2), dtype=np.float16), np.zeros((2, 3)), np.zeros((3, 2)),
                     np.zeros(3), np.zeros(1), np.zeros((1, 3)), (1, 2), [], {}]))


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(list(OPTIMIZERS)), where=st.integers(0, 3), value=garbage,
       shape=st.sampled_from(["pairs", "flat", "short"]))
def test_random_bad_gradients(name, where, value, shape):
    params, grads = network()
    opt = OPTIMIZERS[name](params)
    opt.step(grads)
    before = snapshot(opt)
    flat = [a for pair in grads for a in pair]
    flat[where] = value
    bad = {"pairs": [tuple(flat[:2]), tuple(flat[2:])], "flat": flat, "short": [tuple(flat[:2])]}
    try:
        opt.step(bad[shape])
    except (TypeError, ValueError) as error:
        assert "Error" not in str(error) and str(error)     # the library's own words
        assert_same(before, snapshot(opt))
    else:
        assert opt.t == 2


@settings(max_examples=100, deadline=None)
@given(attr=st.sampled_from(["lr", "momentum", "weight_decay"]),
       value=st.one_of(st.floats(), st.text(max_size=2), st.none(), st.integers(-3, 3),
                       st.lists(st.floats(), max_size=3)))
def test_random_settings_either_apply_or_change_nothing(attr, value):
    opt = SGD(network()[0], 0.1, momentum=0.5)
    before = getattr(opt, attr)
    try:
        setattr(opt, attr, value)
    except (TypeError, ValueError) as error:
        assert attr in str(error)
        assert getattr(opt, attr) == before
    else:
        assert np.all(np.isfinite(np.asarray(getattr(opt, attr), dtype=float)))


@settings(max_examples=60, deadline=None)
@given(total=st.one_of(st.integers(-2, 5), st.floats(), st.text(max_size=2)),
       warmup=st.one_of(st.integers(-1, 3), st.floats(0, 2)),
       gamma=st.one_of(st.floats(), st.text(max_size=1), st.integers(-1, 2)))
def test_random_schedule_arguments(total, warmup, gamma):
    opt = SGD(network()[0], 0.1)
    for make in (lambda: CosineDecay(opt, total, warmup_steps=warmup),
                 lambda: StepDecay(opt, 2, gamma=gamma)):
        try:
            make()
        except (TypeError, ValueError) as error:
            assert "Error" not in str(error)
            assert opt.lr == 0.1
        opt.lr = 0.1
