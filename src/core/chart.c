/*
 * chart.c — the radar, the grouped bars and the data table of rating results.
 *
 * Output goes through a small writer whose error sticks: after the first
 * failed append (the buffer has then freed itself) every later write is a
 * no-op and the error comes back at the end, so drawing code reads as a list
 * of shapes rather than a ladder of checks.
 */
#include "chart.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Series looks: colour (>= 3:1 against white), dash and marker; bars: solid, stripes, dots,
 * cross-hatch (w_patterns). */
enum marker { MK_CIRCLE, MK_SQUARE, MK_TRIANGLE, MK_DIAMOND };

struct look {
    const char *color;
    const char *dash; /* NULL: solid */
    enum marker marker;
};

/* Okabe–Ito blue and vermillion, a darker bluish green, Tol's purple. */
static const struct look looks[CHART_SERIES_MAX] = {
    {"#0072B2", NULL, MK_CIRCLE},
    {"#C84E00", "8 4", MK_SQUARE},
    {"#007A5A", "2 3", MK_TRIANGLE},
    {"#AA3377", "10 3 2 3", MK_DIAMOND},
};

#define INK      "#1a1a1a" /* text */
#define INK_SOFT "#4d4d4d" /* secondary text: 8.5:1 on white */
#define GRID     "#8c8c8c" /* rings, spokes, grid lines: 3.4:1 on white */
/* A white outline under text, so lines crossing it never cut a letter. */
#define HALO                                                                                       \
    "paint-order=\"stroke\" stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\""

#define FONT_LABEL 14   /* axis and group labels */
#define FONT_VALUE 13   /* values at the bars' ends, legend */
#define FONT_TICK  12   /* scale numbers */
#define CHAR_EM    0.62 /* average advance of a character, in ems, for layout estimates */

/* Radar geometry (viewBox units). */
#define RADAR_R      120
#define RADAR_GAP    12 /* ring to label */
#define RADAR_WRAP   14 /* characters per line of an axis name */
#define RADAR_LINES  4  /* lines of an axis name at most (struct wrapped holds 4) */
#define RADAR_LINE_H 17

/* Bars geometry. */
#define BARS_W      480
#define BARS_X0     16
#define BARS_X1     (BARS_W - 72)
#define BARS_WRAP   54
#define BARS_LINES  2
#define BARS_LINE_H 18
#define BAR_H       18
#define BAR_GAP     4
#define GROUP_GAP   14

#define LEGEND_ROW_H 22
#define MARGIN       12

struct w {
    struct buf *b;
    int rc;
};

static void w_add(struct w *w, const char *s, size_t n)
{
    if (w->rc == CF_OK)
        w->rc = buf_add(w->b, s, n);
}

static void w_adds(struct w *w, const char *s)
{
    w_add(w, s, strlen(s));
}

static void w_printf(struct w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void w_printf(struct w *w, const char *fmt, ...)
{
    va_list ap;

    if (w->rc != CF_OK)
        return;
    va_start(ap, fmt);
    w->rc = buf_vprintf(w->b, fmt, ap);
    va_end(ap);
}

/*
 * A number with a fixed count of decimals (0..3), rounded half away from zero,
 * by integer arithmetic: no locale can turn the point into a comma. Values here
 * are small (coordinates, levels), far inside long long.
 */
static void w_num(struct w *w, double v, int decimals)
{
    static const long long pow10[] = {1, 10, 100, 1000};
    long long scale = pow10[decimals], n = llround(v * (double)scale);
    const char *sign = n < 0 ? "-" : "";

    if (n < 0)
        n = -n;
    if (decimals == 0)
        w_printf(w, "%s%lld", sign, n);
    else
        w_printf(w, "%s%lld.%0*lld", sign, n / scale, decimals, n % scale);
}

/* A coordinate: one decimal. */
static void w_xy(struct w *w, double x, double y)
{
    w_num(w, x, 1);
    w_adds(w, ",");
    w_num(w, y, 1);
}

/* A value as people read it: one decimal ("3.0", "2.5"). */
static void w_val(struct w *w, double v)
{
    w_num(w, v, 1);
}

/*
 * n bytes of UTF-8 text, escaped for XML text and attributes alike (the five
 * characters & < > " '). Control characters, which XML 1.0 does not allow,
 * become spaces; check() has made sure the bytes are UTF-8.
 */
static void w_esc(struct w *w, const char *s, size_t n)
{
    size_t i, from = 0;

    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        const char *rep;

        switch (ch) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            rep = ch < 0x20 || ch == 0x7f ? " " : NULL;
        }
        if (rep == NULL)
            continue;
        w_add(w, s + from, i - from);
        w_adds(w, rep);
        from = i + 1;
    }
    w_add(w, s + from, n - from);
}

static void w_escs(struct w *w, const char *s)
{
    w_esc(w, s, strlen(s));
}

/* The length of the UTF-8 sequence starting with byte c (1 for a stray byte). */
static size_t cp_len(unsigned char c)
{
    if (c >= 0xf0)
        return 4;
    if (c >= 0xe0)
        return 3;
    if (c >= 0xc0)
        return 2;
    return 1;
}

