"""Tests for the LSTM of nnbook.stability (chapter 6): contract, BPTT against finite differences."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nnbook
from nnbook.stability import lstm_backward, lstm_forward, lstm_init, lstm_loss_and_gradients


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def flat(pairs):
    return np.concatenate([a.ravel() for pair in pairs for a in pair])


def unflat(theta, like):
    out, k = [], 0
    for W, b in like:
        out.append((theta[k:k + W.size].reshape(W.shape), theta[k + W.size:k + W.size + b.size]))
        k += W.size + b.size
    return out


def data(m, T, s_x, s_y, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((m, T, s_x)), rng.standard_normal((m, s_y))


def step_by_hand(params, x_t, h, c):
    """One LSTM step written out gate by gate, in PyTorch's order (i, f, g, o)."""
    (W_g, b_g), _ = params
    s_h = h.shape[-1]
    a = W_g @ np.concatenate([h, x_t]) + b_g
    i, f, g, o = (a[k * s_h:(k + 1) * s_h] for k in range(4))
    c = sigmoid(f) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_contract(dtype):
    params = lstm_init(3, 5, 2, seed=0, dtype=dtype)
    (W_g, b_g), (W_y, b_y) = params
    assert W_g.shape == (20, 8) and b_g.shape == (20,) and W_y.shape == (2, 5)
    assert b_y.shape == (2,) and not b_y.any()
    assert all(a.dtype == dtype for pair in params for a in pair)
    assert np.all(np.abs(W_g) <= 1 / math.sqrt(5))
    np.testing.assert_array_equal(b_g[5:10], 1.0)                 # the forget gate's bias
    np.testing.assert_array_equal(flat(params), flat(lstm_init(3, 5, 2, seed=0, dtype=dtype)))


def test_forward_follows_the_equations_step_by_step():
    params = lstm_init(2, 3, 1, seed=4)
    params[0][1][:] = np.random.default_rng(5).standard_normal(12)   # all gates matter
    X, _ = data(2, 6, 2, 1)
    H, Y_hat, (C, G) = lstm_forward(params, X)
    assert H.shape == C.shape == (2, 7, 3) and G.shape == (2, 6, 12) and Y_hat.shape == (2, 1)
    assert not H[:, 0].any() and not C[:, 0].any()                   # h_0 = c_0 = 0
    for n in range(2):
        h, c = np.zeros(3), np.zeros(3)
        for t in range(6):
            h, c = step_by_hand(params, X[n, t], h, c)
            np.testing.assert_allclose(H[n, t + 1], h, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(C[n, t + 1], c, rtol=1e-12, atol=1e-15)
    (W_y, b_y) = params[1]
    np.testing.assert_allclose(Y_hat, H[:, -1] @ W_y.T + b_y, rtol=1e-12)


def test_gate_order_is_input_forget_cell_output():
    # W_g = 0: every gate is its bias. With b = (i, f, g, o) = (big, -big, 0.5, big) the cell
    # after one step is sigma(big) tanh(0.5) ~ tanh(0.5) and h = tanh(c).
    s_h = 2
    params = lstm_init(1, s_h, 1, seed=0)
    params[0][0][:] = 0
    params[0][1][:] = np.repeat([30.0, -30.0, 0.5, 30.0], s_h)
    H, _, (C, _) = lstm_forward(params, np.zeros((1, 1, 1)))
    np.testing.assert_allclose(C[0, 1], np.tanh(0.5), rtol=1e-12)
    np.testing.assert_allclose(H[0, 1], np.tanh(np.tanh(0.5)), rtol=1e-12)


@pytest.mark.parametrize("T", [1, 4, 9])
def test_gradient_against_finite_differences(T):
    params = lstm_init(2, 3, 2, seed=T)
    params[0][1][:] += np.random.default_rng(T).standard_normal(12)
    X, Y = data(4, T, 2, 2, seed=T)
    J, grads = lstm_loss_and_gradients(params, X, Y)
    H, Y_hat, _ = lstm_forward(params, X)
    assert J == pytest.approx(0.5 * np.sum((Y_hat - Y) ** 2) / 4, rel=1e-12)
    numeric = nnbook.numerical_gradient(
        lambda th: lstm_loss_and_gradients(unflat(th, params), X, Y)[0], flat(params))
    assert nnbook.relative_error(flat(grads), numeric) < 1e-6
    assert nnbook.gradient_check(
        lambda th: lstm_loss_and_gradients(unflat(th, params), X, Y)[0], flat(params),
        flat(grads)) < 1e-6


def test_dH_is_the_gradient_with_respect_to_the_hidden_states():
    # dJ/dh_t by finite differences: add eps * v to h_t inside the recursion by hand.
    params = lstm_init(1, 3, 1, seed=2)
    X, Y = data(1, 5, 1, 1, seed=3)
    H, Y_hat, cache = lstm_forward(params, X)
    _, dH = lstm_backward(params, X, H, cache, (Y_hat - Y) / 1)
    (W_y, b_y) = params[1]

    def loss_from(t, h, c):
        for k in range(t, 5):
            h, c = step_by_hand(params, X[0, k], h, c)
        return 0.5 * float(np.sum((W_y @ h + b_y - Y[0]) ** 2))

    _, _, (C, _) = lstm_forward(params, X)
    for t in (0, 2, 4):
        numeric = [(loss_from(t, H[0, t] + e, C[0, t]) - loss_from(t, H[0, t] - e, C[0, t]))
                   / 2e-6 for e in 1e-6 * np.eye(3)]
        np.testing.assert_allclose(dH[0, t], numeric, rtol=1e-5, atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 2), st.integers(1, 6),
       st.integers(0, 10**6))
