"""Losses (the extension's 22 loss commands): values against torch called directly (or,
for dice, focal and tversky, the extension's formulas written out here), positional and
named forms and the camelCase name, float dtypes, gradients flowing back, and bad input
as clear errors."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.tclsession import tcl_list

FLOATS = ["float32", "float64"]

X = [[0.2, -1.0, 0.5], [1.5, 0.3, -0.7]]
Y = [[0.1, -0.4, 1.5], [0.5, 0.3, 0.2]]
P = [[0.2, 0.9, 0.5], [0.7, 0.1, 0.4]]          # probabilities
B = [[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]          # binary targets
S = [[1.0, -1.0, 1.0], [-1.0, 1.0, 1.0]]        # sign targets
V = [[0.5, 1.0, 2.0], [0.1, 0.3, 0.9]]          # variances
LOGP = torch.log_softmax(torch.tensor(X, dtype=torch.float64), 1).tolist()
CLS = ([2, 0], "int64")                         # class indices
ML = ([[2, 0, -1], [1, -1, 0]], "int64")        # multilabel class indices
PM = ([1.0, -1.0], None)                        # pair labels
A1, A2 = [0.2, -1.0], [0.5, 0.3]


def focal(x, t, alpha, gamma, reduction):
    p = torch.softmax(x, -1).gather(-1, t.unsqueeze(-1)).squeeze(-1)
    loss = alpha * (1 - p) ** gamma * -torch.log(p.clamp(1e-8, 1))
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


def dice(x, t, smooth):
    p = torch.sigmoid(x).reshape(-1)
    t = t.reshape(-1)
    return 1 - (2 * (p * t).sum() + smooth) / (p.sum() + t.sum() + smooth)


def tversky(x, t, alpha, beta, smooth):
    p, t = torch.sigmoid(x).reshape(-1), t.reshape(-1)
    tp = (p * t).sum()
    return 1 - (tp + smooth) / (tp + alpha * (p * (1 - t)).sum() + beta * ((1 - p) * t).sum() + smooth)


def distance_triplet(a, p, n, distance, margin, reduction):
    d = {"cosine": lambda u, v: 1 - F.cosine_similarity(u, v, dim=-1),
         "euclidean": lambda u, v: (u - v).norm(2, dim=-1)}[distance]
    loss = torch.relu(d(a, p) - d(a, n) + margin)
    return {"none": loss, "mean": loss.mean(), "sum": loss.sum()}[reduction]


# (command, inputs in order {name: (array, dtype or None: the float dtype under test)},
#  positional options, the same as named options, expected(tensors...)).
# The options are not the defaults, so that a wrong order or a dropped option shows.
CASES = [
    ("mse_loss", {"input": (X, None), "target": (Y, None)}, "2", "-reduction sum",
     lambda x, y: F.mse_loss(x, y, reduction="sum")),
    ("l1_loss", {"input": (X, None), "target": (Y, None)}, "0", "-reduction none",
     lambda x, y: F.l1_loss(x, y, reduction="none")),
    ("smooth_l1_loss", {"input": (X, None), "target": (Y, None)}, "sum 0.5", "-reduction sum -beta 0.5",
     lambda x, y: F.smooth_l1_loss(x, y, reduction="sum", beta=0.5)),
    ("huber_loss", {"input": (X, None), "target": (Y, None)}, "none 0.3", "-reduction none -delta 0.3",
     lambda x, y: F.huber_loss(x, y, reduction="none", delta=0.3)),
    ("kl_div_loss", {"input": (LOGP, None), "target": (P, None)}, "sum", "-reduction sum",
     lambda x, y: F.kl_div(x, y, reduction="sum")),
    ("kl_div_loss", {"input": (LOGP, None), "target": (LOGP, None)}, "2 1", "-reduction sum -logTarget 1",
     lambda x, y: F.kl_div(x, y, reduction="sum", log_target=True)),
    ("cosine_embedding_loss", {"input1": (X, None), "input2": (Y, None), "target": PM}, "0.2 0",
     "-margin 0.2 -reduction none", lambda a, b, t: F.cosine_embedding_loss(a, b, t, 0.2, reduction="none")),
    ("margin_ranking_loss", {"input1": (A1, None), "input2": (A2, None), "target": PM}, "0.5 sum",
     "-margin 0.5 -reduction sum", lambda a, b, t: F.margin_ranking_loss(a, b, t, 0.5, reduction="sum")),
    ("triplet_margin_loss", {"anchor": (X, None), "positive": (Y, None), "negative": (P, None)}, "0.7 1 0",
     "-margin 0.7 -p 1 -reduction none",
     lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.7, p=1, reduction="none")),
    ("hinge_embedding_loss", {"input": (X, None), "target": (S, None)}, "0.4 sum", "-margin 0.4 -reduction sum",
     lambda x, t: F.hinge_embedding_loss(x, t, 0.4, reduction="sum")),
    ("poisson_nll_loss", {"input": (P, None), "target": (B, None)}, "0 1 2",
     "-logInput 0 -full 1 -reduction sum",
     lambda x, t: F.poisson_nll_loss(x, t, log_input=False, full=True, reduction="sum")),
    ("gaussian_nll_loss", {"input": (X, None), "target": (Y, None), "var": (V, None)}, "1 0.01 0",
     "-full 1 -eps 0.01 -reduction none",
     lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True, eps=0.01, reduction="none")),
    ("multi_margin_loss", {"input": (X, None), "target": CLS}, "2 0.5 sum", "-p 2 -margin 0.5 -reduction sum",
     lambda x, t: F.multi_margin_loss(x, t, p=2, margin=0.5, reduction="sum")),
    ("multilabel_margin_loss", {"input": (X, None), "target": ML}, "0", "-reduction none",
     lambda x, t: F.multilabel_margin_loss(x, t, reduction="none")),
    ("multilabel_soft_margin_loss", {"input": (X, None), "target": (B, None)}, "2", "-reduction sum",
     lambda x, t: F.multilabel_soft_margin_loss(x, t, reduction="sum")),
    ("soft_margin_loss", {"input": (X, None), "target": (S, None)}, "0", "-reduction none",
     lambda x, t: F.soft_margin_loss(x, t, reduction="none")),
    ("cross_entropy_loss", {"input": (X, None), "target": CLS}, "none sum", "-reduction sum",
     lambda x, t: F.cross_entropy(x, t, reduction="sum")),
    ("nll_loss", {"input": (LOGP, None), "target": CLS}, "none none", "-reduction none",
     lambda x, t: F.nll_loss(x, t, reduction="none")),
    ("bce_loss", {"input": (P, None), "target": (B, None)}, "none 2", "-reduction sum",
     lambda x, t: F.binary_cross_entropy(x, t, reduction="sum")),
    ("focal_loss", {"input": (X, None), "target": CLS}, "0.25 1.5 0", "-alpha 0.25 -gamma 1.5 -reduction none",
     lambda x, t: focal(x, t, 0.25, 1.5, "none")),
    ("dice_loss", {"input": (X, None), "target": (B, None)}, "0.5", "-smooth 0.5",
     lambda x, t: dice(x, t, 0.5)),
    ("tversky_loss", {"input": (X, None), "target": (B, None)}, "0.4 0.6 0.1", "-alpha 0.4 -beta 0.6 -smooth 0.1",
     lambda x, t: tversky(x, t, 0.4, 0.6, 0.1)),
    ("triplet_margin_with_distance_loss", {"anchor": (X, None), "positive": (Y, None), "negative": (P, None)},
     "0 0.3 2", "-distanceFunction cosine -margin 0.3 -reduction sum",
     lambda a, p, n: distance_triplet(a, p, n, "cosine", 0.3, "sum")),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def camel(name):
    first, *rest = name.split("_")
    return first + "".join(w.title() for w in rest)


def make(tcl, inputs, dtype, requires_grad=False):
    handles, tensors = [], []
    for key, (array, fixed) in inputs.items():
        kind = fixed or dtype
        array = np.asarray(array)
        grad = " 1" if requires_grad and fixed is None and key != "target" else ""
        handles.append(tcl.eval(f"torch::tensor_create {{{tcl_list(array)}}} {{{' '.join(map(str, array.shape))}}}"
                                f" {kind} cpu{grad}"))
        tensors.append(torch.tensor(array, dtype=getattr(torch, kind), requires_grad=bool(grad)))
    return handles, tensors


def value(tcl, handle):
    shape = [int(d) for d in tcl.tk.splitlist(tcl.eval(f"torch::tensor_shape {handle}"))]
    return np.array([float(v) for v in tcl.tk.splitlist(tcl.eval(f"torch::tensor_to_list {handle}"))]).reshape(shape)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_values_in_every_form(tcl, case, dtype):
    name, inputs, positional, named, expected = case
    handles, tensors = make(tcl, inputs, dtype)
    want = expected(*tensors)
    rtol = 1e-5 if dtype == "float32" else 1e-10
    named_words = " ".join(f"-{k} {h}" for k, h in zip(inputs, handles))
    forms = [f"torch::{name} {' '.join(handles)} {positional}",
             f"torch::{name} {named_words} {named}",
             f"torch::{camel(name)} {' '.join(handles)} {positional}"]
    for form in forms:
        result = tcl.eval(form)
        assert tcl.eval(f"torch::tensor_dtype {result}") == dtype.capitalize()
        np.testing.assert_allclose(value(tcl, result), want.detach().numpy(), rtol=rtol, atol=1e-7)


@pytest.mark.parametrize("case", [c for c, i in zip(CASES, IDS) if i != "kl_div_loss-5"],
                         ids=[i for i in IDS if i != "kl_div_loss-5"])  # log targets: nan at defaults
def test_defaults_and_gradients(tcl, case):
    """With every option left out: one number, and a backward pass giving every input that
    requires gradients a finite gradient of its shape (values: test_gradient_value)."""
    name, inputs, _, _, _ = case
    handles, tensors = make(tcl, inputs, "float64", requires_grad=True)
    result = tcl.eval(f"torch::{name} {' '.join(handles)}")
    assert tcl.eval(f"torch::tensor_numel {result}") == "1"
    tcl.eval(f"torch::tensor_backward {result}")
    for handle, tensor in zip(handles, tensors):
        if tensor.requires_grad:
            grad = value(tcl, tcl.eval(f"torch::tensor_grad {handle}"))
            assert grad.shape == tuple(tensor.shape) and np.isfinite(grad).all()


# The extension's defaults, each against torch (or the extension's formula) directly.
DEFAULTS = [
    ("smooth_l1_loss", lambda x, y: F.smooth_l1_loss(x, y, beta=1.0)),
    ("huber_loss", lambda x, y: F.huber_loss(x, y, delta=1.0)),
    ("triplet_margin_loss", lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=1.0, p=2.0)),
    ("hinge_embedding_loss", lambda x, t: F.hinge_embedding_loss(x, t, 1.0)),
    ("poisson_nll_loss", lambda x, t: F.poisson_nll_loss(x, t, log_input=True, full=False)),
    ("gaussian_nll_loss", lambda x, t, v: F.gaussian_nll_loss(x, t, v, eps=1e-6)),
    ("multi_margin_loss", lambda x, t: F.multi_margin_loss(x, t, p=1, margin=1.0)),
    ("cosine_embedding_loss", lambda a, b, t: F.cosine_embedding_loss(a, b, t, 0.0)),
    ("margin_ranking_loss", lambda a, b, t: F.margin_ranking_loss(a, b, t, 0.0)),
    ("focal_loss", lambda x, t: focal(x, t, 1.0, 2.0, "mean")),
    ("dice_loss", lambda x, t: dice(x, t, 1.0)),
    ("tversky_loss", lambda x, t: tversky(x, t, 0.7, 0.3, 1.0)),
    ("triplet_margin_with_distance_loss", lambda a, p, n: distance_triplet(a, p, n, "euclidean", 1.0, "mean")),
]


@pytest.mark.parametrize("name, expected", DEFAULTS, ids=[d[0] for d in DEFAULTS])
def test_defaults(tcl, name, expected):
    inputs = next(c[1] for c in CASES if c[0] == name)
    handles, tensors = make(tcl, inputs, "float64")
    result = tcl.eval(f"torch::{name} {' '.join(handles)}")
    np.testing.assert_allclose(value(tcl, result), expected(*tensors).numpy(), rtol=1e-10)


def test_gradient_value(tcl):
    handles, tensors = make(tcl, CASES[0][1], "float64", requires_grad=True)
    tcl.eval(f"torch::tensor_backward [torch::mse_loss {' '.join(handles)}]")
    F.mse_loss(*tensors).backward()
    np.testing.assert_allclose(value(tcl, tcl.eval(f"torch::tensor_grad {handles[0]}")), tensors[0].grad.numpy())


def test_weights_and_reduction_none_shapes(tcl):
    x, t = tcl.create(X, "float32"), tcl.create([2, 0], "int64")
    w = tcl.create([0.5, 1.0, 2.0], "float32")
    got = value(tcl, tcl.eval(f"torch::cross_entropy_loss {x} {t} {w} sum"))
    want = F.cross_entropy(torch.tensor(X), torch.tensor([2, 0]), weight=torch.tensor([0.5, 1.0, 2.0]), reduction="sum")
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)
    got = value(tcl, tcl.eval(f"torch::nll_loss -input {x} -target {t} -weight {w}"))
    np.testing.assert_allclose(got, F.nll_loss(torch.tensor(X), torch.tensor([2, 0]), torch.tensor([0.5, 1.0, 2.0])).numpy(),
                               rtol=1e-6)
    # dice and tversky with reduction none: a one-element tensor, as in the extension
    b = tcl.create(B, "float32")
    assert tcl.eval(f"torch::tensor_shape [torch::dice_loss {x} {b} 1.0 0]") == "1"
    assert tcl.eval(f"torch::tensor_shape [torch::tversky_loss -input {x} -target {b} -reduction none]") == "1"
    assert tcl.eval(f"torch::tensor_shape [torch::dice_loss {x} {b}]") == ""
    # margin 0 is allowed (torch's op, as in the extension)
    a, p, n = tcl.create(X, "float32"), tcl.create(Y, "float32"), tcl.create(P, "float32")
    got = value(tcl, tcl.eval(f"torch::triplet_margin_loss {a} {p} {n} 0.0"))
    want = torch.triplet_margin_loss(torch.tensor(X), torch.tensor(Y), torch.tensor(P), 0.0, 2.0, 1e-6, False, 1)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)
    # pairwise distance
    got = value(tcl, tcl.eval(f"torch::triplet_margin_with_distance_loss {a} {p} {n} 1"))
    d = lambda u, v: F.pairwise_distance(u, v, 2.0)
    want = torch.relu(d(torch.tensor(X), torch.tensor(Y)) - d(torch.tensor(X), torch.tensor(P)) + 1).mean()
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-6)


@pytest.mark.parametrize("script, message", [
    ("torch::mse_loss $x $z", "mse_loss: The size of tensor a (3) must match the size of tensor b (2)"),
    ("torch::mse_loss $x nosuch", "Invalid tensor name: nosuch"),
    ("torch::focal_loss $x nosuch", "Invalid target tensor name: nosuch"),
    ("torch::kl_div_loss nosuch $y", "Invalid input tensor name: nosuch"),
    ("torch::smooth_l1_loss -input nosuch -target $y", "Invalid input tensor name: nosuch"),
    ("torch::mse_loss -input $x", "Required parameters missing: -target"),
    ("torch::mse_loss $x $y -reduction avg", 'Invalid reduction: expected one of none, mean, sum, got "avg"'),
    ("torch::l1_loss $x $y 7", 'Invalid reduction: expected one of none, mean, sum, got "7"'),
    ("torch::mse_loss $x $y -bogus 1", "Unknown parameter: -bogus"),
    ("torch::cross_entropy_loss $x $z none sum", "cross_entropy_loss: "),
    ("torch::cross_entropy_loss $x $c nosuch", "Invalid tensor name: nosuch"),
    ("torch::bce_loss $x $y", "bce_loss: "),  # not probabilities
    ("torch::multi_margin_loss $x $c -p x", 'Invalid p: expected integer, got "x"'),
    ("torch::smooth_l1_loss $x $y mean abc", 'Invalid beta: expected number, got "abc"'),
    ("torch::focal_loss $x $y2", "focal_loss: "),
    ("torch::focal_loss $x $c 1 2 avg", 'Invalid reduction: expected one of none, mean, sum, got "avg"'),
    ("torch::dice_loss $x $z", "dice_loss: The size of tensor a (6) must match the size of tensor b (2)"),
    ("torch::tversky_loss $x $z", "tversky_loss: The size of tensor a (6) must match the size of tensor b (2)"),
    ("torch::triplet_margin_with_distance_loss $x $y $x -distanceFunction manhattan",
     'Invalid distanceFunction: expected one of euclidean, cosine, pairwise, got "manhattan"'),
    ("torch::triplet_margin_with_distance_loss $x $y $z", "triplet_margin_with_distance_loss: "),
    ("torch::gaussian_nll_loss $x $y nosuch", "Invalid var tensor name: nosuch"),
    ("torch::mse_loss $i $i", "mse_loss: "),  # integer tensors
    ("torch::kl_div_loss $x $y sum maybe", 'Invalid logTarget: expected boolean, got "maybe"'),
])
def test_errors(tcl, script, message):
    tcl.eval(f"set x [torch::tensor_create {{{tcl_list(X)}}} {{2 3}}]; set y [torch::tensor_create {{{tcl_list(Y)}}} {{2 3}}]")
    tcl.eval("set z [torch::tensor_create {1.0 2.0}]; set c [torch::tensor_create {2 0} {2} int64]")
    tcl.eval("set y2 [torch::tensor_create {5 0} {2} int64]; set i [torch::tensor_create {1 2} {2} int64]")
    assert message in tcl.error_detail(script)
