"""Text to vectors: the embedding model behind a small interface of our own (:class:`Embedder`), which model
to load (``ARCHIVE_EMBEDDING_MODEL``), what of an article is embedded, and vectors packed for the database."""
