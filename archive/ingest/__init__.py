"""Ingest: read article files, store every record (or account for it as rejected), and bring the index in
step. ``pipeline`` runs an ingest; ``background`` is the second process that indexes while it stores.
"""
