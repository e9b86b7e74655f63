"""Schema of the `lora` config group."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LoraConfig:
    r: int = 16  # rank: capacity of the adapter vs memory and overfitting
    alpha: int = 32  # scaling alpha/r; keep ~2r so the effective learning rate does not move with r
    dropout: float = 0.05  # regularisation of the adapter input; 0 for the fastest steps

    def __post_init__(self) -> None:
        if self.r <= 0:
            raise ValueError(f"lora.r must be a positive integer, got {self.r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"lora.dropout must be in [0, 1), got {self.dropout}")
