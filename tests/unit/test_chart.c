/*
 * test_chart.c — src/core/chart.c: the radar, the bars and the data table.
 *
 * Every chart is read back with libxml2 (a real XML parser, not string
 * matching): the root is an <svg> image named by its <title> and described by
 * its <desc>, the shapes match the data (a polygon per complete series, a bar
 * per value), hostile names come back intact, missing values leave gaps, other
 * scales and axis counts draw, and the same input gives the same bytes.
 *
 * CTOFRAME_CHART_SAMPLE=DIR writes sample.svg files and an HTML page to DIR to
 * look at (docs/internals/charts.md).
 */
#include "testutil.h"

#include "core/chart.h"
#include "lib/buf.h"
#include "lib/err.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <locale.h>
#include <math.h>

#define SVG_NS  "http://www.w3.org/2000/svg"
#define OUT_MAX (1u << 20)

static const struct chart_axis cosn[] = {
    {"I.A", "Leadership & Vision"},
    {"I.B", "Strategic Planning"},
    {"I.C", "Ethics & Policies"},
    {"II.A", "Instructional Focus & Professional Development"},
    {"II.B", "Team Building & Staffing"},
    {"II.C", "Stakeholder Focus"},
    {"III.A", "Information Technology Management"},
    {"III.B", "Communication Systems Management"},
    {"III.C", "Business Management"},
    {"III.D", "Data Management"},
};

static const char *const levels4[] = {"Emerging", "Developing", "Proficient", "Exemplary"};

static const double self[] = {3, 2, 4, 3, 2, 3, 4, 3, 2, 3};
static const double others[] = {2.5, 2.67, 3.5, 2, 2.33, 3, 3.67, 2.5, 1.5, 3};
static const double others_lo[] = {2, 2, 3, 1, 2, 3, 3, 2, 1, 3};
static const double others_hi[] = {3, 3, 4, 3, 3, 3, 4, 3, 2, 3};

static const struct chart_series two[] = {
    {"Self", self, NULL, NULL},
    {"Others' mean", others, others_lo, others_hi},
};

/* The review chart of the issue: ten skills, self vs others, K = 4. */
static struct chart review(const char *id)
{
    struct chart c = {0};

    c.id = id;
    c.title = "Annual review 2026: self and others";
    c.levels = 4;
    c.level_names = levels4;
    c.naxes = sizeof cosn / sizeof cosn[0];
    c.axes = cosn;
    c.nseries = 2;
    c.series = two;
    return c;
}

typedef int (*draw_fn)(const struct chart *, struct buf *, struct cf_error *);

/* Draws c; the test fails unless it draws. The caller frees the buffer. */
static void draw(draw_fn fn, const struct chart *c, struct buf *out)
{
    struct cf_error err = {0};
    int rc;

    buf_init(out, OUT_MAX);
    rc = fn(c, out, &err);
    if (rc != CF_OK)
        fail_msg("draw failed: %d %s (%s)", rc, err.message, err.field);
}

/* The output parsed as XML; the test fails on any well-formedness error. */
static xmlDocPtr parse(const struct buf *b)
{
    xmlDocPtr doc = xmlReadMemory(buf_str(b), (int)b->n, "chart.xml", "UTF-8", XML_PARSE_NONET);

    if (doc == NULL)
        fail_msg("not well-formed XML:\n%s", buf_str(b));
    return doc;
}

/* How many nodes the XPath expression (prefix s: for SVG) selects. */
static int count(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r;
    int n;

    assert_non_null(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST SVG_NS);
    r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (r == NULL)
        fail_msg("bad XPath %s", expr);
    n = r->nodesetval != NULL ? r->nodesetval->nodeNr : 0;
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return n;
}

/* The string value of an XPath expression (malloc'd; the caller frees it). */
static char *string(xmlDocPtr doc, const char *expr)
{
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r;
    xmlChar *x;
    char *s;

    assert_non_null(ctx);
    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST SVG_NS);
    r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    if (r == NULL)
        fail_msg("bad XPath %s", expr);
    x = xmlXPathCastToString(r);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    s = strdup(x != NULL ? (const char *)x : "");
    xmlFree(x);
    assert_non_null(s);
    return s;
}

