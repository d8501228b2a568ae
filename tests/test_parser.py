"""The shim's generic parser: forms, spellings, and the spec's error texts."""

import re

import pytest

# Every command of the spec, with a minimal valid positional call ({t} = a float tensor [4]).
COMMANDS = {
    "distributed_init": "", "get_rank": "", "get_world_size": "", "is_distributed": "",
    "distributed_barrier": "", "distributed_all_reduce": "{t}", "distributed_broadcast": "{t}",
    "distributed_gather": "{t}", "distributed_all_gather": "{t}", "distributed_scatter": "{t}",
    "distributed_reduce_scatter": "{t}", "distributed_all_to_all": "{t}",
    "distributed_send": "{t} 0", "distributed_recv": None, "distributed_isend": "{t} 0",
    "distributed_irecv": None, "distributed_wait": None, "distributed_test": None,
    "distributed_new_group": "g1 {0}", "distributed_split_group": "g2 0",
    "distributed_destroy_group": None, "tensor_create": "{1 2}", "zeros": "{2}", "ones": "{2}",
    "empty": "{2}", "full": "{2} 3", "randn": "{2}", "tensor_randn": "{2}", "arange": "3",
    "manual_seed": "1", "tensor_shape": "{t}", "tensor_dtype": "{t}", "tensor_device": "{t}",
    "tensor_numel": "{t}", "tensor_to_list": "{t}", "tensor_print": "{t}",
    "tensor_reshape": "{t} {2 2}", "tensor_permute": "{t} {0}", "tensor_to": "{t} cpu",
    "tensor_add": "{t} {t}", "tensor_sub": "{t} {t}", "tensor_mul": "{t} {t}",
    "tensor_div": "{t} {t}", "tensor_sum": "{t}", "tensor_mean": "{t}", "allclose": "{t} {t}",
    "tensor_free": None, "tensor_count": "", "cuda_is_available": "", "cuda_device_count": "",
}


def camel(name):
    first, *rest = name.split("_")
    return first + "".join(word.title() for word in rest)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_both_spellings_exist(tcl, command):
    assert tcl.eval(f"info commands ::torch::{command}") == f"::torch::{command}"
    assert tcl.eval(f"info commands ::torch::{camel(command)}") == f"::torch::{camel(command)}"


@pytest.mark.parametrize("command", sorted(c for c, call in COMMANDS.items() if call is not None))
def test_positional_and_camel_give_the_same(tcl, command):
    t = tcl.eval("torch::ones {4}")
    call = COMMANDS[command].replace("{t}", t)
    snake = tcl.eval(f"torch::{command} {call}")
    if command in ("distributed_new_group", "distributed_split_group"):
        call = call.replace("g1", "g3").replace("g2", "g4")
    result = tcl.eval(f"torch::{camel(command)} {call}")
    kind = re.fullmatch(r"(tensor|request)\d+", snake)
    if not kind:
        assert result == snake.replace("g1", "g3").replace("g2", "g4")
        return
    assert re.fullmatch(rf"{kind[1]}\d+", result) and result != snake  # a handle of its own
    if kind[1] == "tensor":
        # Random and uninitialized values differ between the calls; everything else is equal.
        views = ["tensor_shape", "tensor_dtype", "tensor_device"]
        if command not in ("randn", "tensor_randn", "empty"):
            views.append("tensor_to_list")
        for view in views:
            assert tcl.eval(f"torch::{view} {result}") == tcl.eval(f"torch::{view} {snake}"), view


def test_named_options_in_any_order(tcl):
    t = tcl.create([[1, 2], [3, 4]], "int32")
    a = tcl.eval(f"torch::tensor_to_list [torch::distributed_all_to_all -tensor {t} -group {{}}]")
    b = tcl.eval(f"torch::tensor_to_list [torch::distributed_all_to_all -group {{}} -tensor {t}]")
    c = tcl.eval(f"torch::tensor_to_list [torch::distributedAllToAll {t} -async 0]")
    assert a == b == c == "1 2 3 4"