def test_gradient_check_property(s_x, s_h, s_y, T, seed):
    params = lstm_init(s_x, s_h, s_y, seed=seed)
    X, Y = data(3, T, s_x, s_y, seed=seed)
    _, grads = lstm_loss_and_gradients(params, X, Y)
    numeric = nnbook.numerical_gradient(
        lambda th: lstm_loss_and_gradients(unflat(th, params), X, Y)[0], flat(params))
    assert nnbook.relative_error(flat(grads), numeric) < 1e-5


def test_float32_stays_float32_and_inputs_are_untouched():
    params = lstm_init(2, 3, 1, seed=0, dtype=np.float32)
    before = [a.copy() for pair in params for a in pair]
    X, Y = data(2, 4, 2, 1)
    loss, grads = lstm_loss_and_gradients(params, X, Y)
    assert isinstance(loss, float)
    assert all(a.dtype == np.float32 for pair in grads for a in pair)
    assert all(np.array_equal(a, b)
               for a, b in zip(before, [a for p in params for a in p], strict=True))
    assert nnbook.gradient_norms(grads).shape == (2,)


@pytest.mark.parametrize("call, error, match", [
    (lambda p: lstm_forward(p, np.ones((3, 2))), ValueError, r"\(m, T, s_x\)"),
    (lambda p: lstm_forward(p, np.ones((3, 4, 3))), ValueError, r"\(m, T, 2\)"),
    (lambda p: lstm_forward(p[:1], np.ones((3, 4, 2))), TypeError, r"\(W_g, b_g\)"),
    (lambda p: lstm_forward(nnbook.rnn_init(2, 4, 1, seed=0), np.ones((3, 4, 2))), ValueError,
     r"W_g of shape \(4 s_h, s_h \+ s_x\)"),
    (lambda p: lstm_forward(p, np.full((3, 4, 2), np.inf)), ValueError, "NaN or inf"),
    (lambda p: lstm_loss_and_gradients(p, np.ones((3, 4, 2)), np.ones((3, 2))), ValueError,
     r"Y must have shape \(m, s_y\) = \(3, 1\)"),
    (lambda p: lstm_backward(p, np.ones((3, 4, 2)), np.ones((3, 4, 4)),
                             (np.ones((3, 5, 4)), np.ones((3, 4, 16))), np.ones((3, 1))),
     ValueError, "H must be"),
    (lambda p: lstm_backward(p, np.ones((3, 4, 2)), lstm_forward(p, np.ones((3, 4, 2)))[0], None,
                             np.ones((3, 1))), ValueError, "cache must be"),
    (lambda p: lstm_init(2, 0, 1), ValueError, "s_h must be an integer >= 1, got 0"),
    (lambda p: lstm_init(2, 4.0, 1), TypeError, "s_h must be an integer >= 1"),
    (lambda p: lstm_init(2, 4, 1, dtype=np.int64), TypeError, "dtype"),
    (lambda p: lstm_init(2, 4, 1, dtype="abc"), TypeError, "dtype must be float32 or float64"),
    (lambda p: lstm_forward(p, [[[1.0, 2.0]], [[1.0]]]), ValueError, "ragged"),
])
def test_errors_are_clear(call, error, match):
    params = lstm_init(2, 4, 1, seed=0)
    with pytest.raises(error, match=match):
        call(params)


def test_equal_to_torch_lstm():
    torch = pytest.importorskip("torch")                 # not a dependency: run where installed
    s_x, s_h, s_y, m, T = 3, 5, 2, 4, 9
    params = lstm_init(s_x, s_h, s_y, seed=0)
    X, Y = data(m, T, s_x, s_y)
    J, grads = lstm_loss_and_gradients(params, X, Y)
    (W_g, b_g), (W_y, b_y) = params
    lstm = torch.nn.LSTM(s_x, s_h, batch_first=True).double()
    linear = torch.nn.Linear(s_h, s_y).double()
    with torch.no_grad():
        lstm.weight_hh_l0.copy_(torch.from_numpy(W_g[:, :s_h]))
        lstm.weight_ih_l0.copy_(torch.from_numpy(W_g[:, s_h:]))
        lstm.bias_ih_l0.copy_(torch.from_numpy(0.25 * b_g))   # PyTorch's two biases: b_ih +
        lstm.bias_hh_l0.copy_(torch.from_numpy(0.75 * b_g))   # b_hh = b_g
        linear.weight.copy_(torch.from_numpy(W_y))
        linear.bias.copy_(torch.from_numpy(b_y))
    out, _ = lstm(torch.from_numpy(X))
    J_torch = 0.5 * ((linear(out[:, -1]) - torch.from_numpy(Y)) ** 2).sum() / m
    J_torch.backward()
    assert J == pytest.approx(J_torch.item(), rel=1e-12)
    dW_g = torch.cat([lstm.weight_hh_l0.grad, lstm.weight_ih_l0.grad], dim=1).numpy()
    np.testing.assert_allclose(grads[0][0], dW_g, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads[0][1], lstm.bias_ih_l0.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads[1][0], linear.weight.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads[1][1], linear.bias.grad.numpy(), rtol=1e-10, atol=1e-14)


# a bad seed: tests/test_stability.py, for rnn_init and lstm_init alike


def test_seed_may_be_a_generator_and_the_same_seed_gives_the_same_weights():
    a, b = lstm_init(2, 3, 1, seed=7), lstm_init(2, 3, 1, seed=np.random.default_rng(7))
    assert all(np.array_equal(x, y)
               for p, q in zip(a, b, strict=True) for x, y in zip(p, q, strict=True))
