"""The application form generated from the subsidy's JSON Schema, and the posted form read back into JSON.

Each leaf property becomes one labelled control named by its JSON pointer (``/project/total_cost``): the
label is its ``title``, the hint its ``description``, required ones are marked, and an error is tied to the
control with ``aria-describedby``. An object property becomes a fieldset with its title as legend.

Prefilled values (``x-prefill``) are shown with their source ("gBizINFOより"). Such a value is what the
government already holds, so it is read-only, unless the property says ``"readOnly": false`` (the applicant
may change it); a prefill that found nothing is typed like any other field. The server keeps the read-only
values whatever a browser posts (:func:`read_form`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from functions.submit.applications.prefill import get_pointer, set_pointer
from platform_common.digits import half_width, typed_integer
from platform_common.web_layout import Language, esc, field_id

TEXTAREA_FROM: Final = 300  # a string allowed to be longer than this gets a multi-line box
SOURCE_NAMES: Final[dict[str, dict[Language, str]]] = {
    "gbizinfo": {"ja": "gBizINFOより", "en": "from gBizINFO"},
    "userinfo": {"ja": "GビズIDより", "en": "from gBizID"},
    "exchange": {"ja": "データ連携より", "en": "from the data exchange"},
}
_TEXT: Final[dict[Language, dict[str, str]]] = {
    "ja": {"required": "必須", "readonly": "変更できません", "not_found": "登録がないため入力してください"},
    "en": {"required": "required", "readonly": "cannot be changed", "not_found": "not on record: please enter it"},
}


@dataclass(frozen=True)
class Field:
    """One control of the form."""

    pointer: str
    title: str
    description: str | None
    kind: str  # JSON type: string, integer, number, boolean
    format: str | None
    required: bool
    prefill: str | None  # "gbizinfo:name"
    editable_prefill: bool  # "readOnly": false on a prefilled property
    enum: tuple[Any, ...]
    schema: Mapping[str, Any]


@dataclass(frozen=True)
class Group:
    """An object property: its fields (and nested groups), shown as a fieldset."""

    pointer: str
    title: str
    description: str | None
    items: tuple[Field | Group, ...]


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _title(name: str, schema: Mapping[str, Any]) -> str:
    title = schema.get("title")
    return str(title) if isinstance(title, str) and title.strip() else name


def build_group(schema: Mapping[str, Any], pointer: str = "", title: str = "") -> Group:
    """The form's structure from an object schema (properties in their declared order)."""
    properties = schema.get("properties")
    required = set(schema.get("required") or ())
    items: list[Field | Group] = []
    for name, sub in properties.items() if isinstance(properties, Mapping) else ():
        if not isinstance(sub, Mapping):
            continue
        here = f"{pointer}/{_escape(str(name))}"
        if sub.get("type") == "object":
            items.append(build_group(sub, here, _title(str(name), sub)))
            continue
        kind = sub.get("type") if isinstance(sub.get("type"), str) else "string"
        enum = sub.get("enum")
        description = sub.get("description")
        items.append(
            Field(
                pointer=here,
                title=_title(str(name), sub),
                description=str(description) if isinstance(description, str) else None,
                kind=str(kind),
                format=str(sub["format"]) if isinstance(sub.get("format"), str) else None,
                required=name in required,
                prefill=str(sub["x-prefill"]) if isinstance(sub.get("x-prefill"), str) else None,
                editable_prefill=sub.get("readOnly") is False,
                enum=tuple(enum) if isinstance(enum, list) else (),
                schema=sub,
            )
        )
    description = schema.get("description")
    return Group(pointer, title, str(description) if isinstance(description, str) else None, tuple(items))


def fields_of(group: Group) -> Iterator[Field]:
    for item in group.items:
        if isinstance(item, Group):
            yield from fields_of(item)
        else:
            yield item


def is_locked(field: Field, prefilled: Mapping[str, Any]) -> bool:
    """Read-only on the page: prefilled with a value the government holds, and the schema does not allow edits."""
    return field.prefill is not None and not field.editable_prefill and prefilled.get(field.pointer) not in (None, "")


# ------------------------------------------------------------------------------------------ reading a post


def _typed(value: str, field: Field) -> Any:
    """The posted text in the property's JSON type; text that does not parse is kept as typed (the draft
    keeps it and validation names the field)."""
    text = value.strip()
    if field.kind == "integer":
        number = typed_integer(text)
        return text if number is None else number
    if field.kind == "number":
        try:
            return float(half_width(text).replace(",", ""))
        except ValueError:
            return text
    if field.kind == "boolean":
        return text in ("true", "on", "1")
    return value.replace("\r\n", "\n")


