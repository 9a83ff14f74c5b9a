/*
 * qtipkg.c — IMS content packages of QTI items: the manifest (libxml2), the zip (libzip,
 * from and to memory), and the rules that make a package safe to read whole or not at all.
 */
#include "core/qtipkg.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "lib/buf.h"

#define SHOWN_MAX      120  /* bytes of a path quoted in a message */
#define ITEM_NAME_MAX  32   /* "items/NNNN.xml" and its NUL */
#define MANIFEST_ROOM  4096 /* bytes of the written manifest per item, far above its ~200 */
#define READ_CHUNK_MAX (1u << 20)

/* --- paths ---------------------------------------------------------------------------- */

/*
 * Why path (a zip entry name, or an href once decoded) is unsafe, or NULL when it is a plain
 * relative path inside the package. A zip directory's one trailing '/' is allowed when dir.
 */
static const char *unsafe(const char *path, int dir)
{
    size_t len = strlen(path);
    const char *seg, *end;

    if (len == 0)
        return "is empty";
    if (len > QTIPKG_PATH_MAX)
        return "is too long";
    if (path[0] == '/')
        return "is absolute";
    if (strchr(path, '\\') != NULL)
        return "holds a backslash";
    for (const char *s = path; *s != '\0'; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return "holds a control character";
    if (dir && path[len - 1] == '/')
        len--;
    if (len == 0 || path[len - 1] == '/')
        return "has an empty segment";
    if (memchr(path, ':', strcspn(path, "/")) != NULL)
        return "names a drive or a URI scheme";
    for (seg = path; seg < path + len; seg = end + 1) {
        end = memchr(seg, '/', (size_t)(path + len - seg));
        if (end == NULL)
            end = path + len;
        if (end == seg)
            return "has an empty segment";
        if ((end - seg == 1 && seg[0] == '.') || (end - seg == 2 && seg[0] == '.' && seg[1] == '.'))
            return "has a '.' or '..' segment";
    }
    return NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* s percent-decoded: a new string, or NULL (with *bad set when s is malformed). */
static char *decode(const char *s, int *bad)
{
    char *out = malloc(strlen(s) + 1), *o = out;

    *bad = 0;
    if (out == NULL)
        return NULL;
    for (; *s != '\0'; s++) {
        if (*s != '%') {
            *o++ = *s;
            continue;
        }
        if (hexval(s[1]) < 0 || hexval(s[2]) < 0 || (hexval(s[1]) == 0 && hexval(s[2]) == 0)) {
            free(out);
            *bad = 1;
            return NULL;
        }
        *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
        s += 2;
    }
    *o = '\0';
    return out;
}

/* --- the manifest --------------------------------------------------------------------- */

/* 1 when node is an element name in namespace ns. */
static int is_el(const xmlNode *node, const char *ns, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE && node->ns != NULL &&
           strcmp((const char *)node->ns->href, ns) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

/*
 * The href attribute of node decoded and checked into *out (a new string; "" when absent
 * and not required).
 */
static int get_href(const xmlNode *node, int required, char **out, struct cf_error *err)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)"href");
    const char *why;
    int bad;

    *out = NULL;
    if (v == NULL) {
        if (required)
            return cf_error_set(err, CF_EINVAL, "imsmanifest.xml",
                                "imsmanifest.xml, line %ld, <%s>: the href attribute is missing",
                                xmlGetLineNo(node), (const char *)node->name);
        *out = strdup("");
        return *out != NULL ? CF_OK : cf_error_set(err, CF_ENOMEM, "", "out of memory");
    }
    *out = decode((const char *)v, &bad);
    if (*out == NULL) {
        xmlFree(v);
        if (!bad)
            return cf_error_set(err, CF_ENOMEM, "", "out of memory");
        return cf_error_set(err, CF_EINVAL, "imsmanifest.xml",
                            "imsmanifest.xml, line %ld, <%s>: the href has a bad %% escape",
                            xmlGetLineNo(node), (const char *)node->name);
    }
    why = unsafe(*out, 0);
    if (why != NULL) {
        cf_error_set(err, CF_EINVAL, "imsmanifest.xml",
                     "imsmanifest.xml, line %ld, <%s>: the href \"%.*s\" %s", xmlGetLineNo(node),
                     (const char *)node->name, SHOWN_MAX, (const char *)v, why);
        xmlFree(v);
        free(*out);
        *out = NULL;
        return CF_EINVAL;
    }
    xmlFree(v);
    return CF_OK;
}

