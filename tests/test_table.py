"""The command table (commands.py): declarations checked against their engine
functions at start, both spellings greppable, torch::help from the table, and the
line between a user's error and an internal one."""

import dataclasses
import re
import tkinter
from pathlib import Path

import pytest

from tcltorch_mpi import commands, families, runtime, spec
from tcltorch_mpi import engine as engine_module
from tcltorch_mpi.engine import Engine
from tcltorch_mpi.interp import shim_dir
from tcltorch_mpi.spec import Command, Param
from tcltorch_mpi.families.info import TensorInfoCommands

# The table's files: commands.py and the families' modules.
SOURCE = "".join(Path(m.__file__).read_text() for m in (commands, *families.MODULES))


def start(table):
    tk = tkinter.Tcl()
    tk.call("lappend", "auto_path", str(shim_dir()))
    tk.call("package", "require", "tcltorch_mpi")
    Engine(tk, runtime.WORLD, commands=table).register()
    return tk


def test_a_declaration_that_does_not_match_its_engine_function_stops_the_start():
    reshape = next(c for c in commands.COMMANDS if c.name == "tensor_reshape")
    renamed = dataclasses.replace(reshape, params=(reshape.params[0], Param("size", "ints")))
    with pytest.raises(RuntimeError) as failure:
        start(tuple(renamed if c is reshape else c for c in commands.COMMANDS))
    assert ("torch::tensor_reshape declares (tensor, size) but its engine function "
            "ShapeCommands.tensor_reshape takes (tensor, shape)") in str(failure.value)
    fewer = dataclasses.replace(reshape, params=reshape.params[:1])
    with pytest.raises(RuntimeError, match=r"declares \(tensor\) but .* takes \(tensor, shape\)"):
        spec.check([fewer])


def test_the_table_checks_its_own_rules():
    wrong_camel = Command("tensor_numel", "tensorNUMEL", "x", "y", (), torch=len)
    twice = Command("tensor_size", "tensorSize", "x", "y", (), engine=TensorInfoCommands.tensor_count,
                    aliases=("tensor_numel",))
    with pytest.raises(RuntimeError) as failure:
        spec.check([wrong_camel, twice])
    text = str(failure.value)
    assert "torch::tensor_numel: its camelCase spelling is tensorNumel, not tensorNUMEL" in text
    assert "torch::tensor_numel is declared by tensor_numel and tensor_size" in text
    odd_default = Command("a_mode", "aMode", "x", "y", (Param("mode", "text", "max", choices=("mean", "sum")),),
                          torch=len)
    fixed_torch = Command("a_fixed", "aFixed", "x", "y", (), torch=len, fixed=(1,))
    unknown_number = Command("a_count", "aCount", "x", "y", (Param("n", "int", unknown="Invalid n name"),),
                             torch=len)
    with pytest.raises(RuntimeError) as failure:
        spec.check([odd_default, fixed_torch, unknown_number])
    text = str(failure.value)
    assert "torch::a_count: parameter n has an unknown-handle message but is not a handle" in text
    assert "torch::a_mode: parameter mode's default is not one of its choices" in text
    assert "torch::a_fixed: fixed arguments are for an engine function" in text


def test_a_handle_parameter_may_say_which_handle_an_unknown_one_is(tcl):
    # grid_sample's two tensors are declared with messages of their own; the registry's
    # ("Invalid tensor name") is the default, for the positional and the named form alike.
    t = tcl.eval("torch::ones {1 1 2 2}")
    for call in ("torch::grid_sample nosuch {t}", "torch::grid_sample -input nosuch -grid {t}"):
        assert tcl.error_detail(call.format(t=t)) == "Invalid input tensor name: nosuch"
    assert tcl.error_detail(f"torch::grid_sample {t} nosuch") == "Invalid grid tensor name: nosuch"
    assert tcl.error_detail("torch::tensor_abs nosuch") == "Invalid tensor name: nosuch"


def test_one_engine_function_serves_several_commands_through_fixed_arguments(tcl):
    # The paddings share two functions; each command's declaration fixes its mode and
    # dimensions, and the check reads the function's parameters after those.
    pads = [c for c in commands.COMMANDS if c.name.endswith(("pad1d", "pad2d", "pad3d"))]
    assert len(pads) == 15 and {c.engine.__name__ for c in pads} == {"pad", "constant_pad"}
    t = tcl.eval("torch::tensor_create {{{1 2 3}}} float32")
    assert tcl.eval(f"torch::tensor_to_list [torch::replication_pad1d {t} {{2 1}}]") == "1.0 1.0 1.0 2.0 3.0 3.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::circular_pad1d {t} {{1 1}}]") == "3.0 1.0 2.0 3.0 1.0"
    assert tcl.eval(f"torch::tensor_to_list [torch::constant_pad1d {t} {{1 0}} 7]") == "7.0 1.0 2.0 3.0"
    assert tcl.error(f"torch::zero_pad2d {t} {{1 1}}") == "Padding must be a list of 4 values for 2D"


def test_the_table_as_shipped_passes_its_check_and_every_spelling_is_a_command(tcl):
    spec.check(commands.COMMANDS)
    made = set(tcl.tk.splitlist(tcl.eval("info commands ::torch::*")))
    declared = {f"::torch::{s}" for c in commands.COMMANDS for s in c.spellings}
    assert made == declared


