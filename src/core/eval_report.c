/*
 * eval_report.c — the evaluation report PDF (see eval_report.h). The layout,
 * on US Letter portrait pages with a margin of three quarters of an inch:
 *
 *     the evaluation's title; the person, purpose, framework, status and dates
 *     overall: the others' weighted mean and the self-assessment
 *     a bar chart: per skill the self rating and the others' mean with the
 *     range of their ratings as a whisker, every value also written out
 *     a table per skill: code, name, weight, self, others' mean, SD, range, gap
 *     the categories; strengths and gaps; how far the raters agree
 *     the comments on the core values
 *     at the foot of every page the title, the person and "Page n of m"
 *
 * The page is drawn twice: once to count the pages, once with the count in the
 * footers. Text runs through one pen (a pango layout on the page's cairo
 * context); every text from the view is set with pango_layout_set_text.
 */
#include "core/eval_report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <glib.h>
#include <pango/pangocairo.h>

#include "core/certificate.h"
#include "core/evaluation.h"
#include "core/pdfpen.h"

#define FONT_SERIF "DejaVu Serif, DejaVu Sans, WenQuanYi Micro Hei"
#define FONT_SANS  "DejaVu Sans, WenQuanYi Micro Hei"

/* The page's parts, in points. */
#define MARGIN     54.0 /* three quarters of an inch */
#define TOP        MARGIN
#define BOTTOM     (EVAL_REPORT_PAGE_H - MARGIN - 18) /* the footer sits below this */
#define CONTENT_W  (EVAL_REPORT_PAGE_W - 2 * MARGIN)
#define CELL_PAD   3.0  /* inside a table cell, above and below its text */
#define CELL_LINES 6    /* a table cell shows at most this many lines, then an ellipsis */
#define LABEL_W    96.0 /* the labels of the facts at the top */

/* The bar chart: a row per skill, its label at the left, its values at the right. */
#define BAR_LABEL_W 170.0
#define BAR_VALUE_W 96.0
#define BAR_H       7.0
#define BAR_ROW_H   24.0
#define PLOT_X0     (MARGIN + BAR_LABEL_W + 6)
#define PLOT_X1     (EVAL_REPORT_PAGE_W - MARGIN - BAR_VALUE_W - 6)

#define NUM_MAX     48  /* a number as text: "-3.25", "Not rated", "1–4" */
#define DATE_MAX    32  /* a date in words, or as the view gives it */
#define META_MAX    640 /* the PDF's title metadata */
#define PDF_DATE_SZ 24  /* "2026-12-02T00:00:00Z" and its NUL */
#define DASH        "\xe2\x80\x94"
#define EN_DASH     "\xe2\x80\x93"

/* Ink colours (RGB 0–1). */
static const double INK[3] = {0.10, 0.13, 0.20};
static const double NAVY[3] = {0.12, 0.23, 0.40};
static const double MUTED[3] = {0.38, 0.41, 0.47};
static const double RULE[3] = {0.78, 0.80, 0.84};
static const double SELF_RGB[3] = {0.85, 0.53, 0.13};   /* self: amber */
static const double OTHERS_RGB[3] = {0.12, 0.44, 0.62}; /* others: blue */

/* How a text is set. */
struct style {
    const char *family;
    int bold, italic;
    double size;
    const double *rgb;
};

static const struct style TITLE = {FONT_SERIF, 1, 0, 20, NAVY};
static const struct style H2 = {FONT_SERIF, 1, 0, 13, NAVY};
static const struct style H3 = {FONT_SANS, 1, 0, 9.5, INK};
static const struct style BODY = {FONT_SANS, 0, 0, 9, INK};
static const struct style LABEL = {FONT_SANS, 1, 0, 8, MUTED};
static const struct style CELL = {FONT_SANS, 0, 0, 8, INK};
static const struct style HEAD = {FONT_SANS, 1, 0, 7.5, MUTED};
static const struct style SMALL = {FONT_SANS, 0, 0, 6.5, INK};
static const struct style NOTE = {FONT_SANS, 0, 1, 8.5, INK};
static const struct style FOOT = {FONT_SANS, 0, 0, 7, MUTED};

/* The pen: the page's cairo context, a pango layout of its own, where the next text goes. */
struct rpt {
    struct pdfpen pen; /* the cairo context and the text layout */
    double y;          /* the top of what is drawn next */
    int page;          /* the page being drawn, from 1 */
    int pages;         /* the page count, or 0 while it is counted */
    const char *foot;  /* the footer's left part */
};

/* A table's column. */
struct col {
    const char *head;
    double w;
    PangoAlignment align;
};

/* --- the pen ---------------------------------------------------------------------------- */

/* Releases what rpt_open made (each part may be NULL). */
static void rpt_close(struct rpt *p)
{
    pdfpen_close(&p->pen);
}

/* A pen on surface s (core/pdfpen.h). CF_OK, CF_ENOMEM or CF_EIO. */
static int rpt_open(struct rpt *p, cairo_surface_t *s)
{
    return pdfpen_open(&p->pen, s);
}

/*
 * Sets text (plain text, never markup; NULL as "") in p's layout in style st,
 * wrapped at w points, aligned by align; at most lines lines (0: no limit),
 * the last cut with an ellipsis. Returns the layout's height in points.
 */
