"""Shape, layout and indexing: the same elements in another shape or order, tensors
joined or split, and elements picked or set by index."""

from tkinter import TclError

import torch

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import SHAPE, TENSOR
from ..spec import Command, Param
from ..tensor_commands import torch_call
from .routing import RoutingCommands

INPUT_TENSOR = Param("input", "tensor", doc="Handle of the input tensor", named=("-input", "-tensor"))
# A list of handles: several words (t1 t2 t3), one word that is a list ([list $t1 $t2]), or -tensors
TENSORS = Param("tensors", "handles", doc="Tensor handles: several words, or one list of them",
                named=("-tensors", "-inputs"), rest=True)
# The extension's split commands take one word: a number of sections, or a list of indices
SECTIONS = Param("sections", "ints", None, "Number of equal sections (one integer), or the indices "
                 "to split before (a list)", named=("-sections",), required_positionally=True)
INDICES = Param("indices", "ints", None, "The indices to split before (a list, even of one)", named_only=True)


def _shaped(name, camel, summary, engine, aliases=()):
    return Command(name, camel, SHAPE, summary, (INPUT_TENSOR,), engine=engine, aliases=aliases)


def _joined(name, camel, summary, engine, aliases=(), fixed=()):
    return Command(name, camel, SHAPE, summary, (TENSORS,), engine=engine, aliases=aliases, fixed=fixed)


def _stacked(name, camel, summary, function, aliases=()):
    """A joining command that is its torch function after the check of its tensors."""
    return _joined(name, camel, summary, C.stacked, aliases, fixed=(name, function))


def _split(name, camel, summary, function, least, aliases=()):
    """hsplit, vsplit and dsplit: a tensor of at least ``least`` dimensions."""
    return Command(name, camel, SHAPE, summary, (INPUT_TENSOR, SECTIONS, INDICES), engine=C.split_by,
                   fixed=(name, function, least), aliases=aliases, usage="tensor sections_or_indices")


