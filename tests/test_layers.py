"""Layers and models (linear, conv2d, batch_norm1d/2d, layer_norm, group_norm, dropout,
sequential; the functional conv1d, conv3d, conv_transpose1d/_2d/3d, batch_norm3d,
instance_norm1d/2d/3d, rms_norm, spectral_norm, weight_norm, embedding, embedding_bag;
conv2d_set_weights, layer_forward, layer_parameters, layer_to/cpu/cuda/device,
parameters_to, model_train/eval, freeze/unfreeze_model, count_parameters,
model_summary): modules and values against torch called directly after the same
torch.manual_seed, every form of call, bad input as clear errors."""

import fnmatch

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from tests.tclsession import same_state, torch_of

FLOATS = ["float32", "float64"]
RNG = np.random.default_rng(11)


def layer(tcl, handle):
    return tcl.engine.layer(handle)


def close(tcl, handle, expected, dtype, rtol=1e-5, atol=1e-6):
    assert tcl.eval(f"torch::tensor_shape {handle}") == " ".join(map(str, expected.shape))
    assert tcl.eval(f"torch::tensor_dtype {handle}") == dtype.capitalize()
    np.testing.assert_allclose(tcl.read(handle, dtype), expected.detach().numpy(), rtol=rtol, atol=atol)


def data(*shape):
    return RNG.standard_normal(shape)


# ---- layers: the module torch makes, in every spelling --------------------------------

LAYER_CASES = [
    # (Tcl call, the torch module with the same arguments)
    ("torch::linear 4 3", lambda: nn.Linear(4, 3)),
    ("torch::linear 4 3 0", lambda: nn.Linear(4, 3, bias=False)),
    ("torch::linear -inFeatures 4 -outFeatures 3 -bias false", lambda: nn.Linear(4, 3, bias=False)),
    ("torch::linearLayer -in_features 5 -out_features 2", lambda: nn.Linear(5, 2)),
    ("torch::conv2d 3 8 3", lambda: nn.Conv2d(3, 8, 3)),
    ("torch::conv2d 3 8 3 2 1 0", lambda: nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False)),
    ("torch::conv2dLayer -inChannels 2 -outChannels 4 -kernelSize {3 2} -stride {1 2} -padding 1",
     lambda: nn.Conv2d(2, 4, (3, 2), stride=(1, 2), padding=1)),
    ("torch::batch_norm1d 6", lambda: nn.BatchNorm1d(6)),
    ("torch::batchNorm1d -numFeatures 6 -eps 1e-3 -momentum 0.2 -affine 0 -trackRunningStats 0",
     lambda: nn.BatchNorm1d(6, eps=1e-3, momentum=0.2, affine=False, track_running_stats=False)),
    ("torch::batch_norm_1d 6 1e-4", lambda: nn.BatchNorm1d(6, eps=1e-4)),
    ("torch::batch_norm2d 4 1e-4 0.3 1 0", lambda: nn.BatchNorm2d(4, eps=1e-4, momentum=0.3,
                                                                  track_running_stats=False)),
    ("torch::batchnorm2d -num_features 4 -track_running_stats 0", lambda: nn.BatchNorm2d(4, track_running_stats=False)),
    ("torch::batchNorm2d -numFeatures 4", lambda: nn.BatchNorm2d(4)),
    ("torch::layer_norm 5", lambda: nn.LayerNorm(5)),
    ("torch::layerNorm -normalizedShape {3 5} -eps 1e-6", lambda: nn.LayerNorm([3, 5], eps=1e-6)),
    ("torch::layer_norm -normalized_shape 5 -eps 1e-3", lambda: nn.LayerNorm(5, eps=1e-3)),
    ("torch::group_norm 2 4", lambda: nn.GroupNorm(2, 4)),
    ("torch::groupNorm -num_groups 3 -numChannels 6 -eps 1e-6", lambda: nn.GroupNorm(3, 6, eps=1e-6)),
    ("torch::dropout", lambda: nn.Dropout(0.5)),
    ("torch::dropout 0.25 1 1", lambda: nn.Dropout(0.25, inplace=True)),
    ("torch::dropout -p 0.1 -training true -inplace false", lambda: nn.Dropout(0.1)),
]


@pytest.mark.parametrize("call, make", LAYER_CASES)
def test_layers_are_the_torch_modules_with_the_same_initial_weights(tcl, call, make):
    tcl.eval("torch::manual_seed 5")
    handle = tcl.eval(call)
    torch.manual_seed(5)
    expected = make()
    ours = layer(tcl, handle)
    assert type(ours) is type(expected) and handle.rstrip("0123456789") == type(expected).__name__.lower()
    assert repr(ours) == repr(expected)
    same_state(ours, expected)


