"""Keeping needless imports out of the ``archive`` command's start-up.

Importing Whoosh also imports modules for things we never call:

- ``urllib.request``, for a downloader (``whoosh.compat``), with the HTTP, e-mail and SSL modules it
  brings;
- ``asyncio``, through the ``cached_property`` package, for coroutine properties Whoosh does not have;
- English morphology and the Porter stemmer (``whoosh.lang.morph_en``, ``whoosh.lang.porter``), which
  compile some hundred regular expressions as they load.

Importing the search path took 225-276 ms with them and 195-223 without (fastest of 15 processes, in two
rounds): some 30-50 ms of every ``archive search`` process, of 200-300. Only the command's own process
defers them, before it imports anything of Whoosh; code using the library is left alone.

Each stand-in is a module that loads the real one, and from then on is the real one, at the first use
of a name it does not define itself, or of the functions it defines in the real one's place: nothing
else in the process can tell the difference.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

#: Modules that importing Whoosh loads, and the functions it takes from them at import time.
DEFERRED = {
    "urllib.request": ("urlretrieve",),
    "whoosh.lang.morph_en": ("variations",),
    "whoosh.lang.porter": ("stem",),
}


class _StandIn(ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet (see the module's text)."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__":  # asked by every `from ... import`; none of these modules is a package
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(name: str) -> ModuleType:
    module = sys.modules.get(name)
    if isinstance(module, _StandIn):
        del sys.modules[name]  # (the stand-in can't be reached again: everything goes to the real one)
        module = importlib.import_module(name)
    return module if module is not None else importlib.import_module(name)


def _deferred(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def defer_unused_imports() -> None:
    """Put stand-ins for the modules of :data:`DEFERRED` and for ``cached_property`` in ``sys.modules``,
    unless they (or Whoosh) are imported already.

    >>> import subprocess, sys
    >>> code = (
    ...     "from archive.cli.startup import defer_unused_imports; defer_unused_imports(); import sys; "
    ...     "import whoosh.query, whoosh.reading, whoosh.analysis; "
    ...     "names = ('asyncio', 'http.client', 'whoosh.lang.porter'); "
    ...     "real = [m for m in names if type(sys.modules.get(m)) is type(sys)]; "
    ...     "print(real); "
    ...     "print([t.text for t in whoosh.analysis.StemmingAnalyzer()('cats')]); "
    ...     "import urllib.request; print(urllib.request.Request)"
    ... )
    >>> print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip())
    []
    ['cat']
    <class 'urllib.request.Request'>
    """
    if "whoosh" in sys.modules:
        return
    for module, names in DEFERRED.items():
        if module in sys.modules:
            continue
        stand_in = _StandIn(module)
        for name in names:
            setattr(stand_in, name, _deferred(module, name))
        sys.modules[module] = stand_in
        parent, _, child = module.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, stand_in)  # (as an import would)
    if "cached_property" not in sys.modules:
        properties = _StandIn("cached_property")
        properties.cached_property = functools.cached_property  # type: ignore[attr-defined]
        sys.modules["cached_property"] = properties
