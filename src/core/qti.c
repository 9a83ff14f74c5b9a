/*
 * qti.c — QTI 3.0 and 2.1 choice items: read from XML with libxml2, written back with
 * libxml2's tree and serializer (which escapes every text and attribute).
 */
#include "core/qti.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

#define MSG_MAX    400 /* one refusal's message before its place is added */
#define NUMBER_MAX 64  /* bytes of a number written ("%.17g" needs 24) */

/* The element and attribute names of one QTI version. */
struct names {
    enum qti_version version;
    const char *ns;
    const char *item, *rdecl, *odecl, *correct, *value, *mapping, *map_entry, *default_el;
    const char *body, *interaction, *prompt, *choice, *rproc;
    const char *base_type, *resp_id, *max_choices, *min_choices, *map_key, *mapped_value;
    const char *default_value, *lower_bound, *upper_bound, *case_sensitive, *time_dependent;
    const char *template_base; /* the response-processing templates' URI, up to the name */
    const char *feedback_inline, *outcome_id, *show_hide;
};

static const struct names V3 = {
    QTI_V3,
    QTI_NS_V3,
    "qti-assessment-item",
    "qti-response-declaration",
    "qti-outcome-declaration",
    "qti-correct-response",
    "qti-value",
    "qti-mapping",
    "qti-map-entry",
    "qti-default-value",
    "qti-item-body",
    "qti-choice-interaction",
    "qti-prompt",
    "qti-simple-choice",
    "qti-response-processing",
    "base-type",
    "response-identifier",
    "max-choices",
    "min-choices",
    "map-key",
    "mapped-value",
    "default-value",
    "lower-bound",
    "upper-bound",
    "case-sensitive",
    "time-dependent",
    "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/",
    "qti-feedback-inline",
    "outcome-identifier",
    "show-hide",
};

static const struct names V21 = {
    QTI_V21,
    QTI_NS_V21,
    "assessmentItem",
    "responseDeclaration",
    "outcomeDeclaration",
    "correctResponse",
    "value",
    "mapping",
    "mapEntry",
    "defaultValue",
    "itemBody",
    "choiceInteraction",
    "prompt",
    "simpleChoice",
    "responseProcessing",
    "baseType",
    "responseIdentifier",
    "maxChoices",
    "minChoices",
    "mapKey",
    "mappedValue",
    "defaultValue",
    "lowerBound",
    "upperBound",
    "caseSensitive",
    "timeDependent",
    "http://www.imsglobal.org/question/qti_v2p1/rptemplates/",
    "feedbackInline",
    "outcomeIdentifier",
    "showHide",
};

/* Elements whose text is a block of its own: a space goes around it when text is joined. */
static const char *const BLOCKS[] = {"p",  "div", "br", "li", "ul", "ol", "table", "tr", "td",
                                     "th", "h1",  "h2", "h3", "h4", "h5", "h6",    "pre"};

/* --- reading XML safely ---------------------------------------------------------------- */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

/* libxml2 wants its globals set up once before threads use it. */
static void xml_init(void)
{
    xmlInitParser();
}

