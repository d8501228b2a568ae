"""Checkpoints: a model's state dict (and an optimizer's, with the epoch, loss and
learning rate) in a file of torch's own format (torch.save of a dict), which Python's
torch.load reads as it is, and which files saved so from Python load back into."""

import pickle
import time
import warnings

import torch

from ..errors import CommandError, first_line
from ..params import LAYERS
from ..spec import Command, Param


# The checkpoint's layout (as PyTorch's own tutorials write one): the state dicts and
# the metadata under these keys.
MODEL, OPTIMIZER = "model_state_dict", "optimizer_state_dict"
# What a file torch.load reads with weights_only=True (no code run) fails with when it
# is not one: said as the command's error, not as an internal one.
_UNREADABLE = (OSError, RuntimeError, EOFError, ValueError, KeyError, AttributeError, ImportError, TypeError,
               IndexError, pickle.UnpicklingError)


def _lines(exc):
    """torch's load_state_dict message (its first line says only "Error(s) in loading")
    as one line."""
    return "; ".join(line.strip() for line in str(exc).strip().splitlines() if line.strip()) or type(exc).__name__


def _named(name, filename):
    if not filename:
        raise CommandError(f"{name}: a filename is required, got an empty one")


def _save(name, obj, filename):
    _named(name, filename)
    try:
        torch.save(obj, filename)
    except (OSError, RuntimeError) as exc:
        raise CommandError(f"{name}: cannot write {filename}: {getattr(exc, 'strerror', None) or first_line(exc)}") \
            from None


