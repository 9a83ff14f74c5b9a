/*
 * settings.c — the public address of the running server.
 *
 * Links in messages (invitations, password resets, the setup link) and the
 * absolute URLs of the CASE API start with one base URL: the configured public
 * address (`--public-url`, $CTOFRAME_PUBLIC_URL), else the address the server
 * listens on. Never a request header. The server records the base it uses in
 * the database when it starts, so the command line prints links to it.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/svc_impl.h"

#define SETTING_PUBLIC_URL "public_url"

/* 1 when s[0..n) is a host name (letters, digits, '-' and '.') or a bracketed IPv6 address. */
static int host_ok(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (s[0] == '[') {
        if (n < 3 || s[n - 1] != ']')
            return 0;
        for (size_t i = 1; i + 1 < n; i++)
            if (!isxdigit((unsigned char)s[i]) && s[i] != ':' && s[i] != '.')
                return 0;
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '.')
            return 0;
    return s[0] != '.' && s[0] != '-';
}

int svc_public_url_check(const char *url, const char *field, char *out, size_t n,
                         struct cf_error *err)
{
    const char *host, *end, *colon;
    size_t len;

    if (url == NULL || url[0] == '\0')
        return cf_error_set(err, CF_EINVAL, field,
                            "Give %s an address like https://ctoframe.example.org; it is empty.",
                            field);
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return cf_error_set(err, CF_EINVAL, field,
                            "The address in %s must start with http:// or https:// (for example "
                            "https://ctoframe.example.org), not “%s”.",
                            field, url);
    len = strlen(url);
    end = url + len;
    if (end > host && end[-1] == '/')
        end--; /* one trailing slash is forgiven and dropped */
    /* The authority only: no path, query, fragment or user name. */
    if (strcspn(host, "/?#@ \t\r\n\"'<>\\") < (size_t)(end - host))
        return cf_error_set(err, CF_EINVAL, field,
                            "Give in %s the scheme, host and optional port only (like "
                            "https://ctoframe.example.org:8443), without a path, query or user "
                            "name: “%s” is not.",
                            field, url);
    colon = NULL;
    for (const char *c = end; c > host; c--)
        if (c[-1] == ':') {
            colon = c - 1;
            break;
        } else if (c[-1] == ']') {
            break;
        }
    if (colon != NULL) {
        long port = 0;

        if (colon + 1 == end || (size_t)(end - colon - 1) > 5)
            port = -1;
        for (const char *c = colon + 1; c < end && port >= 0; c++)
            port = isdigit((unsigned char)*c) ? port * 10 + (*c - '0') : -1;
        if (port < 1 || port > 65535)
            return cf_error_set(err, CF_EINVAL, field,
                                "The port in %s is not a number from 1 to 65535: “%s”. Correct it.",
                                field, url);
    }
    if (!host_ok(host, (size_t)((colon != NULL ? colon : end) - host)))
        return cf_error_set(err, CF_EINVAL, field,
                            "The address in %s names no host: “%s”. Correct it.", field, url);
    if ((size_t)(end - url) >= n)
        return cf_error_set(err, CF_EINVAL, field,
                            "The address in %s is too long. Use a shorter one.", field);
    snprintf(out, n, "%.*s", (int)(end - url), url);
    return CF_OK;
}

int svc_public_url_record(const struct svc *sv, const char *url, struct cf_error *err)
{
    return store_setting_put(sv->store, SETTING_PUBLIC_URL, url, err);
}

int svc_public_url_known(const struct svc *sv, char *out, size_t n, struct cf_error *err)
{
    int rc = store_setting_get(sv->store, SETTING_PUBLIC_URL, out, n, err);

    if (rc == CF_ENOTFOUND)
        return cf_error_set(err, CF_ENOTFOUND, "public_url",
                            "No server address is known: no server has run on this database yet. "
                            "Give --public-url URL (or set CTOFRAME_PUBLIC_URL).");
    return rc;
}
