from tests.portal.conftest import production_settings


def test_the_cache_is_per_process_without_redis_url():
    caches = production_settings(REDIS_URL="")["CACHES"]
    assert caches["default"]["BACKEND"].endswith("LocMemCache")


def test_redis_url_makes_redis_the_shared_cache():
    caches = production_settings(REDIS_URL="redis://cache.internal:6379/1")["CACHES"]
    assert caches["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/1",
    }


def test_production_uses_hashed_compressed_static_files():
    storages = production_settings()["STORAGES"]
    assert storages["staticfiles"]["BACKEND"] == (
        "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )


def test_a_malformed_proxy_header_setting_fails_at_start_up():
    import pytest
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="HTTP_X_FORWARDED_PROTO,https"):
        production_settings(DJANGO_SECURE_PROXY_SSL_HEADER="https")


def test_postgresql_connections_run_without_jit():
    postgres = production_settings(DATABASE_URL="postgres://u@db.internal/guides")
    assert postgres["DATABASES"]["default"]["OPTIONS"]["options"] == "-c jit=off"
    sqlite = production_settings(DATABASE_URL="sqlite:////tmp/guides.sqlite3")
    assert "options" not in sqlite["DATABASES"]["default"].get("OPTIONS", {})
