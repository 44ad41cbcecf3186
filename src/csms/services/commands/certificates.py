"""The CertificateHashData of a PEM root certificate (security extension, OCSP CertID
rules of RFC 6960 §4.1.1), so that csms knows what an InstallCertificate installed.

Only the few DER fields needed are read: serial number, issuer and subject names and the
subject public key. A certificate that is not self-signed (its issuer key is not in it)
or that cannot be read gives None; csms then learns it from GetInstalledCertificateIds.
"""

from __future__ import annotations

import hashlib
import ssl
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HashData:
    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str


class _Der:
    """A cursor over DER bytes: (tag, whole element, contents)."""

    def __init__(self, data: bytes, start: int = 0, end: int | None = None) -> None:
        self.data = data
        self.pos = start
        self.end = len(data) if end is None else end

    def next(self) -> tuple[int, bytes, bytes]:
        data, start = self.data, self.pos
        if start + 2 > self.end:
            raise ValueError("truncated DER")
        tag, length, pos = data[start], data[start + 1], start + 2
        if length & 0x80:
            count = length & 0x7F
            length = int.from_bytes(data[pos : pos + count], "big")
            pos += count
        if pos + length > self.end:
            raise ValueError("truncated DER")
        self.pos = pos + length
        return tag, data[start : self.pos], data[pos : self.pos]


def hash_data(pem: str, algorithm: str = "SHA256") -> HashData | None:
    """Hash data of a self-signed PEM certificate, or None if it cannot be read."""
    digest = {"SHA256": hashlib.sha256, "SHA384": hashlib.sha384, "SHA512": hashlib.sha512}
    try:
        der = ssl.PEM_cert_to_DER_cert(pem.strip())
        _, _, certificate = _Der(der).next()
        _, _, tbs = _Der(certificate).next()
        fields = _Der(tbs)
        tag, _, serial = fields.next()
        if tag == 0xA0:  # [0] EXPLICIT version
            tag, _, serial = fields.next()
        fields.next()  # signature algorithm
        _, issuer, _ = fields.next()
        fields.next()  # validity
        _, subject, _ = fields.next()
        _, _, key_info = fields.next()
        keys = _Der(key_info)
        keys.next()  # algorithm
        _, _, bits = keys.next()
    except (ValueError, IndexError):
        return None
    if tag != 0x02 or issuer != subject or not bits:
        return None
    hasher = digest[algorithm]
    return HashData(
        hash_algorithm=algorithm,
        issuer_name_hash=hasher(issuer).hexdigest(),
        issuer_key_hash=hasher(bits[1:]).hexdigest(),  # without the unused-bits octet
        serial_number=format(int.from_bytes(serial, "big", signed=True), "x"),
    )
