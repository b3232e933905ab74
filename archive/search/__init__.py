"""Searching: a query string and filters in, typed and ranked results out.

``request`` holds what a search is asked and what it answers; ``parsing`` reads the query language;
``expansion`` widens each word to its variants; ``session`` keeps an archive's index and database open
between searches (reading only); ``searching`` runs a search; ``matched`` and ``snippets`` mark what it
found. Nothing is imported here, so that importing one part loads only what it needs.
"""
