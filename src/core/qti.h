/*
 * qti.h — one assessment item in 1EdTech QTI, pure: read from and written to QTI 3.0
 * (qti-assessment-item, namespace QTI_NS_V3) and QTI 2.1 (assessmentItem, namespace
 * QTI_NS_V21). docs/qti.md says what is kept and what is refused.
 *
 * Only choice items are represented: one choice interaction whose response is an
 * identifier, single (one best answer) or multiple (multiple response). The text of the
 * prompt, of each choice and of the item body around the interaction is kept as plain text:
 * inline markup (<p>, <em>, ...) is dropped and every run of white space becomes one space.
 *
 * The XML is read from memory with libxml2, without network access, without loading or
 * applying a DTD; a document with a DOCTYPE is refused before it is parsed.
 */
#ifndef CF_CORE_QTI_H
#define CF_CORE_QTI_H

#include <stddef.h>

#include "lib/err.h"

#define QTI_NS_V3       "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
#define QTI_NS_V21      "http://www.imsglobal.org/xsd/imsqti_v2p1"
#define QTI_MAX_BYTES   (2u * 1024u * 1024u) /* one item's XML read at most */
#define QTI_CHOICES_MAX 100                  /* choices of one interaction */
#define QTI_ID_MAX      256                  /* bytes of an identifier */
#define QTI_TEXT_MAX    (64u * 1024u)        /* bytes of one text (prompt, choice, body) */

enum qti_version {
    QTI_V3 = 30,  /* QTI 3.0 */
    QTI_V21 = 21, /* QTI 2.1 */
};

enum qti_cardinality {
    QTI_SINGLE = 1,   /* cardinality="single": one best answer */
    QTI_MULTIPLE = 2, /* cardinality="multiple": multiple response */
};

/* How the response is scored: the response-processing template, or none. */
enum qti_scoring {
    QTI_SCORING_NONE = 0, /* no response processing in the item */
    QTI_MATCH_CORRECT,    /* template match_correct: 1 when the response equals the key */
    QTI_MAP_RESPONSE,     /* template map_response: the sum of the mapped values */
};

struct qti_choice {
    char *id;        /* the choice's identifier */
    char *text;      /* its text (without its inline feedback) */
    int fixed;       /* fixed="true": stays in place when the choices are shuffled */
    char *rationale; /* why it is right or wrong: the text of its inline feedback whose
                        identifier is the choice's ("" or NULL when none) */
};

/* One entry of the response mapping: a choice and the value it adds. */
struct qti_map_entry {
    char *key; /* a choice identifier */
    double value;
};

/* Every string is malloc'd and NUL-terminated; qti_item_free() releases them. */
struct qti_item {
    char *identifier; /* never empty */
    char *title;      /* "" when the item has none */
    char *body;       /* the item body's text outside the interaction ("" when none) */
    char *prompt;     /* the interaction's prompt ("" when none) */
    enum qti_cardinality cardinality;
    struct qti_choice *choices; /* in document order, identifiers distinct */
    size_t nchoices;
    char **correct; /* the correct response: choice identifiers, in document order */
    size_t ncorrect;
    int max_choices; /* 0: no limit */
    int min_choices;
    int shuffle;
    enum qti_scoring scoring;
    int has_mapping;          /* the response declaration has a mapping */
    double map_default;       /* its default-value (0 when absent) */
    int has_lower, has_upper; /* lower-bound / upper-bound given */
    double map_lower, map_upper;
    struct qti_map_entry *map; /* the mapping's entries, in document order */
    size_t nmap;
};

/*
 * Reads the n bytes at p as one QTI 3.0 or 2.1 item into *it. Returns CF_OK; CF_EINVAL
 * with err set (err may be NULL) when the bytes are not well-formed XML, have a DOCTYPE,
 * are not a QTI 3.0 or 2.1 item, or hold something this struct cannot represent: the
 * message names the element and its line. CF_ETOOBIG past QTI_MAX_BYTES, CF_ENOMEM when
 * memory runs out. *it is zeroed unless CF_OK.
 */
int qti_parse(const char *p, size_t n, struct qti_item *it, struct cf_error *err);

/*
 * Writes it as a QTI item of version v: a new NUL-terminated string in *out (the caller
 * frees it) and its length in *outn (may be NULL). qti_parse() of the result gives an item
 * equal to it (qti_item_equal) when it was itself read by qti_parse(). CF_EINVAL with err
 * set when it cannot be written (an empty identifier, no choice, a text that is not UTF-8
 * or holds a character XML forbids, an unknown version); CF_ETOOBIG when the XML would be
 * longer than QTI_MAX_BYTES (qti_parse would refuse it); CF_ENOMEM. *out is NULL on failure.
 */
int qti_write(const struct qti_item *it, enum qti_version v, char **out, size_t *outn,
              struct cf_error *err);

/*
 * 1 when a and b are equal field by field (strings byte for byte, numbers exactly), else 0
 * with the name of the first field that differs in why (why may be NULL; whylen its size).
 */
int qti_item_equal(const struct qti_item *a, const struct qti_item *b, char *why, size_t whylen);

/* Frees what it holds and zeroes it (it may be NULL). */
void qti_item_free(struct qti_item *it);

/* --- shared with qtipkg.c ------------------------------------------------------------- */

struct _xmlDoc;

/*
 * Parses the n bytes at p as XML with the same safety rules as qti_parse(): UTF-8, no
 * DOCTYPE, no network, no DTD, no entity substitution. what names the document in messages
 * ("the manifest"). Returns CF_OK with the document in *doc (the caller xmlFreeDoc()s it);
 * CF_EINVAL with err naming the line and column at fault, CF_ETOOBIG past max bytes,
 * CF_ENOMEM. *doc is NULL on failure.
 */
int qti__read_xml(const char *p, size_t n, size_t max, const char *what, struct _xmlDoc **doc,
                  struct cf_error *err);

#endif
