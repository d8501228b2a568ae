"""Autograd: which tensors record their history, the backward pass and gradients, the
grad mode switch, and torch.autograd.functional / torch.func transforms (jacobian,
hessian, vjp, jvp, vmap, gradcheck, functional_call) of a function written in Tcl.

A function is a Tcl command prefix (a proc's name, or a command with its first words,
e.g. {torch::tensor_mul $w}): it is called with one tensor handle per
input appended and returns one tensor handle. It runs in the caller's context (as
`eval` would) each time torch evaluates the function; the tensor handles made while
the command runs (the function's arguments and intermediates) are released when it
returns, since torch's transforms give the function tensors that must not outlive them
(vmap's batched tensors)."""

from contextlib import contextmanager
from tkinter import TclError

import torch

from ..errors import CommandError, first_line
from ..params import AUTOGRAD, TENSOR
from ..spec import Command, Param, camel

OK = "ok"  # what the extension's grad mode switches return


def _recording(tensor):
    if not tensor.requires_grad:
        raise CommandError("Tensor does not require gradients")
    return tensor


def _positive(name, value):
    if not value > 0:
        raise CommandError(f"Invalid {name}: must be positive, got {value}")
    return value


def _handles(count):
    return f"{count} tensor handle{'s' if count != 1 else ''}"


def _one_or_all(values):
    """One tensor as itself, several as a tuple: torch's forms for one or several inputs."""
    return values[0] if len(values) == 1 else tuple(values)


