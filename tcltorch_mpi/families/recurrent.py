"""Recurrent and attention layers: lstm, gru, rnn_tanh and rnn_relu make torch.nn modules
(layer handles lstm0, gru1, rnn2); multihead_attention and the transformer commands
compute on the tensors they are given, as the extension's do, or, given none, make the
torch.nn module (a layer handle)."""

import warnings
from functools import partial

import torch.nn.functional as F
from torch import nn

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import LAYERS
from ..spec import Command, Param
from ..tensor_commands import torch_call


# ---- lstm, gru, rnn_tanh, rnn_relu ------------------------------------------------

RECURRENT = (
    Param("input_size", "int", doc="Features per time step of the input", named=("-inputSize", "-input_size")),
    Param("hidden_size", "int", doc="Features of the hidden state", named=("-hiddenSize", "-hidden_size")),
    Param("num_layers", "int", 1, "Recurrent layers stacked", named=("-numLayers", "-num_layers")),
    Param("bias", "bool", 1, "Whether the layers have bias weights"),
    Param("batch_first", "bool", 0,
          "Whether input and output are (batch, seq, feature) instead of (seq, batch, feature)",
          named=("-batchFirst", "-batch_first")),
    Param("dropout", "double", 0.0, "Dropout probability on the outputs of each layer but the last"),
    Param("bidirectional", "bool", 0, "Whether each layer also runs backwards in time"),
)


# ---- multihead_attention and the transformers -------------------------------------

def _heads_divide(d_model, nhead, names=("d_model", "nhead")):
    # torch only asserts this (an AssertionError): said here as the user's error.
    if d_model % nhead:
        raise CommandError(f"Invalid {names[1]}: {names[0]} ({d_model}) must be divisible by {names[1]} ({nhead})")


def _floating(name, what, tensor):
    if not tensor.is_floating_point():
        raise CommandError(f"{name}: {what} must be a floating-point tensor, got {dtypes.DISPLAY[tensor.dtype]}")


def _sequence(name, what, tensor, d_model):
    """A transformer's input as torch takes it: (seq, d_model) or (seq, batch, d_model);
    a 1-D tensor is one token (the extension's tests pass one). Returns it and whether
    it was 1-D."""
    _floating(name, what, tensor)
    if not 1 <= tensor.dim() <= 3:
        raise CommandError(f"{name}: {what} must have 1 to 3 dimensions (seq, batch, d_model), "
                           f"got {tensor.dim()}")
    if tensor.shape[-1] != d_model:
        raise CommandError(f"{name}: {what}'s last dimension ({tensor.shape[-1]}) must be d_model ({d_model})")
    return (tensor.unsqueeze(0), True) if tensor.dim() == 1 else (tensor, False)


def _applied(name, module, first, *others):
    """A freshly made module (its weights drawn from torch's generator) applied to the
    inputs, in training mode, in their dtype and on their device."""
    module = module.to(device=first.device, dtype=first.dtype)
    return torch_call(name, module, first, *others)


def _given(names, tensors):
    """True if all the tensors are given, False if none: the module is asked for."""
    missing = [name for name, tensor in zip(names, tensors) if tensor is None]
    if missing and len(missing) < len(names):
        raise CommandError(f"Required parameters missing: -{missing[0]} ({', '.join(names)} are given together, "
                           "or none for the layer itself)")
    return not missing


ENCODER_INVALID = ("Invalid parameters: src tensor must be defined, dModel, nhead, dimFeedforward, "
                   "and dropout must be valid")
DECODER_LAYER_INVALID = ("Invalid parameters: all tensors must be defined, dModel, nhead, dimFeedforward "
                         "must be positive, dropout must be in range [0,1]")
ENCODER_STACK_INVALID = ("Invalid parameters: src tensor must be defined, dModel, nhead, numLayers, "
                         "and dimFeedforward must be positive")
DECODER_STACK_INVALID = ("Invalid parameters: all tensors must be defined, dModel, nhead, numLayers, "
                         "and dimFeedforward must be positive")


def _check(message, *positive, dropout=0.0):
    if any(value <= 0 for value in positive) or not 0.0 <= dropout <= 1.0:
        raise CommandError(message)


