"""Linear algebra (products, triangles and diagonals, norms, decompositions, solvers):
values against torch called directly, the positional, named and camelCase forms, every
dtype each takes, and bad input as clear errors."""

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH

FLOATS = ["float32", "float64"]
TOLERANCE = {"float32": dict(rtol=1e-4, atol=1e-5), "float64": dict(rtol=1e-10, atol=1e-12)}

# The operands every case can name as Tcl variables ($A, $M, ...): A symmetric
# positive-definite, M 2x3, V and W vectors of 3, Bt and Ct batches of two 3x3, R a
# 3x2 right-hand side, I2 a 2x2 block.
OPERANDS = {
    "A": [[4, 1, 2], [1, 5, 3], [2, 3, 6]],
    "M": [[1, 2, 0], [3, -1, 4]],
    "V": [1, 2, 3],
    "W": [4, -5, 6],
    "Bt": [[[1, 2, 0], [0, 1, 3], [2, 0, 1]], [[2, -1, 0], [1, 1, 1], [0, 3, -2]]],
    "Ct": [[[0, 1, -1], [2, 2, 1], [1, -3, 0]], [[1, 0, 4], [-2, 1, 0], [3, 1, 1]]],
    "R": [[1, 2], [0, -1], [3, 1]],
    "I2": [[1, 2], [3, 4]],
}


def operands(tcl, dtype):
    """Each operand as a Tcl variable of that name, and as the torch tensor."""
    tensors = {}
    for name, values in OPERANDS.items():
        tcl.tk.setvar(name, tcl.create(np.array(values), dtype))
        tensors[name] = torch.tensor(values, dtype=TORCH[dtype])
    return tensors


def got(tcl, handle):
    return tcl.engine.tensor(handle)


def same(tcl, handle, expected):
    """The handle's tensor equals expected: dtype, shape, values (within the dtype's
    tolerance for a floating one)."""
    actual = got(tcl, handle)
    assert actual.dtype == expected.dtype and actual.shape == expected.shape, (actual, expected)
    if expected.dtype.is_floating_point:
        torch.testing.assert_close(actual, expected, **TOLERANCE[str(expected.dtype).removeprefix("torch.")])
    else:
        assert torch.equal(actual, expected)


