"""Linear algebra: products, decompositions, norms and solvers."""

import torch

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import INPUT, LINALG, OTHER
from ..spec import Command, Param
from ..tensor_commands import torch_call

# The extension's -input/-tensor spelling for the one tensor a command takes.
MATRIX = Param("input", "tensor", doc="Handle of the input tensor", named=("-input", "-tensor"))
SECOND = Param("other", "tensor", doc="Handle of the second tensor", named=("-other",))
TENSOR_FIRST = Param("tensor", "tensor", doc="Handle of the input tensor", named=("-tensor", "-input"))
# The same two, whose unknown handle is said naming its role, where the extension's
# commands say so (cross, dot, trace, diag, the matrix and vector norms, ...).
MATRIX_ROLE, SECOND_ROLE = MATRIX.naming_role(), SECOND.naming_role()
RHS = Param("B", "tensor", doc="Handle of the right-hand side B", named=("-B", "-b"), arg="b")
KEEPDIM = Param("keepdim", "bool", 0, "Keep the reduced dimensions, with size 1")
DIAGONAL = Param("diagonal", "int", 0, "Which diagonal: 0 the main one, > 0 above it, < 0 below it")
_NORMALIZE_EPS = 1e-8  # added to the norm by tensor_normalize, as the extension does


def _norm_order(name, text, what):
    """A norm order as the extension reads it: fro, nuc or a number (inf too)."""
    if text in ("fro", "nuc"):
        return text
    try:
        return float(text)
    except ValueError:
        raise CommandError(f'Invalid {name}: expected a number, fro or nuc ({what}), got "{text}"') from None