class ShapeCommands:
    # ---- helpers ----

    def _shape_tensors(self, words, command):
        """The tensors of a handles parameter whose words may each be a list of handles."""
        names = [name for word in words for name in self.list(word)]
        if not names:
            raise CommandError(f"Invalid tensors: {command} needs at least 1 tensor handle")
        return [self.tensor(name) for name in names]

    def _shape_dims(self, tensor, dims, name="dims"):
        for dim in dims:
            self._dim(tensor, dim, name)
        normal = [d % max(tensor.dim(), 1) for d in dims]
        if len(set(normal)) != len(normal):
            raise CommandError(f"Invalid {name}: {tcl_list(dims)} names a dimension twice")
        return dims

    @staticmethod
    def _shape_same_dtype(command, tensors):
        kinds = {t.dtype for t in tensors}
        if len(kinds) > 1:
            names = ", ".join(sorted(dtypes.DISPLAY[k] for k in kinds))
            raise CommandError(f"{command}: the tensors have different dtypes ({names}); "
                               "convert them with torch::tensor_to")

    # ---- one tensor, another shape ----

    def tensor_reshape(self, tensor, shape):
        try:
            return tensor.reshape(shape)
        except RuntimeError:
            raise CommandError(f"Invalid shape: {tcl_list(shape)} cannot hold "
                               f"the {tensor.numel()} elements of the tensor") from None

    def tensor_permute(self, tensor, dims):
        if sorted(d % tensor.dim() if tensor.dim() else d for d in dims) != list(range(tensor.dim())):
            raise CommandError(f"Invalid dims: {tcl_list(dims)} is not a permutation "
                               f"of the {tensor.dim()} dimensions of the tensor")
        # A view: collectives take non-contiguous tensors as they are.
        return tensor.permute(dims)

    def atleast_1d(self, input):
        return torch.atleast_1d(input)

    def atleast_2d(self, input):
        return torch.atleast_2d(input)

    def atleast_3d(self, input):
        return torch.atleast_3d(input)

    def tensor_contiguous(self, input):
        return input.contiguous()

    def tensor_is_contiguous(self, input):
        return input.is_contiguous()

    def tensor_expand(self, input, sizes):
        return torch_call("tensor_expand", input.expand, sizes)

    def tensor_repeat(self, input, repeats):
        if len(repeats) < input.dim():
            raise CommandError(f"Invalid repeats: give at least one count per dimension of the tensor "
                               f"({input.dim()}), got {tcl_list(repeats)}")
        if any(r < 0 for r in repeats):
            raise CommandError(f"Invalid repeats: counts must not be negative, got {tcl_list(repeats)}")
        return input.repeat(repeats)

    def squeeze_multiple(self, input, dims):
        if dims is None:
            return input.squeeze()
        # torch keeps a listed dimension whose size is not 1, as the extension does
        return input.squeeze(tuple(self._shape_dims(input, dims)))

    def unsqueeze_multiple(self, input, dims):
        if not dims:
            raise CommandError("Invalid dims: give at least one position for a new dimension")
        # As the extension: torch's unsqueeze once per position, from the highest value down,
        # each on the tensor as it is then, so that {0 2} on a {2 3} tensor gives {1 2 3 1}
        # and {-1 -3} gives {2 1 3 1} (not numpy's expand_dims).
        for dim in sorted(dims, reverse=True):
            count = input.dim() + 1
            if not -count <= dim < count:
                raise CommandError(f"Invalid dims: {dim} is out of range for a {input.dim()}-dimensional tensor "
                                   f"(expected {-count} .. {count - 1})")
            input = input.unsqueeze(dim)
        return input

    def flip(self, input, dims):
        if not dims:
            raise CommandError("Invalid dims: give at least one dimension to flip")
        return torch.flip(input, self._shape_dims(input, dims))

    def roll(self, input, shifts, dims):
        if dims is None:
            if len(shifts) != 1:
                raise CommandError(f"Invalid shifts: without dims give one shift, got {tcl_list(shifts)}")
            return torch.roll(input, shifts)
        if len(shifts) != len(dims):
            raise CommandError(f"Invalid dims: give one dimension per shift ({len(shifts)}), got {tcl_list(dims)}")
        for dim in dims:
            self._dim(input, dim)
        return torch_call("roll", torch.roll, input, shifts, dims)

    def rot90(self, input, k, dims):
        if len(dims) != 2:
            raise CommandError(f"Invalid dims: expected two dimensions (the plane to rotate in), got {tcl_list(dims)}")
        if input.dim() < 2:
            raise CommandError(f"Invalid input: rot90 needs at least 2 dimensions, got {input.dim()}")
        self._shape_dims(input, dims)
        return torch.rot90(input, k, dims)

    def narrow_copy(self, input, dim, start, length):
        self._dim(input, dim)
        size = self._size(input, dim)
        if not -size <= start <= size:
            raise CommandError(f"Invalid start: {start} is out of range for dimension {dim} of size {size}")
        if start < 0:
            start += size
        if length < 0 or start + length > size:
            raise CommandError(f"Invalid length: {length} elements from {start} do not fit in dimension {dim} "
                               f"of size {size}")
        return input.narrow_copy(dim, start, length)

    def tensor_slice(self, input, dim, start, end, step):
        if input.dim() == 0:
            raise CommandError("Invalid input: a 0-dimensional tensor has no dimension to slice")
        self._dim(input, dim)
        if step <= 0:
            raise CommandError(f"Invalid step: must be positive, got {step}")
        # Python's slice rules: negative positions count from the end, out-of-range ones are clipped
        return input[(slice(None),) * (dim % input.dim()) + (slice(start, end, step),)]

    def tensor_masked_fill(self, tensor, mask, value):
        if mask.dtype != torch.bool:
            raise CommandError(f"Invalid mask: expected a Bool tensor, got {dtypes.DISPLAY[mask.dtype]}; "
                               "create it with dtype bool")
        self._same_device("mask", tensor, mask)
        return torch_call("tensor_masked_fill", torch.masked_fill, tensor, mask, value)

    # ---- several tensors ----

    def tensor_cat(self, tensors, dim):
        tensors = [self.tensor(name) for word in tensors for name in self.list(word)]
        if not tensors:
            raise CommandError("Invalid tensors: give at least one tensor handle")
        for position, tensor in enumerate(tensors):
            if tensor.dim() == 0:
                raise CommandError(f"Invalid tensors: tensor {position} of the list has no dimensions "
                                   "(reshape it to {1} first)")
        self._dim(max(tensors, key=torch.Tensor.dim), dim)
        return torch_call("tensor_cat", torch.cat, tensors, dim)

    def tensor_stack(self, tensors, dim):
        tensors = [self.tensor(name) for word in tensors for name in self.list(word)]
        if not tensors:
            raise CommandError("Invalid tensors: give at least one tensor handle")
        count = tensors[0].dim() + 1
        if not -count <= dim < count:
            raise CommandError(f"Invalid dim: {dim} is out of range for stacking {count - 1}-dimensional tensors "
                               f"(expected {-count} .. {count - 1})")
        return torch_call("tensor_stack", torch.stack, tensors, dim)

    def stacked(self, command, function, tensors):
        """hstack, vstack, row_stack, dstack and column_stack."""
        return torch_call(command, function, self._shape_tensors(tensors, command))

    def broadcast_tensors(self, tensors):
        # contiguous: each result a tensor of its own, not a view of its input
        expanded = self.stacked("broadcast_tensors", lambda ts: torch.broadcast_tensors(*ts), tensors)
        return tuple(t.contiguous() for t in expanded)

    def meshgrid(self, tensors):
        tensors = self._shape_tensors(tensors, "meshgrid")
        for position, tensor in enumerate(tensors):
            if tensor.dim() > 1:
                raise CommandError(f"Invalid tensors: tensor {position} of the list is not 1-dimensional "
                                   f"(shape {tcl_list(list(tensor.shape))})")
        self._shape_same_dtype("meshgrid", tensors)
        return tuple(t.contiguous() for t in torch.meshgrid(*tensors, indexing="ij"))

    def cartesian_prod(self, tensors):
        tensors = self._shape_tensors(tensors, "cartesian_prod")
        for position, tensor in enumerate(tensors):
            if tensor.dim() != 1:
                raise CommandError(f"Invalid tensors: tensor {position} of the list is not 1-dimensional "
                                   f"(shape {tcl_list(list(tensor.shape))})")
        self._shape_same_dtype("cartesian_prod", tensors)
        return torch.cartesian_prod(*tensors)

    def broadcast_shapes(self, shapes):
        converted = []
        for word in shapes:
            try:
                converted.append(self.shape(word))
            except (ValueError, TclError):
                raise CommandError(f'Invalid shapes: expected list of integers, got "{word}"') from None
        shapes = converted
        return tuple(torch_call("broadcast_shapes", torch.broadcast_shapes, *shapes))

    def combinations(self, input, r, with_replacement):
        if r < 0:
            raise CommandError(f"Invalid r: must not be negative, got {r}")
        # The elements in order, whatever the shape (as the extension reads them)
        return torch.combinations(input.reshape(-1), r, with_replacement)

    # ---- splits: a Tcl list of handles ----

    def split_by(self, command, function, least, input, sections, indices):
        """hsplit, vsplit and dsplit, with command, torch function and least fixed in the
        declaration (Command.fixed); tensor_split calls it."""
        if input.dim() < least:
            raise CommandError(f"Invalid input: {command} needs a tensor of at least {least} dimension"
                               f"{'s' if least > 1 else ''}, got {input.dim()}")
        if sections is not None and indices is not None:
            raise CommandError("Invalid sections: give sections or indices, not both")
        if sections is None and indices is None:
            raise CommandError("Required parameters missing: -sections (or -indices)")
        if indices is None:
            if len(sections) == 1:
                if sections[0] <= 0:
                    raise CommandError(f"Invalid sections: must be positive, got {sections[0]}")
                return tuple(torch_call(command, function, input, sections[0]))
            indices = sections
        return tuple(torch_call(command, function, input, indices))

    def tensor_split(self, input, sections, dim, indices):
        self._dim(input, dim)
        return self.split_by("tensor_split", lambda t, s: torch.tensor_split(t, s, dim), 1,
                             input, sections, indices)

    # ---- indexing ----

    def _shape_index_tensor(self, name, index):
        if index.dtype not in (torch.int64, torch.int32):
            raise CommandError(f"Invalid {name}: expected an Int64 or Int32 tensor, got {dtypes.DISPLAY[index.dtype]}; "
                               "convert it with torch::tensor_to")

    def tensor_advanced_index(self, tensor, indices):
        indices = [self.tensor(name) for word in indices for name in self.list(word)]
        if not indices:
            raise CommandError("Invalid indices: give at least one index tensor handle")
        if len(indices) > max(tensor.dim(), 1):
            raise CommandError(f"Invalid indices: {len(indices)} index tensors for a {tensor.dim()}-dimensional tensor")
        for index in indices:
            self._shape_index_tensor("indices", index)
            self._same_device("indices", tensor, index)
        return torch_call("tensor_advanced_index", tensor.__getitem__, tuple(indices))

    def gather_nd(self, input, indices):
        self._shape_index_tensor("indices", indices)
        self._same_device("indices", input, indices)
        if input.dim() == 0:
            raise CommandError("Invalid input: a 0-dimensional tensor has no dimension to gather along")
        return torch_call("gather_nd", input.__getitem__, indices)

    def scatter_nd(self, input, indices, updates):
        self._shape_index_tensor("indices", indices)
        self._same_device("indices", input, indices)
        self._same_device("updates", input, updates)
        if input.dim() == 0:
            raise CommandError("Invalid input: a 0-dimensional tensor has no dimension to scatter along")
        if updates.dtype != input.dtype:
            raise CommandError(f"Invalid updates: its dtype is {dtypes.DISPLAY[updates.dtype]}, the input's "
                               f"{dtypes.DISPLAY[input.dtype]}; convert one with torch::tensor_to")
        return torch_call("scatter_nd", torch.index_put, input, (indices,), updates)


