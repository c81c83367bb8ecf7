def test_models_list(gateway):
    models = gateway.client("clinician").models.list()
    assert [m.id for m in models.data] == ["gemma3-270m"]
