"""Exact base evaluation under vLLM training: a clean copy of the base weights, put back after training.

With `train.use_vllm=true` TRL syncs the policy into vLLM by merging the LoRA adapter into the base
weights and unmerging it again (trl/generation/vllm_generation.py), every sync. In bf16 W + BA - BA
is not W: the round trip rounds, and hundreds of syncs move a visible share of the base weights. The
`base` evaluation (adapter disabled) would then measure a drifted model, and the `trained` one an
adapter on a base nobody can load again. So the job copies the frozen base weights to CPU before
training (about 2 bytes per parameter in bf16: 1.2 GB for Qwen3-0.6B, 2.5 GB for Llama-3.2-1B) and
copies them back into the PeftModel's base layers before it evaluates: both evaluations then run
on the exact weights that were loaded, plus (for `trained`) the saved adapter.
"""

from __future__ import annotations

from typing import Any

import torch

_BASE_LAYER = ".base_layer"  # peft's name for the wrapped original module of a LoRA layer


def snapshot_base(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    """CPU copies of every parameter and buffer of the (not yet peft-wrapped) model, by name."""
    return {name: t.detach().to("cpu", copy=True) for name, t in model.state_dict().items()}


def _unmerge(peft_model: Any) -> None:
    """Restoring into a merged layer would lose the adapter's delta on its next unmerge."""
    for module in peft_model.modules():
        if getattr(module, "merged", False) and hasattr(module, "unmerge"):
            module.unmerge()


def restore_base(peft_model: Any, snapshot: dict[str, torch.Tensor]) -> int:
    """Copy `snapshot` back into the base weights of `peft_model` (a PeftModel or the plain model),
    in place, on their device and dtype; returns how many tensors differed. Every snapshot entry
    must find its tensor: a silent partial restore would be worse than none."""
    _unmerge(peft_model)
    base = peft_model.get_base_model() if hasattr(peft_model, "get_base_model") else peft_model
    changed, seen = 0, set()
    with torch.no_grad():
        for name, tensor in base.state_dict(keep_vars=True).items():
            key = name.replace(_BASE_LAYER, "")
            if key not in snapshot:
                continue  # LoRA's own A/B weights
            clean = snapshot[key]
            if not torch.equal(tensor.detach().cpu(), clean):
                changed += 1
            tensor.data.copy_(clean.to(tensor.device, tensor.dtype))
            seen.add(key)
    missing = sorted(set(snapshot) - seen)
    if missing:
        raise RuntimeError(f"base weights not restored (no matching tensor in the policy): {missing[:5]}")
    return changed


__all__ = ["restore_base", "snapshot_base"]