/* Line and column (from 1) of offset off in p. */
static void place(const char *p, size_t off, long *line, long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (p[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

/* The first error libxml2 reports while parsing (its last one is often only a consequence). */
struct first_error {
    int set;
    int code;
    int line, col;
    char msg[MSG_MAX];
};

static void keep_first(void *data, xmlError *e)
{
    struct first_error *fe = ((xmlParserCtxt *)data)->_private;

    if (fe == NULL || fe->set || e == NULL || e->level < XML_ERR_ERROR)
        return;
    fe->set = 1;
    fe->code = e->code;
    fe->line = e->line;
    fe->col = e->int2;
    snprintf(fe->msg, sizeof fe->msg, "%s", e->message != NULL ? e->message : "not well-formed");
    /* libxml2's messages can span lines ("...\nBytes: 0xE9 ..."): one line here. */
    for (char *c = fe->msg; *c != '\0'; c++)
        if (*c == '\n')
            *c = ' ';
}

int qti__read_xml(const char *p, size_t n, size_t max, const char *what, xmlDoc **doc,
                  struct cf_error *err)
{
    struct first_error fe = {0, 0, 0, 0, "not well-formed"};
    static const char doctype[] = "<!DOCTYPE";
    xmlParserCtxt *ctxt = NULL;
    const char *d;
    long line, col;
    int rc = CF_OK;

    *doc = NULL;
    if (n > max || n > INT_MAX)
        return cf_error_set(err, CF_ETOOBIG, "", "%s is %zu bytes, over the limit of %zu", what, n,
                            max);

    /* Refused before parsing, so no DTD is ever read (entity definitions, external ids). */
    d = memmem(p, n, doctype, sizeof doctype - 1);
    if (d != NULL) {
        place(p, (size_t)(d - p), &line, &col);
        return cf_error_set(err, CF_EINVAL, "", "%s, line %ld, column %ld: a DOCTYPE is refused",
                            what, line, col);
    }

    pthread_once(&xml_once, xml_init);
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");
    ctxt->_private = &fe;
    ctxt->sax->serror = keep_first;
    /* UTF-8 forced: a document in another encoding is refused, not converted. */
    *doc = xmlCtxtReadMemory(ctxt, p, (int)n, NULL, "UTF-8",
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                 XML_PARSE_NOCDATA);
    if (*doc == NULL || !ctxt->wellFormed) {
        size_t len = strlen(fe.msg);

        if (fe.code == XML_ERR_NO_MEMORY) {
            rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
            goto out;
        }
        while (len > 0 && (fe.msg[len - 1] == '\n' || fe.msg[len - 1] == ' '))
            fe.msg[--len] = '\0';
        rc = cf_error_set(err, CF_EINVAL, "", "%s is not well-formed XML: line %d, column %d: %s",
                          what, fe.line, fe.col, fe.msg);
        goto out;
    }
    if ((*doc)->intSubset != NULL || (*doc)->extSubset != NULL) {
        rc = cf_error_set(err, CF_EINVAL, "", "%s: a DOCTYPE is refused", what);
        goto out;
    }

out:
    if (rc != CF_OK && *doc != NULL) {
        xmlFreeDoc(*doc);
        *doc = NULL;
    }
    xmlFreeParserCtxt(ctxt);
    return rc;
}

/* --- small helpers ---------------------------------------------------------------------- */

/* 1 when node is an element named name in the namespace of nm. */
static int is_el(const xmlNode *node, const struct names *nm, const char *name)
{
    return node != NULL && node->type == XML_ELEMENT_NODE && node->ns != NULL &&
           node->ns->href != NULL && strcmp((const char *)node->ns->href, nm->ns) == 0 &&
           strcmp((const char *)node->name, name) == 0;
}

/* Fills err with CF_EINVAL: "line L, <element>: message". Returns CF_EINVAL. */
static int refuse(struct cf_error *err, const xmlNode *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int refuse(struct cf_error *err, const xmlNode *node, const char *fmt, ...)
{
    char msg[MSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return cf_error_set(err, CF_EINVAL, (const char *)node->name, "line %ld, <%s>: %s",
                        xmlGetLineNo(node), (const char *)node->name, msg);
}

/* The value of attribute name (no namespace) of node: a new string or NULL when absent. */
static char *attr(const xmlNode *node, const char *name)
{
    xmlChar *v = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *s;

    if (v == NULL)
        return NULL;
    s = strdup((const char *)v);
    xmlFree(v);
    return s;
}

/* Appends the bytes of s with every run of white space made one space. */
static int add_squeezed(struct buf *b, const char *s)
{
    int rc = CF_OK;

    for (; *s != '\0' && rc == CF_OK; s++) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
            if (b->n > 0 && b->p[b->n - 1] != ' ')
                rc = buf_addc(b, ' ');
        } else {
            rc = buf_addc(b, *s);
        }
    }
    return rc;
}

static int is_block(const xmlNode *node)
{
    for (size_t i = 0; i < sizeof BLOCKS / sizeof BLOCKS[0]; i++)
        if (strcmp((const char *)node->name, BLOCKS[i]) == 0)
            return 1;
    return 0;
}

/*
 * Appends the text under node's children to b, leaving out the element skip (may be NULL)
 * and every element named skip_name (may be NULL: a choice's inline feedback).
 */
static int add_text(struct buf *b, const xmlNode *node, const xmlNode *skip, const char *skip_name)
{
    int rc = CF_OK;

    for (const xmlNode *c = node->children; c != NULL && rc == CF_OK; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            if (c->content != NULL)
                rc = add_squeezed(b, (const char *)c->content);
        } else if (c->type == XML_ELEMENT_NODE && c != skip &&
                   (skip_name == NULL || strcmp((const char *)c->name, skip_name) != 0)) {
            if (is_block(c))
                rc = add_squeezed(b, " ");
            if (rc == CF_OK)
                rc = add_text(b, c, skip, skip_name);
            if (rc == CF_OK && is_block(c))
                rc = add_squeezed(b, " ");
        }
    }
    return rc;
}

/*
 * The text under node (skip and elements named skip_name left out; both may be NULL), white
 * space squeezed and trimmed: a new string in *out. CF_EINVAL (err set) past QTI_TEXT_MAX,
 * CF_ENOMEM.
 */
static int text_but(const xmlNode *node, const xmlNode *skip, const char *skip_name, char **out,
                    struct cf_error *err)
{
    struct buf b;
    int rc;

    *out = NULL;
    buf_init(&b, QTI_TEXT_MAX);
    rc = add_text(&b, node, skip, skip_name);
    if (rc == CF_ETOOBIG)
        return refuse(err, node, "the text is longer than %u bytes", QTI_TEXT_MAX);
    if (rc != CF_OK)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");
    if (b.n > 0 && b.p[b.n - 1] == ' ')
        b.p[--b.n] = '\0';
    *out = strdup(b.n > 0 && b.p[0] == ' ' ? b.p + 1 : buf_str(&b));
    buf_free(&b);
    return *out != NULL ? CF_OK : cf_error_set(err, CF_ENOMEM, "", "out of memory");
}

static int text_of(const xmlNode *node, const xmlNode *skip, char **out, struct cf_error *err)
{
    return text_but(node, skip, NULL, out, err);
}

/* 1 when s is a usable identifier: 1..QTI_ID_MAX bytes, no white space or control. */
static int good_id(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > QTI_ID_MAX)
        return 0;
    for (; *s != '\0'; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return 0;
    return 1;
}

/* The identifier attribute name of node, checked, into *out (a new string). */
static int get_id(const xmlNode *node, const char *name, char **out, struct cf_error *err)
{
    *out = attr(node, name);
    if (*out == NULL)
        return refuse(err, node, "the %s attribute is missing", name);
    if (!good_id(*out)) {
        free(*out);
        *out = NULL;
        return refuse(err, node, "the %s attribute must be 1 to %d characters without white space",
                      name, QTI_ID_MAX);
    }
    return CF_OK;
}

/* Attribute name of node as a boolean into *v (def when absent). */
static int get_bool(const xmlNode *node, const char *name, int def, int *v, struct cf_error *err)
{
    char *s = attr(node, name);
    int rc = CF_OK;

    *v = def;
    if (s == NULL)
        return CF_OK;
    if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *v = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *v = 0;
    else
        rc = refuse(err, node, "%s must be true or false", name);
    free(s);
    return rc;
}

/* Attribute name of node as a whole number 0..INT_MAX into *v (def when absent). */
static int get_count(const xmlNode *node, const char *name, int def, int *v, struct cf_error *err)
{
    char *s = attr(node, name), *end;
    long x;
    int rc = CF_OK;

    *v = def;
    if (s == NULL)
        return CF_OK;
    x = strtol(s, &end, 10);
    if (end == s || *end != '\0' || x < 0 || x > INT_MAX || s[0] == '+' || s[0] == ' ')
        rc = refuse(err, node, "%s must be a whole number from 0", name);
    else
        *v = (int)x;
    free(s);
    return rc;
}

/* Attribute name of node as a finite number into *v; *has says whether it was there. */
static int get_double(const xmlNode *node, const char *name, double *v, int *has,
                      struct cf_error *err)
{
    char *s = attr(node, name), *end;
    int rc = CF_OK;

    *v = 0.0;
    *has = s != NULL;
    if (s == NULL)
        return CF_OK;
    *v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(*v) || s[0] == ' ')
        rc = refuse(err, node, "%s must be a finite number", name);
    free(s);
    return rc;
}

/* The index of the choice named id, or -1. */
static long choice_index(const struct qti_item *it, const char *id)
{
    for (size_t i = 0; i < it->nchoices; i++)
        if (strcmp(it->choices[i].id, id) == 0)
            return (long)i;
    return -1;
}

/* --- reading an item ------------------------------------------------------------------ */

/* The version of root: its names, or NULL (err set) when it is not a QTI 3.0 or 2.1 item. */
static const struct names *version_of(const xmlNode *root, struct cf_error *err)
{
    if (is_el(root, &V3, V3.item))
        return &V3;
    if (is_el(root, &V21, V21.item))
        return &V21;
    refuse(err, root,
           "not a QTI item: the root must be <%s> in namespace %s (QTI 3.0) or <%s> in namespace "
           "%s (QTI 2.1)",
           V3.item, V3.ns, V21.item, V21.ns);
    return NULL;
}

/*
 * Finds the one choice interaction under node into *found, refusing any other interaction
 * and a second choice interaction.
 */
static int find_interaction(const xmlNode *node, const struct names *nm, const xmlNode **found,
                            struct cf_error *err)
{
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        const char *name = (const char *)c->name;
        size_t len;
        int rc;

        if (c->type != XML_ELEMENT_NODE)
            continue;
        len = strlen(name);
        if (is_el(c, nm, nm->interaction)) {
            if (*found != NULL)
                return refuse(err, c, "a second choice interaction: an item holds only one");
            *found = c;
        } else if (nm->version == QTI_V3
                       ? (len > 12 && strncmp(name, "qti-", 4) == 0 &&
                          strcmp(name + len - 12, "-interaction") == 0)
                       : (len > 11 && strcmp(name + len - 11, "Interaction") == 0)) {
            return refuse(err, c, "only choice interactions can be read");
        }
        /* Inside the choice interaction too: an interaction nested in a choice is refused. */
        rc = find_interaction(c, nm, found, err);
        if (rc != CF_OK)
            return rc;
    }
    return CF_OK;
}

