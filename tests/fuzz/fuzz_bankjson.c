/*
 * fuzz_bankjson.c — libFuzzer harness for the bank file (core/bankjson.c: bankjson_read, the
 * path of `ctoframe bank import FILE.json`).
 *
 * Any bytes must come back as a document with no problem or as 1 to BANKJSON_MAX_PROBLEMS
 * problems, each with a path starting "$" and a message (line and column together when the
 * JSON itself does not read: the line from 1, the column from 0, jansson's). A document read holds
 * 1 to BANKJSON_MAX_ITEMS items; every item has 2 to QTI_CHOICES_MAX choices, each with a
 * rationale, and a key of choice ids (exactly one for interaction single); every stimulus an item
 * names is in the file. Written out and read again it gives the same document (what was squeezed
 * stays so). Built by `make fuzz` (clang):
 *   build/fuzz/fuzz_bankjson -max_total_time=60 build/fuzz/work/bankjson \
 *       tests/fuzz/corpus/bankjson
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bankjson.h"
#include "core/qti.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless the problems are well formed. */
static void check_problems(const json_t *problems, int n)
{
    size_t i;
    json_t *p;

    if (n <= 0 || json_array_size(problems) == 0 ||
        json_array_size(problems) > BANKJSON_MAX_PROBLEMS || json_array_size(problems) > (size_t)n)
        abort();
    json_array_foreach(problems, i, p)
    {
        const char *path = json_string_value(json_object_get(p, "path"));
        const char *msg = json_string_value(json_object_get(p, "message"));
        json_t *line = json_object_get(p, "line"), *col = json_object_get(p, "column");

        if (path == NULL || path[0] != '$' || msg == NULL || msg[0] == '\0')
            abort();
        if ((line == NULL) != (col == NULL))
            abort();
        if (line != NULL && (json_integer_value(line) < 1 || json_integer_value(col) < 0))
            abort();
    }
}

/* 1 when the list of strings holds s. */
static int holds(const json_t *list, const char *key, const char *s)
{
    size_t i;
    json_t *x;

    json_array_foreach(list, i, x)
    {
        const char *v =
            key != NULL ? json_string_value(json_object_get(x, key)) : json_string_value(x);

        if (v != NULL && strcmp(v, s) == 0)
            return 1;
    }
    return 0;
}

/* Aborts unless doc keeps the promises of a document read. */
static void check_doc(const json_t *doc)
{
    const json_t *items = json_object_get(doc, "items"), *stimuli = json_object_get(doc, "stimuli");
    size_t i, j;
    json_t *it, *c;

    if (json_array_size(items) == 0 || json_array_size(items) > BANKJSON_MAX_ITEMS ||
        !json_is_array(stimuli))
        abort();
    json_array_foreach(items, i, it)
    {
        const json_t *choices = json_object_get(it, "choices"),
                     *key = json_object_get(it, "correct");
        const char *stim = json_string_value(json_object_get(it, "stimulus"));
        int single = strcmp(json_string_value(json_object_get(it, "interaction")), "single") == 0;

        if (json_array_size(choices) < 2 || json_array_size(choices) > QTI_CHOICES_MAX ||
            json_array_size(key) == 0 || (single && json_array_size(key) != 1))
            abort();
        json_array_foreach(choices, j, c)
        {
            const char *r = json_string_value(json_object_get(c, "rationale"));

            if (r == NULL || r[0] == '\0')
                abort();
        }
        json_array_foreach(key, j, c)
        {
            if (!holds(choices, "id", json_string_value(c)))
                abort();
        }
        if (stim != NULL && !holds(stimuli, "identifier", stim))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *doc = NULL, *problems = NULL, *again = NULL;
    char *text;
    int n = bankjson_read((const char *)data, size, &doc, &problems);

    if (n != 0) {
        if (doc != NULL)
            abort();
        check_problems(problems, n);
        json_decref(problems);
        return 0;
    }
    if (doc == NULL || json_array_size(problems) != 0)
        abort();
    check_doc(doc);
    text = json_dumps(doc, JSON_COMPACT);
    if (text == NULL || bankjson_read(text, strlen(text), &again, NULL) != 0 ||
        !json_equal(doc, again))
        abort();
    free(text);
    json_decref(again);
    json_decref(doc);
    json_decref(problems);
    return 0;
}