class AutogradCommands:
    # ---- the three tensor commands ----

    def tensor_requires_grad(self, tensor):
        return tensor.requires_grad

    def tensor_backward(self, tensor, gradient, retain_graph, create_graph):
        _recording(tensor).backward(gradient, retain_graph, create_graph)
        return "OK"

    def tensor_grad(self, tensor):
        gradient = _recording(tensor).grad
        if gradient is None:
            raise CommandError("No gradient computed yet")
        return gradient  # the gradient itself: later backward passes add to it

    # ---- grad mode: one switch, per thread in torch; every Tcl command runs in this one ----

    def enable_grad(self):
        torch.set_grad_enabled(True)
        return OK

    def no_grad(self):
        torch.set_grad_enabled(False)
        return OK

    def set_grad_enabled(self, enabled):
        torch.set_grad_enabled(enabled)
        return OK

    def is_grad_enabled(self):
        return torch.is_grad_enabled()

    # ---- gradients of tensors already computed ----

    def grad(self, outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused):
        outputs, inputs = [self.tensor(h) for h in outputs], [self.tensor(h) for h in inputs]
        if not outputs or not inputs:
            raise CommandError(f"Invalid {'outputs' if not outputs else 'inputs'}: expected at least one tensor handle")
        given = None if grad_outputs is None else [self.tensor(h) for h in grad_outputs]
        if given is not None and len(given) != len(outputs):
            raise CommandError(f"Invalid grad_outputs: expected {_handles(len(outputs))} (one per output), "
                               f"got {len(given)}")
        # An unused input's gradient is zeros (materialized), not a missing value.
        gradients = torch.autograd.grad(outputs, inputs, given, retain_graph, create_graph,
                                        allow_unused=allow_unused, materialize_grads=allow_unused)
        return _one_or_all(gradients)

    # ---- transforms of a function written in Tcl ----

    def _function(self, command, func):
        """The Tcl command prefix ``func`` as a Python function of tensors (one result)."""
        if not func.strip():
            raise CommandError('Required parameters missing: -func (a Tcl command is required, got "")')
        try:
            words = self.tk.splitlist(func)
        except TclError as exc:
            raise CommandError(f'Invalid func: expected a Tcl command prefix (a list), got "{func}": '
                               f"{first_line(exc)}") from None
        if not self.tk.eval(self.tk.call("format", "%s", ("namespace", "which", "-command", words[0]))):
            raise CommandError(f'Invalid func: expected a Tcl command (a proc taking tensor handles and returning '
                               f'a tensor handle), got "{func}"')

        def call(*tensors):
            names = [self.tensors.add(t) for t in tensors]
            try:
                text = self.tk.eval(self.tk.call("format", "%s", (*words, *names)))
            except TclError as exc:
                raise CommandError(f"{command}: the function {func} failed: {first_line(exc)}") from None
            result = self.tensors.find(text.strip())
            if result is None:
                raise CommandError(f'{command}: the function {func} must return a tensor handle, got "{text}"')
            return result
        call.__name__ = call.__qualname__ = words[0]  # as torch's messages name it: vmap(myproc, ...)
        return call

    @contextmanager
    def _releasing(self):
        """The tensor handles made meanwhile (the function's arguments, its intermediates) released after."""
        before = set(self.tensors.names())
        try:
            yield
        finally:
            for name in self.tensors.names():
                if name not in before:
                    self.tensors.pop(name)

    def _inputs(self, handles, what="inputs"):
        if not handles:
            raise CommandError(f"Invalid {what}: expected at least one tensor handle")
        return [self.tensor(h) for h in handles]

    def _transform(self, command, func, inputs, run):
        """``run(function, inputs)`` with the function's handles released after; torch's
        complaints about the inputs (ValueError from torch.func) as this command's."""
        inputs = self._inputs(inputs)
        function = self._function(command, func)
        with self._releasing():
            try:
                return run(function, inputs)
            except ValueError as exc:
                raise CommandError(f"{command}: {first_line(exc)}") from None

    def jacobian(self, func, inputs, create_graph, strict, vectorize):
        return self._transform("jacobian", func, inputs, lambda f, xs: torch.autograd.functional.jacobian(
            f, _one_or_all(xs), create_graph, strict, vectorize))

    def hessian(self, func, inputs, create_graph, strict, vectorize):
        return self._transform("hessian", func, inputs, lambda f, xs: torch.autograd.functional.hessian(
            f, _one_or_all(xs), create_graph, strict, vectorize))

    def vjp(self, func, inputs, v, create_graph, strict):
        return self._transform("vjp", func, inputs, lambda f, xs: torch.autograd.functional.vjp(
            f, _one_or_all(xs), v, create_graph, strict)[1])

    def jvp(self, func, inputs, v, create_graph, strict):
        self._inputs(inputs)
        tangents = self._inputs(v, "v")
        if len(tangents) != len(inputs):
            raise CommandError(f"Invalid v: expected {_handles(len(inputs))} (one per input), got {len(tangents)}")
        return self._transform("jvp", func, inputs, lambda f, xs: torch.autograd.functional.jvp(
            f, _one_or_all(xs), _one_or_all(tangents), create_graph, strict)[1])

    def vmap(self, func, inputs, in_dims, out_dims, randomness):
        return self._transform("vmap", func, inputs, lambda f, xs: torch.func.vmap(
            f, in_dims, out_dims, randomness)(*xs))

    def gradcheck(self, command, func, inputs, eps, atol, rtol):
        """grad_check and grad_check_finite_diff: each fixes its name in its declaration."""
        _positive("eps", eps)
        for name, value in (("atol", atol), ("rtol", rtol)):
            if not value >= 0:  # (NaN too)
                raise CommandError(f"Invalid {name}: must not be negative, got {value}")

        def run(function, tensors):
            # Finite differences mean something in double precision only (torch warns
            # otherwise): the floating inputs are checked as float64 copies.
            checked = [t.detach().to(torch.complex128 if t.is_complex() else torch.float64).requires_grad_()
                       if t.is_floating_point() or t.is_complex() else t for t in tensors]
            if not any(t.requires_grad for t in checked):
                raise CommandError(f"{command}: no input is a floating-point tensor, so there is no gradient to check")
            # Recording on for the check, as torch.autograd.functional's transforms do
            # (the mode is restored after, even on error).
            with torch.enable_grad():
                return torch.autograd.gradcheck(function, tuple(checked), eps=eps, atol=atol, rtol=rtol,
                                                raise_exception=False)
        return self._transform(command, func, inputs, run)

    def functional_call(self, func, parameters, args):
        module = func
        owned = dict(module.named_parameters())
        owned.update(module.named_buffers())
        items = self.list(parameters)
        if items and all(self.tensors.find(item) is not None for item in items):
            names = list(dict(module.named_parameters()))
            if len(items) != len(names):
                raise CommandError(f"Invalid parameters: the layer has {len(names)} parameters ({' '.join(names)}), "
                                   f"got {_handles(len(items))}")
            replaced = dict(zip(names, map(self.tensor, items)))
        else:
            if len(items) % 2:
                raise CommandError("Invalid parameters: expected a dict of parameter names and tensor handles "
                                   "(or the layer's parameters' handles in order), got an odd number of items")
            replaced = {}
            for name, handle in zip(items[::2], items[1::2]):
                if name not in owned:
                    raise CommandError(f'Invalid parameters: the layer has no parameter or buffer "{name}" '
                                       f'(it has: {" ".join(owned) or "none"})')
                replaced[name] = self.tensor(handle)
        tensors = tuple(self.tensor(h) for h in args)
        try:
            return torch.func.functional_call(module, replaced, tensors)
        except (ValueError, TypeError) as exc:
            raise CommandError(f"functional_call: {first_line(exc)}") from None