/* 1 when the XPath string value contains needle. */
static int has_text(xmlDocPtr doc, const char *expr, const char *needle)
{
    xmlChar *s;
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    xmlXPathObjectPtr r;
    int yes;

    xmlXPathRegisterNs(ctx, BAD_CAST "s", BAD_CAST SVG_NS);
    r = xmlXPathEvalExpression(BAD_CAST expr, ctx);
    s = xmlXPathCastToString(r);
    yes = s != NULL && strstr((const char *)s, needle) != NULL;
    if (!yes)
        print_message("%s does not contain \"%s\": \"%s\"\n", expr, needle,
                      s != NULL ? (const char *)s : "(null)");
    xmlFree(s);
    xmlXPathFreeObject(r);
    xmlXPathFreeContext(ctx);
    return yes;
}

/*
 * What every chart carries: an <svg> root in the SVG namespace with role img,
 * a viewBox and width 100%, aria-labelledby naming its non-empty <title> and
 * <desc> (direct children, ids with the chart's prefix), and every id unique
 * and prefixed.
 */
static void check_accessible(xmlDocPtr doc, const char *id)
{
    xmlNodePtr root = xmlDocGetRootElement(doc);
    char expr[256], want[128], *s;
    xmlChar *a;

    assert_non_null(root);
    assert_string_equal((const char *)root->name, "svg");
    assert_non_null(root->ns);
    assert_string_equal((const char *)root->ns->href, SVG_NS);
    a = xmlGetProp(root, BAD_CAST "role");
    assert_string_equal((const char *)a, "img");
    xmlFree(a);
    a = xmlGetProp(root, BAD_CAST "width");
    assert_string_equal((const char *)a, "100%");
    xmlFree(a);
    a = xmlGetProp(root, BAD_CAST "viewBox");
    assert_non_null(a);
    assert_true(strncmp((const char *)a, "0 0 ", 4) == 0);
    xmlFree(a);
    assert_null(xmlHasProp(root, BAD_CAST "style")); /* CSP: style-src 'self' */

    snprintf(want, sizeof want, "%s-title %s-desc", id, id);
    a = xmlGetProp(root, BAD_CAST "aria-labelledby");
    assert_string_equal((const char *)a, want);
    xmlFree(a);
    snprintf(expr, sizeof expr, "/s:svg/s:title[@id='%s-title']", id);
    assert_int_equal(count(doc, expr), 1);
    assert_int_equal(count(doc, "/s:svg/s:title"), 1);
    snprintf(expr, sizeof expr, "/s:svg/s:desc[@id='%s-desc']", id);
    assert_int_equal(count(doc, expr), 1);
    s = string(doc, "normalize-space(/s:svg/s:title)");
    assert_true(strlen(s) > 0);
    free(s);
    s = string(doc, "normalize-space(/s:svg/s:desc)");
    assert_true(strlen(s) > 20);
    free(s);

    /* No two ids alike; all carry the prefix; no inline style anywhere. */
    snprintf(expr, sizeof expr, "//*[@id and not(starts-with(@id, '%s-'))]", id);
    assert_int_equal(count(doc, expr), 0);
    assert_int_equal(count(doc, "//*[@id = preceding::*/@id or @id = ancestor::*/@id]"), 0);
    assert_int_equal(count(doc, "//*[@style] | //s:style"), 0);
}

/* WCAG contrast of #rrggbb against white. */
static double contrast_on_white(const char *hex)
{
    double lum = 0;
    static const double wt[3] = {0.2126, 0.7152, 0.0722};
    int i;

    assert_int_equal(strlen(hex), 7);
    for (i = 0; i < 3; i++) {
        char part[3] = {hex[1 + 2 * i], hex[2 + 2 * i], '\0'};
        double c = (double)strtol(part, NULL, 16) / 255.0;

        c = c <= 0.03928 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
        lum += wt[i] * c;
    }
    return 1.05 / (lum + 0.05);
}