@pytest.mark.parametrize("call, make, shape", [
    ("torch::linear 4 3", lambda: nn.Linear(4, 3), (5, 4)),
    ("torch::conv2d 3 8 3 2 1", lambda: nn.Conv2d(3, 8, 3, stride=2, padding=1), (2, 3, 7, 6)),
    ("torch::batch_norm1d 6", lambda: nn.BatchNorm1d(6), (5, 6)),
    ("torch::batchnorm2d 4", lambda: nn.BatchNorm2d(4), (2, 4, 3, 3)),
    ("torch::layer_norm {3 5}", lambda: nn.LayerNorm([3, 5]), (2, 3, 5)),
    ("torch::group_norm 2 4", lambda: nn.GroupNorm(2, 4), (3, 4, 5)),
])
@pytest.mark.parametrize("dtype", FLOATS)
def test_layer_forward_matches_the_torch_module(tcl, call, make, shape, dtype):
    tcl.eval("torch::manual_seed 9")
    handle = tcl.eval(call)
    torch.manual_seed(9)
    module = make()
    if dtype == "float64":
        tcl.eval(f"torch::layer_to {handle} cpu")
        layer(tcl, handle).double()  # the layer in float64 (no command casts a layer's dtype)
        module.double()
    values = data(*shape)
    x = tcl.create(values, dtype)
    for form in (f"torch::layer_forward {handle} {x}", f"torch::layerForward -input {x} -layer {handle}"):
        close(tcl, tcl.eval(form), module(torch_of(values, dtype)), dtype)
    # Training mode updated the running statistics as torch's did.
    same_state(layer(tcl, handle), module)


def test_dropout_in_training_and_evaluation_mode(tcl):
    values = data(6, 7)
    x = tcl.create(values, "float32")
    tcl.eval("torch::manual_seed 4")
    drop = tcl.eval("torch::dropout 0.4")
    out = tcl.eval(f"torch::layer_forward {drop} {x}")
    torch.manual_seed(4)
    close(tcl, out, nn.Dropout(0.4)(torch_of(values, "float32")), "float32")
    # -training 0 starts in evaluation mode (the identity); model_train turns it on.
    idle = tcl.eval("torch::dropout -p 0.9 -training 0")
    assert not layer(tcl, idle).training
    close(tcl, tcl.eval(f"torch::layer_forward {idle} {x}"), torch_of(values, "float32"), "float32")
    assert tcl.eval(f"torch::model_train {idle}") == idle and layer(tcl, idle).training
    assert tcl.eval(f"torch::modelEval -model {idle}") == idle and not layer(tcl, idle).training


def test_sequential_chains_the_layers_themselves(tcl):
    tcl.eval("torch::manual_seed 2")
    first, second = tcl.eval("torch::linear 4 6"), tcl.eval("torch::linear -inFeatures 6 -outFeatures 2")
    torch.manual_seed(2)
    expected = nn.Sequential(nn.Linear(4, 6), nn.Linear(6, 2))
    for call in (f"torch::sequential [list {first} {second}]", f"torch::sequential -modules {{{first} {second}}}"):
        seq = tcl.eval(call)
        assert seq.startswith("sequential")
        same_state(layer(tcl, seq), expected)
        assert layer(tcl, seq)[0] is layer(tcl, first)  # shared: training one trains the other
        values = data(3, 4)
        close(tcl, tcl.eval(f"torch::layer_forward {seq} {tcl.create(values, 'float32')}"),
              expected(torch_of(values, "float32")), "float32")
    empty = tcl.eval("torch::sequential")
    assert len(layer(tcl, empty)) == 0 and tcl.eval(f"torch::count_parameters {empty}") == "0"


def test_layer_forward_of_a_recurrent_layer_is_its_output(tcl):
    tcl.eval("torch::manual_seed 8")
    lstm = tcl.eval("torch::lstm 3 5")
    torch.manual_seed(8)
    expected = nn.LSTM(3, 5)
    values = data(4, 2, 3)
    out = tcl.eval(f"torch::layer_forward {lstm} {tcl.create(values, 'float32')}")
    close(tcl, out, expected(torch_of(values, "float32"))[0], "float32")


def test_layer_forward_of_an_attention_layer_attends_to_its_input(tcl):
    torch.manual_seed(1)
    attention = nn.MultiheadAttention(4, 2)
    handle = tcl.engine.layers.add(attention, "multiheadattention")
    values = data(3, 2, 4)
    x = torch_of(values, "float32")
    out = tcl.eval(f"torch::layer_forward {handle} {tcl.create(values, 'float32')}")
    close(tcl, out, attention(x, x, x)[0], "float32")


# ---- parameters: the layer's own tensors ----------------------------------------------

