"""Where trained models and exported ONNX files are cached: ``$SIMLIB_CACHE`` or ~/.cache/simlib.

Files are written atomically (a temporary file in the same folder, then renamed), so two
processes (or an interrupted run) never leave a half-written model behind.

>>> cache_dir().name in ("simlib",) or True
True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simlib.atomicfile import write_atomic_with

__all__ = ["atomic_write", "cache_dir", "cached_module", "config_key"]


def cache_dir() -> Path:
    """The cache folder (created on first use); never inside the repository."""
    root = os.environ.get("SIMLIB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "simlib")
    p = Path(root)
    p.mkdir(parents=True, exist_ok=True)
    return p


def config_key(config: dict[str, Any]) -> str:
    """A short stable hash of a configuration (part of every cached file name)."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, default=str).encode()).hexdigest()[:12]


def atomic_write(path: Path, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` then rename the temporary file to ``path``."""
    return write_atomic_with(path, write, owner="model cache")


def cached_module(prefix: str, config: dict[str, Any], build: Callable[[], Any], fit: Callable[[], Any], *,
                  use_cache: bool = True) -> Any:
    """A trained torch module in eval mode: its weights from ``<prefix>-<config_key>.pt`` in the
    cache when the file is there (``build()`` makes the untrained module to load them into), else
    ``fit()`` trains one, which is then cached. A corrupt cache file is retrained and overwritten."""
    import torch

    path = cache_dir() / f"{prefix}-{config_key(config)}.pt"
    if use_cache and path.exists():
        model = build()
        try:
            model.load_state_dict(torch.load(path, weights_only=True))
            return model.eval()
        except Exception:  # a corrupt cache file: retrain and overwrite
            pass
    model = fit().eval()
    if use_cache:
        atomic_write(path, lambda tmp: torch.save(model.state_dict(), tmp))
    return model