# name: (forms that must all give the result, the result from torch, dtypes)
PRODUCTS = {
    "tensor_matmul": (["torch::tensor_matmul $M $A", "torch::tensor_matmul -input $M -other $A",
                       "torch::tensorMatmul $M $A"], lambda t: t["M"] @ t["A"]),
    "tensor_bmm": (["torch::tensor_bmm $Bt $Bt", "torch::tensor_bmm -input $Bt -other $Bt",
                    "torch::tensorBmm $Bt $Bt"], lambda t: torch.bmm(t["Bt"], t["Bt"])),
    "dot": (["torch::dot $V $W", "torch::dot -input $V -other $W"], lambda t: torch.dot(t["V"], t["W"])),
    "outer": (["torch::outer $V $W", "torch::outer -input $V -other $W", "torch::Outer $V $W"],
              lambda t: torch.outer(t["V"], t["W"])),
    "kron": (["torch::kron $M $I2", "torch::kron -input $M -other $I2"], lambda t: torch.kron(t["M"], t["I2"])),
    "cross": (["torch::cross $V $W", "torch::cross $V $W 0", "torch::cross -input $V -other $W -dim -1"],
              lambda t: torch.linalg.cross(t["V"], t["W"])),
    "cross_rows": (["torch::cross $Bt $Ct 1", "torch::cross -tensor $Bt -other $Ct -dim 1"],
                   lambda t: torch.linalg.cross(t["Bt"], t["Ct"], dim=1)),
    "cross_broadcast": (["torch::cross $Bt [torch::tensor_reshape $V {1 1 3}] -1"],
                        lambda t: torch.linalg.cross(t["Bt"], t["V"].reshape(1, 1, 3), dim=-1)),
    "tensordot": (["torch::tensordot $A $M {1}", "torch::tensordot -a $A -b $M -dims 1",
                   "torch::tensorDot $A $M {1}"], lambda t: torch.tensordot(t["A"], t["M"], dims=([1], [1]))),
    "tensordot_two": (["torch::tensordot $Bt $Bt {1 2}"], lambda t: torch.tensordot(t["Bt"], t["Bt"],
                                                                                     dims=([1, 2], [1, 2]))),
    "einsum": (["torch::einsum ij,jk->ik $M $A", "torch::einsum -equation ij,jk->ik -tensors [list $M $A]",
                "torch::Einsum ij,jk->ik $M $A"], lambda t: torch.einsum("ij,jk->ik", t["M"], t["A"])),
    "einsum_one": (["torch::einsum ii $A", "torch::einsum -equation ii -tensors $A"],
                   lambda t: torch.einsum("ii", t["A"])),
    "block_diag": (["torch::block_diag $I2 $V $M", "torch::blockDiag $I2 $V $M",
                    "torch::block_diag -tensors [list $I2 $V $M]"],
                   lambda t: torch.block_diag(t["I2"], t["V"], t["M"])),
    "trace": (["torch::trace $A", "torch::trace -input $A", "torch::Trace $A"], lambda t: torch.trace(t["A"])),
    "diag": (["torch::diag $V 1", "torch::diag -input $V -diagonal 1"], lambda t: torch.diag(t["V"], 1)),
    "diag_of_matrix": (["torch::diag $M", "torch::diag -input $M -diagonal 0"], lambda t: torch.diag(t["M"])),
    "diagflat": (["torch::diagflat $M -1", "torch::diagflat -input $M -offset -1", "torch::diagFlat $M -1"],
                 lambda t: torch.diagflat(t["M"], -1)),
    "tril": (["torch::tril $A", "torch::tril -input $A", "torch::tril $A 0"], lambda t: torch.tril(t["A"])),
    "tril_offset": (["torch::tril $Bt -1", "torch::tril -input $Bt -diagonal -1"],
                    lambda t: torch.tril(t["Bt"], -1)),
    "triu": (["torch::triu $M 1", "torch::triu -input $M -diagonal 1"], lambda t: torch.triu(t["M"], 1)),
    "matrix_power": (["torch::matrix_power $A 3", "torch::matrix_power -input $A -n 3", "torch::matrixPower $A 3",
                      "torch::matrix_power $A -n 3"], lambda t: torch.linalg.matrix_power(t["A"], 3)),
    "matrix_power_default": (["torch::matrix_power -input $A", "torch::matrix_power $A 2"],
                             lambda t: t["A"] @ t["A"]),
}


@pytest.mark.parametrize("dtype", FLOATS + ["int32", "int64"])
@pytest.mark.parametrize("case", PRODUCTS)
def test_products_and_triangles_match_torch(tcl, case, dtype):
    forms, expected = PRODUCTS[case]
    t = operands(tcl, dtype)
    for form in forms:
        same(tcl, tcl.eval(form), expected(t))


def test_matrix_power_negative_is_of_the_inverse(tcl):
    t = operands(tcl, "float64")
    same(tcl, tcl.eval("torch::matrix_power $A -1"), torch.linalg.inv(t["A"]))
    same(tcl, tcl.eval("torch::matrix_power $A 0"), torch.eye(3, dtype=torch.float64))


# ---- norms, condition numbers, rank ----

