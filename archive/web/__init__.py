"""`archive serve`: the archive as web pages (search, article, outlets), their JSON twins and exports.

Loaded only by `archive serve` (FastAPI, Jinja2 and uvicorn stay out of every other command's start-up).
"""
