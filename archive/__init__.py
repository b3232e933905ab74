"""archive: a searchable archive of Hindi news.

``from archive import Archive`` gives the Python API (see :mod:`archive.api`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Archive", "__version__"]

if TYPE_CHECKING:
    from archive.api import Archive


def __getattr__(name: str) -> Any:
    # Imported on first use, so that `archive --help` does not load the whole library.
    if name == "Archive":
        from archive.api import Archive

        return Archive
    raise AttributeError(name)