/* One <resource> element r into res. */
static int read_resource(const xmlNode *r, const char *ns, struct qtipkg_resource *res,
                         size_t *files_total, struct cf_error *err)
{
    xmlChar *v;
    size_t n = 0;
    int rc;

    v = xmlGetNoNsProp(r, (const xmlChar *)"identifier");
    res->identifier = strdup(v != NULL ? (const char *)v : "");
    xmlFree(v);
    v = xmlGetNoNsProp(r, (const xmlChar *)"type");
    res->type = strdup(v != NULL ? (const char *)v : "");
    xmlFree(v);
    if (res->identifier == NULL || res->type == NULL)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");
    res->is_item =
        strcmp(res->type, QTIPKG_TYPE_V3) == 0 || strcmp(res->type, QTIPKG_TYPE_V21) == 0;
    rc = get_href(r, res->is_item, &res->href, err);
    if (rc != CF_OK)
        return rc;

    for (const xmlNode *c = r->children; c != NULL; c = c->next)
        n += (size_t)is_el(c, ns, "file");
    *files_total += n;
    if (*files_total > QTIPKG_MAX_FILES)
        return cf_error_set(err, CF_ETOOBIG, "imsmanifest.xml",
                            "imsmanifest.xml, line %ld: more than %u <file> elements",
                            xmlGetLineNo(r), QTIPKG_MAX_FILES);
    if (n == 0)
        return CF_OK;
    res->files = calloc(n, sizeof *res->files);
    if (res->files == NULL)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");
    for (const xmlNode *c = r->children; c != NULL; c = c->next) {
        if (!is_el(c, ns, "file"))
            continue;
        rc = get_href(c, 1, &res->files[res->nfiles], err);
        if (rc != CF_OK)
            return rc;
        res->nfiles++;
    }
    return CF_OK;
}

int qtipkg_manifest_parse(const char *p, size_t n, struct qtipkg_manifest *m, struct cf_error *err)
{
    const xmlNode *root, *resources = NULL;
    const char *ns;
    xmlDoc *doc = NULL;
    size_t count = 0, files = 0;
    int rc;

    memset(m, 0, sizeof *m);
    rc = qti__read_xml(p, n, QTIPKG_MAX_MANIFEST, "imsmanifest.xml", &doc, err);
    if (rc != CF_OK)
        goto out;
    root = xmlDocGetRootElement(doc);
    if (is_el(root, QTIPKG_NS_V3, "manifest")) {
        ns = QTIPKG_NS_V3;
    } else if (is_el(root, QTIPKG_NS_V21, "manifest")) {
        ns = QTIPKG_NS_V21;
    } else {
        rc =
            cf_error_set(err, CF_EINVAL, "imsmanifest.xml",
                         "imsmanifest.xml, line %ld, <%s>: the root must be <manifest> in "
                         "namespace %s or %s",
                         xmlGetLineNo(root), (const char *)root->name, QTIPKG_NS_V3, QTIPKG_NS_V21);
        goto out;
    }

    for (const xmlNode *c = root->children; c != NULL; c = c->next) {
        if (!is_el(c, ns, "resources"))
            continue;
        if (resources != NULL) {
            rc = cf_error_set(err, CF_EINVAL, "imsmanifest.xml",
                              "imsmanifest.xml, line %ld, <resources>: a second <resources>",
                              xmlGetLineNo(c));
            goto out;
        }
        resources = c;
    }
    if (resources == NULL) {
        rc = cf_error_set(err, CF_EINVAL, "imsmanifest.xml",
                          "imsmanifest.xml, line %ld, <manifest>: no <resources>",
                          xmlGetLineNo(root));
        goto out;
    }
    for (const xmlNode *c = resources->children; c != NULL; c = c->next)
        count += (size_t)is_el(c, ns, "resource");
    if (count > QTIPKG_MAX_RESOURCES) {
        rc = cf_error_set(err, CF_ETOOBIG, "imsmanifest.xml",
                          "imsmanifest.xml: %zu resources, more than %u", count,
                          QTIPKG_MAX_RESOURCES);
        goto out;
    }
    if (count > 0 && (m->res = calloc(count, sizeof *m->res)) == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
        goto out;
    }
    for (const xmlNode *c = resources->children; c != NULL; c = c->next) {
        if (!is_el(c, ns, "resource"))
            continue;
        rc = read_resource(c, ns, &m->res[m->nres++], &files, err);
        if (rc != CF_OK)
            goto out;
    }

out:
    if (rc != CF_OK)
        qtipkg_manifest_free(m);
    xmlFreeDoc(doc);
    return rc;
}

