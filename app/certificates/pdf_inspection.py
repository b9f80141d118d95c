"""Reading the signatures of an uploaded, untrusted PDF. Pure: no Flask, no database.

A stranger's file may be malformed on purpose (deep nesting, compression bombs, loops in its
object graph), so pyHanko reads it in a forked child process with a processor-time and a memory
limit, as the renderer does; the child answers in JSON, and a child that fails, is killed or
runs out of time means "this file cannot be read". Nothing is fetched: trust is checked against
the certificates given (ours), never against revocation servers on the network.
"""

import hashlib
import io
import json
import logging
import math
import multiprocessing
import os
import resource
import time
from dataclasses import asdict, dataclass

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from app.jobs.child_processes import die_with_parent, drop_inherited_sockets

TIMEOUT_SECONDS = 10.0  # of processor time; a certificate PDF takes about 0.05 s
MEMORY_BUDGET_BYTES = 512 * 1024 * 1024
WALL_CLOCK_SECONDS = 60.0
_fork = multiprocessing.get_context("fork")


@dataclass(frozen=True)
class SignatureFinding:
    """One signature in the file, as checked."""

    signer: str  # the signing certificate's subject, as a reader shows it
    signer_fingerprint: str  # SHA-256 of the signing certificate (DER), hex
    reason: str
    intact: bool  # the signed bytes are unchanged
    valid: bool  # intact, and the signature over them is mathematically correct
    trusted: bool  # by one of the certificates given (ours)
    whole_file: bool  # nothing was added to the file after signing
    signed_at: str | None  # ISO time the signer reported


@dataclass(frozen=True)
class Inspection:
    readable: bool
    signatures: tuple[SignatureFinding, ...] = ()


def inspect_pdf(data: bytes, trusted_der: list[bytes]) -> Inspection:
    """The signatures of `data`, read in a bounded child; `readable=False` if it cannot be read."""
    receiver, sender = _fork.Pipe(duplex=False)
    child = _fork.Process(target=_child_main, args=(sender, data, trusted_der, os.getpid()),
                          name="hocso-pdf-inspect", daemon=True)
    try:
        child.start()
        sender.close()
        deadline = time.monotonic() + WALL_CLOCK_SECONDS
        while not receiver.poll(0.05):
            if time.monotonic() > deadline or not child.is_alive() and not receiver.poll(0):
                return Inspection(readable=False)
        try:
            answer = json.loads(receiver.recv_bytes())
        except (EOFError, OSError, ValueError):
            return Inspection(readable=False)
    finally:
        receiver.close()
        if child.pid is not None:
            child.kill()
            child.join()
    if not answer.get("readable"):
        return Inspection(readable=False)
    return Inspection(True, tuple(SignatureFinding(**finding) for finding in answer["signatures"]))


def _child_main(sender, data: bytes, trusted_der: list[bytes], parent_pid: int) -> None:
    try:
        die_with_parent(parent_pid)
        drop_inherited_sockets(keep={sender.fileno()})
        logging.disable(logging.CRITICAL)  # a stranger's broken file is no news for the log
        _limit_resources()
        answer = {"readable": True, "signatures": [asdict(s) for s in read_signatures(data, trusted_der)]}
    except BaseException:  # noqa: BLE001 - malformed beyond repair: the parent says so
        answer = {"readable": False}
    sender.send_bytes(json.dumps(answer).encode())
    sender.close()


def _limit_resources() -> None:
    with open("/proc/self/statm") as statm:
        mapped = int(statm.read().split()[0]) * resource.getpagesize()
    limit = mapped + MEMORY_BUDGET_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu = math.ceil(TIMEOUT_SECONDS)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def read_signatures(data: bytes, trusted_der: list[bytes]) -> list[SignatureFinding]:
    """Check every signature of the PDF in this process (the child). Raises on an unreadable file."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    trusted = [x509.Certificate.load(der) for der in trusted_der]
    findings = []
    for embedded in reader.embedded_regular_signatures:
        context = ValidationContext(trust_roots=trusted, allow_fetching=False,
                                    revocation_mode="soft-fail")
        status = validate_pdf_signature(embedded, context)
        certificate = status.signing_cert
        reason = embedded.sig_object.get("/Reason")
        findings.append(SignatureFinding(
            signer=certificate.subject.human_friendly,
            signer_fingerprint=hashlib.sha256(certificate.dump()).hexdigest(),
            reason=str(reason)[:300] if reason is not None else "",
            intact=bool(status.intact),
            valid=bool(status.intact and status.valid),
            trusted=bool(status.intact and status.valid and status.trusted),
            whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
            signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
        ))
    return findings

