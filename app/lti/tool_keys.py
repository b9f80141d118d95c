"""The tool's own RSA key: signs its service requests to platforms, published as a JWKS.
Pure: no Flask, no database."""

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK


@dataclass(frozen=True)
class ToolKey:
    private_pem: str
    public_pem: str
    kid: str  # the key's RFC 7638 thumbprint: platforms pick the key by it

    @property
    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(JWK.from_pem(self.public_pem.encode()).export_public())
        return {**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}


def load_tool_key(path: Path) -> ToolKey:
    """Read a PEM private key (unencrypted PKCS#8 or PKCS#1)."""
    private_pem = Path(path).read_bytes()
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key")
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = JWK.from_pem(public_pem).thumbprint()
    return ToolKey(private_pem.decode(), public_pem.decode(), kid)


def new_private_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def development_key_file(path: Path) -> Path:
    """This instance's development LTI key (PEM, mode 0600): made on first run, then reused.

    Written to a temporary file and linked into place, so that workers starting together agree
    on one key and none reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".lti-key-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(new_private_pem())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            os.unlink(temporary)
    return path
