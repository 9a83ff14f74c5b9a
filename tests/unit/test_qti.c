/*
 * test_qti.c — src/core/qti.c: QTI 3.0 and 2.1 choice items read with every field checked
 * against the XML written here (qti_examples.h: the shapes of 1EdTech's public examples),
 * written back as 3.0 and 2.1 and read again equal, and every refusal with its reason and
 * the line at fault.
 */
#include "testutil.h"

#include "core/qti.h"
#include "qti_examples.h"

/* Parses the string xml, failing the test with the message unless it is read. */
static void parse_ok(const char *xml, struct qti_item *it)
{
    struct cf_error err;

    cf_error_clear(&err);
    if (qti_parse(xml, strlen(xml), it, &err) != CF_OK)
        fail_msg("qti_parse refused: %s", err.message);
}

static void test_v3_single(void **state)
{
    struct qti_item it;

    (void)state;
    parse_ok(QTI3_SINGLE, &it);
    assert_string_equal(it.identifier, "cto-budget-001");
    assert_string_equal(it.title, "Budget owner");
    assert_string_equal(it.body,
                        "Which role usually owns the technology budget of a school district?");
    assert_string_equal(it.prompt, "");
    assert_int_equal(it.cardinality, QTI_SINGLE);
    assert_int_equal(it.nchoices, 4);
    assert_string_equal(it.choices[0].id, "A");
    assert_string_equal(it.choices[0].text, "The board secretary");
    assert_string_equal(it.choices[1].id, "B");
    assert_string_equal(it.choices[1].text, "The chief technology officer");
    assert_string_equal(it.choices[3].id, "D");
    assert_string_equal(it.choices[3].text, "A classroom teacher");
    assert_int_equal(it.choices[2].fixed, 0);
    assert_int_equal(it.ncorrect, 1);
    assert_string_equal(it.correct[0], "B");
    assert_int_equal(it.max_choices, 1);
    assert_int_equal(it.min_choices, 1);
    assert_int_equal(it.shuffle, 0);
    assert_int_equal(it.scoring, QTI_MATCH_CORRECT);
    assert_int_equal(it.has_mapping, 0);
    assert_int_equal(it.nmap, 0);
    qti_item_free(&it);
    assert_null(it.identifier);
}

static void test_v3_multiple(void **state)
{
    struct qti_item it;

    (void)state;
    parse_ok(QTI3_MULTIPLE, &it);
    assert_string_equal(it.identifier, "cto-security-014");
    assert_string_equal(it.title, "Backups & recovery");
    assert_string_equal(it.body, "");
    /* <em> dropped, the line break inside the prompt made one space. */
    assert_string_equal(it.prompt, "Which practices protect the district's data after a "
                                   "ransomware attack? Choose all that apply.");
    assert_int_equal(it.cardinality, QTI_MULTIPLE);
    assert_int_equal(it.nchoices, 5);
    assert_string_equal(it.choices[4].id, "Z");
    assert_string_equal(it.choices[4].text, "None of these");
    assert_int_equal(it.choices[4].fixed, 1);
    assert_int_equal(it.choices[0].fixed, 0);
    assert_int_equal(it.ncorrect, 3);
    assert_string_equal(it.correct[0], "H");
    assert_string_equal(it.correct[1], "K");
    assert_string_equal(it.correct[2], "M");
    assert_int_equal(it.max_choices, 0);
    assert_int_equal(it.min_choices, 0); /* the default when absent */
    assert_int_equal(it.shuffle, 1);
    assert_int_equal(it.scoring, QTI_MAP_RESPONSE);
    assert_int_equal(it.has_mapping, 1);
    assert_true(it.map_default == -0.5);
    assert_true(it.has_lower && it.map_lower == 0.0);
    assert_true(it.has_upper && it.map_upper == 3.0);
    assert_int_equal(it.nmap, 4);
    assert_string_equal(it.map[3].key, "P");
    assert_true(it.map[3].value == -2.0);
    assert_string_equal(it.map[0].key, "H");
    assert_true(it.map[0].value == 1.0);
    qti_item_free(&it);
}

