"""The linter's settings and its severity model (stdlib only: config schemas import this).

Ruff has no severity levels (its JSON ``severity`` is always "error"), so the severity of a
diagnostic is ours to define: a rule code belongs to the class whose longest prefix matches it,
and to ``fallback_class`` when none does. Syntax errors carry no rule code in Ruff's JSON under
``--preview`` (and the pseudo-code ``invalid-syntax`` without it); both are counted under the
code ``SYNTAX_CODE`` so a prefix list can name them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SYNTAX_CODE = "invalid-syntax"


@dataclass
class SeverityClass:
    """One severity class: rule-code prefixes that belong to it and its penalty weight."""

    name: str = "convention"
    prefixes: list[str] = field(default_factory=list)
    weight: float = 1.0

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("lint severity class: `name` must be non-empty")
        if self.weight < 0:
            raise ValueError(f"lint severity class {self.name!r}: weight must be >= 0, got {self.weight}")


def _default_classes() -> list[SeverityClass]:
    return [
        SeverityClass("fatal", [SYNTAX_CODE, "E9"], 10.0),
        SeverityClass("error", ["F"], 3.0),
        SeverityClass("warning", ["E", "W"], 1.0),
        SeverityClass("convention", [], 0.5),
    ]


@dataclass
class LintConfig:
    """What Ruff checks and how its diagnostics are classed. conf/reward/ruff.yaml restates
    these defaults with a trade-off comment per field (a test keeps the two equal)."""

    select: list[str] = field(default_factory=lambda: ["E", "W", "F", "B", "C4", "SIM", "UP"])
    ignore: list[str] = field(default_factory=list)
    line_length: int = 100
    target_version: str = "py310"
    classes: list[SeverityClass] = field(default_factory=_default_classes)
    fallback_class: str = "convention"
    honor_noqa: bool = False
    preview: bool = False
    timeout_s: float = 120.0

    def __post_init__(self) -> None:
        if not self.select:
            raise ValueError("lint.select is empty: name the Ruff rules to check, e.g. [E, W, F]")
        names = [c.name for c in self.classes]
        if len(set(names)) != len(names):
            raise ValueError(f"lint.classes has duplicate class names: {names}")
        if self.fallback_class not in names:
            raise ValueError(f"lint.fallback_class {self.fallback_class!r} is not one of the classes {names}")
        if self.line_length < 1:
            raise ValueError(f"lint.line_length must be >= 1, got {self.line_length}")
        if self.timeout_s <= 0:
            raise ValueError(f"lint.timeout_s must be > 0, got {self.timeout_s}")

    @property
    def class_names(self) -> list[str]:
        return [c.name for c in self.classes]

    @property
    def weights(self) -> dict[str, float]:
        return {c.name: float(c.weight) for c in self.classes}