/* 1 when s is well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int utf8_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p != '\0') {
        unsigned int c = *p, cp, k, n;

        if (c < 0x80) {
            p++;
            continue;
        }
        if (c < 0xc2 || c > 0xf4)
            return 0;
        n = (unsigned int)cp_len((unsigned char)c);
        cp = c & (0x3fu >> (n - 1));
        for (k = 1; k < n; k++) {
            if ((p[k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[k] & 0x3fu);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        p += n;
    }
    return 1;
}

/* Code points in n bytes of UTF-8. */
static size_t cps(const char *s, size_t n)
{
    size_t i = 0, k = 0;

    while (i < n) {
        i += cp_len((unsigned char)s[i]);
        k++;
    }
    return k;
}

/* The estimated width of k characters at a font size. */
static double text_w(size_t k, int font)
{
    return (double)k * font * CHAR_EM;
}

/*
 * Lines of a wrapped text: at most maxl lines of at most width code points,
 * broken at spaces (a word longer than a line is cut). cut is 1 when text was
 * left over; the last line then ends with an ellipsis when drawn.
 */
struct line {
    size_t off, len;
};

struct wrapped {
    struct line l[4];
    size_t n;
    int cut;
};

static void wrap(const char *s, size_t width, size_t maxl, struct wrapped *out)
{
    size_t i = 0, n = strlen(s);

    out->n = 0;
    out->cut = 0;
    if (maxl > sizeof out->l / sizeof out->l[0])
        maxl = sizeof out->l / sizeof out->l[0];
    while (i < n && s[i] == ' ')
        i++;
    while (i < n && out->n < maxl) {
        size_t j = i, k = 0, brk = 0;

        /* Walk at most width code points; remember the last space. */
        while (j < n && k < width) {
            if (s[j] == ' ')
                brk = j;
            j += cp_len((unsigned char)s[j]);
            k++;
        }
        if (j < n && s[j] != ' ' && brk > i)
            j = brk; /* break at the last space rather than inside a word */
        while (j > i && s[j - 1] == ' ')
            j--;
        out->l[out->n].off = i;
        out->l[out->n].len = j - i;
        out->n++;
        i = j;
        while (i < n && s[i] == ' ')
            i++;
    }
    out->cut = i < n;
}

static int missing(double v)
{
    return isnan(v);
}

/* 1 when series s has a whisker at axis i. */
static int has_range(const struct chart_series *s, size_t i)
{
    return s->low != NULL && s->high != NULL && !missing(s->low[i]) && !missing(s->high[i]);
}

/* 1 when series s has a whisker anywhere. */
static int any_range(const struct chart *c, const struct chart_series *s)
{
    size_t i;

    for (i = 0; i < c->naxes; i++)
        if (has_range(s, i))
            return 1;
    return 0;
}

/* A text field: present (not blank) when required, UTF-8, at most CHART_TEXT_MAX bytes. */
static int check_text(const char *s, int required, const char *field, const char *what,
                      struct cf_error *err)
{
    /* Blank is missing: a name of spaces would draw as nothing. */
    if (s == NULL || s[strspn(s, " ")] == '\0') {
        if (!required)
            return CF_OK;
        return cf_error_set(err, CF_EINVAL, field, "%s is missing.", what);
    }
    if (strlen(s) > CHART_TEXT_MAX)
        return cf_error_set(err, CF_EINVAL, field, "%s is longer than %d bytes.", what,
                            CHART_TEXT_MAX);
    if (!utf8_ok(s))
        return cf_error_set(err, CF_EINVAL, field, "%s is not UTF-8 text.", what);
    return CF_OK;
}

/* A value on 0..levels (or missing); a range low <= high on 0..levels (or none). */
static int check_series(const struct chart *c, size_t k, struct cf_error *err)
{
    const struct chart_series *s = &c->series[k];
    char field[64], what[64];
    size_t i;
    int rc;

    snprintf(field, sizeof field, "series[%zu].name", k);
    snprintf(what, sizeof what, "The name of series %zu", k + 1);
    if ((rc = check_text(s->name, 1, field, what, err)) != CF_OK)
        return rc;
    if (s->values == NULL)
        return cf_error_set(err, CF_EINVAL, "series.values", "Series %zu has no values.", k + 1);
    if ((s->low == NULL) != (s->high == NULL))
        return cf_error_set(err, CF_EINVAL, "series.low",
                            "Series %zu needs both ends of its ranges or neither.", k + 1);
    for (i = 0; i < c->naxes; i++) {
        double v = s->values[i];

        if (!missing(v) && (v < 0 || v > c->levels))
            return cf_error_set(err, CF_EINVAL, "series.values",
                                "Series %zu, axis %zu: the value %g is outside the scale 0 to "
                                "%d.",
                                k + 1, i + 1, v, c->levels);
        if (s->low == NULL || (missing(s->low[i]) && missing(s->high[i])))
            continue;
        if (missing(s->low[i]) || missing(s->high[i]) || s->low[i] < 0 || s->low[i] > s->high[i] ||
            s->high[i] > c->levels)
            return cf_error_set(err, CF_EINVAL, "series.low",
                                "Series %zu, axis %zu: a range runs from low to high within "
                                "0 to %d.",
                                k + 1, i + 1, c->levels);
    }
    return CF_OK;
}

