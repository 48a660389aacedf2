"""The DAGs' CMMS service account (dags/omnibot_common/cmms_login.py, cmms_http.py, settings.py): the
login at `{CMMS_URL}/api/login/` whatever the API prefix, again once after a 401 (a CMMS logout), the
codes of a failed login as core/cmms/client.ts's, and the Variables cmms_username/cmms_password.
Imported by checks/cmms.py: these checks run (and are named) as the CMMS concern's."""

from __future__ import annotations

from .support import Answer, FakeSession, check_of

check = check_of("checks.cmms")


def _service_account(session, cmms_url="http://c", prefix="/api/", token=None):
    from omnibot_common.cmms import CmmsClient, api_base
    from omnibot_common.cmms_login import CmmsLogin, login_url

    account = CmmsLogin(login_url(cmms_url), "omnibot", "s3creto")
    assert "s3creto" not in repr(account), repr(account)
    return CmmsClient(api_base(cmms_url, prefix), token, session=session, login=account)


@check
def a_service_account_logs_in_at_api_login_whatever_the_prefix_and_again_after_a_logout():
    """As core/cmms/client.ts: logged in before the first call, never with the refused token."""
    valid, logins = {"Token t1"}, iter(["t1", "t2", "t3"])
    login = lambda auth, body: {"token": next(logins), "user": {"username": body["username"]}}  # noqa: E731
    equipos = lambda auth, body: [{"idequipo": 1}] if auth in valid else Answer(401, {"detail": "Token inválido."})  # noqa: E731
    session = FakeSession({"http://c/api/login/": login, "http://c/api/v2/equipos/": equipos})
    client = _service_account(session, prefix="/api/v2/")
    assert len(client.list_equipment()) == 1
    assert session.sent == [("http://c/api/login/", None), ("http://c/api/v2/equipos/", "Token t1")], session.sent
    valid = {"Token t2"}  # a CMMS logout deleted t1
    assert len(client.list_equipment()) == 1
    assert session.sent[2:] == [("http://c/api/v2/equipos/", "Token t1"), ("http://c/api/login/", None), ("http://c/api/v2/equipos/", "Token t2")]
    session = FakeSession({"http://c/api/login/": login, "http://c/api/equipos/": equipos})
    valid = {"Token t3"}
    assert len(_service_account(session, token="logged-out").list_equipment()) == 1  # a configured token too
    assert [auth for _, auth in session.sent] == ["Token logged-out", None, "Token t3"], session.sent


@check
def a_refused_login_is_cmms_auth_and_a_login_without_a_token_a_bad_response():
    from omnibot_common.errors import WorkflowFailure

    refused = Answer(400, {"non_field_errors": ["No puede iniciar sesión con las credenciales proporcionadas."]})
    cases = [  # (login answers in turn, expected code, retryable, logins made)
        ([refused], "cmms_auth", False, 1),
        ([Answer(403, {"detail": "No."})], "cmms_auth", False, 1),
        ([{"detail": "ok"}], "cmms_bad_response", False, 1),
        ([Answer(200, None)], "cmms_bad_response", False, 1),
        ([Answer(503, {"detail": "Servicio no disponible."})], "cmms_error", True, 1),
        ([Answer(429, {"detail": "Demasiadas solicitudes."})], "cmms_busy", True, 1),
        ([{"token": "t1"}, refused], "cmms_auth", False, 2),  # the token refused, then the login
        ([{"token": "t1"}], "cmms_auth", False, 2),  # a fresh token refused too: one login again, no more
    ]
    for answers, code, retryable, logins in cases:
        turn = iter(answers + answers[-1:] * 3)
        session = FakeSession({"http://c/api/login/": lambda auth, body: next(turn), "http://c/api/equipos/": Answer(401, {"detail": "Token inválido."})})
        try:
            _service_account(session).list_equipment()
        except WorkflowFailure as failure:
            assert (failure.code, failure.retryable) == (code, retryable), (answers, failure.code, failure.message)
            assert "s3creto" not in failure.message and "omnibot" not in failure.message, failure.message
        else:
            raise AssertionError(f"{answers} must fail")
        assert session.seen.count("http://c/api/login/") == logins, (answers, session.seen)


@check
def settings_take_a_service_account_from_cmms_username_and_cmms_password():
    from omnibot_common import settings
    from omnibot_common.errors import WorkflowFailure

    original = settings._variable
    try:
        for values, login in (
            ({"cmms_url": "http://cmms:8000/", "cmms_token": "k3y"}, None),
            ({"cmms_url": "http://cmms:8000/", "cmms_username": "bot", "cmms_password": "pw-123456", "cmms_api_prefix": "/api/v2/"}, ("http://cmms:8000/api/login/", "bot", "pw-123456")),
        ):
            settings._variable = lambda key, default=None, values=values: values.get(key, default)
            read = settings.cmms_settings()
            assert (read.login and (read.login.url, read.login.username, read.login.password)) == login, read
            assert "pw-123456" not in repr(read) and "k3y" not in repr(read), repr(read)
        settings._variable = lambda key, default=None: {"cmms_url": "http://c", "cmms_username": "bot"}.get(key, default)
        try:
            settings.cmms_settings()
        except WorkflowFailure as failure:
            assert failure.code == "config_missing" and "cmms_password" in failure.message, failure.message
        else:
            raise AssertionError("a username without a password must fail")
    finally:
        settings._variable = original
