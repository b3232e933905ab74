"""The ``archive`` command: ``app`` parses options and calls :class:`archive.api.Archive`, ``output``
prints what it returns, ``progress`` draws the ingest bar, ``startup`` keeps the start-up lean."""