class LinalgCommands:
    def matmul(self, input, other):
        a, b = tcl_list(list(input.shape)), tcl_list(list(other.shape))
        if input.dim() == 0 or other.dim() == 0:
            raise CommandError(f"matmul: both tensors need at least one dimension, got shapes {a} and {b}")
        if input.dtype != other.dtype:
            raise CommandError(f"matmul: the dtypes differ ({dtypes.DISPLAY[input.dtype]} and "
                               f"{dtypes.DISPLAY[other.dtype]}); convert one with torch::tensor_to")
        if input.dtype == torch.bool:
            raise CommandError("matmul: Bool tensors cannot be multiplied; convert them to a number dtype first")
        inner = other.shape[0] if other.dim() == 1 else other.shape[-2]
        if input.shape[-1] != inner:
            which = "length" if other.dim() == 1 else "second-to-last dimension"
            raise CommandError(f"matmul: shapes {a} and {b} do not fit: the last dimension of input "
                               f"({input.shape[-1]}) must equal the {which} of other ({inner})")
        try:
            torch.broadcast_shapes(input.shape[:-2], other.shape[:-2])
        except RuntimeError:
            raise CommandError(f"matmul: shapes {a} and {b} do not fit: their batch dimensions "
                               f"{tcl_list(list(input.shape[:-2]))} and {tcl_list(list(other.shape[:-2]))} "
                               "do not broadcast") from None
        return torch.matmul(input, other)

    def _tensors(self, name, handles):
        if not handles:
            raise CommandError(f"{name}: expected at least one tensor handle")
        return [self.tensor(handle) for handle in handles]

    def block_diag(self, tensors):
        return torch_call("block_diag", torch.block_diag, *self._tensors("block_diag", tensors))

    def einsum(self, equation, tensors):
        return torch_call("einsum", torch.einsum, equation, *self._tensors("einsum", tensors))

    def cross(self, input, other, dim):
        if dim is None:
            # The extension's torch::cross without dim: the first dimension of size 3
            # (torch's older default, which torch now warns about).
            dim = next((i for i, size in enumerate(input.shape) if size == 3), None)
            if dim is None:
                raise CommandError(f"cross: no dimension of size 3 in input of shape {tcl_list(list(input.shape))}; "
                                   "give -dim")
        else:
            self._dim(input, dim)
        return torch_call("cross", torch.linalg.cross, input, other, dim=dim)

    def cond(self, input, p):
        order = None if p is None else _norm_order("p", p, "2 by default")
        return torch_call("cond", torch.linalg.cond, input, order)

    def matrix_norm(self, input, ord, dim, keepdim):
        order = _norm_order("ord", ord, "fro by default")
        dims = (-2, -1) if not dim else tuple(dim)
        return torch_call("matrix_norm", torch.linalg.matrix_norm, input, order, dims, keepdim)

    def vector_norm(self, input, ord, dim, keepdim):
        return torch_call("vector_norm", torch.linalg.vector_norm, input, ord, tuple(dim) if dim else None,
                              keepdim)

    def tensor_norm(self, tensor, p, dim):
        if dim is None:
            return torch_call("tensor_norm", torch.norm, tensor, p)
        return torch_call("tensor_norm", torch.norm, tensor, p, (self._dim(tensor, dim),))

    def tensor_normalize(self, tensor, p, dim):
        # The extension's formula: tensor / (norm + 1e-8), the norm over all elements
        # or along dim (kept, to broadcast).
        if dim is None:
            norm = torch_call("tensor_normalize", torch.norm, tensor.flatten(), p)
        else:
            norm = torch_call("tensor_normalize", torch.norm, tensor, p, (self._dim(tensor, dim),), True)
        return tensor / (norm + _NORMALIZE_EPS)

    def matrix_rank(self, input, tol, hermitian):
        # The extension's tol is an absolute tolerance (torch's atol, rtol 0).
        return torch_call("matrix_rank", torch.linalg.matrix_rank, input, atol=tol, rtol=0.0,
                              hermitian=hermitian)

    def tensor_pinv(self, input, rcond):
        if rcond is None:
            return torch_call("tensor_pinv", torch.linalg.pinv, input)
        # rcond is relative to the largest singular value, as in NumPy (torch's rtol).
        return torch_call("tensor_pinv", torch.linalg.pinv, input, atol=0.0, rtol=rcond)

    def lstsq(self, b, a, rcond):
        # The solution X of A X = B in the least-squares sense (the extension returns it
        # alone, not the residuals, rank and singular values).
        return torch_call("lstsq", torch.linalg.lstsq, a, b, rcond=rcond).solution

    def solve_triangular(self, b, a, upper, left, unitriangular):
        return torch_call("solve_triangular", torch.linalg.solve_triangular, a, b, upper=upper, left=left,
                              unitriangular=unitriangular)

    def lu_solve(self, b, lu_data, lu_pivots):
        if not dtypes.is_integral(lu_pivots.dtype) or lu_pivots.dtype == torch.bool:
            raise CommandError(f"Invalid LU_pivots: expected an integer tensor of 1-based pivots, got "
                               f"{dtypes.DISPLAY[lu_pivots.dtype]}")
        return torch_call("lu_solve", torch.linalg.lu_solve, lu_data, lu_pivots.to(torch.int32), b)

    def tensordot(self, a, b, dims):
        if not dims:
            raise CommandError("Invalid dims: expected at least one dimension to contract")
        # The extension contracts the same dimensions of a and of b.
        return torch_call("tensordot", torch.tensordot, a, b, dims=(dims, dims))

    def tensor_svd(self, input):
        # torch.svd's U, S, V (V, not its transpose), reduced.
        u, s, vh = torch_call("tensor_svd", torch.linalg.svd, input, full_matrices=False)
        # One list in braces, {U u S s V v}, as the extension writes it.
        return ("U", u, "S", s, "V", vh.mH),

    def tensor_qr(self, tensor):
        q, r = torch_call("tensor_qr", torch.linalg.qr, tensor)
        return ("Q", q, "R", r),  # {Q q R r}, as the extension writes it

    def tensor_eigen(self, input):
        # The symmetric (Hermitian) eigendecomposition from the lower triangle, as the
        # extension does: eigenvalues in ascending order.
        values, vectors = torch_call("tensor_eigen", torch.linalg.eigh, input, UPLO="L")
        return "eigenvalues", values, "eigenvectors", vectors


def _pair(name, camel, summary, function, aliases=(), params=(MATRIX, SECOND)):
    return Command(name, camel, LINALG, summary, params, torch=function, aliases=aliases)


def _single(name, camel, summary, param=MATRIX, aliases=(), **how):
    """A command of one tensor; how: engine= or torch=."""
    return Command(name, camel, LINALG, summary, (param,), aliases=aliases, **how)


