"""FFT and windows: Fourier transforms, their shifts, and window functions."""

COMMANDS = ()