/* Counts the children of node that are elements name of nm. */
static size_t count_el(const xmlNode *node, const struct names *nm, const char *name)
{
    size_t n = 0;

    for (const xmlNode *c = node->children; c != NULL; c = c->next)
        n += (size_t)is_el(c, nm, name);
    return n;
}

/* The first child of node that is element name of nm, or NULL. */
static const xmlNode *child(const xmlNode *node, const struct names *nm, const char *name)
{
    for (const xmlNode *c = node->children; c != NULL; c = c->next)
        if (is_el(c, nm, name))
            return c;
    return NULL;
}

/*
 * The rationale of choice c into ch->rationale: the text of its inline feedback whose
 * identifier is the choice's (a second one is refused), "" when it has none. Inline feedback
 * with another identifier is not kept.
 */
static int read_rationale(const xmlNode *c, const struct names *nm, struct qti_choice *ch,
                          struct cf_error *err)
{
    const xmlNode *found = NULL;

    for (const xmlNode *f = c->children; f != NULL; f = f->next) {
        char *id;
        int mine;

        if (!is_el(f, nm, nm->feedback_inline))
            continue;
        id = attr(f, "identifier");
        mine = id != NULL && strcmp(id, ch->id) == 0;
        free(id);
        if (mine && found != NULL)
            return refuse(err, f, "a second <%s> for the choice \"%s\"", nm->feedback_inline,
                          ch->id);
        if (mine)
            found = f;
    }
    if (found != NULL)
        return text_of(found, NULL, &ch->rationale, err);
    ch->rationale = strdup("");
    return ch->rationale != NULL ? CF_OK : cf_error_set(err, CF_ENOMEM, "", "out of memory");
}