def _load(name, filename):
    _named(name, filename)
    try:
        # weights_only: tensors, numbers, strings and containers only; no pickled code runs.
        with warnings.catch_warnings():  # its warnings about a file's pickle protocol: the error says it
            warnings.simplefilter("ignore", UserWarning)
            return torch.load(filename, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise CommandError(f"{name}: no such file: {filename}") from None
    except _UNREADABLE as exc:
        if "Unsupported global" in str(exc):
            raise CommandError(f"{name}: {filename} holds objects other than tensors, numbers and strings "
                               "(pickled code, which torch.load with weights_only does not run)") from None
        # torch's own words for a file that is not its format are about its internals.
        raise CommandError(f"{name}: {filename} is not a file of torch.save's format") from None


def _fitting(name, what, model, state):
    """A model's state from a file, checked against the model before any of it is
    copied in (torch's strict load copies the entries that fit, then complains)."""
    if not isinstance(state, dict):
        raise CommandError(f"{name}: the file's {what} state is not a state dict")
    own = model.state_dict()
    missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
    wrong = [f"{key} is {tuple(state[key].shape)} in the file, {tuple(own[key].shape)} in the model"
             for key in own if key in state and getattr(state[key], "shape", None) != own[key].shape]
    problems = ([f"missing {', '.join(missing)}"] if missing else []) + \
        ([f"unexpected {', '.join(unexpected)}"] if unexpected else []) + wrong
    if problems:
        raise CommandError(f"{name}: the file's {what} state does not fit: {'; '.join(problems)}")
    return state


def _into(name, what, target, state):
    """load_state_dict of a model (strict: every key must match) or an optimizer."""
    if isinstance(target, torch.nn.Module):
        state = _fitting(name, what, target, state)
    elif not isinstance(state, dict):
        raise CommandError(f"{name}: the file's {what} state is not a state dict")
    try:
        target.load_state_dict(state)
    except (RuntimeError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise CommandError(f"{name}: the file's {what} state does not fit: {_lines(exc)}") from None


def _checkpoint(name, filename):
    checkpoint = _load(name, filename)
    if not isinstance(checkpoint, dict) or MODEL not in checkpoint:
        raise CommandError(f"{name}: {filename} is not a checkpoint (a dict with {MODEL}, {OPTIMIZER}, "
                           "epoch, loss, learning_rate)")
    return checkpoint


def _number(checkpoint, key, kind):
    value = checkpoint.get(key, 0)
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    return kind(value) if isinstance(value, (int, float)) else kind(0)


def _model_state(name, filename):
    """A model's state dict from a file: a state dict, or a checkpoint's model part."""
    state = _load(name, filename)
    if isinstance(state, dict) and isinstance(state.get(MODEL), dict):
        return state[MODEL]
    return state


class CheckpointsCommands:
    def _name(self, registry, item):
        return next((name for name in registry.names() if registry.find(name) is item), "")

    def save_checkpoint(self, model, optimizer, filename, epoch, loss, lr):
        if lr is None:  # not given: the optimizer's own
            lr = float(optimizer.param_groups[0]["lr"]) if optimizer.param_groups else 0.0
        _save("save_checkpoint", {
            MODEL: model.state_dict(), OPTIMIZER: optimizer.state_dict(),
            "epoch": epoch, "loss": loss, "learning_rate": lr,
            "timestamp": time.ctime(), "model_name": self._name(self.layers, model),
            "optimizer_name": self._name(self.optimizers, optimizer),
        }, filename)
        return f"Checkpoint saved: {filename} (epoch={epoch}, loss={loss:f})"

    def load_checkpoint(self, filename, model, optimizer):
        checkpoint = _checkpoint("load_checkpoint", filename)
        # All or nothing: the model's state is checked first, then the optimizer's is
        # loaded (torch checks it before it changes anything), then the model's.
        _fitting("load_checkpoint", "model", model, checkpoint[MODEL])
        if OPTIMIZER in checkpoint:
            _into("load_checkpoint", "optimizer", optimizer, checkpoint[OPTIMIZER])
        _into("load_checkpoint", "model", model, checkpoint[MODEL])
        epoch, loss = _number(checkpoint, "epoch", int), _number(checkpoint, "loss", float)
        lr = _number(checkpoint, "learning_rate", float)
        return f"Checkpoint loaded: {filename} (epoch={epoch}, loss={loss:f}, lr={lr:f})"

    def get_checkpoint_info(self, filename):
        checkpoint = _checkpoint("get_checkpoint_info", filename)
        info = ["epoch", _number(checkpoint, "epoch", int), "loss", _number(checkpoint, "loss", float),
                "learning_rate", _number(checkpoint, "learning_rate", float)]
        for key in ("timestamp", "model_name", "optimizer_name"):
            if isinstance(checkpoint.get(key), str):
                info += [key, checkpoint[key]]
        return tuple(info)

    def save_state(self, module, filename):
        _save("save_state", module.state_dict(), filename)
        return "OK"

    def load_state(self, module, filename):
        _into("load_state", "model", module, _model_state("load_state", filename))
        return "OK"

    def save_state_dict(self, model, filename):
        _save("save_state_dict", model.state_dict(), filename)
        return f"Model state dict saved to: {filename}"

    def load_state_dict(self, model, filename):
        _into("load_state_dict", "model", model, _model_state("load_state_dict", filename))
        return f"Model state dict loaded from: {filename}"


def _model(name="model", doc="Handle of the model (a layer)", unknown="Model not found"):
    """A layer handle; an unknown one in the extension's words for it."""
    return Param(name, "layer", doc=doc, named=(f"-{name}",), unknown=unknown)


FILENAME = Param("filename", "text", doc="Path of the file (torch.save format)", named=("-filename", "-file"))
OPTIMIZER_PARAM = Param("optimizer", "optimizer", doc="Handle of the optimizer", named=("-optimizer",))
MODULE = _model("module", "Handle of the module (a layer)", "Invalid module name")

C = CheckpointsCommands


COMMANDS = (
    Command("save_checkpoint", "saveCheckpoint", LAYERS,
            "Save a model's and an optimizer's state dicts, the epoch, loss and learning rate, to a file",
            (_model(), OPTIMIZER_PARAM, FILENAME,
             Param("epoch", "int", 0, "Epoch number, kept in the file"),
             Param("loss", "double", 0.0, "Loss, kept in the file"),
             Param("lr", "double", None, "Learning rate, kept in the file; not given: the optimizer's",
                   named=("-lr", "-learningRate"))),
            engine=C.save_checkpoint),
    Command("load_checkpoint", "loadCheckpoint", LAYERS,
            "Load a checkpoint's state dicts into a model and an optimizer",
            (FILENAME, _model(), OPTIMIZER_PARAM), engine=C.load_checkpoint),
    Command("get_checkpoint_info", "getCheckpointInfo", LAYERS,
            "A checkpoint file's epoch, loss, learning rate (and when and from what it was saved), as a dict",
            (FILENAME,), engine=C.get_checkpoint_info),
    Command("save_state", "saveState", LAYERS, "Save a module's state dict to a file",
            (MODULE, FILENAME), engine=C.save_state),
    Command("load_state", "loadState", LAYERS, "Load a state dict from a file into a module",
            (MODULE, FILENAME), engine=C.load_state),
    Command("save_state_dict", "saveStateDict", LAYERS, "Save a model's state dict to a file",
            (_model(), FILENAME), engine=C.save_state_dict),
    Command("load_state_dict", "loadStateDict", LAYERS, "Load a state dict from a file into a model",
            (_model(), FILENAME), engine=C.load_state_dict),
)
