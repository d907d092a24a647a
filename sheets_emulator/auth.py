"""Google's OAuth2 JWT-bearer grant, enough for service-account credentials.

``POST /token`` with ``grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`` and an RS256
``assertion`` signed by a registered service account returns an access token. API calls then
carry ``Authorization: Bearer <token>``. A self-signed JWT sent directly as the bearer token
(google-auth's ``always_use_jwt_access``) is accepted too.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_URIS = (
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
    "https://accounts.google.com/o/oauth2/token",
)
TOKEN_LIFETIME = 3599
CLOCK_SKEW = 300


class GrantError(Exception):
    """A refused grant, answered as ``{"error": ..., "error_description": ...}`` (400)."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


INVALID_SIGNATURE = ("invalid_grant", "Invalid JWT Signature.")
BAD_TIMES = (
    "invalid_grant",
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable "
    "timeframe. Check your iat and exp values in the JWT claim.",
)


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    """A public key from a PEM public key, certificate or (for convenience) private key."""
    if isinstance(pem, str):
        pem = pem.encode()
    key: object
    if b"CERTIFICATE" in pem:
        key = x509.load_pem_x509_certificate(pem).public_key()
    elif b"PRIVATE KEY" in pem:
        key = serialization.load_pem_private_key(pem, password=None).public_key()
    else:
        key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("only RSA keys are supported")
    return key


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class Token:
    email: str
    expires: float


class Authority:
    """Registered service accounts and the access tokens handed out to them."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPublicKey] = {}
        self.tokens: dict[str, Token] = {}

    def register(self, email: str, public_key_pem: bytes) -> None:
        self.keys[email] = load_public_key(public_key_pem)

    def verify_jwt(self, assertion: str, audiences: tuple[str, ...]) -> dict:
        """The claims of a JWT signed by a registered account; GrantError otherwise."""
        try:
            head_b64, body_b64, sig_b64 = assertion.split(".")
            header = json.loads(_b64(head_b64))
            claims = json.loads(_b64(body_b64))
            signature = _b64(sig_b64)
        except (ValueError, json.JSONDecodeError) as exc:
            raise GrantError("invalid_grant", "Invalid JWT: malformed token.") from exc
        if header.get("alg") != "RS256":
            raise GrantError(*INVALID_SIGNATURE)
        key = self.keys.get(claims.get("iss", ""))
        if key is None:
            raise GrantError(*INVALID_SIGNATURE)
        try:
            key.verify(signature, f"{head_b64}.{body_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as exc:
            raise GrantError(*INVALID_SIGNATURE) from exc
        now = time.time()
        exp, iat = claims.get("exp"), claims.get("iat", now)
        if not isinstance(exp, (int, float)) or exp < now - CLOCK_SKEW or iat > now + CLOCK_SKEW:
            raise GrantError(*BAD_TIMES)
        if exp - iat > 3600 + CLOCK_SKEW:
            raise GrantError(*BAD_TIMES)
        if claims.get("aud") not in audiences:
            raise GrantError("invalid_grant", "Invalid JWT: audience mismatch.")
        return claims

    def grant(self, form: dict[str, str], token_uri: str) -> dict:
        if form.get("grant_type") != JWT_GRANT:
            raise GrantError("unsupported_grant_type", "Invalid grant_type: " + form.get("grant_type", ""))
        claims = self.verify_jwt(form.get("assertion", ""), (token_uri, *GOOGLE_TOKEN_URIS))
        token = "ya29.emulator-" + secrets.token_urlsafe(24)
        self.tokens[token] = Token(claims["iss"], time.time() + TOKEN_LIFETIME)
        return {"access_token": token, "expires_in": TOKEN_LIFETIME, "token_type": "Bearer"}

    def account_for(self, bearer: str) -> str | None:
        """The account an access token (or a self-signed JWT) belongs to; None if unknown."""
        token = self.tokens.get(bearer)
        if token is not None:
            return token.email if token.expires > time.time() else None
        if bearer.count(".") == 2:
            try:
                claims = self.verify_jwt(
                    bearer,
                    ("https://sheets.googleapis.com/", "https://sheets.googleapis.com"),
                )
            except GrantError:
                return None
            return claims.get("iss")
        return None
