import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'db': s.DATABASES['default']['ENGINE'], "
    "'layer': s.CHANNEL_LAYERS['default']['BACKEND'], 'cache': s.CACHES['default']['BACKEND'], "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'tz': s.TIME_ZONE, "
    "'lang': s.LANGUAGE_CODE, 'tiles_crs': s.MAP_TILES_CRS, "
    "'img_src': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']}))"
)


def settings_with(env: dict, tmp_path) -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean |= {"DJANGO_SETTINGS_MODULE": "safecity.settings.base", "SAFECITY_VAR_DIR": str(tmp_path)}
    clean.pop("TIME_ZONE", None)
    output = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean | env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_nothing_set_runs_embedded(tmp_path):
    embedded = settings_with({}, tmp_path)
    assert embedded["db"] == "django.db.backends.sqlite3"
    assert embedded["layer"] == "channels.layers.InMemoryChannelLayer"
    assert embedded["cache"].endswith("LocMemCache")
    assert embedded["eager"] is True
    assert embedded["broker"] == "memory://"
    assert embedded["tz"] == "Asia/Shanghai"
    assert embedded["lang"] == "zh-hans"


def test_database_and_redis_urls_switch_to_the_real_stack(tmp_path):
    real = settings_with(
        {
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/safecity",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "TIME_ZONE": "Asia/Urumqi",
        },
        tmp_path,
    )
    assert real["db"] == "django.db.backends.postgresql"
    assert real["layer"] == "channels_redis.core.RedisChannelLayer"
    assert real["cache"].endswith("RedisCache")
    assert real["eager"] is False
    assert real["broker"] == "redis://127.0.0.1:6379/0"
    assert real["tz"] == "Asia/Urumqi"


def test_embedded_sqlite_file_lives_under_the_var_dir(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['NAME'])"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"DJANGO_SETTINGS_MODULE": "safecity.settings.base", "SAFECITY_VAR_DIR": str(tmp_path)}
    name = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert name.startswith(str(tmp_path))


def test_autonavi_tiles_in_gcj02_are_allowed_by_the_content_security_policy(tmp_path):
    autonavi = settings_with(
        {
            "MAP_TILES_URL": "https://webrd0{s}.is.autonavi.com/appmaptile?style=8&x={x}&y={y}&z={z}",
            "MAP_TILES_CRS": "gcj02",
        },
        tmp_path,
    )
    assert autonavi["tiles_crs"] == "gcj02"
    assert "https://*.is.autonavi.com" in autonavi["img_src"]


def test_an_unknown_tiles_system_stops_the_start(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    clean |= {"DJANGO_SETTINGS_MODULE": "safecity.settings.base", "SAFECITY_VAR_DIR": str(tmp_path)}
    failed = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=clean | {"MAP_TILES_CRS": "epsg3857"},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert failed.returncode != 0 and "MAP_TILES_CRS" in failed.stderr