static void test_v21_choice(void **state)
{
    struct qti_item it;

    (void)state;
    parse_ok(QTI21_CHOICE, &it);
    assert_string_equal(it.identifier, "choice");
    assert_string_equal(it.title, "Vendor contract");
    assert_string_equal(it.body, "A vendor's contract renews on its own each year.");
    assert_string_equal(it.prompt, "What should the CTO put in the procurement calendar?");
    assert_int_equal(it.cardinality, QTI_SINGLE);
    assert_int_equal(it.nchoices, 3);
    assert_string_equal(it.choices[2].id, "ChoiceC");
    assert_string_equal(it.choices[2].text, "The notice date before renewal");
    assert_int_equal(it.ncorrect, 1);
    assert_string_equal(it.correct[0], "ChoiceC");
    assert_int_equal(it.max_choices, 1);
    assert_int_equal(it.min_choices, 0);
    assert_int_equal(it.shuffle, 0);
    assert_int_equal(it.scoring, QTI_MATCH_CORRECT);
    qti_item_free(&it);
}

/* Writes it as version v, reads it back and asserts the two equal field by field. */
static void assert_round_trip(const struct qti_item *it, enum qti_version v)
{
    struct qti_item back;
    struct cf_error err;
    char *xml = NULL, why[64] = "";
    size_t n = 0;

    cf_error_clear(&err);
    if (qti_write(it, v, &xml, &n, &err) != CF_OK)
        fail_msg("qti_write refused: %s", err.message);
    assert_int_equal(n, strlen(xml));
    assert_non_null(strstr(xml, v == QTI_V3 ? "<qti-assessment-item xmlns=\"" QTI_NS_V3 "\""
                                            : "<assessmentItem xmlns=\"" QTI_NS_V21 "\""));
    if (qti_parse(xml, n, &back, &err) != CF_OK)
        fail_msg("the written item is refused: %s\n%s", err.message, xml);
    if (!qti_item_equal(it, &back, why, sizeof why))
        fail_msg("round trip differs in %s\n%s", why, xml);
    qti_item_free(&back);
    free(xml);
}

static void test_round_trips(void **state)
{
    const char *examples[] = {QTI3_SINGLE, QTI3_MULTIPLE, QTI21_CHOICE};

    (void)state;
    for (size_t i = 0; i < sizeof examples / sizeof examples[0]; i++) {
        struct qti_item it;

        parse_ok(examples[i], &it);
        assert_round_trip(&it, QTI_V3);  /* 3.0 -> 3.0, and 2.1 -> 3.0 */
        assert_round_trip(&it, QTI_V21); /* and out to 2.1 */
        qti_item_free(&it);
    }
}

/* The 2.1 example written as 3.0 names the 3.0 elements and reads back the same item. */
static void test_v21_to_v3(void **state)
{
    struct qti_item a, b;
    struct cf_error err;
    char *xml = NULL;
    size_t n;

    (void)state;
    parse_ok(QTI21_CHOICE, &a);
    assert_int_equal(qti_write(&a, QTI_V3, &xml, &n, &err), CF_OK);
    assert_non_null(strstr(xml, "<qti-simple-choice identifier=\"ChoiceC\">"));
    assert_non_null(strstr(xml, "<qti-value>ChoiceC</qti-value>"));
    assert_non_null(strstr(xml, "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
                                "match_correct"));
    assert_null(strstr(xml, "simpleChoice"));
    parse_ok(xml, &b);
    assert_true(qti_item_equal(&a, &b, NULL, 0));
    qti_item_free(&a);
    qti_item_free(&b);
    free(xml);
}

