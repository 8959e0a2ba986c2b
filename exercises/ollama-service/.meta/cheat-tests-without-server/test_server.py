def test_server() -> None:
    assert True
