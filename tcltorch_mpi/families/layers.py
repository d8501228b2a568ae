"""Layers and models: commands that make torch.nn modules (layer handles linear0,
conv2d1, batchnorm2d2, sequential3), the functional convolutions and normalizations
that compute on the tensors they are given (as the extension's do), and the commands
that act on any layer: forward pass, parameters, device, training mode, freezing."""

import inspect

import torch
import torch.nn.functional as F
from torch import nn

from .. import dtypes
from ..errors import CommandError, first_line, tcl_list
from ..params import LAYERS
from ..spec import Command, Param
from ..tensor_commands import torch_call


def _positive(**values):
    # The extension's wording for a size that is not positive (its tests look for it);
    # its sizes are C ints, and beyond them torch cannot take the size at all.
    for name, value in values.items():
        for v in (value if isinstance(value, tuple) else (value,)):
            if not 0 < v < 2**31:
                raise CommandError(f"Required parameters missing or invalid: {name} must be positive"
                                   f"{'' if v <= 0 else ' and below 2**31'}, got {v}")


def _spread(name, value, n):
    """stride, padding, ...: one integer for every spatial dimension, or a list of n."""
    if isinstance(value, int):
        return (value,) * n
    if len(value) != n:
        raise CommandError(f"Invalid {name}: Value must be int or list of {n} ints, got {tcl_list(list(value))}")
    return value


def _floating(name, tensor):
    if not tensor.is_floating_point():
        raise CommandError(f"{name}: not implemented for {dtypes.DISPLAY[tensor.dtype]} tensors "
                           "(it needs a floating-point tensor; convert it with torch::tensor_to)")


def _nonempty(tensor):
    if tensor.numel() == 0:
        raise CommandError("Input tensor is empty")


def _norm_arguments(eps, momentum):
    if eps <= 0:
        raise CommandError(f"Invalid eps: must be positive, got {eps}")
    if momentum < 0:
        raise CommandError(f"Invalid momentum: must be >= 0, got {momentum}")


def _inputs(module):
    """The names of the tensors the module's forward takes: (required, optional)
    (a linear layer: input; attention: query, key, value; a transformer decoder: tgt,
    memory; an LSTM: input, and hx optionally)."""
    try:
        parameters = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        return ["input"], []
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p.name for p in positional if p.default is inspect.Parameter.empty]
    return required or ["input"], [p.name for p in positional if p.default is not inspect.Parameter.empty]


def _device_name(device):
    return "cpu" if device.type == "cpu" else f"{device.type}:{device.index or 0}"


