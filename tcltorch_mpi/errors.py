"""The error type every user-facing failure is raised as."""


class CommandError(Exception):
    """Becomes a Tcl error whose message is exactly ``str(self)``."""


def invalid(name, expected, value):
    """The spec's wrong-kind message: Invalid <name>: expected <kind>, got "<value>"."""
    return CommandError(f'Invalid {name}: expected {expected}, got "{value}"')
