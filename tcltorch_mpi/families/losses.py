"""Losses: how far a prediction is from its target, as a tensor autograd can differentiate."""

COMMANDS = ()