/* The comparison sees a change in any one field (so the round trips above can fail). */
static void test_equal_detects(void **state)
{
    struct qti_item a, b;
    char why[64];

    (void)state;
    parse_ok(QTI3_MULTIPLE, &a);
    parse_ok(QTI3_MULTIPLE, &b);
    assert_true(qti_item_equal(&a, &b, why, sizeof why));

    b.map[3].value = -1.0;
    assert_false(qti_item_equal(&a, &b, why, sizeof why));
    assert_string_equal(why, "map");
    b.map[3].value = -2.0;
    b.choices[4].fixed = 0;
    assert_false(qti_item_equal(&a, &b, why, sizeof why));
    assert_string_equal(why, "choices");
    b.choices[4].fixed = 1;
    b.correct[2][0] = 'P';
    assert_false(qti_item_equal(&a, &b, why, sizeof why));
    assert_string_equal(why, "correct");
    b.correct[2][0] = 'M';
    b.shuffle = 0;
    assert_false(qti_item_equal(&a, &b, why, sizeof why));
    assert_string_equal(why, "shuffle");
    qti_item_free(&a);
    qti_item_free(&b);
}

/* Numbers are written in the fewest digits that read back exactly. */
static void test_numbers(void **state)
{
    struct qti_item it;
    char *xml = NULL;
    size_t n;

    (void)state;
    parse_ok(QTI3_MULTIPLE, &it);
    it.map[0].value = 0.1;
    it.map[1].value = 1.0 / 3.0;
    it.map_default = -0.25;
    assert_int_equal(qti_write(&it, QTI_V3, &xml, &n, NULL), CF_OK);
    assert_non_null(strstr(xml, "map-key=\"H\" mapped-value=\"0.1\""));
    /* 1/3 needs 16 significant digits to come back as the same double. */
    assert_non_null(strstr(xml, "map-key=\"K\" mapped-value=\"0.3333333333333333\""));
    assert_non_null(strstr(xml, "default-value=\"-0.25\""));
    assert_round_trip(&it, QTI_V3);
    free(xml);
    qti_item_free(&it);
}

/* Text with XML's special characters is escaped when written and read back the same. */
static void test_escaping(void **state)
{
    struct qti_item it;
    char *xml = NULL;
    size_t n;

    (void)state;
    parse_ok(QTI3_SINGLE, &it);
    free(it.choices[0].text);
    it.choices[0].text = strdup("a < b & \"c\" > 'd' ]]> é");
    free(it.title);
    it.title = strdup("<title attr=\"x\">&amp;");
    assert_int_equal(qti_write(&it, QTI_V3, &xml, &n, NULL), CF_OK);
    assert_null(strstr(xml, "a < b"));
    assert_round_trip(&it, QTI_V3);
    assert_round_trip(&it, QTI_V21);
    free(xml);

    /* A control character cannot be written as XML 1.0: refused, nothing written. */
    free(it.prompt);
    it.prompt = strdup("bell \a");
    assert_int_equal(qti_write(&it, QTI_V3, &xml, &n, NULL), CF_EINVAL);
    assert_null(xml);
    qti_item_free(&it);
}

/* --- refusals ------------------------------------------------------------------------- */

#define HEAD3 "<qti-assessment-item xmlns=\"" QTI_NS_V3 "\" identifier=\"q1\">\n"
#define DECL3(card, values)                                                                        \
    "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"" card                        \
    "\" base-type=\"identifier\">\n"                                                               \
    "<qti-correct-response>" values "</qti-correct-response>\n"                                    \
    "</qti-response-declaration>\n"
#define BODY3(inside)                                                                              \
    "<qti-item-body>\n"                                                                            \
    "<qti-choice-interaction response-identifier=\"RESPONSE\">\n" inside                           \
    "</qti-choice-interaction>\n"                                                                  \
    "</qti-item-body>\n"
#define AB                                                                                         \
    "<qti-simple-choice identifier=\"A\">yes</qti-simple-choice>\n"                                \
    "<qti-simple-choice identifier=\"B\">no</qti-simple-choice>\n"
#define TAIL3 "</qti-assessment-item>\n"

struct refusal {
    const char *name;
    const char *xml;
    const char *reason; /* a part of the message, with the line at fault */
};