def read_form(
    group: Group, posted: Mapping[str, str], stored: Mapping[str, Any], prefilled: Mapping[str, Any]
) -> dict[str, Any]:
    """The form as JSON from the posted fields; read-only fields keep the stored (or prefilled) value and
    fields left empty are left out (a draft may be incomplete)."""
    form: dict[str, Any] = {}
    for field in fields_of(group):
        if is_locked(field, prefilled):
            kept = get_pointer(stored, field.pointer)
            value = kept if kept not in (None, "") else prefilled.get(field.pointer)
        elif field.kind == "boolean":
            value = field.pointer in posted
        else:
            raw = posted.get(field.pointer, "")
            value = _typed(raw, field) if raw.strip() else None
        if value is not None:
            set_pointer(form, field.pointer, value)
    return form


# ------------------------------------------------------------------------------------------ rendering


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    return str(value)


def _control(field: Field, value: Any, locked: bool, described: list[str], error: str | None) -> str:
    ident = field_id(field.pointer)
    attrs = [f'id="{ident}"', f'name="{esc(field.pointer)}"']
    if field.required and not locked:
        attrs.append('required aria-required="true"')
    if locked:
        attrs.append("readonly")
    if described:
        attrs.append(f'aria-describedby="{" ".join(described)}"')
    if error:
        attrs.append('aria-invalid="true"')
    schema = field.schema
    if isinstance(schema.get("maxLength"), int):
        attrs.append(f'maxlength="{schema["maxLength"]}"')
    shown = _display(value)
    if field.enum and not locked:
        options = ['<option value=""></option>'] + [
            f'<option value="{esc(option)}"{" selected" if _display(option) == shown else ""}>{esc(option)}</option>'
            for option in field.enum
        ]
        return f'<select class="form-field__input" {" ".join(attrs)}>{"".join(options)}</select>'
    if field.kind == "boolean":
        checked = " checked" if value is True else ""
        return f'<input class="form-field__checkbox" type="checkbox" value="true" {" ".join(attrs)}{checked}>'
    if field.kind == "string" and not field.format and int(schema.get("maxLength") or 0) > TEXTAREA_FROM:
        return f'<textarea class="form-field__input" rows="6" {" ".join(attrs)}>{esc(shown)}</textarea>'
    if field.kind in ("integer", "number"):
        kind = 'type="text" inputmode="numeric"'
    elif field.format in ("date", "email"):
        kind = f'type="{field.format}"'
        if field.format == "email":
            attrs.append('autocomplete="email"')
    else:
        kind = 'type="text"'
    return f'<input class="form-field__input" {kind} value="{esc(shown)}" {" ".join(attrs)}>'


def render_field(
    field: Field, lang: Language, value: Any, prefilled: Mapping[str, Any], error: str | None = None
) -> str:
    text = _TEXT[lang]
    ident = field_id(field.pointer)
    locked = is_locked(field, prefilled)
    described: list[str] = []
    parts = [f'<div class="form-field{" form-field--error" if error else ""}" data-pointer="{esc(field.pointer)}">']
    mark = f' <span class="form-field__required">（{esc(text["required"])}）</span>' if field.required else ""
    if lang == "en" and field.required:
        mark = f' <span class="form-field__required">({esc(text["required"])})</span>'
    parts.append(f'<label class="form-field__label" for="{ident}">{esc(field.title)}{mark}</label>')
    if field.description:
        parts.append(f'<p class="form-field__hint" id="{ident}-hint">{esc(field.description)}</p>')
        described.append(f"{ident}-hint")
    if field.prefill:
        source = SOURCE_NAMES.get(field.prefill.partition(":")[0], {}).get(lang, field.prefill)
        if prefilled.get(field.pointer) in (None, ""):
            note = f"{source}: {text['not_found']}"
        else:
            note = f"{source}（{text['readonly']}）" if locked and lang == "ja" else source
            if locked and lang == "en":
                note = f"{source} ({text['readonly']})"
        parts.append(f'<p class="form-field__hint form-field__source" id="{ident}-source">{esc(note)}</p>')
        described.append(f"{ident}-source")
    if error:
        parts.append(f'<p class="form-field__error" id="{ident}-error">{esc(error)}</p>')
        described.append(f"{ident}-error")
    parts.append(_control(field, value, locked, described, error))
    parts.append("</div>")
    return "".join(parts)


def render_group(
    group: Group,
    lang: Language,
    form: Mapping[str, Any],
    prefilled: Mapping[str, Any],
    errors: Mapping[str, str],
    level: int = 2,
) -> str:
    """The controls of ``group`` (the top level without a fieldset), values from ``form``."""
    parts: list[str] = []
    for item in group.items:
        if isinstance(item, Group):
            legend = f'<legend class="form-fieldset__legend">{esc(item.title)}</legend>'
            hint = f'<p class="form-field__hint">{esc(item.description)}</p>' if item.description else ""
            inner = render_group(item, lang, form, prefilled, errors, level + 1)
            parts.append(f'<fieldset class="form-fieldset">{legend}{hint}{inner}</fieldset>')
        else:
            value = get_pointer(form, item.pointer)
            if value is None and is_locked(item, prefilled):
                value = prefilled.get(item.pointer)
            parts.append(render_field(item, lang, value, prefilled, errors.get(item.pointer)))
    return "".join(parts)