C = ShapeCommands
DIMS = Param("dims", "ints", doc="Dimensions, e.g. {0 1}", named=("-dims", "-dimensions"))
COMMANDS = (
    Command("tensor_reshape", "tensorReshape", SHAPE, "The same elements in another shape",
            (TENSOR, Param("shape", "ints", doc="New dimensions; one may be -1")), engine=C.tensor_reshape),
    Command("tensor_permute", "tensorPermute", SHAPE, "A view with the dimensions reordered",
            (TENSOR, Param("dims", "ints", doc="The new order of the dimensions")), engine=C.tensor_permute),
    _shaped("atleast_1d", "atleast1D", "The tensor with at least 1 dimension (a 0-d one becomes {1})", C.atleast_1d,
            ("atleast1d",)),
    _shaped("atleast_2d", "atleast2D", "The tensor with at least 2 dimensions (new ones of size 1 in front)",
            C.atleast_2d, ("atleast2d",)),
    _shaped("atleast_3d", "atleast3D", "The tensor with at least 3 dimensions (as torch.atleast_3d)", C.atleast_3d,
            ("atleast3d",)),
    _shaped("tensor_contiguous", "tensorContiguous", "The tensor with its elements laid out in order in memory",
            C.tensor_contiguous),
    _shaped("tensor_is_contiguous", "tensorIsContiguous", "1 if the tensor's elements are laid out in order, else 0",
            C.tensor_is_contiguous),
    Command("tensor_expand", "tensorExpand", SHAPE, "A view with size-1 dimensions repeated to a larger shape", (
        INPUT_TENSOR, Param("sizes", "ints", doc="The new shape; -1 keeps a dimension's size",
                            named=("-sizes", "-shape"))), engine=C.tensor_expand),
    Command("tensor_repeat", "tensorRepeat", SHAPE, "The tensor tiled: repeated along each dimension", (
        INPUT_TENSOR, Param("repeats", "ints", doc="How many times along each dimension (at least one "
                            "per dimension; more add leading dimensions)")), engine=C.tensor_repeat),
    Command("squeeze_multiple", "squeezeMultiple", SHAPE, "The tensor without its size-1 dimensions (all, or those listed)", (
        Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input"), arg="input"),
        Param("dims", "ints", None, "Dimensions to remove; one whose size is not 1 stays. All size-1 "
              "dimensions when not given")), engine=C.squeeze_multiple),
    Command("unsqueeze_multiple", "unsqueezeMultiple", SHAPE, "The tensor with size-1 dimensions inserted", (
        Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input"), arg="input"),
        Param("dims", "ints", doc="Positions for the new dimensions, applied from the highest value down "
              "(each as torch's unsqueeze)")), engine=C.unsqueeze_multiple),
    Command("flip", "flip", SHAPE, "The tensor with the order of elements reversed along dimensions",
            (INPUT_TENSOR, DIMS), engine=C.flip, aliases=("Flip",)),
    Command("roll", "roll", SHAPE, "The elements shifted cyclically along dimensions (or the flattened tensor)", (
        INPUT_TENSOR.naming_role(), Param("shifts", "ints", doc="Places to shift by, one per dimension"),
        Param("dims", "ints", None, "Dimensions to shift along; the flattened tensor when not given")),
            engine=C.roll),
    Command("rot90", "rot90", SHAPE, "The tensor rotated by k times 90 degrees in the plane of two dimensions", (
        INPUT_TENSOR, Param("k", "int", 1, "Number of quarter turns (from the first dim towards the second)"),
        Param("dims", "ints", "0 1", "The two dimensions of the plane")), engine=C.rot90, aliases=("Rot90",)),
    Command("narrow_copy", "narrowCopy", SHAPE, "A copy of length entries from start along a dimension", (
        INPUT_TENSOR.naming_role(), Param("dim", "int", doc="Dimension to narrow"),
        Param("start", "int", doc="First entry (negative: from the end)"),
        Param("length", "int", doc="Number of entries")), engine=C.narrow_copy),
    Command("tensor_slice", "tensorSlice", SHAPE, "The entries start, start+step, ... before end along a dimension", (
        Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input"), arg="input"),
        Param("dim", "int", doc="Dimension to slice", named=("-dim", "-dimension")),
        Param("start", "int", doc="First entry (negative: from the end)"),
        Param("end", "int", None, "Entry to stop before (negative: from the end); the end when not given"),
        Param("step", "int", 1, "Distance between entries (positive)")), engine=C.tensor_slice),
    Command("tensor_masked_fill", "tensorMaskedFill", SHAPE, "A copy with value where mask is true", (
        Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input")),
        Param("mask", "tensor", doc="Handle of a Bool tensor that broadcasts to the tensor's shape"),
        Param("value", "number", doc="Value to put where the mask is true")), engine=C.tensor_masked_fill),
    Command("tensor_cat", "tensorCat", SHAPE, "Tensors joined along an existing dimension", (
        Param("tensors", "handles", doc="List of tensor handles to join, in order"),
        Param("dim", "int", doc="Dimension to join along")), engine=C.tensor_cat),
    Command("tensor_stack", "tensorStack", SHAPE, "Tensors of one shape joined along a new dimension", (
        Param("tensors", "handles", doc="List of tensor handles to stack, in order"),
        Param("dim", "int", doc="Position of the new dimension", required_positionally=True, default=0)),
            engine=C.tensor_stack),
    _stacked("hstack", "hstack", "Tensors joined column-wise (1-d ones end to end)", torch.hstack, ("hStack",)),
    _stacked("vstack", "vstack", "Tensors joined row-wise (1-d ones as rows)", torch.vstack, ("vStack",)),
    _stacked("row_stack", "rowStack", "Tensors joined row-wise, as vstack", torch.vstack),
    _stacked("dstack", "dstack", "Tensors joined along the third dimension (made at least 3-d)", torch.dstack, ("dStack",)),
    _stacked("column_stack", "columnStack", "Tensors joined as columns (1-d ones as columns)", torch.column_stack),
    _joined("broadcast_tensors", "broadcastTensors", "The tensors expanded to their common shape: a list of handles",
            C.broadcast_tensors),
    _joined("meshgrid", "meshgrid", "Coordinate grids of 1-d tensors (ij indexing): a list of handles",
            C.meshgrid, ("meshGrid",)),
    _joined("cartesian_prod", "cartesianProd", "The cartesian product of 1-d tensors: one row per combination",
            C.cartesian_prod),
    Command("broadcast_shapes", "broadcastShapes", SHAPE, "The shape that shapes broadcast to (a list of integers)", (
        Param("shapes", "handles", doc="Shapes, each a list of integers", named=("-shapes",), rest=True),),
            engine=C.broadcast_shapes),
    Command("combinations", "combinations", SHAPE, "The r-element combinations of a tensor's elements, one per row", (
        INPUT_TENSOR, Param("r", "int", 2, "Elements per combination"),
        Param("with_replacement", "bool", 0, "Let an element occur more than once in a combination",
              named=("-with_replacement", "-replacement", "-withReplacement"))), engine=C.combinations),
    Command("tensor_split", "tensorSplit", SHAPE, "The tensor split into sections or at indices: a list of handles", (
        INPUT_TENSOR, SECTIONS, Param("dim", "int", 0, "Dimension to split along", named=("-dim", "-dimension")),
        INDICES),
            engine=C.tensor_split, usage="tensor sections_or_indices ?dim?"),
    _split("hsplit", "hsplit", "The tensor split along its columns (dim 1; 0 if 1-d): a list of handles",
           torch.hsplit, 1, ("hSplit",)),
    _split("vsplit", "vsplit", "The tensor split along its rows (dim 0): a list of handles", torch.vsplit, 2,
           ("vSplit",)),
    _split("dsplit", "dsplit", "The tensor split along its depth (dim 2): a list of handles", torch.dsplit, 3,
           ("dSplit",)),
    Command("tensor_index_select", "tensorIndexSelect", SHAPE, "The entries at the given indices along a dimension", (
        Param("tensor", "tensor", doc="Handle of the input tensor", named=("-input", "-tensor")),
        Param("dim", "int", doc="Dimension to index", named=("-dim", "-dimension")),
        Param("index", "tensor", doc="Handle of a 1-dimensional Int64 or Int32 tensor of indices",
              named=("-indices", "-index"))), engine=RoutingCommands.index_select),
    Command("tensor_advanced_index", "tensorAdvancedIndex", SHAPE, "Elements picked by index tensors, one per "
            "leading dimension (as tensor[i, j] in torch)", (
                Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input")),
                Param("indices", "handles", doc="List of Int64 or Int32 index tensor handles, one per leading "
                      "dimension; they broadcast together")), engine=C.tensor_advanced_index),
    Command("gather_nd", "gatherNd", SHAPE, "The entries of input at the indices along dimension 0 (input[indices])", (
        Param("input", "tensor", doc="Handle of the source tensor", named=("-input", "-tensor")),
        Param("indices", "tensor", doc="Handle of an Int64 or Int32 tensor of indices")), engine=C.gather_nd),
    Command("scatter_nd", "scatterNd", SHAPE, "A copy of input with updates put at the indices along dimension 0", (
        Param("input", "tensor", doc="Handle of the tensor to put into", named=("-input", "-tensor")),
        Param("indices", "tensor", doc="Handle of an Int64 or Int32 tensor of indices"),
        Param("updates", "tensor", doc="Handle of the values to put (one entry per index)")), engine=C.scatter_nd),
)
