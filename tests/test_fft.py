"""FFT and windows (hann_window, hamming_window, blackman_window, bartlett_window,
kaiser_window, fftshift, ifftshift, hilbert, tensor_fft, tensor_ifft, tensor_rfft,
tensor_irfft, tensor_fft2d, tensor_ifft2d, tensor_stft, tensor_istft): values against
torch called directly, every form of call, bad input as clear errors."""

import fnmatch

import numpy as np
import pytest
import torch

from tests.tclsession import TORCH, torch_of

FLOATS = ["float32", "float64"]
SIGNAL = np.array([[1.0, -2.0, 3.5, 0.0, 4.0, 1.5, -1.0, 2.0], [0.5, 0.25, -3.0, 2.0, 1.0, 0.0, 6.0, -4.0]])


def same(tcl, handle, expected, exact=False):
    """The handle's tensor equals the torch tensor ``expected``: dtype, shape, values."""
    dtype = str(expected.dtype).removeprefix("torch.")
    assert tcl.eval(f"torch::tensor_dtype {handle}") == dtype.capitalize()
    got = tcl.read(handle, dtype)
    expected = expected.resolve_conj()
    assert got.shape == tuple(expected.shape)
    if exact:
        np.testing.assert_array_equal(got, expected.numpy())
    else:
        tolerance = 1e-5 if expected.dtype in (torch.float32, torch.complex64) else 1e-12
        np.testing.assert_allclose(got, expected.numpy(), rtol=tolerance, atol=tolerance)


# ---- windows ----

WINDOWS = [("hann_window", "hannWindow", torch.hann_window), ("hamming_window", "hammingWindow", torch.hamming_window),
           ("blackman_window", "blackmanWindow", torch.blackman_window),
           ("bartlett_window", "bartlettWindow", torch.bartlett_window)]


