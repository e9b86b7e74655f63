"""rlvr_sweeps: Hydra sweeps of RL with verifiable rewards for Python code generation.

Importing the package is cheap on purpose (no torch): config composition, the sandbox
workers and the report all import it.
"""

__version__ = "0.1.0"
