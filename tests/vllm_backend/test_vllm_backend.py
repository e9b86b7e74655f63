"""The vLLM backend against the hf backend on the same saved tiny model and peft adapter."""

from __future__ import annotations

import contextlib
import json

import pytest

from rlvr_sweeps.data import load_eval_tasks
from rlvr_sweeps.evaluate import evaluate_policy, read_problems, render_prompts, select_tasks
from rlvr_sweeps.evaluate.generators import HFGenerator, Request, Sampling, prompt_token_ids
from rlvr_sweeps.models import load_model, load_tokenizer

pytestmark = pytest.mark.slow
TASKS = "eval.task_ids=[11,12,13,14,15,16]"
TIE = 1e-4  # logit gap below which two tokens are a float tie: 100x the two backends' measured log-prob drift (~1e-6)


def _policy(conf, tmp_path):
    """A random tiny Qwen3 with a non-zero LoRA adapter (so the adapter changes the output), saved."""
    from peft import LoraConfig, get_peft_model

    tok = load_tokenizer(conf.model)
    model = load_model(conf.model, conf.seed, tokenizer=tok)
    lora = LoraConfig(r=conf.lora.r, lora_alpha=4 * conf.lora.r, target_modules=["q_proj", "v_proj", "down_proj"],
                      init_lora_weights=False)
    policy = get_peft_model(model, lora)
    policy.save_pretrained(tmp_path / "adapter")
    return tok, policy


def _rows(path):
    return [(r["task_id"], r["mode"], r["sample"], r["completion"], r["n_tokens"], r["truncated"], r["status"],
             r["error_type"]) for r in read_problems(path.parent.parent, path.parent.name)]


def _vllm_greedy_ids(engine, tok, prompts, adapter, max_tokens):
    from vllm import SamplingParams

    params = SamplingParams(temperature=0.0, max_tokens=max_tokens, stop_token_ids=engine.eos, detokenize=False,
                            logprobs=0)
    results = engine.llm.generate([{"prompt_token_ids": prompt_token_ids(tok, p)} for p in prompts], params,
                                  use_tqdm=False, lora_request=engine.lora_request(adapter))
    return [(list(o.token_ids), [lp[t].logprob for t, lp in zip(o.token_ids, o.logprobs, strict=True)])
            for o in (r.outputs[0] for r in results)]


def _teacher_forced(policy, tok, prompt, ids):
    """HF's view of vLLM's greedy tokens ``ids``, fed as the prefix: per step (HF's argmax ==
    vLLM's token, HF's logit gap between its top two tokens, HF's log-prob of vLLM's token)."""
    import torch

    prompt_ids = prompt_token_ids(tok, prompt)
    with torch.inference_mode():
        logits = policy(input_ids=torch.tensor([prompt_ids + ids])).logits[0, len(prompt_ids) - 1 : -1].float()
    top, logp = logits.topk(2, dim=-1), logits.log_softmax(-1)
    return [(int(top.indices[k, 0]) == t, float(top.values[k, 0] - top.values[k, 1]), float(logp[k, t]))
            for k, t in enumerate(ids)]