def test_option_aliases(tcl):
    t = tcl.create([1.5, 2.5], "float32")
    for form in (f"-tensor {t} -op max", f"-tensor {t} -operation max", f"{t} max"):
        assert tcl.eval(f"torch::tensor_to_list [torch::distributed_all_reduce {form}]") == "1.5 2.5"
    assert tcl.eval(f"torch::tensor_to_list [torch::distributed_broadcast -tensor {t} -src 0]") == "1.5 2.5"
    assert tcl.eval(f"torch::tensor_shape -input {t}") == tcl.eval(f"torch::tensor_shape -tensor {t}") == "2"


def test_wrong_number_of_arguments_shows_usage(tcl):
    assert tcl.error("torch::distributed_all_to_all") == (
        "Wrong number of arguments (wrong # args). Usage: torch::distributed_all_to_all tensor ?group?")
    t = tcl.eval("torch::ones {4}")
    assert tcl.error(f"torch::distributed_all_to_all {t} g extra") == (
        "Wrong number of arguments (wrong # args). Usage: torch::distributed_all_to_all tensor ?group?")
    assert tcl.error("torch::is_distributed 1") == "Wrong number of arguments (wrong # args). Usage: torch::is_distributed"
    assert tcl.error("torch::distributedRecv {4}").startswith(
        "Wrong number of arguments (wrong # args). Usage: torch::distributed_recv shape src ?tag?")
    assert tcl.error("torch::arange").endswith("torch::arange end | start end ?step?")


def test_named_form_errors(tcl):
    t = tcl.eval("torch::ones {4}")
    assert tcl.error("torch::distributed_all_to_all -group g") == "Required parameters missing: -tensor"
    assert tcl.error(f"torch::distributed_send -tensor {t}") == "Required parameters missing: -dst"
    assert tcl.error("torch::distributed_recv -shape {4}") == "Required parameters missing: -src"
    assert tcl.error("torch::distributed_new_group -name g") == "Required parameters missing: -ranks"
    assert tcl.error_detail("torch::zeros -dtype int32") == "Required parameters missing: -shape"
    assert tcl.error_detail("torch::distributed_all_to_all -tensor") == "Missing value for parameter: -tensor. Named parameters must come in pairs"
    message = tcl.error(f"torch::distributed_all_to_all -tensor {t} -foo 1")
    assert message.startswith("Unknown parameter: -foo")
    for option in ("-tensor", "-group", "-inputSplits", "-outputSplits", "-async"):
        assert option in message


def test_the_spec_commands_say_the_spec_words():
    from tcltorch_mpi.commands import COMMANDS as TABLE, SPEC_COMMANDS

    assert set(COMMANDS) - {"tensor_randn"} <= SPEC_COMMANDS  # (an older name of randn)
    assert SPEC_COMMANDS <= {c.name for c in TABLE}


def test_the_extensions_commands_say_its_words_and_errorinfo_the_detail(tcl):
    t = tcl.eval("torch::ones {4}")
    cases = [
        ("torch::sin nosuch", "Invalid tensor name", "Invalid tensor name: nosuch"),
        (f"torch::cross nosuch {t}", "Invalid input tensor name", "Invalid input tensor name: nosuch"),
        (f"torch::sin {t} -foo 1", "Unknown parameter: -foo", "Unknown parameter: -foo. Valid parameters: -input -tensor"),
        ("torch::sin -input", "Missing value for parameter",
         "Missing value for parameter: -input. Named parameters must come in pairs"),
        ("torch::lr_scheduler_step nosuch 3", "Invalid optimizer name", "Invalid optimizer name: nosuch"),
        ("torch::model_train nosuch", "Invalid model name", "Invalid model name: nosuch"),
    ]
    for script, message, detail in cases:
        assert tcl.error(script) == message
        assert tcl.tk.getvar("errorInfo").splitlines()[0] == detail
    # The spec's commands and the project's own: the detail is the message.
    for script, detail in [("torch::tensor_sum nosuch", "Invalid tensor name: nosuch"),
                           ("torch::argmax nosuch", "Invalid tensor name: nosuch"),
                           (f"torch::tensor_sum {t} -foo 1",
                            "Unknown parameter: -foo. Valid parameters: -input -tensor -dim -dimension")]:
        assert tcl.error(script) == detail
        assert tcl.tk.getvar("errorInfo").splitlines()[0] == detail


