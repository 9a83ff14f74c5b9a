/*
 * qti_examples.h — three QTI items for test_qti.c and test_qtipkg.c, written here in the
 * shape of 1EdTech's public examples (the content is ours):
 *
 *   QTI3_SINGLE   the QTI 3.0 Beginner's Guide "firstexample"
 *                 (1EdTech/qti-examples, QTI3_BeginnersGuide_Examples/items/firstexample.xml):
 *                 a paragraph in the body, a single-cardinality identifier response with one
 *                 correct value, four simple choices, no prompt, the match_correct template;
 *   QTI3_MULTIPLE a multiple-response item as the QTI 3.0 implementation guide describes it:
 *                 cardinality multiple, several correct values, a mapping with bounds,
 *                 max-choices 0 (no limit), the map_response template;
 *   QTI21_CHOICE  the QTI 2.1 "choice.xml" example (assessmentItem, responseDeclaration,
 *                 choiceInteraction with a prompt and shuffle, the 2.1 match_correct
 *                 template URI).
 */
#ifndef CF_TEST_QTI_EXAMPLES_H
#define CF_TEST_QTI_EXAMPLES_H

static const char QTI3_SINGLE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<qti-assessment-item\n"
    " xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\"\n"
    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
    " identifier=\"cto-budget-001\"\n"
    " title=\"Budget owner\"\n"
    " time-dependent=\"false\"\n"
    " xml:lang=\"en-US\">\n"
    " <qti-response-declaration base-type=\"identifier\" cardinality=\"single\" "
    "identifier=\"RESPONSE\">\n"
    "  <qti-correct-response>\n"
    "   <qti-value>B</qti-value>\n"
    "  </qti-correct-response>\n"
    " </qti-response-declaration>\n"
    " <qti-outcome-declaration base-type=\"float\" cardinality=\"single\" identifier=\"SCORE\">\n"
    "  <qti-default-value>\n"
    "   <qti-value>1</qti-value>\n"
    "  </qti-default-value>\n"
    " </qti-outcome-declaration>\n"
    " <qti-item-body>\n"
    "  <p>Which role usually owns the technology budget of a school district?</p>\n"
    "  <qti-choice-interaction max-choices=\"1\" min-choices=\"1\" "
    "response-identifier=\"RESPONSE\">\n"
    "   <qti-simple-choice identifier=\"A\">The board secretary</qti-simple-choice>\n"
    "   <qti-simple-choice identifier=\"B\">The chief technology officer</qti-simple-choice>\n"
    "   <qti-simple-choice identifier=\"C\">The help desk lead</qti-simple-choice>\n"
    "   <qti-simple-choice identifier=\"D\">A classroom teacher</qti-simple-choice>\n"
    "  </qti-choice-interaction>\n"
    " </qti-item-body>\n"
    " <qti-response-processing "
    "template=\"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct\"/>\n"
    "</qti-assessment-item>\n";

static const char QTI3_MULTIPLE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<qti-assessment-item xmlns=\"http://www.imsglobal.org/xsd/imsqtiasi_v3p0\"\n"
    "  identifier=\"cto-security-014\" title=\"Backups &amp; recovery\" "
    "time-dependent=\"false\">\n"
    "  <qti-response-declaration identifier=\"RESPONSE\" cardinality=\"multiple\" "
    "base-type=\"identifier\">\n"
    "    <qti-correct-response>\n"
    "      <qti-value>H</qti-value>\n"
    "      <qti-value>K</qti-value>\n"
    "      <qti-value>M</qti-value>\n"
    "    </qti-correct-response>\n"
    "    <qti-mapping lower-bound=\"0\" upper-bound=\"3\" default-value=\"-0.5\">\n"
    "      <qti-map-entry map-key=\"H\" mapped-value=\"1\"/>\n"
    "      <qti-map-entry map-key=\"K\" mapped-value=\"1\"/>\n"
    "      <qti-map-entry map-key=\"M\" mapped-value=\"1\"/>\n"
    "      <qti-map-entry map-key=\"P\" mapped-value=\"-2\"/>\n"
    "    </qti-mapping>\n"
    "  </qti-response-declaration>\n"
    "  <qti-outcome-declaration identifier=\"SCORE\" cardinality=\"single\" "
    "base-type=\"float\"/>\n"
    "  <qti-item-body>\n"
    "    <qti-choice-interaction response-identifier=\"RESPONSE\" shuffle=\"true\" "
    "max-choices=\"0\">\n"
    "      <qti-prompt>Which practices protect the district's data <em>after</em> a\n"
    "        ransomware attack? Choose all that apply.</qti-prompt>\n"
    "      <qti-simple-choice identifier=\"H\">Offline copies of backups</qti-simple-choice>\n"
    "      <qti-simple-choice identifier=\"K\">Restores tested on a schedule</qti-simple-choice>\n"
    "      <qti-simple-choice identifier=\"M\">A written recovery order for "
    "systems</qti-simple-choice>\n"
    "      <qti-simple-choice identifier=\"P\">Paying the ransom at once</qti-simple-choice>\n"
    "      <qti-simple-choice identifier=\"Z\" fixed=\"true\">None of these</qti-simple-choice>\n"
    "    </qti-choice-interaction>\n"
    "  </qti-item-body>\n"
    "  <qti-response-processing "
    "template=\"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response\"/>\n"
    "</qti-assessment-item>\n";

static const char QTI21_CHOICE[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<assessmentItem xmlns=\"http://www.imsglobal.org/xsd/imsqti_v2p1\"\n"
    "  xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"\n"
    "  identifier=\"choice\" title=\"Vendor contract\" adaptive=\"false\" "
    "timeDependent=\"false\">\n"
    "  <responseDeclaration identifier=\"RESPONSE\" cardinality=\"single\" "
    "baseType=\"identifier\">\n"
    "    <correctResponse>\n"
    "      <value>ChoiceC</value>\n"
    "    </correctResponse>\n"
    "  </responseDeclaration>\n"
    "  <outcomeDeclaration identifier=\"SCORE\" cardinality=\"single\" baseType=\"float\">\n"
    "    <defaultValue>\n"
    "      <value>0</value>\n"
    "    </defaultValue>\n"
    "  </outcomeDeclaration>\n"
    "  <itemBody>\n"
    "    <p>A vendor's contract renews on its own each year.</p>\n"
    "    <choiceInteraction responseIdentifier=\"RESPONSE\" shuffle=\"false\" "
    "maxChoices=\"1\">\n"
    "      <prompt>What should the CTO put in the procurement calendar?</prompt>\n"
    "      <simpleChoice identifier=\"ChoiceA\">Nothing until the invoice arrives</simpleChoice>\n"
    "      <simpleChoice identifier=\"ChoiceB\">The vendor's sales meeting</simpleChoice>\n"
    "      <simpleChoice identifier=\"ChoiceC\">The notice date before renewal</simpleChoice>\n"
    "    </choiceInteraction>\n"
    "  </itemBody>\n"
    "  <responseProcessing "
    "template=\"http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct\"/>\n"
    "</assessmentItem>\n";

#endif
