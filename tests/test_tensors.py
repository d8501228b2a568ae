"""The tensor core in one process: construction, dtypes, text round-trips, handles."""

import numpy as np
import pytest
import torch

from tests.tclsession import NUMPY

DTYPES = list(NUMPY)
DISPLAY = {"float32": "Float32", "float64": "Float64", "float16": "Float16", "bfloat16": "BFloat16",
           "int8": "Int8", "uint8": "UInt8", "int16": "Int16", "int32": "Int32", "int64": "Int64",
           "bool": "Bool", "complex64": "Complex64", "complex128": "Complex128"}


def test_spec_examples_verbatim(tcl):
    assert tcl.eval("torch::tensor_shape [torch::tensor_create {{1 2} {3 4}}]") == "2 2"
    t = tcl.eval("torch::tensor_create {1 2 3} int32")
    assert (tcl.eval(f"torch::tensor_shape {t}"), tcl.eval(f"torch::tensor_dtype {t}")) == ("3", "Int32")
    t = tcl.eval("torch::tensor_create {1 2 3} float32 cpu 0")
    assert (tcl.eval(f"torch::tensor_dtype {t}"), tcl.eval(f"torch::tensor_device {t}")) == ("Float32", "cpu")
    assert tcl.eval("torch::tensor_shape [torch::tensor_create {7}]") == "1"
    assert tcl.eval("torch::tensor_shape [torch::tensor_sum [torch::ones {3}]]") == ""
    assert tcl.eval("torch::tensor_dtype [torch::zeros {2}]") == "Float32"
    assert tcl.error("torch::tensor_create -data {1 2 3} -shape {2 2}").startswith("Invalid shape")


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_round_trips(tcl, dtype):
    values = {"bool": np.array([True, False, True, True]),
              "complex64": np.array([1 + 2j, -0.5j, 3, 0.25 - 1j]),
              "complex128": np.array([1 + 2j, -0.5j, 3, 0.1 - 1j])}.get(
        dtype, np.array([0, 1, -2, 100] if dtype != "uint8" else [0, 1, 2, 255]))
    handle = tcl.create(values.reshape(2, 2), dtype)
    assert tcl.eval(f"torch::tensor_dtype {handle}") == DISPLAY[dtype]
    np.testing.assert_array_equal(tcl.read(handle, dtype), values.astype(NUMPY[dtype]).reshape(2, 2))


@pytest.mark.parametrize("alias,display", [("float", "Float32"), ("double", "Float64"), ("half", "Float16"),
                                           ("int", "Int32"), ("long", "Int64"), ("BFloat16", "BFloat16"),
                                           ("Complex128", "Complex128")])
def test_dtype_aliases(tcl, alias, display):
    assert tcl.eval(f"torch::tensor_dtype [torch::zeros {{2}} {alias}]") == display


@pytest.mark.parametrize("dtype,bits", [("float32", np.uint32), ("float64", np.uint64), ("float16", np.uint16)])
def test_floats_round_trip_bit_for_bit(tcl, dtype, bits):
    rng = np.random.default_rng(7)
    for size in (50, 20000):  # short tensors print shortest text, long ones fixed digits
        raw = rng.integers(0, np.iinfo(bits).max, size=size, dtype=bits, endpoint=True)
        values = raw.view(NUMPY[dtype])
        values = values[np.isfinite(values)]
        back = tcl.read(tcl.create(values, dtype), dtype)
        np.testing.assert_array_equal(back.view(bits), values.view(bits))


def test_float32_text_is_the_shortest_that_reads_back(tcl):
    # numpy prints each float32 with the fewest digits that read back as it.
    raw = np.random.default_rng(11).integers(0, 2**32 - 1, size=20000, dtype=np.uint32)
    values = raw.view(np.float32)[np.isfinite(raw.view(np.float32))]
    text = tcl.tk.splitlist(tcl.eval(f"torch::tensor_to_list {tcl.create(values, 'float32')}"))
    np.testing.assert_array_equal(np.array(text, dtype=np.float64), values.astype(str).astype(np.float64))