@pytest.mark.parametrize("name,camel,function", WINDOWS, ids=[w[0] for w in WINDOWS])
@pytest.mark.parametrize("dtype", FLOATS + ["float16"])
def test_windows_match_torch(tcl, name, camel, function, dtype):
    kind = TORCH[dtype]
    same(tcl, tcl.eval(f"torch::{name} 8"), function(8), exact=True)
    same(tcl, tcl.eval(f"torch::{name} 8 {dtype} cpu 0"), function(8, periodic=False, dtype=kind), exact=True)
    for option in ("-length", "-window_length", "-windowLength"):
        same(tcl, tcl.eval(f"torch::{camel} {option} 5 -dtype {dtype} -periodic false"),
             function(5, periodic=False, dtype=kind), exact=True)
    same(tcl, tcl.eval(f"torch::{name} 1"), function(1), exact=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_kaiser_window(tcl, dtype):
    kind = TORCH[dtype]
    same(tcl, tcl.eval("torch::kaiser_window 10"), torch.kaiser_window(10))
    same(tcl, tcl.eval(f"torch::kaiser_window 10 5.0 {dtype}"), torch.kaiser_window(10, True, 5.0, dtype=kind))
    same(tcl, tcl.eval(f"torch::kaiserWindow -windowLength 7 -beta 2 -dtype {dtype} -periodic 0"),
         torch.kaiser_window(7, False, 2.0, dtype=kind))


# ---- shifts, hilbert ----

@pytest.mark.parametrize("name,alias,function", [("fftshift", "fftShift", torch.fft.fftshift),
                                                 ("ifftshift", "ifftShift", torch.fft.ifftshift)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64", "complex64"])
def test_shifts(tcl, name, alias, function, dtype):
    data = np.arange(15).reshape(3, 5)
    t, x = tcl.create(data, dtype), torch_of(data, dtype)
    same(tcl, tcl.eval(f"torch::{name} {t}"), function(x), exact=True)
    same(tcl, tcl.eval(f"torch::{name} {t} 1"), function(x, 1), exact=True)
    same(tcl, tcl.eval(f"torch::{alias} -input {t} -dim 0"), function(x, 0), exact=True)
    same(tcl, tcl.eval(f"torch::{name} -tensor {t} -dimension {{0 1}}"), function(x, (0, 1)), exact=True)
    scalar = tcl.eval(f"torch::full {{}} 7 {dtype}")  # a 0-dimensional tensor: nothing to roll
    same(tcl, tcl.eval(f"torch::{name} {scalar}"), torch_of(np.array(7), dtype), exact=True)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("n", [1, 5, 8])
def test_hilbert_is_the_analytic_signal(tcl, dtype, n):
    data = SIGNAL[:, :n]
    t, x = tcl.create(data, dtype), torch_of(data, dtype)
    # Independently: the analytic signal's real part is x; its spectrum has no negative frequencies.
    spectrum = torch.fft.fft(x, dim=-1)
    keep = torch.zeros(n)
    keep[0] = 1
    keep[1:(n + 1) // 2] = 2
    if n % 2 == 0:
        keep[n // 2] = 1
    expected = torch.fft.ifft(spectrum * keep.to(spectrum.real.dtype), dim=-1)
    same(tcl, tcl.eval(f"torch::hilbert {t}"), expected)
    same(tcl, tcl.eval(f"torch::hilbert -tensor {t} -dim -1"), expected)
    np.testing.assert_allclose(tcl.read(tcl.eval(f"torch::hilbert -input {t}"), f"complex{2 * int(dtype[5:])}").real,
                               data, atol=1e-5)


# ---- transforms ----

@pytest.mark.parametrize("name,camel,function", [("tensor_fft", "tensorFft", torch.fft.fft),
                                                 ("tensor_ifft", "tensorIfft", torch.fft.ifft)])
@pytest.mark.parametrize("dtype", FLOATS + ["int64", "complex64"])
def test_fft_and_ifft(tcl, name, camel, function, dtype):
    t, x = tcl.create(SIGNAL if not dtype.startswith("int") else SIGNAL.astype(int), dtype), torch_of(SIGNAL if not dtype.startswith("int") else SIGNAL.astype(int), dtype)
    same(tcl, tcl.eval(f"torch::{name} {t}"), function(x))
    same(tcl, tcl.eval(f"torch::{name} {t} 0"), function(x, dim=0))
    same(tcl, tcl.eval(f"torch::{camel} -tensor {t} -dim 0 -n 4 -norm ortho"), function(x, n=4, dim=0, norm="ortho"))
    same(tcl, tcl.eval(f"torch::{name} -input {t} -n 12"), function(x, n=12))


@pytest.mark.parametrize("dtype", FLOATS)
def test_rfft_and_irfft(tcl, dtype):
    t, x = tcl.create(SIGNAL if not dtype.startswith("int") else SIGNAL.astype(int), dtype), torch_of(SIGNAL if not dtype.startswith("int") else SIGNAL.astype(int), dtype)
    same(tcl, tcl.eval(f"torch::tensor_rfft {t}"), torch.fft.rfft(x))
    same(tcl, tcl.eval(f"torch::tensor_rfft {t} 6 0"), torch.fft.rfft(x, 6, 0))
    same(tcl, tcl.eval(f"torch::tensorRfft -input {t} -n 4 -dim 1 -norm forward"),
         torch.fft.rfft(x, 4, 1, norm="forward"))
    spectrum = torch.fft.rfft(x)
    s = tcl.eval(f"torch::tensor_rfft {t}")
    same(tcl, tcl.eval(f"torch::tensor_irfft {s}"), torch.fft.irfft(spectrum))
    same(tcl, tcl.eval(f"torch::tensor_irfft {s} 8"), x)
    same(tcl, tcl.eval(f"torch::tensorIrfft -tensor {s} -n 5 -dim -1"), torch.fft.irfft(spectrum, 5))


@pytest.mark.parametrize("name,function", [("tensor_fft2d", torch.fft.fft2), ("tensor_ifft2d", torch.fft.ifft2)])
@pytest.mark.parametrize("dtype", FLOATS + ["complex128"])
def test_fft2d_and_ifft2d(tcl, name, function, dtype):
    data = SIGNAL.reshape(2, 2, 4)
    t, x = tcl.create(data, dtype), torch_of(data, dtype)
    camel = "tensorI" + "fft2D" if "ifft" in name else "tensorFft2D"
    same(tcl, tcl.eval(f"torch::{name} {t}"), function(x))
    same(tcl, tcl.eval(f"torch::{name} {t} {{0 2}}"), function(x, dim=(0, 2)))
    same(tcl, tcl.eval(f"torch::{camel} -tensor {t} -dims {{0 1}} -norm ortho"), function(x, dim=(0, 1), norm="ortho"))


@pytest.mark.parametrize("dtype", FLOATS)
def test_stft_and_istft(tcl, dtype):
    signal = SIGNAL.reshape(-1)
    t, x = tcl.create(signal, dtype), torch_of(signal, dtype)
    ones = torch.ones(4, dtype=x.dtype)
    hann = torch.hann_window(4, dtype=x.dtype)
    w = tcl.create(hann.numpy(), dtype)
    same(tcl, tcl.eval(f"torch::tensor_stft {t} 4"), torch.stft(x, 4, window=ones, return_complex=True))
    same(tcl, tcl.eval(f"torch::tensor_stft {t} 4 2 4 {w}"), torch.stft(x, 4, 2, 4, hann, return_complex=True))
    same(tcl, tcl.eval(f"torch::tensorStft -input {t} -nfft 4 -hopLength 1 -center 0 -normalized 1"),
         torch.stft(x, 4, 1, window=ones, center=False, normalized=True, return_complex=True))
    frames = torch.stft(x, 4, 2, 4, hann, return_complex=True)
    s = tcl.eval(f"torch::tensor_stft -tensor {t} -n_fft 4 -hop_length 2 -win_length 4 -window {w}")
    same(tcl, tcl.eval(f"torch::tensor_istft {s} 4 2 4 {w}"), torch.istft(frames, 4, 2, 4, hann))
    same(tcl, tcl.eval(f"torch::tensorIstft -input {s} -n_fft 4 -hop_length 2 -window {w} -length 16"), x)


# ---- bad input ----

@pytest.mark.parametrize("script,message", [
    ("torch::hann_window 0", "Invalid length: must be positive, got 0"),
    ("torch::hamming_window -length -3", "Invalid length: must be positive, got -3"),
    ("torch::blackman_window 4 int32", "Invalid dtype: a window needs a floating dtype, got Int32"),
    ("torch::bartlett_window 4 float32 cpu maybe", 'Invalid periodic: expected boolean, got "maybe"'),
    ("torch::bartlett_window -length 4 -dtype bogus", "Invalid dtype: expected one of *"),
    ("torch::kaiser_window 4 x", 'Invalid beta: expected number, got "x"'),
    ("torch::kaiser_window -beta 2", "Required parameters missing: -length"),
    ("torch::hann_window abc", 'Invalid length: expected integer, got "abc"'),
    ("torch::fftshift $t 2", "Invalid dim: 2 is out of range for a 2-dimensional tensor*"),
    ("torch::ifftshift nosuch", "Invalid tensor name*"),
    ("torch::fftshift $t 0 extra", "Wrong number of arguments (wrong # args). Usage: torch::fftshift tensor ?dim?"),
    ("torch::hilbert $c", "hilbert: needs a real tensor, got Complex64"),
    ("torch::hilbert $t 3", "Invalid dim: 3 is out of range*"),
    ("torch::hilbert $s", "hilbert: needs a tensor of at least 1 dimension*"),
    ("torch::tensor_fft $t 3", "tensor_fft: Dimension out of range*"),
    ("torch::tensor_fft $t -norm half", 'Invalid norm: expected one of backward, ortho, forward, got "half"'),
    ("torch::tensor_ifft $t x", 'Invalid dim: expected integer, got "x"'),
    ("torch::tensor_rfft $c", "tensor_rfft: *"),
    ("torch::tensor_irfft $one", "tensor_irfft: Invalid number of data points (0) specified"),
    ("torch::tensor_fft2d $t {0}", "Invalid dims: tensor_fft2d's dims must be a list of 2 integers, got {0}"),
    ("torch::tensor_ifft2d $t {0 5}", "Invalid dim: 5 is out of range*"),
    ("torch::tensor_fft2d $one", "tensor_fft2d: needs a tensor of at least 2 dimensions*"),
    ("torch::tensor_stft $t", "Wrong number of arguments (wrong # args). Usage: torch::tensor_stft tensor n_fft *"),
    ("torch::tensor_stft $long 0", "Invalid n_fft: must be positive, got 0"),
    ("torch::tensor_stft $long 4 0", "Invalid hop_length: must be positive, got 0"),
    ("torch::tensor_stft $long 4 2 5", "Invalid win_length: expected 1 .. 4 (n_fft), got 5"),
    ("torch::tensor_stft $long 4 2 4 $one", "Invalid window: expected a 1-dimensional tensor of 4 elements*"),
    ("torch::tensor_stft $i 4", "tensor_stft: needs a floating or complex tensor, got Int64*"),
    ("torch::tensor_stft $long 4 -center x", 'Invalid center: expected boolean, got "x"'),
    ("torch::tensor_istft $long 4", "tensor_istft: istft requires a complex-valued input tensor*"),
    ("torch::tensor_istft -input $long", "Required parameters missing: -n_fft"),
    ("torch::tensor_istft $c 4", "tensor_istft: needs a ?frequencies, frames? tensor (or a batch of them), got shape {2}"),
    ("torch::tensor_stft $long 2", "Invalid hop_length: its default, n_fft/4 rounded down, is 0 for n_fft 2; give hop_length"),
])
def test_bad_input_is_a_clear_error(tcl, script, message):
    tcl.eval(f"set t {tcl.create(SIGNAL, 'float32')}; set i {tcl.create(SIGNAL.reshape(-1).astype(int), 'int64')}")
    tcl.eval(f"set long {tcl.create(SIGNAL.reshape(-1), 'float32')}")
    tcl.eval("set c [torch::tensor_create {1+2j 3} {} complex64]; set s [torch::full {} 2.0]")
    tcl.eval("set one [torch::ones {1}]")
    got = tcl.error(script)
    assert fnmatch.fnmatchcase(got, message), got
