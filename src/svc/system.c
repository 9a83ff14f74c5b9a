/*
 * system.c — the running system itself: its health, a backup of its
 * database, the key it signs CSRF tokens with.
 */
#include <string.h>

#include <sodium.h>

#include "svc/svc_impl.h"

int svc_health(const struct svc *sv, json_t **out, struct cf_error *err)
{
    int version = 0;
    int rc = store_schema_version(sv->store, &version, err);

    *out = NULL;
    if (rc != CF_OK)
        return rc;
    *out = json_pack("{s:s, s:s, s:i}", "status", "ok", "database", store_kind_name(sv->store),
                     "schema_version", version);
    return *out != NULL
               ? CF_OK
               : cf_error_set(err, CF_ENOMEM, NULL, "Out of memory. Try again in a moment.");
}

int svc_backup(const struct svc *sv, const char *path, struct cf_error *err)
{
    return store_backup(sv->store, path, err);
}

/*
 * The key is stored as hex under the name "csrf". Migration 008 makes it, so
 * reading it writes nothing; only a database without it (emptied by hand)
 * gets a new random one written here.
 */
int svc_csrf_key(const struct svc *sv, unsigned char key[SVC_CSRF_KEY_BYTES], struct cf_error *err)
{
    char stored[129];
    size_t got = 0;
    int rc = store_secret_get(sv->store, "csrf", stored, err);

    if (rc == CF_ENOTFOUND) {
        unsigned char fresh[SVC_CSRF_KEY_BYTES];
        char hex[2 * SVC_CSRF_KEY_BYTES + 1];

        randombytes_buf(fresh, sizeof fresh);
        sodium_bin2hex(hex, sizeof hex, fresh, sizeof fresh);
        sodium_memzero(fresh, sizeof fresh);
        cf_error_clear(err);
        rc = store_secret(sv->store, "csrf", hex, stored, err);
        sodium_memzero(hex, sizeof hex);
    }
    if (rc != CF_OK)
        return rc;
    if (sodium_hex2bin(key, SVC_CSRF_KEY_BYTES, stored, strlen(stored), NULL, &got, NULL) != 0 ||
        got != SVC_CSRF_KEY_BYTES)
        rc = cf_error_set(
            err, CF_EIO, NULL,
            "The stored CSRF key is damaged (not %d bytes of hex). Restore the database "
            "from a backup.",
            SVC_CSRF_KEY_BYTES);
    sodium_memzero(stored, sizeof stored);
    return rc;
}