static void test_radar_review(void **state)
{
    struct chart c = review("rv");
    struct buf b;
    xmlDocPtr doc;
    char *s;

    (void)state;
    draw(chart_radar_svg, &c, &b);
    doc = parse(&b);
    check_accessible(doc, "rv");

    /* Two complete series: two polygons; a ring per level; a spoke and a label per axis. */
    assert_int_equal(count(doc, "//s:g[@class='series']"), 2);
    assert_int_equal(count(doc, "//s:g[@class='series']/s:polygon"), 2);
    assert_int_equal(count(doc, "//s:g[@class='series']/s:path"), 0);
    assert_int_equal(count(doc, "//s:g[@class='grid']/s:polygon"), 4);
    assert_int_equal(count(doc, "//s:g[@class='grid']/s:line"), 10);
    assert_int_equal(count(doc, "//s:g[@class='labels']/s:text"), 10);
    /* A marker per value: circles for Self, squares for the others. */
    assert_int_equal(count(doc, "//s:g[@class='series'][@data-series='0']//s:circle"), 10);
    assert_int_equal(count(doc, "//s:g[@class='series'][@data-series='1']//s:rect"), 10);

    /* The text alternative names the scale, the series and every value. */
    assert_true(has_text(doc, "/s:svg/s:desc", "Radar chart, 10 items."));
    assert_true(has_text(doc, "/s:svg/s:desc", "1 Emerging, 2 Developing"));
    assert_true(has_text(doc, "/s:svg/s:desc",
                         "I.B Strategic Planning: Self 2.0 of 4; Others' mean 2.7 of 4, "
                         "range 2.0 to 3.0."));
    assert_true(has_text(doc, "/s:svg/s:desc", "III.D Data Management: Self 3.0 of 4"));
    /* The long name wraps (four lines under the code), nothing cut. */
    s = string(doc, "//s:g[@class='labels']/s:text[4]");
    assert_string_equal(s, "II.AInstructionalFocus &ProfessionalDevelopment");
    free(s);
    assert_int_equal(count(doc, "//s:g[@class='labels']/s:text[4]/s:tspan"), 5);

    xmlFreeDoc(doc);
    buf_free(&b);
}

static void test_bars_review(void **state)
{
    struct chart c = review("bv");
    struct buf b;
    xmlDocPtr doc;

    (void)state;
    draw(chart_bars_svg, &c, &b);
    doc = parse(&b);
    check_accessible(doc, "bv");

    /* A bar per value per series, a whisker per range, the value at each bar's end. */
    assert_int_equal(count(doc, "//s:g[@class='series']"), 2);
    assert_int_equal(count(doc, "//s:g[@class='series'][@data-series='0']/s:rect"), 10);
    assert_int_equal(count(doc, "//s:g[@class='series'][@data-series='1']/s:rect"), 10);
    assert_int_equal(count(doc, "//s:g[@class='series'][@data-series='1']/s:path"), 10);
    assert_int_equal(count(doc, "//s:g[@class='series'][@data-series='0']/s:path"), 0);
    assert_int_equal(count(doc, "//s:g[@class='series'][@data-series='1']/s:text[.='2.7']"), 1);
    assert_int_equal(count(doc, "//s:g[@class='labels']/s:text"), 10);
    /* The second series is patterned (not told by colour alone), its pattern defined here. */
    assert_int_equal(count(doc, "//s:g[@data-series='1']/s:rect[@fill='url(#bv-p1)']"), 10);
    assert_int_equal(count(doc, "/s:svg/s:defs/s:pattern[@id='bv-p1']"), 1);
    /* Scale 0..4 above and below, with the level names under the top numbers. */
    assert_int_equal(count(doc, "//s:g[@class='scale']/s:text"), 10);
    assert_true(has_text(doc, "//s:g[@class='scale'][1]", "Exemplary"));
    assert_true(has_text(doc, "/s:svg/s:desc", "Bar chart, 10 items."));

    xmlFreeDoc(doc);
    buf_free(&b);
}

