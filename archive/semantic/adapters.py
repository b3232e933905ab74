"""Models a user has on their machine, through the libraries that run them (neither is a dependency of the
archive: each is imported only when ``ARCHIVE_EMBEDDING_MODEL`` names one of its models)."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from archive.semantic.embedder import EmbeddingUnavailable, Vectors, unit_rows


def _e5_prefixes(name: str) -> tuple[str, str]:
    """The instructions an e5 model was trained with (other models take the text as it is).

    >>> _e5_prefixes("models/multilingual-e5-base"), _e5_prefixes("LaBSE")
    (('query: ', 'passage: '), ('', ''))
    """
    return ("query: ", "passage: ") if "e5" in Path(name).name.lower() else ("", "")


class SentenceTransformerModel:
    """A model directory sentence-transformers loads (no download: a path)."""

    def __init__(self, path: str) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise EmbeddingUnavailable("pip install sentence-transformers to use this model.") from error
        if not Path(path).is_dir():
            raise EmbeddingUnavailable(f"No model directory at {path}; give the path of a downloaded model.")
        self._model: Any = SentenceTransformer(path, device="cpu")
        self.name = Path(path).name
        self.version = f"sentence-transformers-{version('sentence-transformers')}"
        self.dimension = int(self._model.get_sentence_embedding_dimension())
        self._query, self._passage = _e5_prefixes(path)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._embed([self._query + t for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._embed([self._passage + t for t in texts])

    def _embed(self, texts: list[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return unit_rows(self._model.encode(texts, convert_to_numpy=True))


class FastEmbedModel:
    """A model fastembed has in its cache (``local_files_only``: nothing is fetched)."""

    def __init__(self, name: str, cache_dir: str | None, threads: int | None = None) -> None:
        try:
            from fastembed import TextEmbedding
        except ImportError as error:
            raise EmbeddingUnavailable("pip install fastembed to use this model.") from error
        try:
            self._model: Any = TextEmbedding(name, cache_dir=cache_dir, threads=threads, local_files_only=True)
        except Exception as error:  # (fastembed raises several kinds for a model it does not have)
            raise EmbeddingUnavailable(f"fastembed cannot load {name} from its cache: {error}") from error
        self.name = name
        self.version = f"fastembed-{version('fastembed')}"
        self.dimension = int(self.embed_queries(["x"]).shape[1])

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return unit_rows(np.array(list(self._model.query_embed(list(texts)))))

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return unit_rows(np.array(list(self._model.passage_embed(list(texts)))))
