"""Reductions and statistics: sums, means and the like, overall or along dimensions;
running (cumulative) values, differences and gradients.

Where torch gives values and indices (max, median, kthvalue, cummax), the extension's
commands give the values alone, and so do these: scripts use the result as one handle.
"""

from tkinter import TclError

import torch

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import INPUT_FIRST as TENSOR, REDUCTIONS, TENSOR as UNIQUE_TENSOR  # -tensor first, as tensor_unique's messages say
from ..spec import Command, Param
from ..tensor_commands import torch_call


def _floating(name, tensor):
    if dtypes.is_integral(tensor.dtype):
        raise CommandError(f"{name}: needs a floating-point tensor, got {dtypes.DISPLAY[tensor.dtype]}; "
                           "convert it with torch::tensor_to")


DIM = Param("dim", "int", doc="Dimension to reduce (negative counts from the end)", named=("-dim", "-dimension"))
OPTIONAL_DIM = Param("dim", "int", None, "Dimension to reduce; all elements when not given",
                     named=("-dim", "-dimension"))
KEEPDIM = Param("keepdim", "bool", 0, "Keep the reduced dimension, with size 1", named=("-keepdim", "-keepDim"))
UNBIASED = Param("unbiased", "bool", 1, "Divide by n-1 (Bessel's correction); 0: by n")


class ReductionCommands:
    def _nonempty(self, name, tensor, dim=None):
        """A reduction that picks an element needs one. A dim out of range is said in
        torch's words (Dimension out of range ...), which the extension's scripts match."""
        if dim is None:
            if tensor.numel() == 0:
                raise CommandError(f"{name}: the tensor has no elements")
            return
        count = max(tensor.dim(), 1)
        if not -count <= dim < count:
            raise CommandError(f"{name}: Dimension out of range (expected to be in range of "
                               f"[{-count}, {count - 1}], but got {dim})")
        if self._size(tensor, dim) == 0:
            raise CommandError(f"{name}: dimension {dim} has size 0")

    # ---- overall, or along one dimension ----

    def tensor_mean(self, tensor, dim):
        dtypes.check_mean(tensor.dtype, "tensor_mean")
        return torch_call("tensor_mean", torch.mean, tensor) if dim is None else \
            torch_call("tensor_mean", torch.mean, tensor, self._dims(tensor, dim))

    def extreme(self, name, function, tensor, dim):
        """tensor_max, tensor_min and tensor_median: overall, or the values along dim."""
        self._nonempty(name, tensor, dim)
        return torch_call(name, function, tensor) if dim is None else torch_call(name, function, tensor, dim).values

    def tensor_mode(self, tensor, dim):
        self._nonempty("tensor_mode", tensor, dim)
        # torch.mode takes the last dimension by default; the extension's default is
        # the most frequent of all elements.
        source, dim = (tensor.reshape(-1), 0) if dim is None else (tensor, dim)
        return torch_call("tensor_mode", torch.mode, source, dim).values

    def tensor_quantile(self, tensor, q, dim):
        if not 0 <= q <= 1:
            raise CommandError(f"Invalid q: expected a number in 0 .. 1, got {q}")
        _floating("tensor_quantile", tensor)
        self._nonempty("tensor_quantile", tensor)
        if dim is not None:
            self._nonempty("tensor_quantile", tensor, dim)
        return torch_call("tensor_quantile", torch.quantile, tensor, q, dim)

    def spread(self, name, function, tensor, dim, unbiased, keepdim):
        """tensor_var, std_dim and var_dim: name and torch function fixed in the
        declaration (Command.fixed); tensor_std, which has no keepdim, calls it."""
        _floating(name, tensor)
        if dim is None:
            return torch_call(name, function, tensor, dim=None, unbiased=unbiased, keepdim=keepdim)
        return torch_call(name, function, tensor, self._dims(tensor, dim), unbiased=unbiased, keepdim=keepdim)

    def tensor_std(self, tensor, dim, unbiased):
        return self.spread("tensor_std", torch.std, tensor, dim, unbiased, False)

    def mean_dim(self, tensor, dim, keepdim):
        dtypes.check_mean(tensor.dtype, "mean_dim")
        return torch_call("mean_dim", torch.mean, tensor, self._dim(tensor, dim), keepdim)

    def median_dim(self, tensor, dim, keepdim):
        self._nonempty("median_dim", tensor, dim)
        return torch_call("median_dim", torch.median, tensor, dim, keepdim).values

    def kthvalue(self, tensor, k, dim, keepdim):
        size = self._size(tensor, self._dim(tensor, dim))
        if not 1 <= k <= size:
            raise CommandError(f"Invalid k: expected 1 .. {size} (the size of dimension {dim}), got {k}")
        return torch_call("kthvalue", torch.kthvalue, tensor, k, dim, keepdim).values

    # ---- running values, differences ----

    def running(self, name, function, values_only, tensor, dim):
        """The cumulative commands; cummax and cummin keep only the values."""
        self._dim(tensor, dim)
        result = torch_call(name, function, tensor, dim)
        return result.values if values_only else result

    def diff(self, tensor, n, dim):
        if n < 0:
            raise CommandError(f"Invalid n: must not be negative, got {n}")
        if tensor.dim() == 0:
            raise CommandError("diff: needs a tensor of at least 1 dimension, got a 0-dimensional one")
        return torch_call("diff", torch.diff, tensor, n, self._dim(tensor, dim))

    def gradient(self, tensor, spacing, dim, edge_order):
        words = self.list(spacing)
        if len(words) > 1:
            raise CommandError(f"Invalid spacing: expected one number, got {{{spacing}}}")
        try:
            step = self.float(words[0]) if words else 1.0
        except (ValueError, TclError):  # not numbers: the user's
            raise CommandError(f'Invalid spacing: expected number, got "{spacing}"') from None
        if tensor.dim() == 0:
            raise CommandError("gradient: needs a tensor of at least 1 dimension, got a 0-dimensional one")
        size = self._size(tensor, self._dim(tensor, dim))
        if edge_order not in (1, 2):
            raise CommandError(f"Invalid edgeOrder: expected 1 or 2, got {edge_order}")
        if size < edge_order + 1:
            raise CommandError(f"gradient: dimension {dim} has {size} elements; it needs at least "
                               f"{edge_order + 1} (edgeOrder + 1)")
        if tensor.dtype == torch.bool:
            raise CommandError("gradient: needs a numeric tensor, got Bool")
        return torch_call("gradient", torch.gradient, tensor, spacing=step, dim=dim, edge_order=edge_order)[0]

    def take_along_dim(self, tensor, indices, dim):
        if indices.dtype != torch.int64:
            raise CommandError(f"Invalid indices: expected an Int64 tensor, got {dtypes.DISPLAY[indices.dtype]}; "
                               "convert it with torch::tensor_to")
        self._same_device("indices", tensor, indices)
        if dim is None:
            flat = tensor.reshape(-1)
            if indices.numel() and not -flat.numel() <= indices.min().item() <= indices.max().item() < flat.numel():
                raise CommandError(f"Invalid indices: out of range for the {flat.numel()} elements of the tensor")
            return torch_call("take_along_dim", torch.take_along_dim, tensor, indices)
        self._dim(tensor, dim)
        if indices.dim() != tensor.dim():
            raise CommandError(f"Invalid indices: expected a {tensor.dim()}-dimensional tensor (as many "
                               f"dimensions as the input), got shape {tcl_list(list(indices.shape))}")
        size = self._size(tensor, dim)
        if indices.numel() and not -size <= indices.min().item() <= indices.max().item() < size:
            raise CommandError(f"Invalid indices: out of range for dimension {dim} of size {size} "
                               f"(expected 0 .. {size - 1})")
        return torch_call("take_along_dim", torch.take_along_dim, tensor, indices, dim)

    def tensor_unique(self, tensor, sorted, return_inverse):
        if not return_inverse:
            return torch_call("tensor_unique", torch.unique, tensor, sorted=sorted)
        values, inverse = torch_call("tensor_unique", torch.unique, tensor, sorted=sorted, return_inverse=True)
        # The extension's form: {unique <handle> inverse <handle>}
        return "unique", values, "inverse", inverse