NORMS = {
    "matrix_norm": (["torch::matrix_norm $A", "torch::matrix_norm -input $A -ord fro", "torch::matrixNorm $A fro",
                     "torch::matrix_norm -tensor $A"], lambda t: torch.linalg.matrix_norm(t["A"])),
    "matrix_norm_nuc": (["torch::matrix_norm $M nuc"], lambda t: torch.linalg.matrix_norm(t["M"], "nuc")),
    "matrix_norm_2": (["torch::matrix_norm $M 2", "torch::matrix_norm -input $M -ord 2.0"],
                      lambda t: torch.linalg.matrix_norm(t["M"], 2)),
    "matrix_norm_inf": (["torch::matrix_norm $M inf", "torch::matrix_norm -input $M -ord Inf"],
                        lambda t: torch.linalg.matrix_norm(t["M"], float("inf"))),
    "matrix_norm_dims": (["torch::matrix_norm $Bt fro {1 2} 1", "torch::matrix_norm -input $Bt -dim {1 2} -keepdim 1"],
                         lambda t: torch.linalg.matrix_norm(t["Bt"], "fro", (1, 2), True)),
    "matrix_norm_batch": (["torch::matrix_norm $Bt 1", "torch::matrix_norm $Bt 1 {}"],
                          lambda t: torch.linalg.matrix_norm(t["Bt"], 1)),
    "vector_norm": (["torch::vector_norm $M", "torch::vector_norm -input $M", "torch::vectorNorm $M 2"],
                    lambda t: torch.linalg.vector_norm(t["M"])),
    "vector_norm_ord": (["torch::vector_norm $M 1 {1}", "torch::vector_norm -input $M -ord 1 -dim 1"],
                        lambda t: torch.linalg.vector_norm(t["M"], 1, (1,))),
    "vector_norm_keepdim": (["torch::vector_norm $Bt inf {0 2} 1",
                             "torch::vector_norm -tensor $Bt -ord inf -dim {0 2} -keepdim 1"],
                            lambda t: torch.linalg.vector_norm(t["Bt"], float("inf"), (0, 2), True)),
    "vector_norm_zero": (["torch::vector_norm $M 0"], lambda t: torch.linalg.vector_norm(t["M"], 0)),
    "tensor_norm": (["torch::tensor_norm $M", "torch::tensor_norm -tensor $M", "torch::tensorNorm $M 2"],
                    lambda t: torch.norm(t["M"])),
    "tensor_norm_dim": (["torch::tensor_norm $M 1 0", "torch::tensor_norm -tensor $M -p 1 -dim 0",
                         "torch::tensor_norm -input $M -dim -2 -p 1"], lambda t: torch.norm(t["M"], 1, (0,))),
    "tensor_normalize": (["torch::tensor_normalize $M", "torch::tensor_normalize -tensor $M",
                          "torch::tensorNormalize $M 2"],
                         lambda t: t["M"] / (torch.linalg.vector_norm(t["M"]) + 1e-8)),
    "tensor_normalize_dim": (["torch::tensor_normalize $M 1 1", "torch::tensor_normalize -tensor $M -p 1 -dim 1"],
                             lambda t: t["M"] / (t["M"].abs().sum(1, keepdim=True) + 1e-8)),
    "cond": (["torch::cond $A", "torch::cond -input $A", "torch::cond $A 2", "torch::cond -tensor $A -p 2.0"],
             lambda t: torch.linalg.cond(t["A"])),
    "cond_fro": (["torch::cond $A fro", "torch::cond -input $A -norm fro"],
                 lambda t: torch.linalg.cond(t["A"], "fro")),
    "cond_1": (["torch::cond $A 1", "torch::cond $A 1.0"], lambda t: torch.linalg.cond(t["A"], 1)),
    "cond_nuc": (["torch::cond $A nuc"], lambda t: torch.linalg.cond(t["A"], "nuc")),
    "cond_inf": (["torch::cond $A -inf"], lambda t: torch.linalg.cond(t["A"], -float("inf"))),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", NORMS)
def test_norms_match_torch(tcl, case, dtype):
    forms, expected = NORMS[case]
    t = operands(tcl, dtype)
    for form in forms:
        same(tcl, tcl.eval(form), expected(t))


def test_cond_and_norms_by_their_definitions(tcl):
    """Independently of torch.linalg: the 2-norm condition number is the ratio of the
    extreme singular values, the Frobenius norm the root of the sum of squares."""
    a = np.array(OPERANDS["A"], dtype=np.float64)
    tcl.tk.setvar("A", tcl.create(a, "float64"))
    s = np.linalg.svd(a, compute_uv=False)
    assert float(tcl.eval("torch::tensor_item [torch::cond $A]")) == pytest.approx(s[0] / s[-1], rel=1e-12)
    assert float(tcl.eval("torch::tensor_item [torch::matrix_norm $A]")) == pytest.approx(
        np.sqrt((a ** 2).sum()), rel=1e-12)
    assert float(tcl.eval("torch::tensor_item [torch::matrix_norm $A nuc]")) == pytest.approx(s.sum(), rel=1e-12)


@pytest.mark.parametrize("dtype", FLOATS)
def test_matrix_rank(tcl, dtype):
    t = operands(tcl, dtype)
    singular = torch.tensor([[1, 2, 3], [2, 4, 6], [1, 0, 1]], dtype=TORCH[dtype])
    tcl.tk.setvar("S", tcl.create(singular.numpy(), dtype))
    for form in ["torch::matrix_rank $A", "torch::matrix_rank -input $A", "torch::matrixRank $A 1e-12 0"]:
        same(tcl, tcl.eval(form), torch.tensor(3))
    # The default tol, 1e-12, is absolute: float32's rounding can exceed it.
    same(tcl, tcl.eval("torch::matrix_rank $S"), torch.linalg.matrix_rank(singular, atol=1e-12, rtol=0.0))
    for form in ["torch::matrix_rank $S 1e-5", "torch::matrix_rank -input $S -tol 1e-5"]:
        same(tcl, tcl.eval(form), torch.tensor(2))
    # tol is absolute: the singular values of A are about 9.4, 3.4 and 2.2.
    for form in ["torch::matrix_rank $A 3.0", "torch::matrix_rank -input $A -tolerance 3.0 -hermitian 1",
                 "torch::matrix_rank $A 3.0 1"]:
        same(tcl, tcl.eval(form), torch.linalg.matrix_rank(t["A"], atol=3.0, rtol=0.0))
    assert int(tcl.eval("torch::tensor_item [torch::matrix_rank $A 3.0]")) == 2
    assert int(tcl.eval("torch::tensor_item [torch::matrix_rank $A 100]")) == 0


# ---- decompositions ----

def labelled(tcl, text, labels, braced=True):
    """A result like {Q q R r} (braced: one list in braces, as the extension writes
    tensor_svd's and tensor_qr's) or eigenvalues v eigenvectors w: its labels, and the
    tensors under them."""
    items = tcl.tk.splitlist(text)
    if braced:
        assert len(items) == 1, text
        items = tcl.tk.splitlist(items[0])
    assert list(items[0::2]) == labels
    return [got(tcl, handle) for handle in items[1::2]]


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("form", ["torch::tensor_svd $M", "torch::tensor_svd -input $M",
                                  "torch::tensor_svd -tensor $M", "torch::tensorSvd $M"])
def test_tensor_svd(tcl, form, dtype):
    t = operands(tcl, dtype)
    u, s, v = labelled(tcl, tcl.eval(form), ["U", "S", "V"])
    assert u.shape == (2, 2) and s.shape == (2,) and v.shape == (3, 2) and u.dtype == TORCH[dtype]
    torch.testing.assert_close(s, torch.linalg.svdvals(t["M"]), **TOLERANCE[dtype])
    torch.testing.assert_close(u @ torch.diag(s) @ v.T, t["M"], **TOLERANCE[dtype])
    torch.testing.assert_close(v.T @ v, torch.eye(2, dtype=TORCH[dtype]), **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("form", ["torch::tensor_qr $M", "torch::tensor_qr -tensor $M", "torch::tensorQr $M",
                                  "torch::tensor_qr -input $M"])
def test_tensor_qr(tcl, form, dtype):
    t = operands(tcl, dtype)
    q, r = labelled(tcl, tcl.eval(form), ["Q", "R"])
    expected_q, expected_r = torch.linalg.qr(t["M"])
    torch.testing.assert_close(q, expected_q, **TOLERANCE[dtype])
    torch.testing.assert_close(r, expected_r, **TOLERANCE[dtype])
    torch.testing.assert_close(q @ r, t["M"], **TOLERANCE[dtype])
    assert torch.equal(r, torch.triu(r))


def test_tensor_qr_as_the_extensions_scripts_read_it(tcl):
    """Its scripts trim braces and split the text: Q's handle second, R's fourth."""
    tcl.eval("set m [torch::tensor_create {{1.0 2.0} {3.0 4.0}} float32]")
    tcl.eval('set parts [split [string trim [torch::tensor_qr $m] "{}"]]')
    q = got(tcl, tcl.eval("lindex $parts 1"))
    r = got(tcl, tcl.eval("lindex $parts 3"))
    expected_q, expected_r = torch.linalg.qr(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    torch.testing.assert_close(q, expected_q)
    torch.testing.assert_close(r, expected_r)
    assert tcl.eval("dict exists [lindex [torch::tensor_qr $m] 0] R") == "1"
    assert tcl.eval("string index [torch::tensor_svd $m] 0") == "{"


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("form", ["torch::tensor_eigen $A", "torch::tensor_eigen -input $A",
                                  "torch::tensor_eigen -tensor $A", "torch::tensorEigen $A"])
def test_tensor_eigen(tcl, form, dtype):
    t = operands(tcl, dtype)
    values, vectors = labelled(tcl, tcl.eval(form), ["eigenvalues", "eigenvectors"], braced=False)
    torch.testing.assert_close(values, torch.linalg.eigvalsh(t["A"]), **TOLERANCE[dtype])
    assert bool((values[1:] >= values[:-1]).all())  # ascending
    torch.testing.assert_close(t["A"] @ vectors, vectors * values, **TOLERANCE[dtype])


def test_tensor_eigen_reads_the_lower_triangle(tcl):
    lower = torch.tensor([[2.0, 99.0], [1.0, 2.0]], dtype=torch.float64)
    tcl.tk.setvar("L", tcl.create(lower.numpy(), "float64"))
    values, _ = labelled(tcl, tcl.eval("torch::tensor_eigen $L"), ["eigenvalues", "eigenvectors"],
                         braced=False)
    torch.testing.assert_close(values, torch.tensor([1.0, 3.0], dtype=torch.float64))


# name: (forms, the result from torch)
FACTORS = {
    "tensor_cholesky": (["torch::tensor_cholesky $A", "torch::tensor_cholesky -input $A",
                         "torch::tensor_cholesky -tensor $A", "torch::tensorCholesky $A"],
                        lambda t: torch.linalg.cholesky(t["A"])),
    "tensor_matrix_exp": (["torch::tensor_matrix_exp $I2", "torch::tensor_matrix_exp -input $I2",
                           "torch::tensorMatrixExp $I2"], lambda t: torch.linalg.matrix_exp(t["I2"])),
    "tensor_pinv": (["torch::tensor_pinv $M", "torch::tensor_pinv -input $M", "torch::tensorPinv $M"],
                    lambda t: torch.linalg.pinv(t["M"])),
    "tensor_pinv_rcond": (["torch::tensor_pinv $M 0.5", "torch::tensor_pinv -tensor $M -rcond 0.5"],
                          lambda t: torch.linalg.pinv(t["M"], rtol=0.5)),
    "lstsq": (["torch::lstsq $R $A", "torch::lstsq -b $R -a $A", "torch::lstsq -B $R -A $A -rcond 1e-15",
               "torch::leastSquares $R $A"], lambda t: torch.linalg.lstsq(t["A"], t["R"]).solution),
    "lstsq_overdetermined": (["torch::lstsq [torch::tensor_reshape $V {3 1}] [torch::tensor_reshape $R {3 2}]"],
                             lambda t: torch.linalg.lstsq(t["R"], t["V"].reshape(3, 1)).solution),
    "solve_triangular": (["torch::solve_triangular $R [torch::triu $A]",
                          "torch::solve_triangular -B $R -A [torch::triu $A] -upper 1",
                          "torch::solveTriangular $R [torch::triu $A] 1 1 0"],
                         lambda t: torch.linalg.solve_triangular(torch.triu(t["A"]), t["R"], upper=True)),
    "solve_triangular_lower": (["torch::solve_triangular $R [torch::tril $A] 0",
                                "torch::solve_triangular -b $R -a [torch::tril $A] -upper 0"],
                               lambda t: torch.linalg.solve_triangular(torch.tril(t["A"]), t["R"], upper=False)),
    "solve_triangular_right": (["torch::solve_triangular [torch::tensor_reshape $R {2 3}] [torch::triu $A] 1 0 1",
                                "torch::solve_triangular -B [torch::tensor_reshape $R {2 3}] -A [torch::triu $A] "
                                "-left 0 -unitriangular 1"],
                               lambda t: torch.linalg.solve_triangular(torch.triu(t["A"]), t["R"].reshape(2, 3),
                                                                       upper=True, left=False, unitriangular=True)),
    "cholesky_solve": (["torch::cholesky_solve $R [torch::tensor_cholesky $A]",
                        "torch::cholesky_solve -b $R -l [torch::tensor_cholesky $A] -upper 0",
                        "torch::choleskySolve -B $R -L [torch::tensor_cholesky $A]"],
                       lambda t: torch.linalg.solve(t["A"], t["R"])),
    "cholesky_solve_upper": (["torch::cholesky_solve $R $U 1", "torch::cholesky_solve -B $R -L $U -upper 1"],
                             lambda t: torch.linalg.solve(t["A"], t["R"])),
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", FACTORS)
def test_factorizations_and_solvers_match_torch(tcl, case, dtype):
    forms, expected = FACTORS[case]
    t = operands(tcl, dtype)
    # U, the upper Cholesky factor of A (A = U^T U), made here, independently.
    tcl.tk.setvar("U", tcl.create(torch.linalg.cholesky(t["A"]).T.contiguous().numpy(), dtype))
    for form in forms:
        same(tcl, tcl.eval(form), expected(t))


@pytest.mark.parametrize("dtype", FLOATS)
def test_lu_solve(tcl, dtype):
    t = operands(tcl, dtype)
    lu, pivots = torch.linalg.lu_factor(t["A"])
    tcl.tk.setvar("LU", tcl.create(lu.numpy(), dtype))
    for pivot_dtype in ("int32", "int64"):
        tcl.tk.setvar("P", tcl.create(pivots.numpy(), pivot_dtype))
        for form in ["torch::lu_solve $R $LU $P", "torch::lu_solve -B $R -LU_data $LU -LU_pivots $P",
                     "torch::luSolve -b $R -luData $LU -luPivots $P"]:
            same(tcl, tcl.eval(form), torch.linalg.solve(t["A"], t["R"]))


# ---- bad input: clear errors ----

ERRORS = [
    ("torch::tensor_matmul $M $M", "matmul: shapes {2 3} and {2 3} do not fit"),
    ("torch::tensor_matmul $M $F", "matmul: the dtypes differ (Float32 and Float64)"),
    ("torch::tensor_matmul nosuch $M", "Invalid tensor name: nosuch"),
    # where the extension's commands name the role of an unknown handle
    ("torch::cross $V nosuch", "Invalid other tensor name: nosuch"),
    ("torch::dot -input nosuch -other $V", "Invalid input tensor name: nosuch"),
    ("torch::matrix_norm nosuch", "Invalid input tensor name: nosuch"),
    ("torch::kron nosuch $M", "Invalid tensor name: nosuch"),
    ("torch::tensor_bmm $A $A", "tensor_bmm: batch1 must be a 3D tensor"),
    ("torch::dot $V $M", "dot: 1D tensors expected"),
    ("torch::dot $V $F3", "dot: dot : expected both vectors to have same dtype, but found Float and Double"),
    ("torch::outer $V", "Wrong number of arguments (wrong # args). Usage: torch::outer input other"),
    ("torch::kron $M -bogus $M", "Unknown parameter: -bogus"),
    ("torch::cross $I2 $I2", "cross: no dimension of size 3 in input of shape {2 2}; give -dim"),
    ("torch::cross $V $W 3", "Invalid dim: 3 is out of range for a 1-dimensional tensor"),
    ("torch::cross $M $M 0", "cross: linalg.cross: inputs dimension 0 must have length 3"),
    ("torch::cross $V $W x", 'Invalid dim: expected integer, got "x"'),
    ("torch::tensordot $A $M {5}", "tensordot: Dimension out of range"),
    ("torch::tensordot $A $M {}", "Invalid dims: expected at least one dimension to contract"),
    ("torch::tensordot $A $M {0}", "tensordot: contracted dimensions need to match"),
    ("torch::einsum ij,jk->ik $M", "einsum: einsum(): fewer operands were provided than specified"),
    ("torch::einsum ij,jk->ik $M nosuch", "Invalid tensor name: nosuch"),
    ("torch::einsum -equation ii", "Required parameters missing: -tensors"),
    ("torch::block_diag", "Wrong number of arguments (wrong # args). Usage: torch::block_diag tensors ?tensors ...?"),
    ("torch::block_diag -tensors {}", "block_diag: expected at least one tensor handle"),
    ("torch::cross $Bt [torch::ones {3 3 3}]",
     "cross: The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ("torch::block_diag $Bt",
     "block_diag: torch.block_diag: Input tensors must have 2 or fewer dimensions. Input 0 has 3"),
    ("torch::trace $V", "trace: trace: expected a matrix"),
    ("torch::diag $Bt", "diag: diag(): Supports 1D or 2D tensors"),
    ("torch::tril $V", "tril: tril: input tensor must have at least 2 dimensions"),
    ("torch::triu $A 1.5", 'Invalid diagonal: expected integer, got "1.5"'),
    ("torch::matrix_power $M 2", "matrix_power: linalg.matrix_power: A must be batches of square matrices"),
    ("torch::matrix_power $A", "Wrong number of arguments (wrong # args). Usage: torch::matrix_power input n"),
    ("torch::matrix_rank $I",
     "matrix_rank: linalg.svd: Expected a floating point or complex tensor as input. Got Long"),
    ("torch::matrix_rank $A x", 'Invalid tol: expected number, got "x"'),
    ("torch::cond $A bogus", 'Invalid p: expected a number, fro or nuc (2 by default), got "bogus"'),
    ("torch::cond $A 3", "cond: linalg.cond got an invalid norm type: 3"),
    ("torch::cond $M fro", "cond: linalg.cond(ord=fro): A must be batches of square matrices, but they are 2 by 3"),
    ("torch::cond -input $A -p", "Missing value for parameter: -p. Named parameters must come in pairs"),
    ("torch::matrix_norm $A bogus", 'Invalid ord: expected a number, fro or nuc (fro by default), got "bogus"'),
    ("torch::matrix_norm $V", "matrix_norm: linalg.matrix_norm: The input tensor A must have at least 2 dimensions"),
    ("torch::matrix_norm $A fro {0 5}", "matrix_norm: Dimension out of range"),
    ("torch::matrix_norm $I", "matrix_norm: linalg.matrix_norm: Expected a floating point or complex tensor"),
    ("torch::vector_norm $V 2 {3}", "vector_norm: Dimension out of range"),
    ("torch::vector_norm $I", "vector_norm: linalg.vector_norm: Expected a floating point or complex tensor"),
    ("torch::vector_norm $V two", 'Invalid ord: expected number, got "two"'),
    ("torch::tensor_norm $V 2 1", "Invalid dim: 1 is out of range for a 1-dimensional tensor (expected -1 .. 0)"),
    ("torch::tensor_norm $I", "tensor_norm: linalg.vector_norm: Expected a floating point or complex tensor"),
    ("torch::tensor_normalize $V 2 -2", "Invalid dim: -2 is out of range for a 1-dimensional tensor"),
    ("torch::tensor_normalize $I", "tensor_normalize: linalg.vector_norm: Expected a floating point or complex"),
    ("torch::tensor_cholesky $M", "tensor_cholesky: linalg.cholesky: A must be batches of square matrices"),
    ("torch::tensor_cholesky [torch::tensor_create {{1.0 2.0} {2.0 1.0}}]",
     "tensor_cholesky: linalg.cholesky: The factorization could not be completed because the input is not "
     "positive-definite"),
    ("torch::tensor_cholesky $I", "tensor_cholesky: linalg.cholesky: Expected a floating point or complex tensor"),
    ("torch::tensor_matrix_exp $M", "tensor_matrix_exp: linalg.matrix_exp: A must be batches of square matrices"),
    ("torch::tensor_pinv $I", "tensor_pinv: linalg.pinv(Long{[3, 3]}): expected a tensor with 2 or more dimensions "
     "of float, double, cfloat or cdouble types"),
    ("torch::tensor_pinv $M -rcond", "Missing value for parameter: -rcond. Named parameters must come in pairs"),
    ("torch::tensor_svd $V", "tensor_svd: linalg.svd: The input tensor A must have at least 2 dimensions"),
    ("torch::tensor_svd $I", "tensor_svd: linalg.svd: Expected a floating point or complex tensor"),
    ("torch::tensor_svd nosuch", "Invalid tensor name: nosuch"),
    ("torch::tensor_svd -bogus $M", "Unknown parameter: -bogus. Valid parameters: -input -tensor"),
    ("torch::tensor_qr $I", "tensor_qr: linalg.qr: Expected a floating point or complex tensor"),
    ("torch::tensor_qr", "Wrong number of arguments (wrong # args). Usage: torch::tensor_qr tensor"),
    ("torch::tensor_eigen $V", "tensor_eigen: linalg.eigh: The input tensor A must have at least 2 dimensions"),
    ("torch::tensor_eigen $M", "tensor_eigen: linalg.eigh: A must be batches of square matrices"),
    ("torch::lstsq $R $V", "lstsq: torch.linalg.lstsq: input must have at least 2 dimensions"),
    ("torch::lstsq $R $I", "lstsq: torch.linalg.lstsq: Expected input and other to have the same dtype"),
    ("torch::lstsq $R $A x", 'Invalid rcond: expected number, got "x"'),
    ("torch::lstsq -b $R", "Required parameters missing: -A"),
    ("torch::solve_triangular $V $A", "solve_triangular: linalg.solve_triangular: The input tensor B must have at "
     "least 2 dimensions"),
    ("torch::solve_triangular $R $M", "solve_triangular: linalg.solve_triangular: A must be batches of square"),
    ("torch::solve_triangular $R $A yes-no", 'Invalid upper: expected boolean, got "yes-no"'),
    ("torch::cholesky_solve $V $A", "cholesky_solve: b should have at least 2 dimensions"),
    ("torch::cholesky_solve $R $A -upper maybe", 'Invalid upper: expected boolean, got "maybe"'),
    ("torch::lu_solve $R $A $A", "Invalid LU_pivots: expected an integer tensor of 1-based pivots, got Float32"),
    ("torch::lu_solve $R $A", "Wrong number of arguments (wrong # args). Usage: torch::lu_solve B LU_data LU_pivots"),
    ("torch::lu_solve -B $R -LU_data $A", "Required parameters missing: -LU_pivots"),
]


@pytest.mark.parametrize("script, message", ERRORS, ids=[script for script, _ in ERRORS])
def test_bad_input_is_a_clear_error(tcl, script, message):
    operands(tcl, "float32")
    tcl.tk.setvar("F", tcl.create(np.ones((3, 2)), "float64"))
    tcl.tk.setvar("F3", tcl.create(np.ones(3), "float64"))
    tcl.tk.setvar("I", tcl.create(np.eye(3, dtype=np.int64), "int64"))
    assert message in tcl.error_detail(script)


def test_bool_operands_are_refused(tcl):
    tcl.tk.setvar("T", tcl.create(np.array([[True, False], [False, True]]), "bool"))
    assert "Bool tensors cannot be multiplied" in tcl.error("torch::tensor_matmul $T $T")
    assert tcl.error("torch::tensor_svd $T").startswith("tensor_svd: linalg.svd: Expected a floating point")