/* The choices of the interaction inter into it. */
static int read_choices(const xmlNode *inter, const struct names *nm, struct qti_item *it,
                        struct cf_error *err)
{
    size_t n = count_el(inter, nm, nm->choice);
    int rc;

    if (n == 0)
        return refuse(err, inter, "the interaction has no <%s>", nm->choice);
    if (n > QTI_CHOICES_MAX)
        return refuse(err, inter, "%zu choices, more than %d", n, QTI_CHOICES_MAX);
    it->choices = calloc(n, sizeof *it->choices);
    if (it->choices == NULL)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");

    for (const xmlNode *c = inter->children; c != NULL; c = c->next) {
        struct qti_choice *ch = &it->choices[it->nchoices];

        if (!is_el(c, nm, nm->choice))
            continue;
        it->nchoices++;
        rc = get_id(c, "identifier", &ch->id, err);
        if (rc == CF_OK)
            rc = get_bool(c, "fixed", 0, &ch->fixed, err);
        if (rc == CF_OK)
            rc = text_but(c, NULL, nm->feedback_inline, &ch->text, err);
        if (rc == CF_OK)
            rc = read_rationale(c, nm, ch, err);
        if (rc != CF_OK)
            return rc;
        if (choice_index(it, ch->id) < (long)it->nchoices - 1)
            return refuse(err, c, "the choice identifier \"%s\" is used twice", ch->id);
    }
    return CF_OK;
}

/* The correct response (a <correct-response> element, cr) into it, checked against the choices. */
static int read_correct(const xmlNode *cr, const struct names *nm, struct qti_item *it,
                        struct cf_error *err)
{
    size_t n = count_el(cr, nm, nm->value);
    int rc;

    if (n == 0)
        return refuse(err, cr, "the correct response has no <%s>", nm->value);
    if (it->cardinality == QTI_SINGLE && n != 1)
        return refuse(err, cr, "cardinality single takes one correct value, not %zu", n);
    it->correct = calloc(n, sizeof *it->correct);
    if (it->correct == NULL)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");

    for (const xmlNode *c = cr->children; c != NULL; c = c->next) {
        char *v;

        if (!is_el(c, nm, nm->value))
            continue;
        rc = text_of(c, NULL, &v, err);
        if (rc != CF_OK)
            return rc;
        it->correct[it->ncorrect++] = v;
        if (choice_index(it, v) < 0)
            return refuse(err, c, "the correct response \"%.*s\" names no choice", QTI_ID_MAX, v);
        for (size_t i = 0; i + 1 < it->ncorrect; i++)
            if (strcmp(it->correct[i], v) == 0)
                return refuse(err, c, "the correct response names \"%s\" twice", v);
    }
    return CF_OK;
}

/* The mapping m into it: its bounds and entries, each entry naming a choice once. */
static int read_mapping(const xmlNode *m, const struct names *nm, struct qti_item *it,
                        struct cf_error *err)
{
    size_t n = count_el(m, nm, nm->map_entry);
    int has, rc;

    it->has_mapping = 1;
    rc = get_double(m, nm->default_value, &it->map_default, &has, err);
    if (rc == CF_OK)
        rc = get_double(m, nm->lower_bound, &it->map_lower, &it->has_lower, err);
    if (rc == CF_OK)
        rc = get_double(m, nm->upper_bound, &it->map_upper, &it->has_upper, err);
    if (rc != CF_OK)
        return rc;
    if (n == 0)
        return CF_OK;
    it->map = calloc(n, sizeof *it->map);
    if (it->map == NULL)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");

    for (const xmlNode *c = m->children; c != NULL; c = c->next) {
        struct qti_map_entry *e = &it->map[it->nmap];

        if (!is_el(c, nm, nm->map_entry))
            continue;
        it->nmap++;
        rc = get_id(c, nm->map_key, &e->key, err);
        if (rc == CF_OK)
            rc = get_double(c, nm->mapped_value, &e->value, &has, err);
        if (rc == CF_OK && !has)
            rc = refuse(err, c, "the %s attribute is missing", nm->mapped_value);
        if (rc != CF_OK)
            return rc;
        if (choice_index(it, e->key) < 0)
            return refuse(err, c, "the map key \"%s\" names no choice", e->key);
        for (size_t i = 0; i + 1 < it->nmap; i++)
            if (strcmp(it->map[i].key, e->key) == 0)
                return refuse(err, c, "the map key \"%s\" is mapped twice", e->key);
    }
    return CF_OK;
}

/* The response declaration rd (of the interaction's response) into it. */
static int read_declaration(const xmlNode *rd, const struct names *nm, struct qti_item *it,
                            struct cf_error *err)
{
    char *card = attr(rd, "cardinality"), *bt = attr(rd, nm->base_type);
    const xmlNode *cr, *m;
    int rc = CF_OK;

