"""Reading a page as assistive technology does: which ids its ARIA references point to, whether
each of them is there, and what text a reference leads to."""

from __future__ import annotations

from html.parser import HTMLParser

REFERENCE_ATTRIBUTES = ("aria-describedby", "aria-labelledby")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class Node:
    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None, source: str):
        self.tag, self.attrs, self.parent, self.source = tag, attrs, parent, source
        self.children: list[Node | str] = []

    def text(self) -> str:
        """The element's text, with its whitespace collapsed as a screen reader would read it."""
        parts = [child if isinstance(child, str) else child.text() for child in self.children]
        return " ".join("".join(parts).split())

    def ancestor(self, tag: str) -> Node | None:
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class Elements(HTMLParser):
    """The page as a tree of elements, with every id and every id an ARIA reference names."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None, "")
        self.nodes: list[Node] = []
        self.references: list[tuple[str, str, str]] = []  # (attribute, id, the start tag naming it)
        self._open = self.root
        self.feed(html)
        self.close()
        self.by_id: dict[str, Node] = {}
        for node in self.nodes:
            if node.attrs.get("id"):
                self.by_id.setdefault(node.attrs["id"], node)

    def handle_starttag(self, tag, attrs):
        source = self.get_starttag_text() or tag
        node = Node(tag, {name: value or "" for name, value in attrs}, self._open, source)
        self._open.children.append(node)
        self.nodes.append(node)
        for name in REFERENCE_ATTRIBUTES:
            for reference in node.attrs.get(name, "").split():
                self.references.append((name, reference, source))
        if tag not in VOID:
            self._open = node

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self._open = self._open.parent

    def handle_endtag(self, tag):
        node = self._open
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:  # a stray end tag closes nothing
            self._open = node.parent

    def handle_data(self, data):
        self._open.children.append(data)

    @property
    def ids(self) -> list[str]:
        return [node.attrs["id"] for node in self.nodes if node.attrs.get("id")]

    def text_of(self, element_id: str) -> str | None:
        node = self.by_id.get(element_id)
        return node.text() if node is not None else None

    def described_by(self, node: Node) -> list[str]:
        """The texts the node's aria-describedby leads to, in order."""
        return [self.text_of(i) for i in node.attrs.get("aria-describedby", "").split()]


def dangling_references(html: str) -> list[tuple[str, str, str]]:
    """The aria-describedby and aria-labelledby ids that no element of the page carries."""
    page = Elements(html)
    ids = set(page.ids)
    return [reference for reference in page.references if reference[1] not in ids]


def duplicate_ids(html: str) -> list[str]:
    """Ids that more than one element carries (a reference to one of them is ambiguous)."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for element_id in Elements(html).ids:
        (repeated if element_id in seen else seen).add(element_id)
    return sorted(repeated)


def assert_aria_references_resolve(html: str) -> None:
    """Every id an aria-describedby or aria-labelledby names is on the page, exactly once."""
    dangling = dangling_references(html)
    assert dangling == [], f"references to ids that are not on the page: {dangling}"
    referenced = {reference for _, reference, _ in Elements(html).references}
    ambiguous = [i for i in duplicate_ids(html) if i in referenced]
    assert ambiguous == [], f"referenced ids that more than one element carries: {ambiguous}"