def test_layer_parameters_are_the_layers_own_tensors(tcl):
    lin = tcl.eval("torch::linear 3 2")
    for form in (f"torch::layer_parameters {lin}", f"torch::layerParameters -layer {lin}"):
        handles = tcl.tk.splitlist(tcl.eval(form))
        assert [tcl.engine.tensor(h) for h in handles] == list(layer(tcl, lin).parameters())
        assert all(tcl.engine.tensor(h) is p for h, p in zip(handles, layer(tcl, lin).parameters()))
    weight, bias = handles
    values = data(4, 3)
    out = tcl.eval(f"torch::layer_forward {lin} {tcl.create(values, 'float32')}")
    tcl.eval(f"torch::tensor_backward [torch::tensor_sum {out}]")
    x = torch_of(values, "float32")
    close(tcl, tcl.eval(f"torch::tensor_grad {weight}"), torch.ones(4, 2).T @ x, "float32")
    close(tcl, tcl.eval(f"torch::tensor_grad {bias}"), torch.full((2,), 4.0), "float32")
    assert layer(tcl, lin).weight.grad is not None
    assert tcl.eval(f"torch::layer_parameters {tcl.eval('torch::dropout')}") == ""


def test_freeze_and_unfreeze_and_counts(tcl):
    first, second = tcl.eval("torch::linear 10 20"), tcl.eval("torch::linear 20 1 0")
    seq = tcl.eval(f"torch::sequential [list {first} {second}]")
    expected = sum(p.numel() for p in nn.Sequential(nn.Linear(10, 20), nn.Linear(20, 1, bias=False)).parameters())
    for form in (f"torch::count_parameters {seq}", f"torch::countParameters -model {seq}"):
        assert tcl.eval(form) == str(expected)
    assert tcl.eval(f"torch::freeze_model {first}") == "Model parameters frozen"
    assert not any(p.requires_grad for p in layer(tcl, first).parameters())
    assert tcl.eval(f"torch::model_summary {seq}") == (
        f"Model Summary:\nTotal parameters: {expected}\nTrainable parameters: 20\n"
        f"Non-trainable parameters: {expected - 20}")
    assert tcl.eval(f"torch::unfreezeModel -model {first}") == "Model parameters unfrozen"
    assert all(p.requires_grad for p in layer(tcl, seq).parameters())
    assert tcl.eval(f"torch::freezeModel -model {seq}") == "Model parameters frozen"
    weight = tcl.tk.splitlist(tcl.eval(f"torch::layer_parameters {first}"))[0]
    assert tcl.eval(f"torch::tensor_requires_grad {weight}") == "0"
    assert tcl.eval(f"torch::modelSummary -model {seq}").splitlines()[2] == "Trainable parameters: 0"


def test_devices_on_the_cpu(tcl):
    lin = tcl.eval("torch::linear 2 2")
    for form in (f"torch::layer_device {lin}", f"torch::layerDevice -input {lin}", f"torch::layer_device -layer {lin}"):
        assert tcl.eval(form) == "cpu"
    for form in (f"torch::layer_to {lin} cpu", f"torch::layerTo -device cpu -layer {lin}", f"torch::layer_cpu {lin}",
                 f"torch::layerCpu -input {lin}"):
        assert tcl.eval(form) == lin
    assert tcl.eval(f"torch::layer_device {tcl.eval('torch::sequential')}") == "cpu"  # no parameters
    params = tcl.eval(f"torch::layer_parameters {lin}")
    before = list(layer(tcl, lin).parameters())
    assert tcl.eval(f"torch::parameters_to {{{params}}} cpu") == "ok"
    assert tcl.eval(f"torch::parametersTo -params {{{params}}}") == "ok"
    assert list(layer(tcl, lin).parameters()) == before


@pytest.mark.skipif(torch.cuda.is_available(), reason="the error of a machine without CUDA")
@pytest.mark.parametrize("call", ["torch::layer_cuda {lin}", "torch::layerCuda -layer {lin}",
                                  "torch::layer_to {lin} cuda",
                                  "torch::parameters_to [torch::layer_parameters {lin}] cuda"])
def test_cuda_without_cuda_is_a_clear_error(tcl, call):
    lin = tcl.eval("torch::linear 2 2")
    assert "CUDA is not available" in tcl.error(call.format(lin=lin))
    assert tcl.eval(f"torch::layer_device {lin}") == "cpu"


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_layers_move_to_the_gpu_and_back(tcl):
    lin = tcl.eval("torch::linear 3 2")
    assert tcl.eval(f"torch::layer_cuda {lin}") == lin
    assert tcl.eval(f"torch::layer_device {lin}").startswith("cuda:")
    x = tcl.eval("torch::tensor_to [torch::ones {4 3}] cuda")
    assert tcl.eval(f"torch::tensor_device [torch::layer_forward {lin} {x}]").startswith("cuda")
    assert tcl.eval(f"torch::layer_cpu {lin}") == lin and tcl.eval(f"torch::layer_device {lin}") == "cpu"
    params = tcl.eval(f"torch::layer_parameters {lin}")
    tcl.eval(f"torch::parameters_to {{{params}}} cuda")
    assert tcl.eval(f"torch::layer_device {lin}").startswith("cuda:")


