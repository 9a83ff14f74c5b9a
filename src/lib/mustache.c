/*
 * mustache.c — the Mustache compiler (source → flat node array) and renderer.
 *
 * A template compiles to one array of nodes in preorder: a section's body is the
 * nodes after it up to its `end`, so rendering walks contiguous memory and never
 * allocates. Text, names and indentation live in one pool per template.
 *
 * Indentation. A standalone partial is indented "as if its source had the
 * indentation before every line". The compiler records where the lines of a
 * template begin (after a newline inside a text node, or a flag / INDENT node
 * where a line begins with a tag); the renderer writes the current indentation
 * there, and writes nothing when no indentation applies (the common case: one
 * buf_add per text node). Blocks passed to parents follow the reindentation
 * rules of the spec's inheritance module (see docs/internals/mustache.md).
 */
#include "lib/mustache.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum kind {
    K_TEXT,     /* literal text */
    K_INDENT,   /* a line begins here with a tag: write the indentation */
    K_VAR,      /* {{x}}, escaped */
    K_RAW,      /* {{{x}}} and {{&x}} */
    K_SECTION,  /* {{#x}} … {{/x}} */
    K_INVERTED, /* {{^x}} … {{/x}} */
    K_PARTIAL,  /* {{>x}} */
    K_PARENT,   /* {{<x}} … {{/x}}: its direct BLOCK children are arguments */
    K_BLOCK,    /* {{$x}} … {{/x}} */
};

#define F_HEAD       0x01 /* TEXT: a line begins at its first byte */
#define F_TAIL       0x02 /* TEXT: a line begins after its final newline */
#define F_STANDALONE 0x04 /* PARTIAL, PARENT: the tag stood alone; BLOCK: its opening tag did */
#define F_DYNAMIC    0x08 /* PARTIAL, PARENT: the name is looked up in the data ({{>*x}}) */
#define F_ARG        0x10 /* BLOCK: an argument given to a parent, not a place to fill */

#define NONE      UINT32_MAX
#define MAX_DELIM 16

struct node {
    uint8_t kind;
    uint8_t flags;
    uint16_t nseg; /* parts of a looked-up name: "a.b" 2, "." 0 */
    uint32_t end;  /* index one past this node's subtree */
    uint32_t off;  /* text or name in the pool; names are NUL-terminated per part */
    uint32_t len;  /* bytes of text or name */
    uint32_t ind;  /* indentation in the pool (PARTIAL, PARENT, BLOCK) */
    uint32_t nind;
    uint32_t hash; /* of a PARTIAL's or PARENT's name */
};

struct tpl {
    char *name;
    size_t nname;
    uint32_t hash;
    struct node *nodes;
    uint32_t nnodes;
    char *pool;
};

struct mustache_set {
    struct tpl **slots; /* open addressing on tpl->hash; cap is 0 or a power of two */
    size_t cap;
    size_t count;
};

/* ---- names and the set ---------------------------------------------------------------- */

