"""A real OpenID Connect provider for the tests, built with Authlib's server side and served on
loopback in a thread: discovery, authorization code flow with PKCE and ID tokens (RS256),
JWKS, userinfo and RP-initiated logout. Test code only.

There is no login page: the test says who has signed in at the provider (`signed_in`) and the
authorization endpoint grants the request for her at once, as a provider does for a person
with an open session there. Knobs let a test make the provider misbehave (wrong issuer,
expired ID tokens).
"""

import secrets
import threading
import time
from dataclasses import dataclass, field

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.models import AuthorizationCodeMixin, ClientMixin, TokenMixin
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.rpinitiated import EndSessionEndpoint
from flask import Flask, jsonify, redirect
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server

CLIENT_ID = "hocso-test"
CLIENT_SECRET = "bi-mat-cua-ung-dung-thu"  # noqa: S105 - a test client's secret
KEY = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "use": "sig", "alg": "RS256"})


@dataclass
class Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    post_logout_redirect_uris: list[str]

    @property
    def client_metadata(self) -> dict:
        return {"post_logout_redirect_uris": self.post_logout_redirect_uris}

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(s for s in scope.split() if s in ("openid", "profile", "phone", "email"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    subject: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


@dataclass
class Token(TokenMixin):
    access_token: str
    scope: str
    subject: str
    client: Client
    expires_at: float

    def check_client(self, client):
        return client.client_id == self.client.client_id

    def get_scope(self):
        return self.scope

    def get_expires_in(self):
        return int(self.expires_at - time.time())

    def is_expired(self):
        return time.time() >= self.expires_at

    def is_revoked(self):
        return False

    def get_user(self):
        return self.subject

    def get_client(self):
        return self.client


class OidcProvider:
    """The provider's state, what tests change, and what it saw (end_session_calls)."""

    def __init__(self):
        self.people: dict[str, dict] = {}  # subject -> her claims
        self.signed_in: str | None = None  # who has a session at the provider
        self.token_issuer: str | None = None  # set to make ID tokens name another issuer
        self.id_token_seconds = 3600  # negative: ID tokens that have already expired
        self.userinfo_only: set[str] = set()  # claims sent by userinfo but not in the ID token
        self.end_session_calls: list[dict] = []
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, Token] = {}
        self.client: Client | None = None
        self.issuer = ""

    def add_person(self, subject: str, **claims) -> None:
        self.people[subject] = claims

    def claims_of(self, subject: str, scope: str, in_id_token: bool) -> UserInfo:
        claims = {k: v for k, v in self.people[subject].items()
                  if not (in_id_token and k in self.userinfo_only)}
        return UserInfo(sub=subject, **claims)


def _grant_classes(provider: OidcProvider):
    class CodeGrant(grants.AuthorizationCodeGrant):
        def save_authorization_code(self, code, request):
            payload = request.payload
            provider.codes[code] = Code(
                code=code, client_id=request.client.client_id, redirect_uri=payload.redirect_uri,
                scope=payload.scope, subject=request.user, nonce=payload.data.get("nonce"),
                code_challenge=payload.data.get("code_challenge"),
                code_challenge_method=payload.data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code, client):
            found = provider.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            provider.codes.pop(authorization_code.code, None)  # codes are used once

        def authenticate_user(self, authorization_code):
            return authorization_code.subject

    class IdTokens(OpenIDCode):
        def resolve_client_private_key(self, client):
            return KEY

        def get_client_algorithm(self, client):
            return "RS256"

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": KEY.kid}

        def get_client_claims(self, client):
            now = int(time.time())
            lifetime = provider.id_token_seconds
            return {"iss": provider.token_issuer or provider.issuer, "aud": [client.client_id],
                    "iat": now if lifetime > 0 else now + lifetime - 60, "exp": now + lifetime}

        def exists_nonce(self, nonce, request):
            return any(code.nonce == nonce for code in provider.codes.values())

        def generate_user_info(self, user, scope):
            return provider.claims_of(user, scope, in_id_token=True)

    return CodeGrant, IdTokens


def create_provider_app(provider: OidcProvider) -> Flask:
    app = Flask("test_oidc_provider")

    def query_client(client_id):
        return provider.client if provider.client and client_id == provider.client.client_id else None

    def save_token(token, request):
        provider.tokens[token["access_token"]] = Token(
            access_token=token["access_token"], scope=token["scope"], subject=request.user,
            client=request.client, expires_at=time.time() + token["expires_in"])

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)
    code_grant, id_tokens = _grant_classes(provider)
    server.register_grant(code_grant, [CodeChallenge(required=True), id_tokens(require_nonce=True)])

    class Bearer(BearerTokenValidator):
        def authenticate_token(self, token_string):
            return provider.tokens.get(token_string)

    protector = ResourceProtector()
    protector.register_token_validator(Bearer())

    class UserInfoAnswers(UserInfoEndpoint):
        def generate_user_info(self, user, scope):
            return provider.claims_of(user, scope, in_id_token=False)

        def get_issuer(self):
            return provider.issuer

    class EndSession(EndSessionEndpoint):
        def get_server_jwks(self):
            return KeySet([KEY]).as_dict(private=False)

        def end_session(self, end_session_request):
            provider.end_session_calls.append(dict(end_session_request.request.payload.data))
            provider.signed_in = None

    server.register_endpoint(UserInfoAnswers(resource_protector=protector))
    server.register_endpoint(EndSession)

    @app.get("/.well-known/openid-configuration")
    def discovery():
        base = provider.issuer
        return jsonify({
            "issuer": base, "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token", "userinfo_endpoint": f"{base}/userinfo",
            "jwks_uri": f"{base}/jwks", "end_session_endpoint": f"{base}/logout",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "phone"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    @app.get("/authorize")
    def authorize():
        grant = server.get_consent_grant(end_user=provider.signed_in)
        return server.create_authorization_response(grant=grant, grant_user=provider.signed_in)

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.route("/userinfo", methods=["GET", "POST"])
    def userinfo():
        return server.create_endpoint_response("userinfo")

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([KEY]).as_dict(private=False))

    @app.route("/logout", methods=["GET", "POST"])
    def logout():
        return server.create_endpoint_response("end_session") or redirect("/signed-out")

    return app


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # pytest shows failures; each request line is noise
        pass


class RunningProvider:
    """The provider served on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, redirect_uri: str, post_logout_redirect_uri: str):
        self.state = OidcProvider()
        self._server = make_server("127.0.0.1", 0, create_provider_app(self.state), threaded=True,
                                   request_handler=_QuietHandler)
        self.state.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self.state.client = Client(CLIENT_ID, CLIENT_SECRET, [redirect_uri], [post_logout_redirect_uri])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def issuer(self) -> str:
        return self.state.issuer

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
