/*
 * qtipkg.h — IMS content packages of QTI items, pure: a zip (read from and written to
 * memory with libzip) holding imsmanifest.xml at its root and one XML file per item.
 * docs/qti.md says what is read, what is refused and why.
 *
 * A package is read whole or not at all: any unsafe entry, broken manifest, missing or
 * unnamed file, exceeded limit or item that qti_parse() refuses refuses the package, and
 * the result then holds no item.
 */
#ifndef CF_CORE_QTIPKG_H
#define CF_CORE_QTIPKG_H

#include <stddef.h>

#include "core/qti.h"
#include "lib/err.h"

#define QTIPKG_MANIFEST        "imsmanifest.xml"
#define QTIPKG_NS_V3           "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
#define QTIPKG_NS_V21          "http://www.imsglobal.org/xsd/imscp_v1p1"
#define QTIPKG_TYPE_V3         "imsqti_item_xmlv3p0"
#define QTIPKG_TYPE_V21        "imsqti_item_xmlv2p1"
#define QTIPKG_MAX_ZIP_BYTES   (64u * 1024u * 1024u)  /* the zip itself */
#define QTIPKG_MAX_ENTRIES     5000u                  /* entries in the zip, directories too */
#define QTIPKG_MAX_FILE_BYTES  (16u * 1024u * 1024u)  /* one entry, uncompressed */
#define QTIPKG_MAX_TOTAL_BYTES (256u * 1024u * 1024u) /* all entries, uncompressed */
#define QTIPKG_MAX_RATIO       100u          /* uncompressed / compressed size of one entry */
#define QTIPKG_RATIO_FLOOR     (64u * 1024u) /* entries this small skip the ratio check */
#define QTIPKG_MAX_MANIFEST    (4u * 1024u * 1024u) /* imsmanifest.xml, uncompressed */
#define QTIPKG_MAX_RESOURCES   5000u                /* resources in the manifest */
#define QTIPKG_MAX_FILES       20000u               /* <file> elements in the manifest */
#define QTIPKG_PATH_MAX        1024u                /* bytes of an entry path or href */

/* One <resource> of the manifest. Paths are relative to the package root, checked safe. */
struct qtipkg_resource {
    char *identifier; /* "" when none */
    char *type;       /* the type attribute, as written */
    char *href;       /* the href attribute, percent-decoded ("" when none) */
    char **files;     /* each <file href>, percent-decoded, in document order */
    size_t nfiles;
    int is_item; /* type is QTIPKG_TYPE_V3 or QTIPKG_TYPE_V21 */
};

struct qtipkg_manifest {
    struct qtipkg_resource *res;
    size_t nres;
};

/* The items of a package, in the manifest's order. */
struct qtipkg {
    struct qti_item *items;
    char **hrefs; /* each item's file in the package */
    size_t n;
    size_t skipped; /* resources that are not items (tests, media): checked, not read */
};

/*
 * Reads the n bytes at p as imsmanifest.xml into *m: the root <manifest> (namespace
 * QTIPKG_NS_V3 or QTIPKG_NS_V21), then every <resources>/<resource> with its type, href
 * and <file href> list. An item resource needs an href. Every href is percent-decoded and must be a
 * safe relative path (no leading '/', no "." or ".." segment, no backslash, no ':' in its first
 * segment, no empty segment). Returns CF_OK; CF_EINVAL with err naming the line (and column for XML
 * errors); CF_ETOOBIG past QTIPKG_MAX_MANIFEST or the resource and file limits; CF_ENOMEM. *m is
 * zeroed unless CF_OK.
 */
int qtipkg_manifest_parse(const char *p, size_t n, struct qtipkg_manifest *m, struct cf_error *err);

/* Frees what m holds and zeroes it (m may be NULL). */
void qtipkg_manifest_free(struct qtipkg_manifest *m);

/*
 * Reads the n bytes at p as a content package into *pkg: every zip entry checked (safe
 * path, no duplicate, not encrypted, within the limits), the manifest read, every file it
 * names present, every file present named by it (apart from the manifest and directories),
 * and every item resource parsed with qti_parse(). Returns CF_OK with every item; else
 * CF_EINVAL (or CF_ETOOBIG for a limit) with err giving the reason and the entry at fault,
 * or CF_ENOMEM, and *pkg holds nothing.
 */
int qtipkg_read(const void *p, size_t n, struct qtipkg *pkg, struct cf_error *err);

/* Frees what pkg holds and zeroes it (pkg may be NULL). */
void qtipkg_free(struct qtipkg *pkg);

/*
 * Writes the n items as a content package: imsmanifest.xml (QTI 3.0 package namespace) and
 * items/NNNN.xml for item NNNN (from 0001), each written by qti_write() as QTI 3.0. A new
 * buffer in *out (the caller frees it) of *outn bytes. qtipkg_read() of it gives the same
 * items in the same order. CF_EINVAL (err set) when an item cannot be written or n is 0 or
 * above QTIPKG_MAX_RESOURCES; CF_ETOOBIG when an item's XML would pass QTI_MAX_BYTES;
 * CF_ENOMEM; CF_EIO when libzip fails. *out is NULL on failure.
 */
int qtipkg_write(const struct qti_item *items, size_t n, void **out, size_t *outn,
                 struct cf_error *err);

#endif
