"""Layer operations on tensors: pooling, padding, resampling (interpolate, grid_sample),
sliding blocks (fold, unfold), local response norm, attention and convolution with
given weights. Most are one torch.nn.functional call; maxpool1d and maxpool3d make a
layer (an nn.Module, called by layer_forward), as the extension does."""

import math
from tkinter import TclError

import torch
import torch.nn.functional as F

from ..errors import CommandError, tcl_list
from ..params import LAYER_OPS
from ..spec import REQUIRED, Command, Param, camel
from ..tensor_commands import torch_call


IN = Param("input", "tensor", doc="Handle of the input tensor", named=("-input", "-tensor"))
# The same, whose unknown handle is said in the extension's words, naming the role (as
# the grid's and the weight's are): Invalid input tensor name: x
HANDLE = IN.naming_role()


def _named(name):
    """The extension's spellings of an option: camelCase and snake_case."""
    return (f"-{name}",) if camel(name) == name else (f"-{camel(name)}", f"-{name}")


def _p(name, kind, default=REQUIRED, doc="", **more):
    return Param(name, kind, default, doc, named=more.pop("named", None) or _named(name), **more)


def _sizes(n):
    return "integer" if n == 1 else f"integer or list of {n} integers"


def _kind(n):
    return "int" if n == 1 else "dims"


