"""Optimizers, learning-rate schedulers and the gradient scaler: several steps from the
same start against torch.optim (and torch.optim.lr_scheduler, torch.amp.GradScaler) called
directly in the test; LAMB and NovoGrad against their formulas in numpy; every form of
call; bad input as clear errors."""

import math

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH

START = np.array([[0.5, -1.0, 2.0], [1.5, -0.25, 0.75]])
WEIGHTS = np.array([[1.0, 2.0, -1.0], [0.5, 3.0, 1.0]])  # the loss: sum(WEIGHTS * w * w)
STEPS = 4


def make_param(tcl, dtype="float32", values=START):
    """A parameter tensor holding ``values``, recording its history."""
    flat = " ".join(repr(float(v)) for v in np.asarray(values).reshape(-1))
    shape = " ".join(map(str, np.asarray(values).shape))
    return tcl.eval(f"torch::tensor_create -data {{{flat}}} -shape {{{shape}}} -dtype {dtype} -requiresGrad true")


def tcl_steps(tcl, param, optimizer, dtype, steps=STEPS):
    """The parameter's values after each step: zero_grad, the loss's backward, step."""
    weights = tcl.create(WEIGHTS, dtype)
    seen = []
    for _ in range(steps):
        tcl.eval(f"torch::optimizer_zero_grad {optimizer}")
        tcl.eval(f"torch::tensor_backward [torch::tensor_sum [torch::tensor_mul [torch::tensor_mul {param} "
                 f"{param}] {weights}]]")
        assert tcl.eval(f"torch::optimizer_step {optimizer}") == "OK"
        seen.append(tcl.read(param, dtype))
    return seen


def torch_steps(build, dtype, steps=STEPS, start=START):
    w = torch.tensor(start, dtype=TORCH[dtype], requires_grad=True)
    weights = torch.tensor(WEIGHTS, dtype=TORCH[dtype])
    optimizer = build([w])
    seen = []
    for _ in range(steps):
        optimizer.zero_grad()
        (weights * w * w).sum().backward()
        optimizer.step()
        seen.append(w.detach().double().numpy().copy())  # (numpy has no bfloat16)
    return seen


def assert_steps(ours, expected, dtype):
    tolerance = {"float32": 1e-5, "float64": 1e-12}.get(dtype, 1e-2)
    for step, (a, b) in enumerate(zip(ours, expected), 1):
        np.testing.assert_allclose(a, b, rtol=tolerance, atol=tolerance, err_msg=f"after step {step}")


# ---- the optimizers torch has: the same steps as torch.optim's ----

