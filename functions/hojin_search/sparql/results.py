"""SPARQL 1.1 query results in the four standard formats, written row by row so a limit and a deadline apply.

JSON (``application/sparql-results+json``), XML (``application/sparql-results+xml``), CSV (``text/csv``) and TSV
(``text/tab-separated-values``) as the W3C recommendations define them; graphs (CONSTRUCT, DESCRIBE) as Turtle,
N-Triples or RDF/XML through pyoxigraph's serializer.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


class ResultFormat(Enum):
    JSON = "application/sparql-results+json"
    XML = "application/sparql-results+xml"
    CSV = "text/csv"
    TSV = "text/tab-separated-values"


class GraphFormat(Enum):
    TURTLE = "text/turtle"
    N_TRIPLES = "application/n-triples"
    RDF_XML = "application/rdf+xml"


RESULT_MEDIA_TYPES: dict[str, ResultFormat] = {
    "application/sparql-results+json": ResultFormat.JSON,
    "application/json": ResultFormat.JSON,
    "application/sparql-results+xml": ResultFormat.XML,
    "application/xml": ResultFormat.XML,
    "text/xml": ResultFormat.XML,
    "text/csv": ResultFormat.CSV,
    "text/tab-separated-values": ResultFormat.TSV,
}
RESULT_FORMAT_NAMES: dict[str, ResultFormat] = {
    "json": ResultFormat.JSON,
    "xml": ResultFormat.XML,
    "csv": ResultFormat.CSV,
    "tsv": ResultFormat.TSV,
}
GRAPH_MEDIA_TYPES: dict[str, GraphFormat] = {
    "text/turtle": GraphFormat.TURTLE,
    "application/x-turtle": GraphFormat.TURTLE,
    "application/n-triples": GraphFormat.N_TRIPLES,
    "text/plain": GraphFormat.N_TRIPLES,
    "application/rdf+xml": GraphFormat.RDF_XML,
}
GRAPH_FORMAT_NAMES: dict[str, GraphFormat] = {
    "turtle": GraphFormat.TURTLE,
    "ntriples": GraphFormat.N_TRIPLES,
    "rdfxml": GraphFormat.RDF_XML,
    "xml": GraphFormat.RDF_XML,
}


def _accepted(accept: str | None) -> list[str]:
    """Media types of an Accept header, best first (q-values honoured, order kept among equals)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for param in fields[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, fields[0].lower()))
    return [media for _q, _p, media in sorted(ranked)]


def choose_result_format(accept: str | None, name: str | None) -> ResultFormat | None:
    """The format for SELECT/ASK results: ``format=`` wins, then Accept; JSON for */* or nothing.
    None when the client accepts none of the four."""
    if name:
        return RESULT_FORMAT_NAMES.get(name.lower())
    media = _accepted(accept)
    if not media:
        return ResultFormat.JSON
    for item in media:
        if item in RESULT_MEDIA_TYPES:
            return RESULT_MEDIA_TYPES[item]
        if item in ("*/*", "application/*"):
            return ResultFormat.JSON
        if item == "text/*":
            return ResultFormat.CSV
    return None


def choose_graph_format(accept: str | None, name: str | None) -> GraphFormat | None:
    if name:
        return GRAPH_FORMAT_NAMES.get(name.lower())
    media = _accepted(accept)
    if not media:
        return GraphFormat.TURTLE
    for item in media:
        if item in GRAPH_MEDIA_TYPES:
            return GRAPH_MEDIA_TYPES[item]
        if item in ("*/*", "text/*", "application/*"):
            return GraphFormat.TURTLE
        if item in RESULT_MEDIA_TYPES:  # a results type asked of a graph query: the closest graph syntax
            return GraphFormat.RDF_XML if RESULT_MEDIA_TYPES[item] is ResultFormat.XML else GraphFormat.N_TRIPLES
    return None


# --------------------------------------------------------------------------------------------- terms


def term_json(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {
        "type": "triple",
        "value": {
            "subject": term_json(term.subject),
            "predicate": term_json(term.predicate),
            "object": term_json(term.object),
        },
    }


def term_xml(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (
        f"<triple><subject>{term_xml(term.subject)}</subject><predicate>{term_xml(term.predicate)}"
        f"</predicate><object>{term_xml(term.object)}</object></triple>"
    )


def term_csv(term: Term) -> str:
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def term_tsv(term: Term) -> str:
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")  # N-Triples syntax


# ------------------------------------------------------------------------------------------- writing


@dataclass(frozen=True)
class Written:
    body: bytes
    media_type: str
    rows: int
    truncated: bool


def write_solutions(
    variables: Sequence[str],
    solutions: Iterable[ox.QuerySolution],
    fmt: ResultFormat,
    limit: int,
    check: Callable[[], None] = lambda: None,
) -> Written:
    """At most ``limit`` solutions in ``fmt``; ``check`` runs before each row (it raises to stop)."""
    rows: list[list[Term | None]] = []
    truncated = False
    for solution in solutions:
        check()
        if len(rows) >= limit:
            truncated = True
            break
        rows.append([solution[v] for v in variables])
    if fmt is ResultFormat.JSON:
        bindings = [{v: term_json(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        body = json.dumps(
            {"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
            ensure_ascii=False,
            separators=(",", ":"),
        )
    elif fmt is ResultFormat.XML:
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        parts.extend(f"<variable name={quoteattr(v)}/>" for v in variables)
        parts.append("</head><results>")
        for row in rows:
            parts.append("<result>")
            parts.extend(
                f"<binding name={quoteattr(v)}>{term_xml(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            parts.append("</result>")
        parts.append("</results></sparql>\n")
        body = "".join(parts)
    elif fmt is ResultFormat.CSV:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows(["" if t is None else term_csv(t) for t in row] for row in rows)
        body = out.getvalue()
    else:
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines.extend("\t".join("" if t is None else term_tsv(t) for t in row) for row in rows)
        body = "\n".join(lines) + "\n"
    return Written(body.encode("utf-8"), _content_type(fmt.value), len(rows), truncated)


def write_boolean(value: bool, fmt: ResultFormat) -> Written:
    if fmt is ResultFormat.JSON:
        body = json.dumps({"head": {}, "boolean": value})
    elif fmt is ResultFormat.XML:
        body = (
            '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        )
    else:
        body = ("true" if value else "false") + "\n"
    return Written(body.encode("utf-8"), _content_type(fmt.value), 1, False)


def write_triples(
    triples: Iterable[ox.Triple],
    fmt: GraphFormat,
    limit: int,
    check: Callable[[], None] = lambda: None,
) -> Written:
    kept: list[ox.Triple] = []
    truncated = False
    for triple in triples:
        check()
        if len(kept) >= limit:
            truncated = True
            break
        kept.append(triple)
    rdf_format = {
        GraphFormat.TURTLE: ox.RdfFormat.TURTLE,
        GraphFormat.N_TRIPLES: ox.RdfFormat.N_TRIPLES,
        GraphFormat.RDF_XML: ox.RdfFormat.RDF_XML,
    }[fmt]
    body = ox.serialize(kept, format=rdf_format) or b""
    return Written(body, _content_type(fmt.value), len(kept), truncated)


def _content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8"
