"""Tests of nnbook.optim (chapter 5): the update rules, per-layer rates, schedules, errors."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnbook.optim import (
    SGD,
    AdaGrad,
    Adam,
    AdamW,
    CosineDecay,
    RMSProp,
    Schedule,
    StepDecay,
    check_adam,
    check_adamw,
    check_momentum,
)

# Fixed inputs: one layer, W of shape (2, 2), b of shape (2,), three steps of given gradients.
W0 = [[0.5, -1.0], [1.5, 0.25]]
B0 = [0.1, -0.2]
GRADS = [([[0.3, -0.2], [0.0, 1.0]], [0.5, -0.1]),
         ([[-0.1, 0.4], [0.2, -0.5]], [0.25, 0.3]),
         ([[0.05, 0.1], [-0.3, 0.7]], [-0.4, 0.2])]


def layer(dtype=np.float64):
    return [(np.array(W0, dtype=dtype), np.array(B0, dtype=dtype))]


def grads(k, dtype=np.float64):
    gW, gb = GRADS[k]
    return [(np.array(gW, dtype=dtype), np.array(gb, dtype=dtype))]


def run(opt_class, dtype=np.float64, **kwargs):
    params = layer(dtype)
    opt = opt_class(params, **kwargs)
    for k in range(len(GRADS)):
        opt.step(grads(k, dtype))
    return params[0]


def by_formula(update, state0):
    """Apply ``update(theta, g, state, t) -> (theta, state)`` to W and b, element by element."""
    out = []
    for which in (0, 1):
        theta = np.array([W0, B0][which], dtype=np.float64).ravel()
        result = []
        for i, th in enumerate(theta):
            state = state0
            for t, pair in enumerate(GRADS, start=1):
                g = float(np.ravel(pair[which])[i])
                th, state = update(th, g, state, t)
            result.append(th)
        out.append(np.array(result).reshape(np.shape([W0, B0][which])))
    return out


def assert_params(got, want, atol=1e-15):
    for g, w in zip(got, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=0, atol=atol)


# --- each rule, step by step, from the documented formulas (scalar Python arithmetic) ------------

def test_sgd_is_theta_minus_lr_g():
    assert_params(run(SGD, lr=0.1), by_formula(lambda th, g, s, t: (th - 0.1 * g, s), None))


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_sgd_momentum_by_formula(nesterov, weight_decay):
    lr, mu = 0.1, 0.9

    def update(th, g, buf, t):
        g = g + weight_decay * th
        buf = g if t == 1 else mu * buf + g            # torch: the first buffer is g itself
        g = g + mu * buf if nesterov else buf
        return th - lr * g, buf

    got = run(SGD, lr=lr, momentum=mu, nesterov=nesterov, weight_decay=weight_decay)
    assert_params(got, by_formula(update, None), atol=1e-15)


def test_adagrad_by_formula():
    lr, eps = 0.1, 1e-10

    def update(th, g, G, t):
        G = G + g * g
        return th - lr * g / (math.sqrt(G) + eps), G

    assert_params(run(AdaGrad, lr=lr), by_formula(update, 0.0))


def test_rmsprop_by_formula():
    lr, alpha, eps = 0.01, 0.99, 1e-8

    def update(th, g, v, t):
        v = alpha * v + (1 - alpha) * g * g
        return th - lr * g / (math.sqrt(v) + eps), v

    assert_params(run(RMSProp, lr=lr), by_formula(update, 0.0))


@pytest.mark.parametrize("lr, betas, eps", [(0.1, (0.9, 0.999), 1e-8),
                                            (0.01, (0.8, 0.99), 1e-6)])
def test_adam_by_formula(lr, betas, eps):
    b1, b2 = betas

    def update(th, g, mv, t):
        m, v = mv
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        return th - lr * m_hat / (math.sqrt(v_hat) + eps), (m, v)

    assert_params(run(Adam, lr=lr, betas=betas, eps=eps), by_formula(update, (0.0, 0.0)))


# --- parity with PyTorch -------------------------------------------------------------------------
# W and b after the three steps above, as printed by torch.optim at version 2.13.0 (float64,
# W0/B0 as parameters, GRADS assigned to .grad before each optimizer.step()).
TORCH_2_13 = {
    "SGD(lr=0.1)": (dict(cls=SGD, lr=0.1),
                    [[0.475, -1.03], [1.51, 0.13]], [0.065, -0.24]),
    "SGD(lr=0.1, momentum=0.9)": (
        dict(cls=SGD, lr=0.1, momentum=0.9),
        [[0.4327, -1.0318], [1.492, 0.003999999999999976]], [-0.043, -0.24989999999999998]),
    "SGD(lr=0.1, momentum=0.9, nesterov=True)": (
        dict(cls=SGD, lr=0.1, momentum=0.9, nesterov=True),
        [[0.41442999999999997, -1.0586200000000001], [1.5028, -0.09140000000000002]],
        [-0.0637, -0.28491000000000005]),
    "SGD(lr=0.1, momentum=0.9, weight_decay=0.01)": (
        dict(cls=SGD, lr=0.1, momentum=0.9, weight_decay=0.01),
        [[0.4300013695, -1.026230779], [1.4836121985, 0.0029285997499999905]],
        [-0.04334557010000002, -0.2487869498]),
    "SGD(lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.1)": (
        dict(cls=SGD, lr=0.1, momentum=0.5, nesterov=True, weight_decay=0.1),
        [[0.4298381875, -0.9971398749999999], [1.4346949375, 0.03646540625000002]],
        [0.02062028750000001, -0.25349595]),
    "Adagrad(lr=0.1)": (
        dict(cls=AdaGrad, lr=0.1),
        [[0.41600540044103457, -1.011264508148829], [1.4832050294607073, 0.14165449650949555]],
        [0.013470077865803246, -0.24832057824325054]),
    "RMSprop(lr=0.01)": (
        dict(cls=RMSProp, lr=0.01),
        [[0.41600261369298863, -1.0114796739776826], [1.4833333601851666, 0.14148955889509562]],
        [0.013638065353642669, -0.2485791469378653]),
    "Adam(lr=0.1)": (
        dict(cls=Adam, lr=0.1),
        [[0.31943560977236796, -0.9781754749638348], [1.446850595297307, 0.07199905646262578]],
        [-0.11460543966347607, -0.21585910737069475]),
    "AdamW(lr=0.1, weight_decay=0.1)": (
        dict(cls=AdamW, lr=0.1, weight_decay=0.1),
        [[0.3069753282600871, -0.9500983713488744], [1.4030432320682686, 0.06683014347901672]],
        [-0.1146533600880507, -0.2114147173604941]),
    "Adam(lr=0.01, betas=(0.8, 0.99), eps=1e-6)": (
        dict(cls=Adam, lr=0.01, betas=(0.8, 0.99), eps=1e-6),
        [[0.4829073443762001, -0.9987365288075846], [1.4949097299368974, 0.23282267962834305]],
        [0.07961036491448881, -0.20258078754625133]),
}


@pytest.mark.parametrize("name", list(TORCH_2_13))
@pytest.mark.parametrize("dtype, atol", [(np.float64, 1e-15), (np.float32, 1e-7)])
def test_matches_torch_2_13(name, dtype, atol):
    kwargs, W, b = TORCH_2_13[name]
    kwargs = dict(kwargs)
    got = run(kwargs.pop("cls"), dtype=dtype, **kwargs)
    assert got[0].dtype == dtype
    assert_params(got, [np.array(W), np.array(b)], atol=atol)


# --- per-layer rates, in-place updates, own state, dtype -----------------------------------------

def three_layers(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    sizes = [4, 3, 3, 2]
    params = [(rng.normal(size=(sizes[l + 1], sizes[l])).astype(dtype),
               rng.normal(size=sizes[l + 1]).astype(dtype)) for l in range(3)]
    g = [(rng.normal(size=W.shape).astype(dtype), rng.normal(size=b.shape).astype(dtype))
         for W, b in params]
    return params, g


def test_one_rate_per_layer():
    params, g = three_layers()
    before = [(W.copy(), b.copy()) for W, b in params]
    SGD(params, lr=[0.0, 0.01, 1.0]).step(g)
    rates = [0.0, 0.01, 1.0]
    for (W, b), (W0_, b0_), (dW, db), lr in zip(params, before, g, rates, strict=True):
        np.testing.assert_array_equal(W, W0_ - lr * dW)
        np.testing.assert_array_equal(b, b0_ - lr * db)


@pytest.mark.parametrize("cls", [SGD, AdaGrad, RMSProp, Adam, AdamW])
def test_per_layer_rates_equal_separate_optimizers(cls):
    params, g = three_layers(seed=1)
    alone = [[(W.copy(), b.copy())] for W, b in params]
    rates = [0.3, 0.02, 0.001]
    together = cls(params, lr=rates)
    separate = [cls(p, lr=r) for p, r in zip(alone, rates, strict=True)]
    for _ in range(3):
        together.step(g)
        for opt, pair in zip(separate, g, strict=True):
            opt.step([pair])
    for (W, b), [(W1, b1)] in zip(params, alone, strict=True):
        np.testing.assert_array_equal(W, W1)
        np.testing.assert_array_equal(b, b1)


@pytest.mark.parametrize("make", [lambda p: SGD(p, 0.1, momentum=0.9, nesterov=True,
                                                   weight_decay=0.1),
                                  lambda p: AdaGrad(p, 0.1), lambda p: RMSProp(p, 0.1),
                                  lambda p: Adam(p, 0.1), lambda p: AdamW(p, 0.1)])
def test_updates_in_place_and_leaves_grads_alone(make):
    params, g = three_layers()
    ids = [(id(W), id(b)) for W, b in params]
    g_before = [(dW.copy(), db.copy()) for dW, db in g]
    before = [W.copy() for W, _ in params]
    opt = make(params)
    opt.step(g)
    opt.step(g)
    assert [(id(W), id(b)) for W, b in params] == ids
    assert all(not np.array_equal(W, W0_) for (W, _), W0_ in zip(params, before, strict=True))
    for (dW, db), (dW0, db0) in zip(g, g_before, strict=True):
        np.testing.assert_array_equal(dW, dW0)
        np.testing.assert_array_equal(db, db0)


@pytest.mark.parametrize("cls, attrs", [(SGD, ["momentum_buffer"]), (AdaGrad, ["sum_sq"]),
                                        (RMSProp, ["mean_sq"]), (Adam, ["m", "v"])])
def test_state_belongs_to_each_parameter(cls, attrs):
    shape = (3, 3)
    params = [(np.ones(shape), np.zeros(3)), (np.ones(shape), np.zeros(3))]
    g = [(np.full(shape, 1.0), np.full(3, 2.0)), (np.full(shape, -3.0), np.full(3, 0.5))]
    kwargs = {"momentum": 0.9} if cls is SGD else {}
    opt = cls(params, 0.1, **kwargs)
    opt.step(g)
    for attr in attrs:
        state = getattr(opt, attr)
        arrays = [a for pair in state for a in pair]
        assert len({id(a) for a in arrays}) == 4
        assert not np.array_equal(state[0][0], state[1][0])
        assert not np.array_equal(state[0][1], state[1][1])
        for a, p in zip(arrays, [p for pair in params for p in pair], strict=True):
            assert a.shape == p.shape
    # identical layers with different gradients end in different places
    assert not np.array_equal(params[0][0], params[1][0])


@pytest.mark.parametrize("make", [lambda p: SGD(p, 0.1, momentum=0.9, nesterov=True,
                                                   weight_decay=0.01),
                                  lambda p: AdaGrad(p, 0.1), lambda p: RMSProp(p, 0.1),
                                  lambda p: Adam(p, 0.1), lambda p: AdamW(p, 0.1)])
def test_float32_is_kept(make):
    params, g = three_layers(np.float32)
    opt = make(params)
    for _ in range(3):
        opt.step(g)
    for W, b in params:
        assert W.dtype == np.float32 and b.dtype == np.float32
    for value in vars(opt).values():
        if isinstance(value, list):
            for item in value:
                for a in (item if isinstance(item, tuple) else [item]):
                    if isinstance(a, np.ndarray):
                        assert a.dtype == np.float32


# --- schedules -----------------------------------------------------------------------------------

def rates(opt, schedule, steps):
    """opt.lr before the first schedule.step() and after each of ``steps`` calls."""
    seen = [opt.lr]
    for _ in range(steps):
        schedule.step()
        seen.append(opt.lr)
    return seen


def test_step_decay_sequence_is_exact():
    opt = SGD(layer(), lr=0.8)
    schedule = StepDecay(opt, step_size=3, gamma=0.5)
    seen = rates(opt, schedule, 9)
    assert seen == [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1]


def test_step_decay_scales_each_layer_rate():
    params, _ = three_layers()
    opt = SGD(params, lr=[0.4, 0.2, 0.0])
    schedule = StepDecay(opt, step_size=2, gamma=0.25)
    for _ in range(4):
        schedule.step()
    assert list(opt.lr) == [0.4 / 16, 0.2 / 16, 0.0]


def test_cosine_decay_sequence():
    opt = Adam(layer(), lr=0.1)
    schedule = CosineDecay(opt, total_steps=10, min_factor=0.1, warmup_steps=2)
    seen = rates(opt, schedule, 12)
    expected = [0.1 * 1 / 2, 0.1 * 2 / 2]
    for t in range(2, 13):
        p = min(1.0, (t - 2) / 8)
        expected.append(0.1 * (0.1 + 0.9 * (1 + math.cos(math.pi * p)) / 2))
    assert seen == expected
    assert seen[2] == pytest.approx(0.1) and seen[10] == pytest.approx(0.01)
    assert seen[-1] == seen[10]


# The rates printed by torch.optim.lr_scheduler at version 2.13.0: StepLR(step_size=3, gamma=0.5)
# on SGD(lr=0.8), and CosineAnnealingLR(T_max=10, eta_min=0.01) on SGD(lr=0.1), before the first
# step and after each of the following scheduler.step() calls.
TORCH_STEP_LR = [0.8, 0.8, 0.8, 0.4, 0.4, 0.4, 0.2, 0.2, 0.2, 0.1]
TORCH_COSINE_LR = [0.1, 0.09779754323328192, 0.09140576474687263, 0.08145033635316129,
                   0.06890576474687264, 0.05500000000000001, 0.04109423525312737,
                   0.028549663646838717, 0.01859423525312737, 0.012202456766718092, 0.01]


def test_schedules_match_torch_2_13():
    opt = SGD(layer(), lr=0.8)
    schedule = StepDecay(opt, step_size=3, gamma=0.5)
    seen = rates(opt, schedule, 9)
    assert seen == TORCH_STEP_LR
    opt = SGD(layer(), lr=0.1)
    schedule = CosineDecay(opt, total_steps=10, min_factor=0.1)
    seen = rates(opt, schedule, 10)
    assert seen == pytest.approx(TORCH_COSINE_LR, rel=1e-12)


def test_schedule_from_a_function_and_lr_at():
    opt = RMSProp(layer(), lr=0.5)
    schedule = Schedule(opt, lambda t: 1 / (1 + t))
    assert opt.lr == 0.5
    assert schedule.lr_at(3) == 0.125
    schedule.step()
    assert opt.lr == 0.25 and schedule.t == 1


# --- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lr", [-0.1, float("nan"), float("inf")])
def test_bad_learning_rate(lr):
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        SGD(layer(), lr=lr)
    opt = Adam(layer())
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        opt.lr = lr


def test_bad_learning_rate_per_layer():
    params, _ = three_layers()
    with pytest.raises(ValueError, match="lr has 2 rates, but there are 3 layers"):
        SGD(params, lr=[0.1, 0.1])
    with pytest.raises(ValueError, match=r"lr\[1\] must be a finite number >= 0"):
        SGD(params, lr=[0.1, -1.0, 0.1])
    with pytest.raises(TypeError, match="lr must be a number"):
        SGD(params, lr="fast")


def test_grads_of_the_wrong_count():
    params, g = three_layers()
    opt = Adam(params)
    with pytest.raises(ValueError, match="grads has 2 pairs, but params has 3"):
        opt.step(g[:2])


def test_grads_of_the_wrong_shape_name_the_layer():
    params, g = three_layers()
    opt = SGD(params, 0.1)
    g[0] = (g[0][0].T, g[0][1])
    with pytest.raises(ValueError, match=r"layer 1: the gradient of W\^\(1\) has shape \(4, 3\), "
                       r"but W\^\(1\) has shape \(3, 4\)"):
        opt.step(g)
    params, g = three_layers()
    g[2] = (g[2][0], np.zeros(5))
    with pytest.raises(ValueError, match=r"layer 3: the gradient of b\^\(3\) has shape \(5,\), "
                       r"but b\^\(3\) has shape \(2,\)"):
        SGD(params, 0.1).step(g)
    assert opt.t == 0   # a refused step changes nothing


@pytest.mark.parametrize("betas", [(1.0, 0.999), (0.9, 1.0), (-0.1, 0.9), (0.9,)])
def test_bad_betas(betas):
    with pytest.raises(ValueError, match="betas"):
        Adam(layer(), betas=betas)
    with pytest.raises(ValueError, match="betas"):
        AdamW(layer(), betas=betas)


@pytest.mark.parametrize("cls", [AdaGrad, RMSProp, Adam, AdamW])
@pytest.mark.parametrize("eps", [0.0, -1e-8, float("nan")])
def test_bad_eps(cls, eps):
    with pytest.raises(ValueError, match="eps must be a finite number > 0"):
        cls(layer(), 0.1, eps=eps)


@pytest.mark.parametrize("make, attr, bad", [
    (lambda: SGD(layer(), 0.1, momentum=0.9), "momentum", 1.0),
    (lambda: SGD(layer(), 0.1), "weight_decay", -1.0),
    (lambda: RMSProp(layer(), 0.1), "alpha", float("nan")),
    (lambda: AdaGrad(layer(), 0.1), "eps", 0.0),
    (lambda: Adam(layer()), "betas", (0.9, 1.5)),
    (lambda: Adam(layer()), "eps", "small"),
    (lambda: AdamW(layer()), "weight_decay", float("inf")),
    (lambda: AdamW(layer()), "lr", -1e-3),
])
def test_setters_are_checked_like_the_constructor(make, attr, bad):
    opt = make()
    before = getattr(opt, attr)
    with pytest.raises((TypeError, ValueError), match=attr):
        setattr(opt, attr, bad)
    assert getattr(opt, attr) == before


def test_bad_momentum_alpha_and_decay():
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\)"):
        SGD(layer(), 0.1, momentum=1.0)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum > 0"):
        SGD(layer(), 0.1, nesterov=True)
    with pytest.raises(ValueError, match="weight_decay must be a finite number >= 0"):
        SGD(layer(), 0.1, weight_decay=-0.1)
    with pytest.raises(ValueError, match=r"alpha must be in \[0, 1\)"):
        RMSProp(layer(), 0.1, alpha=1.5)


def test_bad_params():
    with pytest.raises(TypeError, match="list of \\(W, b\\) pairs"):
        SGD(np.zeros((2, 2)), 0.1)
    with pytest.raises(TypeError, match="pair"):
        SGD([np.zeros((2, 2))], 0.1)
    with pytest.raises(TypeError, match="must be a writeable float32 or float64 NumPy array"):
        SGD([([[1.0]], np.zeros(1))], 0.1)
    with pytest.raises(TypeError, match="must be a writeable float32 or float64 NumPy array"):
        SGD([(np.zeros((1, 1), dtype=int), np.zeros(1))], 0.1)
    frozen = np.zeros((1, 1))
    frozen.flags.writeable = False
    with pytest.raises(TypeError, match="writeable"):
        SGD([(frozen, np.zeros(1))], 0.1)


def test_bad_schedules():
    opt = SGD(layer(), 0.1)
    with pytest.raises(ValueError, match="step_size must be an integer >= 1, got 0"):
        StepDecay(opt, 0)
    with pytest.raises(ValueError, match=r"gamma must be in \(0, 1\], got 1.5"):
        StepDecay(opt, 2, gamma=1.5)
    with pytest.raises(TypeError, match="gamma must be a number, got a str"):
        StepDecay(opt, 2, gamma="0.5")
    with pytest.raises(ValueError, match="total_steps must be an integer >= 6, got 5"):
        CosineDecay(opt, 5, warmup_steps=5)
    with pytest.raises(TypeError, match=r"total_steps must be an integer >= 1, got a float "
                       r"\(inf\)"):
        CosineDecay(opt, float("inf"))
    with pytest.raises(TypeError, match="step_size must be an integer"):
        StepDecay(opt, 2.5)
    with pytest.raises(ValueError, match=r"min_factor must be in \[0, 1\]"):
        CosineDecay(opt, 10, min_factor=-0.1)
    with pytest.raises(TypeError, match="factor must be a function"):
        Schedule(opt, 0.5)
    with pytest.raises(TypeError, match="optimizer must have a rate lr"):
        StepDecay([1, 2], 3)
    assert opt.lr == 0.1   # refused schedules leave the rate alone


@pytest.mark.parametrize("factor, match", [(-0.5, r"factor at step 0 must be a finite number >= 0, "
                                                   r"got -0.5"),
                                           (float("nan"), "finite number"),
                                           ("big", "must be a number")])
def test_a_schedule_refuses_a_bad_factor(factor, match):
    opt = SGD(layer(), 0.1)
    with pytest.raises((TypeError, ValueError), match=match):
        Schedule(opt, lambda t: factor)
    assert opt.lr == 0.1


def test_a_schedule_whose_factor_turns_bad_changes_nothing():
    opt = SGD(layer(), 0.1)
    schedule = Schedule(opt, lambda t: 1.0 - t)         # negative from t = 2
    schedule.step()
    with pytest.raises(ValueError, match="factor at step 2"):
        schedule.step()
    assert schedule.t == 1 and opt.lr == 0.0


# --- properties ----------------------------------------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, width=64)


@given(W=arrays(np.float64, (3, 2), elements=finite), G=arrays(np.float64, (3, 2), elements=finite),
       lr=st.floats(0, 10))
def test_sgd_without_momentum_is_theta_minus_lr_g_exactly(W, G, lr):
    b, db = np.zeros(3), np.ones(3)
    expected = W - lr * G
    SGD([(W, b)], lr).step([(G, db)])
    np.testing.assert_array_equal(W, expected)


@given(W=arrays(np.float64, (2, 3), elements=finite),
       G=arrays(np.float64, (2, 3), elements=st.floats(1e-3, 1e3) | st.floats(-1e3, -1e-3)),
       lr=st.floats(1e-4, 1.0))
def test_adam_first_step_is_lr_times_sign(W, G, lr):
    before = W.copy()
    Adam([(W, np.zeros(2))], lr).step([(G, np.zeros(2))])
    np.testing.assert_allclose(W - before, -lr * np.sign(G), rtol=1e-4, atol=1e-12)


@given(mu=st.floats(0, 0.99), lr=st.floats(1e-3, 1.0),
       G=arrays(np.float64, (4, 2, 2), elements=st.floats(-10, 10)))
def test_momentum_forms_agree(mu, lr, G):
    """torch's b <- mu b + g, theta -= lr b is the textbook v <- mu v - lr g, theta += v."""
    W, v, theta = np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 2))
    opt = SGD([(W, np.zeros(2))], lr, momentum=mu)
    for g in G:
        opt.step([(g, np.zeros(2))])
        v = mu * v - lr * g
        theta = theta + v
        np.testing.assert_allclose(W, theta, rtol=1e-9, atol=1e-9)