    if (card != NULL && strcmp(card, "single") == 0) {
        it->cardinality = QTI_SINGLE;
    } else if (card != NULL && strcmp(card, "multiple") == 0) {
        it->cardinality = QTI_MULTIPLE;
    } else {
        rc = refuse(err, rd, "cardinality must be single or multiple");
        goto out;
    }
    if (bt == NULL || strcmp(bt, "identifier") != 0) {
        rc = refuse(err, rd, "%s must be identifier", nm->base_type);
        goto out;
    }
    if (count_el(rd, nm, nm->correct) != 1 || count_el(rd, nm, nm->mapping) > 1) {
        rc = refuse(err, rd, "the declaration needs one <%s> and at most one <%s>", nm->correct,
                    nm->mapping);
        goto out;
    }
    cr = child(rd, nm, nm->correct);
    rc = read_correct(cr, nm, it, err);
    m = child(rd, nm, nm->mapping);
    if (rc == CF_OK && m != NULL)
        rc = read_mapping(m, nm, it, err);

out:
    free(card);
    free(bt);
    return rc;
}

/* The response-processing element rp (may be NULL) into it->scoring. */
static int read_scoring(const xmlNode *rp, struct qti_item *it, struct cf_error *err)
{
    char *t;
    const char *name;
    int rc = CF_OK;

    it->scoring = QTI_SCORING_NONE;
    if (rp == NULL)
        return CF_OK;
    t = attr(rp, "template");
    if (t == NULL)
        return refuse(err, rp, "only the match_correct and map_response templates can be read");
    /* The template's last segment names it; the URI before it differs by version. */
    name = strrchr(t, '/') != NULL ? strrchr(t, '/') + 1 : t;
    if (strcmp(name, "match_correct") == 0 || strcmp(name, "match_correct.xml") == 0)
        it->scoring = QTI_MATCH_CORRECT;
    else if (strcmp(name, "map_response") == 0 || strcmp(name, "map_response.xml") == 0)
        it->scoring = QTI_MAP_RESPONSE;
    else
        rc = refuse(err, rp, "the template \"%.200s\" is not match_correct or map_response", t);
    free(t);
    return rc;
}

/* The item under root, of version nm, into it. */
static int read_item(const xmlNode *root, const struct names *nm, struct qti_item *it,
                     struct cf_error *err)
{
    const xmlNode *body, *inter = NULL, *rd = NULL;
    char *rid = NULL;
    int rc;

    rc = get_id(root, "identifier", &it->identifier, err);
    if (rc != CF_OK)
        return rc;
    it->title = attr(root, "title");
    if (it->title == NULL && (it->title = strdup("")) == NULL)
        return cf_error_set(err, CF_ENOMEM, "", "out of memory");

    /* The body: its one choice interaction, and the text around it. */
    if (count_el(root, nm, nm->body) != 1)
        return refuse(err, root, "the item needs exactly one <%s>", nm->body);
    body = child(root, nm, nm->body);
    rc = find_interaction(body, nm, &inter, err);
    if (rc != CF_OK)
        return rc;
    if (inter == NULL)
        return refuse(err, body, "no <%s>", nm->interaction);
    rc = text_of(body, inter, &it->body, err);
    if (rc != CF_OK)
        return rc;
    if (count_el(inter, nm, nm->prompt) > 1)
        return refuse(err, inter, "more than one <%s>", nm->prompt);
    if (child(inter, nm, nm->prompt) != NULL)
        rc = text_of(child(inter, nm, nm->prompt), NULL, &it->prompt, err);
    else if ((it->prompt = strdup("")) == NULL)
        rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
    if (rc == CF_OK)
        rc = get_bool(inter, "shuffle", 0, &it->shuffle, err);
    if (rc == CF_OK)
        rc = get_count(inter, nm->max_choices, 1, &it->max_choices, err);
    if (rc == CF_OK)
        rc = get_count(inter, nm->min_choices, 0, &it->min_choices, err);
    if (rc == CF_OK && it->max_choices > 0 && it->min_choices > it->max_choices)
        rc = refuse(err, inter, "%s is above %s", nm->min_choices, nm->max_choices);
    if (rc == CF_OK)
        rc = read_choices(inter, nm, it, err);
    if (rc != CF_OK)
        return rc;

    /* The declaration of the interaction's response. */
    rc = get_id(inter, nm->resp_id, &rid, err);
    if (rc != CF_OK)
        return rc;
    for (const xmlNode *c = root->children; c != NULL; c = c->next) {
        char *id;

        if (!is_el(c, nm, nm->rdecl))
            continue;
        id = attr(c, "identifier");
        if (id != NULL && strcmp(id, rid) == 0) {
            if (rd != NULL) {
                free(id);
                rc = refuse(err, c, "a second declaration of the response \"%s\"", rid);
                free(rid);
                return rc;
            }
            rd = c;
        }
        free(id);
    }
    if (rd == NULL) {
        rc = refuse(err, inter, "no <%s> declares the response \"%s\"", nm->rdecl, rid);
        free(rid);
        return rc;
    }
    free(rid);
    rc = read_declaration(rd, nm, it, err);
    if (rc != CF_OK)
        return rc;

    if (count_el(root, nm, nm->rproc) > 1)
        return refuse(err, root, "more than one <%s>", nm->rproc);
    return read_scoring(child(root, nm, nm->rproc), it, err);
}

