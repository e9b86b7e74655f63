"""Per-completion lint verdicts and the classifier that maps rule codes to severity classes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rlvr_sweeps.lint.config import LintConfig


@dataclass(frozen=True)
class LintResult:
    """Lint verdict of one completion: issue counts per severity class (every class present,
    zeros included) and per rule code."""

    counts: dict[str, int]
    codes: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def weighted(self, weights: Mapping[str, float]) -> float:
        """sum over classes of weight * count; a class without a weight is an error, not a 0,
        so a renamed class cannot silently stop being penalised."""
        missing = [c for c, n in self.counts.items() if n and c not in weights]
        if missing:
            raise ValueError(f"no weight for lint class(es) {missing}; weights given: {sorted(weights)}")
        return float(sum(weights[c] * n for c, n in self.counts.items() if n))

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {"counts": dict(self.counts), "codes": dict(self.codes)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Mapping[str, int]]) -> LintResult:
        return cls(counts=dict(data["counts"]), codes=dict(data.get("codes", {})))


class Classifier:
    """Longest matching prefix wins (E9 -> fatal beats E -> warning); no match -> fallback."""

    def __init__(self, cfg: LintConfig) -> None:
        self._prefixes = sorted(
            ((p, c.name) for c in cfg.classes for p in c.prefixes), key=lambda pc: len(pc[0]), reverse=True
        )
        self._fallback = cfg.fallback_class
        self.class_names = cfg.class_names
        self._cache: dict[str, str] = {}

    def __call__(self, code: str) -> str:
        cls = self._cache.get(code)
        if cls is None:
            cls = next((name for p, name in self._prefixes if code.startswith(p)), self._fallback)
            self._cache[code] = cls
        return cls

    def result(self, codes: Mapping[str, int]) -> LintResult:
        counts = dict.fromkeys(self.class_names, 0)
        for code, n in codes.items():
            counts[self(code)] += n
        return LintResult(counts=counts, codes=dict(codes))
