"""Stable prompts: a Llama-3-style chat template that stamps today's date renders the pinned
date instead, in evaluation (apply_chat) and in training (the kwargs TRL's GRPOTrainer gets)."""

from __future__ import annotations

import copy
import datetime

from rlvr_sweeps.config.model import ModelConfig
from rlvr_sweeps.models import apply_chat, chat_template_kwargs, load_tokenizer
from rlvr_sweeps.models.tokenizer import PINNED_DATE

# The date logic of Llama 3.1/3.2's template (tokenizer_config.json), trimmed to the header.
LLAMA3_STYLE = (
    "{{- bos_token }}"
    "{%- if not date_string is defined %}{%- if strftime_now is defined %}"
    "{%- set date_string = strftime_now('%d %b %Y') %}{%- else %}{%- set date_string = '26 Jul 2024' %}{%- endif %}"
    "{%- endif %}"
    "{{- '<|start_header_id|>system<|end_header_id|>\\n\\nCutting Knowledge Date: December 2023\\n' }}"
    "{{- 'Today Date: ' + date_string + '\\n\\n<|eot_id|>' }}"
    "{%- for m in messages %}{{- '<|start_header_id|>' + m['role'] + '<|end_header_id|>\\n\\n' + m['content'] + '<|eot_id|>' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}"
)
MESSAGES = [{"role": "user", "content": "Write a function to add two numbers."}]


def _llama_style_tokenizer():
    tok = copy.deepcopy(load_tokenizer(ModelConfig()))
    tok.chat_template = LLAMA3_STYLE
    return tok


def test_unpinned_template_stamps_today():
    tok = _llama_style_tokenizer()
    today = datetime.datetime.now().strftime("%d %b %Y")
    assert f"Today Date: {today}" in tok.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)


def test_evaluation_and_training_prompts_carry_the_pinned_date():
    from trl.data_utils import maybe_apply_chat_template

    tok, cfg = _llama_style_tokenizer(), ModelConfig(name="llama-style")
    kwargs = chat_template_kwargs(tok, cfg)
    assert kwargs == {"date_string": PINNED_DATE}  # no enable_thinking for a template that does not read it
    eval_prompt = apply_chat(tok, MESSAGES, cfg)
    assert f"Today Date: {PINNED_DATE}\n" in eval_prompt
    train_prompt = maybe_apply_chat_template({"prompt": MESSAGES}, tok, **kwargs)["prompt"]  # what GRPOTrainer renders
    assert train_prompt == eval_prompt


def test_templates_without_a_date_get_no_date_kwarg():
    assert "date_string" not in chat_template_kwargs(load_tokenizer(ModelConfig()), ModelConfig())
