"""Lazy package namespaces: ``from klaster.relatedness import relatedness`` works as before,
but importing the package (which every ``klaster`` command does to reach its sub-CLI) no
longer loads SciPy, Numba, NetworkX and the rest until a name is first used (PEP 562
module ``__getattr__``).

Why not ``lazy_loader.attach``: two packages export a function with the name of one of
their submodules (``klaster.indicators.concentration``, ``klaster.spatial.delineate``).
Python binds a submodule on its package when the submodule is imported, so with a plain
``__getattr__`` the function would silently turn into the module once anything imported the
submodule directly. :class:`_LazyPackage` keeps the exported object, as the eager
``from .x import x`` in the old ``__init__`` files did.
"""

from __future__ import annotations

import importlib
import sys
import types


class _LazyPackage(types.ModuleType):
    _klaster_exports: dict[str, str]

    def __setattr__(self, name: str, value: object) -> None:
        exports = self.__dict__.get("_klaster_exports", {})
        if (isinstance(value, types.ModuleType) and name in exports
                and value.__name__ == f"{self.__name__}.{name}"):
            # The import system binding the submodule of the same name: load and keep the
            # exported object instead (what the eager __init__ did).
            value = getattr(value, name)
        super().__setattr__(name, value)


def attach(package: str, submodules: dict[str, list[str]]) -> list[str]:
    """Export ``names`` of each submodule of ``package`` lazily; returns ``__all__``.

    Call at the end of the package's ``__init__``: ``__all__ = attach(__name__, {...})``.
    """
    exports = {name: sub for sub, names in submodules.items() for name in names}
    module = sys.modules[package]

    def __getattr__(name: str) -> object:
        sub = exports.get(name)
        if sub is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{sub}"), name)
        setattr(module, name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(module.__dict__) | set(exports))

    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    module.__dir__ = __dir__  # type: ignore[method-assign]
    module._klaster_exports = exports
    module.__class__ = _LazyPackage
    return sorted(exports)
