"""Collecting: following outlets' feeds, sitemaps and section pages, fetching their articles politely, and
storing them through the ingest's store (ARCHITECTURE.md: "Collecting, step by step")."""