int qti_parse(const char *p, size_t n, struct qti_item *it, struct cf_error *err)
{
    const struct names *nm;
    xmlDoc *doc = NULL;
    int rc;

    memset(it, 0, sizeof *it);
    rc = qti__read_xml(p, n, QTI_MAX_BYTES, "the item", &doc, err);
    if (rc != CF_OK)
        goto out;
    nm = version_of(xmlDocGetRootElement(doc), err);
    if (nm == NULL) {
        rc = CF_EINVAL;
        goto out;
    }
    rc = read_item(xmlDocGetRootElement(doc), nm, it, err);

out:
    if (rc != CF_OK)
        qti_item_free(it);
    xmlFreeDoc(doc);
    return rc;
}

/* --- writing an item ------------------------------------------------------------------ */

/* 1 when s is UTF-8 holding only characters XML 1.0 allows (tab, LF, CR, from U+0020). */
static int good_text(const char *s)
{
    if (s == NULL || !xmlCheckUTF8((const xmlChar *)s))
        return 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return 0;
        /* U+FFFE and U+FFFF: EF BF BE / EF BF BF. */
        if (c == 0xEF && (unsigned char)s[1] == 0xBF &&
            ((unsigned char)s[2] == 0xBE || (unsigned char)s[2] == 0xBF))
            return 0;
    }
    return 1;
}

/* Checks that it can be written; CF_EINVAL with err naming the field otherwise. */
static int check_item(const struct qti_item *it, struct cf_error *err)
{
    if (it->identifier == NULL || !good_id(it->identifier))
        return cf_error_set(err, CF_EINVAL, "identifier",
                            "the identifier must be 1 to %d characters without white space",
                            QTI_ID_MAX);
    if (!good_text(it->title) || !good_text(it->body) || !good_text(it->prompt))
        return cf_error_set(err, CF_EINVAL, "text",
                            "the title, body and prompt must be UTF-8 text XML allows");
    if (it->cardinality != QTI_SINGLE && it->cardinality != QTI_MULTIPLE)
        return cf_error_set(err, CF_EINVAL, "cardinality", "unknown cardinality");
    if (it->scoring != QTI_SCORING_NONE && it->scoring != QTI_MATCH_CORRECT &&
        it->scoring != QTI_MAP_RESPONSE)
        return cf_error_set(err, CF_EINVAL, "scoring", "unknown scoring");
    if (it->nchoices == 0 || it->nchoices > QTI_CHOICES_MAX)
        return cf_error_set(err, CF_EINVAL, "choices", "an item needs 1 to %d choices",
                            QTI_CHOICES_MAX);
    if (it->max_choices < 0 || it->min_choices < 0)
        return cf_error_set(err, CF_EINVAL, "max_choices", "choice counts must be 0 or more");
    for (size_t i = 0; i < it->nchoices; i++) {
        if (it->choices[i].id == NULL || !good_id(it->choices[i].id) ||
            choice_index(it, it->choices[i].id) != (long)i)
            return cf_error_set(err, CF_EINVAL, "choices",
                                "choice %zu: the identifier is empty, bad or used twice", i + 1);
        if (!good_text(it->choices[i].text) ||
            (it->choices[i].rationale != NULL && !good_text(it->choices[i].rationale)))
            return cf_error_set(err, CF_EINVAL, "choices",
                                "choice %zu: the text and rationale must be UTF-8 text XML allows",
                                i + 1);
    }
    if (it->ncorrect == 0 || (it->cardinality == QTI_SINGLE && it->ncorrect != 1))
        return cf_error_set(err, CF_EINVAL, "correct",
                            "the correct response needs one value (single) or more (multiple)");
    for (size_t i = 0; i < it->ncorrect; i++)
        if (it->correct[i] == NULL || choice_index(it, it->correct[i]) < 0)
            return cf_error_set(err, CF_EINVAL, "correct", "correct value %zu names no choice",
                                i + 1);
    if (!isfinite(it->map_default) || !isfinite(it->map_lower) || !isfinite(it->map_upper))
        return cf_error_set(err, CF_EINVAL, "map", "mapping values must be finite");
    for (size_t i = 0; i < it->nmap; i++)
        if (it->map[i].key == NULL || choice_index(it, it->map[i].key) < 0 ||
            !isfinite(it->map[i].value))
            return cf_error_set(err, CF_EINVAL, "map",
                                "map entry %zu: the key names no choice or the value is "
                                "not finite",
                                i + 1);
    return CF_OK;
}

/* A tree being written: a failed allocation sets oom, and later calls do nothing. */
struct tree {
    xmlDoc *doc;
    xmlNs *ns;
    int oom;
};

/* A new element name under parent (NULL after a failure). */
static xmlNode *el(struct tree *t, xmlNode *parent, const char *name)
{
    xmlNode *n;

    if (t->oom || parent == NULL)
        return NULL;
    n = xmlNewChild(parent, t->ns, (const xmlChar *)name, NULL);
    if (n == NULL)
        t->oom = 1;
    return n;
}

/* Sets attribute name of node to value (escaped when written). */
static void set(struct tree *t, xmlNode *node, const char *name, const char *value)
{
    if (t->oom || node == NULL)
        return;
    if (xmlNewProp(node, (const xmlChar *)name, (const xmlChar *)value) == NULL)
        t->oom = 1;
}

