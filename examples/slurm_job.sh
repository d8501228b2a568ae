#!/bin/bash
# Slurm batch job: 2 nodes x 4 ranks, mpi4py built against the site's MPI.
#SBATCH --job-name=tcltorch_mpi
#SBATCH --nodes=2
#SBATCH --ntasks-per-node=4
#SBATCH --time=00:10:00
#
# One-time setup on the cluster (no mpich wheel: use the site's MPI):
#   module load openmpi            # or your site's MPI module
#   python -m venv ~/venvs/tcltorch && . ~/venvs/tcltorch/bin/activate
#   pip install torch numpy && pip install --no-binary mpi4py mpi4py
#   pip install --no-deps tcltorch_mpi   # not the MPICH wheel it would bring
set -euo pipefail
module load openmpi 2>/dev/null || true
. ~/venvs/tcltorch/bin/activate
srun python -m tcltorch_mpi examples/all_to_all.tcl