class FunctionalCommands:
    # ---- checks the extension makes before torch sees the values ----

    @staticmethod
    def _positive(name, value, message=None):
        values = value if isinstance(value, (tuple, list)) else (value,)
        if any(v <= 0 for v in values):
            shown = " ".join(map(str, values))
            raise CommandError(message or f"Invalid {name} parameter: must be positive, got {shown}")
        return value

    def _floats(self, name, text, count):
        """A list of count numbers (an output ratio, scale factors; count 0: any)."""
        try:
            values = [self.float(item) for item in self.list(text)]
        except (ValueError, TclError):  # not numbers: the user's
            values = None
        if not values or (count and len(values) != count):
            raise CommandError(f'Invalid {name}: expected a list of {count or "one or more"} doubles, got "{text}"')
        return values

    @staticmethod
    def _pair(what, value, n):
        """value as the extension takes it: a list of exactly n integers."""
        if isinstance(value, int) or len(value) != n:
            given = list(value) if isinstance(value, tuple) else [value]
            raise CommandError(f"{what} must be list of {n} ints, got {tcl_list(given)}")
        return value

    def _bias(self, text):
        """The optional bias of the convolutions: a handle, or none / empty for no bias."""
        if text in ("", "none"):
            return None
        return self.tensors.get(text, "Invalid bias tensor name")

    # ---- pooling ----

    # The commands of one kind in 1, 2 and 3 dimensions share a function; each fixes its
    # name and torch function (and dimensions) in its declaration (Command.fixed).

    def avg_pool(self, name, function, input, kernel_size, stride, padding, count_include_pad):
        return torch_call(name, function, input, kernel_size, stride, padding, False, count_include_pad)

    def maxpool2d(self, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
        return torch_call("maxpool2d", F.max_pool2d, input, kernel_size, stride, padding, dilation, ceil_mode,
                          return_indices)

    def lp_pool(self, name, function, input, norm_type, kernel_size, stride, ceil_mode):
        # norm_type 0 would divide by zero in torch's lp_pool (a Python exception, not an error)
        self._positive("normType", norm_type)
        self._positive("kernelSize", kernel_size)
        return torch_call(name, function, input, norm_type, kernel_size, stride, ceil_mode)

    def adaptive_pool(self, name, function, input, output_size):
        # The extension refuses an empty output (torch would return an empty tensor).
        self._positive("output_size", output_size, "Required parameters: input tensor and positive output_size")
        return torch_call(name, function, input, output_size)

    def fractional_max_pool(self, name, function, n, input, kernel_size, output_ratio):
        if isinstance(kernel_size, int):
            kernel_size = (kernel_size,) * n
        if len(kernel_size) != n:
            raise CommandError(f"Invalid kernel_size: expected a list of {n} integers, "
                               f"got {tcl_list(list(kernel_size))}")
        if any(k <= 0 for k in kernel_size):
            raise CommandError(f"kernel_size {' '.join(map(str, kernel_size))} is invalid: each size must be positive")
        ratio = self._floats("output_ratio", output_ratio, n)
        if not all(0 < r < 1 for r in ratio):
            raise CommandError(f"output_ratio {output_ratio} is invalid: each must be between 0 and 1 (exclusive)")
        if input.dim() not in (n + 1, n + 2):
            raise CommandError(f"{name}: expected a {n + 1}-d or {n + 2}-d input tensor, "
                               f"got shape {tcl_list(list(input.shape))}")
        return torch_call(name, function, input, kernel_size, output_ratio=ratio)

    # maxpool1d and maxpool3d make layers (the extension's handles maxpool1d0, ...)
    def max_pool_layer(self, module, kernel_size, stride, padding, ceil_mode):
        self._positive("kernelSize", kernel_size, "kernelSize must be > 0")
        return module(kernel_size, stride, padding, ceil_mode=ceil_mode)

    # ---- padding: the extension takes exactly 2 values per padded dimension ----

    def pad(self, name, mode, n, input, padding):
        """The reflection, replication, circular and zero paddings of n dimensions."""
        return self.constant_pad(name, mode, n, input, padding, None)

    def constant_pad(self, name, mode, n, input, padding, value):
        if len(padding) != 2 * n:
            raise CommandError(f"Padding must be a list of {2 * n} values for {n}D")
        if mode in ("reflect", "replicate") and any(p < 0 for p in padding):
            raise CommandError("Invalid padding value: padding cannot be negative")
        return torch_call(name, F.pad, input, padding, mode, value)

    # ---- resampling ----

    def _size_or_scale(self, size, scale_factor):
        if scale_factor is not None:
            scale_factor = self._floats("scale_factor", scale_factor, 0)
            if len(scale_factor) == 1:  # one factor for every spatial dimension
                scale_factor = scale_factor[0]
        if not size and not scale_factor:
            raise CommandError("Required parameters missing: -input and either -size or -scale_factor")
        # Given both, the size wins (as in the extension); torch takes only one.
        return (size, None) if size else (None, scale_factor)

    def interpolate(self, input, size, mode, align_corners, scale_factor):
        size, scale = self._size_or_scale(size, scale_factor)
        # align_corners only means something to the interpolating modes; torch refuses it for the others.
        corners = align_corners if mode in ("linear", "bilinear", "bicubic", "trilinear") else None
        return torch_call("interpolate", F.interpolate, input, size, scale, mode, corners)

    def upsample_nearest(self, input, size, scale_factor):
        size, scale = self._size_or_scale(size, scale_factor)
        return torch_call("upsample_nearest", F.interpolate, input, size, scale, "nearest")

    def upsample_bilinear(self, input, size, align_corners, antialias, scale_factor):
        # By position, the second word is the output size (integers) or the scale factors.
        if size is not None:
            try:
                size = [self.int(item) for item in self.list(size)]
            except (ValueError, TclError):  # not numbers: the user's
                if scale_factor is not None:
                    raise CommandError(f'Invalid size: expected list of integers, got "{size}"') from None
                size, scale_factor = None, size
        size, scale = self._size_or_scale(size, scale_factor)
        return torch_call("upsample_bilinear", F.interpolate, input, size, scale, "bilinear", align_corners,
                          antialias=antialias)

    def grid_sample(self, input, grid, mode, padding_mode, align_corners):
        return torch_call("grid_sample", F.grid_sample, input, grid, mode,
                          padding_mode, align_corners)

    def channel_shuffle(self, input, groups):
        self._positive("groups", groups)
        if input.dim() < 3:
            raise CommandError(f"channel_shuffle: expected a tensor of at least 3 dimensions (N, C, ...), "
                               f"got shape {tcl_list(list(input.shape))}")
        return torch_call("channel_shuffle", F.channel_shuffle, input, groups)

    def fold(self, input, output_size, kernel_size, dilation, padding, stride):
        self._pair("Output size", output_size, 2)
        self._pair("Kernel size", kernel_size, 2)
        return torch_call("fold", F.fold, input, output_size, kernel_size, dilation, padding, stride)

    # ---- normalization, attention, positions ----

    def local_response_norm(self, name, input, size, alpha, beta, k):
        """local_response_norm and cross_map_lrn2d (the same computation)."""
        self._positive("size", size)
        return torch_call(name, F.local_response_norm, input, size, alpha, beta, k)

    def positional_encoding(self, seq_len, d_model, dropout):
        if seq_len <= 0 or d_model <= 0 or not 0 <= dropout <= 1:
            raise CommandError("Invalid parameters: seq_len must be positive, d_model must be positive, "
                               "dropout must be in range [0,1]")
        position = torch.arange(seq_len, dtype=torch.float32).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(seq_len, d_model)
        pe[:, 0::2] = torch.sin(position * div_term)
        pe[:, 1::2] = torch.cos(position * div_term[:d_model // 2])  # an odd d_model has one cosine fewer
        # The extension applies dropout in training mode.
        return F.dropout(pe, dropout, training=True)

    # ---- convolution with given weights; bias none (or empty) means no bias ----

    def tensor_conv1d(self, input, weight, bias, stride, padding, dilation, groups):
        return torch_call("tensor_conv1d", F.conv1d, input, weight,
                          self._bias(bias), stride, padding, dilation, groups)

    def tensor_conv_transpose1d(self, input, weight, bias, stride, padding, output_padding, groups, dilation):
        return torch_call("tensor_conv_transpose1d", F.conv_transpose1d, input,
                          weight, self._bias(bias), stride, padding, output_padding, groups,
                          dilation)

    def tensor_conv_transpose2d(self, input, weight, bias, stride, padding, output_padding, groups, dilation):
        return torch_call("tensor_conv_transpose2d", F.conv_transpose2d, input,
                          weight, self._bias(bias), stride, padding, output_padding, groups,
                          dilation)


C = FunctionalCommands
KERNEL = ("-kernelSize", "-kernel_size")
COUNT_PAD = _p("count_include_pad", "bool", 1, "Count the zero padding in each average")
CEIL = _p("ceil_mode", "bool", 0, "Round the output size up (ceil) instead of down")
SCALE = _p("scale_factor", "text", None, "Factor (or list of one per spatial dimension) for the output size",
           named_only=True)


def _avg_pool(name, n, function, aliases):
    return Command(name, name, LAYER_OPS, f"{n}D average pooling over the last {n} dimension(s)", (
        HANDLE, _p("kernel_size", _kind(n), doc=f"Window size ({_sizes(n)})", named=KERNEL),
        _p("stride", _kind(n), None, "Step between windows; the kernel size when not given"),
        _p("padding", _kind(n), 0, "Implicit zero padding on both sides"), COUNT_PAD),
        engine=C.avg_pool, fixed=(name, function), aliases=aliases)


def _adaptive(name, camel, alias, n, function):
    what = "average" if "avg" in name else "max"
    return Command(name, camel, LAYER_OPS,
                   f"{n}D adaptive {what} pooling to a given output size", (
                       HANDLE, _p("output_size", _kind(n), doc=f"Output size ({_sizes(n)})")),
                   engine=C.adaptive_pool, fixed=(name, function), aliases=(alias,))


def _lp_pool(name, alias, n, function):
    return Command(name, name, LAYER_OPS, f"{n}D power-average (Lp) pooling", (
        HANDLE, _p("norm_type", "double", 2, "The power p (> 0)", required_positionally=True),
        _p("kernel_size", _kind(n), doc=f"Window size ({_sizes(n)})", named=KERNEL),
        _p("stride", _kind(n), None, "Step between windows; the kernel size when not given"), CEIL),
        engine=C.lp_pool, fixed=(name, function), aliases=(alias,))


def _fractional(name, camel, alias, n, function):
    return Command(name, camel, LAYER_OPS, f"{n}D fractional max pooling (random window placement)", (
        HANDLE, _p("kernel_size", "dims", doc=f"Window size (list of {n} integers)",
                   named=("-kernel_size", "-kernelSize")),
        _p("output_ratio", "text", " ".join(["0.5"] * n), f"Output size / input size ({n} numbers in (0, 1))")),
        engine=C.fractional_max_pool, fixed=(name, function, n), aliases=(alias,))


def _max_pool_layer(name, alias, n, module):
    return Command(name, name, LAYER_OPS, f"A {n}D max pooling layer (nn.MaxPool{n}d) for layer_forward", (
        _p("kernel_size", _kind(n), doc=f"Window size ({_sizes(n)})", named=KERNEL),
        _p("stride", _kind(n), None, "Step between windows; the kernel size when not given"),
        _p("padding", _kind(n), 0, "Implicit -inf padding on both sides"), CEIL),
        engine=C.max_pool_layer, fixed=(module,), aliases=(alias,))


PAD_DOC = {1: "{left right}", 2: "{left right top bottom}", 3: "{left right top bottom front back}"}


_PAD_MODES = {"reflection": "reflect", "replication": "replicate", "circular": "circular", "constant": "constant",
              "zero": "constant"}  # torch's mode for each kind of padding command


def _pads(how, *spellings):
    """The padding commands of one kind, in 1, 2 and 3 dimensions: (name, camel, alias) each."""
    commands = []
    for n, (name, camel_case, alias) in enumerate(spellings, 1):
        kind = name.split("_")[0]
        params = [IN, Param("padding", "ints", doc=f"Padding sizes {PAD_DOC[n]}", named=("-padding", "-pad"))]
        if kind == "constant":
            params.append(Param("value", "double", 0, "The fill value", named=("-value", "-val"),
                                required_positionally=True))
        commands.append(Command(name, camel_case, LAYER_OPS, f"Padding of the last {n} dimension(s) {how}",
                                tuple(params), engine=C.constant_pad if kind == "constant" else C.pad,
                                fixed=(name, _PAD_MODES[kind], n), aliases=(alias,)))
    return commands


COMMANDS = (
    # ---- pooling ----
    _avg_pool("avgpool1d", 1, F.avg_pool1d, ("avgPool1d",)),
    _avg_pool("avgpool2d", 2, F.avg_pool2d, ("avgPool2d", "avgpool2d_tensor")),
    _avg_pool("avgpool3d", 3, F.avg_pool3d, ("avgPool3d",)),
    Command("maxpool2d", "maxpool2d", LAYER_OPS, "2D max pooling over the last 2 dimensions", (
        HANDLE, _p("kernel_size", "dims", doc="Window size (integer or list of 2 integers)", named=KERNEL),
        _p("stride", "dims", None, "Step between windows; the kernel size when not given"),
        _p("padding", "dims", 0, "Implicit -inf padding on both sides"),
        _p("dilation", "dims", 1, "Spacing between window elements"), CEIL,
        _p("return_indices", "bool", 0, "Also return the indices of the maxima: a list of two handles",
           named_only=True)), engine=C.maxpool2d, aliases=("maxPool2d",)),
    _max_pool_layer("maxpool1d", "maxPool1d", 1, torch.nn.MaxPool1d),
    _max_pool_layer("maxpool3d", "maxPool3d", 3, torch.nn.MaxPool3d),
    _adaptive("adaptive_avgpool1d", "adaptiveAvgpool1D", "adaptiveAvgpool1d", 1, F.adaptive_avg_pool1d),
    _adaptive("adaptive_avgpool3d", "adaptiveAvgpool3D", "adaptiveAvgpool3d", 3, F.adaptive_avg_pool3d),
    _adaptive("adaptive_maxpool1d", "adaptiveMaxpool1D", "adaptiveMaxpool1d", 1, F.adaptive_max_pool1d),
    _adaptive("adaptive_maxpool3d", "adaptiveMaxpool3D", "adaptiveMaxpool3d", 3, F.adaptive_max_pool3d),
    _fractional("fractional_maxpool2d", "fractionalMaxpool2D", "fractionalMaxpool2d", 2, F.fractional_max_pool2d),
    _fractional("fractional_maxpool3d", "fractionalMaxpool3D", "fractionalMaxpool3d", 3, F.fractional_max_pool3d),
    _lp_pool("lppool1d", "lpPool1d", 1, F.lp_pool1d),
    _lp_pool("lppool2d", "lpPool2d", 2, F.lp_pool2d),
    _lp_pool("lppool3d", "lpPool3d", 3, F.lp_pool3d),

    # ---- padding ----
    *_pads("with their reflection (edge not repeated)", ("reflection_pad1d", "reflectionPad1D", "reflectionPad1d"),
           ("reflection_pad2d", "reflectionPad2D", "reflectionPad2d"),
           ("reflection_pad3d", "reflectionPad3D", "reflectionPad3d")),
    *_pads("with copies of the edge values", ("replication_pad1d", "replicationPad1D", "replicationPad1d"),
           ("replication_pad2d", "replicationPad2D", "replicationPad2d"),
           ("replication_pad3d", "replicationPad3D", "replicationPad3d")),
    *_pads("wrapping around (periodic)", ("circular_pad1d", "circularPad1D", "circularPad1d"),
           ("circular_pad2d", "circularPad2D", "circularPad2d"), ("circular_pad3d", "circularPad3D", "circularPad3d")),
    *_pads("with a constant value", ("constant_pad1d", "constantPad1D", "constantPad1d"),
           ("constant_pad2d", "constantPad2D", "constantPad2d"), ("constant_pad3d", "constantPad3D", "constantPad3d")),
    *_pads("with zeros", ("zero_pad1d", "zeroPad1D", "zeroPad1d"), ("zero_pad2d", "zeroPad2D", "zeroPad2d"),
           ("zero_pad3d", "zeroPad3D", "zeroPad3d")),

    # ---- rearranging and resampling ----
    Command("pixel_shuffle", "pixelShuffle", LAYER_OPS, "Rearrange (N, C*r*r, H, W) into (N, C, H*r, W*r)", (
        IN, Param("upscale_factor", "int", doc="The factor r", named=("-upscaleFactor", "-upscale_factor", "-factor"))),
        torch=F.pixel_shuffle),
    Command("pixel_unshuffle", "pixelUnshuffle", LAYER_OPS, "Rearrange (N, C, H*r, W*r) into (N, C*r*r, H, W)", (
        IN, Param("downscale_factor", "int", doc="The factor r",
                  named=("-downscaleFactor", "-downscale_factor", "-factor"))), torch=F.pixel_unshuffle),
    Command("channel_shuffle", "channelShuffle", LAYER_OPS, "Interleave the channels of g groups (ShuffleNet)", (
        HANDLE, Param("groups", "int", doc="Number of groups g (divides the channels)")), engine=C.channel_shuffle),
    Command("interpolate", "interpolate", LAYER_OPS, "Resize the spatial dimensions to a size or by a scale factor", (
        HANDLE, Param("size", "ints", None, "Output size of the spatial dimensions", required_positionally=True),
        Param("mode", "text", "nearest", "nearest, linear, bilinear, bicubic, trilinear or area",
              choices=("nearest", "linear", "bilinear", "bicubic", "trilinear", "area")),
        _p("align_corners", "bool", 0, "Align the corner pixels (linear, bilinear, bicubic, trilinear)"),
        _p("scale_factor", "text", None, "Factor (or list of one per spatial dimension) used when no size "
           "is given")), engine=C.interpolate),
    Command("upsample_nearest", "upsampleNearest", LAYER_OPS,
            "Resize by nearest neighbour to a size or by a scale factor", (
        HANDLE, Param("size", "ints", None, "Output size of the spatial dimensions", required_positionally=True),
        Param("scale_factor", "text", None, "Factor (or one per spatial dimension) used when no size is given",
              named=("-scale_factor", "-scaleFactor"))), engine=C.upsample_nearest),
    Command("upsample_bilinear", "upsampleBilinear", LAYER_OPS, "Resize a 4-d tensor bilinearly to a size or by a scale "
            "factor", (
                HANDLE, Param("size", "text", None, "Output size {H W}; by position, scale factors (numbers) also",
                          named=("-output_size", "-size"), required_positionally=True),
                Param("align_corners", "bool", 0, "Align the corner pixels", named=("-align_corners", "-alignCorners")),
                Param("antialias", "bool", 0, "Anti-alias when downsampling"),
                Param("scale_factor", "text", None, "Scale factor(s), instead of a size",
                      named=("-scale_factor", "-scaleFactor"), named_only=True)), engine=C.upsample_bilinear),
    Command("grid_sample", "gridSample", LAYER_OPS, "Sample the input at the grid's (x, y) locations in [-1, 1]", (
        HANDLE, Param("grid", "tensor", doc="Handle of the grid (N, H_out, W_out, 2)",
                      unknown="Invalid grid tensor name"),
        Param("mode", "text", "bilinear", "bilinear or nearest", choices=("bilinear", "nearest")),
        _p("padding_mode", "text", "zeros", "Outside the input: zeros, border or reflection",
           choices=("zeros", "border", "reflection")),
        _p("align_corners", "bool", 0, "-1 and 1 are the centres of the corner pixels")), engine=C.grid_sample),
    Command("affine_grid", "affineGrid", LAYER_OPS,
            "The sampling grid of affine transforms theta (N, 2, 3), for grid_sample", (
        Param("theta", "tensor", doc="Handle of the affine matrices (N, 2, 3) or (N, 3, 4)"),
        Param("size", "ints", doc="Target size {N C H W} (or {N C D H W})"),
        _p("align_corners", "bool", 0, "-1 and 1 are the centres of the corner pixels")), torch=F.affine_grid),
    Command("fold", "fold", LAYER_OPS, "Sum sliding blocks (N, C*kh*kw, L) back into an image (N, C, H, W)", (
        HANDLE, _p("output_size", "dims", doc="Output size {H W}"),
        _p("kernel_size", "dims", doc="Block size {kh kw}", named=KERNEL),
        Param("dilation", "dims", 1, "Spacing between block elements"),
        Param("padding", "dims", 0, "Implicit zero padding on both sides"),
        Param("stride", "dims", 1, "Step between blocks")), engine=C.fold, aliases=("Fold",)),
    Command("unfold", "unfold", LAYER_OPS, "All windows of a size along a dimension, as a new last dimension", (
        IN, Param("dimension", "int", doc="Dimension to take the windows along", named=("-dimension", "-dim")),
        Param("size", "int", doc="Window length"), Param("step", "int", doc="Step between windows")),
        torch=torch.Tensor.unfold),

    # ---- normalization, attention, positions ----
    *(Command(name, camel, LAYER_OPS, summary, (
        Param("input", "tensor", doc="Handle of the input tensor (N, C, ...)", named=("-input", "-tensor"),
              unknown="Tensor not found"),
        Param("size", "int", 5, "Number of neighbouring channels", required_positionally=True),
        Param("alpha", "double", 1e-4, "Multiplicative factor", required_positionally=True),
        Param("beta", "double", 0.75, "Exponent", required_positionally=True),
        Param("k", "double", 1.0, "Additive factor", required_positionally=True)),
        engine=C.local_response_norm, fixed=(name,), aliases=aliases)
      for name, camel, aliases, summary in (
          ("local_response_norm", "localResponseNorm", (), "Local response normalization across channels"),
          ("cross_map_lrn2d", "crossMapLrn2D", ("crossMapLrn2d",),
           "Cross-channel local response normalization (as local_response_norm)"))),
    Command("scaled_dot_product_attention", "scaledDotProductAttention", LAYER_OPS,
            "softmax(query key^T / sqrt(E)) value", (
                Param("query", "tensor", doc="Handle of the queries (..., L, E)"),
                Param("key", "tensor", doc="Handle of the keys (..., S, E)"),
                Param("value", "tensor", doc="Handle of the values (..., S, Ev)")),
            torch=F.scaled_dot_product_attention),
    Command("positional_encoding", "positionalEncoding", LAYER_OPS,
            "Sinusoidal position encodings (seq_len, d_model), with dropout", (
                Param("seq_len", "int", doc="Number of positions", named=("-seqLen", "-seq_len")),
                Param("d_model", "int", doc="Encoding size", named=("-dModel", "-d_model")),
                Param("dropout", "double", doc="Dropout probability (0 .. 1)")), engine=C.positional_encoding),

    # ---- convolution with given weights ----
    Command("tensor_conv1d", "tensorConv1D", LAYER_OPS, "1D convolution of input with weight (and bias)", (
        HANDLE, Param("weight", "tensor", doc="Handle of the weight (out_channels, in_channels/groups, k)",
                      unknown="Invalid weight tensor name"),
        Param("bias", "text", "", "Handle of the bias (out_channels); none or empty for no bias"),
        Param("stride", "int", 1, "Step of the kernel"), Param("padding", "int", 0, "Zero padding on both sides"),
        Param("dilation", "int", 1, "Spacing between kernel elements"),
        Param("groups", "int", 1, "Number of blocked connections")), engine=C.tensor_conv1d, aliases=("tensorConv1d",)),
    *(Command(name, camel_case, LAYER_OPS,
              f"{n}D transposed convolution of input with weight (and bias)", (
                  HANDLE, Param("weight", "tensor", doc="Handle of the weight (in_channels, out_channels/groups, k...)",
                                unknown="Invalid weight tensor name"),
                  Param("bias", "text", "", "Handle of the bias (out_channels); none or empty for no bias"),
                  Param("stride", _kind(n), 1, "Step of the kernel"),
                  Param("padding", _kind(n), 0, "dilation*(k-1)-padding zero padding on both sides"),
                  _p("output_padding", _kind(n), 0, "Extra size added to one side of the output"),
                  Param("groups", "int", 1, "Number of blocked connections"),
                  Param("dilation", _kind(n), 1, "Spacing between kernel elements")), engine=engine,
              aliases=(alias,))
      for name, camel_case, alias, n, engine in (
          ("tensor_conv_transpose1d", "tensorConvTranspose1D", "tensorConvTranspose1d", 1, C.tensor_conv_transpose1d),
          ("tensor_conv_transpose2d", "tensorConvTranspose2D", "tensorConvTranspose2d", 2, C.tensor_conv_transpose2d))),
)