def test_conv2d_set_weights(tcl):
    conv = tcl.eval("torch::conv2d 2 3 3")
    w, b = data(3, 2, 3, 3), data(3)
    for form in ("torch::conv2d_set_weights {c} {w} {b}", "torch::conv2dSetWeights -bias {b} -layer {c} -weight {w}"):
        assert tcl.eval(form.format(c=conv, w=tcl.create(w, "float32"), b=tcl.create(b, "float32"))) == "OK"
    torch.testing.assert_close(layer(tcl, conv).weight.detach(), torch_of(w, "float32"))
    torch.testing.assert_close(layer(tcl, conv).bias.detach(), torch_of(b, "float32"))
    w2 = data(3, 2, 3, 3)
    tcl.eval(f"torch::conv2d_set_weights {conv} {tcl.create(w2, 'float32')}")  # the bias stays
    x = data(1, 2, 5, 5)
    close(tcl, tcl.eval(f"torch::layer_forward {conv} {tcl.create(x, 'float32')}"),
          F.conv2d(torch_of(x, "float32"), torch_of(w2, "float32"), torch_of(b, "float32")), "float32")


# ---- functional convolutions ------------------------------------------------------------

CONVOLUTIONS = [
    # (command, torch function, input shape, weight shape, positional extras, named extras, torch keywords)
    ("conv1d", F.conv1d, (2, 4, 9), (6, 2, 3), "2 1 2 2", "-stride 2 -padding 1 -dilation 2 -groups 2",
     dict(stride=2, padding=1, dilation=2, groups=2)),
    ("conv3d", F.conv3d, (1, 2, 5, 6, 5), (3, 2, 2, 3, 2), "{1 2 1} {0 1 0} {1 1 2} 1",
     "-stride {1 2 1} -padding {0 1 0} -dilation {1 1 2}",
     dict(stride=(1, 2, 1), padding=(0, 1, 0), dilation=(1, 1, 2))),
    ("conv_transpose1d", F.conv_transpose1d, (2, 4, 5), (4, 3, 3), "2 1 1 1 1",
     "-stride 2 -padding 1 -output_padding 1", dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose_2d", F.conv_transpose2d, (1, 2, 4, 3), (2, 3, 3, 2), "{2 1} {1 0} {1 0} 1 {1 2}",
     "-stride {2 1} -padding {1 0} -outputPadding {1 0} -dilation {1 2}",
     dict(stride=(2, 1), padding=(1, 0), output_padding=(1, 0), dilation=(1, 2))),
    ("conv_transpose3d", F.conv_transpose3d, (1, 4, 3, 3, 2), (4, 1, 2, 2, 2), "2 0 0 2 1", "-stride 2 -groups 2",
     dict(stride=2, groups=2)),
]
CAMEL = {"conv1d": "conv1d", "conv3d": "conv3d", "conv_transpose1d": "convTranspose1d",
         "conv_transpose_2d": "convTranspose2d", "conv_transpose3d": "convTranspose3d"}


