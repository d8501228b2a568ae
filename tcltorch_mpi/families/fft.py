"""FFT and windows: Fourier transforms, their shifts, and window functions.

Transforms of real tensors give complex ones (Complex64 from Float32), which
tensor_to_list writes as 1+2j (tensor_abs gives their magnitudes).
"""

import functools

import torch

from .. import dtypes
from ..errors import CommandError, tcl_list
from ..params import DEVICE, DTYPE, FFT, INPUT_FIRST, TENSOR
from ..spec import Command, Param
from ..tensor_commands import torch_call


class FftCommands:
    def window(self, name, function, length, dtype, device, periodic):
        """The window commands (kaiser_window's function comes with its beta)."""
        if length <= 0:
            raise CommandError(f"Invalid length: must be positive, got {length}")
        if not dtype.is_floating_point:
            raise CommandError(f"Invalid dtype: a window needs a floating dtype, got {dtypes.DISPLAY[dtype]}")
        return self.filled(name, lambda shape, **kw: function(shape[0], periodic=periodic, **kw),
                           [length], dtype, device)

    def kaiser_window(self, length, beta, dtype, device, periodic):
        return self.window("kaiser_window", functools.partial(torch.kaiser_window, beta=beta), length, dtype, device,
                           periodic)

    # ---- shifts and the analytic signal ----

    def shift(self, name, function, tensor, dim):
        """fftshift and ifftshift."""
        if dim is not None:
            self._dims(tensor, dim)
        if tensor.dim() == 0:  # nothing to roll (torch refuses, asking for shifts)
            return tensor.clone()
        return torch_call(name, function, tensor, dim)

    def hilbert(self, tensor, dim):
        """The analytic signal x + i*H(x) (as scipy.signal.hilbert): the spectrum's
        negative frequencies zeroed, the positive ones doubled."""
        if tensor.dtype.is_complex or tensor.dtype == torch.bool:
            raise CommandError(f"hilbert: needs a real tensor, got {dtypes.DISPLAY[tensor.dtype]}")
        if tensor.dim() == 0:
            raise CommandError("hilbert: needs a tensor of at least 1 dimension, got a 0-dimensional one")
        dim = self._dim(tensor, dim)
        n = tensor.shape[dim]
        if n == 0:
            raise CommandError(f"hilbert: dimension {dim} has size 0")
        spectrum = torch.fft.fft(tensor, dim=dim)
        h = torch.zeros(n, dtype=spectrum.real.dtype, device=tensor.device)
        h[0] = 1
        if n % 2 == 0:
            h[n // 2] = 1
            h[1:n // 2] = 2
        else:
            h[1:(n + 1) // 2] = 2
        shape = [1] * tensor.dim()
        shape[dim] = n
        return torch.fft.ifft(spectrum * h.reshape(shape), dim=dim)

    # ---- 2-D transforms, short-time transforms ----

    def two_dims(self, name, function, tensor, dims, norm):
        """tensor_fft2d and tensor_ifft2d."""
        dims = dims if isinstance(dims, tuple) else (dims,)
        if len(dims) != 2:
            raise CommandError(f"Invalid dims: {name}'s dims must be a list of 2 integers, got {tcl_list(dims)}")
        if tensor.dim() < 2:
            raise CommandError(f"{name}: needs a tensor of at least 2 dimensions, got shape "
                               f"{tcl_list(list(tensor.shape))}")
        for d in dims:
            self._dim(tensor, d)
        return torch_call(name, function, tensor, dim=dims, norm=norm)

    def _frames(self, name, tensor, n_fft, hop_length, win_length, window):
        """The checks stft and istft share; the window's length (win_length or n_fft)."""
        if n_fft <= 0:
            raise CommandError(f"Invalid n_fft: must be positive, got {n_fft}")
        if hop_length is not None and hop_length <= 0:
            raise CommandError(f"Invalid hop_length: must be positive, got {hop_length}")
        if hop_length is None and n_fft < 4:
            raise CommandError(f"Invalid hop_length: its default, n_fft/4 rounded down, is 0 for n_fft {n_fft}; "
                               "give hop_length")
        length = n_fft if win_length is None else win_length
        if not 0 < length <= n_fft:
            raise CommandError(f"Invalid win_length: expected 1 .. {n_fft} (n_fft), got {length}")
        if window is not None:
            if list(window.shape) != [length]:
                raise CommandError(f"Invalid window: expected a 1-dimensional tensor of {length} elements "
                                   f"(win_length), got shape {tcl_list(list(window.shape))}")
            self._same_device("window", tensor, window)

    def tensor_stft(self, tensor, n_fft, hop_length, win_length, window, center, normalized, onesided):
        self._frames("tensor_stft", tensor, n_fft, hop_length, win_length, window)
        if tensor.dim() not in (1, 2) or tensor.dtype == torch.bool or dtypes.is_integral(tensor.dtype):
            if tensor.dim() not in (1, 2):
                raise CommandError(f"tensor_stft: needs a 1-dimensional signal (or a 2-dimensional batch), "
                                   f"got shape {tcl_list(list(tensor.shape))}")
            raise CommandError(f"tensor_stft: needs a floating or complex tensor, got "
                               f"{dtypes.DISPLAY[tensor.dtype]}; convert it with torch::tensor_to")
        if window is None:  # torch's own default, said out loud (it warns otherwise)
            window = torch.ones(n_fft if win_length is None else win_length, dtype=tensor.real.dtype,
                                device=tensor.device)
        return torch_call("tensor_stft", torch.stft, tensor, n_fft, hop_length, win_length, window,
                      center=center, normalized=normalized, onesided=onesided, return_complex=True)

    def tensor_istft(self, tensor, n_fft, hop_length, win_length, window, center, normalized, onesided, length):
        self._frames("tensor_istft", tensor, n_fft, hop_length, win_length, window)
        if tensor.dtype.is_complex and tensor.dim() not in (2, 3):
            raise CommandError(f"tensor_istft: needs a [frequencies, frames] tensor (or a batch of them), "
                               f"got shape {tcl_list(list(tensor.shape))}")
        if not tensor.dtype.is_complex:
            raise CommandError("tensor_istft: istft requires a complex-valued input tensor (the result of "
                               f"tensor_stft), got {dtypes.DISPLAY[tensor.dtype]}")
        if window is None:
            window = torch.ones(n_fft if win_length is None else win_length, dtype=tensor.real.dtype,
                                device=tensor.device)
        return torch_call("tensor_istft", torch.istft, tensor, n_fft, hop_length, win_length, window,
                      center=center, normalized=normalized, onesided=onesided, length=length)


NORM = Param("norm", "text", None, "Scaling: backward (1/n on the inverse), ortho (1/sqrt(n) both ways), "
             "forward (1/n on the forward)", named_only=True, keyword="norm",
             choices=("backward", "ortho", "forward"))
NORM_2D = Param("norm", "text", None, NORM.doc, named_only=True, choices=NORM.choices)
SIZE = Param("n", "int", None, "Length of the transformed dimension (cropped or zero-padded); "
             "its size when not given", keyword="n")
NAMED_SIZE = Param("n", "int", None, SIZE.doc, named_only=True, keyword="n")
TRANSFORM_DIM = Param("dim", "int", -1, "Dimension to transform; the last by default",
                      named=("-dim", "-dimension"), keyword="dim")
LENGTH = Param("length", "int", doc="Number of points, at least 1", named=("-length", "-window_length",
                                                                         "-windowLength"))
PERIODIC = Param("periodic", "bool", 1, "Periodic (for spectral analysis; 0: symmetric, for filter design)")


def _window(name, camel, summary, engine, *params, fixed=()):
    return Command(name, camel, FFT, summary, (LENGTH, *params, DTYPE, DEVICE, PERIODIC), engine=engine,
                   fixed=fixed)


def _transform(name, camel, summary, function, *params):
    return Command(name, camel, FFT, summary, (TENSOR, *params, NORM), torch=function)


def _frame_params(what, *extra):
    return (
        Param("tensor", "tensor", doc=f"Handle of {what}", named=("-input", "-tensor")),
        Param("n_fft", "int", doc="Length of each frame's transform", named=("-n_fft", "-nfft", "-nFft")),
        Param("hop_length", "int", None, "Samples between frames; n_fft/4 when not given",
              named=("-hop_length", "-hopLength")),
        Param("win_length", "int", None, "Window length; n_fft when not given", named=("-win_length", "-winLength")),
        Param("window", "optional_tensor", None, "Handle of a 1-dimensional window of win_length values; "
              "all ones when not given"),
        Param("center", "bool", 1, "Frames centred on their times (the signal padded by n_fft/2)", named_only=True),
        Param("normalized", "bool", 0, "Scaled by 1/sqrt(n_fft)", named_only=True),
        Param("onesided", "bool", 1, "Only the non-negative frequencies (real signals)", named_only=True),
        *extra)


C = FftCommands
COMMANDS = (
    _window("hann_window", "hannWindow", "The Hann window of a given length", C.window,
            fixed=("hann_window", torch.hann_window)),
    _window("hamming_window", "hammingWindow", "The Hamming window of a given length", C.window,
            fixed=("hamming_window", torch.hamming_window)),
    _window("blackman_window", "blackmanWindow", "The Blackman window of a given length", C.window,
            fixed=("blackman_window", torch.blackman_window)),
    _window("bartlett_window", "bartlettWindow", "The Bartlett (triangular) window of a given length",
            C.window, fixed=("bartlett_window", torch.bartlett_window)),
    _window("kaiser_window", "kaiserWindow", "The Kaiser window of a given length and shape beta", C.kaiser_window,
            Param("beta", "double", 12.0, "Shape: 0 is rectangular, larger is narrower")),
    *(Command(name, camel, FFT, summary, (
        INPUT_FIRST, Param("dim", "dims", None, "Dimension or list of dimensions to shift; all when not given",
                      named=("-dim", "-dimension", "-dims"))), aliases=(alias,), engine=C.shift,
        fixed=(name, function))
      for name, camel, alias, summary, function in (
          ("fftshift", "fftshift", "fftShift", "The zero frequency moved to the centre (each dimension "
           "rolled by half its size)", torch.fft.fftshift),
          ("ifftshift", "ifftshift", "ifftShift", "The inverse of fftshift: the zero frequency moved back "
           "to the start", torch.fft.ifftshift))),
    Command("hilbert", "hilbert", FFT, "The analytic signal x + i*H(x) along a dimension (complex)", (
        INPUT_FIRST, Param("dim", "int", -1, "Dimension; the last by default", named=("-dim", "-dimension"))),
            engine=C.hilbert),
    _transform("tensor_fft", "tensorFft", "The discrete Fourier transform along a dimension (complex)",
               torch.fft.fft, TRANSFORM_DIM, NAMED_SIZE),
    _transform("tensor_ifft", "tensorIfft", "The inverse discrete Fourier transform along a dimension (complex)",
               torch.fft.ifft, TRANSFORM_DIM, NAMED_SIZE),
    _transform("tensor_rfft", "tensorRfft", "The Fourier transform of a real signal: the n/2+1 non-negative "
               "frequencies", torch.fft.rfft, SIZE, TRANSFORM_DIM),
    _transform("tensor_irfft", "tensorIrfft", "The real signal of n points whose rfft is the given spectrum",
               torch.fft.irfft, Param("n", "int", None, "Length of the result; 2*(size-1) when not given",
                                      keyword="n"), TRANSFORM_DIM),
    *(Command(name, camel, FFT, summary, (
        TENSOR, Param("dims", "dims", "-2 -1", "The 2 dimensions to transform; the last two by default",
                      named=("-dims", "-dim")), NORM_2D), aliases=(alias,), engine=C.two_dims,
        fixed=(name, function))
      for name, camel, alias, summary, function in (
          ("tensor_fft2d", "tensorFft2D", "tensorFft2d", "The 2-dimensional discrete Fourier transform (complex)",
           torch.fft.fft2),
          ("tensor_ifft2d", "tensorIfft2D", "tensorIfft2d", "The inverse 2-dimensional discrete Fourier transform (complex)",
           torch.fft.ifft2))),
    Command("tensor_stft", "tensorStft", FFT, "The short-time Fourier transform: a complex "
            "[frequencies, frames] tensor", _frame_params("the signal"), engine=C.tensor_stft),
    Command("tensor_istft", "tensorIstft", FFT, "The signal whose short-time Fourier transform is the given "
            "one (the inverse of tensor_stft)", _frame_params("tensor_stft's result", Param(
                "length", "int", None, "Length of the result; as the frames give when not given",
                named_only=True)), engine=C.tensor_istft),
)
