from typing import Any
from litestar.testing import TestClient


def test_smoke(web: TestClient[Any]) -> None:
    r = web.get("/kaart")
    assert r.status_code == 200, r.text[:3000]
    open("/tmp/kaart.html", "w").write(r.text)
    r = web.get("/")
    assert r.status_code == 200, r.text[:3000]