/* Series look different without colour (dash, marker) and each colour is >= 3:1 on white. */
static void test_series_looks(void **state)
{
    static const struct chart_series four[] = {
        {"Self", self, NULL, NULL},
        {"Supervisor", others, NULL, NULL},
        {"Peers", self, NULL, NULL},
        {"Panel", others, NULL, NULL},
    };
    struct chart c = review("lk");
    struct buf b;
    xmlDocPtr doc;
    char expr[128];
    int k;

    (void)state;
    c.nseries = 4;
    c.series = four;
    draw(chart_radar_svg, &c, &b);
    doc = parse(&b);
    check_accessible(doc, "lk");
    assert_int_equal(count(doc, "//s:g[@class='series']/s:polygon"), 4);
    for (k = 0; k < 4; k++) {
        char *color, *dash;
        int j;

        snprintf(expr, sizeof expr, "string(//s:g[@class='series'][@data-series='%d']/@stroke)", k);
        color = string(doc, expr);
        print_message("series %d: %s contrast %.2f\n", k, color, contrast_on_white(color));
        assert_true(contrast_on_white(color) >= 3.0);
        snprintf(expr, sizeof expr,
                 "string(//s:g[@class='series'][@data-series='%d']/@stroke-dasharray)", k);
        dash = string(doc, expr);
        for (j = 0; j < k; j++) {
            char *other;

            snprintf(expr, sizeof expr,
                     "string(//s:g[@class='series'][@data-series='%d']/@stroke-dasharray)", j);
            other = string(doc, expr);
            assert_string_not_equal(dash, other);
            free(other);
        }
        free(color);
        free(dash);
    }
    /* Four marker shapes: circle, square, triangle and diamond (polygons of 3 and 4 points). */
    assert_int_equal(count(doc, "//s:g[@data-series='0']/s:g/s:circle"), 10);
    assert_int_equal(count(doc, "//s:g[@data-series='1']/s:g/s:rect"), 10);
    assert_int_equal(count(doc, "//s:g[@data-series='2']/s:g/s:polygon"), 10);
    assert_int_equal(count(doc, "//s:g[@data-series='3']/s:g/s:polygon"), 10);
    xmlFreeDoc(doc);
    buf_free(&b);

    /* Bars: solid, then three different patterns. */
    draw(chart_bars_svg, &c, &b);
    doc = parse(&b);
    assert_int_equal(count(doc, "/s:svg/s:defs/s:pattern"), 3);
    assert_int_equal(count(doc, "//s:pattern[@id='lk-p1']/s:rect[@width='3']"), 1);
    assert_int_equal(count(doc, "//s:pattern[@id='lk-p2']/s:circle"), 1);
    assert_int_equal(count(doc, "//s:pattern[@id='lk-p3']/s:path"), 1);
    xmlFreeDoc(doc);
    buf_free(&b);
}

/* Names with every XML-special character, and a control character, come back as given. */
static void test_hostile_names(void **state)
{
    static const struct chart_axis axes[] = {
        {"<A>", "Tom & Jerry's \"plan\" <script>alert(1)</script>"},
        {"B&", "]]> <!-- --> &amp; &#0;"},
        {NULL, "Plain \xc3\xa9t\xc3\xa9 \xe2\x9c\x93"},
    };
    static const double v[] = {1, 2, 3};
    static const struct chart_series ss[] = {{"<b>Self</b> & co", v, NULL, NULL}};
    static const char *const names[] = {"<1>", "&2", "\"3\"", "'4'"};
    struct chart c = {0};
    struct buf b;
    xmlDocPtr doc;
    draw_fn fns[] = {chart_radar_svg, chart_bars_svg};
    size_t i;

    (void)state;
    c.id = "h";
    c.title = "<title> & \"quotes\" 'too'\tand a tab";
    c.levels = 4;
    c.level_names = names;
    c.naxes = 3;
    c.axes = axes;
    c.nseries = 1;
    c.series = ss;
    for (i = 0; i < 2; i++) {
        draw(fns[i], &c, &b);
        doc = parse(&b);
        check_accessible(doc, "h");
        assert_true(has_text(doc, "/s:svg/s:title", "<title> & \"quotes\" 'too' and a tab"));
        assert_true(has_text(doc, "/s:svg/s:desc", "Tom & Jerry's \"plan\" <script>"));
        assert_true(has_text(doc, "/s:svg/s:desc", "]]> <!-- --> &amp; &#0;"));
        assert_true(has_text(doc, "/s:svg/s:desc", "<b>Self</b> & co 1.0 of 4"));
        assert_true(has_text(doc, "/s:svg/s:desc", "1 <1>, 2 &2, 3 \"3\", 4 '4'"));
        assert_true(has_text(doc, "/s:svg/s:desc", "Plain \xc3\xa9t\xc3\xa9 \xe2\x9c\x93"));
        assert_int_equal(count(doc, "//s:script"), 0);
        xmlFreeDoc(doc);
        buf_free(&b);
    }
    draw(chart_table_html, &c, &b);
    doc = parse(&b);
    assert_int_equal(count(doc, "//script | //b"), 0);
    assert_true(has_text(doc, "/table/tbody/tr[2]/th", "B& ]]> <!-- --> &amp; &#0;"));
    xmlFreeDoc(doc);
    buf_free(&b);
}

