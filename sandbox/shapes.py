"""Where OvalEdge releases answer the same route in different shapes, the sandbox can answer in
each of them, so the worker is tested on every shape the evidence shows (docs/wire.md).

A family module declares its switch once, at import: `SHAPES.declare(name, choices, default,
evidence)`. Tests pick a shape through the control endpoint (`POST /__sandbox/settings` with
`{"shapes": {name: choice}}`) or `SandboxState(shapes=...)`; a handler that needs the choice
takes `shapes` (see app.ApiRoute.needs) and reads `SHAPES.choice(shapes, name)` (the declared
default when the state was made before the module declared it).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    name: str
    choices: tuple[str, ...]
    default: str
    evidence: str  # the docs/wire.md row it follows


class ShapeBook:
    def __init__(self) -> None:
        self._declared: dict[str, Shape] = {}

    def declare(self, name: str, choices: tuple[str, ...], default: str, evidence: str) -> str:
        if default not in choices:
            raise ValueError(f"shape {name!r}: default {default!r} is not one of {choices}")
        if name in self._declared and self._declared[name].choices != choices:
            raise ValueError(f"shape {name!r} is declared twice")
        self._declared[name] = Shape(name, choices, default, evidence)
        return name

    def choice(self, chosen: dict[str, str], name: str) -> str:
        return chosen.get(name) or self._declared[name].default

    def defaults(self) -> dict[str, str]:
        return {shape.name: shape.default for shape in self._declared.values()}

    def checked(self, given: dict[str, str]) -> dict[str, str]:
        """`given` as full settings (defaults for the rest), or ValueError naming the fix."""
        unknown = sorted(set(given) - set(self._declared))
        if unknown:
            raise ValueError(f"unknown shapes {unknown}; known: {sorted(self._declared)}")
        for name, value in given.items():
            if value not in self._declared[name].choices:
                raise ValueError(f"shape {name} must be one of {list(self._declared[name].choices)}")
        return {**self.defaults(), **given}

    def described(self) -> dict[str, dict[str, object]]:
        return {s.name: {"choices": list(s.choices), "default": s.default, "evidence": s.evidence}
                for s in self._declared.values()}


SHAPES = ShapeBook()