class LayersCommands:
    # ---- handles by name (the extension's messages; the name is the result) ----

    def _layers_named(self, name, option, unknown):
        """The layer a name given as text names (commands that answer with the name);
        ``unknown``: the extension's message for a name that is none."""
        if name == "":
            raise CommandError(f"Required parameter missing: {option}")
        return self.layers.get(name, unknown)

    def _layers_tensor(self, role, name):
        return self.tensors.get(name, f"Invalid {role} tensor name")

    def _layers_bias(self, name):
        return None if name in (None, "", "none") else self._layers_tensor("bias", name)

    # ---- layers (torch.nn modules) ----

    def linear(self, in_features, out_features, bias):
        _positive(inFeatures=in_features, outFeatures=out_features)
        return nn.Linear(in_features, out_features, bias=bias)

    def conv2d(self, in_channels, out_channels, kernel_size, stride, padding, bias):
        kernel, stride, padding = (_spread(name, value, 2) for name, value in
                                   (("kernelSize", kernel_size), ("stride", stride), ("padding", padding)))
        _positive(inChannels=in_channels, outChannels=out_channels, kernelSize=kernel, stride=stride)
        if min(padding) < 0:
            raise CommandError(f"Invalid padding: must not be negative, got {tcl_list(list(padding))}")
        return nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=padding, bias=bias)

    def batch_norm(self, make, num_features, eps, momentum, affine, track_running_stats):
        """batch_norm1d and batch_norm2d: ``make`` is the module (Command.fixed)."""
        _positive(numFeatures=num_features)
        _norm_arguments(eps, momentum)
        return make(num_features, eps=eps, momentum=momentum, affine=affine, track_running_stats=track_running_stats)

    def layer_norm(self, normalized_shape, eps):
        if not normalized_shape:
            raise CommandError("Invalid normalizedShape: expected at least one dimension, got an empty list")
        _positive(normalizedShape=tuple(normalized_shape))
        if eps <= 0:
            raise CommandError(f"Invalid eps: must be positive, got {eps}")
        return nn.LayerNorm(normalized_shape, eps=eps)

    def group_norm(self, num_groups, num_channels, eps):
        _positive(numGroups=num_groups, numChannels=num_channels)
        if num_channels % num_groups:
            raise CommandError(f"Invalid numGroups: numChannels ({num_channels}) must be divisible by "
                               f"numGroups ({num_groups})")
        if eps <= 0:
            raise CommandError(f"Invalid eps: must be positive, got {eps}")
        return nn.GroupNorm(num_groups, num_channels, eps=eps)

    def dropout(self, p, training, inplace):
        if not 0.0 <= p <= 1.0:
            raise CommandError(f"Invalid p: must be between 0.0 and 1.0, got {p}")
        layer = nn.Dropout(p, inplace=inplace)
        return layer if training else layer.eval()

    def sequential(self, modules):
        layers = []
        for name in self.list(modules):
            # the module itself: training it trains the sequential
            layers.append(self.layers.get(name, "Invalid module name"))
        return nn.Sequential(*layers)

    # ---- functional convolutions and normalizations ----

    # The commands of one kind in 1, 2 or 3 dimensions share a function; each fixes its
    # name, torch function and dimensions in its declaration (Command.fixed).

    def _layers_convolution(self, name, function, n, input, weight, bias, stride, padding, *more):
        b = self._layers_bias(bias)
        sizes = [_spread(label, value, n) if label != "groups" else value for label, value in
                 (("stride", stride), ("padding", padding), *more)]
        return torch_call(name, function, input, weight, b, *sizes)

    def conv(self, name, function, n, input, weight, bias, stride, padding, dilation, groups):
        """conv1d and conv3d."""
        return self._layers_convolution(name, function, n, input, weight, bias, stride, padding,
                                        ("dilation", dilation), ("groups", groups))

    def conv_transpose(self, name, function, n, input, weight, bias, stride, padding, output_padding, groups,
                       dilation):
        """conv_transpose1d, conv_transpose_2d and conv_transpose3d."""
        return self._layers_convolution(name, function, n, input, weight, bias, stride, padding,
                                        ("output_padding", output_padding), ("groups", groups), ("dilation", dilation))

    def batch_norm3d(self, tensor, eps, momentum, affine, track_running_stats):
        # A fresh BatchNorm3d in training mode: the batch's statistics, affine weights
        # 1 and 0 (so affine and trackRunningStats do not change the result).
        _norm_arguments(eps, momentum)
        _floating("batch_norm3d", tensor)
        if tensor.dim() != 5:
            raise CommandError(f"batch_norm3d: expected a 5-dimensional input (N, C, D, H, W), got shape "
                               f"{tcl_list(list(tensor.shape))}")
        return torch_call("batch_norm3d", F.batch_norm, tensor, None, None, training=True, momentum=momentum,
                          eps=eps)

    def instance_norm(self, name, spatial, tensor, eps, momentum, affine, track_running_stats):
        """instance_norm1d, 2d and 3d: ``spatial`` dimensions (Command.fixed)."""
        # A fresh InstanceNorm in training mode: each sample's and channel's own
        # statistics; affine weights start at 1 and 0, so affine and
        # trackRunningStats do not change the result.
        _norm_arguments(eps, momentum)
        if tensor.numel() == 0:
            raise CommandError(f"{name}: Input tensor is empty")
        _floating(name, tensor)
        if tensor.dim() not in (spatial + 1, spatial + 2):
            raise CommandError(f"{name}: expected a {spatial + 2}-dimensional input (N, C, ...) or a "
                               f"{spatial + 1}-dimensional one without the batch, got shape "
                               f"{tcl_list(list(tensor.shape))}")
        unbatched = tensor.dim() == spatial + 1
        x = tensor.unsqueeze(0) if unbatched else tensor
        result = torch_call(name, F.instance_norm, x, momentum=momentum, eps=eps)
        return result.squeeze(0) if unbatched else result

    def rms_norm(self, tensor, normalized_shape, eps):
        _nonempty(tensor)
        if eps <= 0:
            raise CommandError("Invalid eps value: must be positive")
        shape = list(normalized_shape)
        if not shape or len(shape) > tensor.dim() or list(tensor.shape[tensor.dim() - len(shape):]) != shape:
            raise CommandError("Invalid normalized_shape: dimensions don't match input tensor")
        _floating("rms_norm", tensor)
        return torch_call("rms_norm", F.rms_norm, tensor, shape, eps=eps)

    def spectral_norm(self, tensor, n_power_iterations):
        # The weight over its largest singular value (rows: dimension 0), computed
        # exactly: the value torch's power iteration converges to.
        if tensor.dim() < 2:
            raise CommandError("Error in spectral_norm: Spectral norm requires at least 2D tensor")
        if n_power_iterations <= 0:
            raise CommandError(f"Invalid nPowerIterations: must be positive, got {n_power_iterations}")
        _floating("spectral_norm", tensor)
        matrix = tensor.reshape(tensor.shape[0], -1)
        sigma = torch_call("spectral_norm", torch.linalg.matrix_norm, matrix, ord=2)
        return tensor / sigma

    def weight_norm(self, tensor, dim):
        # torch's weight normalization direction v / ||v||: one norm per slice along
        # dim (over all the other dimensions), as torch.nn.utils.weight_norm keeps dim.
        count = max(tensor.dim(), 1)
        if not -count <= dim < count:
            raise CommandError(f"weight_norm: Dimension out of range (expected to be in range of "
                               f"[{-count}, {count - 1}], but got {dim})")
        if tensor.numel() == 0:
            raise CommandError("Required parameters missing: input tensor required (it is empty)")
        _floating("weight_norm", tensor)
        if tensor.dim() == 0:
            return tensor / tensor.abs()
        others = [d for d in range(tensor.dim()) if d != dim % tensor.dim()]
        norm = tensor.norm(2, dim=others, keepdim=True) if others else tensor.abs()
        return tensor / norm

    def embedding(self, tensor, num_embeddings, embedding_dim, padding_idx):
        # A fresh nn.Embedding's lookup: weights from N(0, 1), the padding row zero.
        if num_embeddings <= 0 or embedding_dim <= 0:
            raise CommandError("Required parameters missing: input tensor, num_embeddings > 0, and "
                               f"embedding_dim > 0 required (got {num_embeddings} and {embedding_dim})")
        _positive(num_embeddings=num_embeddings, embedding_dim=embedding_dim)
        if tensor.dtype not in (torch.int64, torch.int32):
            raise CommandError(f"Invalid input: expected an Int64 or Int32 tensor of indices, got "
                               f"{dtypes.DISPLAY[tensor.dtype]}; convert it with torch::tensor_to")
        if tensor.numel() and not 0 <= tensor.min().item() <= tensor.max().item() < num_embeddings:
            bad = tensor.min().item() if tensor.min().item() < 0 else tensor.max().item()
            raise CommandError(f"embedding: index {bad} is out of range for {num_embeddings} embeddings "
                               f"(expected 0 .. {num_embeddings - 1})")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise CommandError(f"Invalid padding_idx: must be within num_embeddings "
                                   f"({-num_embeddings} .. {num_embeddings - 1}), got {padding_idx}")
            padding_idx %= num_embeddings
        weight = torch.randn(num_embeddings, embedding_dim, device=tensor.device)
        if padding_idx is not None:
            weight[padding_idx] = 0
        return F.embedding(tensor, weight, padding_idx)

    def embedding_bag(self, input, weight, offsets, mode, per_sample_weights):
        modes = {"0": "sum", "1": "mean", "2": "max", "sum": "sum", "mean": "mean", "max": "max"}
        if mode not in modes:
            raise CommandError(f"Invalid mode: Mode must be 0 (sum), 1 (mean), or 2 (max), got {mode}")
        if weight.dim() != 2:
            raise CommandError(f"Invalid weight: expected a 2-dimensional table (rows, size), got shape "
                               f"{tcl_list(list(weight.shape))}")
        for role, t in (("input", input), ("offsets", offsets)):
            if t.dtype not in (torch.int64, torch.int32):
                raise CommandError(f"Invalid {role}: expected an Int64 or Int32 tensor, got "
                                   f"{dtypes.DISPLAY[t.dtype]}; convert it with torch::tensor_to")
        if input.numel() and not 0 <= input.min().item() <= input.max().item() < weight.shape[0]:
            bad = input.min().item() if input.min().item() < 0 else input.max().item()
            raise CommandError(f"embedding_bag: index {bad} is out of range for {weight.shape[0]} embeddings "
                               f"(expected 0 .. {weight.shape[0] - 1})")
        return torch_call("embedding_bag", F.embedding_bag, input, weight, offsets, mode=modes[mode],
                          per_sample_weights=per_sample_weights)

    # ---- acting on a layer ----

    def conv2d_set_weights(self, layer, weight, bias):
        if not isinstance(layer, nn.Conv2d):
            raise CommandError("Layer is not a Conv2d layer")
        pairs = [("weight", layer.weight, weight)]
        if bias is not None:
            if layer.bias is None:
                raise CommandError("Invalid bias: the layer has no bias (it was made with -bias 0)")
            pairs.append(("bias", layer.bias, bias))
        for role, mine, given in pairs:
            if given.shape != mine.shape:
                raise CommandError(f"Invalid {role}: expected shape {tcl_list(list(mine.shape))} (the layer's), "
                                   f"got {tcl_list(list(given.shape))}")
        with torch.no_grad():
            for _, mine, given in pairs:
                mine.copy_(given)
        return "OK"

    def layer_forward(self, layer, inputs):
        xs = [self._layers_tensor("input", name) for name in inputs]
        required, optional = _inputs(layer)
        if len(xs) == 1 and isinstance(layer, torch.nn.MultiheadAttention):
            xs *= len(required)  # one input: self-attention, query = key = value
        if not len(required) <= len(xs) <= len(required) + len(optional):
            takes = " ".join(required) + "".join(f" ?{name}?" for name in optional)
            raise CommandError(f"layer_forward: a {type(layer).__name__} layer takes {takes}, "
                               f"got {len(xs)} input tensor{'s' if len(xs) != 1 else ''}")
        try:
            result = layer(*xs)
        except (RuntimeError, ValueError, IndexError, TypeError, AssertionError) as exc:
            raise CommandError(f"layer_forward: {first_line(exc)}") from None
        # Recurrent and attention layers return (output, state): the output, as the
        # extension's layer_forward returns one tensor.
        while isinstance(result, (tuple, list)) and result:
            result = result[0]
        if not isinstance(result, torch.Tensor):
            raise CommandError(f"layer_forward: a {type(layer).__name__} layer does not return a tensor")
        return result

    def layer_parameters(self, layer):
        return list(layer.parameters())  # the layer's own tensors: optimizers update the layer

    def layer_to(self, layer, device):
        self._layers_named(layer, "-layer", "Invalid layer name").to(device)
        return layer

    def layer_cpu(self, layer):
        return self.layer_to(layer, self.device("cpu"))

    def layer_cuda(self, layer):
        self._layers_named(layer, "-layer", "Invalid layer name")
        return self.layer_to(layer, self.device("cuda"))

    def layer_device(self, layer):
        module = self._layers_named(layer, "-layer", "Invalid layer name")
        for tensor in (*module.parameters(), *module.buffers()):
            return _device_name(tensor.device)
        return "cpu"

    def parameters_to(self, parameters, device):
        tensors = []
        for name in parameters:
            tensor = self.tensors.find(name)
            if tensor is None:
                raise CommandError(f"Invalid parameter tensor: {name}")
            tensors.append(tensor)
        with torch.no_grad():
            for tensor in tensors:  # in place: the handle, a layer and an optimizer keep it
                tensor.data = tensor.data.to(device)
                if tensor.grad is not None:
                    tensor.grad = tensor.grad.to(device)
        return "ok"

    def model_train(self, model):
        self._layers_named(model, "-model", "Invalid model name").train()
        return model

    def model_eval(self, model):
        self._layers_named(model, "-model", "Invalid model name").eval()
        return model

    def trainable(self, trainable, model):
        """freeze_model (trainable False) and unfreeze_model (True)."""
        for parameter in self._layers_named(model, "-model", "Model not found").parameters():
            parameter.requires_grad_(trainable)
        return "Model parameters unfrozen" if trainable else "Model parameters frozen"

    def count_parameters(self, model):
        return sum(p.numel() for p in self._layers_named(model, "-model", "Model not found").parameters())

    def model_summary(self, model):
        parameters = list(self._layers_named(model, "-model", "Model not found").parameters())
        total = sum(p.numel() for p in parameters)
        trainable = sum(p.numel() for p in parameters if p.requires_grad)
        return (f"Model Summary:\nTotal parameters: {total}\nTrainable parameters: {trainable}\n"
                f"Non-trainable parameters: {total - trainable}")