O = torch.optim
TORCH_OPTIMIZERS = [
    # (command and its arguments after the parameters, the torch optimizer it must equal)
    ("optimizer_sgd {} 0.1", lambda p: O.SGD(p, lr=0.1)),
    ("optimizer_sgd {} 0.05 0.9 0.1 0.01", lambda p: O.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("optimizer_sgd -parameters {} -lr 0.05 -momentum 0.8 -nesterov 1",
     lambda p: O.SGD(p, lr=0.05, momentum=0.8, nesterov=True)),
    ("optimizerSgd -params {} -learningRate 0.02 -weight_decay 0.5", lambda p: O.SGD(p, lr=0.02, weight_decay=0.5)),
    ("optimizer_momentum_sgd {} 0.05 0.7", lambda p: O.SGD(p, lr=0.05, momentum=0.7)),
    ("optimizer_momentum_sgd -parameters {} -lr 0.05 -weightDecay 0.1",
     lambda p: O.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.1)),
    ("optimizer_adam {} 0.1", lambda p: O.Adam(p, lr=0.1)),
    ("optimizer_adam {} 0.1 0.8 0.99 0.05", lambda p: O.Adam(p, lr=0.1, betas=(0.8, 0.99), weight_decay=0.05)),
    ("optimizerAdam -params {} -lr 0.05 -beta2 0.9", lambda p: O.Adam(p, lr=0.05, betas=(0.9, 0.9))),
    ("optimizer_adamw {} 0.1", lambda p: O.AdamW(p, lr=0.1, weight_decay=0.01)),
    ("optimizerAdamW {} 0.1 0.0", lambda p: O.AdamW(p, lr=0.1, weight_decay=0.0)),
    ("optimizer_adamw -parameters {} -lr 0.1 -weightDecay 0.2 -beta1 0.7 -eps 1e-6 -amsgrad 1",
     lambda p: O.AdamW(p, lr=0.1, weight_decay=0.2, betas=(0.7, 0.999), eps=1e-6, amsgrad=True)),
    ("optimizer_rmsprop {} 0.01", lambda p: O.RMSprop(p, lr=0.01)),
    ("optimizer_rmsprop -parameters {} -lr 0.02 -alpha 0.9 -epsilon 1e-6",
     lambda p: O.RMSprop(p, lr=0.02, alpha=0.9, eps=1e-6)),
    ("optimizer_adagrad {} 0.1", lambda p: O.Adagrad(p, lr=0.1, eps=1e-10)),
    ("optimizerAdagrad -parameters {} -lr 0.3 -eps 1e-4", lambda p: O.Adagrad(p, lr=0.3, eps=1e-4)),
    ("optimizer_rprop {}", lambda p: O.Rprop(p, lr=0.01)),
    ("optimizer_rprop {} 0.05 {0.4 1.5} {1e-4 1.0}",
     lambda p: O.Rprop(p, lr=0.05, etas=(0.4, 1.5), step_sizes=(1e-4, 1.0))),
    ("optimizer_adamax {}", lambda p: O.Adamax(p, lr=0.002)),
    ("optimizer_adamax -parameters {} -lr 0.1 -beta1 0.5 -weightDecay 0.1",
     lambda p: O.Adamax(p, lr=0.1, betas=(0.5, 0.999), weight_decay=0.1)),
    ("optimizer_nadam {} 0.1 {0.8 0.99} 1e-7 0.01 0.01",
     lambda p: O.NAdam(p, lr=0.1, betas=(0.8, 0.99), eps=1e-7, weight_decay=0.01, momentum_decay=0.01)),
    ("optimizer_nadam -parameters {} -momentumDecay 0.002", lambda p: O.NAdam(p, lr=0.002, momentum_decay=0.002)),
    ("optimizer_radam {} 0.1", lambda p: O.RAdam(p, lr=0.1)),
    ("optimizerRAdam {} 0.05", lambda p: O.RAdam(p, lr=0.05)),
    ("optimizer_radam -parameters {} -lr 0.1 -beta2 0.9 -eps 1e-6 -weightDecay 0.1",
     lambda p: O.RAdam(p, lr=0.1, betas=(0.9, 0.9), eps=1e-6, weight_decay=0.1)),
    ("optimizer_adafactor {}", lambda p: O.Adafactor(p, lr=0.8, eps=(1e-15, 1e-3))),
    ("optimizer_adafactor -parameters {} -lr 0.05 -decayRate -0.5 -clipThreshold 2.0 -weightDecay 0.1",
     lambda p: O.Adafactor(p, lr=0.05, beta2_decay=-0.5, d=2.0, weight_decay=0.1, eps=(1e-15, 1e-3))),
    ("optimizer_adafactor {} 0.1 1e-20", lambda p: O.Adafactor(p, lr=0.1, eps=(1e-10, 1e-3))),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("call, build", TORCH_OPTIMIZERS, ids=[c.split(" ")[0] + str(i)
                                                              for i, (c, _) in enumerate(TORCH_OPTIMIZERS)])
def test_optimizer_steps_equal_torch(tcl, call, build, dtype):
    w = make_param(tcl, dtype)
    optimizer = tcl.eval(f"torch::{call.replace('{}', w, 1)}")
    assert optimizer.startswith("optimizer")
    assert_steps(tcl_steps(tcl, w, optimizer, dtype), torch_steps(build, dtype), dtype)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("call, build", [TORCH_OPTIMIZERS[i] for i in (1, 7, 10)], ids=["sgd", "adam", "adamw"])
def test_half_precision_parameters_step_as_torch(tcl, call, build, dtype):
    w = make_param(tcl, dtype)
    optimizer = tcl.eval(f"torch::{call.replace('{}', w, 1)}")
    assert_steps(tcl_steps(tcl, w, optimizer, dtype), torch_steps(build, dtype), dtype)


def test_adafactor_leaves_a_parameter_without_gradient_finite(tcl):
    """eps2 1e-30 is the floor of the squared gradient (torch's eps[0] 1e-15): never 0, never NaN."""
    w = make_param(tcl, values=np.zeros((2, 3)))
    optimizer = tcl.eval(f"torch::optimizer_adafactor {w}")
    tcl.eval(f"torch::tensor_backward [torch::tensor_sum [torch::tensor_mul {w} {w}]]")  # gradient 0
    tcl.eval(f"torch::optimizer_step {optimizer}")
    np.testing.assert_array_equal(tcl.read(w, "float32"), np.zeros((2, 3)))


def test_an_optimizer_over_several_tensors_and_a_layer(tcl):
    a, b = make_param(tcl), make_param(tcl, values=START[::-1])
    optimizer = tcl.eval(f"torch::optimizer_adam [list {a} {b}] 0.1")
    weights = tcl.create(WEIGHTS, "float32")
    for _ in range(3):
        tcl.eval(f"torch::optimizer_zero_grad {optimizer}")
        tcl.eval(f"torch::tensor_backward [torch::tensor_add [torch::tensor_sum [torch::tensor_mul [torch::tensor_mul "
                 f"{a} {a}] {weights}]] [torch::tensor_sum [torch::tensor_mul {b} {weights}]]]")
        tcl.eval(f"torch::optimizer_step {optimizer}")
    ta = torch.tensor(START, dtype=torch.float32, requires_grad=True)
    tb = torch.tensor(START[::-1].copy(), dtype=torch.float32, requires_grad=True)
    weights_t = torch.tensor(WEIGHTS, dtype=torch.float32)
    reference = O.Adam([ta, tb], lr=0.1)
    for _ in range(3):
        reference.zero_grad()
        ((weights_t * ta * ta).sum() + (tb * weights_t).sum()).backward()
        reference.step()
    np.testing.assert_allclose(tcl.read(a, "float32"), ta.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(tcl.read(b, "float32"), tb.detach().numpy(), rtol=1e-6)
    # A layer handle stands for its parameters (the layer registry holds nn.Modules).
    layer = torch.nn.Linear(3, 2)
    name = tcl.engine.layers.add(layer, "linear")
    optimizer = tcl.eval(f"torch::optimizer_sgd {name} 0.1")
    assert tcl.engine.optimizer(optimizer).param_groups[0]["params"] == list(layer.parameters())


# ---- LAMB and NovoGrad (torch has neither): against the formulas in numpy ----

def lamb_numpy(lr, beta1, beta2, eps, weight_decay, steps=STEPS):
    w, m, v, seen = START.copy(), np.zeros_like(START), np.zeros_like(START), []
    for t in range(1, steps + 1):
        g = 2 * WEIGHTS * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        r = (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps) + weight_decay * w
        wn, rn = np.linalg.norm(w), np.linalg.norm(r)
        trust = wn / rn if wn > 0 and rn > 0 else 1.0
        w = w - lr * trust * r
        seen.append(w)
    return seen


def novograd_numpy(lr, beta1, beta2, eps, weight_decay, averaging, steps=STEPS):
    w, m, v, seen = START.copy(), np.zeros_like(START), None, []
    for _ in range(steps):
        g = 2 * WEIGHTS * w
        norm = np.sum(g * g)
        v = norm if v is None else beta2 * v + (1 - beta2) * norm
        d = g / (np.sqrt(v) + eps) + weight_decay * w
        if averaging:
            d = d * (1 - beta1)
        m = beta1 * m + d
        w = w - lr * m
        seen.append(w)
    return seen


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("call, expected", [
    ("optimizer_lamb {}", lambda: lamb_numpy(0.001, 0.9, 0.999, 1e-6, 0.01)),
    ("optimizer_lamb {} 0.1 {0.8 0.99} 1e-8 0.0", lambda: lamb_numpy(0.1, 0.8, 0.99, 1e-8, 0.0)),
    ("optimizerLamb -parameters {} -lr 0.05 -beta1 0.5 -weightDecay 0.1",
     lambda: lamb_numpy(0.05, 0.5, 0.999, 1e-6, 0.1)),
    ("optimizer_novograd {}", lambda: novograd_numpy(0.01, 0.95, 0.98, 1e-8, 0.0, False)),
    ("optimizer_novograd {} 0.1 {0.9 0.5} 1e-6 0.01 1", lambda: novograd_numpy(0.1, 0.9, 0.5, 1e-6, 0.01, True)),
    ("optimizerNovograd -params {} -lr 0.2 -beta2 0.7 -gradAveraging true",
     lambda: novograd_numpy(0.2, 0.95, 0.7, 1e-8, 0.0, True)),
])
def test_lamb_and_novograd_follow_their_formulas(tcl, call, expected, dtype):
    w = make_param(tcl, dtype)
    optimizer = tcl.eval(f"torch::{call.replace('{}', w, 1)}")
    assert_steps(tcl_steps(tcl, w, optimizer, dtype), expected(), dtype)


def test_lbfgs_sparse_adam_are_torchs_and_say_what_a_step_needs(tcl):
    w = make_param(tcl)
    lbfgs = tcl.eval(f"torch::optimizer_lbfgs -parameters {w} -lr 0.5 -maxIter 5 -maxEval 7 -toleranceGrad 1e-5")
    made = tcl.engine.optimizer(lbfgs)
    assert isinstance(made, O.LBFGS)
    assert (made.defaults["lr"], made.defaults["max_iter"], made.defaults["max_eval"],
            made.defaults["tolerance_grad"], made.defaults["tolerance_change"]) == (0.5, 5, 7, 1e-5, 1e-9)
    assert "LBFGS needs a closure" in tcl.error(f"torch::optimizer_step {lbfgs}")
    sparse = tcl.eval(f"torch::optimizer_sparse_adam {w} 0.01 0.8 0.9 1e-6")
    made = tcl.engine.optimizer(sparse)
    assert isinstance(made, O.SparseAdam) and made.defaults["betas"] == (0.8, 0.9) and made.defaults["eps"] == 1e-6
    tcl.eval(f"torch::tensor_backward [torch::tensor_sum [torch::tensor_mul {w} {w}]]")
    assert tcl.error(f"torch::optimizer_step {sparse}") == (
        "optimizer_step: SparseAdam does not support dense gradients, please consider Adam instead")
    assert "SparseAdam has no weight decay" in tcl.error(f"torch::optimizer_sparse_adam -parameters {w} "
                                                         "-weightDecay 0.1")


def test_zero_grad_drops_or_zeroes_the_gradients(tcl):
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} 0.1")
    backward = f"torch::tensor_backward [torch::tensor_sum [torch::tensor_mul {w} {w}]]"
    tcl.eval(backward)
    assert tcl.eval(f"torch::optimizer_zero_grad {optimizer} 0") == "OK"
    np.testing.assert_array_equal(tcl.read(f"[torch::tensor_grad {w}]", "float32"), np.zeros_like(START))
    assert tcl.eval(f"torch::optimizerZeroGrad -optimizer {optimizer} -setToNone 1") == "OK"
    assert tcl.error(f"torch::tensor_grad {w}") == "No gradient computed yet"
    tcl.eval(backward)
    tcl.eval(f"torch::optimizer_zero_grad -opt {optimizer} -set_to_none false")
    np.testing.assert_array_equal(tcl.read(f"[torch::tensor_grad {w}]", "float32"), np.zeros_like(START))
    tcl.eval(f"torch::optimizer_zero_grad {optimizer}")  # by default: dropped, as torch does
    assert tcl.error(f"torch::tensor_grad {w}") == "No gradient computed yet"


@pytest.mark.parametrize("script, message", [
    ("torch::optimizer_sgd {W} -0.1", "Required parameters missing or invalid: lr must be positive, got -0.1"),
    ("torch::optimizer_sgd -lr 0.1", "Required parameters missing: -parameters"),
    ("torch::optimizer_sgd {W}", "Wrong number of arguments (wrong # args). Usage: torch::optimizer_sgd parameters lr"),
    ("torch::optimizer_sgd {W} 0.1 -0.5", "Required parameters missing or invalid: momentum must be >= 0, got -0.5"),
    ("torch::optimizer_sgd -parameters {W} -nesterov 1", "Required parameters missing or invalid: nesterov needs "
     "momentum > 0 and dampening 0"),
    ("torch::optimizer_sgd {W} abc", 'Invalid lr: expected number, got "abc"'),
    ("torch::optimizer_sgd nothing 0.1", "Invalid parameter tensor: nothing"),
    ("torch::optimizer_sgd {} 0.1", "Required parameters missing or invalid: parameters must name at least one"),
    ("torch::optimizer_sgd {I} 0.1", "Invalid parameter tensor: only floating-point tensors can be optimized, "
     "got Int64"),
    ("torch::optimizer_sgd -parameters {W} -bogus 1", "Unknown parameter: -bogus. Valid parameters: -parameters"),
    ("torch::optimizer_sgd -parameters {W} -lr", "Missing value for parameter: -lr. Named parameters must come in pairs"),
    ("torch::optimizer_sgd [torch::tensor_mul {W} {W}] 0.1", "optimizer_sgd: can't optimize a non-leaf Tensor"),
    ("torch::optimizer_adam {W} 0.1 1.5", "Required parameters missing or invalid: beta1 must be in [0, 1), got 1.5"),
    ("torch::optimizer_adamw {W} 0.1 -1", "Required parameters missing or invalid: weightDecay must be >= 0"),
    ("torch::optimizer_rmsprop {W} 0.1 0", "Required parameters missing or invalid: alpha must be positive, got 0.0"),
    ("torch::optimizer_adagrad {W} 0.1 0", "Required parameters missing or invalid: eps must be positive, got 0.0"),
    ("torch::optimizer_momentum_sgd {W} 0.1", "Wrong number of arguments (wrong # args). Usage: torch::optimizer_momentum_sgd "
     "parameters lr momentum"),
    ("torch::optimizer_lbfgs {W} 1.0 0", "Required parameters missing or invalid: maxIter must be positive, got 0"),
    ("torch::optimizer_rprop {W} 0.1 {1.5 2}", "Required parameters missing or invalid: etas must be"),
    ("torch::optimizer_rprop {W} 0.1 {0.5 1.2} {1}", 'Required parameters missing or invalid: stepSizes must be a '
     'list of two numbers, got "1"'),
    ("torch::optimizer_adamax {W} 0.1 {0.9 x}", 'betas must be a list of two numbers, got "0.9 x"'),
    ("torch::optimizer_nadam -parameters {W} -beta2 1", "beta2 must be in [0, 1), got 1.0"),
    ("torch::optimizer_radam {W} 0.1 {0.9 0.99} -1e-8", "eps must be positive, got -1e-08"),
    ("torch::optimizer_adafactor -parameters {W} -beta1 0.9", "torch's Adafactor keeps no first moment (beta1)"),
    ("torch::optimizer_adafactor -parameters {W} -decayRate 0.5", "decayRate must be <= 0"),
    ("torch::optimizer_adafactor {W} 0.1 1e-30 0.5", "clipThreshold must be >= 1, got 0.5"),
    ("torch::optimizer_adafactor {W} -1", "Invalid learning rate: -1.0"),
    ("torch::optimizer_lamb {W} 0", "Required parameters missing or invalid: lr must be positive, got 0.0"),
    ("torch::optimizer_novograd {W} 0.1 {0.9 1.2}", "beta2 must be in [0, 1), got 1.2"),
    ("torch::optimizer_step nothing", "Invalid optimizer handle: nothing"),
    ("torch::optimizer_step -optimizer nothing", "Invalid optimizer handle: nothing"),
    ("torch::optimizer_step", "Wrong number of arguments (wrong # args). Usage: torch::optimizer_step optimizer"),
    ("torch::optimizer_zero_grad {O} maybe", 'Invalid setToNone: expected boolean, got "maybe"'),
    ("torch::get_lr nothing", "Invalid optimizer name: nothing"),
    ("torch::get_lr -bogus x", "Unknown parameter: -bogus. Valid parameters: -optimizer"),
])
def test_bad_optimizer_input_is_a_clear_error(tcl, script, message):
    w = make_param(tcl)
    i = tcl.create([1, 2], "int64")
    o = tcl.eval(f"torch::optimizer_sgd {w} 0.1")
    assert message in tcl.error_detail(script.replace("{W}", w).replace("{I}", i).replace("{O}", o))


def test_get_lr_reads_the_first_group(tcl):
    w = make_param(tcl)
    assert float(tcl.eval(f"torch::get_lr [torch::optimizer_sgd {w} 0.25]")) == 0.25
    assert float(tcl.eval(f"torch::getLr -optimizer [torch::optimizer_adam {w} 0.003]")) == 0.003
    assert float(tcl.eval(f"torch::get_lr [torch::optimizer_adafactor {w}]")) == 0.8


# ---- schedulers: the rate after each step, against torch.optim.lr_scheduler's ----

S = torch.optim.lr_scheduler
SCHEDULERS = [
    # (the optimizer's rate, the command after the optimizer, the torch scheduler, the handle's prefix)
    (0.1, "lr_scheduler_step {} 2", lambda o: S.StepLR(o, 2, 0.1), "step_scheduler"),
    (0.1, "lrSchedulerStep -optimizer {} -stepSize 3 -gamma 0.5", lambda o: S.StepLR(o, 3, 0.5), "step_scheduler"),
    (0.1, "lr_scheduler_step -optimizer {} -step_size 1 -gamma 2", lambda o: S.StepLR(o, 1, 2.0), "step_scheduler"),
    (0.1, "lr_scheduler_multi_step {} {2 5}", lambda o: S.MultiStepLR(o, [2, 5]), "scheduler"),
    (0.1, "lr_scheduler_multi_step -optimizer {} -milestones {1 3 4} -gamma 0.5",
     lambda o: S.MultiStepLR(o, [1, 3, 4], 0.5), "scheduler"),
    (0.1, "lr_scheduler_exponential {}", lambda o: S.ExponentialLR(o, 0.95), "scheduler"),
    (0.1, "lr_scheduler_exponential -opt {} -decay 0.5", lambda o: S.ExponentialLR(o, 0.5), "scheduler"),
    (0.1, "lr_scheduler_exponential_decay {} 0.8", lambda o: S.ExponentialLR(o, 0.8), "scheduler"),
    (0.1, "lrSchedulerExponentialDecay -optimizer {} -gamma 0.7", lambda o: S.ExponentialLR(o, 0.7), "scheduler"),
    (0.1, "lr_scheduler_cosine {} 4", lambda o: S.CosineAnnealingLR(o, 4), "scheduler"),
    (0.1, "lr_scheduler_cosine -optimizer {} -T_max 3 -eta_min 0.01",
     lambda o: S.CosineAnnealingLR(o, 3, 0.01), "scheduler"),
    (0.1, "lr_scheduler_cosine_annealing {} 5 0.02", lambda o: S.CosineAnnealingLR(o, 5, 0.02), "scheduler"),
    (0.1, "lrSchedulerCosineAnnealing -optimizer {} -tMax 2 -etaMin 0.001",
     lambda o: S.CosineAnnealingLR(o, 2, 0.001), "scheduler"),
    (0.1, "lr_scheduler_cosine_annealing_warm_restarts {} 2 2 0.01",
     lambda o: S.CosineAnnealingWarmRestarts(o, 2, 2, 0.01), "scheduler"),
    (0.1, "lr_scheduler_cosine_annealing_warm_restarts -optimizer {} -T_0 3",
     lambda o: S.CosineAnnealingWarmRestarts(o, 3), "scheduler"),
    (0.1, "lr_scheduler_multiplicative {} 0.9", lambda o: S.MultiplicativeLR(o, lambda e: 0.9), "scheduler"),
    (0.1, "lr_scheduler_multiplicative -optimizer {} -lrLambda 1.1",
     lambda o: S.MultiplicativeLR(o, lambda e: 1.1), "scheduler"),
    (0.1, "lr_scheduler_lambda {} 0.5", lambda o: S.LambdaLR(o, lambda e: 0.5 ** e), "lambda_scheduler"),
    (0.1, "lr_scheduler_lambda -optimizer {} -lambda 0.9", lambda o: S.LambdaLR(o, lambda e: 0.9 ** e),
     "lambda_scheduler"),
    (0.1, "lr_scheduler_lambda {}", lambda o: S.LambdaLR(o, lambda e: 1.0), "lambda_scheduler"),
    (0.1, "lr_scheduler_polynomial {} 4", lambda o: S.PolynomialLR(o, 4), "scheduler"),
    (0.1, "lr_scheduler_polynomial -optimizer {} -totalIters 5 -power 2", lambda o: S.PolynomialLR(o, 5, 2.0),
     "scheduler"),
    (0.1, "lr_scheduler_cyclic {} 0.01 0.1 2", lambda o: S.CyclicLR(o, 0.01, 0.1, 2), "cyclic_scheduler"),
    (0.1, "lr_scheduler_cyclic -optimizer {} -baseLr 0.01 -maxLr 0.05 -stepSize 3 -mode triangular2",
     lambda o: S.CyclicLR(o, 0.01, 0.05, 3, mode="triangular2"), "cyclic_scheduler"),
    (0.1, "lr_scheduler_one_cycle {} 0.5 10", lambda o: S.OneCycleLR(o, 0.5, 10), "scheduler"),
    (0.1, "lr_scheduler_one_cycle {} 0.5 10 0.5 linear 10",
     lambda o: S.OneCycleLR(o, 0.5, 10, pct_start=0.5, anneal_strategy="linear", div_factor=10), "scheduler"),
    (0.1, "lr_scheduler_onecycle_advanced {} 0.5 8 0.25 cos 5 100",
     lambda o: S.OneCycleLR(o, 0.5, 8, pct_start=0.25, div_factor=5, final_div_factor=100), "scheduler"),
]


def tcl_rates(tcl, optimizer, scheduler, steps=6):
    rates = [float(tcl.eval(f"torch::get_lr {optimizer}"))]
    for _ in range(steps):
        assert tcl.eval(f"torch::lr_scheduler_step_update {scheduler}") == "OK"
        rates.append(float(tcl.eval(f"torch::get_lr {optimizer}")))
        assert float(tcl.eval(f"torch::get_lr_advanced {scheduler}")) == rates[-1]
    return rates


def torch_rates(lr, build, steps=6, momentum=0.9):
    optimizer = O.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=momentum)
    scheduler = build(optimizer)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(steps):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    return rates


