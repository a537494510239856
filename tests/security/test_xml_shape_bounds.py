"""parse_xml's shape limits: the byte-level bounds it checks first decide exactly as walking the tree.

The reference parses with the same hardened parser (comments and PIs dropped), counts the nodes, measures
in characters each node's text (before its first child, as the walk reads it) and attribute value, and the
nesting depth; ``parse_xml`` must refuse a document exactly when one of them is over its limit, whatever
mix of character references, comments, CDATA and non-ASCII text the document holds.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from mm7.codec.xml import XMLLimits, _depth, _secure_parser, parse_xml
from mm7.errors import LimitExceededError

_TEXTS = st.lists(
    st.sampled_from(["a", "é", "€", "𝄞", "&amp;", "&#233;", "&#x1D11E;", "<![CDATA[<x>]]>", "<!--c-->", " "]),
    max_size=40,
).map("".join)


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    def element(depth: int) -> str:
        name = draw(st.sampled_from(["a", "b", "c"]))
        attribute = draw(st.sampled_from(["", ' v="&#233;é&amp;x"', " v='abcdef'"]))
        children = draw(st.integers(0, 3)) if depth < 5 else 0
        if not children and draw(st.booleans()):
            return f"<{name}{attribute}/>"
        inner = draw(_TEXTS) + "".join(element(depth + 1) + draw(_TEXTS) for _ in range(children))
        return f"<{name}{attribute}>{inner}</{name}>"

    return (draw(st.sampled_from(["", "<?xml version='1.0' encoding='UTF-8'?>"])) + element(1)).encode()


def _over(data: bytes, limits: XMLLimits) -> bool:
    root = etree.fromstring(data, parser=_secure_parser())
    nodes = list(root.iter())
    texts = [node.text or "" for node in nodes] + [v for node in nodes for v in node.attrib.values()]
    return (
        len(nodes) > limits.max_elements
        or any(len(text) > limits.max_text for text in texts)
        or _depth(root) > limits.max_depth
    )


@settings(max_examples=400, deadline=None)
@given(data=documents(), text=st.integers(1, 300), elements=st.integers(1, 60), deep=st.integers(1, 7))
def test_shape_limits_refuse_exactly_what_the_tree_exceeds(
    data: bytes, text: int, elements: int, deep: int
) -> None:
    limits = XMLLimits(max_text=text, max_elements=elements, max_depth=deep)
    try:
        parse_xml(data, limits=limits)
    except LimitExceededError:
        refused = True
    else:
        refused = False
    assert refused == _over(data, limits)


@pytest.mark.parametrize(
    ("data", "limits", "refused"),
    [
        # Element count at the limit and one over it: self-closing elements have a single '<'.
        (b"<a><b/><b/><b/></a>", XMLLimits(max_elements=4), False),
        (b"<a><b/><b/><b/></a>", XMLLimits(max_elements=3), True),
        # A text that is nearly the whole document, at its limit and one character over it.
        (b"<a>" + b"x" * 50 + b"</a>", XMLLimits(max_text=50), False),
        (b"<a>" + b"x" * 50 + b"</a>", XMLLimits(max_text=49), True),
        (b"<a v='" + b"y" * 30 + b"'/>", XMLLimits(max_text=29), True),
        # Character references: many bytes, few characters.
        ("<a>&#x1D11E;&#233;é</a>".encode(), XMLLimits(max_text=3), False),
        # Depth at the limit and one over it.
        (b"<a><b><c/></b></a>", XMLLimits(max_depth=3), False),
        (b"<a><b><c/></b></a>", XMLLimits(max_depth=2), True),
    ],
)
def test_shape_limits_at_their_edges(data: bytes, limits: XMLLimits, refused: bool) -> None:
    assert _over(data, limits) == refused
    if refused:
        with pytest.raises(LimitExceededError):
            parse_xml(data, limits=limits)
    else:
        parse_xml(data, limits=limits)