# ---- the declarations ----

def _bool(name, default, doc, *snake):
    return Param(name, "bool", default, doc, named=(f"-{name}", *snake))


EPS = Param("eps", "double", 1e-5, "Added to the variance for numerical stability")
MOMENTUM = Param("momentum", "double", 0.1, "Weight of the newest batch in the running statistics")
AFFINE = _bool("affine", 1, "Learnable scale and shift per feature")
TRACK = _bool("trackRunningStats", 1, "Keep running mean and variance for evaluation mode", "-track_running_stats")
NORM_INPUT = Param("tensor", "tensor", doc="Handle of the input tensor (N, C, ...)", named=("-input", "-tensor"))
FUNCTIONAL_NORM = (
    Param("eps", "double", 1e-5, "Added to the variance for numerical stability", named=("-eps", "-epsilon")),
    Param("momentum", "double", 0.1, "Accepted (a fresh layer: no running statistics are kept)"),
    _bool("affine", 1, "Accepted (a fresh layer's scale and shift are 1 and 0: no change)"),
    _bool("trackRunningStats", 1, "Accepted (a fresh layer in training mode uses the input's statistics)",
          "-track_running_stats"))
LAYER = Param("layer", "layer", doc="Layer handle")
LAYER_NAME = Param("layer", "text", doc="Layer handle", named=("-layer", "-input"))
MODEL = Param("model", "text", doc="Layer (model) handle")
C = LayersCommands