@pytest.mark.parametrize("lr, call, build, prefix", SCHEDULERS, ids=[c.split(" ")[0] + str(i) for i, (_, c, _, _)
                                                                     in enumerate(SCHEDULERS)])
def test_scheduler_rates_equal_torch(tcl, lr, call, build, prefix):
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} {lr} 0.9")
    scheduler = tcl.eval(f"torch::{call.replace('{}', optimizer, 1)}")
    assert scheduler.rstrip("0123456789") == prefix
    np.testing.assert_allclose(tcl_rates(tcl, optimizer, scheduler), torch_rates(lr, build), rtol=1e-12)


def test_cycles_leave_momentum_alone_where_the_optimizer_has_none(tcl):
    """Adagrad has neither momentum nor betas: torch would refuse to cycle them."""
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_adagrad {w} 0.1")
    scheduler = tcl.eval(f"torch::lr_scheduler_cyclic {optimizer} 0.01 0.1 2")
    reference = O.Adagrad([torch.zeros(1, requires_grad=True)], lr=0.1)
    expected = S.CyclicLR(reference, 0.01, 0.1, 2, cycle_momentum=False)
    rates = tcl_rates(tcl, optimizer, scheduler, 3)
    wanted = [reference.param_groups[0]["lr"]]
    for _ in range(3):
        reference.step()
        expected.step()
        wanted.append(reference.param_groups[0]["lr"])
    np.testing.assert_allclose(rates, wanted, rtol=1e-12)
    # With Adam, OneCycleLR cycles beta1 as torch does.
    adam = tcl.eval(f"torch::optimizer_adam {w} 0.1")
    tcl.eval(f"torch::lr_scheduler_one_cycle {adam} 0.5 10")
    assert tcl.engine.optimizer(adam).param_groups[0]["betas"][0] == pytest.approx(0.95)


