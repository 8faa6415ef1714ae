"""The search engine of the open data: character-bigram bitmaps over every corporation's name, with filters."""

from __future__ import annotations

from functions.hojin_search.search.index import CorporationIndex
from functions.hojin_search.search.query import LIMIT_DEFAULT, LIMIT_MAX, PAGE_MAX, HojinQuery, SearchResult

__all__ = ["LIMIT_DEFAULT", "LIMIT_MAX", "PAGE_MAX", "CorporationIndex", "HojinQuery", "SearchResult"]
