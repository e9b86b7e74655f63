"""Typed configuration: one schema module per config group (mirrors conf/<group>/).

The YAML files under conf/ merge into `Config`, registered in Hydra's ConfigStore as
`base_config`, so a typo in a key or an enum value outside its set fails at compose time.
Cross-group rules (`rules.py`: GSPO needs off-policy steps, batch shapes) are checked by `to_config`, which every
entry point calls right after composing and before importing torch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import DictConfig, OmegaConf

from . import rules
from .algo import AlgoConfig, AlgoName
from .data import DataConfig
from .errors import ConfigError
from .eval import EvalConfig
from .logger import LoggerConfig
from .lora import LoraConfig
from .model import ModelConfig
from .reward import RewardConfig
from .sandbox import SandboxConfig
from .train import TrainConfig


@dataclass
class Config:
    model: ModelConfig = field(default_factory=ModelConfig)
    reward: RewardConfig = field(default_factory=RewardConfig)
    algo: AlgoConfig = field(default_factory=AlgoConfig)
    lora: LoraConfig = field(default_factory=LoraConfig)
    data: DataConfig = field(default_factory=DataConfig)
    logger: LoggerConfig = field(default_factory=LoggerConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)
    sandbox: SandboxConfig = field(default_factory=SandboxConfig)
    seed: int = 0  # seeds sampling, data order, LoRA init, and the base model unless model.init_seed fixes it
    output_dir: str = "${hydra:runtime.output_dir}"  # the job dir: final.json, metrics.jsonl, adapter

    @property
    def base_seed(self) -> int:
        """The seed of the base model (random init + warm start): model.init_seed, else `seed`."""
        return self.seed if self.model.init_seed is None else self.model.init_seed


_REGISTERED = False


def register_configs() -> None:
    """Register the schema once (Hydra raises nothing on re-store, but keep it idempotent and cheap)."""
    global _REGISTERED
    if _REGISTERED:
        return
    ConfigStore.instance().store(name="base_config", node=Config)
    _REGISTERED = True


def to_config(cfg: DictConfig | dict[str, Any]) -> Config:
    """Instantiate the dataclasses (running their __post_init__ checks) and the cross-group rules."""
    if isinstance(cfg, DictConfig) and "hydra" in cfg:  # a sweep cell composed with its hydra node
        cfg = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
    node = OmegaConf.merge(OmegaConf.structured(Config), cfg)
    try:
        node.output_dir = str(node.output_dir)
    except Exception:  # outside a Hydra run (tests, notebooks) there is no job dir until one is given
        node.output_dir = ""
    try:
        conf = OmegaConf.to_object(node)
    except ValueError as e:  # __post_init__ messages are already user-facing
        raise ConfigError(str(e)) from None
    assert isinstance(conf, Config)
    if conf.eval.timeout_s is None:  # one limit source: evaluation runs programs as the reward does
        conf.eval.timeout_s = conf.sandbox.timeout_s
    rules.validate(conf)
    return conf


__all__ = [
    "AlgoConfig",
    "AlgoName",
    "Config",
    "ConfigError",
    "DataConfig",
    "EvalConfig",
    "LoggerConfig",
    "LoraConfig",
    "ModelConfig",
    "RewardConfig",
    "SandboxConfig",
    "TrainConfig",
    "register_configs",
    "to_config",
]
