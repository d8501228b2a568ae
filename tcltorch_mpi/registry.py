"""Named handles (tensor0, tensor1, linear2, ...) for objects that live between Tcl calls."""

from .errors import CommandError


class Registry:
    def __init__(self, prefix, unknown_message):
        self._prefix = prefix
        self._unknown = unknown_message
        self._items = {}
        self._next = 0

    def add(self, item, prefix=None):
        """A new handle; a layer's prefix names its kind (linear0, conv2d1)."""
        name = f"{prefix or self._prefix}{self._next}"
        self._next += 1
        self._items[name] = item
        return name

    def get(self, name, unknown=None):
        """The item; for a name no handle has, an error in ``unknown``'s words or the
        registry's own."""
        try:
            return self._items[name]
        except KeyError:
            unknown = unknown or self._unknown
            raise CommandError(f"{unknown}: {name}", extension=unknown) from None

    def find(self, name):
        """The item, or None when no handle has this name."""
        return self._items.get(name)

    def pop(self, name):
        item = self.get(name)
        del self._items[name]
        return item

    def names(self):
        return list(self._items)

    def values(self):
        return list(self._items.values())

    def __len__(self):
        return len(self._items)