/* A missing value is a gap in the radar, "Not rated" in the bars, the desc and the table. */
static void test_missing_values(void **state)
{
    double s1[10], o1[10], lo[10], hi[10];
    struct chart_series ss[2] = {{"Self", s1, NULL, NULL}, {"Others' mean", o1, lo, hi}};
    struct chart c = review("m");
    struct buf b;
    xmlDocPtr doc;
    size_t i;

    (void)state;
    for (i = 0; i < 10; i++) {
        s1[i] = self[i];
        o1[i] = others[i];
        lo[i] = others_lo[i];
        hi[i] = others_hi[i];
    }
    s1[1] = NAN; /* Self skipped Strategic Planning */
    o1[1] = o1[2] = o1[9] = NAN;
    lo[1] = lo[2] = lo[9] = hi[1] = hi[2] = hi[9] = NAN;
    c.series = ss;

    draw(chart_radar_svg, &c, &b);
    doc = parse(&b);
    check_accessible(doc, "m");
    /* No polygon for an incomplete series: segments between rated neighbours only. */
    assert_int_equal(count(doc, "//s:g[@class='series']/s:polygon"), 0);
    assert_int_equal(count(doc, "//s:g[@class='series']/s:path"), 2);
    /* Self: 9 of 10 rated, so 8 segments (the two around I.B are gone). */
    {
        char *d = string(doc, "string(//s:g[@data-series='0']/s:path/@d)");
        size_t n = 0;
        const char *p;

        for (p = d; (p = strchr(p, 'M')) != NULL; p++)
            n++;
        assert_int_equal(n, 8);
        free(d);
    }
    assert_int_equal(count(doc, "//s:g[@data-series='0']//s:circle"), 9);
    assert_int_equal(count(doc, "//s:g[@data-series='1']//s:rect"), 7);
    assert_true(has_text(doc, "/s:svg/s:desc",
                         "I.B Strategic Planning: Self not rated; Others' mean "
                         "not rated."));
    xmlFreeDoc(doc);
    buf_free(&b);

    draw(chart_bars_svg, &c, &b);
    doc = parse(&b);
    assert_int_equal(count(doc, "//s:g[@data-series='0']/s:rect"), 9);
    assert_int_equal(count(doc, "//s:g[@data-series='1']/s:rect"), 7);
    assert_int_equal(count(doc, "//s:g[@data-series='1']/s:path"), 7);
    assert_int_equal(count(doc, "//s:g[@class='series']/s:text[.='Not rated']"), 4);
    xmlFreeDoc(doc);
    buf_free(&b);

    draw(chart_table_html, &c, &b);
    doc = parse(&b);
    assert_int_equal(count(doc, "//td[.='Not rated']"), 4);
    assert_true(has_text(doc, "/table/tbody/tr[1]", "2.0 to 3.0"));
    xmlFreeDoc(doc);
    buf_free(&b);

    /* A series with nothing rated: no shape at all, still in the legend and the desc. */
    for (i = 0; i < 10; i++)
        s1[i] = NAN;
    draw(chart_radar_svg, &c, &b);
    doc = parse(&b);
    assert_int_equal(count(doc, "//s:g[@data-series='0']/*[not(self::s:g)]"), 0);
    assert_int_equal(count(doc, "//s:g[@data-series='0']//s:circle"), 0);
    assert_int_equal(count(doc, "//s:g[@class='legend']/s:text[.='Self']"), 1);
    xmlFreeDoc(doc);
    buf_free(&b);
}

/* A 1..5 scale: five rings, 5 accepted and 5.5 refused, the table says so. */
static void test_scale_of_five(void **state)
{
    static const char *const names5[] = {"Not yet", "Beginning", "Developing", "Proficient",
                                         "Leading"};
    double v[10];
    struct chart_series ss[1] = {{"Self", v, NULL, NULL}};
    struct chart c = review("k5");
    struct cf_error err = {0};
    struct buf b;
    xmlDocPtr doc;
    size_t i;

    (void)state;
    for (i = 0; i < 10; i++)
        v[i] = (double)(i % 5) + 1;
    c.levels = 5;
    c.level_names = names5;
    c.nseries = 1;
    c.series = ss;
    draw(chart_radar_svg, &c, &b);
    doc = parse(&b);
    check_accessible(doc, "k5");
    assert_int_equal(count(doc, "//s:g[@class='grid']/s:polygon"), 5);
    assert_int_equal(count(doc, "//s:g[@class='scale']/s:text"), 5);
    assert_true(has_text(doc, "/s:svg/s:desc", "Scale 1 to 5: 1 Not yet"));
    assert_true(has_text(doc, "/s:svg/s:desc", "I.C Ethics & Policies: Self 3.0 of 5."));
    xmlFreeDoc(doc);
    buf_free(&b);

    draw(chart_bars_svg, &c, &b);
    doc = parse(&b);
    assert_int_equal(count(doc, "//s:g[@class='grid']/s:line"), 6);
    assert_int_equal(count(doc, "//s:g[@data-series='0']/s:rect"), 10);
    xmlFreeDoc(doc);
    buf_free(&b);

    draw(chart_table_html, &c, &b);
    doc = parse(&b);
    assert_true(has_text(doc, "/table/tfoot", "Scale 1 to 5: 1 Not yet, 2 Beginning"));
    xmlFreeDoc(doc);
    buf_free(&b);

    /* Over the scale: refused, nothing written. */
    v[3] = 5.5;
    buf_init(&b, OUT_MAX);
    assert_int_equal(chart_radar_svg(&c, &b, &err), CF_EINVAL);
    assert_string_equal(err.field, "series.values");
    assert_string_equal(err.message,
                        "Series 1, axis 4: the value 5.5 is outside the scale 0 to 5.");
    assert_int_equal(b.n, 0);
    buf_free(&b);
}

