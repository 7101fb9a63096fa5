import pytest


@pytest.fixture(autouse=True)
def import_files_in_tmp(settings, tmp_path, monkeypatch):
    """Uploads and error reports of each test go to a folder of its own — for a Celery worker
    started by the test too (it takes the environment; autouse fixtures come first)."""
    folder = tmp_path / "import-files"
    settings.IMPORT_FILES_DIR = folder
    monkeypatch.setenv("IMPORT_FILES_DIR", str(folder))
    return folder
