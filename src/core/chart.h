/*
 * chart.h — accessible SVG charts of rating results, drawn on the server.
 *
 * Two charts of the same data: a radar (one axis per skill, one polygon per
 * series) and grouped horizontal bars (one group per skill, one bar per series,
 * with an optional whisker), and the same data as an HTML table. Ratings are on
 * a rubric scale of 1..levels; the charts run from 0 to levels.
 *
 * Every SVG is an image with a name and a text alternative: the root carries
 * role="img" and aria-labelledby naming its <title> and <desc>, and the desc
 * states every value. Series differ by dash, marker shape and fill pattern as
 * well as colour. Only presentation attributes are written (no style
 * attribute, no <style>), so the output passes a CSP of style-src 'self'.
 * All text is XML-escaped; numbers are printed with integer arithmetic, never
 * through the locale. The same input gives the same bytes.
 *
 * Pure: no I/O. docs/internals/charts.md tells the layout and the choices.
 */
#ifndef CF_CORE_CHART_H
#define CF_CORE_CHART_H

#include "lib/buf.h"
#include "lib/err.h"

#include <stddef.h>

#define CHART_RADAR_AXES_MIN 3  /* fewer axes do not make a radar */
#define CHART_RADAR_AXES_MAX 12 /* more labels do not fit around it */
#define CHART_BARS_MAX       30 /* groups in a bar chart */
#define CHART_SERIES_MAX     4  /* one colour, dash, marker and pattern each */
#define CHART_LEVELS_MIN     2
#define CHART_LEVELS_MAX     10
#define CHART_ID_MAX         40  /* characters of the id prefix */
#define CHART_TEXT_MAX       200 /* bytes of a title, axis or series name */

/* One axis (a skill): a short code ("I.A", may be NULL) and a name. */
struct chart_axis {
    const char *code;
    const char *name;
};

/*
 * One series ("Self", "Others' mean"): a value per axis on 0..levels, NaN for
 * a value that is missing (nobody rated the skill). low and high, when not
 * NULL, give a whisker per axis (a min–max range or mean ± SD, already clamped
 * to the scale by the caller); NaN in both leaves that axis without one.
 */
struct chart_series {
    const char *name;
    const double *values;
    const double *low;
    const double *high;
};

struct chart {
    const char
        *id; /* prefix of every id in the chart, unique on the page: [A-Za-z][A-Za-z0-9_-]* */
    const char *title;              /* the chart's name: <title>, the table's caption */
    const char *axis_label;         /* heading of the table's first column; NULL: "Skill" */
    int levels;                     /* K: the rubric's scale is 1..K */
    const char *const *level_names; /* NULL, or K names: level_names[0] is level 1 */
    size_t naxes;
    const struct chart_axis *axes;
    size_t nseries;
    const struct chart_series *series;
};

/*
 * Appends a radar chart of c to out: CHART_RADAR_AXES_MIN..MAX axes, a ring per
 * level, a polygon per series. A series with a missing value is drawn as the
 * segments between neighbouring axes that both have a value (a gap, never a
 * point at 0); its markers show the values there are. Whiskers are not drawn
 * (they are in the desc and the table).
 *
 * Returns CF_OK; CF_EINVAL with err naming the field at fault when c does not
 * hold (nothing is appended then); CF_ENOMEM or CF_ETOOBIG from the buffer,
 * which is then freed (buf.h).
 */
int chart_radar_svg(const struct chart *c, struct buf *out, struct cf_error *err);

/*
 * Appends grouped horizontal bars of c to out: 1..CHART_BARS_MAX groups, one
 * bar per series with a value (a missing one reads "Not rated"), each with its
 * whisker when the series has one, and the value printed at its end. Returns
 * as chart_radar_svg.
 */
int chart_bars_svg(const struct chart *c, struct buf *out, struct cf_error *err);

/*
 * Appends the data of c as an HTML table: caption, a column per series (and
 * one for its range when it has whiskers), a row per axis with a row header.
 * Accepts what chart_bars_svg accepts; returns as chart_radar_svg.
 */
int chart_table_html(const struct chart *c, struct buf *out, struct cf_error *err);

#endif