# LambdaLR schedules torch has no class for, as formulas of the step number s (independent of our code).
def linear_warmup(s, warmup, total):
    return s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup))


FORMULAS = [
    ("lr_scheduler_linear_with_warmup {} 3 8", lambda s: linear_warmup(s, 3, 8), "linear_warmup_scheduler"),
    ("lrSchedulerLinearWithWarmup -optimizer {} -num_warmup_steps 0 -numTrainingSteps 4",
     lambda s: linear_warmup(s, 0, 4), "linear_warmup_scheduler"),
    ("lr_scheduler_constant_with_warmup {} 4", lambda s: min(1.0, s / 4), "constant_warmup_scheduler"),
    ("lr_scheduler_constant_with_warmup -optimizer {} -numWarmupSteps 0", lambda s: 1.0, "constant_warmup_scheduler"),
    ("lr_scheduler_inverse_sqrt {} 4", lambda s: s / 4 if s < 4 else math.sqrt(4 / s), "inverse_sqrt_scheduler"),
    ("lr_scheduler_inverse_sqrt -optimizer {} -warmupSteps 2 -decayFactor 0.5",
     lambda s: 0.5 * (s / 2 if s < 2 else math.sqrt(2 / s)), "inverse_sqrt_scheduler"),
    ("lr_scheduler_noam {} 16 3", lambda s: 16 ** -0.5 * min(max(s, 1) ** -0.5, max(s, 1) * 3 ** -1.5), "scheduler"),
    ("lrSchedulerNoam -optimizer {} -modelSize 512", lambda s: 512 ** -0.5 * min(max(s, 1) ** -0.5,
                                                                                  max(s, 1) * 4000 ** -1.5),
     "scheduler"),
]