def _flag(name, doc, default=0):
    """A named-only boolean option, spelled -camelCase and -snake_case."""
    spellings = tuple(dict.fromkeys((f"-{camel(name)}", f"-{name}")))
    return Param(name, "bool", default, doc, named=spellings, named_only=True)


FUNC = Param("func", "text", doc="Tcl command prefix: called with one tensor handle per input, returns a tensor handle",
             named=("-func", "-function"))
INPUTS = Param("inputs", "handles", doc="Handle of the input tensor, or a list of handles (one per argument)",
               named=("-inputs", "-input"))
VECTOR = Param("v", "handles", doc="The vector: a tensor handle (a list of them, for several)", named=("-v", "-vector"))
CREATE_GRAPH = _flag("create_graph", "Keep the graph of the result, for higher-order derivatives")
STRICT = _flag("strict", "Fail when an output does not depend on an input (torch's strict)")
VECTORIZE = _flag("vectorize", "Compute with torch.func.vmap in one call of the function")
RETAIN_GRAPH = Param("retain_graph", "bool", None, "Keep the graph for another backward pass (default: create_graph)",
                     named=("-retainGraph", "-retain_graph"), named_only=True)
ATOL = Param("atol", "double", 1e-5, "Absolute tolerance", named_only=True)
RTOL = Param("rtol", "double", 1e-3, "Relative tolerance", named_only=True)


def _check(name, camel_case, summary, eps, positional_eps):
    return Command(name, camel_case, AUTOGRAD, summary,
                   (FUNC, INPUTS, Param("eps", "double", eps, "Finite-difference step",
                                        named=("-eps", "-epsilon"), named_only=not positional_eps), ATOL, RTOL),
                   engine=AutogradCommands.gradcheck, fixed=(name,))


