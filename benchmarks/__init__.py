"""OSU-style latency benchmarks: tcltorch_mpi from Tcl against raw mpi4py and gloo.

``python -m benchmarks`` (the driver, __main__.py) launches ``benchmarks.worker``
under mpirun, then writes tables, JSON, CSV and plots; see README.md.
"""

import argparse

COLLECTIVES = ("all_to_all", "all_reduce", "broadcast")
# tcltorch: a Tcl loop over torch:: commands; raw_mpi4py: the floor; gloo: torch.distributed.
IMPLEMENTATIONS = ("tcltorch", "raw_mpi4py", "gloo")
FLOAT_BYTES = 4  # every benchmark tensor is float32


def argument_parser(prog, doc):
    """A parser whose help shows a module docstring, less its first paragraph."""
    return argparse.ArgumentParser(prog=prog, description=doc.split("\n\n", 1)[1],
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
