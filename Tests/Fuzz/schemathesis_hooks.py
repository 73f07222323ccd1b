"""Schemathesis hooks for the SignPeer peer API test (Tests/IntegrationTests/Hostile/SchemathesisTests.swift).

Certificate installs take `application/pem-certificate-chain` (text) or `application/pkix-cert`
(DER bytes); schemathesis has no serializer for either, so generated values are sent as bytes.
"""
import schemathesis


def _as_bytes(value):
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    return str(value).encode("utf-8", "replace")


@schemathesis.serializer("application/pem-certificate-chain")
def pem_certificate_chain(ctx, value):
    return _as_bytes(value)


@schemathesis.serializer("application/pkix-cert")
def pkix_cert(ctx, value):
    return _as_bytes(value)
