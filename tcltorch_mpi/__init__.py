"""tcltorch_mpi: PyTorch collectives over MPI, driven from Tcl scripts."""

__version__ = "0.1.0"