def test_vllm_and_hf_give_identical_greedy_completions_and_verdicts_with_and_without_adapter(tmp_path, vllm_conf):
    """Identical rows, except where greedy decoding met a float tie: the two backends' kernels sum
    in other orders, so on a random-weight model (flat logits) an argmax between two tokens a
    1e-6 apart can go either way. Every vLLM token is checked against HF's logits on the same
    prefix: HF's argmax, or a tie in HF's own top two; and a row that differs must hold such a tie."""
    from rlvr_sweeps.evaluate.generators.vllm import VLLMEngine, VLLMGenerator

    conf = vllm_conf(TASKS, "eval.max_new_tokens=24", "eval.stop_at_code_end=true")
    tasks = load_eval_tasks(conf.data)
    tok, policy = _policy(conf, tmp_path)
    prompts = render_prompts(select_tasks(tasks, conf.eval.task_ids), tok, conf)
    engine = VLLMEngine.from_model(conf, tok, policy, scratch=tmp_path)
    try:
        vllm_trained = evaluate_policy(VLLMGenerator(engine, tmp_path / "adapter"), tok, tasks, conf, tmp_path / "v", "t")
        vllm_base = evaluate_policy(VLLMGenerator(engine), tok, tasks, conf, tmp_path / "v", "b")
        ids = {label: _vllm_greedy_ids(engine, tok, prompts, adapter, conf.eval.max_new_tokens)
               for label, adapter in (("t", tmp_path / "adapter"), ("b", None))}
    finally:
        engine.close()
    hf_trained = evaluate_policy(HFGenerator(policy, tok, 4), tok, tasks, conf, tmp_path / "h", "t")
    with policy.disable_adapter():
        hf_base = evaluate_policy(HFGenerator(policy, tok, 4), tok, tasks, conf, tmp_path / "h", "b")
    gaps, same_rows = [], 0
    for label in ("t", "b"):
        v, h = _rows(tmp_path / "v" / label / "problems.jsonl"), _rows(tmp_path / "h" / label / "problems.jsonl")
        assert len(v) == len(h) == 6 and [r[:3] for r in v] == [r[:3] for r in h]
        for prompt, (gen_ids, v_logp), v_row, h_row in zip(prompts, ids[label], v, h, strict=True):
            with policy.disable_adapter() if label == "b" else contextlib.nullcontext():
                steps = _teacher_forced(policy, tok, prompt, gen_ids)
            drift = max(abs(a - b[2]) for a, b in zip(v_logp, steps, strict=True))
            assert drift < TIE / 10, f"vLLM's and HF's log-probs of the same tokens differ by {drift:.2e}"
            assert all(agree or gap < TIE for agree, gap, _ in steps), f"vLLM left HF's argmax without a tie: {steps}"
            ties = [gap for _, gap, _ in steps if gap < TIE]
            assert v_row == h_row or ties, f"rows differ without a tie on the way: {v_row} vs {h_row}"
            same_rows += v_row == h_row
            gaps += [gap for _, gap, _ in steps]
    assert same_rows >= 9, f"only {same_rows} of 12 rows identical: ties should be rare"
    assert sorted(gaps)[len(gaps) // 2] > 100 * TIE, "logits so flat that the tie test would excuse anything"
    assert _rows(tmp_path / "v" / "t" / "problems.jsonl") != _rows(tmp_path / "v" / "b" / "problems.jsonl")
    if same_rows == 12:
        assert vllm_trained == hf_trained and vllm_base == hf_base
    assert vllm_trained.keys() == hf_trained.keys() and vllm_base.keys() == hf_base.keys()
    summary = json.loads((tmp_path / "v" / "t" / "summary.json").read_text())
    assert summary["generator"] == "vllm"
    assert not list(tmp_path.glob("vllm-base-*")), "the exported base weights are deleted on close"


def test_prompt_ids_have_one_bos_when_the_template_writes_it(vllm_conf):
    tok = load_tokenizer(vllm_conf().model)
    tok.bos_token = "<|im_start|>"  # a Llama-like tokenizer whose chat text already starts with BOS
    ids = prompt_token_ids(tok, "<|im_start|>user\nhi<|im_end|>\n")
    assert ids.count(tok.convert_tokens_to_ids("<|im_start|>")) == 1


def test_sampled_pass_at_k_through_vllm_is_seeded(tmp_path, vllm_conf):
    from rlvr_sweeps.evaluate.generators import build_generator

    conf = vllm_conf("eval.task_ids=[11,12,13]", "eval.max_new_tokens=16", "eval.n_samples=4", "eval.ks=[1,2,4]",
                     "eval.temperature=1.0", "eval.top_p=0.95")
    tok = load_tokenizer(conf.model)
    tasks = load_eval_tasks(conf.data)
    gen = build_generator(conf, tok)
    m = evaluate_policy(gen, tok, tasks, conf, tmp_path / "a", "a")
    evaluate_policy(gen, tok, tasks, conf, tmp_path / "b", "b")
    a = [r for r in _rows(tmp_path / "a" / "a" / "problems.jsonl") if r[1] == "sampled"]
    b = [r for r in _rows(tmp_path / "b" / "b" / "problems.jsonl") if r[1] == "sampled"]
    assert len(a) == 12 and a == b, "the same seed gives the same samples"
    assert len({r[3] for r in a}) > 3, "samples of one prompt differ (a seed per sample, not one per prompt)"
    assert {"eval/pass@1", "eval/pass@2", "eval/pass@4"} <= set(m)
    again = gen.generate([Request(tasks[0], "x")], Sampling(n=2, greedy=False, seed=1))
    other = gen.generate([Request(tasks[0], "x")], Sampling(n=2, greedy=False, seed=2))
    assert again != other
