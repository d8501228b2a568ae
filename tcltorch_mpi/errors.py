"""The error type every user-facing failure is raised as."""


class CommandError(Exception):
    """Becomes a Tcl error whose message is exactly ``str(self)``. ``extension``, where
    given, is the LibTorch Tcl extension's own words for the same error, which its
    scripts compare with the message: a command of the extension's says those, and
    ``str(self)``, with what is wrong in detail, is the first line of errorInfo."""

    def __init__(self, message, extension=None):
        super().__init__(message)
        self.extension = extension


def tcl_list(value):
    """A value as a script writes it in a message: lists (nested too) in braces."""
    if isinstance(value, (list, tuple)):
        return "{" + " ".join(tcl_list(item) for item in value) + "}"
    return str(value)


def invalid(name, expected, value):
    """The spec's wrong-kind message: Invalid <name>: expected <kind>, got "<value>"."""
    return CommandError(f'Invalid {name}: expected {expected}, got "{value}"')


def first_line(exc):
    """An exception's message as one line (its first), or its class name if empty."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
