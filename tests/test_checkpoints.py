"""Checkpoints (save_checkpoint, load_checkpoint, get_checkpoint_info, save_state,
load_state, save_state_dict, load_state_dict): files saved from Tcl read with torch.load
in Python give the model's and optimizer's state dicts; files saved from Python in that
layout load back from Tcl; every form of call; bad input as clear errors."""

import pickle

import numpy as np
import pytest
import torch


def model_and_optimizer(tcl, optimizer="optimizer_adam", steps=2):
    """A linear model and an optimizer over its parameters, stepped a few times (so the
    optimizer has state): the forward and backward run on the layer itself, in Python."""
    tcl.eval("torch::manual_seed 1")
    model = tcl.eval("torch::linear 4 3")
    opt = tcl.eval(f"torch::{optimizer} [torch::layer_parameters {model}] 0.01")
    module, x = tcl.engine.layer(model), torch.randn(5, 4)
    for _ in range(steps):
        tcl.eval(f"torch::optimizer_zero_grad {opt}")
        module(x).pow(2).sum().backward()
        tcl.eval(f"torch::optimizer_step {opt}")
    return model, opt


def assert_same(a, b):
    """Two state dicts (nested: an optimizer's too) hold the same values."""
    if isinstance(a, torch.Tensor):
        assert isinstance(b, torch.Tensor)
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a, key=str) == sorted(b, key=str)
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    else:
        assert a == b


@pytest.mark.parametrize("optimizer", ["optimizer_adam", "optimizer_sgd"])
@pytest.mark.parametrize("form", [
    "torch::save_checkpoint $m $o $f 7 0.25 0.001",
    "torch::save_checkpoint -model $m -optimizer $o -filename $f -epoch 7 -loss 0.25 -lr 0.001",
    "torch::saveCheckpoint -file $f -lr 0.001 -loss 0.25 -epoch 7 -optimizer $o -model $m",
])
def test_a_checkpoint_from_tcl_is_torchs_format(tcl, tmp_path, optimizer, form):
    model, opt = model_and_optimizer(tcl, optimizer)
    path = tmp_path / "c.pt"
    tcl.eval(f"set m {model}; set o {opt}; set f {path}")
    assert tcl.eval(form) == f"Checkpoint saved: {path} (epoch=7, loss=0.250000)"
    saved = torch.load(path, weights_only=True)
    assert_same(saved["model_state_dict"], tcl.engine.layer(model).state_dict())
    assert_same(saved["optimizer_state_dict"], tcl.engine.optimizer(opt).state_dict())
    if optimizer == "optimizer_adam":
        assert set(saved["optimizer_state_dict"]["state"][0]) == {"step", "exp_avg", "exp_avg_sq"}
    assert (saved["epoch"], saved["loss"], saved["learning_rate"]) == (7, 0.25, 0.001)
    assert (saved["model_name"], saved["optimizer_name"]) == (model, opt)
    info = dict(zip(*[iter(tcl.tk.splitlist(tcl.eval(f"torch::get_checkpoint_info {path}")))] * 2))
    assert (info["epoch"], info["loss"], info["learning_rate"]) == ("7", "0.25", "0.001")
    assert (info["model_name"], info["optimizer_name"], info["timestamp"]) == (model, opt, saved["timestamp"])


def test_checkpoint_defaults(tcl, tmp_path):
    model, opt = model_and_optimizer(tcl, steps=0)
    assert tcl.eval(f"torch::save_checkpoint {model} {opt} {tmp_path / 'c.pt'}").endswith("(epoch=0, loss=0.000000)")
    saved = torch.load(tmp_path / "c.pt", weights_only=True)
    # the learning rate not given: the optimizer's own
    assert (saved["epoch"], saved["loss"], saved["learning_rate"]) == (0, 0.0, 0.01)


