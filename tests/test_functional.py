"""Layer operations on tensors (pooling, padding, resampling, fold/unfold, local
response norm, attention, positional encoding, convolution with given weights) and the
maxpool1d/maxpool3d layers: values against torch called directly, every form of
call, the dtypes each takes, bad input as clear errors."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tests.tclsession import torch_of

FLOATS = ["float32", "float64"]
RNG = np.random.default_rng(7)
A3 = RNG.standard_normal((2, 3, 8)).round(3)          # (N, C, L)
A4 = RNG.standard_normal((2, 3, 6, 6)).round(3)       # (N, C, H, W)
A5 = RNG.standard_normal((1, 2, 4, 4, 4)).round(3)    # (N, C, D, H, W)


def same(tcl, handle, expected, dtype):
    got = tcl.read(handle, dtype)
    assert list(got.shape) == list(expected.shape)
    np.testing.assert_allclose(got, expected.detach().numpy(), rtol=1e-5, atol=1e-6)
    display = {"float32": "Float32", "float64": "Float64", "int32": "Int32", "int64": "Int64"}[dtype]
    assert tcl.eval(f"torch::tensor_dtype {handle}") == display


# (name, input array, Tcl arguments after the input, torch's result from x)
CASES = [
    ("avgpool1d", A3, "3", lambda x: F.avg_pool1d(x, 3)),
    ("avgpool1d", A3, "3 2 1 0", lambda x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False)),
    ("avgpool2d", A4, "{2 3}", lambda x: F.avg_pool2d(x, (2, 3))),
    ("avgpool2d", A4, "3 2 1", lambda x: F.avg_pool2d(x, 3, 2, 1)),
    ("avgpool3d", A5, "2", lambda x: F.avg_pool3d(x, 2)),
    ("avgpool3d", A5, "2 1 1 0", lambda x: F.avg_pool3d(x, 2, 1, 1, count_include_pad=False)),
    ("maxpool2d", A4, "2", lambda x: F.max_pool2d(x, 2)),
    ("maxpool2d", A4, "3 2 1 1 1", lambda x: F.max_pool2d(x, 3, 2, 1, 1, ceil_mode=True)),
    ("maxpool2d", A4, "2 1 0 2", lambda x: F.max_pool2d(x, 2, 1, 0, 2)),
    ("adaptive_avgpool1d", A3, "3", lambda x: F.adaptive_avg_pool1d(x, 3)),
    ("adaptive_avgpool3d", A5, "{1 2 3}", lambda x: F.adaptive_avg_pool3d(x, (1, 2, 3))),
    ("adaptive_maxpool1d", A3, "5", lambda x: F.adaptive_max_pool1d(x, 5)),
    ("adaptive_maxpool3d", A5, "2", lambda x: F.adaptive_max_pool3d(x, 2)),
    ("lppool1d", A3, "2 3", lambda x: F.lp_pool1d(x, 2, 3)),
    ("lppool1d", A3, "1 2 1 1", lambda x: F.lp_pool1d(x, 1, 2, 1, True)),
    ("lppool2d", A4, "3 {2 3}", lambda x: F.lp_pool2d(x, 3, (2, 3))),
    ("lppool3d", A5, "2 2 1", lambda x: F.lp_pool3d(x, 2, 2, 1)),
    ("reflection_pad1d", A3, "{2 1}", lambda x: F.pad(x, (2, 1), "reflect")),
    ("reflection_pad2d", A4, "{1 2 3 0}", lambda x: F.pad(x, (1, 2, 3, 0), "reflect")),
    ("reflection_pad3d", A5, "{1 1 2 0 0 3}", lambda x: F.pad(x, (1, 1, 2, 0, 0, 3), "reflect")),
    ("replication_pad1d", A3, "{3 1}", lambda x: F.pad(x, (3, 1), "replicate")),
    ("replication_pad2d", A4, "{1 0 2 2}", lambda x: F.pad(x, (1, 0, 2, 2), "replicate")),
    ("replication_pad3d", A5, "{0 1 1 0 2 2}", lambda x: F.pad(x, (0, 1, 1, 0, 2, 2), "replicate")),
    ("circular_pad1d", A3, "{2 3}", lambda x: F.pad(x, (2, 3), "circular")),
    ("circular_pad2d", A4, "{1 2 0 3}", lambda x: F.pad(x, (1, 2, 0, 3), "circular")),
    ("circular_pad3d", A5, "{1 0 2 1 1 1}", lambda x: F.pad(x, (1, 0, 2, 1, 1, 1), "circular")),
    ("constant_pad1d", A3, "{2 -1} 1.5", lambda x: F.pad(x, (2, -1), value=1.5)),
    ("constant_pad2d", A4, "{1 1 0 2} -2", lambda x: F.pad(x, (1, 1, 0, 2), value=-2.0)),
    ("constant_pad3d", A5, "{1 0 0 1 2 2} 3", lambda x: F.pad(x, (1, 0, 0, 1, 2, 2), value=3.0)),
    ("zero_pad1d", A3, "{1 2}", lambda x: F.pad(x, (1, 2))),
    ("zero_pad2d", A4, "{2 0 1 -1}", lambda x: F.pad(x, (2, 0, 1, -1))),
    ("zero_pad3d", A5, "{1 1 1 1 1 1}", lambda x: F.pad(x, (1,) * 6)),
    ("pixel_unshuffle", A4, "3", lambda x: F.pixel_unshuffle(x, 3)),
    ("channel_shuffle", A4, "3", lambda x: F.channel_shuffle(x, 3)),
    ("interpolate", A4, "{9 4}", lambda x: F.interpolate(x, (9, 4))),
    ("interpolate", A4, "{9 4} bilinear 1", lambda x: F.interpolate(x, (9, 4), mode="bilinear", align_corners=True)),
    ("interpolate", A4, "{9 4} bicubic 0", lambda x: F.interpolate(x, (9, 4), mode="bicubic", align_corners=False)),
    ("interpolate", A3, "{5} area", lambda x: F.interpolate(x, 5, mode="area")),
    ("interpolate", A5, "{} trilinear 0 {2 1.5 1}",
     lambda x: F.interpolate(x, scale_factor=(2, 1.5, 1), mode="trilinear", align_corners=False)),
    ("upsample_nearest", A3, "{13}", lambda x: F.interpolate(x, 13)),
    ("upsample_nearest", A4, "{} 2", lambda x: F.interpolate(x, scale_factor=2.0)),
    ("upsample_bilinear", A4, "{7 9} 1", lambda x: F.interpolate(x, (7, 9), mode="bilinear", align_corners=True)),
    ("upsample_bilinear", A4, "{1.5 2.0}", lambda x: F.interpolate(x, scale_factor=(1.5, 2.0), mode="bilinear")),
    ("upsample_bilinear", A4, "{3 3} 0 1",
     lambda x: F.interpolate(x, (3, 3), mode="bilinear", align_corners=False, antialias=True)),
    ("unfold", A3, "2 3 2", lambda x: x.unfold(2, 3, 2)),
    ("unfold", A4, "-1 6 1", lambda x: x.unfold(-1, 6, 1)),
    ("local_response_norm", A4, "2 0.1 0.5 2.0", lambda x: F.local_response_norm(x, 2, 0.1, 0.5, 2.0)),
    ("cross_map_lrn2d", A4, "3 1e-4 0.75 1.0", lambda x: F.local_response_norm(x, 3)),
]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name, array, args, expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_results_match_torch(tcl, name, array, args, expected, dtype):
    t = tcl.create(array, dtype)
    same(tcl, tcl.eval(f"torch::{name} {t} {args}"), expected(torch_of(array, dtype)), dtype)


# The same call by position, by name (every spelling the extension's pages name) and camelCase.
FORMS = [
    (A3, ["torch::avgpool1d $t 3 2 1 0", "torch::avgpool1d -input $t -kernel_size 3 -stride 2 -padding 1 "
          "-count_include_pad 0", "torch::avgPool1d -tensor $t -kernelSize 3 -stride 2 -padding 1 -countIncludePad 0"]),
    (A4, ["torch::avgpool2d $t {2 2} 1", "torch::avgpool2d_tensor -input $t -kernelSize 2 -stride {1 1}",
          "torch::avgPool2d $t 2 -stride 1"]),
    (A5, ["torch::avgpool3d $t 2 1 0 1", "torch::avgPool3d -tensor $t -kernel_size {2 2 2} -stride 1"]),
    (A4, ["torch::maxpool2d $t 3 2 1 1 1", "torch::maxPool2d -input $t -kernelSize 3 -stride 2 -padding 1 "
          "-dilation 1 -ceil_mode 1", "torch::maxpool2d -tensor $t -kernel_size 3 -stride 2 -padding 1 -ceilMode 1"]),
    (A3, ["torch::adaptive_avgpool1d $t 4", "torch::adaptiveAvgpool1d -input $t -output_size 4",
          "torch::adaptiveAvgpool1D -tensor $t -outputSize 4"]),
    (A5, ["torch::adaptive_maxpool3d $t {2 2 1}", "torch::adaptiveMaxpool3d -input $t -outputSize {2 2 1}"]),
    (A4, ["torch::lppool2d $t 2 2 1 0", "torch::lpPool2d -input $t -normType 2 -kernelSize 2 -stride 1 -ceilMode 0",
          "torch::lppool2d -tensor $t -norm_type 2 -kernel_size {2 2} -stride 1"]),
    (A4, ["torch::reflection_pad2d $t {1 1 2 2}", "torch::reflectionPad2d -input $t -padding {1 1 2 2}",
          "torch::reflectionPad2D -tensor $t -pad {1 1 2 2}"]),
    (A3, ["torch::constant_pad1d $t {1 2} 0.5", "torch::constantPad1d -input $t -pad {1 2} -val 0.5",
          "torch::constant_pad1d -tensor $t -padding {1 2} -value 0.5"]),
    (A5, ["torch::zero_pad3d $t {1 1 1 1 1 1}", "torch::zeroPad3d -input $t -padding {1 1 1 1 1 1}",
          "torch::constant_pad3d $t {1 1 1 1 1 1} 0"]),
    (A4, ["torch::interpolate $t {12 12} bilinear 1", "torch::interpolate -input $t -size {12 12} -mode bilinear "
          "-alignCorners 1", "torch::interpolate -tensor $t -scale_factor 2 -mode bilinear -align_corners 1",
          "torch::upsample_bilinear $t {12 12} 1", "torch::upsampleBilinear -input $t -scale_factor {2 2} "
          "-align_corners 1", "torch::upsample_bilinear -input $t -output_size {12 12} -align_corners 1"]),
    (A4, ["torch::upsample_nearest $t {12 18}", "torch::upsampleNearest -input $t -size {12 18}",
          "torch::upsample_nearest -input $t -scale_factor {2 3}", "torch::interpolate -input $t -scaleFactor {2 3}"]),
    (A4, ["torch::channel_shuffle $t 3", "torch::channelShuffle -input $t -groups 3"]),
    (A4, ["torch::unfold $t 2 2 2", "torch::unfold -input $t -dimension 2 -size 2 -step 2",
          "torch::unfold -tensor $t -dim 2 -size 2 -step 2"]),
    (A4, ["torch::local_response_norm $t 5 1e-4 0.75 1.0", "torch::localResponseNorm -input $t",
          "torch::cross_map_lrn2d -tensor $t -size 5 -alpha 1e-4 -beta 0.75 -k 1",
          "torch::crossMapLrn2d $t 5 1e-4 .75 1"]),
]


@pytest.mark.parametrize("array, forms", FORMS, ids=[f[1][0].split()[0] for f in FORMS])
def test_every_form_gives_the_same(tcl, array, forms):
    tcl.tk.setvar("t", tcl.create(array, "float32"))
    first = tcl.read(tcl.eval(forms[0]), "float32")
    for form in forms[1:]:
        np.testing.assert_allclose(tcl.read(tcl.eval(form), "float32"), first, rtol=1e-6, err_msg=form)


# ---- dtypes ----

@pytest.mark.parametrize("dtype", ["int32", "int64", "float32", "float64"])
@pytest.mark.parametrize("name", ["constant_pad2d", "zero_pad2d", "replication_pad2d", "circular_pad2d"])
def test_pads_keep_any_dtype(tcl, name, dtype):
    values = np.arange(24).reshape(1, 2, 3, 4)
    t = tcl.create(values, dtype)
    mode = {"replication": "replicate", "circular": "circular"}.get(name.split("_")[0], "constant")
    extra = " 7" if name.startswith("constant") else ""
    value = 7 if extra else 0
    expected = F.pad(torch_of(values, dtype), (1, 2, 2, 1), mode, value if mode == "constant" else None)
    same(tcl, tcl.eval(f"torch::{name} {t} {{1 2 2 1}}{extra}"), expected, dtype)


@pytest.mark.parametrize("dtype", ["int32", "int64"])
def test_maxpool2d_and_shuffles_take_integers(tcl, dtype):
    values = np.arange(72).reshape(2, 4, 3, 3) * 7 % 11
    t, x = tcl.create(values, dtype), torch_of(values, dtype)
    same(tcl, tcl.eval(f"torch::maxpool2d {t} 2 1"), F.max_pool2d(x, 2, 1), dtype)
    same(tcl, tcl.eval(f"torch::pixel_shuffle {t} 2"), F.pixel_shuffle(x, 2), dtype)
    same(tcl, tcl.eval(f"torch::channel_shuffle {t} 2"), F.channel_shuffle(x, 2), dtype)


# torch averages Int64 on the CPU (rounding toward zero), not Int32; its adaptive pools and interpolation neither.
@pytest.mark.parametrize("name, args, dtype", [("avgpool2d", "2", "int32"), ("avgpool1d", "2", "int32"),
                                               ("interpolate", "{4 4} bilinear", "int64"),
                                               ("adaptive_avgpool3d", "2", "int64")])
def test_averaging_of_integers_is_a_clear_error(tcl, name, args, dtype):
    shape = {"avgpool1d": (1, 1, 16), "adaptive_avgpool3d": (1, 1, 1, 4, 4)}.get(name, (1, 1, 4, 4))
    t = tcl.create(np.arange(16).reshape(shape), dtype)
    message = tcl.error(f"torch::{name} {t} {args}")
    assert message.startswith(f"{name}: ") and ("'Int'" in message or "'Long'" in message)


def test_avgpool_of_int64_rounds_toward_zero_as_torch(tcl):
    values = np.arange(16).reshape(1, 1, 4, 4)
    same(tcl, tcl.eval(f"torch::avgpool2d {tcl.create(values, 'int64')} 2"),
         F.avg_pool2d(torch_of(values, "int64"), 2), "int64")


# ---- results that are not one tensor ----

def test_maxpool2d_with_indices_is_a_list_of_two_handles(tcl):
    t, x = tcl.create(A4, "float32"), torch_of(A4, "float32")
    values, indices = tcl.tk.splitlist(tcl.eval(f"torch::maxpool2d {t} 2 -return_indices 1"))
    expected_values, expected_indices = F.max_pool2d(x, 2, return_indices=True)
    same(tcl, values, expected_values, "float32")
    same(tcl, indices, expected_indices, "int64")


@pytest.mark.parametrize("n, module", [(1, torch.nn.MaxPool1d), (3, torch.nn.MaxPool3d)])
def test_maxpool_layers_are_torch_modules(tcl, n, module):
    layer = tcl.eval(f"torch::maxpool{n}d 3")
    assert layer.startswith(f"maxpool{n}d")
    made = tcl.engine.layer(layer)
    assert type(made) is module
    assert (made.kernel_size, made.stride, made.padding, made.ceil_mode) == (3, 3, 0, False)
    made = tcl.engine.layer(tcl.eval(f"torch::maxPool{n}d -kernel_size 2 -stride 1 -padding 1 -ceil_mode 1"))
    assert (made.kernel_size, made.stride, made.padding, made.ceil_mode) == (2, 1, 1, True)
    same_as_positional = tcl.engine.layer(tcl.eval(f"torch::maxpool{n}d 2 1 1 1"))
    x = torch.randn((1, 2) + (5,) * n)
    torch.testing.assert_close(made(x), same_as_positional(x))
    torch.testing.assert_close(made(x), module(2, 1, 1, ceil_mode=True)(x))


@pytest.mark.parametrize("n", [2, 3])
def test_fractional_maxpool_is_torch_seeded_alike(tcl, n):
    array = A4 if n == 2 else A5
    t, x = tcl.create(array, "float64"), torch_of(array, "float64")
    function = F.fractional_max_pool2d if n == 2 else F.fractional_max_pool3d
    tcl.eval("torch::manual_seed 11")
    got = tcl.eval(f"torch::fractional_maxpool{n}d {t} 2")
    torch.manual_seed(11)
    same(tcl, got, function(x, 2, output_ratio=[0.5] * n), "float64")
    tcl.eval("torch::manual_seed 3")
    ratio = " ".join(["0.7"] * n)
    got = tcl.eval(f"torch::fractionalMaxpool{n}d -input {t} -kernelSize {{{' '.join(['2'] * n)}}} "
                   f"-outputRatio {{{ratio}}}")
    torch.manual_seed(3)
    same(tcl, got, function(x, (2,) * n, output_ratio=[0.7] * n), "float64")


@pytest.mark.parametrize("seq_len, d_model", [(5, 8), (3, 7), (1, 1)])
def test_positional_encoding_is_the_sinusoids(tcl, seq_len, d_model):
    expected = torch.zeros(seq_len, d_model)
    for p in range(seq_len):
        for i in range(d_model):
            angle = p / 10000 ** ((i - i % 2) / d_model)
            expected[p, i] = math.sin(angle) if i % 2 == 0 else math.cos(angle)
    same(tcl, tcl.eval(f"torch::positional_encoding {seq_len} {d_model} 0.0"), expected, "float32")
    same(tcl, tcl.eval(f"torch::positionalEncoding -seqLen {seq_len} -dModel {d_model} -dropout 0"), expected,
         "float32")


def test_positional_encoding_dropout_is_seeded_like_torch(tcl):
    tcl.eval("torch::manual_seed 5")
    got = tcl.eval("torch::positional_encoding 6 4 0.5")
    torch.manual_seed(5)
    plain = tcl.engine.tensor(tcl.eval("torch::positional_encoding 6 4 0.0"))
    same(tcl, got, F.dropout(plain, 0.5, training=True), "float32")


@pytest.mark.parametrize("dtype", FLOATS)
def test_grid_sample_and_affine_grid(tcl, dtype):
    theta = np.array([[[0.8, -0.3, 0.1], [0.2, 1.1, -0.2]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    th, x = torch_of(theta, dtype), torch_of(A4[:, :, :5, :5], dtype)
    h, t = tcl.create(theta, dtype), tcl.create(A4[:, :, :5, :5], dtype)
    grid = tcl.eval(f"torch::affine_grid {h} {{2 3 4 6}} 1")
    expected_grid = F.affine_grid(th, [2, 3, 4, 6], align_corners=True)
    same(tcl, grid, expected_grid, dtype)
    same(tcl, tcl.eval(f"torch::affineGrid -theta {h} -size {{2 3 4 6}}"),
         F.affine_grid(th, [2, 3, 4, 6], align_corners=False), dtype)
    for args, mode, padding, corners in (("", "bilinear", "zeros", False),
                                         ("nearest border 1", "nearest", "border", True),
                                         ("bilinear reflection 0", "bilinear", "reflection", False)):
        expected = F.grid_sample(x, expected_grid, mode, padding, corners)
        same(tcl, tcl.eval(f"torch::grid_sample {t} {grid} {args}"), expected, dtype)
    same(tcl, tcl.eval(f"torch::gridSample -input {t} -grid {grid} -mode nearest -paddingMode border -alignCorners 1"),
         F.grid_sample(x, expected_grid, "nearest", "border", True), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_fold_pixel_shuffle_and_attention(tcl, dtype):
    blocks = RNG.standard_normal((2, 3 * 4, 12)).round(3)
    b, xb = tcl.create(blocks, dtype), torch_of(blocks, dtype)
    same(tcl, tcl.eval(f"torch::fold {b} {{4 5}} {{2 2}}"), F.fold(xb, (4, 5), (2, 2)), dtype)
    same(tcl, tcl.eval(f"torch::Fold -input {b} -outputSize {{5 6}} -kernelSize {{2 2}} -stride 2 -padding 1"),
         F.fold(xb, (5, 6), (2, 2), stride=2, padding=1), dtype)
    t = tcl.create(A4, dtype)
    same(tcl, tcl.eval(f"torch::pixelShuffle -input {t} -factor 1"), torch_of(A4, dtype), dtype)
    q, k, v = (RNG.standard_normal(s).round(3) for s in ((2, 4, 5), (2, 3, 5), (2, 3, 2)))
    hq, hk, hv = (tcl.create(a, dtype) for a in (q, k, v))
    expected = F.scaled_dot_product_attention(torch_of(q, dtype), torch_of(k, dtype), torch_of(v, dtype))
    same(tcl, tcl.eval(f"torch::scaled_dot_product_attention {hq} {hk} {hv}"), expected, dtype)
    same(tcl, tcl.eval(f"torch::scaledDotProductAttention -query {hq} -key {hk} -value {hv}"), expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_convolutions_with_given_weights(tcl, dtype):
    x1, w1, bias = RNG.standard_normal((2, 4, 9)), RNG.standard_normal((6, 2, 3)), RNG.standard_normal(6)
    h, w, bh = (tcl.create(a, dtype) for a in (x1, w1, bias))
    X, W, B = (torch_of(a, dtype) for a in (x1, w1, bias))
    same(tcl, tcl.eval(f"torch::tensor_conv1d {h} {w} {bh} 2 1 1 2"), F.conv1d(X, W, B, 2, 1, 1, 2), dtype)
    same(tcl, tcl.eval(f"torch::tensorConv1d -input {h} -weight {w} -bias none -padding 2 -dilation 2 -groups 2"),
         F.conv1d(X, W, None, 1, 2, 2, 2), dtype)
    wt = RNG.standard_normal((4, 3, 3))
    hw, Wt, b3 = tcl.create(wt, dtype), torch_of(wt, dtype), tcl.create(bias[:3], dtype)
    same(tcl, tcl.eval(f"torch::tensor_conv_transpose1d {h} {hw} {b3} 2 1 1"),
         F.conv_transpose1d(X, Wt, B[:3], 2, 1, 1), dtype)
    same(tcl, tcl.eval(f"torch::tensorConvTranspose1d -input {h} -weight {hw} -stride 3 -dilation 2"),
         F.conv_transpose1d(X, Wt, None, 3, dilation=2), dtype)
    x2, w2 = RNG.standard_normal((1, 4, 5, 5)), RNG.standard_normal((4, 1, 2, 3))
    h2, hw2 = tcl.create(x2, dtype), tcl.create(w2, dtype)
    X2, W2 = torch_of(x2, dtype), torch_of(w2, dtype)
    same(tcl, tcl.eval(f"torch::tensor_conv_transpose2d {h2} {hw2} {{}} {{2 1}} 1 {{1 0}} 2 1"),
         F.conv_transpose2d(X2, W2, None, (2, 1), 1, (1, 0), 2, 1), dtype)
    same(tcl, tcl.eval(f"torch::tensorConvTranspose2d -input {h2} -weight {hw2} -stride 2 -output_padding 1"),
         F.conv_transpose2d(X2, W2, None, 2, 0, 1), dtype)


# ---- bad input: each a clear error ----

ERRORS = [
    ("torch::avgpool2d nosuch 2", "Invalid input tensor name: nosuch"),
    ("torch::avgpool1d -input $t3", "Required parameters missing: -kernelSize"),
    ("torch::avgpool1d $t3 2 -bogus 1", "Unknown parameter: -bogus"),
    ("torch::avgpool1d $t3 two", 'Invalid kernel_size: expected integer, got "two"'),
    ("torch::avgpool3d $t5 {1 2}", "avgpool3d: avg_pool3d: kernel_size must be"),
    ("torch::maxpool2d $t4 0", "maxpool2d: stride should not be zero"),
    ("torch::maxpool2d $t4 9", "maxpool2d: "),
    ("torch::maxpool1d", "Wrong number of arguments (wrong # args). Usage: torch::maxpool1d kernel_size"),
    ("torch::maxpool1d 0", "kernelSize must be > 0"),
    ("torch::maxpool3d {2 0 2}", "kernelSize must be > 0"),
    ("torch::adaptive_maxpool1d $t3", "Wrong number of arguments"),
    ("torch::adaptive_maxpool1d $t3 0", "Required parameters: input tensor and positive output_size"),
    ("torch::adaptive_avgpool3d nosuch 2", "Invalid input tensor name: nosuch"),
    ("torch::fractional_maxpool2d -input $t4", "Required parameters missing: -kernel_size"),
    ("torch::fractional_maxpool2d $t4 {-2 2}", "is invalid: each size must be positive"),
    ("torch::fractional_maxpool2d $t4 {2 2 2}", "expected a list of 2 integers"),
    ("torch::fractional_maxpool2d $t4 2 {0.5}", "expected a list of 2 doubles"),
    ("torch::fractional_maxpool3d $t5 2 {0.0 0.5 0.5}", "is invalid: each must be between 0 and 1"),
    ("torch::fractional_maxpool3d $t3 2", "expected a 4-d or 5-d input tensor"),
    ("torch::lppool2d $t4 0 2", "Invalid normType parameter: must be positive"),
    ("torch::lppool1d $t3 2 0", "Invalid kernelSize parameter: must be positive"),
    ("torch::reflection_pad2d $t4 {1 1}", "Padding must be a list of 4 values for 2D"),
    ("torch::replication_pad1d $t3 {-1 1}", "Invalid padding value: padding cannot be negative"),
    ("torch::reflection_pad1d $t3 {9 9}", "reflection_pad1d: "),
    ("torch::constant_pad3d $t5 {1 1 1 1 1 1}", "Wrong number of arguments"),
    ("torch::zero_pad1d nosuch {1 1}", "Invalid tensor name: nosuch"),
    ("torch::pixel_shuffle $t4 2", "pixel_shuffle: "),
    ("torch::pixel_unshuffle $t4 4", "pixel_unshuffle: "),
    ("torch::channel_shuffle $t4 0", "Invalid groups parameter: must be positive"),
    ("torch::channel_shuffle $t4 2", "channel_shuffle: "),
    ("torch::interpolate -input $t4", "Required parameters missing: -input and either -size or -scale_factor"),
    ("torch::interpolate $t4 {8 8} cubic", 'Invalid mode: expected one of nearest, linear'),
    ("torch::interpolate $t4 {} nearest 0 {x y}", "Invalid scale_factor: expected a list"),
    ("torch::interpolate $t4 {8 8} trilinear", "interpolate: "),
    ("torch::upsample_nearest $t4 {1 2 3}", "upsample_nearest: "),
    ("torch::upsample_bilinear $t4 {a b}", "Invalid scale_factor"),
    ("torch::upsample_bilinear $t4 {a b} -scale_factor 2", 'Invalid size: expected list of integers, got "a b"'),
    ("torch::grid_sample $t4 nosuch", "Invalid grid tensor name: nosuch"),
    ("torch::grid_sample $t4 $t4 bilinear edges", 'Invalid padding_mode: expected one of zeros, border, reflection'),
    ("torch::grid_sample $t4 $t4", "grid_sample: "),
    ("torch::affine_grid $t4 {1 1 2 2}", "affine_grid: "),
    ("torch::fold $t3 {4} {2 2}", "Output size must be list of 2 ints"),
    ("torch::fold $t3 {4 4} 2", "Kernel size must be list of 2 ints"),
    ("torch::fold $t3 {4 4} {2 2}", "fold: "),
    ("torch::unfold $t3 5 2 1", "unfold: Dimension out of range"),
    ("torch::unfold $t3 2 2", "Wrong number of arguments"),
    ("torch::local_response_norm nosuch 5 1e-4 0.75 1", "Tensor not found: nosuch"),
    ("torch::local_response_norm $t4 5", "Wrong number of arguments"),
    ("torch::cross_map_lrn2d -input $t4 -size 0", "Invalid size parameter: must be positive"),
    ("torch::scaled_dot_product_attention $t3 $t4 $t3", "scaled_dot_product_attention: "),
    ("torch::positional_encoding 4 0 0.1", "Invalid parameters: seq_len must be positive"),
    ("torch::positional_encoding -seqLen 4 -dModel 4", "Required parameters missing: -dropout"),
    ("torch::tensor_conv1d $t3 nosuch", "Invalid weight tensor name: nosuch"),
    ("torch::tensor_conv1d $t3 $t3 nosuch", "Invalid bias tensor name: nosuch"),
    ("torch::tensor_conv1d $t3 $t4", "tensor_conv1d: "),
    ("torch::tensor_conv_transpose2d nosuch $t4", "Invalid input tensor name: nosuch"),
    ("torch::tensor_conv_transpose2d $t4 $t4 none {1 2 3}", "tensor_conv_transpose2d: "),
]


@pytest.mark.parametrize("script, message", ERRORS, ids=[e[0].split()[0].removeprefix("torch::") + f"-{i}"
                                                         for i, e in enumerate(ERRORS)])
def test_bad_input_is_a_clear_error(tcl, script, message):
    for name, array in (("t3", A3), ("t4", A4), ("t5", A5)):
        tcl.tk.setvar(name, tcl.create(array, "float32"))
    assert message in tcl.error_detail(script)


@pytest.mark.parametrize("n, array", [(1, A3), (3, A5)])
def test_maxpool_layers_run_under_layer_forward(tcl, n, array):
    layer = tcl.eval(f"torch::maxpool{n}d 2 1 1")
    got = tcl.eval(f"torch::layer_forward {layer} {tcl.create(array, 'float32')}")
    pool = torch.nn.MaxPool1d(2, 1, 1) if n == 1 else torch.nn.MaxPool3d(2, 1, 1)
    same(tcl, got, pool(torch_of(array, "float32")), "float32")
