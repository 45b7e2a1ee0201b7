"""The plain student page names the https app (issue 13, item 6) so a tablet that trusts
the node can move there, and no Host header can make it name anything else."""

from __future__ import annotations


def test_plain_student_page_names_the_secure_app_it_may_probe(app, client):
    app.config["HTTPS_PORT"] = 8443
    with client.get("/student/", base_url="http://school.lan:8080") as response:
        page = response.get_data(as_text=True)
        csp = response.headers["Content-Security-Policy"]
    assert '<meta name="baobab-secure-app" content="https://school.lan:8443/student/">' in page
    assert "img-src 'self' https://school.lan:8443 " in csp
    assert "connect-src 'self';" in csp  # only a picture may come from there


def test_forged_host_cannot_inject_into_page_or_policy(app, client):
    app.config["HTTPS_PORT"] = 8443
    forged = 'evil.test";x=1'
    with client.get("/student/", headers={"Host": forged}) as response:
        page = response.get_data(as_text=True)
        csp = response.headers["Content-Security-Policy"]
    assert response.status_code == 200
    assert "evil" not in page and "evil" not in csp


def test_no_secure_app_named_without_https_or_over_https(app, client):
    with client.get("/student/") as response:
        assert "baobab-secure-app" not in response.get_data(as_text=True)
    app.config["HTTPS_PORT"] = 8443
    with client.get("/student/", base_url="https://school.lan:8443") as response:
        assert "baobab-secure-app" not in response.get_data(as_text=True)