@pytest.mark.parametrize("form", [
    "torch::load_checkpoint $f $m $o",
    "torch::load_checkpoint -filename $f -model $m -optimizer $o",
    "torch::loadCheckpoint -optimizer $o -file $f -model $m",
])
def test_a_checkpoint_from_python_loads_from_tcl(tcl, tmp_path, form):
    # What the Python side saves: a model and an Adam optimizer stepped twice.
    torch.manual_seed(5)
    source = torch.nn.Linear(4, 3)
    adam = torch.optim.Adam(source.parameters(), lr=0.02)
    for _ in range(2):
        adam.zero_grad()
        source(torch.randn(2, 4)).sum().backward()
        adam.step()
    path = tmp_path / "py.pt"
    torch.save({"model_state_dict": source.state_dict(), "optimizer_state_dict": adam.state_dict(),
                "epoch": 3, "loss": 1.5, "learning_rate": 0.02}, path)
    model, opt = model_and_optimizer(tcl, steps=0)
    tcl.eval(f"set m {model}; set o {opt}; set f {path}")
    assert tcl.eval(form) == f"Checkpoint loaded: {path} (epoch=3, loss=1.500000, lr=0.020000)"
    assert_same(tcl.engine.layer(model).state_dict(), source.state_dict())
    assert_same(tcl.engine.optimizer(opt).state_dict()["state"], adam.state_dict()["state"])
    assert tcl.engine.optimizer(opt).param_groups[0]["lr"] == 0.02
    # the model's parameters are still the optimizer's: a step moves the layer
    before = tcl.engine.layer(model).weight.detach().clone()
    tcl.engine.layer(model)(torch.randn(2, 4)).sum().backward()
    tcl.eval(f"torch::optimizer_step {opt}")
    assert not torch.equal(before, tcl.engine.layer(model).weight.detach())
    # without the metadata strings, the info holds the three numbers
    assert tcl.eval(f"torch::getCheckpointInfo -filename {path}") == "epoch 3 loss 1.5 learning_rate 0.02"


def test_a_checkpoint_without_metadata_gives_zeros(tcl, tmp_path):
    model, opt = model_and_optimizer(tcl, steps=0)
    path = tmp_path / "bare.pt"
    torch.save({"model_state_dict": tcl.engine.layer(model).state_dict()}, path)
    assert tcl.eval(f"torch::load_checkpoint {path} {model} {opt}").endswith("(epoch=0, loss=0.000000, lr=0.000000)")
    assert tcl.eval(f"torch::get_checkpoint_info -file {path}") == "epoch 0 loss 0.0 learning_rate 0.0"


STATE = [
    ("save_state", "load_state", "-module", "OK", "OK"),
    ("save_state_dict", "load_state_dict", "-model", "Model state dict saved to: {path}",
     "Model state dict loaded from: {path}"),
]


@pytest.mark.parametrize("save, load, option, saved_text, loaded_text", STATE)
def test_state_dicts_round_trip_with_python(tcl, tmp_path, save, load, option, saved_text, loaded_text):
    from tcltorch_mpi.spec import camel
    tcl.eval("torch::manual_seed 2")
    model = tcl.eval("torch::sequential [list [torch::linear 4 3] [torch::linear 3 2]]")
    module = tcl.engine.layer(model)
    path = tmp_path / "s.pt"
    for call in (f"torch::{save} {model} {path}", f"torch::{save} {option} {model} -filename {path}",
                 f"torch::{camel(save)} -file {path} {option} {model}"):
        assert tcl.eval(call) == saved_text.format(path=path)
        assert_same(torch.load(path, weights_only=True), module.state_dict())
    # a state dict saved in Python (another model's values) loads back into the layer
    torch.manual_seed(9)
    other = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.Linear(3, 2))
    torch.save(other.state_dict(), path)
    for call in (f"torch::{load} {model} {path}", f"torch::{load} {option} {model} -filename {path}",
                 f"torch::{camel(load)} -file {path} {option} {model}"):
        with torch.no_grad():
            for p in module.parameters():
                p.zero_()
        assert tcl.eval(call) == loaded_text.format(path=path)
        assert_same(module.state_dict(), other.state_dict())
    # and so does a checkpoint's model part
    torch.save({"model_state_dict": other.state_dict(), "epoch": 1}, path)
    tcl.eval(f"torch::{load} {model} {path}")
    assert_same(module.state_dict(), other.state_dict())