static double set(struct rpt *p, const char *text, const struct style *st, double w,
                  PangoAlignment align, int lines)
{
    PangoFontDescription *fd = pango_font_description_from_string(st->family);
    PangoAttrList *attrs = pango_attr_list_new();
    PangoRectangle logical;
    char *valid = NULL;

    if (text == NULL)
        text = "";
    if (!g_utf8_validate(text, -1, NULL)) {
        valid = g_utf8_make_valid(text, -1);
        text = valid;
    }
    pango_font_description_set_weight(fd, st->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
    pango_font_description_set_style(fd, st->italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL);
    pango_font_description_set_size(fd, (gint)lround(st->size * PANGO_SCALE));
    pango_layout_set_font_description(p->pen.lay, fd);
    pango_font_description_free(fd);
    /* A line broken inside a word gets no hyphen: it would change a name. */
    pango_attr_list_insert(attrs, pango_attr_insert_hyphens_new(FALSE));
    pango_layout_set_attributes(p->pen.lay, attrs);
    pango_attr_list_unref(attrs);
    pango_layout_set_text(p->pen.lay, text, -1);
    g_free(valid);
    pango_layout_set_width(p->pen.lay, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(p->pen.lay, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(p->pen.lay, align);
    pango_layout_set_ellipsize(p->pen.lay, lines > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
    pango_layout_set_height(p->pen.lay, lines > 0 ? -lines : -1);
    pango_layout_get_extents(p->pen.lay, NULL, &logical);
    return (double)logical.height / PANGO_SCALE;
}

/* Draws what set() left in p's layout with its top left corner at (x, y), in st's colour. */
static void show(struct rpt *p, const struct style *st, double x, double y)
{
    cairo_set_source_rgb(p->pen.cr, st->rgb[0], st->rgb[1], st->rgb[2]);
    cairo_move_to(p->pen.cr, x, y);
    pango_cairo_show_layout(p->pen.cr, p->pen.lay);
}

/*
 * The footer of the page being drawn: the report's subject at the left, its
 * number at the right. Set in a layout of its own: a page may end in the
 * middle of a paragraph whose layout is being drawn line by line.
 */
static void footer(struct rpt *p)
{
    PangoLayout *keep = p->pen.lay;
    char num[NUM_MAX];
    int n;

    if (p->pages > 0)
        n = snprintf(num, sizeof num, "Page %d of %d", p->page, p->pages);
    else
        n = snprintf(num, sizeof num, "Page %d", p->page);
    if (n < 0 || (size_t)n >= sizeof num)
        num[0] = '\0';
    cairo_set_source_rgb(p->pen.cr, RULE[0], RULE[1], RULE[2]);
    cairo_set_line_width(p->pen.cr, 0.5);
    cairo_move_to(p->pen.cr, MARGIN, BOTTOM + 8);
    cairo_line_to(p->pen.cr, EVAL_REPORT_PAGE_W - MARGIN, BOTTOM + 8);
    cairo_stroke(p->pen.cr);
    p->pen.lay = pango_layout_new(p->pen.ctx);
    if (p->pen.lay != NULL) {
        set(p, p->foot, &FOOT, CONTENT_W - 90, PANGO_ALIGN_LEFT, 1);
        show(p, &FOOT, MARGIN, BOTTOM + 12);
        set(p, num, &FOOT, 90, PANGO_ALIGN_RIGHT, 1);
        show(p, &FOOT, EVAL_REPORT_PAGE_W - MARGIN - 90, BOTTOM + 12);
        g_object_unref(p->pen.lay);
    }
    p->pen.lay = keep;
}

/* Ends the page (its footer, then the page itself) and starts the next at its top. */
static void page_break(struct rpt *p)
{
    footer(p);
    cairo_show_page(p->pen.cr);
    p->page++;
    p->y = TOP;
}

/* Makes room for h points: a new page when they do not fit on this one. 1 when it broke. */
static int need(struct rpt *p, double h)
{
    if (p->y + h <= BOTTOM || p->y <= TOP)
        return 0;
    page_break(p);
    return 1;
}

/*
 * A paragraph of text in style st, indented by indent, line by line: a long
 * one goes on over the next page. Leaves p->y under it plus after points.
 */
static void para(struct rpt *p, const char *text, const struct style *st, double indent,
                 double after)
{
    PangoLayoutIter *it;

    set(p, text, st, CONTENT_W - indent, PANGO_ALIGN_LEFT, 0);
    it = pango_layout_get_iter(p->pen.lay);
    if (it == NULL)
        return;
    cairo_set_source_rgb(p->pen.cr, st->rgb[0], st->rgb[1], st->rgb[2]);
    do {
        PangoRectangle line;
        double h, base;

        pango_layout_iter_get_line_extents(it, NULL, &line);
        h = (double)line.height / PANGO_SCALE;
        base = (double)(pango_layout_iter_get_baseline(it) - line.y) / PANGO_SCALE;
        if (need(p, h))
            cairo_set_source_rgb(p->pen.cr, st->rgb[0], st->rgb[1], st->rgb[2]);
        cairo_move_to(p->pen.cr, MARGIN + indent + (double)line.x / PANGO_SCALE, p->y + base);
        pango_cairo_show_layout_line(p->pen.cr, pango_layout_iter_get_line_readonly(it));
        p->y += h;
    } while (pango_layout_iter_next_line(it));
    pango_layout_iter_free(it);
    p->y += after;
}

/* A section's heading, kept on the page with at least keep points of what follows. */
static void heading(struct rpt *p, const char *text, double keep)
{
    double h = set(p, text, &H2, CONTENT_W, PANGO_ALIGN_LEFT, 0);

    p->y += 10;
    need(p, h + keep);
    show(p, &H2, MARGIN, p->y);
    p->y += h + 2;
    cairo_set_source_rgb(p->pen.cr, NAVY[0], NAVY[1], NAVY[2]);
    cairo_set_line_width(p->pen.cr, 0.75);
    cairo_move_to(p->pen.cr, MARGIN, p->y);
    cairo_line_to(p->pen.cr, EVAL_REPORT_PAGE_W - MARGIN, p->y);
    cairo_stroke(p->pen.cr);
    p->y += 6;
}

/* A label and its value on one row (the value wraps under itself). */
static void fact(struct rpt *p, const char *label, const char *value)
{
    double hv = set(p, value, &BODY, CONTENT_W - LABEL_W, PANGO_ALIGN_LEFT, CELL_LINES);

    need(p, hv + 2);
    show(p, &BODY, MARGIN + LABEL_W, p->y);
    set(p, label, &LABEL, LABEL_W - 6, PANGO_ALIGN_LEFT, 1);
    show(p, &LABEL, MARGIN, p->y + 1);
    p->y += hv + 2;
}

/* --- tables ----------------------------------------------------------------------------- */

/* A table's header row. */
static void table_head(struct rpt *p, const struct col *cols, size_t n)
{
    double x = MARGIN, h = 0;

    for (size_t i = 0; i < n; i++) {
        double hh = set(p, cols[i].head, &HEAD, cols[i].w - 4, cols[i].align, 2);

        show(p, &HEAD, x + 2, p->y + CELL_PAD);
        h = hh > h ? hh : h;
        x += cols[i].w;
    }
    p->y += h + 2 * CELL_PAD;
    cairo_set_source_rgb(p->pen.cr, INK[0], INK[1], INK[2]);
    cairo_set_line_width(p->pen.cr, 0.75);
    cairo_move_to(p->pen.cr, MARGIN, p->y);
    cairo_line_to(p->pen.cr, x, p->y);
    cairo_stroke(p->pen.cr);
}

/* A table's row of n cells (each at most CELL_LINES lines); the header again on a new page. */
static void table_row(struct rpt *p, const struct col *cols, size_t n, const char *const *cells)
{
    double x = MARGIN, h = 0;

    for (size_t i = 0; i < n; i++) {
        double hh = set(p, cells[i], &CELL, cols[i].w - 4, cols[i].align, CELL_LINES);

        h = hh > h ? hh : h;
    }
    if (need(p, h + 2 * CELL_PAD))
        table_head(p, cols, n);
    for (size_t i = 0; i < n; i++) {
        set(p, cells[i], &CELL, cols[i].w - 4, cols[i].align, CELL_LINES);
        show(p, &CELL, x + 2, p->y + CELL_PAD);
        x += cols[i].w;
    }
    p->y += h + 2 * CELL_PAD;
    cairo_set_source_rgb(p->pen.cr, RULE[0], RULE[1], RULE[2]);
    cairo_set_line_width(p->pen.cr, 0.4);
    cairo_move_to(p->pen.cr, MARGIN, p->y);
    cairo_line_to(p->pen.cr, x, p->y);
    cairo_stroke(p->pen.cr);
}

/* --- values as text --------------------------------------------------------------------- */

/* A string member of o, or dflt when it is absent, null or empty. */
static const char *str(const json_t *o, const char *key, const char *dflt)
{
    const char *s = json_string_value(json_object_get(o, key));

    return s != NULL && s[0] != '\0' ? s : dflt;
}

/*
 * The number v into b: an integer as it is, a real with two decimals (with its
 * sign when sign is set), none when v is not a number. Returns b.
 */
static const char *num_text(char *b, size_t n, const json_t *v, const char *none, int sign)
{
    int w;

    if (json_is_integer(v))
        w = snprintf(b, n, sign ? "%+lld" : "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v))
        w = snprintf(b, n, sign ? "%+.2f" : "%.2f", json_real_value(v));
    else
        w = snprintf(b, n, "%s", none);
    if (w < 0 || (size_t)w >= n)
        b[0] = '\0';
    return b;
}

/* A date or timestamp of the view ("2026-12-02…") in words, or dflt when absent. */
static const char *date_text(char *b, size_t n, const json_t *v, const char *dflt)
{
    const char *s = json_string_value(v);
    char ymd[CERT_DATE_LEN + 1];

    if (s == NULL || strlen(s) < CERT_DATE_LEN)
        return dflt;
    memcpy(ymd, s, CERT_DATE_LEN);
    ymd[CERT_DATE_LEN] = '\0';
    if (cert_date_words(ymd, b, n) != CF_OK && snprintf(b, n, "%s", ymd) < 0)
        return dflt;
    return b;
}

/* The skill's others' range "1–3" (or "2" when they all agree), or "Not rated". */
static const char *range_text(char *b, size_t n, const json_t *skill)
{
    const json_t *lo = json_object_get(skill, "others_min"),
                 *hi = json_object_get(skill, "others_max");
    int w;

    if (!json_is_number(lo) || !json_is_number(hi))
        w = snprintf(b, n, "Not rated");
    else if (json_number_value(lo) == json_number_value(hi))
        w = snprintf(b, n, "%.0f", json_number_value(lo));
    else
        w = snprintf(b, n, "%.0f" EN_DASH "%.0f", json_number_value(lo), json_number_value(hi));
    if (w < 0 || (size_t)w >= n)
        b[0] = '\0';
    return b;
}

/* --- the sections ----------------------------------------------------------------------- */

/* The title and the facts of the evaluation. */
static void draw_head(struct rpt *p, const json_t *view)
{
    const json_t *ev = json_object_get(view, "evaluation");
    char opened[DATE_MAX], closed[DATE_MAX], due[DATE_MAX], scale[NUM_MAX];
    int w;

    para(p, "Evaluation report", &LABEL, 0, 2);
    para(p, str(ev, "title", "Untitled evaluation"), &TITLE, 0, 8);
    fact(p, "Person", str(ev, "subject_name", DASH));
    fact(p, "Purpose", str(ev, "purpose_label", str(ev, "purpose", DASH)));
    fact(p, "Framework", str(ev, "framework_name", str(ev, "framework_doc", DASH)));
    fact(p, "Status", str(ev, "status_label", str(ev, "status", DASH)));
    fact(p, "Opened", date_text(opened, sizeof opened, json_object_get(ev, "opened_at"), DASH));
    fact(p, "Closed", date_text(closed, sizeof closed, json_object_get(ev, "closed_at"), DASH));
    fact(p, "Due", date_text(due, sizeof due, json_object_get(ev, "due_on"), DASH));
    w = snprintf(scale, sizeof scale, "1 to %lld",
                 (long long)json_integer_value(json_object_get(ev, "levels")));
    fact(p, "Scale", w > 0 && (size_t)w < sizeof scale ? scale : DASH);
    fact(p, "Ratings blind",
         json_is_true(json_object_get(ev, "blind"))
             ? "Yes: the raters read each other's ratings once it closed."
             : "No: the raters could read each other's ratings.");
}

/* Overall: the others' weighted mean and the self-assessment. */
static void draw_overall(struct rpt *p, const json_t *res, long long levels)
{
    char a[NUM_MAX], b[NUM_MAX], line[2 * NUM_MAX + 96];
    int w;

    heading(p, "Overall", 40);
    w = snprintf(line, sizeof line, "Others' mean, weighted by the skills' weights: %s of %lld.",
                 num_text(a, sizeof a, json_object_get(res, "overall_others"), "Not rated", 0),
                 levels);
    para(p, w > 0 && (size_t)w < sizeof line ? line : "", &BODY, 0, 2);
    if (json_is_true(json_object_get(res, "has_self")))
        w = snprintf(line, sizeof line, "Self-assessment, weighted the same way: %s of %lld.",
                     num_text(b, sizeof b, json_object_get(res, "overall_self"), "Not rated", 0),
                     levels);
    else
        w = snprintf(line, sizeof line, "This evaluation has no self-assessment.");
    para(p, w > 0 && (size_t)w < sizeof line ? line : "", &BODY, 0, 2);
}

/* The chart's scale over the plot: a tick and its level at every level. */
static void chart_scale(struct rpt *p, long long levels)
{
    double span = PLOT_X1 - PLOT_X0;

    for (long long l = 0; l <= levels; l++) {
        char t[NUM_MAX];
        double x = PLOT_X0 + span * (double)l / (double)levels;

        if (snprintf(t, sizeof t, "%lld", l) < 0)
            t[0] = '\0';
        set(p, t, &SMALL, 20, PANGO_ALIGN_CENTER, 1);
        show(p, &SMALL, x - 10, p->y);
    }
    p->y += 10;
}

/* One bar from the plot's start to value v (of levels), at height y, in colour rgb. */
static double bar_x(double v, long long levels)
{
    if (v < 0)
        v = 0;
    if (v > (double)levels)
        v = (double)levels;
    return PLOT_X0 + (PLOT_X1 - PLOT_X0) * v / (double)levels;
}

/*
 * The bar chart: a row per skill, the self rating and the others' mean as bars
 * on the scale 0..levels, the others' range as a whisker over their bar, and
 * every value written beside its bar (text a reader and pdftotext can read).
 */
static void draw_chart(struct rpt *p, const json_t *skills, const json_t *level_names,
                       long long levels, int has_self)
{
    const json_t *s, *l;
    size_t i;
    double rh = has_self ? BAR_ROW_H : BAR_ROW_H - BAR_H - 2;

    heading(p, "Self and others, skill by skill", 80);
    if (json_array_size(level_names) > 0) {
        GString *g = g_string_new("Levels: ");

        json_array_foreach(level_names, i, l)
        {
            g_string_append_printf(g, "%s%lld %s", i > 0 ? ", " : "",
                                   (long long)json_integer_value(json_object_get(l, "level")),
                                   str(l, "label", ""));
        }
        g_string_append(g, ".");
        para(p, g->str, &CELL, 0, 4);
        g_string_free(g, TRUE);
    }

    /* The legend: a swatch and its words for each series. */
    need(p, 14);
    if (has_self) {
        cairo_set_source_rgb(p->pen.cr, SELF_RGB[0], SELF_RGB[1], SELF_RGB[2]);
        cairo_rectangle(p->pen.cr, MARGIN, p->y + 2, 10, BAR_H);
        cairo_fill(p->pen.cr);
        set(p, "Self", &CELL, 60, PANGO_ALIGN_LEFT, 1);
        show(p, &CELL, MARGIN + 14, p->y);
    }
    cairo_set_source_rgb(p->pen.cr, OTHERS_RGB[0], OTHERS_RGB[1], OTHERS_RGB[2]);
    cairo_rectangle(p->pen.cr, MARGIN + 70, p->y + 2, 10, BAR_H);
    cairo_fill(p->pen.cr);
    set(p, "Others' mean; the line across it spans the lowest to the highest of their ratings",
        &CELL, CONTENT_W - 90, PANGO_ALIGN_LEFT, 2);
    show(p, &CELL, MARGIN + 84, p->y);
    p->y += 16;
    chart_scale(p, levels);

    json_array_foreach(skills, i, s)
    {
        const json_t *self = json_object_get(s, "self"), *mean = json_object_get(s, "others_mean");
        char text[3 * NUM_MAX + 32], a[NUM_MAX], b[NUM_MAX], r[NUM_MAX];
        GString *name = g_string_new(NULL);
        double y, top, cy;
        int w;

        if (need(p, rh))
            chart_scale(p, levels);
        y = p->y;

        /* The gridlines at every level, then the label. */
        cairo_set_source_rgb(p->pen.cr, RULE[0], RULE[1], RULE[2]);
        cairo_set_line_width(p->pen.cr, 0.3);
        for (long long k = 0; k <= levels; k++) {
            cairo_move_to(p->pen.cr, bar_x((double)k, levels), y);
            cairo_line_to(p->pen.cr, bar_x((double)k, levels), y + rh - 4);
        }
        cairo_stroke(p->pen.cr);
        g_string_append_printf(name, "%s %s", str(s, "code", ""), str(s, "name", ""));
        set(p, name->str, &CELL, BAR_LABEL_W, PANGO_ALIGN_LEFT, 2);
        show(p, &CELL, MARGIN, y + 1);
        g_string_free(name, TRUE);

        top = y + 2;
        if (has_self) {
            if (json_is_number(self)) {
                cairo_set_source_rgb(p->pen.cr, SELF_RGB[0], SELF_RGB[1], SELF_RGB[2]);
                cairo_rectangle(p->pen.cr, PLOT_X0, top,
                                bar_x(json_number_value(self), levels) - PLOT_X0, BAR_H);
                cairo_fill(p->pen.cr);
            }
            w = snprintf(text, sizeof text, "Self %s", num_text(a, sizeof a, self, "Not rated", 0));
            set(p, w > 0 && (size_t)w < sizeof text ? text : "", &SMALL, BAR_VALUE_W,
                PANGO_ALIGN_LEFT, 1);
            show(p, &SMALL, PLOT_X1 + 6, top - 0.5);
            top += BAR_H + 2;
        }
        if (json_is_number(mean)) {
            const json_t *lo = json_object_get(s, "others_min"),
                         *hi = json_object_get(s, "others_max");

            cairo_set_source_rgb(p->pen.cr, OTHERS_RGB[0], OTHERS_RGB[1], OTHERS_RGB[2]);
            cairo_rectangle(p->pen.cr, PLOT_X0, top,
                            bar_x(json_number_value(mean), levels) - PLOT_X0, BAR_H);
            cairo_fill(p->pen.cr);
            if (json_is_number(lo) && json_is_number(hi)) {
                double x0 = bar_x(json_number_value(lo), levels);
                double x1 = bar_x(json_number_value(hi), levels);

                cy = top + BAR_H / 2;
                cairo_set_source_rgb(p->pen.cr, INK[0], INK[1], INK[2]);
                cairo_set_line_width(p->pen.cr, 0.8);
                cairo_move_to(p->pen.cr, x0, cy);
                cairo_line_to(p->pen.cr, x1, cy);
                cairo_move_to(p->pen.cr, x0, cy - 3);
                cairo_line_to(p->pen.cr, x0, cy + 3);
                cairo_move_to(p->pen.cr, x1, cy - 3);
                cairo_line_to(p->pen.cr, x1, cy + 3);
                cairo_stroke(p->pen.cr);
            }
        }
        if (json_is_number(mean))
            w = snprintf(text, sizeof text, "Others %s (%s)",
                         num_text(b, sizeof b, mean, "Not rated", 0), range_text(r, sizeof r, s));
        else
            w = snprintf(text, sizeof text, "Others: Not rated");
        set(p, w > 0 && (size_t)w < sizeof text ? text : "", &SMALL, BAR_VALUE_W, PANGO_ALIGN_LEFT,
            1);
        show(p, &SMALL, PLOT_X1 + 6, top - 0.5);
        p->y += rh;
    }
}

/*
 * The weight of skill item as a share of all, in per cent: the view's own
 * figure (its skills' weight_pct, the one the page shows) when it has one,
 * else weight / total rounded half up.
 */
static long long weight_pct(const json_t *view_skills, const char *item, double weight,
                            double total)
{
    const json_t *s;
    size_t i;

    json_array_foreach(view_skills, i, s)
    {
        const char *id = json_string_value(json_object_get(s, "item_id"));

        if (id != NULL && item != NULL && strcmp(id, item) == 0 &&
            json_is_integer(json_object_get(s, "weight_pct")))
            return json_integer_value(json_object_get(s, "weight_pct"));
    }
    return total > 0 ? (long long)floor(100.0 * weight / total + 0.5) : 0;
}

/* The table per skill (view_skills: the view's skills, for their weights in per cent). */
static void draw_skills(struct rpt *p, const json_t *skills, const json_t *view_skills)
{
    static const struct col cols[] = {
        {"Code", 38, PANGO_ALIGN_LEFT},          {"Skill", 150, PANGO_ALIGN_LEFT},
        {"Weight", 40, PANGO_ALIGN_RIGHT},       {"Self", 48, PANGO_ALIGN_RIGHT},
        {"Others' mean", 52, PANGO_ALIGN_RIGHT}, {"SD", 40, PANGO_ALIGN_RIGHT},
        {"Range", 48, PANGO_ALIGN_RIGHT},        {"Raters", 36, PANGO_ALIGN_RIGHT},
        {"Gap", 52, PANGO_ALIGN_RIGHT},
    };
    const size_t nc = sizeof cols / sizeof cols[0];
    const json_t *s;
    double total = 0;
    size_t i;

    heading(p, "Skill by skill", 60);
    json_array_foreach(skills, i, s)
    {
        total += json_number_value(json_object_get(s, "weight"));
    }
    table_head(p, cols, nc);
    json_array_foreach(skills, i, s)
    {
        char wt[NUM_MAX], self[NUM_MAX], mean[NUM_MAX], sd[NUM_MAX], rg[NUM_MAX], n[NUM_MAX],
            gap[NUM_MAX];
        const char *cells[9];
        double wv = json_number_value(json_object_get(s, "weight"));

        if (snprintf(wt, sizeof wt, "%lld%%",
                     weight_pct(view_skills, json_string_value(json_object_get(s, "item_id")), wv,
                                total)) < 0)
            wt[0] = '\0';
        cells[0] = str(s, "code", "");
        cells[1] = str(s, "name", "");
        cells[2] = wt;
        cells[3] = num_text(self, sizeof self, json_object_get(s, "self"), "Not rated", 0);
        cells[4] = num_text(mean, sizeof mean, json_object_get(s, "others_mean"), "Not rated", 0);
        cells[5] = num_text(sd, sizeof sd, json_object_get(s, "others_sd"), DASH, 0);
        cells[6] = range_text(rg, sizeof rg, s);
        cells[7] = num_text(n, sizeof n, json_object_get(s, "others_n"), "0", 0);
        cells[8] = num_text(gap, sizeof gap, json_object_get(s, "gap"), DASH, 1);
        table_row(p, cols, nc, cells);
    }
    para(p,
         "Gap is the self rating less the others' mean. SD is the standard deviation of the "
         "others' ratings (shown with two ratings or more). "
         "A \"No basis to rate\" answer and an unanswered skill are left out, never counted as 0.",
         &CELL, 0, 0);
}

/* The categories: the weighted means of their skills. */
static void draw_categories(struct rpt *p, const json_t *cats)
{
    static const struct col cols[] = {
        {"Category", 100, PANGO_ALIGN_LEFT},
        {"Self", 80, PANGO_ALIGN_RIGHT},
        {"Others' mean", 80, PANGO_ALIGN_RIGHT},
    };
    const json_t *c;
    size_t i;

    if (json_array_size(cats) == 0)
        return;
    heading(p, "Categories", 50);
    table_head(p, cols, 3);
    json_array_foreach(cats, i, c)
    {
        char self[NUM_MAX], mean[NUM_MAX];
        const char *cells[3] = {
            str(c, "code", DASH),
            num_text(self, sizeof self, json_object_get(c, "self"), "Not rated", 0),
            num_text(mean, sizeof mean, json_object_get(c, "others_mean"), "Not rated", 0)};

        table_row(p, cols, 3, cells);
    }
}

/* A list of ranked skills: "II.B Name: others' mean 3.50, self 3." */
static void skill_list(struct rpt *p, const char *title, const json_t *list)
{
    const json_t *s;
    size_t i;

    para(p, title, &H3, 0, 2);
    json_array_foreach(list, i, s)
    {
        char mean[NUM_MAX], self[NUM_MAX];
        char *line = g_strdup_printf(
            "%s %s: others' mean %s, self %s.", str(s, "code", ""), str(s, "name", ""),
            num_text(mean, sizeof mean, json_object_get(s, "others_mean"), "not rated", 0),
            num_text(self, sizeof self, json_object_get(s, "self"), "not rated", 0));

        para(p, line, &BODY, 12, 1);
        g_free(line);
    }
    p->y += 4;
}

/* Strengths and gaps, ranked by the others' mean. */
static void draw_ranked(struct rpt *p, const json_t *res)
{
    heading(p, "Strengths and gaps", 40);
    if (json_array_size(json_object_get(res, "strengths")) == 0) {
        para(p, "Too few skills were rated to name strengths and gaps.", &BODY, 0, 2);
        return;
    }
    skill_list(p, "Strengths, the highest rated first", json_object_get(res, "strengths"));
    skill_list(p, "Gaps, the lowest rated first", json_object_get(res, "gaps"));
}

/* One agreement figure: the value, or "Not defined: why." */
static char *agree_text(const char *what, const json_t *v)
{
    char b[NUM_MAX];

    if (json_is_number(v))
        return g_strdup_printf("%s: %s.", what, num_text(b, sizeof b, v, "", 0));
    if (json_is_object(v))
        return g_strdup_printf("%s: not defined (%s).", what, str(v, "why", "no reason given"));
    return NULL;
}

/* How far the raters other than the person agree: the method, its form and the values. */
static void draw_agreement(struct rpt *p, const json_t *a)
{
    static const char *const extra[][2] = {
        {"linear", "With linear weights"},
        {"unweighted", "Unweighted"},
        {"average", "ICC(2,k), the mean of all raters"},
    };
    char *t;

    heading(p, "How far the raters agree", 40);
    if (!json_is_object(a)) {
        para(p,
             "Agreement is not computed: it needs at least two raters besides the person "
             "evaluated.",
             &BODY, 0, 2);
        return;
    }
    t = g_strdup_printf("Method: %s.", str(a, "method", DASH));
    para(p, t, &BODY, 0, 1);
    g_free(t);
    t = g_strdup_printf("Form: %s.", str(a, "form", DASH));
    para(p, t, &BODY, 0, 1);
    g_free(t);
    t = agree_text("Value", json_object_get(a, "value"));
    para(p, t != NULL ? t : "Value: not defined.", &BODY, 0, 1);
    g_free(t);
    for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++) {
        t = agree_text(extra[i][1], json_object_get(a, extra[i][0]));
        if (t != NULL)
            para(p, t, &BODY, 0, 1);
        g_free(t);
    }
    if (json_is_integer(json_object_get(a, "skills"))) {
        t = g_strdup_printf("Skills compared: %lld.",
                            (long long)json_integer_value(json_object_get(a, "skills")));
        para(p, t, &BODY, 0, 1);
        g_free(t);
    }
    if (json_integer_value(json_object_get(a, "dropped")) > 0) {
        t = g_strdup_printf("Skills left out because not every rater rated them: %lld.",
                            (long long)json_integer_value(json_object_get(a, "dropped")));
        para(p, t, &BODY, 0, 1);
        g_free(t);
    }
    para(p, "The person's own ratings are not in this figure: the gap column compares them.", &CELL,
         0, 0);
}

/*
 * The comments on the core values, each with the kind of rater who wrote it;
 * the values nobody commented on named together in one line after them.
 */
static void draw_values(struct rpt *p, const json_t *values)
{
    const json_t *v, *c;
    GString *none;
    size_t i, j, silent = 0;

    if (json_array_size(values) == 0)
        return;
    heading(p, "Comments on the core values", 40);
    none = g_string_new("No comments on ");
    json_array_foreach(values, i, v)
    {
        const json_t *cs = json_object_get(v, "comments");

        if (json_array_size(cs) == 0) {
            g_string_append_printf(none, "%s%s", silent++ > 0 ? ", " : "", str(v, "name", DASH));
            continue;
        }
        need(p, 30);
        para(p, str(v, "name", DASH), &H3, 0, 1);
        json_array_foreach(cs, j, c)
        {
            char *line = g_strdup_printf("%s: %s", str(c, "by", "A rater"), str(c, "note", ""));

            para(p, line, &NOTE, 12, 3);
            g_free(line);
        }
        p->y += 3;
    }
    if (silent > 0) {
        g_string_append(none, ".");
        para(p, none->str, &BODY, 0, 2);
    }
    g_string_free(none, TRUE);
}

/* Every page of the report of view, drawn with p. CF_OK, or CF_EIO when cairo failed. */
static int draw_report(struct rpt *p, const json_t *view)
{
    const json_t *ev = json_object_get(view, "evaluation"), *res = json_object_get(view, "results");
    const json_t *skills = json_object_get(res, "skills");
    long long levels = json_integer_value(json_object_get(ev, "levels"));
    const json_t *names =
        json_object_get(json_array_get(json_object_get(view, "skills"), 0), "levels");

    p->page = 1;
    p->y = TOP;
    draw_head(p, view);
    draw_overall(p, res, levels);
    if (json_array_size(skills) > 0)
        draw_chart(p, skills, names, levels, json_is_true(json_object_get(res, "has_self")));
    draw_skills(p, skills, json_object_get(view, "skills"));
    draw_categories(p, json_object_get(res, "categories"));
    draw_ranked(p, res);
    draw_agreement(p, json_object_get(res, "agreement"));
    draw_values(p, json_object_get(view, "values"));
    footer(p);
    cairo_show_page(p->pen.cr);
    return cairo_status(p->pen.cr) == CAIRO_STATUS_SUCCESS ? CF_OK : CF_EIO;
}

/* --- the PDF ---------------------------------------------------------------------------- */

/* Where cairo's PDF bytes go: a buf (NULL: nowhere), and the first failure. */
struct sink {
    struct buf *out;
    int rc;
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int n)
{
    struct sink *s = closure;

    if (s->out == NULL)
        return CAIRO_STATUS_SUCCESS;
    if (s->rc != CF_OK)
        return CAIRO_STATUS_WRITE_ERROR;
    s->rc = buf_add(s->out, data, n);
    return s->rc == CF_OK ? CAIRO_STATUS_SUCCESS : CAIRO_STATUS_WRITE_ERROR;
}

/* The PDF's metadata: its title and, when the evaluation closed, that day as its dates. */
static void set_metadata(cairo_surface_t *s, const json_t *view)
{
    const json_t *ev = json_object_get(view, "evaluation");
    const char *closed = json_string_value(json_object_get(ev, "closed_at"));
    char *title = g_strdup_printf("Evaluation report " DASH " %s " DASH " %s",
                                  str(ev, "title", "Untitled"), str(ev, "subject_name", DASH));
    char date[PDF_DATE_SZ], ymd[CERT_DATE_LEN + 1], words[CERT_DATE_WORDS];

    if (g_utf8_validate(title, -1, NULL))
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, title);
    g_free(title);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "ctoframe");
    if (closed != NULL && strlen(closed) >= CERT_DATE_LEN) {
        memcpy(ymd, closed, CERT_DATE_LEN);
        ymd[CERT_DATE_LEN] = '\0';
        if (cert_date_words(ymd, words, sizeof words) == CF_OK &&
            snprintf(date, sizeof date, "%sT00:00:00Z", ymd) > 0) {
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATE_DATE, date);
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_MOD_DATE, date);
        }
    }
}