# --- the checkers --------------------------------------------------------------------------------

def test_check_momentum(capsys):
    def textbook(theta, grad, velocity, lr, mu):
        velocity = mu * velocity - lr * grad
        return theta + velocity, velocity

    def forgetful(theta, grad, velocity, lr, mu):
        return theta - lr * grad, velocity

    assert check_momentum(textbook) is True
    assert "they agree on 6 random cases" in capsys.readouterr().out
    assert check_momentum(forgetful) is False
    out = capsys.readouterr().out
    assert "after step 2: theta[0] is" in out and "plain gradient descent" in out
    assert check_momentum(lambda *args: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_check_adam(capsys):
    def adam(theta, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    def uncorrected(theta, grad, m, v, t, lr, beta1, beta2, eps):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * m / (np.sqrt(v) + eps), m, v

    assert check_adam(adam) is True
    capsys.readouterr()
    assert check_adam(uncorrected) is False
    assert "bias correction" in capsys.readouterr().out


def test_check_adamw(capsys):
    def adamw(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
        theta = (1 - lr * weight_decay) * theta
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        return theta - lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps), m, v

    def adam_l2(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
        return adamw(theta, grad + weight_decay * theta, m, v, t, lr, beta1, beta2, eps, 0.0)

    def decay_without_lr(theta, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
        theta, m, v = adamw(theta, grad, m, v, t, lr, beta1, beta2, eps, 0.0)
        return theta - weight_decay * theta, m, v

    assert check_adamw(adamw) is True
    assert "they agree on 6 random cases" in capsys.readouterr().out
    assert check_adamw(adam_l2) is False
    assert "Adam with an L2 penalty" in capsys.readouterr().out
    assert check_adamw(decay_without_lr) is False
    assert "multiplied by the learning rate" in capsys.readouterr().out


def test_adamw_by_formula():
    lr, lam, b1, b2, eps = 0.1, 0.1, 0.9, 0.999, 1e-8

    def update(th, g, mv, t):
        th = th * (1 - lr * lam)
        m, v = b1 * mv[0] + (1 - b1) * g, b2 * mv[1] + (1 - b2) * g * g
        return th - lr * (m / (1 - b1**t)) / (math.sqrt(v / (1 - b2**t)) + eps), (m, v)

    assert_params(run(AdamW, lr=lr, weight_decay=lam), by_formula(update, (0.0, 0.0)), atol=1e-15)


def test_adamw_first_step_by_hand():
    """First step from W = 1 with gradient g: (1 - lr lam) - lr g / (|g| + eps)."""
    W, b = np.ones((1, 2)), np.ones(1)
    AdamW([(W, b)], lr=0.01, weight_decay=0.5).step([(np.array([[2.0, -1e-3]]), np.zeros(1))])
    expected = [[0.995 - 0.01 * 2 / (2 + 1e-8), 0.995 + 0.01 * 1e-3 / (1e-3 + 1e-8)]]
    np.testing.assert_allclose(W, expected, rtol=0, atol=1e-12)
    assert b[0] == 0.995                                # zero gradient: the decay alone


def test_adamw_without_decay_is_adam():
    params, g = three_layers(seed=2)
    other = [(W.copy(), b.copy()) for W, b in params]
    a, w = Adam(params, 0.01), AdamW(other, 0.01, weight_decay=0.0)
    for _ in range(4):
        a.step(g)
        w.step(g)
    for (W1, b1), (W2, b2) in zip(params, other, strict=True):
        np.testing.assert_array_equal(W1, W2)
        np.testing.assert_array_equal(b1, b2)


@pytest.mark.parametrize("kwargs", [{"lr": 10**400}, {"lr": 0.1, "momentum": 10**400},
                                    {"lr": 0.1, "weight_decay": -(10**400)}])
def test_integers_beyond_the_float_range_are_refused_in_the_library_words(kwargs):
    with pytest.raises(ValueError, match="must be"):
        SGD(layer(), **kwargs)


@pytest.mark.parametrize("make", [lambda p: SGD(p, 0.1, momentum=0.9, nesterov=True),
                                  lambda p: AdaGrad(p, 0.1), lambda p: RMSProp(p, 0.01),
                                  lambda p: Adam(p, [0.1, 0.01, 0.001]), lambda p: AdamW(p, 0.1)])
def test_a_stack_of_networks_steps_like_separate_ones(make):
    """Chapter 5 trains stacks of networks (a leading axis) with one optimizer: every rule acts
    entry by entry, so each slice takes exactly the steps it would take alone."""
    (p1, g1), (p2, g2) = three_layers(seed=4), three_layers(seed=5)
    stacked = [(np.stack([W1, W2]), np.stack([b1, b2]))
               for (W1, b1), (W2, b2) in zip(p1, p2, strict=True)]
    grads = [(np.stack([a1, a2]), np.stack([c1, c2]))
             for (a1, c1), (a2, c2) in zip(g1, g2, strict=True)]
    together, alone = make(stacked), [make(p1), make(p2)]
    for _ in range(3):
        together.step(grads)
        alone[0].step(g1)
        alone[1].step(g2)
    for (W, b), (W1, b1), (W2, b2) in zip(stacked, p1, p2, strict=True):
        np.testing.assert_array_equal(W, np.stack([W1, W2]))
        np.testing.assert_array_equal(b, np.stack([b1, b2]))
