"""`python -m rlvr_sweeps.evaluate model=... data=... eval.*=...`: evaluate one policy, no training.

Writes ``<run dir>/eval/<label>/problems.jsonl`` and ``summary.json`` (label = model name) and
ends with the line ``pass@1 = X (passed/total)`` (then ``plus/pass@1 = ...`` on MBPP+).
"""

from __future__ import annotations

import sys
from pathlib import Path

import hydra
from omegaconf import DictConfig

from rlvr_sweeps.cli import normalize_argv, refuse_invalid_config_to_show
from rlvr_sweeps.config import ConfigError, register_configs, to_config
from rlvr_sweeps.data import DataError, load_eval_tasks
from rlvr_sweeps.evaluate import EvalError, build_generator, evaluate_policy, pass_line
from rlvr_sweeps.evaluate.generators import ReplayError
from rlvr_sweeps.paths import conf_dir

register_configs()


@hydra.main(version_base="1.3", config_path=str(conf_dir()), config_name="evaluate")
def main(cfg: DictConfig) -> float:
    try:
        conf = to_config(cfg)
    except ConfigError as e:
        sys.exit(f"rlvr_sweeps.evaluate: config error: {e}")
    from rlvr_sweeps.models import load_tokenizer  # lazy: torch/transformers only once a config is valid

    try:
        tasks = load_eval_tasks(conf.data)
        tokenizer = load_tokenizer(conf.model)
        generator = build_generator(conf, tokenizer)
        metrics = evaluate_policy(generator, tokenizer, tasks, conf, Path(conf.output_dir) / "eval", conf.model.name)
    except (DataError, EvalError, ReplayError) as exc:
        sys.exit(f"rlvr_sweeps.evaluate: {exc}")
    print(f"results: {Path(conf.output_dir) / 'eval' / conf.model.name}")
    if "eval/plus/pass@1" in metrics:
        print(pass_line(metrics, "eval/plus/pass@1"))
    print(pass_line(metrics))
    return metrics["eval/pass@1"]


def cli() -> None:
    sys.argv[1:] = normalize_argv(sys.argv[1:])  # `model=null` selects the null pseudo-policy
    refuse_invalid_config_to_show(sys.argv[1:], "evaluate", "rlvr_sweeps.evaluate")
    main()


if __name__ == "__main__":
    cli()