class RecurrentCommands:
    def recurrent(self, make, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional):
        """lstm, gru, rnn_tanh and rnn_relu: each fixes the module it makes in its declaration
        (Command.fixed; the RNNs' with their nonlinearity)."""
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size), ("num_layers", num_layers)):
            if value <= 0:
                raise CommandError(f"Required parameters missing or invalid: {name} must be > 0, got {value}")
        if not 0.0 <= dropout <= 1.0:
            raise CommandError(f"Required parameters missing or invalid: dropout must be in 0 .. 1, got {dropout}")
        with warnings.catch_warnings():
            # torch warns that dropout acts between layers only (none with one layer): documented.
            warnings.simplefilter("ignore", UserWarning)
            return make(input_size, hidden_size, num_layers, bias=bias, batch_first=batch_first, dropout=dropout,
                        bidirectional=bidirectional)

    def multihead_attention(self, query, key, value, embed_dim, num_heads):
        name = "multihead_attention"
        for what, size in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if size <= 0:
                raise CommandError(f"Required parameters missing or invalid: {what} must be > 0, got {size}")
        _heads_divide(embed_dim, num_heads, ("embed_dim", "num_heads"))
        if not _given(("query", "key", "value"), (query, key, value)):
            return nn.MultiheadAttention(embed_dim, num_heads)
        # The extension's attention has no learned projections: the heads are slices of
        # the embedding, each attending over the sequence (dimension 0).
        for what, tensor in (("query", query), ("key", key), ("value", value)):
            _floating(name, what, tensor)
            if tensor.dim() not in (2, 3) or tensor.dim() != query.dim():
                raise CommandError(f"{name}: query, key and value must all be (seq, batch, embed_dim) "
                                   f"or all (seq, embed_dim), got {what} of {tensor.dim()} dimensions")
            if tensor.shape[-1] != embed_dim:
                raise CommandError(f"{name}: {what}'s last dimension ({tensor.shape[-1]}) must be "
                                   f"embed_dim ({embed_dim})")
        if key.shape != value.shape:
            raise CommandError(f"{name}: key and value must have the same shape, got "
                               f"{tcl_list(list(key.shape))} and {tcl_list(list(value.shape))}")
        if query.dim() == 3 and query.shape[1] != key.shape[1]:
            raise CommandError(f"{name}: query's batch size ({query.shape[1]}) and key's ({key.shape[1]}) differ")
        unbatched = query.dim() == 2

        def heads(x):  # (seq, batch, embed) -> (batch, heads, seq, head_dim)
            x = x.unsqueeze(1) if unbatched else x
            return x.reshape(x.shape[0], x.shape[1], num_heads, embed_dim // num_heads).permute(1, 2, 0, 3)

        def compute():
            out = F.scaled_dot_product_attention(heads(query), heads(key), heads(value))
            out = out.permute(2, 0, 1, 3).reshape(out.shape[2], out.shape[0], embed_dim)
            return out.squeeze(1) if unbatched else out
        return torch_call(name, compute)

    def transformer_encoder_layer(self, src, d_model, nhead, dim_feedforward, dropout):
        _check(ENCODER_INVALID, d_model, nhead, dim_feedforward, dropout=dropout)
        _heads_divide(d_model, nhead)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout)
        if src is None:
            return layer
        x, one = _sequence("transformer_encoder_layer", "src", src, d_model)
        out = _applied("transformer_encoder_layer", layer, x)
        return out.squeeze(0) if one else out

    def transformer_decoder_layer(self, tgt, memory, d_model, nhead, dim_feedforward, dropout):
        _check(DECODER_LAYER_INVALID, d_model, nhead, dim_feedforward, dropout=dropout)
        _heads_divide(d_model, nhead)
        layer = nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout)
        if not _given(("tgt", "memory"), (tgt, memory)):
            return layer
        return self._decoded("transformer_decoder_layer", layer, tgt, memory, d_model)

    def transformer_encoder(self, src, d_model, nhead, num_layers, dim_feedforward, dropout):
        _check(ENCODER_STACK_INVALID, d_model, nhead, num_layers, dim_feedforward, dropout=dropout)
        _heads_divide(d_model, nhead)
        # enable_nested_tensor needs batch_first layers; off, so that torch does not warn.
        encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout),
                                        num_layers, enable_nested_tensor=False)
        if src is None:
            return encoder
        x, one = _sequence("transformer_encoder", "src", src, d_model)
        out = _applied("transformer_encoder", encoder, x)
        return out.squeeze(0) if one else out

    def transformer_decoder(self, tgt, memory, d_model, nhead, num_layers, dim_feedforward, dropout):
        _check(DECODER_STACK_INVALID, d_model, nhead, num_layers, dim_feedforward, dropout=dropout)
        _heads_divide(d_model, nhead)
        decoder = nn.TransformerDecoder(nn.TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout),
                                        num_layers)
        if not _given(("tgt", "memory"), (tgt, memory)):
            return decoder
        return self._decoded("transformer_decoder", decoder, tgt, memory, d_model)

    def _decoded(self, name, module, tgt, memory, d_model):
        t, one = _sequence(name, "tgt", tgt, d_model)
        m, _ = _sequence(name, "memory", memory, d_model)
        if t.dim() != m.dim():
            raise CommandError(f"{name}: tgt and memory must both be batched (seq, batch, d_model) "
                               "or both not (seq, d_model)")
        if t.dim() == 3 and t.shape[1] != m.shape[1]:
            raise CommandError(f"{name}: tgt's batch size ({t.shape[1]}) and memory's ({m.shape[1]}) differ")
        out = _applied(name, module, t, m.to(t.dtype))
        return out.squeeze(0) if one else out