/* The shortest of %.15g, %.16g, %.17g that reads back as v exactly (0.1, not 0.1000...01). */
static void set_num(struct tree *t, xmlNode *node, const char *name, double v)
{
    char s[NUMBER_MAX];

    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, NULL) == v)
            break;
    }
    set(t, node, name, s);
}

static void set_int(struct tree *t, xmlNode *node, const char *name, int v)
{
    char s[NUMBER_MAX];

    snprintf(s, sizeof s, "%d", v);
    set(t, node, name, s);
}

/* Appends text to node (escaped when written). */
static void text(struct tree *t, xmlNode *node, const char *s)
{
    xmlNode *n;

    if (t->oom || node == NULL)
        return;
    n = xmlNewDocText(t->doc, (const xmlChar *)s);
    if (n == NULL || xmlAddChild(node, n) == NULL) {
        xmlFreeNode(n);
        t->oom = 1;
    }
}

/* The response declaration of it under root. */
static void write_declaration(struct tree *t, xmlNode *root, const struct names *nm,
                              const struct qti_item *it)
{
    xmlNode *rd = el(t, root, nm->rdecl), *cr, *m;

    set(t, rd, "identifier", "RESPONSE");
    set(t, rd, "cardinality", it->cardinality == QTI_SINGLE ? "single" : "multiple");
    set(t, rd, nm->base_type, "identifier");
    cr = el(t, rd, nm->correct);
    for (size_t i = 0; i < it->ncorrect; i++)
        text(t, el(t, cr, nm->value), it->correct[i]);
    if (!it->has_mapping && it->nmap == 0)
        return;
    m = el(t, rd, nm->mapping);
    set_num(t, m, nm->default_value, it->map_default);
    if (it->has_lower)
        set_num(t, m, nm->lower_bound, it->map_lower);
    if (it->has_upper)
        set_num(t, m, nm->upper_bound, it->map_upper);
    for (size_t i = 0; i < it->nmap; i++) {
        xmlNode *e = el(t, m, nm->map_entry);

        set(t, e, nm->map_key, it->map[i].key);
        set_num(t, e, nm->mapped_value, it->map[i].value);
        set(t, e, nm->case_sensitive, "true");
    }
}

/* The SCORE outcome, the body with its interaction, and the response processing. */
static void write_rest(struct tree *t, xmlNode *root, const struct names *nm,
                       const struct qti_item *it)
{
    xmlNode *od = el(t, root, nm->odecl), *body, *inter;
    char uri[QTI_ID_MAX];

    set(t, od, "identifier", "SCORE");
    set(t, od, "cardinality", "single");
    set(t, od, nm->base_type, "float");
    text(t, el(t, el(t, od, nm->default_el), nm->value), "0");
    for (size_t i = 0; i < it->nchoices; i++)
        if (it->choices[i].rationale != NULL && it->choices[i].rationale[0] != '\0') {
            /* The outcome the choices' inline feedback names (FEEDBACK), declared once. */
            od = el(t, root, nm->odecl);
            set(t, od, "identifier", "FEEDBACK");
            set(t, od, "cardinality", it->cardinality == QTI_SINGLE ? "single" : "multiple");
            set(t, od, nm->base_type, "identifier");
            break;
        }

    body = el(t, root, nm->body);
    if (it->body != NULL && it->body[0] != '\0')
        text(t, el(t, body, "p"), it->body);
    inter = el(t, body, nm->interaction);
    set(t, inter, nm->resp_id, "RESPONSE");
    set(t, inter, "shuffle", it->shuffle ? "true" : "false");
    set_int(t, inter, nm->max_choices, it->max_choices);
    set_int(t, inter, nm->min_choices, it->min_choices);
    if (it->prompt != NULL && it->prompt[0] != '\0')
        text(t, el(t, inter, nm->prompt), it->prompt);
    for (size_t i = 0; i < it->nchoices; i++) {
        xmlNode *c = el(t, inter, nm->choice);

        set(t, c, "identifier", it->choices[i].id);
        if (it->choices[i].fixed)
            set(t, c, "fixed", "true");
        text(t, c, it->choices[i].text);
        if (it->choices[i].rationale != NULL && it->choices[i].rationale[0] != '\0') {
            /* Shown when FEEDBACK holds the choice's identifier: its own rationale. */
            xmlNode *f = el(t, c, nm->feedback_inline);

            set(t, f, nm->outcome_id, "FEEDBACK");
            set(t, f, "identifier", it->choices[i].id);
            set(t, f, nm->show_hide, "show");
            text(t, f, it->choices[i].rationale);
        }
    }

    if (it->scoring == QTI_SCORING_NONE)
        return;
    snprintf(uri, sizeof uri, "%s%s", nm->template_base,
             it->scoring == QTI_MATCH_CORRECT ? "match_correct" : "map_response");
    set(t, el(t, root, nm->rproc), "template", uri);
}

int qti_write(const struct qti_item *it, enum qti_version v, char **out, size_t *outn,
              struct cf_error *err)
{
    const struct names *nm = v == QTI_V3 ? &V3 : v == QTI_V21 ? &V21 : NULL;
    struct tree t = {NULL, NULL, 0};
    xmlNode *root = NULL;
    xmlChar *mem = NULL;
    int size = 0, rc;