/*
 * One rendering of view onto a PDF surface writing into out (NULL: nowhere),
 * with pages as the page count in the footers (0: unknown). *drawn is the
 * number of pages drawn. CF_OK, or as eval_report_pdf.
 */
static int render(const json_t *view, struct buf *out, int pages, int *drawn)
{
    struct sink sink = {out, CF_OK};
    cairo_surface_t *s;
    struct rpt p = {0};
    char *foot;
    int rc;

    s = cairo_pdf_surface_create_for_stream(sink_write, &sink, EVAL_REPORT_PAGE_W,
                                            EVAL_REPORT_PAGE_H);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return CF_EIO;
    }
    set_metadata(s, view);
    foot = g_strdup_printf("%s " DASH " %s",
                           str(json_object_get(view, "evaluation"), "title", "Evaluation"),
                           str(json_object_get(view, "evaluation"), "subject_name", DASH));
    rc = rpt_open(&p, s);
    if (rc == CF_OK) {
        p.pages = pages;
        p.foot = foot;
        rc = draw_report(&p, view);
        *drawn = p.page;
        rpt_close(&p);
    }

    /* Finishing writes the fonts, the pages and the trailer through sink_write. */
    cairo_surface_finish(s);
    if (sink.rc != CF_OK)
        rc = sink.rc; /* the buffer's refusal is the cause of whatever cairo said after it */
    else if (rc == CF_OK && cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
        rc = cairo_surface_status(s) == CAIRO_STATUS_NO_MEMORY ? CF_ENOMEM : CF_EIO;
    cairo_surface_destroy(s);
    g_free(foot);
    return rc;
}

