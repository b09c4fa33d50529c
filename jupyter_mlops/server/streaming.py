"""Send a stored blob as a response body piece by piece, so that a download of any size
costs the server a few MiB, however many run at once.

Each piece is read (and decompressed) in a worker thread, written, and flushed before the
next is read: ``flush()`` waits until the socket has taken the piece, so a slow client
slows its own download and never makes the server buffer the rest.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Protocol

from jupyter_server.base.handlers import APIHandler
from tornado import iostream

from ..errors import MlopsError

if TYPE_CHECKING:
    from ..store.blobs import BlobReader
    from ..store.entities import Artifact
    from ..store.sqlstore import Store

#: Bytes read, written and flushed at a time.
PIECE = 256 << 10


class Reader(Protocol):
    def read(self, size: int = -1) -> bytes: ...

    def close(self) -> None: ...


def open_artifact(store: Store, run_id: str, name: str) -> tuple[Artifact, BlobReader] | None:
    """The artifact's record and a reader of its bytes; ``None`` when the run has no such one."""
    artifact = next((a for a in store.artifacts(run_id) if a.name == name), None)
    return None if artifact is None else (artifact, store.blobs.open(artifact.digest))


async def send_stream(handler: APIHandler, reader: Reader, size: int, content_type: str) -> None:
    """Write ``size`` bytes from ``reader`` as the body of ``handler``'s response, then finish.

    An error reading the first piece propagates (nothing is sent yet, so the caller can still
    reply with an error); a later one, or a client that went away, ends the connection with
    one line in the log.
    """
    loop = asyncio.get_running_loop()
    sent = 0
    try:
        piece = await loop.run_in_executor(None, reader.read, PIECE)
        handler.set_header("Content-Type", content_type)
        handler.set_header("Content-Length", str(size))
        while piece:
            handler.write(piece)
            sent += len(piece)
            await handler.flush()
            piece = await loop.run_in_executor(None, reader.read, PIECE)
    except iostream.StreamClosedError:
        handler.log.info("%s: the client closed the connection during the download", handler.request.path)
        return
    except MlopsError as exc:
        if not sent:
            raise
        handler.log.warning("%s: download stopped after %d bytes: %s", handler.request.path, sent, exc)
        handler.request.connection.close()  # type: ignore[union-attr]
        return
    finally:
        reader.close()
    await handler.finish(set_content_type=content_type)