C = LinalgCommands
COMMANDS = (
    Command("matmul", "matmul", LINALG, "Matrix product of input and other (batched, broadcasting)",
            (INPUT, OTHER), engine=C.matmul),
    Command("tensor_matmul", "tensorMatmul", LINALG, "Matrix product of input and other (batched, broadcasting)",
            (INPUT, OTHER), engine=C.matmul),
    _pair("tensor_bmm", "tensorBmm", "Batched matrix product of two 3-dimensional tensors", torch.bmm),
    _pair("dot", "dot", "Dot product of two 1-dimensional tensors, as a 0-dimensional tensor", torch.dot,
          params=(MATRIX_ROLE, SECOND_ROLE)),
    _pair("outer", "outer", "Outer product of two 1-dimensional tensors", torch.outer, aliases=("Outer",)),
    _pair("kron", "kron", "Kronecker product of two tensors", torch.kron),
    Command("cross", "cross", LINALG, "Cross product of 3-element vectors along a dimension (broadcasting)", (
        MATRIX_ROLE, SECOND_ROLE,
        Param("dim", "int", None, "Dimension of size 3; the first of input with size 3 when not given")),
            engine=C.cross),
    Command("tensordot", "tensordot", LINALG, "Sum of products over the given dimensions of a and b", (
        Param("a", "tensor", doc="Handle of the first tensor"),
        Param("b", "tensor", doc="Handle of the second tensor"),
        Param("dims", "ints", doc="Dimensions contracted, the same in a and in b, e.g. {1}")),
            engine=C.tensordot, aliases=("tensorDot",)),
    Command("einsum", "einsum", LINALG, "Einstein summation over tensors, e.g. ij,jk->ik", (
        Param("equation", "text", doc="Subscripts, e.g. ij,jk->ik"),
        Param("tensors", "handles", doc="Handles of the operands, one per subscript group", rest=True)),
            engine=C.einsum, aliases=("Einsum",)),
    Command("block_diag", "blockDiag", LINALG, "A block-diagonal matrix of the given tensors", (
        Param("tensors", "handles", doc="Handles of 0-, 1- or 2-dimensional tensors", rest=True),),
            engine=C.block_diag),
    _single("trace", "trace", "Sum of the main diagonal of a 2-dimensional tensor", MATRIX_ROLE,
            torch=torch.trace, aliases=("Trace",)),
    Command("diag", "diag", LINALG, "The diagonal of a matrix, or a matrix with a vector on its diagonal", (
        MATRIX_ROLE, DIAGONAL), torch=torch.diag),
    Command("diagflat", "diagflat", LINALG, "A matrix with the flattened input on a diagonal", (
        MATRIX_ROLE, Param("offset", "int", 0, "Which diagonal: 0 the main one, > 0 above it, < 0 below it")),
            torch=torch.diagflat, aliases=("diagFlat",)),
    Command("tril", "tril", LINALG, "The lower triangle of a matrix (or batch), the rest zero", (
        MATRIX, DIAGONAL), torch=torch.tril),
    Command("triu", "triu", LINALG, "The upper triangle of a matrix (or batch), the rest zero", (
        MATRIX, DIAGONAL), torch=torch.triu),
    Command("matrix_power", "matrixPower", LINALG, "A square matrix to an integer power (negative: of its inverse)", (
        MATRIX_ROLE, Param("n", "int", 2, "The power", required_positionally=True)), torch=torch.linalg.matrix_power),
    Command("matrix_rank", "matrixRank", LINALG, "The rank of a matrix: how many singular values exceed tol", (
        MATRIX_ROLE,
        Param("tol", "double", 1e-12, "Singular values at most this are zero", named=("-tol", "-tolerance")),
        Param("hermitian", "bool", 0, "The matrix is Hermitian (symmetric): use its eigenvalues")),
            engine=C.matrix_rank),
    Command("cond", "cond", LINALG, "The condition number of a matrix in a norm (2 by default)", (
        MATRIX, Param("p", "text", None, "Norm: 2, -2, 1, -1, inf, -inf, fro or nuc; 2 when not given",
                      named=("-p", "-norm"))), engine=C.cond),
    Command("matrix_norm", "matrixNorm", LINALG, "A matrix norm over two dimensions (Frobenius by default)", (
        MATRIX_ROLE, Param("ord", "text", "fro", "Norm: fro, nuc, or a number: 2, -2, 1, -1, inf, -inf"),
        Param("dim", "ints", None, "The two dimensions of the matrices; {-2 -1} when not given"), KEEPDIM),
            engine=C.matrix_norm),
    Command("vector_norm", "vectorNorm", LINALG, "A vector norm over all elements or the given dimensions", (
        MATRIX_ROLE, Param("ord", "double", 2.0, "Order: any number, inf or -inf; 0 counts the non-zero elements"),
        Param("dim", "ints", None, "Dimensions to reduce; all elements when not given"), KEEPDIM),
            engine=C.vector_norm),
    Command("tensor_norm", "tensorNorm", LINALG, "The p-norm of all elements or along a dimension", (
        TENSOR_FIRST, Param("p", "double", 2.0, "Order of the norm"),
        Param("dim", "int", None, "Dimension to reduce; all elements when not given")), engine=C.tensor_norm),
    Command("tensor_normalize", "tensorNormalize", LINALG, "The tensor divided by its p-norm (plus 1e-8)", (
        TENSOR_FIRST, Param("p", "double", 2.0, "Order of the norm"),
        Param("dim", "int", None, "Dimension along which to normalize; all elements together when not given")),
            engine=C.tensor_normalize),
    _single("tensor_cholesky", "tensorCholesky", "Lower-triangular Cholesky factor L of a positive-definite matrix",
            torch=torch.linalg.cholesky),
    _single("tensor_matrix_exp", "tensorMatrixExp", "The matrix exponential of a square matrix (or batch)",
            torch=torch.linalg.matrix_exp),
    Command("tensor_pinv", "tensorPinv", LINALG, "The Moore-Penrose pseudo-inverse of a matrix", (
        MATRIX, Param("rcond", "double", None, "Singular values below rcond times the largest count as zero; "
                      "torch's default when not given")), engine=C.tensor_pinv),
    _single("tensor_svd", "tensorSvd", "Reduced singular value decomposition: {U u S s V v}",
            engine=C.tensor_svd),
    _single("tensor_qr", "tensorQr", "Reduced QR decomposition: {Q q R r}", TENSOR_FIRST,
            engine=C.tensor_qr),
    _single("tensor_eigen", "tensorEigen", "Eigenvalues and eigenvectors of a symmetric matrix: the list "
            "eigenvalues v eigenvectors w", engine=C.tensor_eigen),
    Command("lstsq", "lstsq", LINALG, "Least-squares solution X of A X = B", (
        RHS, Param("A", "tensor", doc="Handle of the matrix A", named=("-A", "-a"), arg="a"),
        Param("rcond", "double", None, "Singular values below rcond times the largest count as zero")),
            engine=C.lstsq, aliases=("leastSquares",)),
    Command("solve_triangular", "solveTriangular", LINALG, "Solution X of A X = B (or X A = B) for triangular A", (
        RHS, Param("A", "tensor", doc="Handle of the triangular matrix A", named=("-A", "-a"), arg="a"),
        Param("upper", "bool", 1, "A is upper triangular; 0: lower"),
        Param("left", "bool", 1, "Solve A X = B; 0: X A = B"),
        Param("unitriangular", "bool", 0, "A's diagonal is all ones (it is not read)")), engine=C.solve_triangular),
    Command("cholesky_solve", "choleskySolve", LINALG, "Solution X of A X = B from A's Cholesky factor", (
        RHS, Param("L", "tensor", doc="Handle of the Cholesky factor of A", named=("-L", "-l")),
        Param("upper", "bool", 0, "L is the upper factor (A = U^T U); 0: lower (A = L L^T)")),
            torch=torch.cholesky_solve),
    Command("lu_solve", "luSolve", LINALG, "Solution X of A X = B from A's LU factorization", (
        RHS, Param("LU_data", "tensor", doc="Handle of the LU factors of A", named=("-LU_data", "-luData"),
                   arg="lu_data"),
        Param("LU_pivots", "tensor", doc="Handle of the 1-based pivots (integers)",
              named=("-LU_pivots", "-luPivots"), arg="lu_pivots")), engine=C.lu_solve),
)