void qtipkg_manifest_free(struct qtipkg_manifest *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->nres; i++) {
        free(m->res[i].identifier);
        free(m->res[i].type);
        free(m->res[i].href);
        for (size_t j = 0; j < m->res[i].nfiles; j++)
            free(m->res[i].files[j]);
        free(m->res[i].files);
    }
    free(m->res);
    memset(m, 0, sizeof *m);
}

/* --- reading a package ---------------------------------------------------------------- */

/* A package being read: the archive and what is known of each entry. */
struct reader {
    zip_t *za;
    zip_uint64_t n;     /* entries */
    char *named;        /* named[i]: entry i is the manifest, a directory or named by it */
    zip_uint64_t *size; /* each entry's uncompressed size */
    struct cf_error *err;
};

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Checks every entry: path, encryption, limits, duplicates. Fills r->size and r->named. */
static int check_entries(struct reader *r)
{
    const char **names = NULL;
    zip_uint64_t total = 0;
    int rc = CF_OK;

    names = calloc(r->n + 1, sizeof *names);
    r->named = calloc(r->n + 1, 1);
    r->size = calloc(r->n + 1, sizeof *r->size);
    if (names == NULL || r->named == NULL || r->size == NULL) {
        rc = cf_error_set(r->err, CF_ENOMEM, "", "out of memory");
        goto out;
    }
    for (zip_uint64_t i = 0; i < r->n; i++) {
        const char *name = zip_get_name(r->za, i, ZIP_FL_ENC_RAW), *why;
        zip_stat_t st;
        size_t len;

        if (name == NULL || zip_stat_index(r->za, i, ZIP_FL_ENC_RAW, &st) != 0 ||
            (st.valid & (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE)) !=
                (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE)) {
            rc = cf_error_set(r->err, CF_EINVAL, "zip", "entry %llu cannot be read: %s",
                              (unsigned long long)i + 1, zip_strerror(r->za));
            goto out;
        }
        len = strlen(name);
        why = unsafe(name, 1);
        if (why != NULL) {
            rc = cf_error_set(r->err, CF_EINVAL, "zip", "the entry \"%.*s\" %s", SHOWN_MAX, name,
                              why);
            goto out;
        }
        if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE) {
            rc = cf_error_set(r->err, CF_EINVAL, "zip", "the entry \"%.*s\" is encrypted",
                              SHOWN_MAX, name);
            goto out;
        }
        if (st.size > QTIPKG_MAX_FILE_BYTES) {
            rc = cf_error_set(r->err, CF_ETOOBIG, "zip",
                              "the entry \"%.*s\" is %llu bytes uncompressed, over the limit of "
                              "%u (QTIPKG_MAX_FILE_BYTES)",
                              SHOWN_MAX, name, (unsigned long long)st.size, QTIPKG_MAX_FILE_BYTES);
            goto out;
        }
        total += st.size;
        if (total > QTIPKG_MAX_TOTAL_BYTES) {
            rc = cf_error_set(r->err, CF_ETOOBIG, "zip",
                              "the entries hold more than %u bytes uncompressed "
                              "(QTIPKG_MAX_TOTAL_BYTES)",
                              QTIPKG_MAX_TOTAL_BYTES);
            goto out;
        }
        /* A zip bomb: a small entry that inflates far beyond any XML's ratio. */
        if (st.size > QTIPKG_RATIO_FLOOR && st.size / QTIPKG_MAX_RATIO >= st.comp_size) {
            rc = cf_error_set(r->err, CF_ETOOBIG, "zip",
                              "the entry \"%.*s\" inflates from %llu to %llu bytes, a ratio "
                              "above %u:1 (QTIPKG_MAX_RATIO)",
                              SHOWN_MAX, name, (unsigned long long)st.comp_size,
                              (unsigned long long)st.size, QTIPKG_MAX_RATIO);
            goto out;
        }
        r->size[i] = st.size;
        r->named[i] = name[len - 1] == '/' || strcmp(name, QTIPKG_MANIFEST) == 0;
        names[i] = name;
    }

    /* Two entries of one name: which one a reader takes differs between zip tools. */
    qsort(names, r->n, sizeof *names, cmp_names);
    for (zip_uint64_t i = 1; i < r->n; i++)
        if (strcmp(names[i - 1], names[i]) == 0) {
            rc = cf_error_set(r->err, CF_EINVAL, "zip", "two entries are named \"%.*s\"", SHOWN_MAX,
                              names[i]);
            goto out;
        }

