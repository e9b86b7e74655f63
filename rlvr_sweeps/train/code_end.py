"""TRL rollouts that end where the answer ends (``train.stop_at_code_end``).

Why: a completion is judged by its answer block (``rlvr_sweeps.extract``: the first Python block
defining the entry point); nothing after that block's closing fence is ever read by a reward.
Stock TRL 1.16 rollouts run to EOS, so the policy pays generation for text nobody judges, those
tokens enter the loss with the completion's advantage (credit for text the reward never saw), and
training lengths count them while evaluation's (``eval.stop_at_code_end``) do not.

``CodeEndGRPOTrainer`` changes only where a rollout ends:

- every rollout's token ids are cut after the token that closes its answer block
  (``code_end_tokens``: the cut evaluation makes), whatever the generation backend. TRL builds
  ``completion_mask`` from the lengths of these lists (ones, right-padded), so the tokens after the
  fence leave the loss, the KL term and the token counts exactly as post-EOS tokens do; vLLM's
  per-token logprobs are cut with them. Rows without a closed answer block are untouched;
- on the transformers path ``generate`` also stops each row at that token (evaluation's stopping
  criterion ``code_block_stop``), so the generation compute is saved too. TRL 1.16 calls
  ``unwrapped_model.generate(**inputs, generation_config=...)`` and nothing else: a GenerationConfig
  cannot carry a StoppingCriteria, and its ``stop_strings`` need the tokenizer that TRL does not
  pass (transformers raises) and could not express the rule anyway. The criterion is therefore
  added by a wrapper around that model's ``generate``, installed for the duration of the call;
- on vLLM, generation still runs to EOS: TRL builds the SamplingParams, and vLLM's ``stop``
  strings are substring matches that would also fire on a bash block's closing fence or an
  untagged opening fence (the verdict would change). Only the training passes are saved there;
- TRL counts a rollout that does not end in EOS as clipped (``completions/clipped_ratio`` and the
  terminated-length metrics); a cut rollout is a finished answer, so those metrics are recomputed
  counting it as terminated, and ``completions/code_end_ratio`` logs the share of rollouts cut.

The tokens before the fence are the stock rollout's (a stopped row keeps being sampled and is
replaced by padding, so the other rows' random stream is unchanged) and so are the rewards (the
rule never reads past the fence). What the policy is no longer trained on is what follows its
answer, the EOS included. Imports torch/TRL: load it inside a job only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import torch
from transformers import StoppingCriteriaList
from trl import GRPOTrainer

from rlvr_sweeps.evaluate.generators.hf import code_block_stop
from rlvr_sweeps.extract import code_end_tokens, row_entry_point

CODE_END_RATIO = "completions/code_end_ratio"  # share of rollouts cut at their answer's closing fence


@contextmanager
def stopping_at_code_end(model: Any, tokenizer: Any, entry_points: Sequence[str | None]) -> Iterator[None]:
    """While inside, ``model.generate`` stops row i at the closing fence of its answer block
    (entry point ``entry_points[i]``), on top of the stopping criteria its caller passes."""
    own = "generate" in vars(model)
    original = model.generate

    def generate(*args: Any, **kwargs: Any) -> Any:
        input_ids = kwargs["input_ids"] if "input_ids" in kwargs else args[0]
        if input_ids.shape[0] != len(entry_points):
            raise RuntimeError(
                f"train.stop_at_code_end: generate got {input_ids.shape[0]} rows for {len(entry_points)} "
                "entry points (a TRL code path that generates a subset of the batch): set train.stop_at_code_end=false"
            )
        criteria = StoppingCriteriaList(kwargs.pop("stopping_criteria", None) or [])
        criteria.append(code_block_stop(tokenizer, input_ids.shape[1], entry_points))
        return original(*args, stopping_criteria=criteria, **kwargs)

    model.generate = generate
    try:
        yield
    finally:
        if own:
            model.generate = original
        else:
            del model.generate


def cut_at_code_end(
    tokenizer: Any, completion_ids: Sequence[Sequence[int]], logprobs: Sequence[Sequence[Any]] | None,
    entry_points: Sequence[str | None],
) -> tuple[list[list[int]], list[list[Any]] | None, list[bool]]:
    """(ids, logprobs, cut flags): each row ends after the token closing its answer block, when it has one."""
    ends = [code_end_tokens(tokenizer, ids, ep) for ids, ep in zip(completion_ids, entry_points, strict=True)]
    ids_out = [list(ids[:end]) if end else list(ids) for ids, end in zip(completion_ids, ends, strict=True)]
    lp_out = None
    if logprobs is not None:
        lp_out = [list(lp[:end]) if end else list(lp) for lp, end in zip(logprobs, ends, strict=True)]
    return ids_out, lp_out, [end is not None for end in ends]


class CodeEndGRPOTrainer(GRPOTrainer):
    """GRPOTrainer whose rollouts end at their answer block's closing fence (module docstring)."""

    _entry_points: list[str | None] | None = None
    _cut_rows: list[bool] | None = None

    def _generate_and_score_completions(self, inputs: list[dict[str, Any]]) -> dict[str, Any]:
        self._entry_points = [row_entry_point(x.get("entry_point"), x.get("tests"), x.get("setup")) for x in inputs]
        try:
            return super()._generate_and_score_completions(inputs)
        finally:
            self._entry_points = None

    def _generate_single_turn(self, prompt_ids: list[list[int]], *args: Any, **kwargs: Any):
        eps = self._entry_points
        if eps is None or len(eps) != len(prompt_ids):
            raise RuntimeError(
                "train.stop_at_code_end needs one dataset row per rollout (tools and rollout_func generate "
                "otherwise): set train.stop_at_code_end=false"
            )
        if self.use_vllm or self.use_transformers_continuous_batching:
            completion_ids, logprobs = super()._generate_single_turn(prompt_ids, *args, **kwargs)
        else:
            with stopping_at_code_end(self.accelerator.unwrap_model(self.model_wrapped), self._tokenizer, eps):
                completion_ids, logprobs = super()._generate_single_turn(prompt_ids, *args, **kwargs)
        completion_ids, logprobs, self._cut_rows = cut_at_code_end(self._tokenizer, completion_ids, logprobs, eps)
        return completion_ids, logprobs

    def _generate(self, prompts: list):
        out = super()._generate(prompts)
        self._recount_terminated(out[1])
        return out

    def _recount_terminated(self, completion_ids: list[list[int]]) -> None:
        """Redo TRL's clipped / terminated-length metrics of this generation with cut rollouts as
        terminated (TRL's rule: a rollout is clipped when its last token is neither EOS nor pad)."""
        mode = "train" if self.model.training else "eval"
        device = self.accelerator.device
        eos_and_pad = {*self.eos_token_ids, self._tokenizer.pad_token_id}
        cut = torch.tensor(self._cut_rows, dtype=torch.bool, device=device)
        clipped = torch.tensor([ids[-1] not in eos_and_pad for ids in completion_ids], device=device) & ~cut
        lengths = torch.tensor([len(ids) for ids in completion_ids], device=device)
        cut, clipped, lengths = (self.accelerator.gather(t) for t in (cut, clipped, lengths))
        terminated = lengths[~clipped].float()
        if terminated.numel() == 0:  # TRL's convention when nothing terminated
            terminated = torch.zeros(1, device=device)
        m = self._metrics[mode]
        m["completions/clipped_ratio"][-1] = clipped.float().mean().item()
        m["completions/mean_terminated_length"][-1] = terminated.mean().item()
        m["completions/min_terminated_length"][-1] = terminated.min().item()
        m["completions/max_terminated_length"][-1] = terminated.max().item()
        m[CODE_END_RATIO].append(cut.float().mean().item())