@pytest.mark.parametrize("name, function, xs, ws, positional, named, keywords", CONVOLUTIONS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_functional_convolutions_match_torch(tcl, name, function, xs, ws, positional, named, keywords, dtype):
    x, w = data(*xs), data(*ws)
    out_channels = ws[1] * keywords.get("groups", 1) if "transpose" in name else ws[0]
    b = data(out_channels)
    tx, tw, tb = tcl.create(x, dtype), tcl.create(w, dtype), tcl.create(b, dtype)
    X, W, B = torch_of(x, dtype), torch_of(w, dtype), torch_of(b, dtype)
    if "groups" not in keywords:  # the weight fits groups=1
        close(tcl, tcl.eval(f"torch::{name} {tx} {tw}"), function(X, W), dtype)
        close(tcl, tcl.eval(f"torch::{name} {tx} {tw} none"), function(X, W), dtype)
    close(tcl, tcl.eval(f"torch::{name} {tx} {tw} {tb} {positional}"), function(X, W, B, **keywords), dtype)
    close(tcl, tcl.eval(f"torch::{CAMEL[name]} {named} -weight {tw} -bias {tb} -input {tx}"),
          function(X, W, B, **keywords), dtype)


# ---- functional normalizations ------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 3])
@pytest.mark.parametrize("dtype", FLOATS)
def test_instance_norm_matches_torch(tcl, n, dtype):
    values = data(2, 3, *(4, 5, 3)[:n])
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    expected = getattr(nn, f"InstanceNorm{n}d")(3)(x)
    close(tcl, tcl.eval(f"torch::instance_norm{n}d {t}"), expected, dtype)
    close(tcl, tcl.eval(f"torch::instanceNorm{n}d -tensor {t} -epsilon 1e-5 -affine 1 -trackRunningStats 0"),
          expected, dtype)
    close(tcl, tcl.eval(f"torch::instance_norm{n}d {t} 1e-2 0.2 0 1"), F.instance_norm(x, eps=1e-2), dtype)
    # Without the batch dimension, as torch's module takes it.
    close(tcl, tcl.eval(f"torch::instance_norm{n}d [torch::tensor_create {{{' '.join(map(str, values[0].ravel()))}}} "
                        f"{{{' '.join(map(str, values[0].shape))}}} {dtype}]"),
          getattr(nn, f"InstanceNorm{n}d")(3)(x[0]), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_batch_norm3d_matches_torch(tcl, dtype):
    values = data(2, 3, 2, 3, 2)
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    close(tcl, tcl.eval(f"torch::batch_norm3d {t}"), nn.BatchNorm3d(3, dtype=x.dtype)(x), dtype)
    close(tcl, tcl.eval(f"torch::batchNorm3d -input {t} -eps 1e-3 -momentum 0.07"),
          nn.BatchNorm3d(3, eps=1e-3, dtype=x.dtype)(x), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_rms_norm_matches_torch(tcl, dtype):
    values = data(2, 3, 4)
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    close(tcl, tcl.eval(f"torch::rms_norm {t} 4"), F.rms_norm(x, [4], eps=1e-5), dtype)
    close(tcl, tcl.eval(f"torch::rmsNorm -input {t} -normalizedShape {{3 4}} -eps 1e-3"),
          F.rms_norm(x, [3, 4], eps=1e-3), dtype)
    close(tcl, tcl.eval(f"torch::rms_norm -tensor {t} -normalized_shape 4"),
          x / torch.sqrt((x * x).mean(-1, True) + 1e-5), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_spectral_and_weight_norm_match_torch(tcl, dtype):
    values = data(4, 3, 2)
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    sigma = torch.linalg.svdvals(x.reshape(4, -1))[0]
    for form in (f"torch::spectral_norm {t}", f"torch::spectralNorm -input {t} -nPowerIterations 3"):
        close(tcl, tcl.eval(form), x / sigma, dtype)
    for dim in (0, 1, 2, -1):
        kept = dim % 3
        norm = torch.norm_except_dim(x, 2, kept)  # torch.nn.utils.weight_norm's norm
        close(tcl, tcl.eval(f"torch::weight_norm {t} {dim}"), x / norm, dtype)
        close(tcl, tcl.eval(f"torch::weightNorm -tensor {t} -dim {dim}"), x / norm, dtype)
    close(tcl, tcl.eval(f"torch::weight_norm -input {t}"), x / torch.norm_except_dim(x, 2, 0), dtype)
    # A weight made with torch.nn.utils.weight_norm: w = g * v / ||v||.
    module = nn.utils.parametrizations.weight_norm(nn.Linear(3, 4))
    v = module.parametrizations.weight.original1.detach()
    out = tcl.eval(f"torch::weight_norm {tcl.create(v.numpy(), 'float32')}")
    g = module.parametrizations.weight.original0.detach()
    close(tcl, out, module.weight.detach() / g, "float32")


def test_embedding_is_a_fresh_torch_embedding(tcl):
    indices = np.array([[0, 4, 2], [1, 1, 3]])
    t = tcl.create(indices, "int64")
    for call, make in ((f"torch::embedding {t} 5 3", lambda: nn.Embedding(5, 3)),
                       (f"torch::Embedding -tensor {t} -num_embeddings 5 -embedding_dim 3 -padding_idx 1",
                        lambda: nn.Embedding(5, 3, padding_idx=1)),
                       (f"torch::embedding -input {t} -numEmbeddings 5 -embeddingDim 3 -paddingIdx -1",
                        lambda: nn.Embedding(5, 3, padding_idx=-1))):
        tcl.eval("torch::manual_seed 6")
        out = tcl.eval(call)
        torch.manual_seed(6)
        close(tcl, out, make()(torch_of(indices, "int64")), "float32", rtol=0, atol=0)
    assert tcl.eval(f"torch::tensor_shape [torch::embedding {tcl.create(indices.astype(np.int32), 'int32')} 5 2]") \
        == "2 3 2"


@pytest.mark.parametrize("mode, number", [("sum", 0), ("mean", 1), ("max", 2)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_embedding_bag_matches_torch(tcl, mode, number, dtype):
    indices, offsets, weight = np.array([0, 2, 1, 3, 3, 0]), np.array([0, 2, 5]), data(4, 3)
    ti, to, tw = tcl.create(indices, "int64"), tcl.create(offsets, "int64"), tcl.create(weight, dtype)
    expected = F.embedding_bag(torch_of(indices, "int64"), torch_of(weight, dtype), torch_of(offsets, "int64"),
                               mode=mode)
    close(tcl, tcl.eval(f"torch::embedding_bag {ti} {tw} {to} {number}"), expected, dtype)
    close(tcl, tcl.eval(f"torch::embeddingBag -offsets {to} -input {ti} -weight {tw} -mode {mode}"), expected, dtype)
    if mode == "sum":
        per = data(6)
        close(tcl, tcl.eval(f"torch::embedding_bag {ti} {tw} {to} 0 {tcl.create(per, dtype)}"),
              F.embedding_bag(torch_of(indices, "int64"), torch_of(weight, dtype), torch_of(offsets, "int64"),
                              mode="sum", per_sample_weights=torch_of(per, dtype)), dtype)
        close(tcl, tcl.eval(f"torch::embedding_bag -input {ti} -weight {tw} -offsets {to}"), expected, dtype)


# ---- bad input: clear errors ----------------------------------------------------------

ERRORS = [
    ("torch::linear 10", "Wrong number of arguments (wrong # args). Usage: torch::linear inFeatures outFeatures ?bias?"),
    ("torch::linear -inFeatures 10", "Required parameters missing: -outFeatures"),
    ("torch::linear -inFeatures -5 -outFeatures 10", "Required parameters missing or invalid: inFeatures must be "
                                                      "positive, got -5"),
    ("torch::linear 1180591620717411303424 1",
     "*inFeatures must be positive and below 2**31, got 1180591620717411303424"),
    ("torch::embedding $idx 5 4294967296", "*embedding_dim must be positive and below 2**31, got 4294967296"),
    ("torch::embedding_bag $idx $v $idx 0",
     "Invalid weight: expected a 2-dimensional table (rows, size), got shape {16}"),
    ("torch::embedding_bag $idx [torch::ones {5 2}] $idx 1 [torch::ones {2}]", "embedding_bag: *only supported for "
                                                                                "mode='sum'*"),
    ("torch::instance_norm1d [torch::ones {2 3 1}]", "instance_norm1d: Expected more than 1 spatial element *"),
    ("torch::batch_norm3d [torch::ones {1 2 1 1 1}]", "batch_norm3d: Expected more than 1 value per channel *"),
    ("torch::dropout -rate 0.3", "Unknown parameter: -rate. Valid parameters: -p -training -inplace"),
    ("torch::group_norm -numGroups x -numChannels 4", 'Invalid numGroups: expected integer, got "x"'),
    ("torch::batch_norm2d 4 -momentum invalid", 'Invalid momentum: expected number, got "invalid"'),
    ("torch::layer_norm 4 -bad 1", "Unknown parameter: -bad. Valid parameters: -normalizedShape -normalized_shape -eps"),
    ("torch::spectral_norm nothing", "Invalid tensor name: nothing"),
    ("torch::weight_norm -input nothing", "Invalid tensor name: nothing"),
    ("torch::rms_norm nothing 4", "Invalid tensor name: nothing"),
    ("torch::instance_norm3d -tensor nothing", "Invalid tensor name: nothing"),
    ("torch::embedding nothing 5 4", "Invalid tensor name: nothing"),
    ("torch::layer_parameters -layer nothing", "Invalid layer name: nothing"),
    ("torch::linear 4 2 maybe", 'Invalid bias: expected boolean, got "maybe"'),
    ("torch::linear -inFeatures 4 -outFeatures 2 -unknown 1", "Unknown parameter: -unknown. Valid parameters: *"),
    ("torch::conv2d -inChannels 3 -outChannels 16 -kernelSize 0", "*kernelSize must be positive, got 0"),
    ("torch::conv2d 3 16 {3 3 3}", "Invalid kernelSize: Value must be int or list of 2 ints, got {3 3 3}"),
    ("torch::conv2d 3 16 3 1 -1", "Invalid padding: must not be negative, got {-1 -1}"),
    ("torch::batch_norm1d -eps 1e-5", "Required parameters missing: -numFeatures"),
    ("torch::batchnorm2d -numFeatures -1", "*numFeatures must be positive, got -1"),
    ("torch::batch_norm2d 4 -1e-5", "Invalid eps: must be positive, got -1e-05"),
    ("torch::layer_norm {}", "Invalid normalizedShape: expected at least one dimension, got an empty list"),
    ("torch::layer_norm -normalizedShape invalid", 'Invalid normalizedShape: expected list of integers, got "invalid"'),
    ("torch::group_norm 3 4", "Invalid numGroups: numChannels (4) must be divisible by numGroups (3)"),
    ("torch::group_norm -numGroups 0 -numChannels 4", "*numGroups must be positive, got 0"),
    ("torch::dropout -p 1.5", "Invalid p: must be between 0.0 and 1.0, got 1.5"),
    ("torch::dropout -p", "Missing value for parameter: -p. Named parameters must come in pairs"),
    ("torch::sequential -modules {nothing}", "Invalid module name: nothing"),
    ("torch::conv3d -input nothing -weight $w3", "Invalid input tensor name: nothing"),
    ("torch::conv3d $x3 nothing", "Invalid weight tensor name: nothing"),
    ("torch::conv_transpose3d -input $x3 -weight $w3 -bias nothing", "Invalid bias tensor name: nothing"),
    ("torch::conv3d -input $x3 -weight $w3 -stride {1 2}", "Invalid stride: Value must be int or list of 3 ints, "
                                                            "got {1 2}"),
    ("torch::conv3d $x3 $w3 none 1 0 1 5", "conv3d: *groups*"),
    ("torch::conv1d $x3 $w3", "conv1d: *"),
    ("torch::conv1d $x1 $w1 none 0", "conv1d: non-positive stride is not supported"),
    ("torch::conv_transpose1d -input $x1 -weight $w1 -stride invalid", 'Invalid stride: expected integer or list of '
                                                                       'integers, got "invalid"'),
    ("torch::instance_norm1d", "Wrong number of arguments (wrong # args). Usage: torch::instance_norm1d tensor *"),
    ("torch::instance_norm1d $i1", "instance_norm1d: not implemented for Int64 tensors *"),
    ("torch::instance_norm1d $x1 -1.0", "Invalid eps: must be positive, got -1.0"),
    ("torch::instance_norm1d $x1 1e-5 -0.1", "Invalid momentum: must be >= 0, got -0.1"),
    ("torch::instance_norm2d $v", "instance_norm2d: expected a 4-dimensional input (N, C, ...) or a 3-dimensional "
                                  "one without the batch, got shape {16}"),
    ("torch::batch_norm3d $x1", "batch_norm3d: expected a 5-dimensional input (N, C, D, H, W), got shape {2 4 9}"),
    ("torch::batch_norm3d invalid_handle", "Invalid tensor name: invalid_handle"),
    ("torch::rms_norm $x1 {5}", "Invalid normalized_shape: dimensions don't match input tensor"),
    ("torch::rmsNorm -input $x1 -normalizedShape {9} -eps -1.0", "Invalid eps value: must be positive"),
    ("torch::rms_norm $e {1}", "Input tensor is empty"),
    ("torch::rms_norm $i1 9", "rms_norm: not implemented for Int64 tensors *"),
    ("torch::spectral_norm $v", "Error in spectral_norm: Spectral norm requires at least 2D tensor"),
    ("torch::spectral_norm $x1 0", "Invalid nPowerIterations: must be positive, got 0"),
    ("torch::weight_norm $x1 10",
     "weight_norm: Dimension out of range (expected to be in range of [-3, 2], but got 10)"),
    ("torch::weight_norm", "Wrong number of arguments (wrong # args). Usage: torch::weight_norm tensor ?dim?"),
    ("torch::embedding $idx 0 4", "Required parameters missing: *num_embeddings > 0*"),
    ("torch::embedding $idx 5 -4", "Required parameters missing: *embedding_dim > 0*"),
    ("torch::embedding $idx 2 4", "embedding: index 3 is out of range for 2 embeddings (expected 0 .. 1)"),
    ("torch::embedding $x1 5 4", "Invalid input: expected an Int64 or Int32 tensor of indices, got Float32; *"),
    ("torch::embedding $idx 5 4 7", "Invalid padding_idx: must be within num_embeddings (-5 .. 4), got 7"),
    ("torch::embedding $idx 5 4 x", 'Invalid padding_idx: expected integer, got "x"'),
    ("torch::embedding_bag $idx $w1 $idx 3", "Invalid mode: Mode must be 0 (sum), 1 (mean), or 2 (max), got 3"),
    ("torch::embedding_bag $idx nothing $idx 0", "Invalid weight tensor name: nothing"),
    ("torch::embedding_bag $idx $w1 nothing 0", "Invalid offsets tensor name: nothing"),
    ("torch::embedding_bag $x1 [torch::ones {5 2}] $idx 0",
     "Invalid input: expected an Int64 or Int32 tensor, got Float32; *"),
    ("torch::embedding_bag $idx $w1", "Wrong number of arguments (wrong # args). Usage: *"),
    ("torch::conv2d_set_weights nothing $w1", "Invalid layer name: nothing"),
    ("torch::conv2d_set_weights $lin $w1", "Layer is not a Conv2d layer"),
    ("torch::conv2d_set_weights $conv nothing", "Invalid weight tensor name: nothing"),
    ("torch::conv2d_set_weights $conv $w1", "Invalid weight: expected shape {16 3 3 3} (the layer's), got {6 2 3}"),
    ("torch::conv2d_set_weights $conv0 $cw $v", "Invalid bias: the layer has no bias (it was made with -bias 0)"),
    ("torch::layer_forward nothing $x1", "Invalid layer name: nothing"),
    ("torch::layer_forward $lin nothing", "Invalid input tensor name: nothing"),
    ("torch::layer_forward -layer $lin", "Required parameters missing: -input"),
    ("torch::layer_forward $lin $x1", "layer_forward: mat1 and mat2 shapes cannot be multiplied *"),
    ("torch::layer_forward $lin $i1", "layer_forward: *"),
    ("torch::layer_parameters nothing", "Invalid layer name: nothing"),
    ("torch::layer_to $lin", "Wrong number of arguments (wrong # args). Usage: torch::layer_to layer device"),
    ("torch::layer_to $lin gpu", 'Invalid device: expected cpu, cuda or cuda:<index>, got "gpu"'),
    ("torch::layer_to nothing cpu", "Invalid layer name: nothing"),
    ("torch::layer_cpu -layer {}", "Required parameter missing: -layer"),
    ("torch::layer_device nothing", "Invalid layer name: nothing"),
    ("torch::layer_cuda nothing", "Invalid layer name: nothing"),
    ("torch::parameters_to [list $x1 nothing]", "Invalid parameter tensor: nothing"),
    ("torch::parameters_to $x1 invalid_device",
     'Invalid device: expected cpu, cuda or cuda:<index>, got "invalid_device"'),
    ("torch::model_train nothing", "Invalid model name: nothing"),
    ("torch::model_eval -model", "Missing value for parameter: -model. Named parameters must come in pairs"),
    ("torch::freeze_model nothing", "Model not found: nothing"),
    ("torch::freeze_model {}", "Required parameter missing: -model"),
    ("torch::freeze_model", "Wrong number of arguments (wrong # args). Usage: torch::freeze_model model"),
    ("torch::unfreeze_model -foo bar", "Unknown parameter: -foo. Valid parameters: -model"),
    ("torch::count_parameters nothing", "Model not found: nothing"),
    ("torch::count_parameters $lin extra", "Wrong number of arguments (wrong # args). Usage: torch::count_parameters model"),
    ("torch::model_summary nothing", "Model not found: nothing"),
]


@pytest.mark.parametrize("script, message", ERRORS)
def test_bad_input_is_a_clear_error(tcl, script, message):
    tcl.eval("""
        set x1 [torch::randn -shape {2 4 9}]; set w1 [torch::randn -shape {6 2 3}]
        set x3 [torch::randn -shape {1 3 4 4 4}]; set w3 [torch::randn -shape {2 3 2 2 2}]
        set i1 [torch::ones -shape {2 4 9} -dtype int64]; set v [torch::randn -shape {16}]
        set e [torch::tensor_create {} float32]; set idx [torch::tensor_create {0 3} {2} int64]
        set lin [torch::linear 4 2]; set conv [torch::conv2d 3 16 3]
        set conv0 [torch::conv2d 3 16 3 1 0 0]; set cw [torch::randn -shape {16 3 3 3}]
    """)
    got = tcl.error_detail(script)
    assert "internal error" not in got
    if "*" in message:
        assert fnmatch.fnmatchcase(got, message), got
    else:
        assert got == message


def test_layer_forward_gives_a_layer_each_input_its_forward_takes(tcl):
    tcl.eval("torch::manual_seed 5")
    decoder = tcl.eval("torch::transformer_decoder_layer -dModel 4 -nhead 2")
    tcl.eval(f"torch::model_eval {decoder}")  # no dropout: one result
    target, memory = RNG.standard_normal((5, 2, 4)), RNG.standard_normal((9, 2, 4))
    t, m = tcl.create(target, "float32"), tcl.create(memory, "float32")
    got = tcl.read(tcl.eval(f"torch::layer_forward {decoder} {t} {m}"), "float32")
    with torch.no_grad():
        expected = layer(tcl, decoder)(torch_of(target, "float32"), torch_of(memory, "float32"))
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-6)
    assert tcl.error(f"torch::layer_forward {decoder} {t}").startswith(
        "layer_forward: a TransformerDecoderLayer layer takes tgt memory ?tgt_mask?")
    linear = tcl.eval("torch::linear 4 3")
    assert tcl.error(f"torch::layer_forward {linear} {t} {m}") == \
        "layer_forward: a Linear layer takes input, got 2 input tensors"
    attention = tcl.eval("torch::multihead_attention -embedDim 4 -numHeads 2")
    got = tcl.read(tcl.eval(f"torch::layer_forward {attention} {t}"), "float32")
    with torch.no_grad():
        x = torch_of(target, "float32")
        expected = layer(tcl, attention)(x, x, x)[0]  # one input: self-attention
    np.testing.assert_allclose(got, expected.numpy(), rtol=1e-5, atol=1e-6)
