"""Evaluating queries on the index's segments with numpy, scoring them as Whoosh does.

``evaluator`` walks a parsed query; ``postings`` reads a term's postings (plain arrays, else Whoosh's
blocks); ``phrase`` finds phrases; ``bm25`` holds Whoosh's BM25F, vectorised; ``values`` the per-document
values (lengths, dates, facet codes, stories); ``collect`` ranks, collapses and counts the matches;
``reference`` holds the engine to Whoosh's own searcher.
"""