static const struct refusal REFUSALS[] = {
    /* The reference item these break: it is read (checked first in the test). */
    {"good", HEAD3 DECL3("single", "<qti-value>A</qti-value>") BODY3(AB) TAIL3, NULL},
    {"not XML", HEAD3 DECL3("single", "<qti-value>A</qti-value>") BODY3(AB),
     "the item is not well-formed XML: line 11, column 1"},
    {"DOCTYPE",
     "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n" HEAD3
         DECL3("single", "<qti-value>A</qti-value>") BODY3(AB) TAIL3,
     "line 2, column 1: a DOCTYPE is refused"},
    {"other interaction",
     HEAD3 DECL3("single", "<qti-value>A</qti-value>") "<qti-item-body>\n"
                                                       "<qti-text-entry-interaction "
                                                       "response-identifier=\"RESPONSE\"/>\n"
                                                       "</qti-item-body>\n" TAIL3,
     "line 6, <qti-text-entry-interaction>: only choice interactions can be read"},
    {"2.1 other interaction",
     "<assessmentItem xmlns=\"" QTI_NS_V21 "\" identifier=\"q\">\n"
     "<itemBody><p>x</p>\n<orderInteraction responseIdentifier=\"RESPONSE\"/></itemBody>\n"
     "</assessmentItem>",
     "line 3, <orderInteraction>: only choice interactions can be read"},
    {"key names no choice", HEAD3 DECL3("single", "\n<qti-value>C</qti-value>") BODY3(AB) TAIL3,
     "line 4, <qti-value>: the correct response \"C\" names no choice"},
    {"duplicate choice",
     HEAD3 DECL3("single", "<qti-value>A</qti-value>")
         BODY3(AB "<qti-simple-choice identifier=\"A\">again</qti-simple-choice>\n") TAIL3,
     "line 9, <qti-simple-choice>: the choice identifier \"A\" is used twice"},
    {"interaction in a choice",
     HEAD3 DECL3("single", "<qti-value>A</qti-value>")
         BODY3(AB "<qti-simple-choice identifier=\"C\"><qti-text-entry-interaction "
                  "response-identifier=\"R2\"/></qti-simple-choice>\n") TAIL3,
     "line 9, <qti-text-entry-interaction>: only choice interactions can be read"},
    {"no choices",
     HEAD3 DECL3("single", "<qti-value>A</qti-value>") BODY3("<qti-prompt>?</qti-prompt>\n") TAIL3,
     "line 6, <qti-choice-interaction>: the interaction has no <qti-simple-choice>"},
    {"no identifier",
     "<qti-assessment-item xmlns=\"" QTI_NS_V3 "\">\n" DECL3("single", "<qti-value>A</qti-value>")
         BODY3(AB) TAIL3,
     "line 1, <qti-assessment-item>: the identifier attribute is missing"},
    {"empty choice identifier",
     HEAD3 DECL3("single", "<qti-value>A</qti-value>")
         BODY3(AB "<qti-simple-choice identifier=\"\">x</qti-simple-choice>\n") TAIL3,
     "line 9, <qti-simple-choice>: the identifier attribute must be 1 to"},
    {"wrong namespace",
     "<qti-assessment-item xmlns=\"http://example.org/other\" identifier=\"q\"/>",
     "line 1, <qti-assessment-item>: not a QTI item"},
    {"ordered cardinality", HEAD3 DECL3("ordered", "<qti-value>A</qti-value>") BODY3(AB) TAIL3,
     "line 2, <qti-response-declaration>: cardinality must be single or multiple"},
    {"two keys for single",
     HEAD3 DECL3("single", "<qti-value>A</qti-value><qti-value>B</qti-value>") BODY3(AB) TAIL3,
     "line 3, <qti-correct-response>: cardinality single takes one correct value, not 2"},
    {"no correct response",
     HEAD3 "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" "
           "base-type=\"identifier\"/>\n" BODY3(AB) TAIL3,
     "line 2, <qti-response-declaration>: the declaration needs one <qti-correct-response>"},
    {"undeclared response", HEAD3 BODY3(AB) TAIL3,
     "line 3, <qti-choice-interaction>: no <qti-response-declaration> declares the response "
     "\"RESPONSE\""},
    {"custom processing",
     HEAD3 DECL3("single", "<qti-value>A</qti-value>")
         BODY3(AB) "<qti-response-processing>\n"
                   "</qti-response-processing>\n" TAIL3,
     "line 11, <qti-response-processing>: only the match_correct and map_response templates"},
    {"map key names no choice",
     HEAD3 "<qti-response-declaration identifier=\"RESPONSE\" cardinality=\"multiple\" "
           "base-type=\"identifier\">\n<qti-correct-response><qti-value>A</qti-value>"
           "</qti-correct-response>\n<qti-mapping>\n"
           "<qti-map-entry map-key=\"Q\" mapped-value=\"1\"/>\n"
           "</qti-mapping></qti-response-declaration>\n" BODY3(AB) TAIL3,
     "line 5, <qti-map-entry>: the map key \"Q\" names no choice"},
    {"bad max-choices",
     HEAD3 DECL3("single", "<qti-value>A</qti-value>") "<qti-item-body>\n"
                                                       "<qti-choice-interaction "
                                                       "response-identifier=\"RESPONSE\" "
                                                       "max-choices=\"-1\">\n" AB
                                                       "</qti-choice-interaction>\n"
                                                       "</qti-item-body>\n" TAIL3,
     "line 6, <qti-choice-interaction>: max-choices must be a whole number from 0"},
};