int eval_report_pdf(const json_t *view, struct buf *out, struct cf_error *err)
{
    int rc, pages = 0, drawn = 0;
    long long levels;

    if (!json_is_object(json_object_get(view, "results")) ||
        !json_is_object(json_object_get(view, "evaluation"))) {
        rc = cf_error_set(err, CF_EINVAL, "results",
                          "The evaluation has no results to print yet. The report exists once "
                          "the raters may read each other's ratings.");
        goto out;
    }
    levels = json_integer_value(json_object_get(json_object_get(view, "evaluation"), "levels"));
    if (levels < EVAL_LEVELS_MIN || levels > EVAL_LEVELS_MAX) {
        rc = cf_error_set(err, CF_EINVAL, "levels",
                          "The evaluation's scale has %lld levels. A report needs %d to %d.",
                          levels, EVAL_LEVELS_MIN, EVAL_LEVELS_MAX);
        goto out;
    }

    /* Once to count the pages, once more with "Page n of m" in every footer. */
    rc = render(view, NULL, 0, &pages);
    if (rc == CF_OK)
        rc = render(view, out, pages, &drawn);

out:
    if (rc != CF_OK) {
        buf_free(out);
        if (rc == CF_ETOOBIG)
            cf_error_set(err, rc, NULL,
                         "The report is larger than its buffer allows. Print it from the "
                         "evaluation's page instead.");
        else if (rc == CF_ENOMEM)
            cf_error_set(err, rc, NULL, "Out of memory. Try again in a moment.");
        else if (rc != CF_EINVAL)
            cf_error_set(err, rc, NULL,
                         "The report could not be drawn (cairo or pango failed). Check that the "
                         "fonts are installed (scripts/bootstrap) and try again.");
    }
    return rc;
}
