"""Whoosh's on-disk format, read and written faster, and the files we keep beside each segment.

``whoosh3`` is the only module that touches Whoosh's private names; the others use its interfaces.
"""
