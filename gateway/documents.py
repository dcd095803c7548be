"""Trusted documents and automatic persisted queries.

A folder of ``.graphql`` files is registered by the SHA-256 of each file's bytes into a JSON
manifest (``c360 documents register FOLDER``) that the gateway loads at start-up. In
production only registered documents run: by ``documentId`` (``"sha256:<hex>"``), by Apollo's
``extensions.persistedQuery.sha256Hash``, or as the exact text of a registered file. Outside
production any document runs, and Apollo's automatic persisted queries protocol (APQ) lets a
client send the hash alone once the gateway has seen the text.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import GraphQLError

MANIFEST_FORMAT = "c360-trusted-documents/1"
MANIFEST_VARIABLE = "C360_TRUSTED_DOCUMENTS"
MANIFEST_FILE = "trusted-documents.json"
APQ_CACHE_SIZE = 1_000

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
TRUSTED_DOCUMENT_REQUIRED = "TRUSTED_DOCUMENT_REQUIRED"
BAD_DOCUMENT_ID = "BAD_DOCUMENT_ID"
_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class TrustedDocumentsMissing(RuntimeError):
    """Production was asked for, and no manifest of trusted documents was found."""


def document_hash(text: str) -> str:
    """The hex SHA-256 of a document's UTF-8 bytes (what APQ clients compute too)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_path(data_dir: Path, environ: Mapping[str, str] | None = None) -> Path:
    """``C360_TRUSTED_DOCUMENTS``, or ``trusted-documents.json`` in the data folder."""
    env = os.environ if environ is None else environ
    configured = env.get(MANIFEST_VARIABLE)
    return Path(configured) if configured else data_dir / MANIFEST_FILE


@dataclass(frozen=True)
class TrustedDocuments:
    """Registered documents by hash, with the file each came from."""

    documents: Mapping[str, str]
    names: Mapping[str, str]

    @classmethod
    def none(cls) -> TrustedDocuments:
        return cls({}, {})

    @classmethod
    def load(cls, path: Path) -> TrustedDocuments:
        """Read a manifest written by ``register``."""
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != MANIFEST_FORMAT:
            raise ValueError(f"{path}: not a {MANIFEST_FORMAT} manifest")
        entries = manifest["documents"]
        return cls(
            {digest: entry["body"] for digest, entry in entries.items()},
            {digest: entry["name"] for digest, entry in entries.items()},
        )

    @classmethod
    def for_environment(cls, data_dir: Path, *, production: bool) -> TrustedDocuments:
        """The configured manifest; production refuses to run without one."""
        path = manifest_path(data_dir)
        if path.is_file():
            return cls.load(path)
        if production:
            raise TrustedDocumentsMissing(
                f"C360_ENV=production runs only trusted documents and {path} does not exist: "
                "run `c360 documents register FOLDER` and set C360_TRUSTED_DOCUMENTS"
            )
        return cls.none()


def register(folder: Path, manifest: Path) -> TrustedDocuments:
    """Register every ``*.graphql`` file under ``folder`` (by the hash of its bytes) and write
    the manifest; documents registered earlier and still present keep their hash."""
    documents: dict[str, dict[str, str]] = {}
    for file in sorted(folder.rglob("*.graphql")):
        body = file.read_text(encoding="utf-8")
        documents[document_hash(body)] = {
            "name": file.relative_to(folder).as_posix(),
            "body": body,
        }
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(
        json.dumps({"format": MANIFEST_FORMAT, "documents": documents}, indent=2) + "\n",
        encoding="utf-8",
    )
    return TrustedDocuments(
        {d: e["body"] for d, e in documents.items()}, {d: e["name"] for d, e in documents.items()}
    )


@dataclass(frozen=True)
class Resolved:
    """The text to run, and the hash to remember it by once it ran (APQ registration)."""

    query: str | None
    remember_as: str | None = None


class Documents:
    """Turns a request's ``query`` / ``documentId`` / ``extensions.persistedQuery`` into the
    text to run, or refuses it with a GraphQL error carrying a code."""

    def __init__(self, trusted: TrustedDocuments, *, trusted_only: bool) -> None:
        self.trusted = trusted
        self.trusted_only = trusted_only
        self._seen: OrderedDict[str, str] = OrderedDict()

    def resolve(
        self, query: str | None, document_id: str | None, extensions: Mapping[str, Any] | None
    ) -> Resolved:
        """Raises GraphQLError (a request error) when the document may not or cannot run."""
        digest = self._requested_hash(document_id, extensions)
        if query is not None:
            if digest is not None and digest != document_hash(query):
                raise GraphQLError(
                    "The document's hash does not match its text.",
                    extensions={"code": BAD_DOCUMENT_ID},
                )
            if self.trusted_only and document_hash(query) not in self.trusted.documents:
                raise GraphQLError(
                    "Only trusted documents run here; send the `documentId` of a registered "
                    "document.",
                    extensions={"code": TRUSTED_DOCUMENT_REQUIRED},
                )
            remember = digest if digest is not None and not self.trusted_only else None
            return Resolved(query, remember)
        if digest is None:
            return Resolved(None)
        known = self.trusted.documents.get(digest)
        if known is None and not self.trusted_only:
            known = self._seen.get(digest)
            if known is not None:
                self._seen.move_to_end(digest)
        if known is None:
            # The message is the one Apollo clients look for before resending the text.
            raise GraphQLError(
                "PersistedQueryNotFound", extensions={"code": PERSISTED_QUERY_NOT_FOUND}
            )
        return Resolved(known)

    def remember(self, digest: str, query: str) -> None:
        """Keep a document that ran (APQ), the least recently used leaving first."""
        self._seen[digest] = query
        self._seen.move_to_end(digest)
        while len(self._seen) > APQ_CACHE_SIZE:
            self._seen.popitem(last=False)

    @staticmethod
    def _requested_hash(
        document_id: str | None, extensions: Mapping[str, Any] | None
    ) -> str | None:
        if document_id is not None:
            algorithm, _, digest = document_id.partition(":")
            if algorithm != "sha256" or not _is_sha256(digest):
                raise GraphQLError(
                    "`documentId` must be `sha256:` and 64 hex digits.",
                    extensions={"code": BAD_DOCUMENT_ID},
                )
            return digest.lower()
        persisted = (extensions or {}).get("persistedQuery")
        if not isinstance(persisted, Mapping):
            return None
        sha = persisted.get("sha256Hash")
        if persisted.get("version") != 1 or not isinstance(sha, str) or not _is_sha256(sha):
            raise GraphQLError(
                "`extensions.persistedQuery` must be version 1 with a `sha256Hash`.",
                extensions={"code": BAD_DOCUMENT_ID},
            )
        return sha.lower()


def _is_sha256(text: str) -> bool:
    return _SHA256.fullmatch(text) is not None