def _t(name, doc):
    # Given by position always; by name, leaving it out asks for the module itself.
    return Param(name, "optional_tensor", None, doc, required_positionally=True)


D_MODEL = Param("d_model", "int", doc="Features per token (embedding size)", named=("-dModel", "-d_model"))
NHEAD = Param("nhead", "int", doc="Attention heads (must divide d_model)", named=("-nhead", "-nHead"))
FEEDFORWARD = Param("dim_feedforward", "int", 2048, "Width of the feed-forward network",
                    named=("-dimFeedforward", "-dim_feedforward"), required_positionally=True)
LAYER_DROPOUT = Param("dropout", "double", 0.1, "Dropout probability (0 .. 1)", required_positionally=True)
# The extension's stacks take no dropout (and apply none): an option here, 0 by default.
STACK_DROPOUT = Param("dropout", "double", 0.0, "Dropout probability (0 .. 1) in every layer", named_only=True)
STACK_LAYERS = Param("num_layers", "int", doc="Layers stacked", named=("-numLayers", "-num_layers"))
SRC = _t("src", "Handle of the source sequence (seq, d_model) or (seq, batch, d_model); "
                "not given (by name): the layer itself")
TGT = _t("tgt", "Handle of the target sequence; not given (by name) with memory: the layer itself")
MEMORY = _t("memory", "Handle of the encoder's output sequence")

C = RecurrentCommands


def _rnn(name, camel, summary, make, aliases=()):
    return Command(name, camel, LAYERS, summary, RECURRENT, engine=C.recurrent, fixed=(make,), aliases=aliases)


COMMANDS = (
    _rnn("lstm", "lstm", "A long short-term memory (LSTM) layer: torch.nn.LSTM", nn.LSTM),
    _rnn("gru", "gru", "A gated recurrent unit (GRU) layer: torch.nn.GRU", nn.GRU, aliases=("Gru",)),
    _rnn("rnn_tanh", "rnnTanh", "An Elman RNN layer with tanh: torch.nn.RNN", partial(nn.RNN, nonlinearity="tanh")),
    _rnn("rnn_relu", "rnnRelu", "An Elman RNN layer with ReLU: torch.nn.RNN(nonlinearity=relu)",
         partial(nn.RNN, nonlinearity="relu")),
    Command("multihead_attention", "multiheadAttention", LAYERS,
            "Multi-head scaled dot-product attention of query, key and value (or the torch.nn layer)",
            (_t("query", "Handle of the queries (seq, batch, embed_dim) or (seq, embed_dim); "
                         "none of query, key, value given (by name): the layer itself"),
             _t("key", "Handle of the keys (seq_k, batch, embed_dim)"),
             _t("value", "Handle of the values (seq_k, batch, embed_dim)"),
             Param("embed_dim", "int", doc="Embedding size (the last dimension)", named=("-embedDim", "-embed_dim")),
             Param("num_heads", "int", doc="Heads (must divide embed_dim)", named=("-numHeads", "-num_heads"))),
            engine=C.multihead_attention),
    Command("transformer_encoder_layer", "transformerEncoderLayer", LAYERS,
            "A transformer encoder layer applied to src (or the torch.nn layer)",
            (SRC, D_MODEL, NHEAD, FEEDFORWARD, LAYER_DROPOUT), engine=C.transformer_encoder_layer),
    Command("transformer_decoder_layer", "transformerDecoderLayer", LAYERS,
            "A transformer decoder layer applied to tgt and memory (or the torch.nn layer)",
            (TGT, MEMORY, D_MODEL, NHEAD, FEEDFORWARD, LAYER_DROPOUT), engine=C.transformer_decoder_layer),
    Command("transformer_encoder", "transformerEncoder", LAYERS,
            "A stack of transformer encoder layers applied to src (or the torch.nn module)",
            (SRC, D_MODEL, NHEAD, STACK_LAYERS, FEEDFORWARD, STACK_DROPOUT), engine=C.transformer_encoder),
    Command("transformer_decoder", "transformerDecoder", LAYERS,
            "A stack of transformer decoder layers applied to tgt and memory (or the torch.nn module)",
            (TGT, MEMORY, D_MODEL, NHEAD, STACK_LAYERS, FEEDFORWARD, STACK_DROPOUT), engine=C.transformer_decoder),
)