static void test_refusals(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof REFUSALS / sizeof REFUSALS[0]; i++) {
        const struct refusal *r = &REFUSALS[i];
        struct qti_item it;
        struct cf_error err;
        int rc;

        cf_error_clear(&err);
        rc = qti_parse(r->xml, strlen(r->xml), &it, &err);
        if (r->reason == NULL) {
            if (rc != CF_OK)
                fail_msg("%s: refused: %s", r->name, err.message);
            qti_item_free(&it);
            continue;
        }
        if (rc != CF_EINVAL)
            fail_msg("%s: rc %d, want CF_EINVAL", r->name, rc);
        if (strstr(err.message, r->reason) == NULL)
            fail_msg("%s: message \"%s\" lacks \"%s\"", r->name, err.message, r->reason);
        assert_null(it.identifier);
        assert_null(it.choices);
        assert_int_equal(it.nchoices, 0);
    }
}

/* An entity defined in an internal subset never reaches the parser (billion laughs). */
static void test_entity_expansion(void **state)
{
    static const char xml[] = "<?xml version=\"1.0\"?>\n"
                              "<!DOCTYPE lol [<!ENTITY a \"aaaaaaaaaa\">"
                              "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
                              "<qti-assessment-item xmlns=\"" QTI_NS_V3 "\" identifier=\"&b;\"/>";
    struct qti_item it;
    struct cf_error err;

    (void)state;
    assert_int_equal(qti_parse(xml, sizeof xml - 1, &it, &err), CF_EINVAL);
    assert_non_null(strstr(err.message, "DOCTYPE"));
}

static void test_too_big(void **state)
{
    size_t n = QTI_MAX_BYTES + 1;
    char *big = malloc(n);
    struct qti_item it;
    struct cf_error err;

    (void)state;
    assert_non_null(big);
    memset(big, ' ', n);
    assert_int_equal(qti_parse(big, n, &it, &err), CF_ETOOBIG);
    assert_null(it.identifier);
    free(big);
}

/*
 * Rationales as inline feedback (written here in the shape QTI 3.0 and 2.1 give choice-level
 * feedback: a feedback element inside each simple choice whose identifier is the choice's,
 * outcome FEEDBACK, shown when the outcome holds that identifier).
 */