/* 3 and 12 axes draw (ring polygons of as many points); 2 and 13 are refused. */
static void test_axis_counts(void **state)
{
    static const struct chart_axis many[13] = {
        {"1", "One"},     {"2", "Two"},     {"3", "Three"},     {"4", "Four"}, {"5", "Five"},
        {"6", "Six"},     {"7", "Seven"},   {"8", "Eight"},     {"9", "Nine"}, {"10", "Ten"},
        {"11", "Eleven"}, {"12", "Twelve"}, {"13", "Thirteen"},
    };
    static const double v[13] = {1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1};
    static const struct chart_series ss[] = {{"Self", v, NULL, NULL}, {"Others", v, NULL, NULL}};
    struct chart c = review("ax");
    struct cf_error err = {0};
    struct buf b;
    xmlDocPtr doc;
    size_t n;

    (void)state;
    c.axes = many;
    c.series = ss;
    for (n = 3; n <= 12; n += 9) {
        char *pts;
        size_t spaces = 0;
        const char *p;

        c.naxes = n;
        draw(chart_radar_svg, &c, &b);
        doc = parse(&b);
        check_accessible(doc, "ax");
        assert_int_equal(count(doc, "//s:g[@class='grid']/s:line"), (int)n);
        assert_int_equal(count(doc, "//s:g[@class='series']/s:polygon"), 2);
        assert_int_equal(count(doc, "//s:g[@class='labels']/s:text"), (int)n);
        pts = string(doc, "string(//s:g[@class='grid']/s:polygon[1]/@points)");
        for (p = pts; *p != '\0'; p++)
            spaces += *p == ' ';
        assert_int_equal(spaces + 1, n);
        free(pts);
        xmlFreeDoc(doc);
        buf_free(&b);
    }
    for (n = 2; n <= 13; n += 11) {
        c.naxes = n;
        buf_init(&b, OUT_MAX);
        assert_int_equal(chart_radar_svg(&c, &b, &err), CF_EINVAL);
        assert_string_equal(err.field, "axes");
        assert_int_equal(b.n, 0);
    }
    /* Bars take a single group (an overall result) and 13. */
    for (n = 1; n <= 13; n += 12) {
        c.naxes = n;
        draw(chart_bars_svg, &c, &b);
        doc = parse(&b);
        assert_int_equal(count(doc, "//s:g[@class='series']/s:rect"), 2 * (int)n);
        xmlFreeDoc(doc);
        buf_free(&b);
    }
}

/* The same input gives the same bytes, in any locale; numbers never get a comma. */
static void test_deterministic(void **state)
{
    static const char *const comma[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8",
                                        "nl_NL.UTF-8"};
    draw_fn fns[] = {chart_radar_svg, chart_bars_svg, chart_table_html};
    struct chart c = review("d");
    size_t i, j;

    (void)state;
    for (i = 0; i < 3; i++) {
        struct buf a, b;

        draw(fns[i], &c, &a);
        draw(fns[i], &c, &b);
        assert_int_equal(a.n, b.n);
        assert_memory_equal(a.p, b.p, a.n);
        for (j = 0; j < sizeof comma / sizeof comma[0]; j++) {
            struct buf l;

            if (setlocale(LC_ALL, comma[j]) == NULL)
                continue;
            draw(fns[i], &c, &l);
            setlocale(LC_ALL, "C");
            print_message("locale %s: %s\n", comma[j], l.n == a.n ? "same" : "differs");
            assert_int_equal(l.n, a.n);
            assert_memory_equal(l.p, a.p, a.n);
            buf_free(&l);
            break;
        }
        buf_free(&a);
        buf_free(&b);
    }
}

