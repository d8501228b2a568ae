"""torch::help: the command table, as a person reads it."""

from . import spec
from .errors import CommandError


class InfoCommands:
    def help(self, command):
        text = spec.help_text(self.commands, command)
        if text is None:
            raise CommandError(f"torch::help: no command {command}; torch::help lists them all")
        return text
