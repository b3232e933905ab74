"""The search index: derived from the database, and rebuilt from it at will.

``search_index`` opens and writes a Whoosh index; ``schema`` holds its fields; ``sync`` keeps it in step
with the database; ``swap`` replaces one index directory by another atomically; ``vocabulary`` lists its
word forms. ``codec/`` reads and writes Whoosh's file format (the only place that knows Whoosh's
internals, in ``codec/whoosh3.py``) and the files we keep beside each segment; ``query/`` evaluates
queries on the segments with numpy.

Nothing is imported here: importing this package must not load Whoosh.
"""
