def test_health(http):
    response = http.get("/_emulator/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_create_pool(cognito):
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]
    assert pool["Id"].startswith("us-east-1_")
