/*
 * fuzz_chart.c — libFuzzer harness for the charts (src/core/chart.c): any
 * bytes as names (UTF-8 or not, with every XML-special and control
 * character), axis, series and level counts in and out of range, values in
 * and out of the scale, missing values and ranges.
 *
 * Each of the radar, the bars and the table either refuses with CF_EINVAL (a
 * message that ends with a period, nothing written) or writes output that is
 * UTF-8, holds no control character but line feeds, has as many '<' as '>'
 * (no text escaped its element) and is the same when drawn again.
 *
 * Input: byte 0 the axis count, byte 1 the levels, byte 2 the series count,
 * then 3 bytes per axis and series (value, low, high; 255 is missing, else
 * byte / 20), then NUL-separated texts: title, axis label, code and name per
 * axis, a name per series, a name per level. Seeds: tests/fuzz/corpus/chart/.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/chart.h"
#include "lib/buf.h"
#include "lib/err.h"

#define AXES   (CHART_RADAR_AXES_MAX + 2)
#define SERIES (CHART_SERIES_MAX + 1)
#define LEVELS (CHART_LEVELS_MAX + 2)
#define TEXTS  (2 + 2 * AXES + SERIES + LEVELS)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 when the n bytes at p are UTF-8 (structure only: lead and continuation bytes). */
static int utf8_shape(const unsigned char *p, size_t n)
{
    size_t i = 0;

    while (i < n) {
        size_t k, len = p[i] < 0x80    ? 1
                        : p[i] >= 0xf0 ? 4
                        : p[i] >= 0xe0 ? 3
                        : p[i] >= 0xc2 ? 2
                                       : 0;

        if (len == 0 || i + len > n)
            return 0;
        for (k = 1; k < len; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
        i += len;
    }
    return 1;
}

typedef int (*draw_fn)(const struct chart *, struct buf *, struct cf_error *);

static void check(draw_fn fn, const struct chart *c)
{
    struct cf_error err = {0};
    struct buf a, b;
    size_t i, lt = 0, gt = 0;
    int rc;

    buf_init(&a, 1u << 20);
    buf_init(&b, 1u << 20);
    rc = fn(c, &a, &err);
    if (rc == CF_EINVAL) {
        size_t n = strlen(err.message);

        if (a.n != 0 || n == 0 || err.message[n - 1] != '.')
            abort();
        goto out;
    }
    if (rc == CF_ENOMEM)
        goto out;
    if (rc != CF_OK || a.n == 0 || !utf8_shape((const unsigned char *)a.p, a.n))
        abort();
    for (i = 0; i < a.n; i++) {
        unsigned char ch = (unsigned char)a.p[i];

        if ((ch < 0x20 && ch != '\n') || ch == 0x7f)
            abort();
        lt += ch == '<';
        gt += ch == '>';
    }
    if (lt != gt)
        abort();
    if (fn(c, &b, &err) != CF_OK || b.n != a.n || memcmp(a.p, b.p, a.n) != 0)
        abort();
out:
    buf_free(&a);
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char empty[] = "";
    struct chart_axis axes[AXES];
    struct chart_series series[SERIES];
    double v[SERIES][AXES], lo[SERIES][AXES], hi[SERIES][AXES];
    const char *levels[LEVELS];
    char *copy, *texts[TEXTS];
    size_t i, k, at = 3, nt = 0;
    struct chart c = {0};

    if (size < 3)
        return 0;
    c.naxes = (size_t)data[0] % (AXES + 1);
    c.levels = data[1] % (LEVELS + 1);
    c.nseries = (size_t)data[2] % (SERIES + 1);
    for (k = 0; k < SERIES; k++)
        for (i = 0; i < AXES; i++) {
            double *dst[3] = {&v[k][i], &lo[k][i], &hi[k][i]};
            size_t j;

            for (j = 0; j < 3; j++) {
                uint8_t byte = k < c.nseries && i < c.naxes && at < size ? data[at++] : 255;

                *dst[j] = byte == 255 ? NAN : byte / 20.0;
            }
        }

    /* The texts: NUL-separated, copied so the last one is terminated too. */
    copy = malloc(size - at + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, data + at, size - at);
    copy[size - at] = '\0';
    texts[nt++] = copy;
    for (i = 0; i < size - at && nt < TEXTS; i++)
        if (copy[i] == '\0')
            texts[nt++] = copy + i + 1;
    while (nt < TEXTS)
        texts[nt++] = empty;

    c.id = "fz";
    c.title = texts[0];
    c.axis_label = texts[1];
    for (i = 0; i < AXES; i++) {
        axes[i].code = texts[2 + 2 * i];
        axes[i].name = texts[3 + 2 * i];
    }
    for (k = 0; k < SERIES; k++) {
        series[k].name = texts[2 + 2 * AXES + k];
        series[k].values = v[k];
        series[k].low = k % 2 == 1 ? lo[k] : NULL;
        series[k].high = k % 2 == 1 ? hi[k] : NULL;
    }
    for (i = 0; i < LEVELS; i++)
        levels[i] = texts[2 + 2 * AXES + SERIES + i];
    c.axes = axes;
    c.series = series;
    c.level_names = data[1] & 0x80 ? NULL : levels;

    check(chart_radar_svg, &c);
    check(chart_bars_svg, &c);
    check(chart_table_html, &c);
    free(copy);
    return 0;
}