def _convolution(name, camel, n, function, transposed=False, aliases=()):
    more = ((Param("output_padding", "dims", 0, "Extra size added to one side of the output",
                   named=("-output_padding", "-outputPadding")),
             Param("groups", "int", 1, "Blocked connections from input to output channels"),
             Param("dilation", "dims", 1, "Spacing between kernel elements")) if transposed else
            (Param("dilation", "dims", 1, "Spacing between kernel elements"),
             Param("groups", "int", 1, "Blocked connections from input to output channels")))
    kind = "transposed " if transposed else ""
    shape = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}[n]
    return Command(name, camel, LAYERS, f"{n}D {kind}convolution of an input {shape} with the given weight", (
        Param("input", "tensor", doc=f"Handle of the input tensor {shape}", unknown="Invalid input tensor name"),
        Param("weight", "tensor", doc="Handle of the weight tensor " + ("(C_in, C_out/groups, k...)" if transposed
                                                                         else "(C_out, C_in/groups, k...)"),
              unknown="Invalid weight tensor name"),
        Param("bias", "text", None, "Handle of the bias (C_out); none or not given: no bias"),
        Param("stride", "dims", 1, f"Stride: an integer or a list of {n}"),
        Param("padding", "dims", 0, f"Zero padding on each side: an integer or a list of {n}"),
        *more), engine=C.conv_transpose if transposed else C.conv, fixed=(name, function, n), aliases=aliases)


