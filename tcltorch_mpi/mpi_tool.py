"""MPI's control variables, read and written after MPI has started (the MPI_T interface).

mpi4py does not wrap MPI_T; its extension module links the MPI library, so ctypes finds
the functions through it. Every function answers None where the library lacks MPI_T or
the variable: the variables used here are MPICH's, and other MPIs go without them."""

import ctypes

_SUCCESS = 0
_THREAD_SINGLE = 0


def _library():
    from mpi4py import MPI  # here, not above: importing it starts MPI (see runtime)

    try:
        library = ctypes.CDLL(MPI.__file__)
        library.MPI_T_cvar_write  # noqa: B018 - a missing symbol raises here
    except (OSError, AttributeError):
        return None
    provided = ctypes.c_int()
    if library.MPI_T_init_thread(_THREAD_SINGLE, ctypes.byref(provided)) != _SUCCESS:
        return None
    return library


def _with_handle(name, use):
    """use(library, handle) on the integer control variable ``name``; None without it."""
    library = _library()
    if library is None:
        return None
    try:
        index, handle, count = ctypes.c_int(), ctypes.c_void_p(), ctypes.c_int()
        if (library.MPI_T_cvar_get_index(name.encode(), ctypes.byref(index)) != _SUCCESS
                or library.MPI_T_cvar_handle_alloc(index, None, ctypes.byref(handle),
                                                   ctypes.byref(count)) != _SUCCESS):
            return None
        try:
            return use(library, handle) if count.value == 1 else None
        finally:
            library.MPI_T_cvar_handle_free(ctypes.byref(handle))
    finally:
        library.MPI_T_finalize()


def read(name):
    """The integer value of control variable ``name``."""
    def use(library, handle):
        value = ctypes.c_int()
        return value.value if library.MPI_T_cvar_read(handle, ctypes.byref(value)) == _SUCCESS else None
    return _with_handle(name, use)


def write(name, value):
    """Set control variable ``name`` to ``value``; True once it reads back so."""
    def use(library, handle):
        wanted = ctypes.c_int(value)
        return library.MPI_T_cvar_write(handle, ctypes.byref(wanted)) == _SUCCESS
    return bool(_with_handle(name, use)) and read(name) == value
