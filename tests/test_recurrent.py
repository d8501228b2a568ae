"""Recurrent and attention layers (lstm, gru, rnn_tanh, rnn_relu, multihead_attention,
transformer_encoder_layer, transformer_decoder_layer, transformer_encoder,
transformer_decoder): the modules and results against torch called directly after the
same torch.manual_seed, every form of call, bad input as clear errors."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from tests.tclsession import same_state, torch_of

FLOATS = ["float32", "float64"]
RNG = np.random.default_rng(7)


def layer(tcl, handle):
    return tcl.engine.layer(handle)


def close(tcl, handle, expected, dtype):
    assert tcl.eval(f"torch::tensor_shape {handle}") == " ".join(map(str, expected.shape))
    np.testing.assert_allclose(tcl.read(handle, dtype), expected.detach().numpy(), rtol=1e-5, atol=1e-6)


# ---- lstm, gru, rnn_tanh, rnn_relu ----

RECURRENT = [
    ("lstm", "lstm", nn.LSTM, {}),
    ("gru", "gru", nn.GRU, {}),
    ("rnn_tanh", "rnnTanh", nn.RNN, {"nonlinearity": "tanh"}),
    ("rnn_relu", "rnnRelu", nn.RNN, {"nonlinearity": "relu"}),
]
PREFIX = {"lstm": "lstm", "gru": "gru", "rnn_tanh": "rnn", "rnn_relu": "rnn"}


@pytest.mark.parametrize("name, camel, cls, extra", RECURRENT)
@pytest.mark.parametrize("form", ["positional", "snake", "camel", "camel_command"])
def test_recurrent_layers_are_torchs_modules(tcl, name, camel, cls, extra, form):
    settings = dict(num_layers=2, bias=False, batch_first=True, dropout=0.0, bidirectional=True)
    call = {
        "positional": f"torch::{name} 3 5 2 false true 0.0 true",
        "snake": f"torch::{name} -input_size 3 -hidden_size 5 -num_layers 2 -bias 0 -batch_first 1 "
                 "-bidirectional yes",
        "camel": f"torch::{name} -bidirectional true -inputSize 3 -batchFirst true -hiddenSize 5 -numLayers 2 "
                 "-bias false -dropout 0",
        "camel_command": f"torch::{camel} 3 5 2 0 1 0 1",
    }[form]
    torch.manual_seed(11)
    tcl.eval("torch::manual_seed 11")
    handle = tcl.eval(call)
    assert handle.startswith(PREFIX[name]) and handle[len(PREFIX[name]):].isdigit()
    torch.manual_seed(11)
    expected = cls(3, 5, **settings, **extra)
    ours = layer(tcl, handle)
    assert type(ours) is cls and ours.training
    assert (ours.input_size, ours.hidden_size, ours.num_layers, ours.bias, ours.batch_first, ours.dropout,
            ours.bidirectional) == (3, 5, 2, False, True, 0.0, True)
    assert getattr(ours, "nonlinearity", None) == extra.get("nonlinearity")
    same_state(ours, expected)
    x = torch.randn(2, 4, 3)
    out, expected_out = ours(x), expected(x)
    torch.testing.assert_close(out[0], expected_out[0])


@pytest.mark.parametrize("name, camel, cls, extra", RECURRENT)
def test_recurrent_defaults_are_the_extensions(tcl, name, camel, cls, extra):
    ours = layer(tcl, tcl.eval(f"torch::{name} 4 6"))
    assert (ours.num_layers, ours.bias, ours.batch_first, ours.dropout, ours.bidirectional) == (1, True, False, 0.0,
                                                                                               False)
    ours = layer(tcl, tcl.eval(f"torch::{name} -input_size 4 -hidden_size 6 -dropout 0.25 -num_layers 3"))
    assert (ours.input_size, ours.hidden_size, ours.num_layers, ours.dropout) == (4, 6, 3, 0.25)
    # dropout 1 is allowed (torch's range is 0 .. 1), with one layer too (no warning shown)
    assert layer(tcl, tcl.eval(f"torch::{name} -inputSize 4 -hiddenSize 6 -dropout 1.0")).dropout == 1.0


def test_gru_has_its_older_spelling(tcl):
    assert isinstance(layer(tcl, tcl.eval("torch::Gru 2 3")), nn.GRU)


RECURRENT_ERRORS = [
    ("{name} 10", "Wrong number of arguments (wrong # args). Usage: torch::{name} input_size hidden_size ?num_layers?"),
    ("{name} 1 2 1 1 0 0.0 0 extra", "Wrong number of arguments (wrong # args). Usage: torch::{name}"),
    ("{name}", "Wrong number of arguments (wrong # args). Usage: torch::{name}"),
    ("{name} -inputSize 10", "Required parameters missing: -hiddenSize"),
    ("{name} -hidden_size 10", "Required parameters missing: -inputSize"),
    ("{name} -inputSize 10 -hiddenSize 20 -invalid_param 5", "Unknown parameter: -invalid_param. Valid parameters:"),
    ("{name} -inputSize 10 -hiddenSize", "Missing value for parameter: -hiddenSize. Named parameters must come in pairs"),
    ("{name} -inputSize invalid -hiddenSize 20", 'Invalid input_size: expected integer, got "invalid"'),
    ("{name} 10 x", 'Invalid hidden_size: expected integer, got "x"'),
    ("{name} 10 20 -bias maybe", 'Invalid bias: expected boolean, got "maybe"'),
    ("{name} 10 20 -dropout high", 'Invalid dropout: expected number, got "high"'),
    ("{name} -inputSize -10 -hiddenSize 20", "Required parameters missing or invalid: input_size must be > 0, got -10"),
    ("{name} 10 0", "Required parameters missing or invalid: hidden_size must be > 0, got 0"),
    ("{name} 10 20 0", "Required parameters missing or invalid: num_layers must be > 0, got 0"),
    ("{name} 10 20 -dropout -0.1", "Required parameters missing or invalid: dropout must be in 0 .. 1, got -0.1"),
    ("{name} 10 20 -dropout 1.5", "Required parameters missing or invalid: dropout must be in 0 .. 1, got 1.5"),
]


@pytest.mark.parametrize("name", [r[0] for r in RECURRENT])
@pytest.mark.parametrize("call, message", RECURRENT_ERRORS)
def test_recurrent_bad_input_is_a_clear_error(tcl, name, call, message):
    assert tcl.error_detail("torch::" + call.format(name=name)).startswith(message.format(name=name))


# ---- multihead_attention ----

def attention_by_hand(q, k, v, heads):
    """softmax(q_h k_h^T / sqrt(d_h)) v_h over the sequence (dim 0), per batch and head."""
    seq, batch, embed = q.shape
    size = embed // heads
    out = torch.empty(seq, batch, embed, dtype=q.dtype)
    for b in range(batch):
        for h in range(heads):
            part = slice(h * size, (h + 1) * size)
            scores = q[:, b, part] @ k[:, b, part].T / math.sqrt(size)
            out[:, b, part] = torch.softmax(scores, -1) @ v[:, b, part]
    return out


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("heads", [1, 2, 4])
def test_multihead_attention_matches_attention_by_hand(tcl, dtype, heads):
    arrays = [RNG.standard_normal((4, 2, 8)), RNG.standard_normal((5, 2, 8)), RNG.standard_normal((5, 2, 8))]
    q, k, v = (tcl.create(a, dtype) for a in arrays)
    expected = attention_by_hand(*(torch_of(a, dtype) for a in arrays), heads)
    for call in (f"torch::multihead_attention {q} {k} {v} 8 {heads}",
                 f"torch::multihead_attention -query {q} -key {k} -value {v} -embedDim 8 -numHeads {heads}",
                 f"torch::multiheadAttention -numHeads {heads} -embedDim 8 -value {v} -key {k} -query {q}",
                 f"torch::multiheadAttention {q} {k} {v} -embed_dim 8 -num_heads {heads}"):
        result = tcl.eval(call)
        assert tcl.eval(f"torch::tensor_dtype {result}") == dtype.capitalize()
        close(tcl, result, expected, dtype)


def test_multihead_attention_of_unbatched_sequences(tcl):
    arrays = [RNG.standard_normal((3, 6)), RNG.standard_normal((4, 6)), RNG.standard_normal((4, 6))]
    q, k, v = (tcl.create(a, "float32") for a in arrays)
    expected = attention_by_hand(*(torch_of(a, "float32").unsqueeze(1) for a in arrays), 3).squeeze(1)
    close(tcl, tcl.eval(f"torch::multihead_attention {q} {k} {v} 6 3"), expected, "float32")


def test_multihead_attention_without_tensors_is_torchs_layer(tcl):
    torch.manual_seed(3)
    tcl.eval("torch::manual_seed 3")
    handle = tcl.eval("torch::multihead_attention -embedDim 8 -numHeads 2")
    assert handle.startswith("multiheadattention")
    torch.manual_seed(3)
    ours = layer(tcl, handle)
    assert isinstance(ours, nn.MultiheadAttention) and (ours.embed_dim, ours.num_heads) == (8, 2)
    same_state(ours, nn.MultiheadAttention(8, 2))


# ---- the transformers ----

def src_array(*shape):
    return RNG.standard_normal(shape)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(4,), (3, 4), (3, 2, 4)])
def test_transformer_encoder_layer_is_torchs_fresh_layer_applied(tcl, dtype, shape):
    array = src_array(*shape)
    src = tcl.create(array, dtype)
    x = torch_of(array, dtype)
    for seed, call in ((5, f"torch::transformer_encoder_layer {src} 4 2 8 0.1"),
                       (6, f"torch::transformerEncoderLayer -src {src} -dModel 4 -nhead 2 -dimFeedforward 8 "
                           "-dropout 0.1")):
        tcl.eval(f"torch::manual_seed {seed}")
        result = tcl.eval(call)
        torch.manual_seed(seed)
        module = nn.TransformerEncoderLayer(4, 2, 8, 0.1).to(x.dtype)
        expected = module(x.unsqueeze(0)).squeeze(0) if x.dim() == 1 else module(x)
        assert tcl.eval(f"torch::tensor_dtype {result}") == dtype.capitalize()
        close(tcl, result, expected, dtype)


@pytest.mark.parametrize("dtype", FLOATS)
def test_transformer_encoder_is_a_stack_without_dropout_by_default(tcl, dtype):
    array = src_array(5, 2, 6)
    src, x = tcl.create(array, dtype), torch_of(array, dtype)
    tcl.eval("torch::manual_seed 8")
    result = tcl.eval(f"torch::transformer_encoder {src} 6 3 2 12")
    torch.manual_seed(8)
    module = nn.TransformerEncoder(nn.TransformerEncoderLayer(6, 3, 12, 0.0), 2, enable_nested_tensor=False)
    close(tcl, result, module.to(x.dtype)(x), dtype)
    tcl.eval("torch::manual_seed 9")
    result = tcl.eval(f"torch::transformerEncoder -src {src} -numLayers 1 -nhead 2 -dModel 6 -dimFeedforward 4 "
                      "-dropout 0.5")
    torch.manual_seed(9)
    module = nn.TransformerEncoder(nn.TransformerEncoderLayer(6, 2, 4, 0.5), 1, enable_nested_tensor=False)
    close(tcl, result, module.to(x.dtype)(x), dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("batched", [False, True])
def test_transformer_decoders_are_torchs_fresh_modules_applied(tcl, dtype, batched):
    shape_t, shape_m = ((2, 3, 4), (5, 3, 4)) if batched else ((2, 4), (5, 4))
    t_array, m_array = src_array(*shape_t), src_array(*shape_m)
    tgt, memory = tcl.create(t_array, dtype), tcl.create(m_array, dtype)
    t, m = torch_of(t_array, dtype), torch_of(m_array, dtype)
    cases = [
        (f"torch::transformer_decoder_layer {tgt} {memory} 4 2 8 0.2",
         lambda: nn.TransformerDecoderLayer(4, 2, 8, 0.2)),
        (f"torch::transformerDecoderLayer -tgt {tgt} -memory {memory} -dModel 4 -nhead 1 -dimFeedforward 6 "
         "-dropout 0", lambda: nn.TransformerDecoderLayer(4, 1, 6, 0.0)),
        (f"torch::transformer_decoder {tgt} {memory} 4 2 3 8",
         lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8, 0.0), 3)),
        (f"torch::transformerDecoder -tgt {tgt} -memory {memory} -dModel 4 -nhead 4 -numLayers 1 "
         "-dimFeedforward 5 -dropout 0.3", lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 4, 5, 0.3), 1)),
    ]
    for seed, (call, make) in enumerate(cases):
        tcl.eval(f"torch::manual_seed {seed}")
        result = tcl.eval(call)
        torch.manual_seed(seed)
        close(tcl, result, make().to(t.dtype)(t, m), dtype)


MODULES = [
    ("transformer_encoder_layer -dModel 8 -nhead 2", "transformerencoderlayer",
     lambda: nn.TransformerEncoderLayer(8, 2)),
    ("transformerEncoderLayer -dModel 8 -nhead 2 -dimFeedforward 16 -dropout 0.2", "transformerencoderlayer",
     lambda: nn.TransformerEncoderLayer(8, 2, 16, 0.2)),
    ("transformer_decoder_layer -dModel 8 -nhead 4 -dimFeedforward 16", "transformerdecoderlayer",
     lambda: nn.TransformerDecoderLayer(8, 4, 16)),
    ("transformer_encoder -dModel 8 -nhead 2 -numLayers 2 -dimFeedforward 16", "transformerencoder",
     lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, 0.0), 2, enable_nested_tensor=False)),
    ("transformerDecoder -dModel 8 -nhead 2 -numLayers 3", "transformerdecoder",
     lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 2048, 0.0), 3)),
]


@pytest.mark.parametrize("call, prefix, make", MODULES)
def test_transformers_without_tensors_are_torchs_modules(tcl, call, prefix, make):
    tcl.eval("torch::manual_seed 4")
    handle = tcl.eval(f"torch::{call}")
    assert handle.startswith(prefix) and handle[len(prefix):].isdigit()
    torch.manual_seed(4)
    expected = make()
    ours = layer(tcl, handle)
    assert type(ours) is type(expected) and ours.training
    same_state(ours, expected)
    dropouts = [m.p for m in ours.modules() if isinstance(m, nn.Dropout)]
    assert dropouts == [m.p for m in expected.modules() if isinstance(m, nn.Dropout)]


ENCODER_INVALID = ("Invalid parameters: src tensor must be defined, dModel, nhead, dimFeedforward, "
                   "and dropout must be valid")
DECODER_LAYER_INVALID = ("Invalid parameters: all tensors must be defined, dModel, nhead, dimFeedforward "
                         "must be positive, dropout must be in range [0,1]")
ENCODER_STACK_INVALID = ("Invalid parameters: src tensor must be defined, dModel, nhead, numLayers, "
                         "and dimFeedforward must be positive")
DECODER_STACK_INVALID = ("Invalid parameters: all tensors must be defined, dModel, nhead, numLayers, "
                         "and dimFeedforward must be positive")

ERRORS = [
    ("multihead_attention $q $q", "Wrong number of arguments (wrong # args). Usage: torch::multihead_attention query key value "
                                  "embed_dim num_heads"),
    ("multihead_attention $q $q $q 0 2", "Required parameters missing or invalid: embed_dim must be > 0, got 0"),
    ("multihead_attention $q $q $q 8 -1", "Required parameters missing or invalid: num_heads must be > 0, got -1"),
    ("multihead_attention $q $q $q 8 3", "Invalid num_heads: embed_dim (8) must be divisible by num_heads (3)"),
    ("multihead_attention $q $q $q 4 2", "multihead_attention: query's last dimension (8) must be embed_dim (4)"),
    ("multihead_attention -query $q -key $q -embedDim 8 -numHeads 2", "Required parameters missing: -value"),
    ("multihead_attention -query $q -key $q -value $q -embedDim 8", "Required parameters missing: -numHeads"),
    ("multihead_attention -query $q -key $q -value $q -embedDim 8 -numHeads 2 -unknown_param 1",
     "Unknown parameter: -unknown_param"),
    ("multihead_attention $q $q nosuch 8 2", "Invalid tensor name: nosuch"),
    ("multihead_attention $i $i $i 8 2", "multihead_attention: query must be a floating-point tensor, got Int64"),
    ("multihead_attention $q $q $u 8 2", "multihead_attention: query, key and value must all be (seq, batch, "
                                         "embed_dim) or all (seq, embed_dim), got value of 2 dimensions"),
    ("multihead_attention $q $k $k 8 2", "multihead_attention: query's batch size (2) and key's (3) differ"),
    ("multihead_attention $q $q $k 8 2", "multihead_attention: key and value must have the same shape, got "
                                         "{4 2 8} and {4 3 8}"),
    ("transformer_decoder $q $k 8 2 1 8", "transformer_decoder: tgt's batch size (2) and memory's (3) differ"),
    ("transformer_encoder_layer $s 4 2", "Wrong number of arguments (wrong # args). Usage: torch::transformer_encoder_layer src "
                                         "d_model nhead dim_feedforward dropout"),
    ("transformer_encoder_layer $s 0 2 8 0.1", ENCODER_INVALID),
    ("transformer_encoder_layer $s 4 2 8 1.5", ENCODER_INVALID),
    ("transformer_encoder_layer $s 4 3 8 0.1", "Invalid nhead: d_model (4) must be divisible by nhead (3)"),
    ("transformer_encoder_layer $s 8 2 8 0.1", "transformer_encoder_layer: src's last dimension (4) must be "
                                               "d_model (8)"),
    ("transformer_encoder_layer $i 8 2 8 0.1", "transformer_encoder_layer: src must be a floating-point tensor, "
                                               "got Int64"),
    ("transformer_encoder_layer $z 4 2 8 0.1", "transformer_encoder_layer: src must have 1 to 3 dimensions"),
    ("transformer_encoder_layer -src $s -invalid 4", "Unknown parameter: -invalid"),
    ("transformer_encoder_layer -src $s -dModel", "Missing value for parameter: -dModel. Named parameters must come in pairs"),
    ("transformer_encoder_layer -src $s -dModel x -nhead 2", 'Invalid d_model: expected integer, got "x"'),
    ("transformer_encoder_layer 4 2 8 0.1 0.1", "Invalid tensor name: 4"),
    ("transformer_decoder_layer $t $t 2 1 4", "Wrong number of arguments (wrong # args). Usage: torch::transformer_decoder_layer "
                                              "tgt memory d_model nhead dim_feedforward dropout"),
    ("transformer_decoder_layer $t $t 2 -1 4 0.1", DECODER_LAYER_INVALID),
    ("transformer_decoder_layer $t $t 2 1 0 0.1", DECODER_LAYER_INVALID),
    ("transformer_decoder_layer $t $t 2 1 4 -0.1", DECODER_LAYER_INVALID),
    ("transformer_decoder_layer $t $t 4 2 8 0.2", "transformer_decoder_layer: tgt's last dimension (2) must be "
                                                  "d_model (4)"),
    ("transformer_decoder_layer $t $q 2 1 4 0.2", "transformer_decoder_layer: memory's last dimension (8)"),
    ("transformer_decoder_layer -tgt $t -dModel 2 -nhead 1", "Required parameters missing: -memory"),
    ("transformer_encoder $s 4 2", "Wrong number of arguments (wrong # args). Usage: torch::transformer_encoder src d_model "
                                   "nhead num_layers dim_feedforward"),
    ("transformer_encoder $s 0 2 2 8", ENCODER_STACK_INVALID),
    ("transformer_encoder $s 4 2 0 8", ENCODER_STACK_INVALID),
    ("transformer_encoder $s 4 2 2 8 -dropout 2", ENCODER_STACK_INVALID),
    ("transformer_encoder -src $s -dModel 4 -nhead 2", "Required parameters missing: -numLayers"),
    ("transformer_decoder $t $t 2 1 2", "Wrong number of arguments (wrong # args). Usage: torch::transformer_decoder tgt memory "
                                        "d_model nhead num_layers dim_feedforward"),
    ("transformer_decoder $t $t 0 1 2 4", DECODER_STACK_INVALID),
    ("transformer_decoder $t $t 2 1 2 -1", DECODER_STACK_INVALID),
    ("transformer_decoder $t $b 2 1 2 4", "transformer_decoder: tgt and memory must both be batched"),
    ("transformer_decoder -memory $t -dModel 2 -nhead 1 -numLayers 1", "Required parameters missing: -tgt"),
    ("transformer_decoder -tgt $t -memory $t -dModel 2 -nhead 1 -numLayers 2 -dimFeedforward 4 -unknown 5",
     "Unknown parameter: -unknown"),
]


@pytest.mark.parametrize("call, message", ERRORS)
def test_attention_and_transformer_bad_input_is_a_clear_error(tcl, call, message):
    tcl.eval("set q [torch::tensor_randn -shape {4 2 8}]; set k [torch::tensor_randn -shape {4 3 8}]; "
             "set u [torch::tensor_randn -shape {4 8}]; set i [torch::zeros {4 2 8} int64]; "
             "set s [torch::tensor_randn -shape {4}]; set z [torch::zeros {1 1 1 4}]; "
             "set t [torch::tensor_randn -shape {2 2}]; set b [torch::tensor_randn -shape {2 1 2}]")
    assert tcl.error_detail("torch::" + call).startswith(message)