@pytest.mark.parametrize("command", commands.COMMANDS, ids=lambda c: c.name)
def test_both_spellings_are_written_out_in_the_table(command):
    # A newcomer greps either spelling and lands on the declaration.
    for spelling in command.spellings:
        assert f'"{spelling}"' in SOURCE, spelling


def test_help_lists_every_command_by_family(tcl):
    text = tcl.eval("torch::help")
    for command in commands.COMMANDS:
        assert re.search(rf"^  torch::{command.name} +{re.escape(command.summary)}$", text, re.M), command.name
    families = [line[:-1] for line in text.splitlines() if not line.startswith(" ") and line.endswith(":")]
    assert families == list(dict.fromkeys(c.family for c in commands.COMMANDS))


def test_help_of_a_command_shows_its_forms_and_parameters(tcl):
    text = tcl.eval("torch::help distributedIsend")
    assert text.splitlines() == [
        "torch::distributed_isend - Start sending a tensor to dst; returns a request",
        "Positional:",
        "  torch::distributed_isend tensor dst ?tag? ?-group group?",
        "Named:",
        "  torch::distributed_isend -tensor tensor -dst dst ?-tag tag? ?-group group?",
        "camelCase and other spellings:",
        "  torch::distributedIsend tensor dst ?tag? ?-group group?",
        "  torch::distributedIsend -tensor tensor -dst dst ?-tag tag? ?-group group?",
        "Parameters:",
        "  tensor / -tensor (tensor handle, required): Handle of the tensor to send",
        "  dst / -dst (integer, required): Group rank to send to",
        "  tag / -tag (integer, default 0): Message tag (0 .. 2**31-1)",
        "  -group (group name, default {}): Process group name; empty means all processes",
    ]
    assert tcl.eval("torch::help -command torch::tensor_randn").startswith("torch::randn - ")
    assert tcl.error("torch::help frobnicate") == "torch::help: no command frobnicate; torch::help lists them all"


def test_a_users_error_is_plain_and_its_error_info_starts_at_the_call(tcl):
    t = tcl.eval("torch::ones {2}")
    u = tcl.eval("torch::ones {3}")
    for call, message in [
        (f"torch::tensor_add {t} {u}", "tensor_add: The size of tensor a (2) must match the size of tensor b (3) "
                                       "at non-singleton dimension 0"),
        ("torch::tensor_numel nope", "Invalid tensor name: nope"),
        ("torch::full {2} abc", 'Invalid value: expected number, got "abc"'),
        ("torch::zeros -shape", "Missing value for parameter: -shape. Named parameters must come in pairs"),
        ("torch::tensor_create {1 2} -shape {3}", "Invalid shape: {3} does not hold the 2 elements of data"),
        ("torch::tensor_to_list nope", "Invalid tensor name: nope"),
    ]:
        assert tcl.error(call) == message
        # (tcl.error runs the call as `uplevel #0 $script`: the frames after the call's)
        assert tcl.eval("set errorInfo").startswith(
            f'{message}\n    invoked from within\n"{call}"\n    ("uplevel" body line 1)')


@pytest.mark.internal_error
def test_a_python_bug_is_an_internal_error_with_its_traceback(tcl, monkeypatch):
    def broken(self, tensor):
        return tensor.no_such_attribute

    monkeypatch.setattr(TensorInfoCommands, "tensor_dtype", broken)
    session = type(tcl)()  # engine functions are bound at start
    t = session.eval("torch::ones {2}")
    message = session.error(f"torch::tensor_dtype {t}")
    assert message == "internal error: AttributeError: 'Tensor' object has no attribute 'no_such_attribute'"
    info = session.eval("set errorInfo")
    assert info.startswith(message + "\nTraceback (most recent call last):")
    assert "in broken" in info and f'invoked from within\n"torch::tensor_dtype {t}"\n    ("uplevel"' in info
    # A torch function's own complaint about values is not a bug.
    assert session.error(f"torch::allclose {t} [torch::ones {{3}}]").startswith("allclose: The size of tensor a (2)")


def test_a_rest_parameter_followed_by_named_only_ones_binds_their_defaults_by_position():
    # The quick path for positional calls fills in the named-only parameters' defaults.
    concat = Command("concat_named", "concatNamed", "x", "y", (
        Param("tensors", "handles", doc="Handles", rest=True),
        Param("dim", "int", "0", "Dimension", named=("-dim",), named_only=True)),
        torch=lambda handles, dim: f"{' '.join(handles)} along {dim}")
    tk = tkinter.Tcl()
    tk.eval("namespace eval ::tcltorch_mpi {}")
    engine = Engine(tk, runtime.WORLD, commands=[concat])
    engine.register()
    try:
        assert tk.eval("torch::concat_named a b c") == "a b c along 0"
        assert tk.eval("torch::concat_named a b -dim 1") == "a b along 1"
    finally:
        engine.groups.free()


def test_two_families_defining_one_engine_method_is_refused_at_start():
    class ACommands:
        def _bias(self):
            pass

    class BCommands:
        def _bias(self):
            pass

        def other(self):
            pass

    with pytest.raises(RuntimeError, match=r"engine methods defined twice: _bias \(ACommands, BCommands\)"):
        engine_module._one_owner((ACommands, BCommands))
    engine_module._one_owner(Engine.__mro__[:-1])  # the engine as shipped: every name has one owner