@pytest.mark.parametrize("call, factor, prefix", FORMULAS, ids=[c.split(" ")[0] + str(i) for i, (c, _, _)
                                                                in enumerate(FORMULAS)])
def test_warmup_schedules_follow_their_formulas(tcl, call, factor, prefix):
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} 0.2")
    scheduler = tcl.eval(f"torch::{call.replace('{}', optimizer, 1)}")
    assert scheduler.rstrip("0123456789") == prefix
    np.testing.assert_allclose(tcl_rates(tcl, optimizer, scheduler, 9), [0.2 * factor(s) for s in range(10)],
                               rtol=1e-12, atol=1e-15)


def test_last_epoch_resumes_as_torch_does(tcl):
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} 0.1")
    scheduler = tcl.eval(f"torch::lr_scheduler_polynomial {optimizer} 6 1.0 2")
    reference = O.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    for group in reference.param_groups:
        group["initial_lr"] = group["lr"]
    expected = S.PolynomialLR(reference, 6, 1.0, last_epoch=2)
    rates, wanted = [float(tcl.eval(f"torch::get_lr {optimizer}"))], [reference.param_groups[0]["lr"]]
    for _ in range(3):
        tcl.eval(f"torch::lr_scheduler_step_update {scheduler}")
        rates.append(float(tcl.eval(f"torch::get_lr {optimizer}")))
        reference.step()
        expected.step()
        wanted.append(reference.param_groups[0]["lr"])
    np.testing.assert_allclose(rates, wanted, rtol=1e-12)
    warm = tcl.eval(f"torch::lr_scheduler_linear_with_warmup [torch::optimizer_sgd {w} 0.1] 2 6 3")
    assert float(tcl.eval(f"torch::get_lr_advanced {warm}")) == pytest.approx(0.1 * linear_warmup(4, 2, 6))


PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.97, 0.99, 0.5, 0.6, 0.7, 0.8]


@pytest.mark.parametrize("call, build", [
    ("lr_scheduler_plateau {} min 0.5 1", lambda o: S.ReduceLROnPlateau(o, "min", 0.5, 1)),
    ("lr_scheduler_plateau -optimizer {} -mode max -factor 0.2 -patience 2",
     lambda o: S.ReduceLROnPlateau(o, "max", 0.2, 2)),
    ("lr_scheduler_plateau {}", lambda o: S.ReduceLROnPlateau(o)),
    ("lr_scheduler_reduce_on_plateau {} min 0.5 1 0.1 abs 0.03",
     lambda o: S.ReduceLROnPlateau(o, "min", 0.5, 1, 0.1, "abs", min_lr=0.03)),
    ("lrSchedulerReduceOnPlateau -optimizer {} -mode min -factor 0.5 -patience 1 -threshold 0.01 "
     "-threshold_mode rel -min_lr 0.01",
     lambda o: S.ReduceLROnPlateau(o, "min", 0.5, 1, 0.01, "rel", min_lr=0.01)),
])
def test_plateau_schedulers_step_on_a_metric_as_torch(tcl, call, build):
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} 0.1")
    scheduler = tcl.eval(f"torch::{call.replace('{}', optimizer, 1)}")
    reference = O.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    expected = build(reference)
    for i, metric in enumerate(PLATEAU_METRICS):
        form = (f"torch::lr_scheduler_step_advanced {scheduler} {metric}" if i % 2 else
                f"torch::lrSchedulerStepAdvanced -scheduler {scheduler} -metric {metric}")
        assert tcl.eval(form) == "OK"
        expected.step(metric)
        assert float(tcl.eval(f"torch::get_lr {optimizer}")) == pytest.approx(reference.param_groups[0]["lr"],
                                                                             rel=1e-12)
        assert float(tcl.eval(f"torch::getLrAdvanced -scheduler {scheduler}")) == pytest.approx(
            reference.param_groups[0]["lr"], rel=1e-12)
    assert "steps on a metric" in tcl.error(f"torch::lr_scheduler_step_update {scheduler}")
    assert "steps on a metric" in tcl.error(f"torch::lr_scheduler_step_advanced {scheduler}")


def test_one_cycle_past_its_total_is_torchs_error(tcl):
    optimizer = tcl.eval(f"torch::optimizer_sgd {make_param(tcl)} 0.1 0.9")
    scheduler = tcl.eval(f"torch::lr_scheduler_one_cycle {optimizer} 0.5 2")
    tcl.eval(f"torch::lr_scheduler_step_update {scheduler}")
    tcl.eval(f"torch::lr_scheduler_step_update {scheduler}")
    assert tcl.error(f"torch::lr_scheduler_step_update {scheduler}") == (
        "lr_scheduler_step_update: Tried to step 3 times. The specified number of total steps is 2")
    assert "Tried to step 4 times" in tcl.error(f"torch::lr_scheduler_step_advanced {scheduler}")


def test_every_command_answers_to_its_camel_case_name(tcl):
    from tcltorch_mpi.families.optimizers import COMMANDS
    assert len(COMMANDS) == 45
    for command in COMMANDS:
        for spelling in command.spellings:
            assert tcl.eval(f"info commands ::torch::{spelling}") == f"::torch::{spelling}"
    # the spellings the extension has beyond the camelCase rule
    assert {"optimizerAdamW", "optimizerRAdam"} <= {s for c in COMMANDS for s in c.spellings}


