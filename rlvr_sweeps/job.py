"""One grid cell: LoRA training with TRL's GRPOTrainer, evaluation before/after, result files.

Contract of a job dir (Hydra's job output dir = conf.output_dir):
  running            marker while the job runs (who/where), removed when it ends
  metrics.jsonl      one row per logging step, keys `train/...`, appended and flushed as it happens
  checkpoints/       TRL checkpoints (train.save_steps > 0): an interrupted job resumes from the last
  adapter/           the trained peft adapter (+ tokenizer), loadable with PeftModel.from_pretrained
  eval/<label>/      per-problem results of the evaluation of `base` and `trained`
  wandb/             the W&B run (logger=wandb), offline unless the user says otherwise
  final.json         written atomically once, at the end: status ok | failed, error, choices,
                     overrides, metrics, eval {base, trained, delta_pp}, timings, versions, git
  final.previous.json  the failed attempt's record, moved aside when a failed cell is re-run

Failure policy: an exception inside the job is recorded (final.json status `failed`, error type,
message and traceback tail) and run_job returns normally, so the other cells of a sweep still
run; the sweep reports the failures at its end (rlvr_sweeps.report.GatherCallback exits non-zero
when a cell failed, after writing the table). KeyboardInterrupt/SystemExit (Ctrl-C, SLURM
preemption) are not failures: no final.json is written, so re-running the sweep resumes the cell
from its last checkpoint.

Torch-lazy: this module imports no torch/transformers at import time (`--cfg job`, the report
and the launcher process stay light); the heavy stack is imported inside the functions that
train (each such import says so).
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import time
import traceback
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from rlvr_sweeps.config import Config
from rlvr_sweeps.config.eval import EvalBackend
from rlvr_sweeps.config.model import ModelKind
from rlvr_sweeps.data import assert_no_test_leak, drop_content_leaks, load_tasks
from rlvr_sweeps.evaluate import evaluate_base, evaluate_policy, job_generators
from rlvr_sweeps.evaluate.records import problems_table_rows
from rlvr_sweeps.evaluate.shard import Shard, current_shard
from rlvr_sweeps.logger import RunInfo, RunLogger, labelled, make_logger
from rlvr_sweeps.results import dumps, read_jsonl, write_text_atomic
from rlvr_sweeps.sweep import last_checkpoint
from rlvr_sweeps.sweep.cell import (
    ADAPTER,
    CHECKPOINTS,
    EVAL,
    FINAL,
    METRICS,
    PREVIOUS,
    FinalRecord,
    clear_running,
    completed_result,
    mark_running,
)
from rlvr_sweeps.sweep.distributed import export_distributed_env, select_single_device
from rlvr_sweeps.train import summarize_train_log

_TRACEBACK_TAIL = 3000  # characters of traceback kept in final.json: the frames that matter, not the whole stack
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # sandbox workers fork after the tokenizer ran
_VERSIONED = ("torch", "transformers", "trl", "peft", "accelerate", "datasets", "wandb", "hydra-core", "rlvr_sweeps")


def _say(msg: str) -> None:
    print(f"[rlvr_sweeps] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- identity of the cell (Hydra)


def _hydra_runtime() -> tuple[dict[str, str], list[str], str | None]:
    """(config-group choices, this cell's overrides, sweep dir) from Hydra's runtime, when there is one."""
    if not HydraConfig.initialized():
        return {}, [], None
    hc = HydraConfig.get()
    choices = {k: str(v) for k, v in OmegaConf.to_container(hc.runtime.choices).items() if v is not None}
    overrides = [str(o) for o in hc.overrides.task]
    sweep_dir = str(hc.sweep.dir) if hc.mode is not None and hc.mode.name == "MULTIRUN" else None
    return choices, overrides, sweep_dir


def sweep_group(sweep_dir: str | None) -> str | None:
    """W&B group of a sweep: its directory name; Hydra's default `multirun/<date>/<time>` layout keeps
    the date too, since a time of day alone collides across days."""
    if not sweep_dir:
        return None
    path = Path(sweep_dir)
    return f"{path.parent.name}/{path.name}" if path.parent.name[:2].isdigit() else path.name


def run_info(conf: Config, cfg: DictConfig, job_dir: Path) -> RunInfo:
    choices, overrides, sweep_dir = _hydra_runtime()
    return RunInfo(
        job_dir=job_dir,
        algo=conf.algo.name.value,
        name=",".join(overrides) or "default",
        group=sweep_group(sweep_dir),
        choices=choices,
        overrides=overrides,
        config=OmegaConf.to_container(cfg, resolve=True),
    )


# ---------------------------------------------------------------- provenance


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def git_commit() -> str | None:
    """The commit of the code that ran (with `-dirty` when the checkout has local changes);
    None for an installed wheel or when git is absent."""
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        sha = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{sha}-dirty" if dirty else sha


def error_record(exc: BaseException) -> dict[str, str]:
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"type": type(exc).__name__, "message": str(exc), "traceback": tb[-_TRACEBACK_TAIL:]}


# ---------------------------------------------------------------- metrics.jsonl across resumes


def _checkpoint_step(path: Path) -> int:
    try:
        return int(path.name.rsplit("-", 1)[-1])
    except ValueError:
        return 0


def _reset_metrics(job_dir: Path, resume_step: int | None) -> list[dict[str, Any]]:
    """A fresh start truncates metrics.jsonl; a resume keeps the rows up to the checkpoint's step
    (later ones are re-logged by the resumed run), so the file stays one row per step."""
    path = job_dir / METRICS
    kept = [r for r in read_jsonl(path) if resume_step is not None and r.get("step", 0) <= resume_step]
    write_text_atomic(path, "".join(dumps(r) + "\n" for r in kept))
    return kept


# ---------------------------------------------------------------- the heavy part


def evaluation_shard(conf: Config) -> Any:
    """Which ranks evaluate: every rank of the process group with eval.backend=hf (each with the copy of
    the policy on its own device); rank 0 alone with eval.backend=vllm: one in-process engine per rank is
    not known to land on the rank's GPU (TRL gives its per-rank engines vLLM's external-launcher mode,
    which the evaluation engine does not use), so the vLLM path keeps the rank-0 evaluation it had."""
    return current_shard() if EvalBackend(conf.eval.backend) == EvalBackend.hf else Shard()


def _table(out_dir: Path, label: str, enabled: bool) -> tuple[list[str], list[list[Any]]] | None:
    if not enabled:
        return None
    return problems_table_rows(out_dir, label)


def _train_and_evaluate(
    conf: Config, info: RunInfo, logger: RunLogger, final: dict[str, Any], main: bool = True
) -> None:
    """Fills `final` as it goes, so whatever was computed before an exception is kept. In a
    multi-GPU cell every process trains (DDP needs them all) and evaluates its share of the tasks
    (`evaluation_shard`); only the main one (`main`) saves the adapter and writes files."""
    t0 = time.perf_counter()
    from transformers import set_seed  # lazy: the heavy stack only once a job really trains

    from rlvr_sweeps.models import load_model, load_tokenizer  # lazy: imports torch/transformers
    from rlvr_sweeps.models.warm_start import run_warm_start  # lazy: imports torch/transformers
    from rlvr_sweeps.train.callbacks import MetricsJsonlCallback  # lazy: imports transformers/peft
    from rlvr_sweeps.train.trainer import build_trainer  # lazy: imports trl/peft

    job_dir = info.job_dir
    timings = final["timings"]
    if conf.model.kind != ModelKind.hf:
        raise ValueError(
            f"model={conf.model.name} is an evaluation pseudo-policy (kind={conf.model.kind.value}); "
            "train with a real model (model=tiny-qwen3, qwen3-0.6b, ...) or run `python -m rlvr_sweeps.evaluate`"
        )
    set_seed(conf.seed)
    train_tasks = load_tasks(conf.data, conf.data.train_split)
    eval_tasks = load_tasks(conf.data, conf.data.eval_split) if conf.eval.enabled else []
    assert_no_test_leak(train_tasks, eval_tasks)
    train_tasks, leaked = drop_content_leaks(train_tasks, eval_tasks)  # same problem under another id
    final["data"] = {"train_tasks": len(train_tasks), "eval_tasks": len(eval_tasks), "leak_dropped": len(leaked),
                     "reward": {"ruff_form": conf.reward.ruff.form.value, "aggregation": conf.reward.aggregation.value}}
    tokenizer = load_tokenizer(conf.model)
    model = load_model(conf.model, conf.base_seed, tokenizer=tokenizer)
    final["warm_start"] = run_warm_start(model, tokenizer, conf, train_tasks, eval_tasks).to_dict()  # train tasks only
    clean_base = _snapshot_for_exact_base(conf, model)

    resume = last_checkpoint(job_dir)
    metrics_cb = MetricsJsonlCallback(job_dir / METRICS)
    if main:
        metrics_cb.rows = _reset_metrics(job_dir, _checkpoint_step(resume) if resume else None)
    from rlvr_sweeps.train.validation import validation_callbacks  # lazy: imports transformers

    val_cbs = validation_callbacks(conf, tokenizer, train_tasks, job_dir, job_dir / METRICS, metrics_cb.rows, logger)
    trainer = build_trainer(
        conf, model, tokenizer, train_tasks, job_dir / CHECKPOINTS,
        report_to=logger.report_to, run_name=info.name, callbacks=[metrics_cb, *val_cbs],
    )
    timings["load_s"] = time.perf_counter() - t0
    if resume:
        _say(f"{info.name}: resuming from {resume}")
        final["resumed_from"] = str(resume)

    t1, c1 = time.perf_counter(), time.process_time()
    try:
        trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    finally:  # a run that dies at step k still reports its k logged steps
        timings["train_s"] = time.perf_counter() - t1
        timings["train_cpu_s"] = time.process_time() - c1  # this process only: tells contention from work
        final["metrics"] = {**summarize_train_log(metrics_cb.rows), **metrics_cb.summary}
    policy = trainer.model
    _restore_exact_base(policy, clean_base, final)  # every rank: each evaluates its own copy of the weights
    if main:
        policy.save_pretrained(job_dir / ADAPTER)
        tokenizer.save_pretrained(job_dir / ADAPTER)
    trainer.accelerator.wait_for_everyone()  # the saved adapter is there for every rank's generators
    shard = evaluation_shard(conf)
    if not main and shard.world_size == 1:
        return

    t2 = time.perf_counter()
    results = final["eval"]
    out = job_dir / EVAL
    with job_generators(conf, tokenizer, policy, job_dir / ADAPTER) as gens:  # eval.backend: hf | vllm
        if conf.eval.enabled and conf.eval.after:
            results["trained"] = evaluate_policy(gens.trained, tokenizer, eval_tasks, conf, out, "trained", shard)
            if main:
                logger.log_eval("trained", results["trained"], _table(out, "trained", conf.eval.log_table))
        if conf.eval.enabled and conf.eval.before:
            with policy.disable_adapter():  # the same weights minus the adapter: the base model, exactly
                results["base"] = evaluate_base(gens.base, policy, tokenizer, eval_tasks, conf, out, shard)
            if main:
                logger.log_eval("base", results["base"], _table(out, "base", conf.eval.log_table))
    base, trained = (results.get(k, {}).get("eval/pass@1") for k in ("base", "trained"))
    if base is not None and trained is not None:
        results["delta_pp"] = 100.0 * (trained - base)
    timings["eval_s"] = time.perf_counter() - t2


def _snapshot_for_exact_base(conf: Config, model: Any) -> dict[str, Any] | None:
    """vLLM training merges/unmerges the adapter into the base at every sync, which is inexact in
    bf16 (rlvr_sweeps.train.base_weights): keep a clean CPU copy of the base then, only then."""
    if not conf.train.use_vllm:
        return None
    from rlvr_sweeps.train.base_weights import snapshot_base  # lazy: imports torch

    return snapshot_base(model)


def _restore_exact_base(policy: Any, clean_base: dict[str, Any] | None, final: dict[str, Any]) -> None:
    """Put the loaded base weights back before saving and evaluating; records how many tensors
    the merge round trips had changed (`base_tensors_restored`, 0 = the round trip was exact)."""
    if clean_base is None:
        return
    from rlvr_sweeps.train.base_weights import restore_base  # lazy: imports torch

    final["base_tensors_restored"] = restore_base(policy, clean_base)


def objective(final: dict[str, Any]) -> float | None:
    """What the job returns to Hydra (optimising sweepers maximise it): trained pass@1 when the job
    evaluated, else the mean training reward, else None."""
    trained = (final.get("eval") or {}).get("trained") or {}
    value = trained.get("eval/pass@1", (final.get("metrics") or {}).get("train/reward_mean"))
    return float(value) if isinstance(value, int | float) else None


def run_job(conf: Config, cfg: DictConfig) -> float | None:
    """Run one grid cell into conf.output_dir; see the module docstring for the files and policies."""
    start = time.perf_counter()
    job_dir = Path(conf.output_dir).resolve()
    job_dir.mkdir(parents=True, exist_ok=True)
    info = run_info(conf, cfg, job_dir)
    done = completed_result(job_dir)  # checked by every rank: a done cell must not start a lone follower
    if done is not None:
        _say(f"{info.name}: already done ({job_dir / FINAL}), skipping")
        return objective(done.to_dict())
    if export_distributed_env() != 0:
        return _run_follower(conf, info)
    select_single_device(say=_say)  # several GPUs, no launcher: one GPU per cell, not TRL's DataParallel error

    stale = job_dir / FINAL  # a failed attempt: kept aside so the cell reads `running`, not `failed`
    if stale.exists():
        os.replace(stale, job_dir / PREVIOUS)
    final: dict[str, Any] = {
        "status": "failed",
        "error": None,
        "choices": info.choices,
        "overrides": info.overrides,
        "metrics": {},
        "eval": {},
        "timings": {},
        "versions": versions(),
        "git": git_commit(),
        "host": platform.node(),
        "world_size": int(os.environ.get("WORLD_SIZE", "1")),  # processes of a multi-GPU (DDP) cell
        "job_dir": str(job_dir),
    }
    logger = RunLogger()  # replaced by the configured one inside the handler: its failure is recorded too
    failed = True
    try:  # everything from the `running` marker on: no cell can be left marked running without a record
        mark_running(job_dir)
        logger = make_logger(conf.logger)
        logger.start(info)
        _train_and_evaluate(conf, info, logger, final)
        final["status"] = "ok"
        failed = False
    except Exception as exc:  # recorded, not raised: the other cells of the sweep must still run
        final["error"] = error_record(exc)
        tail = f"\n{final['error']['traceback']}" if _hydra_runtime()[2] else f" (traceback in {job_dir / FINAL})"
        _say(f"{info.name}: FAILED with {type(exc).__name__}: {exc}{tail}")  # one line for a single run
    except BaseException:  # interrupted (Ctrl-C, preemption): leave no final.json, so it resumes
        clear_running(job_dir)
        _finish_logger(logger, failed=True)
        raise
    final["timings"]["total_s"] = time.perf_counter() - start
    try:
        logger.log_summary({"status": final["status"], **final["metrics"], **_flat_eval(final["eval"])})
    except Exception as exc:  # the tracker is a mirror: its failure must not lose the job's result
        _say(f"logger could not record the summary: {type(exc).__name__}: {exc}")
    FinalRecord.from_dict(final).write(job_dir)  # typed and versioned: rlvr_sweeps.sweep.cell
    clear_running(job_dir)
    _finish_logger(logger, failed=failed)
    _say(f"{info.name}: {final['status']} in {final['timings']['total_s']:.1f} s -> {job_dir / FINAL}")
    return objective(final)


def _run_follower(conf: Config, info: RunInfo) -> None:
    """A non-zero rank of a multi-GPU cell: trains in lockstep with rank 0 and writes nothing
    (rank 0 owns metrics.jsonl, the adapter, the evaluation, W&B and final.json). Its errors are
    raised, not recorded: the launcher sees the task fail, and rank 0's record stays the truth."""
    final: dict[str, Any] = {"timings": {}, "metrics": {}, "eval": {}}
    _train_and_evaluate(conf, info, RunLogger(), final, main=False)


def _flat_eval(results: dict[str, Any]) -> dict[str, Any]:
    flat = {k: v for label in ("base", "trained") for k, v in labelled(label, results.get(label) or {}).items()}
    if "delta_pp" in results:
        flat["eval/delta_pp"] = results["delta_pp"]
    return flat


def _finish_logger(logger: RunLogger, failed: bool) -> None:
    """A logger that cannot close (disk full, W&B bug) must not hide the job's own result."""
    try:
        logger.finish(failed)
    except Exception as exc:  # reported; the result files are what matters
        _say(f"logger could not finish: {type(exc).__name__}: {exc}")


__all__ = ["error_record", "objective", "run_job", "sweep_group", "versions"]