def test_wrong_kinds(tcl):
    t = tcl.eval("torch::ones {4}")
    assert tcl.error(f"torch::distributed_send {t} abc") == 'Invalid dst: expected integer, got "abc"'
    assert tcl.error(f"torch::distributed_all_to_all {t} -async maybe") == (
        'Invalid async: expected boolean, got "maybe"')
    assert tcl.error(f"torch::distributed_all_to_all -tensor {t} -inputSplits {{1 x}}") == (
        'Invalid inputSplits: expected list of integers, got "1 x"')
    assert tcl.error("torch::full {2} abc") == 'Invalid value: expected number, got "abc"'
    assert tcl.error("torch::zeros {2} float99").startswith('Invalid dtype: expected one of float32')
    assert tcl.error("torch::zeros {2} float32 tpu") == (
        'Invalid device: expected cpu, cuda or cuda:<index>, got "tpu"')
    assert tcl.error_detail("torch::tensor_shape nosuch") == "Invalid tensor name: nosuch"


def test_positional_calls_match_the_named_form_exactly(tcl):
    # A call by position alone takes a quicker way than the named form; both must make
    # the same call: a default's own text by position is the default, a bad word names
    # its parameter, and a keyword given by position is passed as the keyword.
    t = tcl.eval("torch::tensor_create {1 2 3 4} float32")
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_sum {t} {{}}]") == "10.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_sum {t} 0]") == "10.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_add {t} {t} 0.5]") == "1.5 3.0 4.5 6.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::tensor_add -input {t} -other {t} -alpha 0.5]") == (
        "1.5 3.0 4.5 6.0")
    assert tcl.error(f"torch::tensor_add {t} {t} abc") == 'Invalid alpha: expected number, got "abc"'
    assert tcl.error(f"torch::tensor_add {t} nosuch") == (
        'Invalid other: expected tensor handle or number, got "nosuch"')
    assert tcl.error_detail(f"torch::tensor_add nosuch {t}") == "Invalid tensor name: nosuch"


def test_negative_number_is_a_value_not_an_option(tcl):
    # recv from -1 (any source) in the positional form: the first word decides the form.
    assert tcl.error("torch::distributed_recv {4} -1 -5").startswith("Invalid tag")
    assert tcl.eval("torch::tensor_to_list [torch::full {2} -1]") == "-1.0 -1.0"
    # Data whose first number is -Inf, flat or as a row, is data too.
    for data in ("{-Inf 1 2 3}", "{{-Inf 1} {2 3}}", "{ -Inf 1 2 3}"):
        assert tcl.eval(f"torch::tensor_to_list [torch::tensor_create {data} float64]") == "-Inf 1.0 2.0 3.0"


def test_required_values_are_checked_even_when_empty(tcl):
    assert tcl.error("torch::manual_seed {}") == 'Invalid seed: expected integer, got ""'
    assert tcl.error("torch::full {2} {}") == 'Invalid value: expected number, got ""'
    t = tcl.eval("torch::ones {2}")
    assert tcl.error(f"torch::distributed_send -tensor {t} -dst {{}}") == 'Invalid dst: expected integer, got ""'


def test_errors_leave_the_interpreter_usable(tcl):
    for _ in range(3):
        tcl.error("torch::distributed_all_to_all")
    assert tcl.eval("torch::tensor_to_list [torch::ones {2} int32]") == "1 1"


