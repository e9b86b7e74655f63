"""GPU benchmark: the paper cell on CUDA with random-init real-architecture weights, next to a bare
TRL script with the same config, and the evaluation of 100 problems with the HF and vLLM backends.

``python -m rlvr_sweeps.bench gpu [--model qwen3-0.6b] [--tokenizer DIR] [--data mbpp.jsonl]
[--steps 4] [--problems 100]``

The random weights of the shipped shape (rlvr_sweeps/models/configs, no hub) are built once and
saved to a temp dir; every leg loads that dir as `model.path` (init=pretrained), so the four legs
run the same weights, and vLLM (which reads a directory) can load them too. Legs:

- ours: ``python -m rlvr_sweeps +experiment=paper`` for `--steps` optimizer steps, evaluation off
  (timed separately below), started through this module so the peak CUDA memory is read at exit;
- bare: a plain GRPOTrainer + LoRA script on the same config (rlvr_sweeps.bench.sweep.bare_trl),
  reward functions timed in-process for the reward's share of a step;
- eval hf / eval vllm: ``python -m rlvr_sweeps.evaluate eval.backend=hf|vllm`` on `--problems`
  tasks; the vLLM leg goes through the generator factory (rlvr_sweeps.evaluate.generators) and is
  reported as n/a when the `vllm` extra is missing.

On a machine without CUDA it prints one line saying so and exits 0 (nothing to measure).
"""

from __future__ import annotations

import argparse
import atexit
import importlib.util
import json
import runpy
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir

from rlvr_sweeps import rewards
from rlvr_sweeps.bench import sweep
from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.config.rules import world_size
from rlvr_sweeps.paths import conf_dir

NO_CUDA = "gpu bench: no CUDA device (torch.cuda.is_available() is False): nothing measured, exit 0"
_PEAK_TAG = "GPU_BENCH_PEAK_BYTES="


def _args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m rlvr_sweeps.bench gpu")
    p.add_argument("--model", default="qwen3-0.6b", help="a shipped shape: qwen3-0.6b, llama3.2-1b-instruct, ...")
    p.add_argument("--tokenizer", default="builtin", help="a local tokenizer dir (e.g. Qwen3's); builtin = offline")
    p.add_argument("--data", default="", help="local mbpp.jsonl; empty = the embedded tasks")
    p.add_argument("--steps", type=int, default=4, help="optimizer steps per training leg")
    p.add_argument("--problems", type=int, default=100, help="evaluation problems per backend")
    return p.parse_args(argv)


def save_random_model(model: str, tokenizer: str, out: Path) -> Path:
    """The shipped shape with seeded random weights (bf16), saved with its tokenizer."""
    import torch  # lazy: a bench loads its heavy stack only when it runs

    from rlvr_sweeps.models import load_model, load_tokenizer  # lazy: imports torch/transformers

    cfg = ModelConfig(name=model, arch_config=model, tokenizer=tokenizer, config_overrides={}, warm_start_steps=0)
    tok = load_tokenizer(cfg)
    load_model(cfg, 0, tokenizer=tok).to(torch.bfloat16).save_pretrained(out)
    tok.save_pretrained(out)
    return out


def cell_overrides(model_dir: Path, a: argparse.Namespace) -> list[str]:
    """The paper cell on the saved weights; data local or embedded; W&B off; rollouts to EOS on both
    legs (the bare script is stock TRL, without train.stop_at_code_end)."""
    data = [f"data.path={a.data}"] if a.data else ["data=embedded"]
    return ["+experiment=paper", f"model.path={model_dir}", "model.init=pretrained", "model.tokenizer=",
            "model.arch_config=", f"train.max_steps={a.steps}", "train.save_steps=0", "logger=none",
            "train.stop_at_code_end=false", *data]


