"""``python -m rlvr_sweeps.bench vllm [N_TASKS]`` (in .venv-vllm: ``make bench-vllm``): greedy
generation of the same tiny random Qwen3 (head_dim 32, the configured tokenizer) on the same MBPP
prompts through the hf and vllm backends, in one run; prints both rates and their ratio.

vLLM's engine start (export + load + profiling) is timed apart from generation. On CPU the ratio
can go either way (vLLM's CPU kernels vs HF's batched generate on a tiny model); the number that
matters is on a GPU, where the GPU benchmark reuses these generators.
"""

from __future__ import annotations

import os
import sys
import time

from hydra import compose, initialize_config_dir

from rlvr_sweeps.config import register_configs, to_config
from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate import render_prompts
from rlvr_sweeps.evaluate.generators import HFGenerator, Request, Sampling
from rlvr_sweeps.evaluate.generators.vllm import VLLMEngine, VLLMGenerator
from rlvr_sweeps.paths import conf_dir

_OVERRIDES = [
    "model=tiny-qwen3", "model.warm_start_steps=0", "model.config_overrides.hidden_size=64",
    "model.config_overrides.head_dim=32", "model.config_overrides.num_attention_heads=2",
    "model.config_overrides.num_key_value_heads=1", "data=embedded", "eval.max_new_tokens=48",
    "eval.stop_at_code_end=false", "eval.vllm.memory=0.08", "eval.vllm.max_model_len=1024",
    "eval.vllm.enforce_eager=true",
]


def main(argv: list[str]) -> int:
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")
    n_tasks = int(argv[0]) if argv else 16
    try:
        import vllm  # noqa: F401 - lazy: the probe of whether this venv has vLLM at all
    except ImportError:
        print("bench vllm: vllm is not importable here; run `make bench-vllm` (builds .venv-vllm)")
        return 0
    from rlvr_sweeps.models import load_model, load_tokenizer  # lazy: imports torch/transformers

    register_configs()
    with initialize_config_dir(config_dir=str(conf_dir()), version_base="1.3"):
        conf = to_config(compose("evaluate", overrides=_OVERRIDES))
    tok = load_tokenizer(conf.model)
    tasks = load_eval_tasks(conf.data)[:n_tasks]
    requests = [Request(t, p) for t, p in zip(tasks, render_prompts(tasks, tok, conf), strict=True)]
    sampling = Sampling(n=1, greedy=True, max_new_tokens=conf.eval.max_new_tokens, stop_at_code_end=False)
    model = load_model(conf.model, conf.base_seed, tokenizer=tok)

    t0 = time.perf_counter()
    hf = HFGenerator(model, tok, conf.eval.batch_size).generate(requests, sampling)
    hf_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    engine = VLLMEngine.from_model(conf, tok, model)
    engine.llm  # noqa: B018 - start it now, so generation is timed alone
    start_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = VLLMGenerator(engine).generate(requests, sampling)
    vllm_s = time.perf_counter() - t0
    engine.close()
    tokens = sum(c[0].n_tokens for c in hf)
    same = sum(a[0].text == b[0].text for a, b in zip(hf, out, strict=True))
    print(f"{n_tasks} prompts, greedy, {conf.eval.max_new_tokens} new tokens max, {tokens} tokens generated (hf)")
    print(f"hf   generate: {hf_s:7.2f} s  {tokens / hf_s:8.1f} tok/s")
    print(f"vllm generate: {vllm_s:7.2f} s  {sum(c[0].n_tokens for c in out) / vllm_s:8.1f} tok/s "
          f"(+ {start_s:.1f} s engine start)")
    print(f"ratio hf/vllm generation time: {hf_s / vllm_s:.2f}x; incl. start: {hf_s / (vllm_s + start_s):.2f}x; "
          f"identical completions: {same}/{n_tasks}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
