/*
 * test_qtipkg.c — src/core/qtipkg.c: IMS content packages built here in memory with
 * libzip. A good package of three items (QTI 3.0 and 2.1, qti_examples.h) is read whole;
 * each unsafe or broken package is refused with its reason and gives no item; a package
 * written by qtipkg_write() reads back to the same items.
 */
#include "testutil.h"

#include <zip.h>

#include "core/qtipkg.h"
#include "qti_examples.h"

#define MAX_ENTRIES 8
#define BOMB_BYTES  (4u * 1024u * 1024u) /* zeros: deflate packs them about 1000:1 */

/* One entry of a zip built by a test. data NULL: a directory. */
struct entry {
    const char *name;
    const char *data;
    size_t len; /* 0: strlen(data) */
};

/* A manifest naming the three example items (QTI 3.0 package namespace). */
static const char MANIFEST[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<manifest xmlns=\"http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1\" "
    "identifier=\"bank\">\n"
    "  <metadata><schema>QTI Package</schema><schemaversion>3.0.1</schemaversion></metadata>\n"
    "  <organizations/>\n"
    "  <resources>\n"
    "    <resource identifier=\"r1\" type=\"imsqti_item_xmlv3p0\" href=\"items/single.xml\">\n"
    "      <file href=\"items/single.xml\"/>\n"
    "    </resource>\n"
    "    <resource identifier=\"r2\" type=\"imsqti_item_xmlv3p0\" href=\"items/multiple.xml\">\n"
    "      <file href=\"items/multiple.xml\"/>\n"
    "    </resource>\n"
    "    <resource identifier=\"r3\" type=\"imsqti_item_xmlv2p1\" "
    "href=\"items/choice%2021.xml\">\n"
    "      <file href=\"items/choice%2021.xml\"/>\n"
    "    </resource>\n"
    "  </resources>\n"
    "</manifest>\n";

/* A zip of the n entries: a new buffer (free it) of *len bytes. */
static void *build_zip(const struct entry *e, size_t n, size_t *len)
{
    zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, NULL), *s;
    zip_t *za;
    zip_int64_t size;
    void *out;

    assert_non_null(src);
    za = zip_open_from_source(src, ZIP_TRUNCATE, NULL);
    assert_non_null(za);
    zip_source_keep(src);
    for (size_t i = 0; i < n; i++) {
        if (e[i].data == NULL) {
            assert_true(zip_dir_add(za, e[i].name, ZIP_FL_ENC_RAW) >= 0);
            continue;
        }
        s = zip_source_buffer(za, e[i].data, e[i].len > 0 ? e[i].len : strlen(e[i].data), 0);
        assert_non_null(s);
        assert_true(zip_file_add(za, e[i].name, s, ZIP_FL_ENC_RAW) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
    assert_int_equal(zip_source_open(src), 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
    size = zip_source_tell(src);
    assert_true(size > 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
    out = malloc((size_t)size);
    assert_non_null(out);
    assert_int_equal(zip_source_read(src, out, (zip_uint64_t)size), size);
    zip_source_close(src);
    zip_source_free(src);
    *len = (size_t)size;
    return out;
}

/* The good package's entries; tests copy and change them. */
static size_t good_entries(struct entry *e)
{
    e[0] = (struct entry){"imsmanifest.xml", MANIFEST, 0};
    e[1] = (struct entry){"items/", NULL, 0};
    e[2] = (struct entry){"items/single.xml", QTI3_SINGLE, 0};
    e[3] = (struct entry){"items/multiple.xml", QTI3_MULTIPLE, 0};
    e[4] = (struct entry){"items/choice 21.xml", QTI21_CHOICE, 0};
    return 5;
}

/* Asserts the zip of e is refused with CF_EINVAL (or CF_ETOOBIG: want) naming reason. */
static void assert_refused(const struct entry *e, size_t n, int want, const char *reason)
{
    struct qtipkg pkg;
    struct cf_error err;
    size_t len;
    void *zip = build_zip(e, n, &len);
    int rc;

    cf_error_clear(&err);
    rc = qtipkg_read(zip, len, &pkg, &err);
    if (rc != want)
        fail_msg("rc %d, want %d (%s)", rc, want, err.message);
    if (strstr(err.message, reason) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.message, reason);
    assert_int_equal(pkg.n, 0);
    assert_null(pkg.items);
    free(zip);
}

static void test_good_package(void **state)
{
    struct entry e[MAX_ENTRIES];
    struct qtipkg pkg;
    struct cf_error err;
    size_t len, n = good_entries(e);
    void *zip = build_zip(e, n, &len);

    (void)state;
    cf_error_clear(&err);
    if (qtipkg_read(zip, len, &pkg, &err) != CF_OK)
        fail_msg("refused: %s", err.message);
    assert_int_equal(pkg.n, 3);
    assert_int_equal(pkg.skipped, 0);
    assert_string_equal(pkg.items[0].identifier, "cto-budget-001");
    assert_string_equal(pkg.items[0].correct[0], "B");
    assert_string_equal(pkg.items[1].identifier, "cto-security-014");
    assert_int_equal(pkg.items[1].ncorrect, 3);
    assert_string_equal(pkg.items[2].identifier, "choice");
    assert_string_equal(pkg.items[2].correct[0], "ChoiceC");
    /* The href "items/choice%2021.xml" is the entry "items/choice 21.xml". */
    assert_string_equal(pkg.hrefs[2], "items/choice 21.xml");
    qtipkg_free(&pkg);
    assert_null(pkg.items);
    free(zip);
}

static void test_unsafe_paths(void **state)
{
    struct entry e[MAX_ENTRIES];
    size_t n;

    (void)state;
    n = good_entries(e);
    e[n++] = (struct entry){"items/../../evil.xml", "x", 0};
    assert_refused(e, n, CF_EINVAL, "the entry \"items/../../evil.xml\" has a '.' or '..' segment");

    n = good_entries(e);
    e[n++] = (struct entry){"/etc/cron.d/evil", "x", 0};
    assert_refused(e, n, CF_EINVAL, "the entry \"/etc/cron.d/evil\" is absolute");

    n = good_entries(e);
    e[n++] = (struct entry){"items\\..\\evil.xml", "x", 0};
    assert_refused(e, n, CF_EINVAL, "holds a backslash");

    n = good_entries(e);
    e[n++] = (struct entry){"C:/evil.xml", "x", 0};
    assert_refused(e, n, CF_EINVAL, "names a drive or a URI scheme");
}

static void test_manifest_problems(void **state)
{
    struct entry e[MAX_ENTRIES];
    size_t n;

    (void)state;
    /* Missing: the items alone. */
    n = good_entries(e);
    e[0] = e[--n];
    assert_refused(e, n, CF_EINVAL, "no imsmanifest.xml at the root of the package");

    /* In a folder is not at the root. */
    n = good_entries(e);
    e[0].name = "items/imsmanifest.xml";
    assert_refused(e, n, CF_EINVAL, "no imsmanifest.xml at the root of the package");

    /* Not well-formed: cut inside the first <resource> (line 6). */
    n = good_entries(e);
    e[0].len = (size_t)(strstr(MANIFEST, "<resource ") - MANIFEST) + 10;
    assert_refused(e, n, CF_EINVAL, "imsmanifest.xml is not well-formed XML: line 6");

    /* Another root element. */
    n = good_entries(e);
    e[0].data = "<package xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"/>";
    assert_refused(e, n, CF_EINVAL, "line 1, <package>: the root must be <manifest>");

    /* An href escaping the package. */
    n = good_entries(e);
    e[0].data = "<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"><resources>\n"
                "<resource type=\"imsqti_item_xmlv2p1\" href=\"../items/single.xml\"/>\n"
                "</resources></manifest>";
    assert_refused(e, n, CF_EINVAL,
                   "line 2, <resource>: the href \"../items/single.xml\" has a '.' or '..'");
}

static void test_unnamed_and_missing(void **state)
{
    struct entry e[MAX_ENTRIES];
    size_t n;

    (void)state;
    n = good_entries(e);
    e[n++] = (struct entry){"items/extra.xml", QTI3_SINGLE, 0};
    assert_refused(e, n, CF_EINVAL,
                   "\"items/extra.xml\" is in the package but imsmanifest.xml does not name it");

    /* The manifest names items/multiple.xml, left out here. */
    n = good_entries(e);
    e[3] = e[--n];
    assert_refused(e, n, CF_EINVAL,
                   "imsmanifest.xml names \"items/multiple.xml\", which is not in the package");
}

static void test_truncated(void **state)
{
    struct entry e[MAX_ENTRIES];
    struct qtipkg pkg;
    struct cf_error err;
    size_t len, n = good_entries(e);
    unsigned char *zip = build_zip(e, n, &len);
    static const char junk[] = "this is not a zip file at all";

    (void)state;
    /* Half the bytes, then all but the last byte (the end of central directory). */
    assert_int_equal(qtipkg_read(zip, len / 2, &pkg, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "not a zip file, or a truncated or damaged one"));
    assert_null(pkg.items);
    assert_int_equal(qtipkg_read(zip, len - 1, &pkg, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "not a zip file, or a truncated or damaged one"));
    assert_int_equal(qtipkg_read(junk, sizeof junk - 1, &pkg, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "not a zip file"));
    assert_int_equal(qtipkg_read("", 0, &pkg, &err), CF_EINVAL);
    assert_int_equal(pkg.n, 0);

    /* A flipped byte inside the first item's compressed data: its CRC no longer holds. */
    {
        size_t at = 0;
        /*
         * The local header of items/single.xml: 30 bytes ending with the name's and the
         * extra field's lengths (bytes 26-29, little-endian), then the name, the extra field
         * and the data. The first match of the name is this header (the central directory
         * comes after the data).
         */
        for (size_t i = 30; i + 16 < len; i++)
            if (memcmp(zip + i, "items/single.xml", 16) == 0) {
                at = i + 16 + (size_t)(zip[i - 2] | zip[i - 1] << 8) + 10;
                break;
            }
        assert_true(at > 0 && at < len);
        zip[at] ^= 0xFF;
    }
    assert_int_equal(qtipkg_read(zip, len, &pkg, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "items/single.xml"));
    assert_null(pkg.items);
    free(zip);
}

static void test_zip_bomb(void **state)
{
    struct entry e[MAX_ENTRIES];
    char *zeros = calloc(BOMB_BYTES, 1);
    static const char manifest[] =
        "<manifest xmlns=\"http://www.imsglobal.org/xsd/imscp_v1p1\"><resources>\n"
        "<resource type=\"imsqti_item_xmlv2p1\" href=\"a.xml\"><file href=\"a.xml\"/></resource>\n"
        "<resource type=\"webcontent\" href=\"big.bin\"><file href=\"big.bin\"/></resource>\n"
        "</resources></manifest>";

    (void)state;
    assert_non_null(zeros);
    e[0] = (struct entry){"imsmanifest.xml", manifest, 0};
    e[1] = (struct entry){"a.xml", QTI21_CHOICE, 0};
    e[2] = (struct entry){"big.bin", zeros, BOMB_BYTES};
    /* 4 MiB of zeros is under QTIPKG_MAX_FILE_BYTES (16 MiB): the ratio is what refuses. */
    assert_true(BOMB_BYTES < QTIPKG_MAX_FILE_BYTES);
    assert_refused(e, 3, CF_ETOOBIG, "a ratio above 100:1 (QTIPKG_MAX_RATIO)");
    free(zeros);
}

/* An entry over QTIPKG_MAX_FILE_BYTES, and more entries than QTIPKG_MAX_ENTRIES. */
static void test_limits(void **state)
{
    struct entry e[MAX_ENTRIES];
    size_t big = QTIPKG_MAX_FILE_BYTES + 1, len;
    char *zeros = calloc(big, 1);
    zip_source_t *src, *s;
    zip_t *za;
    zip_int64_t size;
    char *zip, name[32];
    struct qtipkg pkg;
    struct cf_error err;

    (void)state;
    assert_non_null(zeros);
    e[0] = (struct entry){"imsmanifest.xml", MANIFEST, 0};
    e[1] = (struct entry){"huge.bin", zeros, big};
    assert_refused(e, 2, CF_ETOOBIG, "over the limit of 16777216 (QTIPKG_MAX_FILE_BYTES)");
    free(zeros);

    /* QTIPKG_MAX_ENTRIES + 1 empty files. */
    src = zip_source_buffer_create(NULL, 0, 0, NULL);
    assert_non_null(src);
    za = zip_open_from_source(src, ZIP_TRUNCATE, NULL);
    assert_non_null(za);
    zip_source_keep(src);
    for (unsigned i = 0; i <= QTIPKG_MAX_ENTRIES; i++) {
        snprintf(name, sizeof name, "f%u", i);
        s = zip_source_buffer(za, "", 0, 0);
        assert_non_null(s);
        assert_true(zip_file_add(za, name, s, 0) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
    assert_int_equal(zip_source_open(src), 0);
    assert_int_equal(zip_source_seek(src, 0, SEEK_END), 0);
    size = zip_source_tell(src);
    assert_int_equal(zip_source_seek(src, 0, SEEK_SET), 0);
    len = (size_t)size;
    zip = malloc(len);
    assert_non_null(zip);
    assert_int_equal(zip_source_read(src, zip, len), size);
    zip_source_close(src);
    zip_source_free(src);
    assert_int_equal(qtipkg_read(zip, len, &pkg, &err), CF_ETOOBIG);
    assert_non_null(strstr(err.message, "more than 5000 entries (QTIPKG_MAX_ENTRIES)"));
    assert_null(pkg.items);
    free(zip);
}

/* One item that qti_parse refuses refuses the package: no item of the other two. */
static void test_bad_item(void **state)
{
    struct entry e[MAX_ENTRIES];
    size_t n = good_entries(e);

    (void)state;
    e[3].data = "<qti-assessment-item xmlns=\"" QTI_NS_V3 "\" identifier=\"x\">\n"
                "<qti-item-body><qti-slider-interaction/></qti-item-body>\n"
                "</qti-assessment-item>";
    assert_refused(e, n, CF_EINVAL,
                   "items/multiple.xml: line 2, <qti-slider-interaction>: only choice "
                   "interactions can be read");
}

static void test_other_resources(void **state)
{
    struct entry e[MAX_ENTRIES];
    struct qtipkg pkg;
    struct cf_error err;
    size_t len;
    void *zip;
    static const char manifest[] =
        "<manifest xmlns=\"http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1\"><resources>\n"
        "<resource identifier=\"i\" type=\"imsqti_item_xmlv3p0\" href=\"i.xml\">"
        "<file href=\"i.xml\"/><dependency identifierref=\"img\"/></resource>\n"
        "<resource identifier=\"img\" type=\"webcontent\" href=\"media/a.png\">"
        "<file href=\"media/a.png\"/></resource>\n"
        "<resource identifier=\"t\" type=\"imsqti_test_xmlv3p0\" href=\"test.xml\">"
        "<file href=\"test.xml\"/></resource>\n"
        "</resources></manifest>";

    (void)state;
    e[0] = (struct entry){"imsmanifest.xml", manifest, 0};
    e[1] = (struct entry){"i.xml", QTI3_SINGLE, 0};
    e[2] = (struct entry){"media/a.png", "\x89PNG", 4};
    e[3] = (struct entry){"test.xml", "<not-read/>", 0};
    zip = build_zip(e, 4, &len);
    cf_error_clear(&err);
    if (qtipkg_read(zip, len, &pkg, &err) != CF_OK)
        fail_msg("refused: %s", err.message);
    assert_int_equal(pkg.n, 1);
    assert_int_equal(pkg.skipped, 2);
    qtipkg_free(&pkg);
    free(zip);
}

/*
 * Two entries of one name: libzip will not write them, so the second is written as
 * "items/single.xmk" and renamed in the bytes (local header and central directory; the
 * name is not under the CRC). libzip (1.7) already refuses such a zip when it opens it
 * ("File already exists"); qtipkg.c checks again in case a libzip version does not.
 */
static void test_duplicate_entries(void **state)
{
    struct entry e[MAX_ENTRIES];
    struct qtipkg pkg;
    struct cf_error err;
    size_t len, renamed = 0, n = good_entries(e);
    char *zip;

    (void)state;
    e[n++] = (struct entry){"items/single.xmk", QTI3_MULTIPLE, 0};
    zip = build_zip(e, n, &len);
    for (size_t i = 0; i + 16 <= len; i++)
        if (memcmp(zip + i, "items/single.xmk", 16) == 0) {
            zip[i + 15] = 'l';
            renamed++;
        }
    assert_int_equal(renamed, 2);
    assert_int_equal(qtipkg_read(zip, len, &pkg, &err), CF_EINVAL);
    if (strstr(err.message, "two entries are named \"items/single.xml\"") == NULL &&
        strstr(err.message, "not a zip file, or a truncated or damaged one") == NULL)
        fail_msg("message: %s", err.message);
    assert_null(pkg.items);
    free(zip);
}

static void test_export_import(void **state)
{
    struct entry e[MAX_ENTRIES];
    struct qtipkg in, back;
    struct cf_error err;
    size_t len, outn = 0, n = good_entries(e);
    void *zip = build_zip(e, n, &len), *out = NULL;
    char why[64];

    (void)state;
    assert_int_equal(qtipkg_read(zip, len, &in, &err), CF_OK);
    cf_error_clear(&err);
    if (qtipkg_write(in.items, in.n, &out, &outn, &err) != CF_OK)
        fail_msg("qtipkg_write refused: %s", err.message);
    if (qtipkg_read(out, outn, &back, &err) != CF_OK)
        fail_msg("the written package is refused: %s", err.message);
    assert_int_equal(back.n, 3);
    for (size_t i = 0; i < 3; i++)
        if (!qti_item_equal(&in.items[i], &back.items[i], why, sizeof why))
            fail_msg("item %zu differs in %s", i, why);
    assert_string_equal(back.hrefs[0], "items/0001.xml");
    qtipkg_free(&in);
    qtipkg_free(&back);
    free(out);
    free(zip);

    /* Nothing to write is refused. */
    assert_int_equal(qtipkg_write(NULL, 0, &out, &outn, &err), CF_EINVAL);
    assert_null(out);
}

/* The manifest parser on its own: resources, types, decoded hrefs and file lists. */
static void test_manifest_parse(void **state)
{
    static const char empty[] = "<manifest xmlns=\"" QTIPKG_NS_V21 "\"/>";
    static const char folder[] = "<manifest xmlns=\"" QTIPKG_NS_V21 "\"><resources><resource>\n"
                                 "<file href=\"items/\"/></resource></resources></manifest>";
    static const char pct[] = "<manifest xmlns=\"" QTIPKG_NS_V21 "\"><resources>\n"
                              "<resource href=\"a%2\"/></resources></manifest>";
    struct qtipkg_manifest m;
    struct cf_error err;

    (void)state;
    assert_int_equal(qtipkg_manifest_parse(MANIFEST, strlen(MANIFEST), &m, &err), CF_OK);
    assert_int_equal(m.nres, 3);
    assert_string_equal(m.res[0].identifier, "r1");
    assert_string_equal(m.res[0].type, "imsqti_item_xmlv3p0");
    assert_true(m.res[0].is_item);
    assert_string_equal(m.res[2].href, "items/choice 21.xml");
    assert_int_equal(m.res[2].nfiles, 1);
    assert_string_equal(m.res[2].files[0], "items/choice 21.xml");
    qtipkg_manifest_free(&m);

    assert_int_equal(qtipkg_manifest_parse(empty, sizeof empty - 1, &m, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "no <resources>"));
    assert_int_equal(m.nres, 0);

    /* A folder is not a file (the fuzzer's first find: a trailing '/' passed). */
    assert_int_equal(qtipkg_manifest_parse(folder, sizeof folder - 1, &m, &err), CF_EINVAL);
    assert_non_null(
        strstr(err.message, "line 2, <file>: the href \"items/\" has an empty segment"));
    assert_int_equal(m.nres, 0);

    assert_int_equal(qtipkg_manifest_parse(pct, sizeof pct - 1, &m, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "line 2, <resource>: the href has a bad % escape"));
    assert_int_equal(m.nres, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_package),      cmocka_unit_test(test_unsafe_paths),
        cmocka_unit_test(test_manifest_problems), cmocka_unit_test(test_unnamed_and_missing),
        cmocka_unit_test(test_truncated),         cmocka_unit_test(test_zip_bomb),
        cmocka_unit_test(test_bad_item),          cmocka_unit_test(test_other_resources),
        cmocka_unit_test(test_duplicate_entries), cmocka_unit_test(test_export_import),
        cmocka_unit_test(test_manifest_parse),    cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests_name("qtipkg", tests, NULL, NULL);
}
