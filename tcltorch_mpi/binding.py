"""The one generic parser: a call's words bound to a command's parameters.

Positional (`torch::c $t g1`), named (`torch::c -tensor $t -group g1`, any order),
or positional values followed by named options. What each command takes comes from
its declaration (commands.py); the messages are the spec's.
"""

import re

from .errors import CommandError
from .spec import REQUIRED

_OPTION = re.compile(r"-[A-Za-z]\w*")
_NUMBER_WORDS = {"-inf", "-infinity", "-nan"}  # -Inf is a value, as Tcl reads numbers


def is_option(word):
    return word[:1] == "-" and word[1:2].isalpha() and _OPTION.fullmatch(word) is not None \
        and word.lower() not in _NUMBER_WORDS


class Binding:
    __slots__ = ("usage", "npositional", "minimum", "rest", "options", "valid", "defaults",
                 "mandatory", "prepare")

    def __init__(self, command):
        positional = command.positional()
        self.usage = f"torch::{command.name} {command.positional_usage()}".strip()
        self.npositional = len(positional)
        self.minimum = max((i + 1 for i, p in enumerate(positional) if not p.optional_positionally), default=0)
        self.rest = bool(positional) and positional[-1].rest
        self.options = {spelling: index for index, p in enumerate(command.params) for spelling in p.spellings}
        self.valid = " ".join(self.options) or "none"
        self.defaults = tuple(p.default_text for p in command.params)
        self.mandatory = [(index, p.spellings[0]) for index, p in enumerate(command.params) if p.default is REQUIRED]
        self.prepare = command.prepare

    def __call__(self, words):
        """The values in declaration order (texts; a rest parameter's is a tuple),
        with the default text of every parameter not given."""
        count = len(words)
        for split, word in enumerate(words):
            if is_option(word):
                break
        else:
            split = count
        positional, named = list(words[:split]), words[split:]
        if self.prepare and positional:
            positional = self.prepare(positional)
        if self.rest and len(positional) >= self.npositional:
            positional[self.npositional - 1:] = [tuple(positional[self.npositional - 1:])]
        bound = len(positional)
        if bound > self.npositional or (bound < self.minimum and not named):
            raise CommandError(f"Wrong number of arguments (wrong # args). Usage: {self.usage}")
        values = positional + list(self.defaults[bound:])
        given = {}  # index -> the spelling that gave it
        for i in range(0, len(named), 2):
            word = named[i]
            index = self.options.get(word)
            if index is None:
                raise CommandError(f"Unknown parameter: {word}. Valid parameters: {self.valid}",
                                   extension=f"Unknown parameter: {word}")
            if i + 1 == len(named):
                raise CommandError(f"Missing value for parameter: {word}. Named parameters must come in pairs",
                                   extension="Missing value for parameter")
            if index < bound:
                raise CommandError(f"Parameter given twice: {word} (also by position)")
            if index in given:
                raise CommandError(f"Parameter given twice: {word} (also as {given[index]})")
            values[index] = named[i + 1]
            given[index] = word
        for index, word in self.mandatory:
            if index >= bound and index not in given:
                raise CommandError(f"Required parameters missing: {word}")
        return values
