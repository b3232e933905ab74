"""Keeping two needless imports out of the ``archive`` command's start-up.

Importing Whoosh also imports ``urllib.request`` (``whoosh.compat`` takes its ``urlretrieve``, for a
downloader we never call) and, through the ``cached_property`` package, ``asyncio`` (for coroutine
properties Whoosh does not have). With the HTTP, e-mail and SSL modules they bring, that is about 40 ms of
every ``archive search`` process, of some 280. Only the command's own process defers them, before it
imports anything of Whoosh; code using the library is left alone.

Each stand-in is a module that loads the real one, and from then on is the real one, at the first use
of a name it does not define itself: nothing else in the process can tell the difference.
"""

from __future__ import annotations

import functools
import importlib
import sys
from types import ModuleType
from typing import Any


class _StandIn(ModuleType):
    """Stands in ``sys.modules`` for a module not imported yet (see the module's text)."""

    def __getattr__(self, name: str) -> Any:
        if name == "__path__":  # asked by every `from ... import`; neither module is a package
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(name: str) -> ModuleType:
    module = sys.modules.get(name)
    if isinstance(module, _StandIn):
        del sys.modules[name]  # (the stand-in can't be reached again: everything goes to the real one)
        module = importlib.import_module(name)
    return module if module is not None else importlib.import_module(name)


def _urlretrieve(*args: Any, **kwargs: Any) -> Any:
    return _real("urllib.request").urlretrieve(*args, **kwargs)


def defer_unused_imports() -> None:
    """Put stand-ins for ``urllib.request`` and ``cached_property`` in ``sys.modules``, unless they (or
    Whoosh) are imported already.

    >>> import subprocess, sys
    >>> code = (
    ...     "from archive.lean_imports import defer_unused_imports; defer_unused_imports(); import sys; "
    ...     "import whoosh.query, whoosh.reading; print('asyncio' in sys.modules, 'http.client' in sys.modules); "
    ...     "import urllib.request; print(urllib.request.Request.__module__)"
    ... )
    >>> print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip())
    False False
    urllib.request
    """
    if "whoosh" in sys.modules:
        return
    if "urllib.request" not in sys.modules:
        import urllib

        request = _StandIn("urllib.request")
        request.urlretrieve = _urlretrieve  # type: ignore[attr-defined]
        sys.modules["urllib.request"] = request
        urllib.request = request  # type: ignore[attr-defined]  # (as an import would set both)
    if "cached_property" not in sys.modules:
        properties = _StandIn("cached_property")
        properties.cached_property = functools.cached_property  # type: ignore[attr-defined]
        sys.modules["cached_property"] = properties
