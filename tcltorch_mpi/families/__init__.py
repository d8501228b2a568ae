"""The tensor command families: each module declares its commands (COMMANDS) and
holds the engine functions that no torch function already is (its commands class)."""

from . import (activations, autograd, checkpoints, comparison, creation, elementwise, fft, functional, info, layers,
               linalg, losses, optimizers, randomness, recurrent, reductions, routing, shape)

MODULES = (creation, info, elementwise, comparison, reductions, shape, linalg, fft, randomness, routing, autograd,
           activations, losses, layers, functional, recurrent, checkpoints, optimizers)
COMMANDS = tuple(command for module in MODULES for command in module.COMMANDS)
# The engine's classes of tensor commands, one per family that has engine functions.
CLASSES = tuple(cls for module in MODULES for name, cls in vars(module).items()
                if isinstance(cls, type) and name.endswith("Commands") and cls.__module__ == module.__name__)
