"""A learning platform (Moodle's side of LTI 1.3) simulated on loopback for the LTI tests.

Its own RSA key and key set, an OAuth2 token endpoint that checks the tool's signed assertion
(client_credentials with a JWT), and a line item whose scores endpoint records what it gets
and answers with the statuses a test queues.
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CLIENT_ID = "hocso-client-1"
DEPLOYMENT_ID = "deployment-1"
PLATFORM_KID = "platform-key-1"
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_PATH = "/mod/lti/services.php/2/lineitems/7/lineitem"


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@dataclass
class SimulatedPlatform:
    tool_public_jwks: dict[str, Any] = field(default_factory=dict)  # what the tool publishes
    key: rsa.RSAPrivateKey = field(default_factory=rsa_key)
    base_url: str = ""
    assertions: list[dict[str, Any]] = field(default_factory=list)
    scores: list[dict[str, Any]] = field(default_factory=list)  # every score received
    score_statuses: list[int] = field(default_factory=list)  # answers to the next score posts
    tokens: set[str] = field(default_factory=set)

    @property
    def issuer(self) -> str:
        return self.base_url

    @property
    def lineitem_url(self) -> str:
        return self.base_url + LINEITEM_PATH + "?type_id=2"

    def registration_file(self, folder: Path) -> Path:
        """LTI_PLATFORMS_FILE for the tool, in pylti1p3's format."""
        path = folder / "lti-platforms.json"
        path.write_text(json.dumps({self.issuer: [{
            "default": True, "client_id": CLIENT_ID, "auth_login_url": self.base_url + "/auth",
            "auth_token_url": self.base_url + "/token", "key_set_url": self.base_url + "/jwks",
            "deployment_ids": [DEPLOYMENT_ID]}]}), encoding="utf-8")
        return path

    def public_jwk(self) -> dict[str, Any]:
        public = self.key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
        jwk = json.loads(JWK.from_pem(public).export_public())
        return {**jwk, "kid": PLATFORM_KID, "alg": "RS256", "use": "sig"}

    def id_token(self, nonce: str, signing_key: rsa.RSAPrivateKey | None = None, **changes) -> str:
        """A launch as Moodle signs it; `changes` replace claims (None removes one)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": CLIENT_ID, "sub": "moodle-user-42", "iat": now, "exp": now + 300,
            "nonce": nonce, "name": "Lò Thị Mai", "given_name": "Mai", "family_name": "Lò Thị",
            CLAIM + "message_type": "LtiResourceLinkRequest", CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": DEPLOYMENT_ID,
            CLAIM + "target_link_uri": "http://127.0.0.1:5000/lti/launch",
            CLAIM + "resource_link": {"id": "moodle-activity-9", "title": "Khóa mẫu"},
            CLAIM + "roles": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"],
            CLAIM + "custom": {"course": "khoa-mau"},
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [SCORE_SCOPE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"],
                "lineitem": self.lineitem_url},
        }
        for name, value in changes.items():
            name = {"custom": CLAIM + "custom", "deployment_id": CLAIM + "deployment_id",
                    "message_type": CLAIM + "message_type",
                    "target_link_uri": CLAIM + "target_link_uri"}.get(name, name)
            if value is None:
                claims.pop(name, None)
            else:
                claims[name] = value
        return jwt.encode(claims, private_pem(signing_key or self.key), algorithm="RS256",
                          headers={"kid": PLATFORM_KID})

    # The platform's endpoints.
    def __call__(self, environ, start_response):
        request = Request(environ)
        handler = {"/jwks": self._jwks, "/token": self._token,
                   LINEITEM_PATH + "/scores": self._score}.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _jwks(self, request: Request) -> Response:
        return Response(json.dumps({"keys": [self.public_jwk()]}), mimetype="application/json")

    def _token(self, request: Request) -> Response:
        form = request.form
        if (form.get("grant_type") != "client_credentials" or form.get("client_assertion_type")
                != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"):
            return Response('{"error": "unsupported_grant_type"}', status=400)
        assertion = form.get("client_assertion", "")
        header = jwt.get_unverified_header(assertion)
        tool_keys = {k["kid"]: k for k in self.tool_public_jwks.get("keys", [])}
        if header.get("kid") not in tool_keys:
            return Response('{"error": "invalid_client"}', status=401)
        key = jwt.PyJWK(tool_keys[header["kid"]]).key
        try:
            claims = jwt.decode(assertion, key, algorithms=["RS256"], audience=self.base_url + "/token",
                                issuer=CLIENT_ID)
        except jwt.InvalidTokenError:
            return Response('{"error": "invalid_client"}', status=401)
        if claims.get("sub") != CLIENT_ID:
            return Response('{"error": "invalid_client"}', status=401)
        self.assertions.append({"claims": claims, "scope": form.get("scope", "")})
        token = secrets.token_urlsafe(16)
        self.tokens.add(token)
        return Response(json.dumps({"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                    "scope": form.get("scope", "")}), mimetype="application/json")

    def _score(self, request: Request) -> Response:
        authorization = request.headers.get("Authorization", "")
        if not authorization.startswith("Bearer ") or authorization[7:] not in self.tokens:
            return Response("unauthorised", status=401)
        status = self.score_statuses.pop(0) if self.score_statuses else 200
        self.scores.append({"status": status, "query": request.query_string.decode(),
                            "content_type": request.content_type, "body": json.loads(request.data)})
        return Response("{}" if status < 300 else "platform error", status=status,
                        mimetype="application/json")


class PlatformServer:
    """The simulated platform served on a free loopback port, in a thread."""

    def __init__(self, platform: SimulatedPlatform) -> None:
        self.platform = platform
        self.server = make_server("127.0.0.1", 0, platform, threaded=True)
        platform.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SimulatedPlatform:
        self.thread.start()
        return self.platform

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join()