def test_step_advanced_steps_other_schedulers_without_a_metric(tcl):
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} 0.1")
    scheduler = tcl.eval(f"torch::lr_scheduler_step {optimizer} 1 0.5")
    tcl.eval(f"torch::lr_scheduler_step_advanced {scheduler}")
    tcl.eval(f"torch::lr_scheduler_step_advanced -handle {scheduler} -metric 3.0")  # no metric used
    tcl.eval(f"torch::lrSchedulerStepUpdate -scheduler {scheduler}")
    assert float(tcl.eval(f"torch::get_lr {optimizer}")) == pytest.approx(0.1 * 0.5 ** 3)


@pytest.mark.parametrize("script, message", [
    ("torch::lr_scheduler_step {O} 0", "Required parameters missing or invalid: stepSize must be positive, got 0"),
    ("torch::lr_scheduler_step {O}", "Wrong number of arguments (wrong # args). Usage: torch::lr_scheduler_step optimizer stepSize"),
    ("torch::lr_scheduler_step -optimizer {O}", "Required parameters missing: -stepSize"),
    ("torch::lr_scheduler_step {O} 2 -1", "gamma must be positive, got -1.0"),
    ("torch::lr_scheduler_step nothing 2", "Invalid optimizer name: nothing"),
    ("torch::lr_scheduler_step {O} 2.5", 'Invalid stepSize: expected integer, got "2.5"'),
    ("torch::lr_scheduler_step -optimizer {O} -stepSize 2 -unknown_param 1", "Unknown parameter: -unknown_param"),
    ("torch::lr_scheduler_multi_step {O} {}", "milestones must be a list of one or more epochs"),
    ("torch::lr_scheduler_multi_step {O} {1 x}", 'Invalid milestones: expected list of integers, got "1 x"'),
    ("torch::lr_scheduler_exponential_decay {O}", "Wrong number of arguments"),
    ("torch::lr_scheduler_exponential {O} 0", "gamma must be positive, got 0.0"),
    ("torch::lr_scheduler_exponential_decay {O} 1.5", "gamma must be in (0, 1] (a decay), got 1.5"),
    ("torch::lr_scheduler_cosine {O} 0", "tMax must be positive, got 0"),
    ("torch::lr_scheduler_cosine_annealing {O} 5 -0.1", "etaMin must be >= 0, got -0.1"),
    ("torch::lr_scheduler_cosine_annealing_warm_restarts {O} 5 0", "tMult must be >= 1, got 0"),
    ("torch::lr_scheduler_multiplicative {O} 0", "lrLambda must be positive, got 0.0"),
    ("torch::lr_scheduler_lambda {O} -1", "multiplier must be >= 0, got -1.0"),
    ("torch::lr_scheduler_polynomial {O} 5 -1", "power must be >= 0, got -1.0"),
    ("torch::lr_scheduler_polynomial {O} 5 1 -3", "lastEpoch must be >= -1, got -3"),
    ("torch::lr_scheduler_linear_with_warmup {O} 10 5", "numWarmupSteps must be <= numTrainingSteps (5), got 10"),
    ("torch::lr_scheduler_constant_with_warmup {O} -1", "numWarmupSteps must be >= 0, got -1"),
    ("torch::lr_scheduler_inverse_sqrt {O} 0", "warmupSteps must be positive, got 0"),
    ("torch::lr_scheduler_noam {O} 0", "modelSize must be positive, got 0"),
    ("torch::lr_scheduler_cyclic {O} 0.1 0.01", "maxLr must be greater than baseLr (0.1), got 0.01"),
    ("torch::lr_scheduler_cyclic {O} 0.01 0.1 10 sideways", 'Invalid mode: expected one of triangular, triangular2, '
     'exp_range, got "sideways"'),
    ("torch::lr_scheduler_one_cycle {O} 0.1 10 1.5", "pctStart must be in (0, 1), got 1.5"),
    ("torch::lr_scheduler_one_cycle {O} 0.1 10 0.3 square", 'Invalid annealStrategy: expected one of cos, linear'),
    ("torch::lr_scheduler_onecycle_advanced {O} 0.1 0", "totalSteps must be positive, got 0"),
    ("torch::lr_scheduler_plateau {O} min 1.5", "factor must be in (0, 1), got 1.5"),
    ("torch::lr_scheduler_plateau {O} up", 'Invalid mode: expected one of min, max, got "up"'),
    ("torch::lr_scheduler_reduce_on_plateau {O} min 0.1 -1", "patience must be positive, got -1"),
    ("torch::lr_scheduler_reduce_on_plateau {O} min 0.1 1 0.1 odd", "Invalid thresholdMode: expected one of rel, abs"),
    ("torch::lr_scheduler_plateau {O} min 0.5 0", "patience must be positive, got 0"),
    ("torch::lr_scheduler_step_update nothing", "Invalid scheduler name: nothing"),
    ("torch::lr_scheduler_step_update -foo x", "Unknown parameter: -foo. Valid parameters: -scheduler -handle"),
    ("torch::lr_scheduler_step_advanced {S} abc", 'Invalid metric: expected number, got "abc"'),
    ("torch::get_lr_advanced nothing", "Invalid scheduler handle: nothing"),
    ("torch::get_lr_advanced", "Wrong number of arguments (wrong # args). Usage: torch::get_lr_advanced scheduler"),
])
def test_bad_scheduler_input_is_a_clear_error(tcl, script, message):
    o = tcl.eval(f"torch::optimizer_sgd {make_param(tcl)} 0.1")
    s = tcl.eval(f"torch::lr_scheduler_step {o} 2")
    assert message in tcl.error_detail(script.replace("{O}", o).replace("{S}", s))


