/*
 * fuzz_blueprint.c — libFuzzer harness for the check of a form against the blueprint
 * (core/blueprint.c: blueprint_check and blueprint_skill_of, the path of `ctoframe form
 * show` and of every release).
 *
 * The first byte gives the pretest slots (0..63); the rest is lines. A line
 * "identifier<TAB>skills<TAB>status<TAB>role" is an item (role "p" pretest, else scored);
 * a line "!a<TAB>b" names two identifiers as enemies. Identifiers that are not valid UTF-8
 * become "x" (the bank's identifiers come from XML, which is UTF-8). Any input must come
 * back as a result (never NULL: memory does not run out under the fuzzer) with ok exactly
 * when no problem is listed, ten skills whose counts sum to at most the scored items, the
 * scored and pretest items adding up to the items, and every message a string.
 * Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_blueprint -max_total_time=60 build/fuzz/work/blueprint \
 *       tests/fuzz/corpus/blueprint
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/blueprint.h"

#define MAX_LINES 400

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* field k (0-based) of a tab-separated line, NUL-terminated in place; "" when absent. */
static char *field(char **line)
{
    char *start = *line, *tab;

    if (start == NULL)
        return "";
    tab = strchr(start, '\t');
    if (tab != NULL) {
        *tab = '\0';
        *line = tab + 1;
    } else
        *line = NULL;
    return start;
}

/* s, or "x" when s is not valid UTF-8. */
static const char *utf8(const char *s)
{
    json_t *j = json_string(s);

    if (j == NULL)
        return "x";
    json_decref(j);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bp_item items[MAX_LINES];
    static struct bp_enemy enemies[MAX_LINES];
    char *text, *save = NULL, *line;
    size_t n = 0, ne = 0, i;
    json_t *r, *x;
    long have = 0, scored, pretest;
    int slots;

    if (size == 0)
        return 0;
    slots = data[0] & 63;
    text = malloc(size);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    for (line = strtok_r(text, "\n", &save); line != NULL && n < MAX_LINES && ne < MAX_LINES;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '!') {
            char *rest = line + 1;

            enemies[ne].a = utf8(field(&rest));
            enemies[ne].b = utf8(field(&rest));
            ne++;
        } else {
            char *rest = line;

            items[n].identifier = utf8(field(&rest));
            items[n].skills = field(&rest);
            items[n].status = utf8(field(&rest));
            items[n].pretest = strcmp(field(&rest), "p") == 0;
            (void)blueprint_skill_of(items[n].skills);
            n++;
        }
    }

    r = blueprint_check(items, n, enemies, ne, slots);
    if (r == NULL)
        abort();
    if (json_is_true(json_object_get(r, "ok")) !=
        (json_array_size(json_object_get(r, "problems")) == 0))
        abort();
    if (json_array_size(json_object_get(r, "skills")) != PD_NSKILLS)
        abort();
    json_array_foreach(json_object_get(r, "skills"), i, x)
    {
        have += (long)json_integer_value(json_object_get(x, "have"));
    }
    scored = (long)json_integer_value(json_object_get(r, "scored"));
    pretest = (long)json_integer_value(json_object_get(r, "pretest"));
    if (have > scored || scored + pretest != (long)n)
        abort();
    json_array_foreach(json_object_get(r, "problems"), i, x)
    {
        if (!json_is_string(json_object_get(x, "message")))
            abort();
    }
    json_decref(r);
    free(text);
    return 0;
}
