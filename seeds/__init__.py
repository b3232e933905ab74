"""Sample articles shipped with archive; `archive ingest` with no path reads this folder."""
