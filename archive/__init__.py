"""archive: a searchable archive of Hindi news."""

__version__ = "0.1.0"