def test_a_recurrent_models_state_round_trips(tcl, tmp_path):
    model = tcl.eval("torch::lstm 3 5 2")
    tcl.eval(f"torch::save_state_dict {model} {tmp_path / 'l.pt'}")
    fresh = tcl.eval("torch::lstm 3 5 2")
    tcl.eval(f"torch::load_state_dict {fresh} {tmp_path / 'l.pt'}")
    assert_same(tcl.engine.layer(fresh).state_dict(), tcl.engine.layer(model).state_dict())
    expected = torch.load(tmp_path / "l.pt", weights_only=True)
    assert "weight_hh_l1" in expected
    assert_same(expected, tcl.engine.layer(model).state_dict())


class NotWeights:  # pickled as a class: torch.load with weights_only refuses it
    pass


def test_bad_input_is_a_clear_error(tcl, tmp_path):
    model, opt = model_and_optimizer(tcl, steps=0)
    other = tcl.eval("torch::linear 2 2")
    good, state = tmp_path / "good.pt", tmp_path / "state.pt"
    tcl.eval(f"torch::save_checkpoint {model} {opt} {good}")
    tcl.eval(f"torch::save_state_dict {model} {state}")
    (tmp_path / "text.pt").write_text("not a torch file\n")
    torch.save(NotWeights(), tmp_path / "code.pt")  # a pickled object, as torch.save(model) writes one
    with open(tmp_path / "pickle.pt", "wb") as f:
        pickle.dump([1, 2], f, protocol=4)
    cases = [
        ("torch::save_checkpoint", "Wrong number of arguments (wrong # args). Usage: torch::save_checkpoint model optimizer "
                                   "filename ?epoch? ?loss? ?lr?"),
        (f"torch::save_checkpoint nosuch {opt} x.pt", "Model not found: nosuch"),
        (f"torch::save_checkpoint {model} nosuch x.pt", "Invalid optimizer name: nosuch"),
        (f"torch::save_checkpoint -model {model} -optimizer {opt} -filename x.pt -epoch invalid",
         'Invalid epoch: expected integer, got "invalid"'),
        (f"torch::save_checkpoint -invalid {model}", "Unknown parameter: -invalid. Valid parameters:"),
        (f"torch::save_checkpoint -model {model} -filename x.pt", "Required parameters missing: -optimizer"),
        (f"torch::save_checkpoint {model} {opt} {tmp_path}/no/such/dir/x.pt", "save_checkpoint: cannot write"),
        (f"torch::load_checkpoint {tmp_path}/missing.pt {model} {opt}",
         f"load_checkpoint: no such file: {tmp_path}/missing.pt"),
        (f"torch::load_checkpoint {good} {model}", "Wrong number of arguments (wrong # args). Usage: torch::load_checkpoint "
                                                   "filename model optimizer"),
        (f"torch::load_checkpoint -filename {good}", "Required parameters missing: -model"),
        (f"torch::load_checkpoint -unknown_param x -model {model} -optimizer {opt}", "Unknown parameter: "
                                                                                     "-unknown_param"),
        (f"torch::load_checkpoint {state} {model} {opt}", f"load_checkpoint: {state} is not a checkpoint"),
        (f"torch::load_checkpoint {tmp_path}/text.pt {model} {opt}",
         f"load_checkpoint: {tmp_path}/text.pt is not a file of torch.save's format"),
        (f"torch::load_state {model} {tmp_path}/pickle.pt",
         f"load_state: {tmp_path}/pickle.pt is not a file of torch.save's format"),
        (f"torch::load_checkpoint {tmp_path}/code.pt {model} {opt}",
         f"load_checkpoint: {tmp_path}/code.pt holds objects other than tensors, numbers and strings"),
        (f"torch::load_checkpoint {good} {other} {opt}", "load_checkpoint: the file's model state does not fit: "
                                                         "weight is (3, 4) in the file, (2, 2) in the model"),
        ("torch::get_checkpoint_info", "Wrong number of arguments (wrong # args). Usage: torch::get_checkpoint_info filename"),
        ("torch::getCheckpointInfo -foo bar", "Unknown parameter: -foo"),
        ("torch::getCheckpointInfo -file", "Missing value for parameter: -file. Named parameters must come in pairs"),
        (f"torch::get_checkpoint_info {state}", f"get_checkpoint_info: {state} is not a checkpoint"),
        (f"torch::save_state nosuch {state}", "Invalid module name: nosuch"),
        (f"torch::save_state {model}", "Wrong number of arguments (wrong # args). Usage: torch::save_state module filename"),
        (f"torch::load_state -module {model}", "Required parameters missing: -filename"),
        (f"torch::load_state {other} {state}", "load_state: the file's model state does not fit:"),
        (f"torch::load_state_dict {other} {state}", "load_state_dict: the file's model state does not fit:"),
        (f"torch::load_state_dict {model} {tmp_path}/missing.pt", "load_state_dict: no such file:"),
        (f"torch::save_state_dict {model} {tmp_path}/no/such/dir/x.pt", "save_state_dict: cannot write"),
        (f'torch::load_state_dict -model {model} -filename ""', "load_state_dict: a filename is required, got an "
                                                                 "empty one"),
        (f'torch::save_checkpoint {model} {opt} ""', "save_checkpoint: a filename is required, got an empty one"),
        ('torch::load_state -module "" -filename x.pt', "Invalid module name: "),
        (f"torch::load_state_dict {model} {good} extra", "Wrong number of arguments (wrong # args). Usage: torch::load_state_dict "
                                                         "model filename"),
    ]
    for call, message in cases:
        assert tcl.error_detail(call).startswith(message), call