out:
    free(names);
    return rc;
}

/*
 * Entry i read whole into *out (a new NUL-terminated buffer) and *outn: at most max bytes,
 * and exactly its declared size (libzip checks the CRC at the end).
 */
static int read_entry(struct reader *r, zip_uint64_t i, size_t max, char **out, size_t *outn)
{
    const char *name = zip_get_name(r->za, i, ZIP_FL_ENC_RAW);
    zip_file_t *zf = NULL;
    size_t got = 0;
    char extra;
    int rc = CF_OK;

    *out = NULL;
    if (r->size[i] > max)
        return cf_error_set(r->err, CF_ETOOBIG, "zip", "%.*s is %llu bytes, over the limit of %zu",
                            SHOWN_MAX, name, (unsigned long long)r->size[i], max);
    *out = malloc((size_t)r->size[i] + 1);
    if (*out == NULL)
        return cf_error_set(r->err, CF_ENOMEM, "", "out of memory");
    zf = zip_fopen_index(r->za, i, 0);
    if (zf == NULL) {
        rc = cf_error_set(r->err, CF_EINVAL, "zip", "%.*s cannot be opened: %s", SHOWN_MAX, name,
                          zip_strerror(r->za));
        goto out;
    }
    while (got < r->size[i]) {
        size_t want = (size_t)r->size[i] - got;
        zip_int64_t k = zip_fread(zf, *out + got, want < READ_CHUNK_MAX ? want : READ_CHUNK_MAX);

        if (k <= 0) {
            rc = cf_error_set(r->err, CF_EINVAL, "zip", "%.*s is damaged or truncated: %s",
                              SHOWN_MAX, name, k < 0 ? zip_file_strerror(zf) : "it ends early");
            goto out;
        }
        got += (size_t)k;
    }
    if (zip_fread(zf, &extra, 1) != 0) {
        rc = cf_error_set(r->err, CF_EINVAL, "zip", "%.*s is damaged: more bytes than declared",
                          SHOWN_MAX, name);
        goto out;
    }
    (*out)[got] = '\0';
    *outn = got;

out:
    if (zf != NULL && zip_fclose(zf) != 0 && rc == CF_OK)
        rc = cf_error_set(r->err, CF_EINVAL, "zip", "%.*s is damaged", SHOWN_MAX, name);
    if (rc != CF_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

/* The index of the entry path names (marking it named), or -1 with err set. */
static zip_int64_t locate(struct reader *r, const char *path)
{
    zip_int64_t i = zip_name_locate(r->za, path, ZIP_FL_ENC_RAW);

    if (i < 0) {
        cf_error_set(r->err, CF_EINVAL, "imsmanifest.xml",
                     "imsmanifest.xml names \"%.*s\", which is not in the package", SHOWN_MAX,
                     path);
        return -1;
    }
    r->named[i] = 1;
    return i;
}

/* Every item resource of m parsed into pkg. */
static int read_items(struct reader *r, const struct qtipkg_manifest *m, struct qtipkg *pkg)
{
    size_t nitems = 0;
    int rc = CF_OK;

    for (size_t i = 0; i < m->nres; i++)
        nitems += (size_t)m->res[i].is_item;
    pkg->skipped = m->nres - nitems;
    if (nitems == 0)
        return CF_OK;
    pkg->items = calloc(nitems, sizeof *pkg->items);
    pkg->hrefs = calloc(nitems, sizeof *pkg->hrefs);
    if (pkg->items == NULL || pkg->hrefs == NULL)
        return cf_error_set(r->err, CF_ENOMEM, "", "out of memory");

    for (size_t i = 0; i < m->nres && rc == CF_OK; i++) {
        zip_int64_t at;
        char *xml = NULL;
        size_t len = 0;

        if (!m->res[i].is_item)
            continue;
        at = zip_name_locate(r->za, m->res[i].href, ZIP_FL_ENC_RAW);
        rc = read_entry(r, (zip_uint64_t)at, QTI_MAX_BYTES, &xml, &len);
        if (rc != CF_OK)
            return rc;
        rc = qti_parse(xml, len, &pkg->items[pkg->n], r->err);
        free(xml);
        if (rc != CF_OK) {
            char msg[sizeof r->err->message];

            if (r->err != NULL) {
                snprintf(msg, sizeof msg, "%s", r->err->message);
                cf_error_set(r->err, rc, "item", "%.*s: %s", SHOWN_MAX, m->res[i].href, msg);
            }
            return rc;
        }
        pkg->hrefs[pkg->n] = strdup(m->res[i].href);
        pkg->n++;
        if (pkg->hrefs[pkg->n - 1] == NULL)
            return cf_error_set(r->err, CF_ENOMEM, "", "out of memory");
        for (size_t j = 0; j + 1 < pkg->n; j++)
            if (strcmp(pkg->items[j].identifier, pkg->items[pkg->n - 1].identifier) == 0)
                return cf_error_set(
                    r->err, CF_EINVAL, "item", "%.*s and %.*s both hold the item \"%s\"", SHOWN_MAX,
                    pkg->hrefs[j], SHOWN_MAX, pkg->hrefs[pkg->n - 1], pkg->items[j].identifier);
    }
    return rc;
}

int qtipkg_read(const void *p, size_t n, struct qtipkg *pkg, struct cf_error *err)
{
    struct reader r = {NULL, 0, NULL, NULL, err};
    struct qtipkg_manifest m = {NULL, 0};
    zip_source_t *src = NULL;
    zip_error_t ze;
    zip_int64_t at, count;
    char *xml = NULL;
    size_t len = 0;
    int rc = CF_OK;

    memset(pkg, 0, sizeof *pkg);
    zip_error_init(&ze);
    if (n > QTIPKG_MAX_ZIP_BYTES) {
        rc = cf_error_set(err, CF_ETOOBIG, "zip",
                          "the package is %zu bytes, over the limit of %u (QTIPKG_MAX_ZIP_BYTES)",
                          n, QTIPKG_MAX_ZIP_BYTES);
        goto out;
    }

    /* The archive, read-only, from the caller's bytes (never copied, never written). */
    src = zip_source_buffer_create(n > 0 ? p : "", n, 0, &ze);
    if (src == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
        goto out;
    }
    r.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    if (r.za == NULL) {
        zip_source_free(src);
        rc =
            cf_error_set(err, CF_EINVAL, "zip", "not a zip file, or a truncated or damaged one: %s",
                         zip_error_strerror(&ze));
        goto out;
    }
    count = zip_get_num_entries(r.za, 0);
    if (count < 0 || (zip_uint64_t)count > QTIPKG_MAX_ENTRIES) {
        rc = cf_error_set(err, CF_ETOOBIG, "zip",
                          "the package has more than %u entries (QTIPKG_MAX_ENTRIES)",
                          QTIPKG_MAX_ENTRIES);
        goto out;
    }
    r.n = (zip_uint64_t)count;
    rc = check_entries(&r);
    if (rc != CF_OK)
        goto out;

    /* The manifest, and every file it names present. */
    at = zip_name_locate(r.za, QTIPKG_MANIFEST, ZIP_FL_ENC_RAW);
    if (at < 0) {
        rc = cf_error_set(err, CF_EINVAL, "imsmanifest.xml",
                          "no imsmanifest.xml at the root of the package");
        goto out;
    }
    rc = read_entry(&r, (zip_uint64_t)at, QTIPKG_MAX_MANIFEST, &xml, &len);
    if (rc == CF_OK)
        rc = qtipkg_manifest_parse(xml, len, &m, err);
    if (rc != CF_OK)
        goto out;
    for (size_t i = 0; i < m.nres; i++) {
        if (m.res[i].href[0] != '\0' && locate(&r, m.res[i].href) < 0)
            rc = CF_EINVAL;
        for (size_t j = 0; j < m.res[i].nfiles && rc == CF_OK; j++)
            if (locate(&r, m.res[i].files[j]) < 0)
                rc = CF_EINVAL;
        if (rc != CF_OK)
            goto out;
    }

    /* Nothing in the package that the manifest does not name. */
    for (zip_uint64_t i = 0; i < r.n; i++)
        if (!r.named[i]) {
            rc = cf_error_set(err, CF_EINVAL, "zip",
                              "\"%.*s\" is in the package but imsmanifest.xml does not name it",
                              SHOWN_MAX, zip_get_name(r.za, i, ZIP_FL_ENC_RAW));
            goto out;
        }

    rc = read_items(&r, &m, pkg);

out:
    if (rc != CF_OK)
        qtipkg_free(pkg);
    free(xml);
    qtipkg_manifest_free(&m);
    free(r.named);
    free(r.size);
    if (r.za != NULL)
        zip_discard(r.za);
    zip_error_fini(&ze);
    return rc;
}

void qtipkg_free(struct qtipkg *pkg)
{
    if (pkg == NULL)
        return;
    for (size_t i = 0; i < pkg->n; i++) {
        qti_item_free(&pkg->items[i]);
        free(pkg->hrefs[i]);
    }
    free(pkg->items);
    free(pkg->hrefs);
    memset(pkg, 0, sizeof *pkg);
}

/* --- writing a package ---------------------------------------------------------------- */

/* Adds the len bytes at data (malloc'd; the archive frees them, or this on failure) as name. */
static int add_file(zip_t *za, const char *name, char *data, size_t len, struct cf_error *err)
{
    zip_source_t *s = zip_source_buffer(za, data, len, 1);

    if (s == NULL) {
        free(data);
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");
    }
    if (zip_file_add(za, name, s, ZIP_FL_ENC_UTF_8) < 0) {
        zip_source_free(s);
        return cf_error_set(err, CF_EIO, "", "zip: %s", zip_strerror(za));
    }
    return CF_OK;
}

/* The manifest of n items named items/NNNN.xml: a new string in *out. */
static int write_manifest(size_t n, char **out, size_t *outn, struct cf_error *err)
{
    struct buf b;
    int rc;

    buf_init(&b, MANIFEST_ROOM * (n + 1));
    rc = buf_printf(&b,
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<manifest xmlns=\"%s\" identifier=\"ctoframe-items\">\n"
                    "  <metadata>\n"
                    "    <schema>QTI Package</schema>\n"
                    "    <schemaversion>3.0.0</schemaversion>\n"
                    "  </metadata>\n"
                    "  <organizations/>\n"
                    "  <resources>\n",
                    QTIPKG_NS_V3);
    for (size_t i = 0; i < n && rc == CF_OK; i++)
        rc = buf_printf(&b,
                        "    <resource identifier=\"item-%04zu\" type=\"%s\" "
                        "href=\"items/%04zu.xml\">\n"
                        "      <file href=\"items/%04zu.xml\"/>\n"
                        "    </resource>\n",
                        i + 1, QTIPKG_TYPE_V3, i + 1, i + 1);
    if (rc == CF_OK)
        rc = buf_adds(&b, "  </resources>\n</manifest>\n");
    if (rc != CF_OK)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");
    *out = buf_detach(&b, outn);
    return CF_OK;
}

/* The bytes the closed archive wrote into src: a new buffer in *out. */
static int take_bytes(zip_source_t *src, void **out, size_t *outn, struct cf_error *err)
{
    zip_int64_t size, got;
    int rc = CF_OK;

    if (zip_source_open(src) < 0)
        return cf_error_set(err, CF_EIO, "", "zip: the written package cannot be read back");
    if (zip_source_seek(src, 0, SEEK_END) < 0 || (size = zip_source_tell(src)) < 0 ||
        zip_source_seek(src, 0, SEEK_SET) < 0) {
        rc = cf_error_set(err, CF_EIO, "", "zip: the written package cannot be read back");
        goto out;
    }
    *out = malloc(size > 0 ? (size_t)size : 1);
    if (*out == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
        goto out;
    }
    got = zip_source_read(src, *out, (zip_uint64_t)size);
    if (got != size) {
        free(*out);
        *out = NULL;
        rc = cf_error_set(err, CF_EIO, "", "zip: the written package cannot be read back");
        goto out;
    }
    *outn = (size_t)size;

out:
    zip_source_close(src);
    return rc;
}

int qtipkg_write(const struct qti_item *items, size_t n, void **out, size_t *outn,
                 struct cf_error *err)
{
    zip_source_t *src = NULL;
    zip_t *za = NULL;
    zip_error_t ze;
    char name[ITEM_NAME_MAX];
    char *data = NULL;
    size_t len = 0;
    int rc = CF_OK;

    *out = NULL;
    *outn = 0;
    zip_error_init(&ze);
    if (n == 0 || n > QTIPKG_MAX_RESOURCES) {
        rc = cf_error_set(err, CF_EINVAL, "items", "a package holds 1 to %u items",
                          QTIPKG_MAX_RESOURCES);
        goto out;
    }
    src = zip_source_buffer_create(NULL, 0, 0, &ze);
    if (src != NULL)
        za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
    if (za == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, "", "zip: %s", zip_error_strerror(&ze));
        goto out;
    }
    /* The source outlives the archive: zip_close writes into it, then it is read. */
    zip_source_keep(src);

    rc = write_manifest(n, &data, &len, err);
    if (rc == CF_OK)
        rc = add_file(za, QTIPKG_MANIFEST, data, len, err);
    for (size_t i = 0; i < n && rc == CF_OK; i++) {
        struct cf_error e;

        cf_error_clear(&e);
        rc = qti_write(&items[i], QTI_V3, &data, &len, &e);
        if (rc != CF_OK) {
            cf_error_set(err, rc, "items", "item %zu: %s", i + 1, e.message);
            break;
        }
        snprintf(name, sizeof name, "items/%04zu.xml", i + 1);
        rc = add_file(za, name, data, len, err);
    }
    if (rc != CF_OK)
        goto out;
    if (zip_close(za) != 0) {
        rc = cf_error_set(err, CF_EIO, "", "zip: %s", zip_strerror(za));
        goto out;
    }
    za = NULL;
    rc = take_bytes(src, out, outn, err);

out:
    if (za != NULL)
        zip_discard(za);
    if (src != NULL)
        zip_source_free(src);
    zip_error_fini(&ze);
    return rc;
}