# ---- the gradient scaler: torch.amp.GradScaler's scale, steps and updates ----

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("call, options", [
    ("grad_scaler_new", {}),
    ("grad_scaler_new 1024.0 4.0 0.25 2", dict(init_scale=1024.0, growth_factor=4.0, backoff_factor=0.25,
                                                growth_interval=2)),
    ("gradScalerNew -initScale 8 -growthFactor 2 -backoffFactor 0.5 -growthInterval 1",
     dict(init_scale=8.0, growth_interval=1)),
    ("grad_scaler_new -init_scale 256 -growth_factor 3 -backoff_factor 0.1 -growth_interval 3",
     dict(init_scale=256.0, growth_factor=3.0, backoff_factor=0.1, growth_interval=3)),
])
def test_grad_scaler_steps_and_updates_as_torch(tcl, call, options, dtype):
    # Gradients inf at steps 3 and 4: those steps are skipped and the scale backs off.
    factors = [np.ones_like(START), np.ones_like(START), np.full_like(START, np.inf), np.ones_like(START),
               np.ones_like(START), np.ones_like(START)]
    factors[3][0, 1] = np.nan
    scaler = tcl.eval(f"torch::{call}")
    assert scaler.startswith("scaler")
    w = make_param(tcl, dtype)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} 0.01")
    weights = torch.tensor(WEIGHTS, dtype=TORCH[dtype])
    reference_w = torch.tensor(START, dtype=TORCH[dtype], requires_grad=True)
    reference_opt = O.SGD([reference_w], lr=0.01)
    reference = torch.amp.GradScaler("cpu", **options)
    assert float(tcl.eval(f"torch::grad_scaler_get_scale {scaler}")) == reference.get_scale()
    for step, factor in enumerate(factors):
        f = tcl.create(factor, dtype)
        loss = tcl.eval(f"torch::tensor_sum [torch::tensor_mul [torch::tensor_mul {w} {w}] "
                        f"[torch::tensor_mul {tcl.create(WEIGHTS, dtype)} {f}]]")
        scaled = tcl.eval(f"torch::grad_scaler_scale {scaler} {loss}" if step % 2 else
                          f"torch::gradScalerScale -scaler {scaler} -input {loss}")
        expected_loss = (weights * torch.tensor(factor, dtype=TORCH[dtype]) * reference_w * reference_w).sum()
        expected_scaled = reference.scale(expected_loss)
        np.testing.assert_allclose(tcl.read(scaled, dtype), expected_scaled.detach().numpy(), rtol=1e-6)
        tcl.eval(f"torch::tensor_backward {scaled}")
        expected_scaled.backward()
        said = tcl.eval(f"torch::grad_scaler_step {scaler} {optimizer}" if step % 2 else
                        f"torch::gradScalerStep -gradScaler {scaler} -optim {optimizer}")
        reference.step(reference_opt)
        assert said == ("scaler step skipped: inf or NaN gradients" if step in (2, 3) else "scaler step completed")
        assert tcl.eval(f"torch::grad_scaler_update -scaler {scaler}") == "scaler updated"
        reference.update()
        tcl.eval(f"torch::optimizer_zero_grad {optimizer}")
        reference_opt.zero_grad()
        assert float(tcl.eval(f"torch::gradScalerGetScale -gradscaler {scaler}")) == reference.get_scale()
        np.testing.assert_allclose(tcl.read(w, dtype), reference_w.detach().numpy(), rtol=1e-6)


@pytest.mark.parametrize("script, message", [
    ("torch::grad_scaler_new -1", "Invalid parameters: all values must be positive, got initScale -1.0"),
    ("torch::grad_scaler_new 1024 1.0", "grad_scaler_new: The growth factor must be > 1.0."),
    ("torch::grad_scaler_new -backoffFactor 1.5", "grad_scaler_new: The backoff factor must be < 1.0."),
    ("torch::grad_scaler_new -growthInterval 0", "all values must be positive, got growthInterval 0"),
    ("torch::grad_scaler_new 1 2 3 4 5", "Wrong number of arguments (wrong # args). Usage: torch::grad_scaler_new ?initScale?"),
    ("torch::grad_scaler_new -invalidParam 1", "Unknown parameter: -invalidParam"),
    ("torch::grad_scaler_scale nothing {W}", "Gradient scaler not found: nothing"),
    ("torch::grad_scaler_scale {G} nothing", "Invalid tensor name: nothing"),
    ("torch::grad_scaler_scale {G} {I}", "grad_scaler_scale: scales a floating-point loss, got Int64"),
    ("torch::grad_scaler_scale {G}", "Wrong number of arguments (wrong # args). Usage: torch::grad_scaler_scale scaler tensor"),
    ("torch::grad_scaler_step {G} {O}", "grad_scaler_step: no loss was scaled yet"),
    ("torch::grad_scaler_step {G} nothing", "Optimizer not found: nothing"),
    ("torch::grad_scaler_step -scaler {G}", "Required parameters missing: -optimizer"),
    ("torch::grad_scaler_update {G}", "grad_scaler_update: no loss was scaled yet"),
    ("torch::grad_scaler_update", "Wrong number of arguments (wrong # args). Usage: torch::grad_scaler_update scaler"),
    ("torch::grad_scaler_update -wrongparam x", "Unknown parameter: -wrongparam"),
    ("torch::grad_scaler_get_scale nothing", "Gradient scaler not found: nothing"),
])
def test_bad_grad_scaler_input_is_a_clear_error(tcl, script, message):
    w = make_param(tcl)
    values = {"{W}": w, "{I}": tcl.create([1, 2], "int64"), "{G}": tcl.eval("torch::grad_scaler_new"),
              "{O}": tcl.eval(f"torch::optimizer_sgd {w} 0.1")}
    for key, value in values.items():
        script = script.replace(key, value)
    assert message in tcl.error_detail(script)


def test_grad_scaler_step_without_gradients_says_so(tcl):
    scaler = tcl.eval("torch::grad_scaler_new")
    w = make_param(tcl)
    optimizer = tcl.eval(f"torch::optimizer_sgd {w} 0.1")
    tcl.eval(f"torch::grad_scaler_scale {scaler} [torch::tensor_sum {w}]")
    assert "the optimizer's parameters have no gradients" in tcl.error(f"torch::grad_scaler_step {scaler} {optimizer}")
