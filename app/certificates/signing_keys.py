"""Self-signed key pairs for development and tests. Pure: no Flask, no database.

A province signs with a certificate from a certification authority (see README); these pairs
only let `make run` and the tests sign the way production does.
"""

import datetime
import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

VALID_DAYS = 10 * 365


def self_signed_pair(common_name: str, organization: str) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """A new RSA-2048 key and a self-signed certificate for document signing."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
    ])
    now = datetime.datetime.now(datetime.UTC)
    usage = x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate


def write_pem_pair(directory: Path, common_name: str, organization: str,
                   passphrase: bytes | None = None) -> tuple[Path, Path]:
    """key.pem (encrypted when a passphrase is given) and cert.pem in `directory`."""
    key, certificate = self_signed_pair(common_name, organization)
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    key_path, cert_path = directory / "key.pem", directory / "cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, encryption))
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


def pkcs12_bytes(common_name: str, organization: str, passphrase: bytes | None = None) -> bytes:
    """A new key pair as one PKCS#12 archive (.p12)."""
    key, certificate = self_signed_pair(common_name, organization)
    encryption = (serialization.BestAvailableEncryption(passphrase) if passphrase
                  else serialization.NoEncryption())
    return pkcs12.serialize_key_and_certificates(b"hocso", key, certificate, None, encryption)


def development_key_file(path: Path, organization: str) -> Path:
    """This instance's development signing key (PKCS#12, mode 0600): made on first run, then reused.

    Written to a temporary file and linked into place, so that workers starting together agree
    on one key and none reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = pkcs12_bytes("Hocso development key (khoá phát triển)", organization)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker was first: use its key
        finally:
            os.unlink(temporary)
    return path