/* The data table: caption, column and row headers with scope, a range column, escaped. */
static void test_table(void **state)
{
    struct chart c = review("t");
    struct buf b;
    xmlDocPtr doc;

    (void)state;
    c.axis_label = "Skill area";
    draw(chart_table_html, &c, &b);
    doc = parse(&b);
    assert_int_equal(count(doc, "/table[@id='t-table']/caption"), 1);
    assert_true(has_text(doc, "/table/caption", "Annual review 2026: self and others"));
    assert_int_equal(count(doc, "/table/thead/tr/th[@scope='col']"), 4);
    assert_true(has_text(doc, "/table/thead/tr/th[1]", "Skill area"));
    assert_true(has_text(doc, "/table/thead/tr/th[4]", "Others' mean: range"));
    assert_int_equal(count(doc, "/table/tbody/tr/th[@scope='row']"), 10);
    assert_int_equal(count(doc, "/table/tbody/tr/td"), 30);
    assert_true(has_text(doc, "/table/tbody/tr[4]/th", "II.A Instructional Focus & Professional"));
    assert_true(has_text(doc, "/table/tbody/tr[2]/td[2]", "2.7"));
    assert_true(has_text(doc, "/table/tbody/tr[2]/td[3]", "2.0 to 3.0"));
    assert_true(has_text(doc, "/table/tfoot/tr/td[@colspan='4']", "4 Exemplary."));
    xmlFreeDoc(doc);
    buf_free(&b);
}

/* Two charts on one page: no id in common. */
static void test_two_on_a_page(void **state)
{
    struct chart c1 = review("self-radar"), c2 = review("self-bars");
    struct buf page, one;
    xmlDocPtr doc;

    (void)state;
    buf_init(&page, OUT_MAX);
    assert_int_equal(buf_adds(&page, "<div>"), CF_OK);
    draw(chart_radar_svg, &c1, &one);
    assert_int_equal(buf_add(&page, one.p, one.n), CF_OK);
    buf_free(&one);
    draw(chart_bars_svg, &c2, &one);
    assert_int_equal(buf_add(&page, one.p, one.n), CF_OK);
    buf_free(&one);
    draw(chart_table_html, &c2, &one);
    assert_int_equal(buf_add(&page, one.p, one.n), CF_OK);
    buf_free(&one);
    assert_int_equal(buf_adds(&page, "</div>"), CF_OK);
    doc = parse(&page);
    assert_int_equal(count(doc, "//*[@id]"), 2 + 3 + 1);
    assert_int_equal(count(doc, "//*[@id = preceding::*/@id or @id = ancestor::*/@id]"), 0);
    xmlFreeDoc(doc);
    buf_free(&page);
}

/* What is refused, with the field at fault; the buffer is untouched. */
static void test_refusals(void **state)
{
    static const double bad_lo[10] = {2, 3.5, 3, 1, 2, 3, 3, 2, 1, 3}; /* 3.5 over its high */
    static const double ok_hi[10] = {3, 3, 4, 3, 3, 3, 4, 3, 2, 3};
    static const struct chart_axis blank[10] = {
        {"I.A", "A"},  {"I.B", "   "}, {"I.C", "C"},   {"II.A", "D"},  {"II.B", "E"},
        {"II.C", "F"}, {"III.A", "G"}, {"III.B", "H"}, {"III.C", "I"}, {"III.D", "J"}};
    struct chart_series ss[2] = {{"Self", self, NULL, NULL},
                                 {"Others' mean", others, bad_lo, ok_hi}};
    struct {
        const char *name, *field;
        struct chart c;
    } cases[12];
    struct cf_error err;
    struct buf b;
    size_t i, n = 0;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cases[i].c = review("r");
    cases[n].name = "id with a quote";
    cases[n].field = "id";
    cases[n++].c.id = "a\"b";
    cases[n].name = "id starting with a digit";
    cases[n].field = "id";
    cases[n++].c.id = "1a";
    cases[n].name = "no title";
    cases[n].field = "title";
    cases[n++].c.title = "";
    cases[n].name = "title not UTF-8";
    cases[n].field = "title";
    cases[n++].c.title = "bad \xc3\x28 byte";
    cases[n].name = "overlong UTF-8";
    cases[n].field = "title";
    cases[n++].c.title = "\xc0\xaf";
    cases[n].name = "one level";
    cases[n].field = "levels";
    cases[n++].c.levels = 1;
    cases[n].name = "no series";
    cases[n].field = "series";
    cases[n++].c.nseries = 0;
    cases[n].name = "five series";
    cases[n].field = "series";
    cases[n++].c.nseries = 5;
    cases[n].name = "a range whose low end is over its high end";
    cases[n].field = "series.low";
    cases[n].c.series = ss;
    ss[1].low = bad_lo;
    n++;
    cases[n].name = "an axis name of spaces (found by fuzz_chart)";
    cases[n].field = "axes[1].name";
    cases[n++].c.axes = blank;
    cases[n].name = "axis without a name";
    cases[n].field = "axes";
    cases[n++].c.axes = NULL;
    for (i = 0; i < n; i++) {
        memset(&err, 0, sizeof err);
        buf_init(&b, OUT_MAX);
        print_message("%s\n", cases[i].name);
        assert_int_equal(chart_radar_svg(&cases[i].c, &b, &err), CF_EINVAL);
        assert_string_equal(err.field, cases[i].field);
        assert_true(err.message[0] >= 'A' && err.message[0] <= 'Z');
        assert_int_equal(err.message[strlen(err.message) - 1], '.');
        assert_int_equal(b.n, 0);
        assert_int_equal(chart_table_html(&cases[i].c, &b, &err), CF_EINVAL);
    }
}

