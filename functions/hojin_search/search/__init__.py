"""The search engine of the open data: character-bigram bitmaps over every corporation's name, with filters.

``CorporationIndex`` is imported on first use: the query types are needed by every route that parses a
search, the engine (numpy, pyarrow, pyroaring) only once an index is loaded, so cold starts stay light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.hojin_search.search.query import LIMIT_DEFAULT, LIMIT_MAX, PAGE_MAX, HojinQuery, SearchResult

if TYPE_CHECKING:
    from functions.hojin_search.search.index import CorporationIndex

__all__ = ["LIMIT_DEFAULT", "LIMIT_MAX", "PAGE_MAX", "CorporationIndex", "HojinQuery", "SearchResult"]


def __getattr__(name: str) -> Any:
    if name == "CorporationIndex":
        from functions.hojin_search.search.index import CorporationIndex

        return CorporationIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