C = AutogradCommands
_SWITCH = "; returns ok (the mode is global to the interpreter's thread)"
COMMANDS = (
    Command("tensor_requires_grad", "tensorRequiresGrad", AUTOGRAD, "1 if autograd records operations on a tensor",
            (TENSOR,), engine=C.tensor_requires_grad),
    Command("tensor_backward", "tensorBackward", AUTOGRAD,
            "The backward pass from a tensor: gradients accumulate in the leaves",
            (TENSOR,
             Param("gradient", "optional_tensor", None, "The output's gradient (needed for more than one element)",
                   named=("-gradient", "-grad"), named_only=True),
             RETAIN_GRAPH, CREATE_GRAPH), engine=C.tensor_backward),
    Command("tensor_grad", "tensorGrad", AUTOGRAD, "The gradient a backward pass left in a tensor", (TENSOR,),
            engine=C.tensor_grad),
    Command("enable_grad", "enableGrad", AUTOGRAD, "Turn autograd's recording on" + _SWITCH, (),
            engine=C.enable_grad),
    Command("no_grad", "noGrad", AUTOGRAD, "Turn autograd's recording off" + _SWITCH, (), engine=C.no_grad),
    Command("set_grad_enabled", "setGradEnabled", AUTOGRAD, "Turn autograd's recording on or off" + _SWITCH,
            (Param("enabled", "bool", doc="1 to record operations, 0 not to"),), engine=C.set_grad_enabled),
    Command("is_grad_enabled", "isGradEnabled", AUTOGRAD, "1 if autograd records operations now", (),
            engine=C.is_grad_enabled),
    Command("grad", "grad", AUTOGRAD, "Gradients of outputs with respect to inputs (torch.autograd.grad)",
            (Param("outputs", "handles", doc="Handle of the output tensor, or a list of handles",
                   named=("-outputs", "-output")),
             Param("inputs", "handles", doc="Handle of the input tensor, or a list of handles",
                   named=("-inputs", "-input")),
             Param("grad_outputs", "handles", None, "The outputs' gradients, one per output (needed for outputs "
                   "of more than one element)", named=("-gradOutputs", "-grad_outputs"), named_only=True),
             RETAIN_GRAPH, CREATE_GRAPH,
             _flag("allow_unused", "An input the outputs do not depend on gets zeros, not an error")),
            engine=C.grad),
    Command("jacobian", "jacobian", AUTOGRAD, "Jacobian of a Tcl function at the inputs",
            (FUNC, INPUTS, CREATE_GRAPH, STRICT, VECTORIZE), engine=C.jacobian, aliases=("Jacobian",)),
    Command("hessian", "hessian", AUTOGRAD, "Hessian of a Tcl function of one-element result at the inputs",
            (FUNC, INPUTS, CREATE_GRAPH, STRICT, VECTORIZE), engine=C.hessian),
    Command("vjp", "vjp", AUTOGRAD, "Vector-Jacobian product of a Tcl function at the inputs",
            (FUNC, INPUTS, Param("v", "tensor", doc="The vector, shaped as the function's result",
                                 named=("-v", "-vector")), CREATE_GRAPH, STRICT),
            engine=C.vjp, aliases=("vectorJacobianProduct",)),
    Command("jvp", "jvp", AUTOGRAD, "Jacobian-vector product of a Tcl function at the inputs",
            (FUNC, INPUTS, VECTOR, CREATE_GRAPH, STRICT), engine=C.jvp),
    Command("vmap", "vmap", AUTOGRAD, "A Tcl function mapped over a dimension of its inputs (torch.func.vmap)",
            (FUNC, INPUTS,
             Param("in_dims", "dims", 0, "The mapped dimension of the inputs (a list: one per input)",
                   named=("-inDims", "-in_dims"), named_only=True),
             Param("out_dims", "int", 0, "Where the mapped dimension goes in the result",
                   named=("-outDims", "-out_dims"), named_only=True),
             Param("randomness", "text", "error", "Random operations in the function: error, different or same",
                   named_only=True, choices=("error", "different", "same"))),
            engine=C.vmap, aliases=("vectorMap",)),
    _check("grad_check", "gradCheck", "1 if a Tcl function's gradients agree with finite differences (torch.autograd.gradcheck)",
           1e-6, False),
    _check("grad_check_finite_diff", "gradCheckFiniteDiff", "1 if a Tcl function's gradients agree with finite differences of step eps",
           1e-5, True),
    Command("functional_call", "functionalCall", AUTOGRAD,
            "A layer's forward pass with other parameters in place of its own (torch.func.functional_call)",
            (Param("func", "layer", doc="Handle of the layer", named=("-func", "-layer")),
             Param("parameters", "text", doc="Dict of parameter names and tensor handles, or the handles of all "
                   "the layer's parameters in order", named=("-parameters", "-params")),
             # (no option after it: the binder's fast path gives a rest parameter's
             # command no defaults of named-only parameters)
             Param("args", "handles", "", "Handles of the forward pass's arguments", named=("-args",), rest=True)),
            engine=C.functional_call),
)