def _instance_norm(name, camel, alias, n):
    return Command(name, camel, LAYERS,
                   f"Instance normalization of a {n + 2}D input: each sample and channel to mean 0, variance 1",
                   (NORM_INPUT, *FUNCTIONAL_NORM), engine=C.instance_norm, fixed=(name, n), aliases=(alias,))


def _batch_norm_layer(name, camel, n, make, aliases):
    return Command(name, camel, LAYERS,
                   f"A {n}D batch normalization layer (nn.BatchNorm{n}d)", (
                       Param("numFeatures", "int", doc="Features (channels) C of the input",
                             named=("-numFeatures", "-num_features")),
                       EPS, MOMENTUM, AFFINE, TRACK), engine=C.batch_norm, fixed=(make,), aliases=aliases)


def _on_model(name, camel, summary, engine, param=MODEL, fixed=()):
    return Command(name, camel, LAYERS, summary, (param,), engine=engine, fixed=fixed)


COMMANDS = (
    Command("linear", "linear", LAYERS, "A fully connected layer y = x W^T + b (nn.Linear)", (
        Param("inFeatures", "int", doc="Size of each input sample", named=("-inFeatures", "-in_features")),
        Param("outFeatures", "int", doc="Size of each output sample", named=("-outFeatures", "-out_features")),
        Param("bias", "bool", 1, "Whether the layer learns an additive bias")), engine=C.linear,
        aliases=("linearLayer",)),
    Command("conv2d", "conv2d", LAYERS, "A 2D convolution layer (nn.Conv2d)", (
        Param("inChannels", "int", doc="Channels of the input", named=("-inChannels", "-in_channels")),
        Param("outChannels", "int", doc="Channels of the output", named=("-outChannels", "-out_channels")),
        Param("kernelSize", "dims", doc="Kernel size: an integer or a list of 2",
              named=("-kernelSize", "-kernel_size")),
        Param("stride", "dims", 1, "Stride: an integer or a list of 2"),
        Param("padding", "dims", 0, "Zero padding on each side: an integer or a list of 2"),
        Param("bias", "bool", 1, "Whether the layer learns an additive bias")), engine=C.conv2d,
        aliases=("conv2dLayer",)),
    _batch_norm_layer("batch_norm1d", "batchNorm1D", 1, nn.BatchNorm1d, ("batchNorm1d", "batch_norm_1d")),
    _batch_norm_layer("batch_norm2d", "batchNorm2D", 2, nn.BatchNorm2d, ("batchNorm2d", "batchnorm2d")),
    Command("layer_norm", "layerNorm", LAYERS, "A layer normalization layer over the last dimensions (nn.LayerNorm)", (
        Param("normalizedShape", "ints", doc="The last dimensions to normalize over: an integer or a list",
              named=("-normalizedShape", "-normalized_shape")),
        EPS), engine=C.layer_norm),
    Command("group_norm", "groupNorm", LAYERS, "A group normalization layer (nn.GroupNorm)", (
        Param("numGroups", "int", doc="Groups the channels are divided into", named=("-numGroups", "-num_groups")),
        Param("numChannels", "int", doc="Channels of the input (a multiple of numGroups)",
              named=("-numChannels", "-num_channels")),
        EPS), engine=C.group_norm),
    Command("dropout", "dropout", LAYERS, "A dropout layer (nn.Dropout): zeroes elements with probability p", (
        Param("p", "double", 0.5, "Probability of an element to be zeroed (0 .. 1)"),
        Param("training", "bool", 1, "Start in training mode (0: evaluation mode, the identity)"),
        Param("inplace", "bool", 0, "Zero the input's elements in place")), engine=C.dropout),
    Command("sequential", "sequential", LAYERS, "A container calling its layers in order (nn.Sequential)", (
        Param("modules", "text", "", "List of layer handles, in order"),), engine=C.sequential),
    _convolution("conv1d", "conv1d", 1, F.conv1d),
    _convolution("conv3d", "conv3d", 3, F.conv3d),
    _convolution("conv_transpose1d", "convTranspose1D", 1, F.conv_transpose1d, True, ("convTranspose1d",)),
    _convolution("conv_transpose_2d", "convTranspose2D", 2, F.conv_transpose2d, True, ("convTranspose2d",)),
    _convolution("conv_transpose3d", "convTranspose3D", 3, F.conv_transpose3d, True, ("convTranspose3d",)),
    Command("batch_norm3d", "batchNorm3D", LAYERS,
            "Batch normalization of a 5D input with the batch's statistics (each channel to mean 0, variance 1)",
            (NORM_INPUT, *FUNCTIONAL_NORM), engine=C.batch_norm3d, aliases=("batchNorm3d",)),
    _instance_norm("instance_norm1d", "instanceNorm1D", "instanceNorm1d", 1),
    _instance_norm("instance_norm2d", "instanceNorm2D", "instanceNorm2d", 2),
    _instance_norm("instance_norm3d", "instanceNorm3D", "instanceNorm3d", 3),
    Command("rms_norm", "rmsNorm", LAYERS, "Root-mean-square normalization over the last dimensions", (
        Param("tensor", "tensor", doc="Handle of the input tensor", named=("-input", "-tensor")),
        Param("normalizedShape", "ints", doc="The last dimensions to normalize over: an integer or a list",
              named=("-normalizedShape", "-normalized_shape")),
        Param("eps", "double", 1e-5, "Added to the mean square for numerical stability")), engine=C.rms_norm),
    Command("spectral_norm", "spectralNorm", LAYERS, "A weight divided by its largest singular value", (
        Param("tensor", "tensor", doc="Handle of the weight (at least 2D; rows: dimension 0)", named=("-input",)),
        Param("nPowerIterations", "int", 1, "Accepted (positive); the singular value is computed exactly",
              named=("-nPowerIterations", "-n_power_iterations"))), engine=C.spectral_norm),
    Command("weight_norm", "weightNorm", LAYERS, "A weight's direction v / ||v||, one norm per slice along dim", (
        Param("tensor", "tensor", doc="Handle of the weight", named=("-input", "-tensor")),
        Param("dim", "int", 0, "The dimension kept: one norm per index along it")), engine=C.weight_norm),
    Command("embedding", "embedding", LAYERS, "Rows of a fresh N(0, 1) embedding table for the given indices", (
        Param("tensor", "tensor", doc="Handle of an Int64 or Int32 tensor of indices", named=("-input", "-tensor")),
        Param("num_embeddings", "int", doc="Rows of the table", named=("-num_embeddings", "-numEmbeddings")),
        Param("embedding_dim", "int", doc="Size of each row", named=("-embedding_dim", "-embeddingDim")),
        Param("padding_idx", "int", None, "Row that is all zeros; none when not given",
              named=("-padding_idx", "-paddingIdx"))), engine=C.embedding, aliases=("Embedding",)),
    Command("embedding_bag", "embeddingBag", LAYERS, "Sums, means or maxima of bags of embedding rows", (
        Param("input", "tensor", doc="Handle of an Int64 or Int32 tensor of indices (1D, all bags in a row)",
              unknown="Invalid input tensor name"),
        Param("weight", "tensor", doc="Handle of the embedding table (rows, size)",
              unknown="Invalid weight tensor name"),
        Param("offsets", "tensor", doc="Handle of an Int64 or Int32 tensor: where each bag starts in input",
              unknown="Invalid offsets tensor name"),
        Param("mode", "text", 0, "0 or sum, 1 or mean, 2 or max", required_positionally=True),
        Param("per_sample_weights", "optional_tensor", None, "Handle of one weight per index (mode sum only)",
              named=("-per_sample_weights", "-perSampleWeights"), unknown="Invalid per_sample_weights tensor name")),
        engine=C.embedding_bag),
    Command("conv2d_set_weights", "conv2dSetWeights", LAYERS, "Copy a weight (and bias) into a conv2d layer", (
        LAYER, Param("weight", "tensor", doc="Handle of the weight, the layer's shape (C_out, C_in, kH, kW)",
                     unknown="Invalid weight tensor name"),
        Param("bias", "optional_tensor", None, "Handle of the bias (C_out); the layer's is kept when not given",
              unknown="Invalid bias tensor name")),
        engine=C.conv2d_set_weights),
    Command("layer_forward", "layerForward", LAYERS, "A layer's forward pass on a tensor: the output tensor", (
        LAYER, Param("input", "handles", doc="Handle of the input tensor; more for a layer that takes several "
                     "(a transformer decoder: tgt memory; attention: query key value, or one for self-attention)",
                     rest=True, arg="inputs")), engine=C.layer_forward),
    Command("layer_parameters", "layerParameters", LAYERS,
            "A layer's parameters as tensor handles (the layer's own tensors)", (LAYER,), engine=C.layer_parameters),
    Command("layer_to", "layerTo", LAYERS, "Move a layer's parameters and buffers to a device: the layer handle", (
        Param("layer", "text", doc="Layer handle"),
        Param("device", "device", doc="Device: cpu, cuda or cuda:<index>")), engine=C.layer_to),
    _on_model("layer_cpu", "layerCpu", "Move a layer to the CPU: the layer handle", C.layer_cpu, LAYER_NAME),
    _on_model("layer_cuda", "layerCuda", "Move a layer to this rank's GPU: the layer handle", C.layer_cuda,
              LAYER_NAME),
    _on_model("layer_device", "layerDevice", "The device of a layer's parameters: cpu or cuda:<index>",
              C.layer_device, LAYER_NAME),
    Command("parameters_to", "parametersTo", LAYERS, "Move tensors (a layer's parameters) to a device, in place", (
        Param("parameters", "handles", doc="List of tensor handles (e.g. from layer_parameters)",
              named=("-parameters", "-params")),
        Param("device", "device", "cpu", "Device: cpu, cuda or cuda:<index>")), engine=C.parameters_to),
    _on_model("model_train", "modelTrain", "Put a layer in training mode: the layer handle", C.model_train),
    _on_model("model_eval", "modelEval", "Put a layer in evaluation mode: the layer handle", C.model_eval),
    _on_model("freeze_model", "freezeModel", "Stop gradients for all of a layer's parameters", C.trainable,
              fixed=(False,)),
    _on_model("unfreeze_model", "unfreezeModel", "Let all of a layer's parameters take gradients again",
              C.trainable, fixed=(True,)),
    _on_model("count_parameters", "countParameters", "The number of elements in a layer's parameters",
              C.count_parameters),
    _on_model("model_summary", "modelSummary", "A text with a layer's total, trainable and frozen parameter counts",
              C.model_summary),
)