/* What every chart needs, with the axis count for this kind of chart. */
static int check(const struct chart *c, size_t min_axes, size_t max_axes, struct cf_error *err)
{
    char field[64], what[64];
    size_t i;
    int rc;

    if (c->id == NULL ||
        strspn(c->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == 0 ||
        strspn(c->id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
            strlen(c->id) ||
        strlen(c->id) > CHART_ID_MAX)
        return cf_error_set(err, CF_EINVAL, "id",
                            "The chart id starts with a letter and holds only letters, digits, "
                            "'-' and '_', at most %d.",
                            CHART_ID_MAX);
    if ((rc = check_text(c->title, 1, "title", "The chart title", err)) != CF_OK ||
        (rc = check_text(c->axis_label, 0, "axis_label", "The axis label", err)) != CF_OK)
        return rc;
    if (c->levels < CHART_LEVELS_MIN || c->levels > CHART_LEVELS_MAX)
        return cf_error_set(err, CF_EINVAL, "levels", "The scale has %d to %d levels, not %d.",
                            CHART_LEVELS_MIN, CHART_LEVELS_MAX, c->levels);
    for (i = 0; c->level_names != NULL && i < (size_t)c->levels; i++) {
        snprintf(field, sizeof field, "level_names[%zu]", i);
        snprintf(what, sizeof what, "The name of level %zu", i + 1);
        if ((rc = check_text(c->level_names[i], 1, field, what, err)) != CF_OK)
            return rc;
    }
    if (c->axes == NULL || c->naxes < min_axes || c->naxes > max_axes)
        return cf_error_set(err, CF_EINVAL, "axes", "This chart takes %zu to %zu axes, not %zu.",
                            min_axes, max_axes, c->axes == NULL ? 0 : c->naxes);
    for (i = 0; i < c->naxes; i++) {
        snprintf(field, sizeof field, "axes[%zu].code", i);
        snprintf(what, sizeof what, "The code of axis %zu", i + 1);
        if ((rc = check_text(c->axes[i].code, 0, field, what, err)) != CF_OK)
            return rc;
        snprintf(field, sizeof field, "axes[%zu].name", i);
        snprintf(what, sizeof what, "The name of axis %zu", i + 1);
        if ((rc = check_text(c->axes[i].name, 1, field, what, err)) != CF_OK)
            return rc;
    }
    if (c->series == NULL || c->nseries < 1 || c->nseries > CHART_SERIES_MAX)
        return cf_error_set(err, CF_EINVAL, "series", "A chart has 1 to %d series, not %zu.",
                            CHART_SERIES_MAX, c->series == NULL ? 0 : c->nseries);
    for (i = 0; i < c->nseries; i++)
        if ((rc = check_series(c, i, err)) != CF_OK)
            return rc;
    return CF_OK;
}

/* "I.A Leadership & Vision", escaped. */
static void w_axis_name(struct w *w, const struct chart_axis *a)
{
    if (a->code != NULL && a->code[0] != '\0') {
        w_escs(w, a->code);
        w_adds(w, " ");
    }
    w_escs(w, a->name);
}

/*
 * The text alternative: the scale, the series, then every axis with every
 * series' value (and range), so nothing on the picture is missing from it.
 */
static void w_desc(struct w *w, const struct chart *c, const char *kind)
{
    size_t i, k;
    int l;

    w_printf(w, "%s, %zu %s. Scale 1 to %d", kind, c->naxes, c->naxes == 1 ? "item" : "items",
             c->levels);
    for (l = 0; c->level_names != NULL && l < c->levels; l++) {
        w_printf(w, "%s%d ", l == 0 ? ": " : ", ", l + 1);
        w_escs(w, c->level_names[l]);
    }
    w_adds(w, ". Series: ");
    for (k = 0; k < c->nseries; k++) {
        if (k > 0)
            w_adds(w, "; ");
        w_escs(w, c->series[k].name);
    }
    w_adds(w, ".");
    for (i = 0; i < c->naxes; i++) {
        w_adds(w, " ");
        w_axis_name(w, &c->axes[i]);
        w_adds(w, ": ");
        for (k = 0; k < c->nseries; k++) {
            const struct chart_series *s = &c->series[k];

            if (k > 0)
                w_adds(w, "; ");
            w_escs(w, s->name);
            if (missing(s->values[i])) {
                w_adds(w, " not rated");
                continue;
            }
            w_adds(w, " ");
            w_val(w, s->values[i]);
            w_printf(w, " of %d", c->levels);
            if (has_range(s, i)) {
                w_adds(w, ", range ");
                w_val(w, s->low[i]);
                w_adds(w, " to ");
                w_val(w, s->high[i]);
            }
        }
        w_adds(w, ".");
    }
}

/* The root element with its title and desc; the caller closes it with </svg>. */
static void w_open(struct w *w, const struct chart *c, const char *kind, const char *cls, int width,
                   double height)
{
    w_printf(w,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" role=\"img\" "
             "aria-labelledby=\"%s-title %s-desc\" viewBox=\"0 0 %d ",
             cls, c->id, c->id, width);
    w_num(w, height, 0);
    w_printf(w,
             "\" width=\"100%%\" preserveAspectRatio=\"xMidYMin meet\" "
             "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', "
             "sans-serif\" font-size=\"%d\" fill=\"%s\">\n",
             FONT_LABEL, INK);
    w_printf(w, "<title id=\"%s-title\">", c->id);
    w_escs(w, c->title);
    w_printf(w, "</title>\n<desc id=\"%s-desc\">", c->id);
    w_desc(w, c, kind);
    w_adds(w, "</desc>\n");
}

/* A marker of a series centred at x,y. */
static void w_marker(struct w *w, const struct look *lk, double x, double y)
{
    const double r = 4.5;

    switch (lk->marker) {
    case MK_CIRCLE:
        w_adds(w, "<circle cx=\"");
        w_num(w, x, 1);
        w_adds(w, "\" cy=\"");
        w_num(w, y, 1);
        w_adds(w, "\" r=\"4.5\"/>");
        break;
    case MK_SQUARE:
        w_adds(w, "<rect x=\"");
        w_num(w, x - r + 0.5, 1);
        w_adds(w, "\" y=\"");
        w_num(w, y - r + 0.5, 1);
        w_adds(w, "\" width=\"8\" height=\"8\"/>");
        break;
    case MK_TRIANGLE:
        w_adds(w, "<polygon points=\"");
        w_xy(w, x, y - r - 1);
        w_adds(w, " ");
        w_xy(w, x + r + 0.5, y + r - 0.5);
        w_adds(w, " ");
        w_xy(w, x - r - 0.5, y + r - 0.5);
        w_adds(w, "\"/>");
        break;
    case MK_DIAMOND:
        w_adds(w, "<polygon points=\"");
        w_xy(w, x, y - r - 1);
        w_adds(w, " ");
        w_xy(w, x + r + 1, y);
        w_adds(w, " ");
        w_xy(w, x, y + r + 1);
        w_adds(w, " ");
        w_xy(w, x - r - 1, y);
        w_adds(w, "\"/>");
        break;
    }
}

/* The legend entries of a row layout: how many rows of width at most avail. */
static int legend_rows(const struct chart *c, double avail)
{
    double x = 0;
    int rows = 1;
    size_t k;

    for (k = 0; k < c->nseries; k++) {
        double ew = 34 + text_w(cps(c->series[k].name, strlen(c->series[k].name)), FONT_VALUE);

        if (x > 0 && x + ew > avail) {
            rows++;
            x = 0;
        }
        x += ew + 18;
    }
    return rows;
}

/*
 * The legend from y down: per series a swatch (line with dash and marker for
 * the radar, a patterned box for the bars) and its name. Hidden from nothing:
 * the root's role="img" already makes the picture one image.
 */
static void w_legend(struct w *w, const struct chart *c, int bars, double y, double avail)
{
    double x = 0;
    size_t k;

    w_adds(w, "<g class=\"legend\">\n");
    for (k = 0; k < c->nseries; k++) {
        const struct look *lk = &looks[k];
        const char *name = c->series[k].name;
        double ew = 34 + text_w(cps(name, strlen(name)), FONT_VALUE);
        double cy;

        if (x > 0 && x + ew > avail) {
            y += LEGEND_ROW_H;
            x = 0;
        }
        cy = y + LEGEND_ROW_H / 2.0;
        if (bars) {
            w_adds(w, "<rect x=\"");
            w_num(w, MARGIN + x, 1);
            w_adds(w, "\" y=\"");
            w_num(w, cy - 7, 1);
            w_adds(w, "\" width=\"26\" height=\"14\" fill=\"");
            if (k == 0)
                w_adds(w, lk->color);
            else
                w_printf(w, "url(#%s-p%zu)", c->id, k);
            w_printf(w, "\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", lk->color);
        } else {
            w_adds(w, "<line x1=\"");
            w_num(w, MARGIN + x, 1);
            w_adds(w, "\" y1=\"");
            w_num(w, cy, 1);
            w_adds(w, "\" x2=\"");
            w_num(w, MARGIN + x + 26, 1);
            w_adds(w, "\" y2=\"");
            w_num(w, cy, 1);
            w_printf(w, "\" stroke=\"%s\" stroke-width=\"2.5\"", lk->color);
            if (lk->dash != NULL)
                w_printf(w, " stroke-dasharray=\"%s\"", lk->dash);
            w_printf(w, "/>\n<g fill=\"%s\">", lk->color);
            w_marker(w, lk, MARGIN + x + 13, cy);
            w_adds(w, "</g>\n");
        }
        w_printf(w, "<text font-size=\"%d\" x=\"", FONT_VALUE);
        w_num(w, MARGIN + x + 34, 1);
        w_adds(w, "\" y=\"");
        w_num(w, cy + 4.5, 1);
        w_adds(w, "\">");
        w_escs(w, name);
        w_adds(w, "</text>\n");
        x += ew + 18;
    }
    w_adds(w, "</g>\n");
}

/* Where axis i points: angle from the top, clockwise. */
static void radar_dir(size_t i, size_t n, double *dx, double *dy)
{
    double a = -M_PI / 2 + 2 * M_PI * (double)i / (double)n;

    *dx = cos(a);
    *dy = sin(a);
    /* Snap the float noise of cos(90°) etc. so the same chart prints the same bytes anywhere. */
    if (fabs(*dx) < 1e-9)
        *dx = 0;
    if (fabs(*dy) < 1e-9)
        *dy = 0;
}

/* The lines an axis label takes around the radar: its code, then its wrapped name. */
static size_t radar_label_lines(const struct chart_axis *a, struct wrapped *wr)
{
    wrap(a->name, RADAR_WRAP, RADAR_LINES, wr);
    return wr->n + (a->code != NULL && a->code[0] != '\0');
}

/*
 * The first baseline of a label block of nl lines, from the point where its
 * axis meets the label circle: above it for axes pointing up, below for axes
 * pointing down, centred for axes pointing sideways.
 */
static double label_baseline(size_t nl, double dy)
{
    if (nl == 0)
        nl = 1;
    if (dy < -0.25)
        return -(double)(nl - 1) * RADAR_LINE_H - 4;
    if (dy > 0.25)
        return FONT_LABEL;
    return -(double)(nl - 1) * RADAR_LINE_H / 2.0 + FONT_LABEL / 2.0 - 1;
}

/* An axis label placed outside the outer ring, anchored away from the centre. */
static void w_radar_label(struct w *w, const struct chart_axis *a, double cx, double cy, double dx,
                          double dy)
{
    struct wrapped wr;
    size_t nl = radar_label_lines(a, &wr), i;
    double x = cx + (RADAR_R + RADAR_GAP) * dx, y = cy + (RADAR_R + RADAR_GAP) * dy, y0;
    const char *anchor = dx > 0.25 ? "start" : dx < -0.25 ? "end" : "middle";
    int code = a->code != NULL && a->code[0] != '\0';

    y0 = y + label_baseline(nl, dy);
    w_printf(w, "<text text-anchor=\"%s\" x=\"", anchor);
    w_num(w, x, 1);
    w_adds(w, "\" y=\"");
    w_num(w, y0, 1);
    w_adds(w, "\">");

    /* Line 0 is the code in bold when there is one, then the name's lines. */
    for (i = 0; i < nl; i++) {
        w_adds(w, "<tspan x=\"");
        w_num(w, x, 1);
        w_printf(w, "\" dy=\"%d\"%s>", i == 0 ? 0 : RADAR_LINE_H,
                 code && i == 0 ? " font-weight=\"bold\"" : "");
        if (code && i == 0) {
            w_escs(w, a->code);
        } else {
            const struct line *ln = &wr.l[i - (size_t)code];

            w_esc(w, a->name + ln->off, ln->len);
            if (wr.cut && i + 1 == nl)
                w_adds(w, "\xe2\x80\xa6"); /* … */
        }
        w_adds(w, "</tspan>");
    }
    w_adds(w, "</text>\n");
}

/*
 * How far the labels reach above and below the centre (the ring at least);
 * and how far the widest label reaches from the centre sideways, so the
 * chart is as wide as its labels need and no wider (narrower scales better on
 * a phone).
 */
static void radar_extents(const struct chart *c, double *up, double *down, double *reach)
{
    size_t i, j;

    *up = RADAR_R;
    *down = RADAR_R;
    *reach = RADAR_R + RADAR_GAP;
    for (i = 0; i < c->naxes; i++) {
        const struct chart_axis *a = &c->axes[i];
        struct wrapped wr;
        size_t nl = radar_label_lines(a, &wr), widest = 0;
        double dx, dy, r;

        radar_dir(i, c->naxes, &dx, &dy);
        r = (RADAR_R + RADAR_GAP) * dy + label_baseline(nl, dy); /* first baseline */
        if (FONT_LABEL - r > *up)
            *up = FONT_LABEL - r;
        if (r + (double)(nl - 1) * RADAR_LINE_H + 4 > *down)
            *down = r + (double)(nl - 1) * RADAR_LINE_H + 4;
        if (a->code != NULL)
            widest = cps(a->code, strlen(a->code)) + 1; /* bold: about one more */
        for (j = 0; j < wr.n; j++) {
            size_t k = cps(a->name + wr.l[j].off, wr.l[j].len) + (wr.cut && j + 1 == wr.n);

            if (k > widest)
                widest = k;
        }
        r = (RADAR_R + RADAR_GAP) * fabs(dx) +
            text_w(widest, FONT_LABEL) / (fabs(dx) > 0.25 ? 1.0 : 2.0);
        if (r > *reach)
            *reach = r;
    }
}

/* One series: a polygon when complete; else the segments between rated neighbours. */
static void w_radar_series(struct w *w, const struct chart *c, size_t k, double cx, double cy)
{
    const struct chart_series *s = &c->series[k];
    const struct look *lk = &looks[k];
    size_t i, n = c->naxes, have = 0;
    double px[CHART_RADAR_AXES_MAX], py[CHART_RADAR_AXES_MAX];

    for (i = 0; i < n; i++) {
        double dx, dy, r;

        radar_dir(i, n, &dx, &dy);
        r = missing(s->values[i]) ? 0 : RADAR_R * s->values[i] / c->levels;
        px[i] = cx + r * dx;
        py[i] = cy + r * dy;
        have += !missing(s->values[i]);
    }
    w_printf(w, "<g class=\"series\" data-series=\"%zu\" stroke=\"%s\" stroke-width=\"2.5\"", k,
             lk->color);
    if (lk->dash != NULL)
        w_printf(w, " stroke-dasharray=\"%s\"", lk->dash);
    w_adds(w, " stroke-linejoin=\"round\">\n");
    if (have == n) {
        /* Only the first series is shaded: two shadings mix into a muddy grey. */
        if (k == 0)
            w_printf(w, "<polygon fill=\"%s\" fill-opacity=\"0.12\" points=\"", lk->color);
        else
            w_adds(w, "<polygon fill=\"none\" points=\"");
        for (i = 0; i < n; i++) {
            if (i > 0)
                w_adds(w, " ");
            w_xy(w, px[i], py[i]);
        }
        w_adds(w, "\"/>\n");
    } else if (have > 1) {
        w_adds(w, "<path fill=\"none\" d=\"");
        for (i = 0; i < n; i++) {
            size_t j = (i + 1) % n;

            if (missing(s->values[i]) || missing(s->values[j]))
                continue;
            w_adds(w, "M");
            w_xy(w, px[i], py[i]);
            w_adds(w, "L");
            w_xy(w, px[j], py[j]);
        }
        w_adds(w, "\"/>\n");
    }
    w_printf(w, "<g fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"1\" stroke-dasharray=\"none\">",
             lk->color);
    for (i = 0; i < n; i++)
        if (!missing(s->values[i]))
            w_marker(w, lk, px[i], py[i]);
    w_adds(w, "</g>\n</g>\n");
}

int chart_radar_svg(const struct chart *c, struct buf *out, struct cf_error *err)
{
    struct w w = {out, CF_OK};
    size_t i, k;
    int rows, l, width;
    double cx, cy, height, legend_h, up, down, reach;

    if ((w.rc = check(c, CHART_RADAR_AXES_MIN, CHART_RADAR_AXES_MAX, err)) != CF_OK)
        return w.rc;

    /* Layout: legend on top, then the radar with its labels, as tall as they reach. */
    radar_extents(c, &up, &down, &reach);
    width = 2 * (int)ceil(reach + MARGIN);
    cx = width / 2.0;
    rows = legend_rows(c, width - 2 * MARGIN);
    legend_h = rows * LEGEND_ROW_H + 8;
    cy = MARGIN + legend_h + ceil(up);
    height = cy + ceil(down) + MARGIN;

    w_open(&w, c, "Radar chart", "chart-radar", width, height);
    w_legend(&w, c, 0, MARGIN, width - 2 * MARGIN);

    /* Rings (one per level), spokes, and the level numbers up the first spoke. */
    w_printf(&w, "<g class=\"grid\" fill=\"none\" stroke=\"%s\" stroke-width=\"1\">\n", GRID);
    for (l = 1; l <= c->levels; l++) {
        double r = (double)RADAR_R * l / c->levels;

        w_adds(&w, "<polygon points=\"");
        for (i = 0; i < c->naxes; i++) {
            double dx, dy;

            radar_dir(i, c->naxes, &dx, &dy);
            if (i > 0)
                w_adds(&w, " ");
            w_xy(&w, cx + r * dx, cy + r * dy);
        }
        w_adds(&w, "\"/>\n");
    }
    for (i = 0; i < c->naxes; i++) {
        double dx, dy;

        radar_dir(i, c->naxes, &dx, &dy);
        w_adds(&w, "<line x1=\"");
        w_num(&w, cx, 1);
        w_adds(&w, "\" y1=\"");
        w_num(&w, cy, 1);
        w_adds(&w, "\" x2=\"");
        w_num(&w, cx + RADAR_R * dx, 1);
        w_adds(&w, "\" y2=\"");
        w_num(&w, cy + RADAR_R * dy, 1);
        w_adds(&w, "\"/>\n");
    }
    w_adds(&w, "</g>\n");
    w_printf(&w, "<g class=\"scale\" font-size=\"%d\" fill=\"%s\" %s>\n", FONT_TICK, INK_SOFT,
             HALO);
    for (l = 1; l <= c->levels; l++) {
        w_adds(&w, "<text x=\"");
        w_num(&w, cx + 4, 1);
        w_adds(&w, "\" y=\"");
        w_num(&w, cy - (double)RADAR_R * l / c->levels + FONT_TICK + 1, 1);
        w_printf(&w, "\">%d</text>\n", l);
    }
    w_adds(&w, "</g>\n");

    /* The series, the first drawn last so it stays on top. */
    for (k = c->nseries; k-- > 0;)
        w_radar_series(&w, c, k, cx, cy);

    w_adds(&w, "<g class=\"labels\">\n");
    for (i = 0; i < c->naxes; i++) {
        double dx, dy;

        radar_dir(i, c->naxes, &dx, &dy);
        w_radar_label(&w, &c->axes[i], cx, cy, dx, dy);
    }
    w_adds(&w, "</g>\n</svg>\n");
    return w.rc;
}

/* x of a value on the bars' scale. */
static double bar_x(const struct chart *c, double v)
{
    return BARS_X0 + (BARS_X1 - BARS_X0) * v / c->levels;
}

/* The patterns of series 1..3: stripes, dots, cross-hatch (series 0 is solid). */
static void w_patterns(struct w *w, const struct chart *c)
{
    size_t k;

    w_adds(w, "<defs>\n");
    for (k = 1; k < c->nseries; k++) {
        const char *col = looks[k].color;

        w_printf(w,
                 "<pattern id=\"%s-p%zu\" width=\"6\" height=\"6\" "
                 "patternUnits=\"userSpaceOnUse\"%s>"
                 "<rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>",
                 c->id, k, k == 1 ? " patternTransform=\"rotate(45)\"" : "");
        if (k == 1)
            w_printf(w, "<rect width=\"3\" height=\"6\" fill=\"%s\"/>", col);
        else if (k == 2)
            w_printf(w, "<circle cx=\"3\" cy=\"3\" r=\"1.8\" fill=\"%s\"/>", col);
        else
            w_printf(w,
                     "<path d=\"M0,0L6,6M6,0L0,6\" stroke=\"%s\" stroke-width=\"1.5\" "
                     "fill=\"none\"/>",
                     col);
        w_adds(w, "</pattern>\n");
    }
    w_adds(w, "</defs>\n");
}

/* The scale numbers (and level names when they fit) in a row with its baseline at y. */
static void w_ticks(struct w *w, const struct chart *c, double y, int names)
{
    int l;

    w_printf(w, "<g class=\"scale\" font-size=\"%d\" fill=\"%s\" text-anchor=\"middle\">\n",
             FONT_TICK, INK_SOFT);
    for (l = 0; l <= c->levels; l++) {
        w_adds(w, "<text x=\"");
        w_num(w, bar_x(c, l), 1);
        w_adds(w, "\" y=\"");
        w_num(w, y, 1);
        w_printf(w, "\">%d", l);
        if (names && l > 0) {
            w_adds(w, "<tspan x=\"");
            w_num(w, bar_x(c, l), 1);
            w_printf(w, "\" dy=\"%d\">", FONT_TICK + 2);
            w_escs(w, c->level_names[l - 1]);
            w_adds(w, "</tspan>");
        }
        w_adds(w, "</text>\n");
    }
    w_adds(w, "</g>\n");
}

/* 1 when every level name fits between two ticks (drawn centred under its number). */
static int names_fit(const struct chart *c)
{
    double step = (double)(BARS_X1 - BARS_X0) / c->levels;
    int l;

    if (c->level_names == NULL)
        return 0;
    for (l = 0; l < c->levels; l++) {
        const char *s = c->level_names[l];

        if (text_w(cps(s, strlen(s)), FONT_TICK) > step - 6)
            return 0;
    }
    /* The last name is centred on the right end: half of it must fit the margin. */
    return text_w(cps(c->level_names[c->levels - 1], strlen(c->level_names[c->levels - 1])),
                  FONT_TICK) /
               2 <
           BARS_W - BARS_X1;
}

/* The height of group i: its label lines, then a bar per series. */
static double group_h(const struct chart *c, size_t i, struct wrapped *wr)
{
    const struct chart_axis *a = &c->axes[i];
    size_t codew = a->code != NULL && a->code[0] != '\0' ? cps(a->code, strlen(a->code)) + 1 : 0;

    wrap(a->name, BARS_WRAP > codew ? BARS_WRAP - codew : 1, BARS_LINES, wr);
    return (double)wr->n * BARS_LINE_H + (double)c->nseries * (BAR_H + BAR_GAP) + GROUP_GAP;
}

int chart_bars_svg(const struct chart *c, struct buf *out, struct cf_error *err)
{
    struct w w = {out, CF_OK};
    struct wrapped wr;
    size_t i, k;
    int l, names;
    double legend_h, top, y, bottom, height;

    if ((w.rc = check(c, 1, CHART_BARS_MAX, err)) != CF_OK)
        return w.rc;

    /* Layout: legend, scale row, the groups, scale row again. */
    legend_h = legend_rows(c, BARS_W - 2 * MARGIN) * LEGEND_ROW_H + 8;
    names = names_fit(c);
    top = MARGIN + legend_h + FONT_TICK + (names ? FONT_TICK + 2 : 0) + 10;
    bottom = top;
    for (i = 0; i < c->naxes; i++)
        bottom += group_h(c, i, &wr);
    bottom -= GROUP_GAP - 4;
    height = bottom + FONT_TICK + 8 + MARGIN;

    w_open(&w, c, "Bar chart", "chart-bars", BARS_W, height);
    w_patterns(&w, c);
    w_legend(&w, c, 1, MARGIN, BARS_W - 2 * MARGIN);
    w_ticks(&w, c, MARGIN + legend_h + FONT_TICK, names);
    w_ticks(&w, c, bottom + FONT_TICK + 6, 0);

    /* A vertical grid line per level; the one at 0 is the axis. */
    w_printf(&w, "<g class=\"grid\" stroke=\"%s\" stroke-width=\"1\">\n", GRID);
    for (l = 0; l <= c->levels; l++) {
        w_adds(&w, "<line x1=\"");
        w_num(&w, bar_x(c, l), 1);
        w_adds(&w, "\" y1=\"");
        w_num(&w, top - 6, 1);
        w_adds(&w, "\" x2=\"");
        w_num(&w, bar_x(c, l), 1);
        w_adds(&w, "\" y2=\"");
        w_num(&w, bottom, 1);
        w_printf(&w, "\"%s/>\n", l == 0 ? " stroke-width=\"2\"" : "");
    }
    w_adds(&w, "</g>\n");

    /* Group labels. */
    w_printf(&w, "<g class=\"labels\" %s>\n", HALO);
    y = top;
    for (i = 0; i < c->naxes; i++) {
        const struct chart_axis *a = &c->axes[i];
        double h = group_h(c, i, &wr);

        w_adds(&w, "<text x=\"");
        w_num(&w, BARS_X0, 1);
        w_adds(&w, "\" y=\"");
        w_num(&w, y + FONT_LABEL, 1);
        w_adds(&w, "\">");
        if (a->code != NULL && a->code[0] != '\0') {
            w_adds(&w, "<tspan font-weight=\"bold\">");
            w_escs(&w, a->code);
            w_adds(&w, "</tspan> ");
        }
        for (l = 0; (size_t)l < wr.n; l++) {
            if (l > 0) {
                w_adds(&w, "<tspan x=\"");
                w_num(&w, BARS_X0, 1);
                w_printf(&w, "\" dy=\"%d\">", BARS_LINE_H);
            }
            w_esc(&w, a->name + wr.l[l].off, wr.l[l].len);
            if (wr.cut && (size_t)l + 1 == wr.n)
                w_adds(&w, "\xe2\x80\xa6");
            if (l > 0)
                w_adds(&w, "</tspan>");
        }
        w_adds(&w, "</text>\n");
        y += h;
    }
    w_adds(&w, "</g>\n");

    /* A group per series (so a series is one element), bars placed in their skill's group. */
    for (k = 0; k < c->nseries; k++) {
        const struct chart_series *s = &c->series[k];
        const struct look *lk = &looks[k];

        w_printf(&w, "<g class=\"series\" data-series=\"%zu\">\n", k);
        y = top;
        for (i = 0; i < c->naxes; i++) {
            double h = group_h(c, i, &wr);
            double by = y + (double)wr.n * BARS_LINE_H + 2 + (double)k * (BAR_H + BAR_GAP);
            double mid = by + BAR_H / 2.0, end;

            y += h;
            if (missing(s->values[i])) {
                w_printf(&w, "<text font-size=\"%d\" font-style=\"italic\" fill=\"%s\" x=\"",
                         FONT_VALUE, INK_SOFT);
                w_num(&w, BARS_X0 + 6, 1);
                w_adds(&w, "\" y=\"");
                w_num(&w, mid + 4.5, 1);
                w_adds(&w, "\">Not rated</text>\n");
                continue;
            }
            end = bar_x(c, s->values[i]);
            w_adds(&w, "<rect x=\"");
            w_num(&w, BARS_X0, 1);
            w_adds(&w, "\" y=\"");
            w_num(&w, by, 1);
            w_adds(&w, "\" width=\"");
            w_num(&w, end - BARS_X0, 1);
            w_printf(&w, "\" height=\"%d\" fill=\"", BAR_H);
            if (k == 0)
                w_adds(&w, lk->color);
            else
                w_printf(&w, "url(#%s-p%zu)", c->id, k);
            w_printf(&w, "\" stroke=\"%s\" stroke-width=\"1.5\"/>\n", lk->color);
            if (has_range(s, i)) {
                double lo = bar_x(c, s->low[i]), hi = bar_x(c, s->high[i]);

                w_printf(&w,
                         "<path class=\"whisker\" fill=\"none\" stroke=\"%s\" "
                         "stroke-width=\"1.5\" d=\"M",
                         INK);
                w_xy(&w, lo, mid);
                w_adds(&w, "L");
                w_xy(&w, hi, mid);
                w_adds(&w, "M");
                w_xy(&w, lo, mid - 5);
                w_adds(&w, "L");
                w_xy(&w, lo, mid + 5);
                w_adds(&w, "M");
                w_xy(&w, hi, mid - 5);
                w_adds(&w, "L");
                w_xy(&w, hi, mid + 5);
                w_adds(&w, "\"/>\n");
                if (hi > end)
                    end = hi;
            }
            w_printf(&w, "<text font-size=\"%d\" x=\"", FONT_VALUE);
            w_num(&w, end + 6, 1);
            w_adds(&w, "\" y=\"");
            w_num(&w, mid + 4.5, 1);
            w_adds(&w, "\">");
            w_val(&w, s->values[i]);
            w_adds(&w, "</text>\n");
        }
        w_adds(&w, "</g>\n");
    }
    w_adds(&w, "</svg>\n");
    return w.rc;
}

int chart_table_html(const struct chart *c, struct buf *out, struct cf_error *err)
{
    struct w w = {out, CF_OK};
    size_t i, k, cols = 1;
    int l;

    if ((w.rc = check(c, 1, CHART_BARS_MAX, err)) != CF_OK)
        return w.rc;

    w_printf(&w, "<table class=\"chart-data\" id=\"%s-table\">\n<caption>", c->id);
    w_escs(&w, c->title);
    w_adds(&w, "</caption>\n<thead><tr><th scope=\"col\">");
    w_escs(&w, c->axis_label != NULL && c->axis_label[0] != '\0' ? c->axis_label : "Skill");
    w_adds(&w, "</th>");
    for (k = 0; k < c->nseries; k++) {
        w_adds(&w, "<th scope=\"col\">");
        w_escs(&w, c->series[k].name);
        w_adds(&w, "</th>");
        cols++;
        if (any_range(c, &c->series[k])) {
            w_adds(&w, "<th scope=\"col\">");
            w_escs(&w, c->series[k].name);
            w_adds(&w, ": range</th>");
            cols++;
        }
    }
    w_adds(&w, "</tr></thead>\n<tbody>\n");
    for (i = 0; i < c->naxes; i++) {
        w_adds(&w, "<tr><th scope=\"row\">");
        w_axis_name(&w, &c->axes[i]);
        w_adds(&w, "</th>");
        for (k = 0; k < c->nseries; k++) {
            const struct chart_series *s = &c->series[k];

            w_adds(&w, "<td>");
            if (missing(s->values[i]))
                w_adds(&w, "Not rated");
            else
                w_val(&w, s->values[i]);
            w_adds(&w, "</td>");
            if (!any_range(c, s))
                continue;
            w_adds(&w, "<td>");
            if (has_range(s, i)) {
                w_val(&w, s->low[i]);
                w_adds(&w, " to ");
                w_val(&w, s->high[i]);
            }
            w_adds(&w, "</td>");
        }
        w_adds(&w, "</tr>\n");
    }
    w_printf(&w, "</tbody>\n<tfoot><tr><td colspan=\"%zu\">Scale 1 to %d", cols, c->levels);
    for (l = 0; c->level_names != NULL && l < c->levels; l++) {
        w_printf(&w, "%s%d ", l == 0 ? ": " : ", ", l + 1);
        w_escs(&w, c->level_names[l]);
    }
    w_adds(&w, ".</td></tr></tfoot>\n</table>\n");
    return w.rc;
}