    *out = NULL;
    if (outn != NULL)
        *outn = 0;
    if (nm == NULL)
        return cf_error_set(err, CF_EINVAL, "version", "unknown QTI version %d", (int)v);
    rc = check_item(it, err);
    if (rc != CF_OK)
        return rc;

    pthread_once(&xml_once, xml_init);
    t.doc = xmlNewDoc((const xmlChar *)"1.0");
    if (t.doc != NULL)
        root = xmlNewDocNode(t.doc, NULL, (const xmlChar *)nm->item, NULL);
    if (root != NULL) {
        xmlDocSetRootElement(t.doc, root);
        t.ns = xmlNewNs(root, (const xmlChar *)nm->ns, NULL);
        xmlSetNs(root, t.ns);
    }
    t.oom = t.ns == NULL;
    set(&t, root, "identifier", it->identifier);
    set(&t, root, "title", it->title != NULL ? it->title : "");
    if (v == QTI_V21)
        set(&t, root, "adaptive", "false");
    set(&t, root, nm->time_dependent, "false");
    write_declaration(&t, root, nm, it);
    write_rest(&t, root, nm, it);
    if (t.oom) {
        rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
        goto out;
    }

    xmlDocDumpFormatMemoryEnc(t.doc, &mem, &size, "UTF-8", 1);
    if (mem == NULL || size < 0) {
        rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
        goto out;
    }
    /* Escaping can make the XML longer than the item read: never write what cannot be read. */
    if ((size_t)size > QTI_MAX_BYTES) {
        rc = cf_error_set(err, CF_ETOOBIG, "", "the item's XML would be %d bytes, over %u", size,
                          QTI_MAX_BYTES);
        goto out;
    }
    if ((*out = malloc((size_t)size + 1)) == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, "", "out of memory");
        goto out;
    }
    memcpy(*out, mem, (size_t)size);
    (*out)[size] = '\0';
    if (outn != NULL)
        *outn = (size_t)size;

out:
    xmlFree(mem);
    xmlFreeDoc(t.doc);
    return rc;
}

/* --- comparing and freeing ------------------------------------------------------------ */

static int same(const char *a, const char *b)
{
    return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

/* Copies name into why (when there is room) and returns 0. */
static int differ(char *why, size_t whylen, const char *name)
{
    if (why != NULL && whylen > 0)
        snprintf(why, whylen, "%s", name);
    return 0;
}

int qti_item_equal(const struct qti_item *a, const struct qti_item *b, char *why, size_t whylen)
{
    if (!same(a->identifier, b->identifier))
        return differ(why, whylen, "identifier");
    if (!same(a->title, b->title))
        return differ(why, whylen, "title");
    if (!same(a->body, b->body))
        return differ(why, whylen, "body");
    if (!same(a->prompt, b->prompt))
        return differ(why, whylen, "prompt");
    if (a->cardinality != b->cardinality)
        return differ(why, whylen, "cardinality");
    if (a->nchoices != b->nchoices)
        return differ(why, whylen, "nchoices");
    for (size_t i = 0; i < a->nchoices; i++)
        if (!same(a->choices[i].id, b->choices[i].id) ||
            !same(a->choices[i].text, b->choices[i].text) ||
            a->choices[i].fixed != b->choices[i].fixed)
            return differ(why, whylen, "choices");
    for (size_t i = 0; i < a->nchoices; i++)
        if (!same(a->choices[i].rationale, b->choices[i].rationale))
            return differ(why, whylen, "rationale");
    if (a->ncorrect != b->ncorrect)
        return differ(why, whylen, "ncorrect");
    for (size_t i = 0; i < a->ncorrect; i++)
        if (!same(a->correct[i], b->correct[i]))
            return differ(why, whylen, "correct");
    if (a->max_choices != b->max_choices)
        return differ(why, whylen, "max_choices");
    if (a->min_choices != b->min_choices)
        return differ(why, whylen, "min_choices");
    if (a->shuffle != b->shuffle)
        return differ(why, whylen, "shuffle");
    if (a->scoring != b->scoring)
        return differ(why, whylen, "scoring");
    if (a->has_mapping != b->has_mapping || a->map_default != b->map_default)
        return differ(why, whylen, "mapping");
    if (a->has_lower != b->has_lower || a->map_lower != b->map_lower)
        return differ(why, whylen, "map_lower");
    if (a->has_upper != b->has_upper || a->map_upper != b->map_upper)
        return differ(why, whylen, "map_upper");
    if (a->nmap != b->nmap)
        return differ(why, whylen, "nmap");
    for (size_t i = 0; i < a->nmap; i++)
        if (!same(a->map[i].key, b->map[i].key) || a->map[i].value != b->map[i].value)
            return differ(why, whylen, "map");
    return 1;
}

void qti_item_free(struct qti_item *it)
{
    if (it == NULL)
        return;
    free(it->identifier);
    free(it->title);
    free(it->body);
    free(it->prompt);
    for (size_t i = 0; i < it->nchoices; i++) {
        free(it->choices[i].id);
        free(it->choices[i].text);
        free(it->choices[i].rationale);
    }
    free(it->choices);
    for (size_t i = 0; i < it->ncorrect; i++)
        free(it->correct[i]);
    free(it->correct);
    for (size_t i = 0; i < it->nmap; i++)
        free(it->map[i].key);
    free(it->map);
    memset(it, 0, sizeof *it);
}
