"""Driving a real Tcl interpreter with the torch:: commands from tests, and
reading tensors back as numpy arrays."""

import tkinter

import numpy as np
import torch

from tcltorch_mpi import interp

# numpy dtype to compare each Tcl dtype in (bfloat16: values read back as float32).
NUMPY = {"float32": np.float32, "float64": np.float64, "float16": np.float16,
         "bfloat16": np.float32, "int8": np.int8, "uint8": np.uint8, "int16": np.int16,
         "int32": np.int32, "int64": np.int64, "bool": np.bool_,
         "complex64": np.complex64, "complex128": np.complex128}


# torch dtype of each Tcl dtype name.
TORCH = {name: getattr(torch, name) for name in NUMPY}


def torch_of(array, dtype):
    """A torch tensor of ``array`` in the Tcl dtype ``dtype`` (the expected side of a test)."""
    return torch.tensor(np.asarray(array), dtype=TORCH[dtype])


def tcl_list(array):
    """The text of a flat Tcl list holding an array's elements."""
    flat = np.asarray(array).reshape(-1)
    if flat.dtype == np.bool_:
        return " ".join("1" if v else "0" for v in flat)
    if np.iscomplexobj(flat):
        return " ".join(repr(complex(v)).strip("()") for v in flat)
    return " ".join(repr(v.item()) for v in flat)


# Everything the tests saw the project say (results, error messages, a run's output),
# for conftest's check that no test passes over an internal error unnoticed.
SHOWN = []


def shown(*texts):
    SHOWN.extend(text for text in texts if text)
    return texts[0] if len(texts) == 1 else texts


class TclSession:
    def __init__(self):
        self.tk, self.engine = interp.create()

    def close(self):
        """Free the session's MPI communicators (a process may hold ~2000) and the
        interpreter with its tensors (~2 MiB a session otherwise kept to the end)."""
        interp.release(self.tk, self.engine)

    def eval(self, script):
        try:
            return shown(self.tk.eval(script))
        except tkinter.TclError as exc:
            shown(str(exc))
            raise

    def error(self, script):
        """The message of the Tcl error ``script`` raises (caught in Tcl, as a script would)."""
        self.tk.setvar("script", script)
        code = self.tk.eval("catch {uplevel #0 $script} message")
        assert code == "1", f"expected a Tcl error from: {script}"
        return shown(self.tk.getvar("message"))

    def error_detail(self, script):
        """What is wrong, in the spec's words: the first line of errorInfo of the error
        ``script`` raises. It is the message itself for the spec's commands; a command of
        the extension's gives the extension's shorter words as the message (see
        test_parser.py)."""
        self.error(script)
        return shown(self.tk.getvar("errorInfo").splitlines()[0])

    def create(self, array, dtype):
        """A tensor handle holding ``array`` (any shape), built through tensor_create."""
        array = np.asarray(array)
        shape = " ".join(map(str, array.shape))
        return self.eval(f"torch::tensor_create {{{tcl_list(array)}}} {{{shape}}} {dtype}")

    def read(self, handle, dtype):
        """The tensor behind a handle, through tensor_shape and tensor_to_list."""
        shape = [int(d) for d in self.tk.splitlist(self.eval(f"torch::tensor_shape {handle}"))]
        items = self.tk.splitlist(self.eval(f"torch::tensor_to_list {handle}"))
        if dtype == "bool":
            values = [v == "1" for v in items]
        elif dtype.startswith("complex"):
            values = [complex(v) for v in items]
        elif dtype == "bfloat16":  # shortest text names a bfloat16 once rounded to it: "2.67"
            rounded = torch.tensor([float(v) for v in items], dtype=torch.float64).to(torch.bfloat16)
            return rounded.float().numpy().reshape(shape)
        else:
            values = [float(v) if dtype.startswith("float") else int(v) for v in items]
        return np.asarray(values, dtype=NUMPY[dtype]).reshape(shape)


def same_state(ours, theirs):
    """Two torch modules hold the same state dict: names, order and values exactly."""
    mine, expected = ours.state_dict(), theirs.state_dict()
    assert list(mine) == list(expected)
    for key in expected:
        torch.testing.assert_close(mine[key], expected[key], rtol=0, atol=0)


TclError = tkinter.TclError
