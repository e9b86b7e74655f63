"""Schema of the `lora` config group."""

from __future__ import annotations

from dataclasses import dataclass

from .ranges import check_range


@dataclass
class LoraConfig:
    r: int = 16  # rank: capacity of the adapter vs memory and overfitting
    alpha: int = 32  # scaling alpha/r; keep ~2r so the effective learning rate does not move with r
    dropout: float = 0.05  # regularisation of the adapter input; 0 for the fastest steps

    def __post_init__(self) -> None:
        check_range("lora.r", self.r, 1)
        check_range("lora.alpha", self.alpha, 0, lo_open=True)
        check_range("lora.dropout", self.dropout, 0, 1, hi_open=True)