def test_bfloat16_text_is_the_shortest_that_reads_back(tcl):
    # Every finite bfloat16, 1e+30 and 1e-30 among them, whose decimals need powers of
    # ten that no double holds exactly.
    every = torch.arange(2**16, dtype=torch.int32).to(torch.int16).view(torch.bfloat16)
    every = every[torch.isfinite(every)]
    handle = tcl.eval(f"torch::tensor_create {{{' '.join(map(repr, every.tolist()))}}} {{}} bfloat16")
    text = tcl.tk.splitlist(tcl.eval(f"torch::tensor_to_list {handle}"))

    def as_bfloat16(decimals):
        return torch.tensor(np.array(decimals, dtype=np.float64)).to(torch.bfloat16)

    assert torch.equal(as_bfloat16(text), every)
    digits = np.array([len(t.split("e")[0].lstrip("-").replace(".", "").strip("0") or "0") for t in text])
    for fewer in (1, 2, 3):  # no value reads back from fewer digits than it was given
        shorter = digits > fewer
        rounded = [f"{v:.{fewer - 1}e}" for v in every[torch.from_numpy(shorter)].tolist()]
        assert not torch.any(as_bfloat16(rounded) == every[torch.from_numpy(shorter)])
    assert tcl.eval("torch::tensor_to_list [torch::tensor_create {1e30 -2.5e25 3e-20 1.5e-30} {} bfloat16]") \
        == "1e+30 -2.5e+25 3e-20 1.5e-30"


def test_float_text_is_short_and_tcl_readable(tcl):
    t = tcl.eval("torch::tensor_create {0.1 0.2 -1.5 1e30}")
    assert tcl.eval(f"torch::tensor_to_list {t}") == "0.1 0.2 -1.5 1e+30"
    t = tcl.eval("torch::tensor_create {3.4028235e38 -3.4028235e38 1e-16 3e-40}")
    assert tcl.eval(f"torch::tensor_to_list {t}") == "3.4028235e+38 -3.4028235e+38 1e-16 3e-40"
    t = tcl.eval("torch::tensor_create {0.1+0.2j -1.5-0j 3e+30+1e-30j} {} complex64")
    assert tcl.eval(f"torch::tensor_to_list {t}") == "0.1+0.2j -1.5-0j 3e+30+1e-30j"
    t = tcl.eval("torch::tensor_create {Inf -Inf NaN 1}")
    assert tcl.eval(f"torch::tensor_to_list {t}") == "Inf -Inf NaN 1.0"
    assert tcl.eval(f"expr {{[lindex [torch::tensor_to_list {t}] 0] > 1e308}}") == "1"


def test_bulk_million_floats(tcl):
    tcl.eval("set data [lrepeat 1000000 0.25]")
    t = tcl.eval("torch::tensor_create $data")
    assert tcl.eval(f"torch::tensor_numel {t}") == "1000000"
    assert tcl.eval(f"llength [torch::tensor_to_list {t}]") == "1000000"
    assert tcl.eval(f"lindex [torch::tensor_to_list {t}] end") == "0.25"


def test_numbers_a_script_computed_arrive_bit_for_bit(tcl):
    # A list a script built holds numbers, not text: it reaches the engine in binary.
    tcl.eval("set thirds [lmap k {1 2 4 7 -5} {expr {$k / 3.0}}]")
    thirds = np.array([1, 2, 4, 7, -5]) / 3.0
    np.testing.assert_array_equal(tcl.read(tcl.eval("torch::tensor_create $thirds {} float64"), "float64"), thirds)
    np.testing.assert_array_equal(tcl.read(tcl.eval("torch::tensor_create $thirds {5 1} float32"), "float32"),
                                  thirds.astype(np.float32).reshape(5, 1))
    np.testing.assert_array_equal(tcl.read(tcl.eval("torch::tensor_create $thirds complex128"), "complex128"),
                                  thirds.astype(np.complex128))
    assert tcl.eval("torch::tensor_shape [torch::tensor_create [lrange $thirds 0 -1] {0} float64]") == "0"
    assert tcl.error("torch::tensor_create $thirds {2 2} float64") == \
        "Invalid shape: {2 2} does not hold the 5 elements of data"
    # Integer dtypes keep reading text, so that a fraction is still an error.
    assert tcl.error("torch::tensor_create $thirds {} int64") == 'Invalid data: expected integer, got "0.3333333333333333"'