def test_a_checkpoint_that_does_not_fit_changes_nothing(tcl, tmp_path):
    # The model's part fits, the optimizer's does not (two parameters saved, one here):
    # neither the model nor the optimizer takes any of the file.
    saved = tcl.eval("torch::linear 3 2")
    saved_opt = tcl.eval(f"torch::optimizer_sgd [torch::layer_parameters {saved}] 0.1 0.9")
    tcl.eval(f"torch::save_checkpoint {saved} {saved_opt} {tmp_path}/c.pt")
    model = tcl.eval("torch::linear 3 2")
    weight, bias = tcl.tk.splitlist(tcl.eval(f"torch::layer_parameters {model}"))
    opt = tcl.eval(f"torch::optimizer_sgd [list {weight}] 0.5")
    before = tcl.read(weight, "float32")
    assert tcl.error(f"torch::load_checkpoint {tmp_path}/c.pt {model} {opt}").startswith(
        "load_checkpoint: the file's optimizer state does not fit")
    np.testing.assert_array_equal(tcl.read(weight, "float32"), before)
    assert tcl.eval(f"torch::get_lr {opt}") == "0.5"
    # the model's part not fitting: caught before the optimizer is touched
    wide = tcl.eval("torch::linear 4 2")
    wide_opt = tcl.eval(f"torch::optimizer_sgd [torch::layer_parameters {wide}] 0.5")
    assert "weight is (2, 3) in the file, (2, 4) in the model" in tcl.error(
        f"torch::load_checkpoint {tmp_path}/c.pt {wide} {wide_opt}")
    assert tcl.eval(f"torch::get_lr {wide_opt}") == "0.5"
