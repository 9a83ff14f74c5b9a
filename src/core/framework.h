/*
 * framework.h — a CASE package seen as a framework people read (pure).
 *
 * The tree comes only from isChildOf associations (siblings ordered by
 * sequenceNumber, then package order). Nothing here knows CoSN: item types
 * name the levels, a CFRubric criterion attached to an item (CFItemURI) gives
 * its rubric levels and its weight (the criterion's weight), and a node
 * without its own weight gets the sum of its children's when all have one.
 * Top-level items of type "Core Value" are listed apart as core values.
 *
 * Every function returns a new JSON value (the view a page renders and the
 * API returns) or NULL when the node asked for is not in the package.
 */
#ifndef CF_CORE_FRAMEWORK_H
#define CF_CORE_FRAMEWORK_H

#include <jansson.h>

/*
 * The whole framework: document fields, the tree of nodes (groups), core
 * values, the rubric's level names, counts. base is the URL prefix of item
 * pages ("/frameworks/<id>"); node views carry "url" = base + "/items/<id>".
 */
json_t *framework_view(const json_t *pkg, const char *base);

/*
 * One node with its ancestors, children, rubric criterion and levels.
 * related: the node's associations other than isChildOf (any package), each
 * decorated by the caller with "doc" (the other end's document id) when known.
 */
json_t *framework_item_view(const json_t *pkg, const char *item_id, const json_t *related,
                            const char *base);

/*
 * The crosswalk between two frameworks: every association of assocs that
 * joins a node of a to a node of b (either direction), in a's tree order,
 * plus the nodes of each side that have no counterpart.
 */
json_t *framework_crosswalk_view(const json_t *a, const json_t *b, const json_t *assocs,
                                 const char *base_a, const char *base_b);

/* A short summary of a document for lists: identifier, title, version, counts, kind. */
json_t *framework_summary(const json_t *doc, long items, long associations, long rubrics);

/* "15%" or "7.5%"; into buf. */
void framework_weight_label(double w, char *buf, size_t n);

/* People's words for an association type: "exact match of", "related to" … */
const char *framework_assoc_label(const char *type);

#endif