def test_error_messages_hold_no_python_names(tcl):
    t = tcl.create([[1, 2], [3, 4]], "float32")
    u = tcl.create([1, 2, 3], "float32")
    for script in (f"torch::tensor_add {t} {u}", f"torch::tensor_reshape {t} {{3}}",
                   f"torch::tensor_permute {t} {{0 0}}", f"torch::allclose {t} {u}"):
        message = tcl.error(script)
        assert message and "Traceback" not in message and "Error" not in message.split(":")[0]


def test_compatibility_load_and_package_require(tcl):
    assert tcl.eval("load /opt/libtorch/lib/libtorchtcl.so") == ""
    assert tcl.eval("load -global -- /opt/libtorch/lib/libtorchtcl.so Torchtcl") == ""
    assert tcl.eval("package require tcltorch_mpi") == "0.1.0"
    assert "couldn't load" in tcl.error("load /nonexistent/libother.so")


def test_handles_with_special_characters_do_not_inject(tcl):
    tcl.eval("set ::hit 0")
    for name in ("[set ::hit 1]", "$::hit", "a b", "{", "\\"):
        tcl.tk.setvar("name", name)
        assert tcl.eval("catch {torch::tensor_shape $name} m") == "1"
        assert tcl.tk.getvar("m") == f"Invalid tensor name: {name}"
    assert tcl.eval("set ::hit") == "0"


def test_options_after_positional_values(tcl):
    t = tcl.create([1, 2, 3, 4], "int32")
    assert tcl.error(f"torch::distributed_all_to_all {t} -foo 1").startswith("Unknown parameter: -foo. Valid")
    assert tcl.error(f"torch::tensor_reshape {t} {{2 2}} -shape {{4 1}}") == (
        "Parameter given twice: -shape (also by position)")
    assert tcl.error(f"torch::tensor_free {t} {t} -tensor {t}") == "Parameter given twice: -tensor (also by position)"
    # Two spellings of one option (or one twice) are one value given twice, not "the last wins".
    assert tcl.error(f"torch::distributed_broadcast -tensor {t} -root 0 -src 5") == (
        "Parameter given twice: -src (also as -root)")
    assert tcl.error(f"torch::tensor_shape -input {t} -input {t}") == "Parameter given twice: -input (also as -input)"
    assert tcl.eval("torch::tensor_to_list [torch::full {2} -Inf float64]") == "-Inf -Inf"
    assert tcl.error_detail("torch::is_distributed -foo 1") == "Unknown parameter: -foo. Valid parameters: none"
    assert tcl.error("torch::is_distributed 1") == "Wrong number of arguments (wrong # args). Usage: torch::is_distributed"


def test_exit_and_full_read_values_as_tcl_does(tcl):
    assert tcl.error("exit 1 2") == 'wrong # args: should be "exit ?returnCode?"'
    assert tcl.error("exit x") == 'expected integer but got "x"'
    assert tcl.eval("torch::tensor_to_list [torch::full {1} 9007199254740993 int64]") == "9007199254740993"
    assert tcl.error("torch::manual_seed 99999999999999999999999").startswith("Invalid seed")


def test_recv_shape_braces_mean_zero_dimensions(tcl):
    tcl.eval("torch::distributed_send [torch::ones {2}] 0 5")
    assert tcl.error("torch::distributed_recv {} 0 5") == "recv: expected shape {}, but the sender sent {2}"
    tcl.eval("torch::distributed_send [torch::tensor_sum [torch::ones {2}]] 0 6")
    assert tcl.eval("torch::tensor_shape [torch::distributed_recv {} 0 6]") == ""
    tcl.eval("torch::distributed_send [torch::ones {3}] 0 7")
    assert tcl.eval("torch::tensor_shape [torch::distributed_recv -src 0 -tag 7]") == "3"