def _run(args: list[str], cwd: Path) -> tuple[str, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc.stdout, time.perf_counter() - t0


def _peak(stdout: str) -> float:
    tags = [line for line in stdout.splitlines() if line.startswith(_PEAK_TAG)]
    return int(tags[-1][len(_PEAK_TAG):]) / 2**30 if tags else float("nan")


def ours(model_dir: Path, a: argparse.Namespace, tmp: Path) -> dict[str, float]:
    run = tmp / "ours"
    out, _ = _run(["-m", "rlvr_sweeps.bench.gpu", "--as-app", *cell_overrides(model_dir, a), "eval.enabled=false",
                   f"hydra.run.dir={run}"], tmp)
    final = json.loads((run / "final.json").read_text())
    if final["status"] != "ok":
        raise RuntimeError(f"our cell failed: {final['error']}")
    m, steps = final["metrics"], final["metrics"]["train/global_step"]
    return {"s_per_step": final["timings"]["train_s"] / steps, "peak_gib": _peak(out),
            "mean_len": float(m.get("train/completions/mean_length", float("nan")))}


def bare(model_dir: Path, a: argparse.Namespace, tmp: Path) -> dict[str, float]:
    out, _ = _run(["-m", "rlvr_sweeps.bench.gpu", "--bare", *cell_overrides(model_dir, a)], tmp)
    return json.loads(out.strip().splitlines()[-1])


def eval_s(model_dir: Path, a: argparse.Namespace, tmp: Path, backend: str) -> float | None:
    if backend == "vllm":
        if importlib.util.find_spec("vllm") is None:
            return None
    data = ["data=mbpp", f"data.path={a.data}"] if a.data else ["data=embedded"]
    args = ["-m", "rlvr_sweeps.evaluate", f"model.path={model_dir}", "model.init=pretrained", "model.tokenizer=",
            "model.dtype=bfloat16", f"eval.backend={backend}", f"data.max_eval_tasks={a.problems}",
            "eval.max_new_tokens=512", "eval.batch_size=64", "eval.plus=false", *data,
            f"hydra.run.dir={tmp / ('eval-' + backend)}"]
    return _run(args, tmp)[1]


def tokens_per_s(mean_len: float, s_per_step: float, conf_overrides: list[str]) -> float:
    """Generated tokens per second: completions per optimizer step x mean length / seconds per step."""
    register_configs()
    with initialize_config_dir(str(conf_dir()), version_base="1.3"):
        conf = to_config(compose("config", overrides=["output_dir=.", *conf_overrides]))
    per_step = conf.train.per_device_train_batch_size * conf.train.gradient_accumulation_steps * world_size()
    return per_step * mean_len / s_per_step


def table(rows: dict[str, dict[str, Any]]) -> str:
    keys = ["s_per_step", "tokens_per_s", "reward_share", "peak_gib", "eval100_hf_s", "eval100_vllm_s"]
    head = "| leg | " + " | ".join(keys) + " |\n|---|" + "---|" * len(keys)
    fmt = [f"| {leg} | " + " | ".join("n/a" if r.get(k) is None else f"{r[k]:.3g}" for k in keys) + " |"
           for leg, r in rows.items()]
    return "\n".join([head, *fmt])


def _bare_main(overrides: list[str]) -> None:
    """Child: the bare TRL leg with timed reward functions and CUDA peak memory."""
    import torch  # lazy: a bench loads its heavy stack only when it runs

    spent = [0.0]
    build = rewards.build_reward_funcs

    def timed_build(*args: Any, **kwargs: Any):
        funcs, weights = build(*args, **kwargs)

        def wrap(f):
            def timed(*a: Any, **k: Any):
                t0 = time.perf_counter()
                try:
                    return f(*a, **k)
                finally:
                    spent[0] += time.perf_counter() - t0
            timed.__name__ = getattr(f, "__name__", "reward")
            return timed
        return [wrap(f) for f in funcs], weights

    rewards.build_reward_funcs = timed_build  # bare_trl looks it up on rlvr_sweeps.rewards at call time
    result = sweep.bare_trl(overrides)
    print(json.dumps({"s_per_step": result["train_s"] / result["steps"], "reward_share": spent[0] / result["train_s"],
                      "peak_gib": torch.cuda.max_memory_allocated() / 2**30}))


def _app_main(overrides: list[str]) -> None:
    """Child: the real app (`python -m rlvr_sweeps ...`), printing CUDA peak memory at exit."""
    import torch  # lazy: a bench loads its heavy stack only when it runs

    atexit.register(lambda: print(f"{_PEAK_TAG}{torch.cuda.max_memory_allocated()}", flush=True))
    sys.argv = ["rlvr_sweeps", *overrides]
    runpy.run_module("rlvr_sweeps", run_name="__main__")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--bare"]:
        _bare_main(argv[1:])
        return 0
    if argv[:1] == ["--as-app"]:
        _app_main(argv[1:])
        return 0
    a = _args(argv)
    import torch  # lazy: a bench loads its heavy stack only when it runs

    if not torch.cuda.is_available():
        print(NO_CUDA, flush=True)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="bench-gpu-"))
    model_dir = save_random_model(a.model, a.tokenizer, tmp / "model")
    overrides = cell_overrides(model_dir, a)
    ours_r, bare_r = ours(model_dir, a, tmp), bare(model_dir, a, tmp)
    for r in (ours_r, bare_r):
        r["tokens_per_s"] = tokens_per_s(ours_r["mean_len"], r["s_per_step"], overrides)
    ours_r["eval100_hf_s"], ours_r["eval100_vllm_s"] = eval_s(model_dir, a, tmp, "hf"), eval_s(model_dir, a, tmp, "vllm")
    print(f"gpu bench: {torch.cuda.get_device_name(0)}, {a.model} (random init, shipped shape), {a.steps} steps, "
          f"paper cell; tokens/s of both legs use our mean completion length")
    print(table({"ours (python -m rlvr_sweeps)": ours_r, "bare TRL script": bare_r}))
    print(f"overhead vs bare: {100 * (ours_r['s_per_step'] / bare_r['s_per_step'] - 1):+.1f} % s/step")
    return 0


if __name__ == "__main__":
    sys.exit(main())
