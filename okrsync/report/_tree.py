"""The alignment tree: which objectives sit under which, in the document's order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Node:
    objective: Mapping[str, Any]
    children: list[Node] = field(default_factory=list)


def alignment_tree(objectives: Sequence[Mapping[str, Any]]) -> list[Node]:
    """Roots first, each with the objectives aligned to it nested below.

    A child is known from its parent's ``aligned`` list or its own ``aligns_to``; an
    objective whose parent is missing from the document is a root. A loop in the
    alignment (which validation should have refused) cannot hide an objective: each
    appears exactly once.
    """
    by_id = {str(o["id"]): o for o in objectives}
    children: dict[str, list[str]] = {oid: [] for oid in by_id}
    parent: dict[str, str] = {}
    for objective in objectives:
        oid = str(objective["id"])
        for child in objective.get("aligned") or []:
            if child in by_id and child != oid and child not in parent:
                parent[child] = oid
                children[oid].append(child)
    for objective in objectives:
        oid, up = str(objective["id"]), objective.get("aligns_to")
        if up in by_id and up != oid and oid not in parent:
            parent[oid] = str(up)
            children[str(up)].append(oid)

    placed: set[str] = set()

    def build(oid: str) -> Node:
        placed.add(oid)
        node = Node(by_id[oid])
        node.children = [build(child) for child in children[oid] if child not in placed]
        return node

    roots = [build(oid) for oid in by_id if oid not in parent and oid not in placed]
    # Whatever is left sits on a loop; show it at the top rather than not at all.
    roots += [build(oid) for oid in by_id if oid not in placed]
    return roots


def walk(nodes: Sequence[Node], depth: int = 0) -> Iterator[tuple[Node, int]]:
    for node in nodes:
        yield node, depth
        yield from walk(node.children, depth + 1)
