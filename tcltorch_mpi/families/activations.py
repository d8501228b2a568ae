"""Activations: the elementwise (and softmax-like) functions between layers."""

COMMANDS = ()