def _overall(name, camel, summary, engine, *params, fixed=()):
    """tensor ?dim? ...: over all elements, or along dim."""
    return Command(name, camel, REDUCTIONS, summary, (TENSOR, OPTIONAL_DIM, *params), engine=engine, fixed=fixed)


def _along(name, camel, summary, engine, *params, fixed=()):
    """tensor dim ...: along a dimension that must be given."""
    return Command(name, camel, REDUCTIONS, summary, (TENSOR, DIM, *params), engine=engine, fixed=fixed)


C = ReductionCommands
SPREAD_DIMS = Param("dim", "dims", None, "Dimension or list of dimensions to reduce; all elements when not given",
                    named=("-dim", "-dimension"))
COMMANDS = (
    # A plain call is torch.sum itself; dim is a keyword, left out when not given
    # (torch.sum(t) costs a microsecond less than torch.sum(t, None)).
    Command("tensor_sum", "tensorSum", REDUCTIONS, "The sum of all elements, or along dimension(s)", (
        TENSOR, Param("dim", "dims", None, "Dimension or list of dimensions to sum; all elements when not given",
                      named=("-dim", "-dimension"), keyword="dim")), torch=torch.sum),
    Command("tensor_mean", "tensorMean", REDUCTIONS, "The mean of all elements, or along dimension(s) "
            "(floating dtypes)", (TENSOR, Param("dim", "dims", None, "Dimension or list of dimensions to "
                                                "average; all elements when not given",
                                                named=("-dim", "-dimension"))), engine=C.tensor_mean),
    _overall("tensor_max", "tensorMax", "The largest element, or the largest values along a dimension", C.extreme,
             fixed=("tensor_max", torch.max)),
    _overall("tensor_min", "tensorMin", "The smallest element, or the smallest values along a dimension",
             C.extreme, fixed=("tensor_min", torch.min)),
    _overall("tensor_median", "tensorMedian", "The median (the lower of the two middle values for an even count), "
             "overall or along a dimension", C.extreme, fixed=("tensor_median", torch.median)),
    _overall("tensor_mode", "tensorMode", "The most frequent value (the smallest of ties), overall or along a "
             "dimension", C.tensor_mode),
    Command("tensor_quantile", "tensorQuantile", REDUCTIONS, "The q-th quantile (linear interpolation), overall "
            "or along a dimension", (
                TENSOR, Param("q", "double", doc="Quantile, 0 .. 1 (0.5: the median)", named=("-q", "-quantile")),
                OPTIONAL_DIM), engine=C.tensor_quantile),
    Command("tensor_std", "tensorStd", REDUCTIONS, "The standard deviation, overall or along dimension(s)",
            (TENSOR, SPREAD_DIMS, UNBIASED), engine=C.tensor_std),
    Command("tensor_var", "tensorVar", REDUCTIONS, "The variance, overall or along dimension(s)",
            (TENSOR, SPREAD_DIMS, UNBIASED, KEEPDIM), engine=C.spread, fixed=("tensor_var", torch.var)),
    _along("std_dim", "stdDim", "The standard deviation along a dimension", C.spread, UNBIASED, KEEPDIM,
           fixed=("std_dim", torch.std)),
    _along("var_dim", "varDim", "The variance along a dimension", C.spread, UNBIASED, KEEPDIM,
           fixed=("var_dim", torch.var)),
    _along("mean_dim", "meanDim", "The mean along a dimension (floating dtypes)", C.mean_dim, KEEPDIM),
    _along("median_dim", "medianDim", "The median values along a dimension", C.median_dim, KEEPDIM),
    Command("kthvalue", "kthvalue", REDUCTIONS, "The k-th smallest values along a dimension", (
        TENSOR, Param("k", "int", doc="Which smallest: 1 is the smallest (1 .. size of dim)"),
        DIM, KEEPDIM), aliases=("kthValue",), engine=C.kthvalue),
    *(Command(name, name, REDUCTIONS, summary, (TENSOR, DIM), aliases=(alias,), engine=C.running,
              fixed=(name, function, values_only))
      for name, alias, summary, function, values_only in (
          ("cumsum", "cumSum", "Running sums along a dimension", torch.cumsum, False),
          ("cumprod", "cumProd", "Running products along a dimension", torch.cumprod, False),
          ("cummax", "cumMax", "Running maxima along a dimension (the values)", torch.cummax, True),
          ("cummin", "cumMin", "Running minima along a dimension (the values)", torch.cummin, True))),
    Command("diff", "diff", REDUCTIONS, "The n-th forward difference along a dimension", (
        TENSOR, Param("n", "int", 1, "How many times to take the difference"),
        Param("dim", "int", -1, "Dimension; the last by default", named=("-dim", "-dimension"))), engine=C.diff),
    Command("gradient", "gradient", REDUCTIONS, "The numerical derivative along a dimension (central differences)", (
        TENSOR, Param("spacing", "text", "", "Distance between samples; {} or not given: 1"),
        Param("dim", "int", -1, "Dimension; the last by default", named=("-dim", "-dimension")),
        Param("edgeOrder", "int", 1, "Accuracy at the ends: 1 or 2", named=("-edgeOrder", "-edge_order"),
              named_only=True)), aliases=("gradientCmd",), engine=C.gradient),
    Command("take_along_dim", "takeAlongDim", REDUCTIONS, "The elements at the given indices along a dimension "
            "(of the flattened tensor when dim is not given)", (
                TENSOR, Param("indices", "tensor", doc="Handle of an Int64 tensor of indices"),
                Param("dim", "int", None, "Dimension; the flattened tensor when not given",
                      named=("-dim", "-dimension"))), engine=C.take_along_dim),
    Command("tensor_unique", "tensorUnique", REDUCTIONS, "The distinct values; with returnInverse, "
            "{unique <handle> inverse <handle>}", (
                UNIQUE_TENSOR, Param("sorted", "bool", 1, "In ascending order"),
                Param("returnInverse", "bool", 0, "Also the index of each element's value in the result",
                      named=("-returnInverse", "-return_inverse"))), engine=C.tensor_unique),
)
