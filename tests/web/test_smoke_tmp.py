from typing import Any

from litestar.testing import TestClient

from tests.web.conftest import csrf_token


def test_smoke(web: TestClient[Any]) -> None:
    tok = csrf_token(web, "/steun")
    r = web.post(
        "/steun/zoeken",
        data={
            "_csrf_token": tok,
            "address": "1011 EC 52",
            "need_company": "on",
            "mode": "walk",
            "minutes": "15",
        },
    )
    assert r.status_code == 200, r.text[:3000]