/* A buffer too small for the chart: CF_ETOOBIG, and the buffer is empty and usable. */
static void test_cap(void **state)
{
    struct chart c = review("cap");
    struct cf_error err = {0};
    struct buf b;

    (void)state;
    buf_init(&b, 512);
    assert_int_equal(chart_radar_svg(&c, &b, &err), CF_ETOOBIG);
    assert_int_equal(b.n, 0);
    assert_int_equal(buf_adds(&b, "ok"), CF_OK);
    buf_free(&b);
}

/* Writes n bytes to dir/name; 0 on success, else a message on stderr and -1. */
static int write_file(const char *dir, const char *name, const char *p, size_t n)
{
    char path[512];
    FILE *f;
    int w = snprintf(path, sizeof path, "%s/%s", dir, name);

    if (w < 0 || (size_t)w >= sizeof path || (f = fopen(path, "w")) == NULL) {
        fprintf(stderr, "test_chart: cannot write %s/%s\n", dir, name);
        return -1;
    }
    fwrite(p, 1, n, f);
    return fclose(f) == 0 ? 0 : -1;
}

/*
 * The review as SVG files and one HTML page in dir, to look at (not a test: the
 * tests have drawn the same charts). 0 on success.
 */
static int write_sample(const char *dir)
{
    struct chart c = review("sample-radar"), d = review("sample-bars");
    struct buf r, s, t, page;
    int rc = -1;

    buf_init(&r, OUT_MAX);
    buf_init(&s, OUT_MAX);
    buf_init(&t, OUT_MAX);
    buf_init(&page, OUT_MAX);
    if (chart_radar_svg(&c, &r, NULL) != CF_OK || chart_bars_svg(&d, &s, NULL) != CF_OK ||
        chart_table_html(&d, &t, NULL) != CF_OK ||
        buf_printf(&page,
                   "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width\">"
                   "<title>Charts</title><body>%s%s%s</body>",
                   r.p, s.p, t.p) != CF_OK)
        goto out;
    if (write_file(dir, "chart-radar.svg", r.p, r.n) != 0 ||
        write_file(dir, "chart-bars.svg", s.p, s.n) != 0 ||
        write_file(dir, "chart.html", page.p, page.n) != 0)
        goto out;
    rc = 0;
out:
    buf_free(&r);
    buf_free(&s);
    buf_free(&t);
    buf_free(&page);
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_radar_review),   cmocka_unit_test(test_bars_review),
        cmocka_unit_test(test_series_looks),   cmocka_unit_test(test_hostile_names),
        cmocka_unit_test(test_missing_values), cmocka_unit_test(test_scale_of_five),
        cmocka_unit_test(test_axis_counts),    cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_table),          cmocka_unit_test(test_two_on_a_page),
        cmocka_unit_test(test_refusals),       cmocka_unit_test(test_cap),
    };
    const char *dir = getenv("CTOFRAME_CHART_SAMPLE");
    int rc;

    LIBXML_TEST_VERSION
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rc == 0 && dir != NULL && dir[0] != '\0' && write_sample(dir) != 0)
        rc = 1;
    xmlCleanupParser();
    return rc;
}