static const char QTI3_FEEDBACK[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\"\n"
    " identifier=\"cto-network-020\" title=\"Wireless first\" time-dependent=\"false\">\n"
    " <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"single\" "
    "base-type=\"identifier\">\n"
    "  <qti-correct-response><qti-value>B</qti-value></qti-correct-response>\n"
    " </qti-response-declaration>\n"
    " <qti-outcome-declaration identifier=\"FEEDBACK\" cardinality=\"single\" "
    "base-type=\"identifier\"/>\n"
    " <qti-item-body>\n"
    "  <qti-choice-interaction response-identifier=\"RESPONSE\" max-choices=\"1\">\n"
    "   <qti-prompt>What comes first in a wireless refresh?</qti-prompt>\n"
    "   <qti-simple-choice identifier=\"A\">Buying access points\n"
    "    <qti-feedback-inline outcome-identifier=\"FEEDBACK\" identifier=\"A\" "
    "show-hide=\"show\">Not first: the\n      survey says how many are "
    "needed.</qti-feedback-inline>\n"
    "   </qti-simple-choice>\n"
    "   <qti-simple-choice identifier=\"B\">A site survey<qti-feedback-inline "
    "outcome-identifier=\"FEEDBACK\" identifier=\"B\" show-hide=\"show\">Right: it measures "
    "<em>coverage</em> and load.</qti-feedback-inline></qti-simple-choice>\n"
    "   <qti-simple-choice identifier=\"C\">Training staff<qti-feedback-inline "
    "outcome-identifier=\"FEEDBACK\" identifier=\"other\" show-hide=\"show\">Not this "
    "choice's.</qti-feedback-inline></qti-simple-choice>\n"
    "  </qti-choice-interaction>\n"
    " </qti-item-body>\n"
    " <qti-response-processing "
    "template=\"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct\"/>\n"
    "</qti-assessment-item>\n";

static const char QTI21_FEEDBACK[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p1\" identifier=\"fb21\"\n"
    " title=\"Feedback 2.1\" adaptive=\"false\" timeDependent=\"false\">\n"
    " <responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" "
    "baseType=\"identifier\">\n"
    "  <correctResponse><value>X</value></correctResponse>\n"
    " </responseDeclaration>\n"
    " <itemBody>\n"
    "  <choiceInteraction responseIdentifier=\"RESPONSE\" maxChoices=\"1\">\n"
    "   <simpleChoice identifier=\"X\">Yes<feedbackInline outcomeIdentifier=\"FEEDBACK\" "
    "identifier=\"X\" showHide=\"show\">Because it is.</feedbackInline></simpleChoice>\n"
    "   <simpleChoice identifier=\"Y\">No</simpleChoice>\n"
    "  </choiceInteraction>\n"
    " </itemBody>\n"
    "</assessmentItem>\n";

/* The feedback is read as the choice's rationale and left out of the choice's text. */
static void test_feedback_read(void **state)
{
    struct qti_item it;

    (void)state;
    parse_ok(QTI3_FEEDBACK, &it);
    assert_int_equal(it.nchoices, 3);
    assert_string_equal(it.choices[0].text, "Buying access points");
    assert_string_equal(it.choices[0].rationale, "Not first: the survey says how many are needed.");
    assert_string_equal(it.choices[1].text, "A site survey");
    assert_string_equal(it.choices[1].rationale, "Right: it measures coverage and load.");
    /* Feedback naming another identifier is not this choice's rationale, nor its text. */
    assert_string_equal(it.choices[2].text, "Training staff");
    assert_string_equal(it.choices[2].rationale, "");
    qti_item_free(&it);

    parse_ok(QTI21_FEEDBACK, &it);
    assert_string_equal(it.choices[0].text, "Yes");
    assert_string_equal(it.choices[0].rationale, "Because it is.");
    assert_string_equal(it.choices[1].text, "No");
    assert_string_equal(it.choices[1].rationale, "");
    qti_item_free(&it);
}

/* Written as 3.0 and 2.1 the rationales are inline feedback, and read back equal. */
static void test_feedback_round_trip(void **state)
{
    struct qti_item it;
    struct cf_error err;
    char *xml = NULL;
    size_t n;

    (void)state;
    parse_ok(QTI3_FEEDBACK, &it);
    assert_round_trip(&it, QTI_V3);
    assert_round_trip(&it, QTI_V21);
    assert_int_equal(qti_write(&it, QTI_V3, &xml, &n, &err), CF_OK);
    assert_non_null(strstr(xml, "<qti-simple-choice identifier=\"B\">A site survey"
                                "<qti-feedback-inline outcome-identifier=\"FEEDBACK\" "
                                "identifier=\"B\" show-hide=\"show\">Right: it measures coverage "
                                "and load.</qti-feedback-inline></qti-simple-choice>"));
    assert_non_null(strstr(xml, "<qti-outcome-declaration identifier=\"FEEDBACK\" "
                                "cardinality=\"single\" base-type=\"identifier\"/>"));
    /* The choice without a rationale has no feedback element. */
    assert_non_null(strstr(xml, "<qti-simple-choice identifier=\"C\">Training "
                                "staff</qti-simple-choice>"));
    free(xml);
    assert_int_equal(qti_write(&it, QTI_V21, &xml, &n, &err), CF_OK);
    assert_non_null(strstr(xml, "<feedbackInline outcomeIdentifier=\"FEEDBACK\" identifier=\"A\" "
                                "showHide=\"show\">Not first: the survey says how many are "
                                "needed.</feedbackInline>"));
    assert_non_null(strstr(xml, "<outcomeDeclaration identifier=\"FEEDBACK\""));
    free(xml);
    qti_item_free(&it);

    /* An item without rationales declares no FEEDBACK outcome. */
    parse_ok(QTI3_SINGLE, &it);
    assert_int_equal(qti_write(&it, QTI_V3, &xml, &n, &err), CF_OK);
    assert_null(strstr(xml, "FEEDBACK"));
    assert_null(strstr(xml, "qti-feedback-inline"));
    free(xml);
    qti_item_free(&it);
}

/* A rationale differing is a difference; a second feedback for one choice is refused. */
static void test_feedback_equal_and_refused(void **state)
{
    struct qti_item a, b;
    struct cf_error err;
    char why[64] = "";
    const char *at;

    (void)state;
    parse_ok(QTI3_FEEDBACK, &a);
    parse_ok(QTI3_FEEDBACK, &b);
    assert_true(qti_item_equal(&a, &b, NULL, 0));
    free(b.choices[1].rationale);
    b.choices[1].rationale = strdup("Right, but for another reason.");
    assert_false(qti_item_equal(&a, &b, why, sizeof why));
    assert_string_equal(why, "rationale");
    qti_item_free(&a);
    qti_item_free(&b);

    /*
     * Choice B gets a second feedback element of its own, on a line of its own: line 16 (the
     * document's lines: 1 the declaration, 2-3 the root, 4-6 the response declaration, 7 the
     * outcome, 8 the body, 9 the interaction, 10 the prompt, 11-14 choice A, 15 choice B).
     */
    at = strstr(QTI3_FEEDBACK, "</qti-feedback-inline></qti-simple-choice>\n   "
                               "<qti-simple-choice identifier=\"C\">");
    assert_non_null(at);
    {
        char doc[4096];
        size_t head = (size_t)(at - QTI3_FEEDBACK) + strlen("</qti-feedback-inline>");

        assert_true(snprintf(doc, sizeof doc,
                             "%.*s\n<qti-feedback-inline "
                             "outcome-identifier=\"FEEDBACK\" identifier=\"B\">"
                             "Again.</qti-feedback-inline>%s",
                             (int)head, QTI3_FEEDBACK, QTI3_FEEDBACK + head) < (int)sizeof doc);
        cf_error_clear(&err);
        assert_int_equal(qti_parse(doc, strlen(doc), &a, &err), CF_EINVAL);
        assert_non_null(strstr(err.message, "a second <qti-feedback-inline> for the choice \"B\""));
        assert_non_null(strstr(err.message, "line 16,"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v3_single),
        cmocka_unit_test(test_v3_multiple),
        cmocka_unit_test(test_v21_choice),
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_v21_to_v3),
        cmocka_unit_test(test_equal_detects),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_entity_expansion),
        cmocka_unit_test(test_too_big),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_feedback_read),
        cmocka_unit_test(test_feedback_round_trip),
        cmocka_unit_test(test_feedback_equal_and_refused),
    };

    return cmocka_run_group_tests_name("qti", tests, NULL, NULL);
}