static uint32_t hash_name(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static void tpl_free(struct tpl *t)
{
    if (t == NULL)
        return;
    free(t->name);
    free(t->nodes);
    free(t->pool);
    free(t);
}

static struct tpl **set_slot(const struct mustache_set *s, const char *name, size_t n, uint32_t h)
{
    size_t mask = s->cap - 1;
    size_t i;

    for (i = h & mask;; i = (i + 1) & mask) {
        struct tpl *t = s->slots[i];

        if (t == NULL || (t->hash == h && t->nname == n && memcmp(t->name, name, n) == 0))
            return &s->slots[i];
    }
}

static const struct tpl *set_find(const struct mustache_set *s, const char *name, size_t n,
                                  uint32_t h)
{
    if (s->cap == 0)
        return NULL;
    return *set_slot(s, name, n, h);
}

/* Stores t, replacing a template of the same name. CF_ENOMEM leaves the set unchanged. */
static int set_put(struct mustache_set *s, struct tpl *t)
{
    struct tpl **slot;

    if ((s->count + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct tpl **old = s->slots;
        size_t oldcap = s->cap;
        size_t i;

        s->slots = calloc(cap, sizeof *s->slots);
        if (s->slots == NULL) {
            s->slots = old;
            return CF_ENOMEM;
        }
        s->cap = cap;
        for (i = 0; i < oldcap; i++)
            if (old[i] != NULL)
                *set_slot(s, old[i]->name, old[i]->nname, old[i]->hash) = old[i];
        free(old);
    }
    slot = set_slot(s, t->name, t->nname, t->hash);
    if (*slot == NULL)
        s->count++;
    tpl_free(*slot);
    *slot = t;
    return CF_OK;
}

struct mustache_set *mustache_set_new(void)
{
    return calloc(1, sizeof(struct mustache_set));
}

void mustache_set_free(struct mustache_set *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < s->cap; i++)
        tpl_free(s->slots[i]);
    free(s->slots);
    free(s);
}

int mustache_set_has(const struct mustache_set *s, const char *name)
{
    size_t n = strlen(name);

    return set_find(s, name, n, hash_name(name, n)) != NULL;
}

/* ---- the compiler --------------------------------------------------------------------- */

struct open {
    uint32_t node;        /* the container, or NONE for the template itself */
    uint32_t last;        /* its last direct child, or NONE */
    size_t tag;           /* where its opening tag starts */
    size_t name, nname;   /* its name in the source, to match the closing tag */
    size_t ws, nws;       /* BLOCK: whitespace before its opening tag on that line */
    int left_clear;       /* BLOCK: nothing but whitespace before its opening tag */
    size_t strip, nstrip; /* the strip prefix to restore when it closes */
};

struct parser {
    const char *src;
    size_t n;
    const char *tname;
    struct cf_error *err;
    char otag[MAX_DELIM];
    size_t notag;
    char ctag[MAX_DELIM + 1]; /* room for the '}' or '=' that ends {{{x}}} and {{=a b=}} */
    size_t nctag;

    struct node *nodes;
    size_t nnodes, anodes;
    char *pool;
    size_t npool, apool;
    struct open open[MUSTACHE_MAX_DEPTH + 1];
    size_t depth;

    int bol;      /* at the start of a line: strip applies */
    int mark;     /* a line begins before the next output: record it */
    int clean;    /* nothing but whitespace and parent/argument tags so far on this line */
    size_t strip; /* whitespace removed from line starts inside an argument block (in src) */
    size_t nstrip;
};

static int perr(struct parser *p, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A syntax error at offset at: "NAME:LINE: message". Returns CF_EINVAL. */
static int perr(struct parser *p, size_t at, const char *fmt, ...)
{
    char msg[300];
    size_t line = 1;
    size_t i;
    va_list ap;

    for (i = 0; i < at && i < p->n; i++)
        line += p->src[i] == '\n';
    va_start(ap, fmt);
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    va_end(ap);
    return cf_error_set(p->err, CF_EINVAL, NULL, "%.100s:%zu: %s", p->tname, line, msg);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int pool_add(struct parser *p, const char *s, size_t n, uint32_t *off)
{
    if (p->npool + n + 1 > p->apool) {
        size_t want = p->apool ? p->apool : 256;
        char *q;

        while (want < p->npool + n + 1)
            want *= 2;
        q = realloc(p->pool, want);
        if (q == NULL)
            return cf_error_set(p->err, CF_ENOMEM, NULL, "out of memory");
        p->pool = q;
        p->apool = want;
    }
    if (off != NULL)
        *off = (uint32_t)p->npool;
    if (n > 0)
        memcpy(p->pool + p->npool, s, n);
    p->npool += n;
    return CF_OK;
}

/* Appends a node to the open container; its index goes to *at. */
static int node_add(struct parser *p, enum kind kind, uint32_t *at)
{
    struct node *nd;

    if (p->nnodes == p->anodes) {
        size_t want = p->anodes ? p->anodes * 2 : 32;
        struct node *q = realloc(p->nodes, want * sizeof *q);

        if (q == NULL)
            return cf_error_set(p->err, CF_ENOMEM, NULL, "out of memory");
        p->nodes = q;
        p->anodes = want;
    }
    nd = &p->nodes[p->nnodes];
    memset(nd, 0, sizeof *nd);
    nd->kind = (uint8_t)kind;
    nd->end = (uint32_t)p->nnodes + 1;
    *at = (uint32_t)p->nnodes;
    p->open[p->depth].last = *at;
    p->nnodes++;
    return CF_OK;
}

static int in_parent(const struct parser *p)
{
    return p->depth > 0 && p->nodes[p->open[p->depth].node].kind == K_PARENT;
}

/* Skips, from src[a..b), the part of the current strip prefix it begins with. */
static size_t strip_ws(const struct parser *p, size_t a, size_t b)
{
    size_t k = 0;

    while (k < p->nstrip && a < b && p->src[a] == p->src[p->strip + k]) {
        a++;
        k++;
    }
    return a;
}

/*
 * Emits the text src[a..b) into the open container, line by line: strips the
 * argument indentation at line starts and keeps track of where lines begin.
 * Text directly inside a parent tag is ignored, as the spec says.
 */
static int emit_text(struct parser *p, size_t a, size_t b)
{
    int drop = in_parent(p);
    uint32_t node = NONE;
    int rc;

    while (a < b) {
        const char *nl = memchr(p->src + a, '\n', b - a);
        size_t e = nl != NULL ? (size_t)(nl - p->src) + 1 : b;
        size_t i;

        if (p->bol)
            a = strip_ws(p, a, e);
        if (a == e)
            continue;
        if (nl != NULL) {
            p->clean = 1;
        } else {
            for (i = a; i < e; i++)
                if (!is_ws(p->src[i]))
                    p->clean = 0;
        }
        if (!drop) {
            if (node == NONE) {
                rc = node_add(p, K_TEXT, &node);
                if (rc != CF_OK)
                    return rc;
                p->nodes[node].off = (uint32_t)p->npool;
                if (p->mark)
                    p->nodes[node].flags |= F_HEAD;
            }
            rc = pool_add(p, p->src + a, e - a, NULL);
            if (rc != CF_OK)
                return rc;
            p->nodes[node].len += (uint32_t)(e - a);
        }
        p->bol = p->mark = nl != NULL;
        a = e;
    }
    return CF_OK;
}

/* Records, before a tag that is not standalone, that a line begins here. */
static int emit_mark(struct parser *p)
{
    uint32_t last = p->open[p->depth].last;
    uint32_t at;

    if (!p->mark || in_parent(p)) {
        p->bol = p->mark = 0;
        return CF_OK;
    }
    p->bol = p->mark = 0;
    if (last != NONE && p->nodes[last].kind == K_TEXT && !(p->nodes[last].flags & F_TAIL) &&
        p->pool[p->nodes[last].off + p->nodes[last].len - 1] == '\n') {
        p->nodes[last].flags |= F_TAIL;
        return CF_OK;
    }
    return node_add(p, K_INDENT, &at);
}

/* "." or dot-separated non-empty parts, without whitespace or NUL. */
static int valid_dotted(const char *s, size_t n)
{
    size_t i;

    if (n == 1 && s[0] == '.')
        return 1;
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (i = 0; i < n; i++)
        if (is_ws(s[i]) || s[i] == '\0' || (s[i] == '.' && s[i + 1] == '.'))
            return 0;
    return 1;
}

static int valid_plain(const char *s, size_t n)
{
    size_t i;

    if (n == 0)
        return 0;
    for (i = 0; i < n; i++)
        if (is_ws(s[i]) || s[i] == '\0')
            return 0;
    return 1;
}

/* Stores a looked-up name in node at: its parts NUL-terminated, one after another. */
static int set_dotted(struct parser *p, uint32_t at, const char *s, size_t n)
{
    struct node *nd;
    uint32_t off;
    size_t nseg = 1;
    size_t i;
    int rc;

    if (n == 1 && s[0] == '.')
        return CF_OK;
    for (i = 0; i < n; i++)
        nseg += s[i] == '.';
    if (nseg > UINT16_MAX)
        return perr(p, (size_t)(s - p->src), "name \"%.40s\" has too many parts", s);
    rc = pool_add(p, s, n + 1, &off);
    if (rc != CF_OK)
        return rc;
    for (i = off; i < off + n; i++)
        if (p->pool[i] == '.')
            p->pool[i] = '\0';
    p->pool[off + n] = '\0';
    nd = &p->nodes[at];
    nd->off = off;
    nd->len = (uint32_t)n;
    nd->nseg = (uint16_t)nseg;
    return CF_OK;
}

/* Stores a template or block name in node at, NUL-terminated, with its hash. */
static int set_plain(struct parser *p, uint32_t at, const char *s, size_t n)
{
    uint32_t off;
    int rc = pool_add(p, s, n + 1, &off);

    if (rc != CF_OK)
        return rc;
    p->pool[off + n] = '\0';
    p->nodes[at].off = off;
    p->nodes[at].len = (uint32_t)n;
    p->nodes[at].hash = hash_name(s, n);
    return CF_OK;
}

/* Stores src[a..b), less the strip prefix, as the indentation of node at. */
static int set_indent(struct parser *p, uint32_t at, size_t a, size_t b)
{
    uint32_t off;
    int rc;

    a = strip_ws(p, a, b);
    if (a == b)
        return CF_OK;
    rc = pool_add(p, p->src + a, b - a, &off);
    if (rc != CF_OK)
        return rc;
    p->nodes[at].ind = off;
    p->nodes[at].nind = (uint32_t)(b - a);
    return CF_OK;
}

/* Opens a container at node at for the tag at offset tag named src[name..name+nname). */
static int push_open(struct parser *p, uint32_t at, size_t tag, size_t name, size_t nname)
{
    struct open *o;

    if (p->depth == MUSTACHE_MAX_DEPTH)
        return perr(p, tag, "sections nested deeper than %d", MUSTACHE_MAX_DEPTH);
    o = &p->open[++p->depth];
    memset(o, 0, sizeof *o);
    o->node = at;
    o->last = NONE;
    o->tag = tag;
    o->name = name;
    o->nname = nname;
    o->strip = p->strip;
    o->nstrip = p->nstrip;
    return CF_OK;
}

static const char *kind_word(uint8_t kind)
{
    switch (kind) {
    case K_INVERTED:
        return "inverted section";
    case K_PARENT:
        return "parent";
    case K_BLOCK:
        return "block";
    default:
        return "section";
    }
}

/* Reads the new delimiters of a {{=a b=}} tag from src[a..b). */
static int set_delims(struct parser *p, size_t tag, size_t a, size_t b)
{
    const char *s = p->src;
    size_t o = a;
    size_t no;
    size_t c;
    size_t nc;
    size_t i;

    while (o < b && !is_ws(s[o]))
        o++;
    no = o - a;
    c = o;
    while (c < b && is_ws(s[c]))
        c++;
    nc = b - c;
    if (no == 0 || nc == 0 || no > MAX_DELIM || nc > MAX_DELIM)
        return perr(p, tag, "invalid set delimiter tag");
    for (i = 0; i < no; i++)
        if (s[a + i] == '=' || s[a + i] == '\0')
            return perr(p, tag, "invalid set delimiter tag");
    for (i = 0; i < nc; i++)
        if (is_ws(s[c + i]) || s[c + i] == '=' || s[c + i] == '\0')
            return perr(p, tag, "invalid set delimiter tag");
    memcpy(p->otag, s + a, no);
    p->notag = no;
    memcpy(p->ctag, s + c, nc);
    p->nctag = nc;
    return CF_OK;
}

/* Everything the compiler knows about one tag. */
struct tag {
    size_t at;          /* first byte of the opening delimiter */
    size_t end;         /* one past the closing delimiter */
    char sigil;         /* '#', '^', '/', '!', '=', '>', '<', '$', '&', '{', or 0 */
    size_t name, nname; /* trimmed content after the sigil */
    size_t ls;          /* start of the whitespace before the tag on its line */
    int left_ok;        /* only whitespace before the tag on its line */
    size_t re;          /* where the next line begins, when right_ok */
    int right_ok;       /* only whitespace after the tag on its line */
};

/* Finds the tag starting at t and fills tg; chunk is where pending text begins. */
static int read_tag(struct parser *p, size_t t, size_t chunk, struct tag *tg)
{
    const char *s = p->src;
    size_t q = t + p->notag;
    char close[MAX_DELIM + 1];
    size_t nclose = 0;
    const char *c;
    size_t a;
    size_t b;
    size_t r;

    memset(tg, 0, sizeof *tg);
    tg->at = t;
    while (q < p->n && (s[q] == ' ' || s[q] == '\t'))
        q++;
    if (q < p->n) {
        switch (s[q]) {
        case '#':
        case '^':
        case '/':
        case '!':
        case '=':
        case '>':
        case '<':
        case '$':
        case '&':
        case '{':
            tg->sigil = s[q++];
            break;
        default:
            break;
        }
    }
    if (tg->sigil == '{')
        close[nclose++] = '}';
    else if (tg->sigil == '=')
        close[nclose++] = '=';
    memcpy(close + nclose, p->ctag, p->nctag);
    nclose += p->nctag;
    c = memmem(s + q, p->n - q, close, nclose);
    if (c == NULL)
        return perr(p, t, "unclosed tag");
    tg->end = (size_t)(c - s) + nclose;

    a = q;
    b = (size_t)(c - s);
    while (a < b && is_ws(s[a]))
        a++;
    while (b > a && is_ws(s[b - 1]))
        b--;
    tg->name = a;
    tg->nname = b - a;

    tg->ls = t;
    while (tg->ls > chunk && (s[tg->ls - 1] == ' ' || s[tg->ls - 1] == '\t'))
        tg->ls--;
    tg->left_ok = tg->ls == 0 || s[tg->ls - 1] == '\n';

    r = tg->end;
    while (r < p->n && (s[r] == ' ' || s[r] == '\t'))
        r++;
    if (r == p->n) {
        tg->right_ok = 1;
        tg->re = r;
    } else if (s[r] == '\n') {
        tg->right_ok = 1;
        tg->re = r + 1;
    } else if (s[r] == '\r' && r + 1 < p->n && s[r + 1] == '\n') {
        tg->right_ok = 1;
        tg->re = r + 2;
    }
    return CF_OK;
}

/* The whitespace at the start of the line beginning at offset a: its end. */
static size_t line_ws_end(const struct parser *p, size_t a)
{
    while (a < p->n && (p->src[a] == ' ' || p->src[a] == '\t'))
        a++;
    return a;
}

/*
 * A tag that occupies no output: emits the pending text and removes the whole
 * line when the tag stands alone on it. Returns where the next text begins.
 */
static int plain_tag(struct parser *p, const struct tag *tg, size_t chunk, size_t *next,
                     int *standalone)
{
    int rc;

    *standalone = tg->left_ok && tg->right_ok;
    if (*standalone) {
        rc = emit_text(p, chunk, tg->ls);
        *next = tg->re;
        p->clean = 1;
        return rc;
    }
    rc = emit_text(p, chunk, tg->at);
    if (rc == CF_OK)
        rc = emit_mark(p);
    p->clean = 0;
    *next = tg->end;
    return rc;
}

/* {{/x}}: checks it matches the open container and closes it. */
static int close_tag(struct parser *p, const struct tag *tg, size_t chunk, size_t *next)
{
    const char *s = p->src;
    struct open *o = &p->open[p->depth];
    struct node *nd;
    uint32_t at;
    int standalone;
    int rc;

    if (p->depth == 0)
        return perr(p, tg->at, "unexpected closing tag \"%.*s\"", (int)tg->nname, s + tg->name);
    if (tg->nname != o->nname || memcmp(s + tg->name, s + o->name, o->nname) != 0) {
        size_t line = 1;
        size_t i;

        for (i = 0; i < o->tag; i++)
            line += s[i] == '\n';
        return perr(p, tg->at, "closing tag \"%.*s\" does not match \"%.*s\" opened on line %zu",
                    (int)(tg->nname > 60 ? 60 : tg->nname), s + tg->name,
                    (int)(o->nname > 60 ? 60 : o->nname), s + o->name, line);
    }
    at = o->node;

    if (p->nodes[at].kind == K_PARENT) {
        /* The text before it is ignored; it stands alone when its line is clean. */
        rc = emit_text(p, chunk, tg->at);
        if (rc != CF_OK)
            return rc;
        if (p->clean && tg->right_ok) {
            *next = tg->re;
            p->bol = p->mark = p->clean = 1;
        } else {
            *next = tg->end;
            p->bol = p->mark = p->clean = 0;
        }
    } else if (p->nodes[at].flags & F_ARG) {
        /* An argument ends at its tag; what follows on the line is ignored. */
        rc = emit_text(p, chunk, tg->left_ok ? tg->ls : tg->at);
        if (rc != CF_OK)
            return rc;
        *next = tg->end;
        p->bol = p->mark = 0;
        p->strip = o->strip;
        p->nstrip = o->nstrip;
    } else {
        rc = plain_tag(p, tg, chunk, next, &standalone);
        if (rc != CF_OK)
            return rc;
        nd = &p->nodes[at];
        /* A block whose tags frame a line of their own indents what replaces it. */
        if (nd->kind == K_BLOCK && !(nd->flags & F_STANDALONE) && o->left_clear && tg->right_ok) {
            rc = set_indent(p, at, o->ws, o->ws + o->nws);
            if (rc != CF_OK)
                return rc;
        }
    }
    p->nodes[at].end = (uint32_t)p->nnodes;
    p->depth--;
    return CF_OK;
}

/* {{$x}}: an argument directly inside a parent tag, else a place a parent's child may fill. */
static int block_tag(struct parser *p, const struct tag *tg, size_t chunk, size_t *next)
{
    uint32_t at;
    size_t ws_end;
    int standalone;
    int rc;

    if (!valid_plain(p->src + tg->name, tg->nname))
        return perr(p, tg->at, "invalid block name \"%.*s\"", (int)tg->nname, p->src + tg->name);

    if (in_parent(p)) {
        rc = emit_text(p, chunk, tg->at);
        if (rc == CF_OK)
            rc = node_add(p, K_BLOCK, &at);
        if (rc == CF_OK)
            rc = set_plain(p, at, p->src + tg->name, tg->nname);
        if (rc == CF_OK)
            rc = push_open(p, at, tg->at, tg->name, tg->nname);
        if (rc != CF_OK)
            return rc;
        p->nodes[at].flags |= F_ARG;
        /* Standing alone, its first line starts the content, which loses that line's indent. */
        if (tg->right_ok) {
            *next = tg->re;
            p->strip = tg->re;
            p->nstrip = line_ws_end(p, tg->re) - tg->re;
            p->bol = p->clean = 1;
        } else {
            *next = tg->end;
            p->bol = 0;
        }
        p->mark = 0;
        return CF_OK;
    }

    rc = plain_tag(p, tg, chunk, next, &standalone);
    if (rc == CF_OK)
        rc = node_add(p, K_BLOCK, &at);
    if (rc == CF_OK)
        rc = set_plain(p, at, p->src + tg->name, tg->nname);
    if (rc == CF_OK && standalone) {
        /* What replaces it is indented like the first line of its default content. */
        p->nodes[at].flags |= F_STANDALONE;
        ws_end = line_ws_end(p, tg->re);
        rc = set_indent(p, at, tg->re, ws_end);
    }
    if (rc == CF_OK)
        rc = push_open(p, at, tg->at, tg->name, tg->nname);
    if (rc != CF_OK)
        return rc;
    p->open[p->depth].left_clear = tg->left_ok;
    p->open[p->depth].ws = tg->ls;
    p->open[p->depth].nws = tg->at - tg->ls;
    return CF_OK;
}

/* {{>x}} and {{<x}}, with {{>*x}} looking the name up in the data. */
static int include_tag(struct parser *p, const struct tag *tg, size_t chunk, size_t *next)
{
    const char *s = p->src;
    size_t a = tg->name;
    size_t n = tg->nname;
    int dynamic = n > 0 && s[a] == '*';
    int parent = tg->sigil == '<';
    int standalone;
    uint32_t at;
    int rc;

    if (dynamic) {
        a++;
        n--;
        while (n > 0 && is_ws(s[a])) {
            a++;
            n--;
        }
    }
    if (dynamic ? !valid_dotted(s + a, n) : !valid_plain(s + a, n))
        return perr(p, tg->at, "invalid %s name \"%.*s\"", parent ? "parent" : "partial",
                    (int)tg->nname, s + tg->name);

    /* A parent stands alone when it begins its line: what follows it is ignored. */
    standalone = tg->left_ok && (parent || tg->right_ok);
    rc = emit_text(p, chunk, standalone ? tg->ls : tg->at);
    if (rc == CF_OK && !standalone)
        rc = emit_mark(p);
    if (rc == CF_OK)
        rc = node_add(p, parent ? K_PARENT : K_PARTIAL, &at);
    if (rc == CF_OK)
        rc = dynamic ? set_dotted(p, at, s + a, n) : set_plain(p, at, s + a, n);
    if (rc == CF_OK && standalone)
        rc = set_indent(p, at, tg->ls, tg->at);
    if (rc != CF_OK)
        return rc;
    if (standalone)
        p->nodes[at].flags |= F_STANDALONE;
    if (dynamic)
        p->nodes[at].flags |= F_DYNAMIC;

    if (parent) {
        *next = tg->end;
        p->bol = p->mark = 0;
        if (!standalone)
            p->clean = 0;
        return push_open(p, at, tg->at, tg->name, tg->nname);
    }
    if (standalone) {
        *next = tg->re;
        p->clean = 1;
    } else {
        *next = tg->end;
        p->clean = 0;
    }
    return CF_OK;
}

/* One tag: dispatches on its sigil. *next is where the following text begins. */
static int handle_tag(struct parser *p, const struct tag *tg, size_t chunk, size_t *next)
{
    const char *s = p->src;
    int standalone;
    uint32_t at;
    int rc;

    switch (tg->sigil) {
    case '!':
        return plain_tag(p, tg, chunk, next, &standalone);
    case '=':
        rc = plain_tag(p, tg, chunk, next, &standalone);
        return rc != CF_OK ? rc : set_delims(p, tg->at, tg->name, tg->name + tg->nname);
    case '#':
    case '^':
        if (!valid_dotted(s + tg->name, tg->nname))
            return perr(p, tg->at, "invalid section name \"%.*s\"", (int)tg->nname, s + tg->name);
        rc = plain_tag(p, tg, chunk, next, &standalone);
        if (rc == CF_OK)
            rc = node_add(p, tg->sigil == '#' ? K_SECTION : K_INVERTED, &at);
        if (rc == CF_OK)
            rc = set_dotted(p, at, s + tg->name, tg->nname);
        return rc != CF_OK ? rc : push_open(p, at, tg->at, tg->name, tg->nname);
    case '/':
        return close_tag(p, tg, chunk, next);
    case '>':
    case '<':
        return include_tag(p, tg, chunk, next);
    case '$':
        return block_tag(p, tg, chunk, next);
    default:
        if (!valid_dotted(s + tg->name, tg->nname))
            return perr(p, tg->at, "invalid name \"%.*s\"", (int)tg->nname, s + tg->name);
        rc = emit_text(p, chunk, tg->at);
        if (rc == CF_OK)
            rc = emit_mark(p);
        if (rc == CF_OK)
            rc = node_add(p, tg->sigil == 0 ? K_VAR : K_RAW, &at);
        if (rc == CF_OK)
            rc = set_dotted(p, at, s + tg->name, tg->nname);
        p->clean = 0;
        *next = tg->end;
        return rc;
    }
}

static int parse(struct parser *p)
{
    size_t chunk = 0;
    struct tag tg;
    int rc;

    for (;;) {
        const char *o = memmem(p->src + chunk, p->n - chunk, p->otag, p->notag);
        size_t next;

        if (o == NULL)
            break;
        rc = read_tag(p, (size_t)(o - p->src), chunk, &tg);
        if (rc == CF_OK)
            rc = handle_tag(p, &tg, chunk, &next);
        if (rc != CF_OK)
            return rc;
        chunk = next;
    }
    rc = emit_text(p, chunk, p->n);
    if (rc != CF_OK)
        return rc;
    if (p->depth > 0) {
        const struct open *op = &p->open[p->depth];

        return perr(p, op->tag, "unclosed %s \"%.*s\"", kind_word(p->nodes[op->node].kind),
                    (int)(op->nname > 60 ? 60 : op->nname), p->src + op->name);
    }
    return CF_OK;
}

/* Compiles src into a new template called name; *out is NULL on failure. */
static int compile(const char *name, const char *src, size_t n, struct tpl **out,
                   struct cf_error *err)
{
    struct parser *p;
    struct tpl *t = NULL;
    int rc;

    *out = NULL;
    p = calloc(1, sizeof *p);
    if (p == NULL)
        return cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
    p->src = src;
    p->n = n;
    p->tname = name;
    p->err = err;
    memcpy(p->otag, "{{", 2);
    p->notag = 2;
    memcpy(p->ctag, "}}", 2);
    p->nctag = 2;
    p->open[0].node = NONE;
    p->open[0].last = NONE;
    p->bol = p->mark = p->clean = 1;

    rc = parse(p);
    if (rc != CF_OK)
        goto out;
    /* Every template has a pool, so offsets are always valid. */
    rc = pool_add(p, "", 0, NULL);
    if (rc != CF_OK)
        goto out;

    t = calloc(1, sizeof *t);
    if (t == NULL || (t->name = strdup(name)) == NULL) {
        rc = cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
        goto out;
    }
    t->nname = strlen(name);
    t->hash = hash_name(name, t->nname);
    t->nodes = p->nodes;
    t->nnodes = (uint32_t)p->nnodes;
    t->pool = p->pool;
    p->nodes = NULL;
    p->pool = NULL;
    *out = t;
    t = NULL;
out:
    tpl_free(t);
    free(p->nodes);
    free(p->pool);
    free(p);
    return rc;
}

int mustache_set_add(struct mustache_set *s, const char *name, const char *src, size_t n,
                     struct cf_error *err)
{
    struct tpl *t;
    int rc;

    if (n > MUSTACHE_MAX_SOURCE)
        return cf_error_set(err, CF_ETOOBIG, NULL, "%.100s: template over %u bytes", name,
                            MUSTACHE_MAX_SOURCE);
    rc = compile(name, src != NULL ? src : "", n, &t, err);
    if (rc != CF_OK)
        return rc;
    rc = set_put(s, t);
    if (rc != CF_OK) {
        tpl_free(t);
        return cf_error_set(err, rc, NULL, "out of memory");
    }
    return CF_OK;
}

/* ---- loading a folder ------------------------------------------------------------------ */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads the whole file at path into b (capped at MUSTACHE_MAX_SOURCE). */
static int read_file(const char *path, struct buf *b, struct cf_error *err)
{
    char chunk[8192];
    FILE *f = fopen(path, "rb");
    size_t got;
    int rc = CF_OK;

    if (f == NULL)
        return cf_error_set(err, CF_EIO, NULL, "%.200s: cannot open: %s", path, strerror(errno));
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = buf_add(b, chunk, got);
        if (rc != CF_OK) {
            cf_error_set(err, rc, NULL, "%.200s: %s", path,
                         rc == CF_ETOOBIG ? "template too big" : "out of memory");
            break;
        }
    }
    if (rc == CF_OK && ferror(f))
        rc = cf_error_set(err, CF_EIO, NULL, "%.200s: cannot read", path);
    fclose(f);
    return rc;
}

int mustache_set_load_dir(struct mustache_set *s, const char *dir, struct cf_error *err)
{
    static const char ext[] = ".mustache";
    const size_t next = sizeof ext - 1;
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t nnames = 0;
    size_t anames = 0;
    struct dirent *de;
    struct buf path;
    struct buf src;
    size_t i;
    int rc = CF_OK;

    buf_init(&path, 4096);
    buf_init(&src, MUSTACHE_MAX_SOURCE);
    if (d == NULL)
        return cf_error_set(err, CF_EIO, NULL, "%.200s: cannot open: %s", dir, strerror(errno));

    /* Collect the names first so templates load in a stable order. */
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        struct stat st;

        if (len <= next || memcmp(de->d_name + len - next, ext, next) != 0)
            continue;
        if (fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (nnames == anames) {
            size_t want = anames ? anames * 2 : 16;
            char **q = realloc(names, want * sizeof *q);

            if (q == NULL) {
                rc = cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
                goto out;
            }
            names = q;
            anames = want;
        }
        names[nnames] = strdup(de->d_name);
        if (names[nnames] == NULL) {
            rc = cf_error_set(err, CF_ENOMEM, NULL, "out of memory");
            goto out;
        }
        nnames++;
    }
    if (nnames > 0)
        qsort(names, nnames, sizeof *names, cmp_names);

    for (i = 0; i < nnames; i++) {
        buf_reset(&path);
        buf_reset(&src);
        rc = buf_printf(&path, "%s/%s", dir, names[i]);
        if (rc != CF_OK) {
            cf_error_set(err, rc, NULL, "%.200s: path too long", dir);
            goto out;
        }
        rc = read_file(buf_str(&path), &src, err);
        if (rc != CF_OK)
            goto out;
        names[i][strlen(names[i]) - next] = '\0';
        rc = mustache_set_add(s, names[i], buf_str(&src), src.n, err);
        if (rc != CF_OK)
            goto out;
    }
out:
    for (i = 0; i < nnames; i++)
        free(names[i]);
    free(names);
    buf_free(&path);
    buf_free(&src);
    closedir(d);
    return rc;
}

/* ---- the renderer ---------------------------------------------------------------------- */

/* The indentation in force: pieces written outermost first. */
struct ind {
    const char *p;
    size_t n;
    const struct ind *up;
};

/* A parent tag being rendered: its BLOCK children are the arguments. */
struct arg {
    const struct tpl *t;
    uint32_t node;
};

struct render {
    const struct mustache_set *set;
    struct buf *out;
    struct cf_error *err;
    const char *name;
    const json_t *ctx[MUSTACHE_MAX_DEPTH + 1]; /* the context stack, innermost last */
    size_t nctx;
    struct arg args[MUSTACHE_MAX_DEPTH];
    size_t nargs;
    unsigned depth;
    unsigned long steps;
};

static int render_nodes(struct render *r, const struct tpl *t, uint32_t i, uint32_t end,
                        const struct ind *ind);

static int out_add(struct render *r, const char *s, size_t n)
{
    int rc = buf_add(r->out, s, n);

    if (rc != CF_OK)
        return cf_error_set(r->err, rc, NULL, "%.100s: %s", r->name,
                            rc == CF_ETOOBIG ? "output over its size limit" : "out of memory");
    return CF_OK;
}

static int put_ind(struct render *r, const struct ind *ind)
{
    int rc;

    if (ind == NULL)
        return CF_OK;
    rc = put_ind(r, ind->up);
    return rc != CF_OK ? rc : out_add(r, ind->p, ind->n);
}

static int empty_line(const char *s, size_t n)
{
    return n == 0 || s[0] == '\n' || (n > 1 && s[0] == '\r' && s[1] == '\n');
}

/* Writes text, indenting the lines that begin in it (blank lines stay blank). */
static int put_text(struct render *r, const char *s, size_t n, unsigned flags,
                    const struct ind *ind)
{
    int rc = CF_OK;

    if (ind == NULL)
        return out_add(r, s, n);
    if ((flags & F_HEAD) && !empty_line(s, n))
        rc = put_ind(r, ind);
    while (rc == CF_OK && n > 0) {
        const char *nl = memchr(s, '\n', n);
        size_t k = nl != NULL ? (size_t)(nl - s) + 1 : n;

        rc = out_add(r, s, k);
        s += k;
        n -= k;
        if (rc == CF_OK && n > 0 && !empty_line(s, n))
            rc = put_ind(r, ind);
    }
    if (rc == CF_OK && (flags & F_TAIL))
        rc = put_ind(r, ind);
    return rc;
}

static int put_escaped(struct render *r, const char *s, size_t n)
{
    size_t run = 0;
    size_t i;
    int rc;

    for (i = 0; i < n; i++) {
        const char *e;

        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        default:
            continue;
        }
        rc = out_add(r, s + run, i - run);
        if (rc == CF_OK)
            rc = out_add(r, e, strlen(e));
        if (rc != CF_OK)
            return rc;
        run = i + 1;
    }
    return out_add(r, s + run, n - run);
}

/* Writes v in decimal ending just before end (which has room for 21 bytes before it). */
static char *format_int(json_int_t v, char *end)
{
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    char *p = end;

    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u != 0);
    if (v < 0)
        *--p = '-';
    return p;
}

