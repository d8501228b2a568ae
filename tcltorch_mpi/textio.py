"""Numbers between Tcl lists and tensors, in bulk (numpy and torch), exact both ways."""

import warnings

import numpy as np
import torch

from . import dtypes
from .errors import CommandError, tcl_list

_NESTING = ("{", '"', "\\")


def _leaves(tk, text):
    """Flatten a (possibly nested) Tcl list: (leaf strings, shape)."""
    items = tk.splitlist(text)
    nested = [len(sub) != 1 or sub[0] != item for item in items for sub in [tk.splitlist(item)]]
    if not items or not any(nested):
        return list(items), [len(items)]
    if not all(nested):
        raise CommandError("Invalid data: nested lists must all have the same depth")
    leaves, shape = [], None
    for item in items:
        sub_leaves, sub_shape = _leaves(tk, item)
        if shape is None:
            shape = sub_shape
        elif sub_shape != shape:
            raise CommandError("Invalid data: nested lists must be rectangular "
                               f"(rows of shape {tcl_list(shape)} and {tcl_list(sub_shape)})")
        leaves.extend(sub_leaves)
    return leaves, [len(items)] + shape


def _convert_each(tk, leaves, dtype):
    if dtype == torch.bool:
        convert, kind = tk.getboolean, "boolean"
    elif dtype.is_complex:
        convert, kind = complex, "complex number (such as 1+2j)"
    elif dtype.is_floating_point:
        convert, kind = tk.getdouble, "number"
    else:
        convert, kind = tk.getint, "integer"
    values = []
    for leaf in leaves:
        try:
            values.append(convert(leaf))
        except Exception:  # Tcl and Python each say no their own way
            raise CommandError(f'Invalid data: expected {kind}, got "{leaf}"') from None
    return values


def parse(tk, text, dtype):
    """Tcl list text (flat or nested) -> (numpy array of values, shape)."""
    if not any(mark in text for mark in _NESTING):
        # Fast path: one flat list of plain decimal numbers. Booleans are Tcl's to read
        # (numpy would take 2, +1 or 01 for one).
        wide = np.float64 if dtype.is_floating_point else np.int64
        if not (dtype.is_complex or dtype == torch.bool):
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    values = np.fromstring(text, dtype=wide, sep=" ")
                except (ValueError, DeprecationWarning):
                    values = None
            # numpy saturates integers that overflow, and reads 010 as ten where Tcl 8.6
            # reads octal: let Tcl read those.
            if values is not None and not (wide is np.int64 and values.size and (
                    values.max() == _INT64.max or values.min() == _INT64.min or _octal_looking(text))):
                return _in_range(values, dtype), [values.size]
        leaves, shape = list(tk.splitlist(text)), None
    else:
        leaves, shape = _leaves(tk, text)
    values = _convert_each(tk, leaves, dtype)
    if dtype == torch.bool:
        array = np.asarray(values, dtype=np.bool_)
    elif dtype.is_complex:
        array = np.asarray(values, dtype=np.complex128)
    else:
        try:
            array = np.asarray(values, dtype=np.float64 if dtype.is_floating_point else np.int64)
        except OverflowError:
            raise CommandError(f"Invalid data: a value does not fit in {dtypes.DISPLAY[dtype]}") from None
    return _in_range(array, dtype), shape or [array.size]


_INT64 = np.iinfo(np.int64)


def _octal_looking(text):
    """Whether an integer token starts with 0 and another digit (010, -07)."""
    chars = np.frombuffer(text.encode(), dtype=np.uint8)
    if chars.size < 2:
        return False
    digit = (chars >= ord("0")) & (chars <= ord("9"))
    return bool(np.any((chars[:-1] == ord("0")) & digit[1:] & ~np.r_[False, digit[:-2]]))


def _in_range(values, dtype):
    """Integers that the dtype cannot hold are an error, not a silent wrap-around."""
    if values.size and values.dtype == np.int64 and dtype != torch.int64:
        limits = torch.iinfo(dtype)
        if values.min() < limits.min or values.max() > limits.max:
            raise CommandError(f"Invalid data: a value does not fit in {dtypes.DISPLAY[dtype]} "
                               f"({limits.min}..{limits.max})")
    return values


# Significant digits to try, fewest first: the first that reads back as the same
# value is used. Values whose shortest text is shorter are found at the first try.
_DIGITS = {torch.float16: (3, 4, 5), torch.bfloat16: (2, 3, 4), torch.float32: (6, 7, 8, 9)}


def shortest_decimals(flat):
    """float64 values whose shortest decimal text reads back as ``flat`` exactly
    ("0.1" for float32 0.1, not 0.10000000149011612)."""
    wide = flat.double()
    digits = _DIGITS.get(flat.dtype)
    if digits is None:
        return wide
    exponent = torch.floor(torch.log10(wide.abs()))
    result = wide.clone()
    for count in reversed(digits):
        # The decimal is (integer) / 10**k or (integer) * 10**-k, one rounding with an
        # exact power of ten, so the double nearest to it.
        k = count - 1 - exponent
        power = torch.pow(10.0, k.abs())
        candidate = torch.where(k >= 0, torch.round(wide * power) / power, torch.round(wide / power) * power)
        exact = candidate.to(flat.dtype) == flat
        result = torch.where(exact, candidate, result)
    # Powers of ten beyond 1e22 are not exact doubles: there the decimal is missed by an
    # ulp (3.4028234999999995e+38 for float32's largest). Those few elements are done
    # one by one below.
    far = torch.isfinite(wide) & (wide != 0) & ((exponent > digits[0] + 21) | (exponent < digits[-1] - 23))
    if far.any():
        result[far] = _far_decimals(flat[far])
    # Zeros, infinities and NaN stay as they are.
    return torch.where(torch.isfinite(result), result, wide)


def _far_decimals(values):
    """The shortest decimals of values far from 1, read back exactly: numpy's text for
    float32; bfloat16 (numpy has none) tries 1, 2, ... digits for each distinct value."""
    if values.dtype == torch.float32:
        return torch.from_numpy(values.numpy().astype(str).astype(np.float64))
    distinct, where = torch.unique(values, return_inverse=True)
    shortest = [next(decimal for count in range(1, 10) for decimal in [float(f"{value:.{count}g}")]
                     if torch.tensor(decimal, dtype=torch.float64).to(values.dtype) == value)
                for value in distinct.tolist()]
    return torch.tensor(shortest, dtype=torch.float64)[where]


def to_tcl(tensor):
    """The elements of a tensor, flattened, for the shim to turn into a Tcl list:
    (binary scan format, native bytes), or ("", text) for complex numbers."""
    flat = tensor.detach().reshape(-1).cpu()
    if flat.dtype.is_complex:
        # Each part as short as its float dtype allows (complex64: 0.1, not 0.10000000149011612).
        parts = zip(shortest_decimals(flat.real).tolist(), shortest_decimals(flat.imag).tolist())
        text = " ".join(repr(complex(re, im)).strip("()") for re, im in parts)
        return "", text.replace("inf", "Inf").replace("nan", "NaN")
    if flat.dtype.is_floating_point:
        return "d*", shortest_decimals(flat).numpy().tobytes()
    return "m*", flat.to(torch.int64).numpy().tobytes()