@pytest.mark.parametrize("call", ["torch::tensor_create $data", "torch::tensor_create $data {2 2} float64 cpu 0",
                                  "torch::tensor_create -data $data -dtype float32",
                                  "torch::tensor_create $data -shape {4} -requiresGrad 1"])
def test_a_list_of_numbers_is_never_written_as_text(tcl, call):
    # Writing a 1M-element list as text costs more than the whole command.
    tcl.eval("set data [lmap k {1 2 3 4} {expr {$k / 4.0}}]; list")  # (returning it would write it)
    assert tcl.eval(f"torch::tensor_to_list [{call}]") == "0.25 0.5 0.75 1.0"
    assert "no string representation" in tcl.eval("tcl::unsupported::representation $data")


def test_nested_lists_and_shapes(tcl):
    t = tcl.eval("torch::tensor_create {{{1 2} {3 4}} {{5 6} {7 8}}} {} int64")
    assert tcl.eval(f"torch::tensor_shape {t}") == "2 2 2"
    assert tcl.eval(f"torch::tensor_to_list {t}") == "1 2 3 4 5 6 7 8"
    assert tcl.error("torch::tensor_create {{1 2} {3}}").startswith("Invalid data: nested lists")
    assert tcl.error("torch::tensor_create {{1 2} {3 4 5}}").startswith("Invalid data: nested lists must be rectangular")
    assert tcl.error("torch::tensor_create {1 x 3}") == 'Invalid data: expected number, got "x"'
    assert tcl.error("torch::tensor_create {1.5} int32") == 'Invalid data: expected integer, got "1.5"'
    assert tcl.eval("torch::tensor_shape [torch::tensor_create {}]") == "0"
    assert tcl.eval("torch::tensor_to_list [torch::tensor_create {0x10 7} {} int64]") == "16 7"
    # Numbers read as Tcl 8.6 reads them, whichever path the list takes: 010 is octal.
    for data, dtype in (("{010 1}", "int32"), ("{010 0x1}", "int32"), ("{010 1}", "float32")):
        assert tcl.eval(f"torch::tensor_to_list [torch::tensor_create {data} {{}} {dtype}]") in ("8 1", "8.0 1.0")
    assert tcl.eval("torch::tensor_to_list [torch::tensor_create {9223372036854775807 -1} int64]") == \
        "9223372036854775807 -1"
    assert tcl.error("torch::tensor_create {99999999999999999999} int64") == \
        "Invalid data: a value does not fit in Int64"
    assert tcl.error("torch::tensor_create {1 300} uint8") == "Invalid data: a value does not fit in UInt8 (0..255)"
    assert tcl.error("torch::zeros {2 99999999999999999999}") == \
        "Invalid shape: a dimension does not fit in 64 bits, got {2 99999999999999999999}"
    # A boolean is 0 or 1 (or a word Tcl reads as one), whichever way the list is read.
    assert tcl.eval("torch::tensor_to_list [torch::tensor_create {1 0 true no} {} bool]") == "1 0 1 0"
    for data in ("{0 2}", "{0 2 x}", "{{0 2}}"):
        assert tcl.error(f"torch::tensor_create {data} {{}} bool") == 'Invalid data: expected boolean, got "2"'
    for word in ("+1", "-0", "01"):
        assert tcl.error(f"torch::tensor_create {{0 {word}}} {{}} bool") == f'Invalid data: expected boolean, got "{word}"'