/*
 * A real in its shortest form that reads back the same: 1.21 → "1.21", 1.0 → "1".
 * Whole numbers print as integers; any decimal of up to 15 digits survives %.15g
 * (DBL_DIG), whose trailing zeros %g drops, so 16 and 17 digits are rarely tried.
 */
static const char *format_real(double d, char *s, size_t n)
{
    int prec;

    if (d == 0.0)
        return "0";
    if (d > -9e18 && d < 9e18 && d == (double)(long long)d)
        return format_int((json_int_t)d, s + n - 1);
    for (prec = 15; prec <= 17; prec++) {
        snprintf(s, n, "%.*g", prec, d);
        if (strtod(s, NULL) == d)
            break;
    }
    return s;
}

/* Writes a value: strings, numbers and booleans print; null, objects and arrays do not. */
static int put_value(struct render *r, const json_t *v, int escape)
{
    char num[64];
    const char *p;

    switch (v != NULL ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        if (escape)
            return put_escaped(r, json_string_value(v), json_string_length(v));
        return out_add(r, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        num[sizeof num - 1] = '\0';
        p = format_int(json_integer_value(v), num + sizeof num - 1);
        return out_add(r, p, strlen(p));
    case JSON_REAL:
        num[sizeof num - 1] = '\0';
        p = format_real(json_real_value(v), num, sizeof num);
        return out_add(r, p, strlen(p));
    case JSON_TRUE:
        return out_add(r, "true", 4);
    case JSON_FALSE:
        return out_add(r, "false", 5);
    default:
        return CF_OK;
    }
}

/* JavaScript's !!value: false, null, 0, "" and [] are false; {} is true. */
static int truthy(const json_t *v)
{
    switch (v != NULL ? json_typeof(v) : JSON_NULL) {
    case JSON_OBJECT:
    case JSON_TRUE:
        return 1;
    case JSON_ARRAY:
        return json_array_size(v) > 0;
    case JSON_STRING:
        return json_string_length(v) > 0;
    case JSON_INTEGER:
        return json_integer_value(v) != 0;
    case JSON_REAL:
        return json_real_value(v) != 0.0;
    default:
        return 0;
    }
}

/* Resolves a node's name: the first part up the context stack, the rest inside it. */
static const json_t *lookup(const struct render *r, const struct tpl *t, const struct node *nd)
{
    const char *part = t->pool + nd->off;
    const json_t *v = NULL;
    size_t k;
    unsigned i;

    if (nd->nseg == 0)
        return r->ctx[r->nctx - 1];
    for (k = r->nctx; k-- > 0;)
        if (json_is_object(r->ctx[k]) && (v = json_object_get(r->ctx[k], part)) != NULL)
            break;
    for (i = 1; i < nd->nseg && v != NULL; i++) {
        part += strlen(part) + 1;
        v = json_is_object(v) ? json_object_get(v, part) : NULL;
    }
    return v;
}

static int too_deep(struct render *r)
{
    return cf_error_set(r->err, CF_ETOOBIG, NULL,
                        "%.100s: sections, partials or parents nested deeper than %d", r->name,
                        MUSTACHE_MAX_DEPTH);
}

/* Renders nodes [i, end) of t one level deeper, with v (when not NULL) pushed as context. */
static int nest(struct render *r, const struct tpl *t, uint32_t i, uint32_t end,
                const struct ind *ind, const json_t *v)
{
    int rc;

    if (r->depth >= MUSTACHE_MAX_DEPTH)
        return too_deep(r);
    r->depth++;
    if (v != NULL)
        r->ctx[r->nctx++] = v;
    rc = render_nodes(r, t, i, end, ind);
    if (v != NULL)
        r->nctx--;
    r->depth--;
    return rc;
}

static int section(struct render *r, const struct tpl *t, uint32_t i, const struct ind *ind)
{
    const struct node *nd = &t->nodes[i];
    const json_t *v = lookup(r, t, nd);
    size_t k;
    int rc = CF_OK;

    if (!truthy(v))
        return CF_OK;
    if (!json_is_array(v))
        return nest(r, t, i + 1, nd->end, ind, v);
    for (k = 0; k < json_array_size(v) && rc == CF_OK; k++)
        rc = nest(r, t, i + 1, nd->end, ind, json_array_get(v, k));
    return rc;
}

/* {{>x}} and {{<x}}: renders the named template, a missing one as nothing. */
static int include(struct render *r, const struct tpl *t, uint32_t i, const struct ind *ind)
{
    const struct node *nd = &t->nodes[i];
    const struct tpl *target;
    const struct ind *sub = NULL;
    struct ind own;
    int rc;

    if (nd->flags & F_DYNAMIC) {
        const json_t *v = lookup(r, t, nd);
        const char *name = json_string_value(v);
        size_t n = json_string_length(v);

        if (name == NULL)
            return CF_OK;
        target = set_find(r->set, name, n, hash_name(name, n));
    } else {
        target = set_find(r->set, t->pool + nd->off, nd->len, nd->hash);
    }
    if (target == NULL)
        return CF_OK;

    /* Standing alone, it is indented like its tag; inline, not at all. */
    if (nd->flags & F_STANDALONE) {
        sub = ind;
        if (nd->nind > 0) {
            own.p = t->pool + nd->ind;
            own.n = nd->nind;
            own.up = ind;
            sub = &own;
        }
    }
    if (nd->kind != K_PARENT)
        return nest(r, target, 0, target->nnodes, sub, NULL);
    if (r->depth >= MUSTACHE_MAX_DEPTH)
        return too_deep(r);
    r->args[r->nargs].t = t;
    r->args[r->nargs].node = i;
    r->nargs++;
    rc = nest(r, target, 0, target->nnodes, sub, NULL);
    r->nargs--;
    return rc;
}

/* {{$x}}: the argument the outermost parent gave for x, else the default content. */
static int block(struct render *r, const struct tpl *t, uint32_t i, const struct ind *ind)
{
    const struct node *nd = &t->nodes[i];
    const struct tpl *at = NULL;
    uint32_t j = 0;
    const struct ind *sub = ind;
    struct ind own;
    size_t k;
    size_t from;
    size_t after;
    int rc;

    if (nd->flags & F_ARG)
        return CF_OK;
    for (k = 0; k < r->nargs && at == NULL; k++) {
        const struct tpl *pt = r->args[k].t;
        const struct node *pn = &pt->nodes[r->args[k].node];

        for (j = r->args[k].node + 1; j < pn->end; j = pt->nodes[j].end) {
            const struct node *b = &pt->nodes[j];

            if (b->kind == K_BLOCK && b->len == nd->len &&
                memcmp(pt->pool + b->off, t->pool + nd->off, nd->len) == 0) {
                at = pt;
                break;
            }
        }
    }
    if (at == NULL)
        return nest(r, t, i + 1, nd->end, ind, NULL);

    if (nd->nind > 0) {
        own.p = t->pool + nd->ind;
        own.n = nd->nind;
        own.up = ind;
        sub = &own;
    }
    if (!(nd->flags & F_STANDALONE))
        return nest(r, at, j + 1, at->nodes[j].end, sub, NULL);

    /* Its line was removed: indent the argument's first line, unless it stays blank. */
    from = r->out->n;
    rc = put_ind(r, sub);
    after = r->out->n;
    if (rc == CF_OK)
        rc = nest(r, at, j + 1, at->nodes[j].end, sub, NULL);
    if (rc == CF_OK && after > from && empty_line(r->out->p + after, r->out->n - after)) {
        memmove(r->out->p + from, r->out->p + after, r->out->n - after);
        r->out->n -= after - from;
        r->out->p[r->out->n] = '\0';
    }
    return rc;
}

static int render_nodes(struct render *r, const struct tpl *t, uint32_t i, uint32_t end,
                        const struct ind *ind)
{
    int rc = CF_OK;

    while (i < end && rc == CF_OK) {
        const struct node *nd = &t->nodes[i];

        if (++r->steps > MUSTACHE_MAX_STEPS)
            return cf_error_set(r->err, CF_ETOOBIG, NULL, "%.100s: render over %lu steps", r->name,
                                MUSTACHE_MAX_STEPS);
        switch (nd->kind) {
        case K_TEXT:
            rc = put_text(r, t->pool + nd->off, nd->len, nd->flags, ind);
            break;
        case K_INDENT:
            rc = put_ind(r, ind);
            break;
        case K_VAR:
        case K_RAW:
            rc = put_value(r, lookup(r, t, nd), nd->kind == K_VAR);
            break;
        case K_SECTION:
            rc = section(r, t, i, ind);
            break;
        case K_INVERTED:
            if (!truthy(lookup(r, t, nd)))
                rc = nest(r, t, i + 1, nd->end, ind, NULL);
            break;
        case K_PARTIAL:
        case K_PARENT:
            rc = include(r, t, i, ind);
            break;
        case K_BLOCK:
            rc = block(r, t, i, ind);
            break;
        default:
            break;
        }
        i = nd->end;
    }
    return rc;
}

int mustache_render(const struct mustache_set *s, const char *name, const json_t *data,
                    struct buf *out, struct cf_error *err)
{
    size_t n = strlen(name);
    const struct tpl *t = set_find(s, name, n, hash_name(name, n));
    struct render r;
    int rc;

    if (t == NULL)
        return cf_error_set(err, CF_ENOTFOUND, NULL, "no template \"%.100s\"", name);
    r.set = s;
    r.out = out;
    r.err = err;
    r.name = name;
    r.ctx[0] = data;
    r.nctx = 1;
    r.nargs = 0;
    r.depth = 0;
    r.steps = 0;
    /* Make sure the buffer has its bytes (and NUL) so block() can look back into it. */
    rc = out_add(&r, "", 0);
    return rc != CF_OK ? rc : render_nodes(&r, t, 0, t->nnodes, NULL);
}
