"""Typer's Rich help without the two Rich modules it imports and klaster never uses.

``typer.rich_utils`` (imported for every ``--help`` and usage error) imports
``rich.markdown`` — markdown-it-py and Pygments, for ``rich_markup_mode="markdown"`` —
and ``rich.traceback`` — ``rich.pretty`` and attrs, for pretty exceptions — at the top of
the module: about 0.2-0.3 s of the 0.5 s that `klaster --help` may take (issue 14),
while klaster uses the "rich" markup mode and turns pretty exceptions off.

:func:`install` adds an import hook that, only while ``typer.rich_utils`` itself is
executed, puts stand-in modules under those two names whose ``Markdown`` and
``Traceback`` classes import the real ones on first use (a call or an attribute), and
removes them right after: every other import of ``rich.markdown`` / ``rich.traceback``,
before or after, gets the real module. The help text is the same (tests/test_cli.py
compares it with the output of plain Typer).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types

_TARGET = "typer.rich_utils"
_DEFERRED = (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback"))


def _stand_in(module: str, name: str) -> type:
    """A class named like ``module.name`` that builds (and forwards to) the real one."""

    def real() -> type:
        return getattr(importlib.import_module(module), name)

    class _Meta(type):
        def __getattr__(cls, attr):  # Traceback.from_exception(...)
            return getattr(real(), attr)

        def __instancecheck__(cls, obj) -> bool:
            return isinstance(obj, real())

    def __new__(cls, *args, **kwargs):  # Markdown(text) -> a real Markdown
        return real()(*args, **kwargs)

    return _Meta(name, (), {"__new__": __new__, "__module__": module,
                            "__doc__": f"Imports {module}.{name} on first use."})


class _Loader:  # the importlib.abc protocol, without importing importlib.abc (6 ms)
    def __init__(self, loader) -> None:
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        placed = {}
        for modname, name in _DEFERRED:
            if modname not in sys.modules:
                stub = types.ModuleType(modname)
                setattr(stub, name, _stand_in(modname, name))
                placed[modname] = sys.modules[modname] = stub
        try:
            self.loader.exec_module(module)
        finally:
            for modname, stub in placed.items():
                if sys.modules.get(modname) is stub:
                    del sys.modules[modname]


class _Finder:
    def find_spec(self, fullname, path, target=None):
        if fullname != _TARGET:
            return None
        sys.meta_path.remove(self)  # once: the real finders locate the module
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader)
        return spec


def install() -> None:
    """Add the hook unless ``typer.rich_utils`` is already imported (idempotent)."""
    if _TARGET in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
