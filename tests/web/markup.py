"""Reading server-rendered pages: find elements by attribute and read their text.

Tests state what a reader sees in one element (a track's card, a field's error list) rather
than searching the whole page for a phrase that could come from anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.http import HttpResponse

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"}  # fmt: skip
#: Elements whose text runs on with its neighbours'; every other element is a separate block.
_INLINE = {"a", "abbr", "b", "code", "em", "i", "small", "span", "strong"}


@dataclass
class Element:
    name: str
    attributes: dict[str, str | None]
    children: list[Element | str] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"<{self.name} {self.attributes}>"


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].name == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def page(response: HttpResponse) -> Element:
    return parse(response.content.decode())


def _walk(element: Element) -> Iterator[Element]:
    for child in element.children:
        if isinstance(child, Element):
            yield child
            yield from _walk(child)


def _matches(element: Element, tag: str | None, attrs: dict[str, str | None]) -> bool:
    if tag is not None and element.name != tag:
        return False
    for name, wanted in attrs.items():
        if name not in element.attributes:
            return False
        value = element.attributes[name]
        if wanted is None:
            continue
        if name == "class":
            if wanted not in (value or "").split():
                return False
        elif value != wanted:
            return False
    return True


def find_all(root: Element, tag: str | None = None, **attrs: str | None) -> list[Element]:
    """Every element under ``root`` with this tag and these attributes.

    ``class_`` matches one class among several, ``data_track="honor"`` means ``data-track``,
    and ``None`` only asks for the attribute to be present (``selected=None``).
    """
    wanted = {name.rstrip("_").replace("_", "-"): value for name, value in attrs.items()}
    return [element for element in _walk(root) if _matches(element, tag, wanted)]


def find(root: Element, tag: str | None = None, **attrs: str | None) -> Element:
    """The one element with this tag and these attributes; fails unless there is exactly one."""
    found = find_all(root, tag, **attrs)
    assert len(found) == 1, f"expected one <{tag or '*'} {attrs}>, found {len(found)}"
    return found[0]


def _raw_text(element: Element) -> str:
    parts = []
    for child in element.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.name in _INLINE:
            parts.append(_raw_text(child))
        elif child.name not in {"script", "style"}:
            parts.append(f" {_raw_text(child)} ")
    return "".join(parts)


def text(element: Element) -> str:
    """The element's text with whitespace collapsed, as a reader sees it."""
    return " ".join(_raw_text(element).split())


def attr(element: Element, name: str) -> str | None:
    return element.attributes.get(name)


def has(element: Element, name: str) -> bool:
    """Whether a (boolean) attribute such as ``checked`` or ``disabled`` is present."""
    return name in element.attributes


def field_errors(root: Element, field: str) -> str:
    """The errors Django renders beside ``field`` (its ``id_<field>_error`` list), or ``""``."""
    found = find_all(root, id=f"id_{field}_error")
    return text(found[0]) if found else ""


def field_error_is_announced(root: Element, field: str) -> bool:
    """The field's control points at its error list (``aria-describedby``) and is invalid."""
    controls = find_all(root, id=f"id_{field}")
    if len(controls) != 1:
        return False
    control = controls[0].attributes
    described_by = (control.get("aria-describedby") or "").split()
    return f"id_{field}_error" in described_by and control.get("aria-invalid") == "true"