def test_factories(tcl):
    assert tcl.eval("torch::tensor_to_list [torch::zeros {2 2} int32]") == "0 0 0 0"
    assert tcl.eval("torch::tensor_to_list [torch::ones -shape {3} -dtype bool]") == "1 1 1"
    assert tcl.eval("torch::tensor_to_list [torch::full {2} 2.5 float64]") == "2.5 2.5"
    assert tcl.eval("torch::tensor_to_list [torch::arange 4]") == "0 1 2 3"
    assert tcl.eval("torch::tensor_dtype [torch::arange 4]") == "Int64"
    assert tcl.eval("torch::tensor_to_list [torch::arange 1 2 0.5]") == "1.0 1.5"
    assert tcl.eval("torch::tensor_to_list [torch::arange -start 2 -end 8 -step 3 -dtype float64]") == "2.0 5.0"
    assert tcl.eval("torch::tensor_shape [torch::empty {3 0}]") == "3 0"
    tcl.eval("torch::manual_seed 42")
    a = tcl.eval("torch::tensor_to_list [torch::randn {5}]")
    tcl.eval("torch::manualSeed -seed 42")
    assert tcl.eval("torch::tensor_to_list [torch::tensor_randn -shape {5}]") == a
    assert tcl.error("torch::zeros {-1}").startswith("Invalid shape")


def test_views_arithmetic_and_reductions(tcl):
    a = tcl.create(np.arange(6).reshape(2, 3), "float32")
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_permute {a} {{1 0}}]") == "0.0 3.0 1.0 4.0 2.0 5.0"
    assert tcl.eval(f"torch::tensor_shape [torch::tensor_reshape {a} {{3 -1}}]") == "3 2"
    b = tcl.eval(f"torch::tensor_to {a} cpu float64")
    assert tcl.eval(f"torch::tensor_dtype {b}") == "Float64"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_add {a} {a}]") == "0.0 2.0 4.0 6.0 8.0 10.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_sub -input {a} -other {a}]") == "0.0 0.0 0.0 0.0 0.0 0.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_mul {a} {a}]") == "0.0 1.0 4.0 9.0 16.0 25.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_div {a} [torch::full {{2 3}} 4]]") == \
        "0.0 0.25 0.5 0.75 1.0 1.25"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_sum {a}]") == "15.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_mean {a}]") == "2.5"
    assert tcl.eval(f"torch::allclose {a} [torch::tensor_add {a} [torch::full {{2 3}} 1e-9]]") == "1"
    assert tcl.eval(f"torch::allclose {a} [torch::ones {{2 3}}]") == "0"
    assert tcl.error("torch::tensor_mean [torch::ones {2} int32]").startswith("tensor_mean: mean of an integer")
    assert tcl.eval(f"torch::tensor_print {a}") == "tensor([[0., 1., 2.],\n        [3., 4., 5.]])"


def test_free_and_count(tcl):
    before = int(tcl.eval("torch::tensor_count"))
    a, b = tcl.eval("torch::ones {2}"), tcl.eval("torch::ones {2}")
    assert int(tcl.eval("torch::tensor_count")) == before + 2
    assert tcl.error_detail(f"torch::tensor_free {a} nosuch") == "Invalid tensor name: nosuch"
    assert int(tcl.eval("torch::tensor_count")) == before + 2  # nothing freed on error
    tcl.eval(f"torch::tensor_free {a} {b} {a}")  # a handle listed twice is freed once
    assert int(tcl.eval("torch::tensor_count")) == before
    assert tcl.error_detail(f"torch::tensor_shape {a}") == f"Invalid tensor name: {a}"


def test_free_releases_handles_of_every_kind(tcl):
    t = tcl.eval("torch::ones {2}")
    layer = tcl.eval("torch::linear 3 2")
    weight, bias = tcl.tk.splitlist(tcl.eval(f"torch::layer_parameters {layer}"))
    optimizer = tcl.eval(f"torch::optimizer_sgd [list {weight} {bias}] 0.1")
    assert tcl.error(f"torch::free {t} {layer} nosuch") == "Invalid handle: nosuch"
    assert tcl.eval(f"torch::tensor_shape {t}") == "2"  # nothing released on error
    assert tcl.error_detail(f"torch::tensor_free {layer}") == f"Invalid tensor name: {layer}"  # tensors only
    tcl.eval(f"torch::free {optimizer} {layer} {t} {layer}")  # any mix; twice is once
    assert tcl.error_detail(f"torch::tensor_shape {t}") == f"Invalid tensor name: {t}"
    assert tcl.error_detail(f"torch::layer_parameters {layer}") == f"Invalid layer name: {layer}"
    assert tcl.error_detail(f"torch::optimizer_step {optimizer}") == f"Invalid optimizer handle: {optimizer}"
    assert tcl.eval(f"torch::tensor_shape {weight}") == "2 3"  # the parameters' handles stay
    tcl.eval(f"torch::free -handles [list {weight} {bias}]")
    assert tcl.error_detail(f"torch::tensor_shape {bias}") == f"Invalid tensor name: {bias}"


def test_cuda_queries_and_clear_error_without_gpu(tcl):
    if tcl.eval("torch::cuda_is_available") == "1":
        pytest.skip("a GPU is present")
    assert tcl.eval("torch::cuda_device_count") == "0"
    assert "CUDA is not available" in tcl.error("torch::zeros {2} float32 cuda")


@pytest.mark.parametrize("call", ["zeros {%s}", "ones {%s}", "empty {%s}", "full {%s} 1", "randn {%s}"])
def test_a_factory_too_large_says_what_it_asked_for(tcl, call):
    name = call.split()[0]

    def error(shape):
        return tcl.error(f"torch::{call % shape}")
    # The allocator refuses it (torch said "[enforce fail at alloc_cpu.cpp:127] ...").
    assert error("1000000 1000000") == (f"{name}: a tensor of shape {{1000000 1000000}} (float32) needs "
                                        "3.6 TiB of memory, more than this process can allocate")
    # Its byte count overflows 64 bits (torch: "Storage size calculation overflowed with sizes=[...]").
    assert error("3037000499 3037000499") == (f"{name}: a tensor of shape {{3037000499 3037000499}} (float32) "
                                              "needs 32.0 EiB of memory, more than this process can allocate")
    for shape in ("99999999999 99999999999", "0 99999999999 99999999999"):
        assert error(shape) == f"{name}: a tensor of shape {{{shape}}} has too many elements to index (2**63 or more)"


def test_too_large_names_the_dtype_it_was_asked_in(tcl):
    assert tcl.error("torch::zeros {1000000 1000000} int8") == (
        "zeros: a tensor of shape {1000000 1000000} (int8) needs 931.3 GiB of memory, more than this process "
        "can allocate")
    assert tcl.error("torch::ones -shape {1000000 1000000 1000} -dtype complex128") == (
        "ones: a tensor of shape {1000000 1000000 1000} (complex128) needs 14.2 PiB of memory, more than this "
        "process can allocate")


def test_a_word_in_place_of_the_shape_is_a_dtype(tcl):
    assert tcl.error("torch::tensor_create {1 2} nosuchdtype") == (
        'Invalid dtype: expected one of float32 float64 float16 bfloat16 int8 uint8 int16 int32 int64 bool '
        'complex64 complex128, got "nosuchdtype"')
    assert tcl.error("torch::tensor_create {1 2} {2 x}") == 'Invalid shape: expected list of integers, got "2 x"'
    assert tcl.eval("torch::tensor_shape [torch::tensor_create {1 2} 2]") == "2"
    assert tcl.eval("torch::tensor_dtype [torch::tensor_create {1 2} BFloat16 cpu]") == "BFloat16"
