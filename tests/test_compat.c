/*
 * test_compat.c: Avro schema compatibility (avro_compat.c): a table of
 * reader/writer pairs covering each of Avro's rules in both directions,
 * the messages with their paths, recursion, the Schema Registry levels,
 * and schemas parsed with references (kafkit_avro_schema_new_with_refs).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Schema texts are written with ' for " to stay readable. */
static kafkit_avro_schema_t *schema(const char *squoted)
{
        char *text = strdup(squoted), *p;
        kafkit_avro_schema_t *s;
        kafkit_error_t err;

        ck_assert_ptr_nonnull(text);
        for (p = text; *p; p++)
                if (*p == '\'')
                        *p = '"';
        s = kafkit_avro_schema_new(text, (size_t)-1, &err);
        if (!s)
                ck_abort_msg("schema %s: %s", text, err.message);
        free(text);
        return s;
}

#define REC(fields) "{'type':'record','name':'R','namespace':'ns','fields':[" fields "]}"
#define LIST(extra)                                                                 \
        "{'type':'record','name':'Node','fields':[{'name':'v','type':'int'},"    \
        "{'name':'next','type':['null','Node'],'default':null}" extra "]}"

typedef struct compat_case_s {
        const char *name;
        const char *reader, *writer;
        int compatible;
        const char *reason;     /* substring of the first reason, or NULL */
} compat_case_t;

static const compat_case_t cases[] = {
        /* primitives and promotions */
        { "same primitive", "'int'", "'int'", 1, NULL },
        { "int->long", "'long'", "'int'", 1, NULL },
        { "int->float", "'float'", "'int'", 1, NULL },
        { "int->double", "'double'", "'int'", 1, NULL },
        { "long->float", "'float'", "'long'", 1, NULL },
        { "long->double", "'double'", "'long'", 1, NULL },
        { "float->double", "'double'", "'float'", 1, NULL },
        { "string->bytes", "'bytes'", "'string'", 1, NULL },
        { "bytes->string", "'string'", "'bytes'", 1, NULL },
        { "long !-> int", "'int'", "'long'", 0,
          "TYPE_MISMATCH at /: reader type: int not compatible with writer type: long" },
        { "double !-> float", "'float'", "'double'", 0, "TYPE_MISMATCH at /" },
        { "float !-> long", "'long'", "'float'", 0, "TYPE_MISMATCH" },
        { "int !-> string", "'string'", "'int'", 0, "TYPE_MISMATCH" },
        { "null !-> boolean", "'boolean'", "'null'", 0, "TYPE_MISMATCH" },
        /* records */
        { "same record", REC("{'name':'a','type':'int'}"), REC("{'name':'a','type':'int'}"), 1,
          NULL },
        { "reader adds field with default",
          REC("{'name':'a','type':'int'},{'name':'email','type':'string','default':''}"),
          REC("{'name':'a','type':'int'}"), 1, NULL },
        { "reader adds field without default",
          REC("{'name':'a','type':'int'},{'name':'b','type':'int'},"
              "{'name':'email','type':'string'}"),
          REC("{'name':'a','type':'int'},{'name':'b','type':'int'}"), 0,
          "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/2 (field 'email')" },
        { "writer has a field the reader dropped", REC("{'name':'a','type':'int'}"),
          REC("{'name':'a','type':'int'},{'name':'gone','type':'string'}"), 1, NULL },
        { "field type promoted", REC("{'name':'a','type':'long'}"),
          REC("{'name':'a','type':'int'}"), 1, NULL },
        { "field type narrowed", REC("{'name':'x','type':'int'},{'name':'a','type':'int'}"),
          REC("{'name':'x','type':'int'},{'name':'a','type':'long'}"), 0,
          "TYPE_MISMATCH at /fields/1/type: reader type: int not compatible with writer "
          "type: long" },
        { "record renamed", "{'type':'record','name':'A','fields':[]}",
          "{'type':'record','name':'B','fields':[]}", 0,
          "NAME_MISMATCH at /name: expected: B" },
        { "record renamed with reader alias",
          "{'type':'record','name':'A','aliases':['B'],'fields':[]}",
          "{'type':'record','name':'B','fields':[]}", 1, NULL },
        { "record namespace changed",
          "{'type':'record','name':'A','namespace':'x','fields':[]}",
          "{'type':'record','name':'A','namespace':'y','fields':[]}", 1, NULL },
        { "field renamed with reader field alias",
          REC("{'name':'mail','aliases':['email'],'type':'string'}"),
          REC("{'name':'email','type':'string'}"), 1, NULL },
        { "field renamed without alias", REC("{'name':'mail','type':'string'}"),
          REC("{'name':'email','type':'string'}"), 0,
          "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/0 (field 'mail')" },
        { "nested record path",
          REC("{'name':'addr','type':{'type':'record','name':'A','fields':["
              "{'name':'city','type':'string'},{'name':'zip','type':'string'}]}}"),
          REC("{'name':'addr','type':{'type':'record','name':'A','fields':["
              "{'name':'city','type':'string'}]}}"),
          0, "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/0/type/fields/1 (field 'zip')" },
        /* enums */
        { "reader enum has more symbols", "{'type':'enum','name':'E','symbols':['A','B','C']}",
          "{'type':'enum','name':'E','symbols':['A','B']}", 1, NULL },
        { "writer enum has symbols the reader lacks",
          "{'type':'enum','name':'E','symbols':['A','B']}",
          "{'type':'enum','name':'E','symbols':['A','B','C','D']}", 0,
          "MISSING_ENUM_SYMBOLS at /symbols: the reader lacks the writer's symbols [C, D]" },
        { "reader enum default covers unknown symbols",
          "{'type':'enum','name':'E','symbols':['A','B','UNKNOWN'],'default':'UNKNOWN'}",
          "{'type':'enum','name':'E','symbols':['A','B','C']}", 1, NULL },
        { "enum renamed", "{'type':'enum','name':'E','symbols':['A']}",
          "{'type':'enum','name':'F','symbols':['A']}", 0, "NAME_MISMATCH at /name" },
        /* fixed */
        { "same fixed", "{'type':'fixed','name':'F','size':4}",
          "{'type':'fixed','name':'F','size':4}", 1, NULL },
        { "fixed size changed", "{'type':'fixed','name':'F','size':4}",
          "{'type':'fixed','name':'F','size':8}", 0,
          "FIXED_SIZE_MISMATCH at /size: expected: 8, found: 4" },
        { "fixed renamed", "{'type':'fixed','name':'F','size':4}",
          "{'type':'fixed','name':'G','size':4}", 0, "NAME_MISMATCH" },
        /* arrays and maps */
        { "array items promoted", "{'type':'array','items':'long'}",
          "{'type':'array','items':'int'}", 1, NULL },
        { "array items narrowed", "{'type':'array','items':'int'}",
          "{'type':'array','items':'long'}", 0, "TYPE_MISMATCH at /items" },
        { "map values promoted", "{'type':'map','values':'double'}",
          "{'type':'map','values':'float'}", 1, NULL },
        { "map values changed", "{'type':'map','values':'int'}",
          "{'type':'map','values':'string'}", 0, "TYPE_MISMATCH at /values" },
        { "array vs map", "{'type':'array','items':'int'}", "{'type':'map','values':'int'}",
          0, "TYPE_MISMATCH at /: reader type: array not compatible with writer type: map" },
        /* unions */
        { "reader union holds the writer type", "['null','string']", "'string'", 1, NULL },
        { "reader union promotes the writer type", "['null','long']", "'int'", 1, NULL },
        { "reader union lacks the writer type", "['null','int']", "'string'", 0,
          "MISSING_UNION_BRANCH at /: reader union lacking writer type: string" },
        { "writer union into a non-union", "'string'", "['null','string']", 0,
          "TYPE_MISMATCH at /0: reader type: string not compatible with writer type: null" },
        { "every writer branch promotable", "'long'", "['int','long']", 1, NULL },
        { "reader union gains a branch", "['null','string','int']", "['null','string']", 1,
          NULL },
        { "reader union loses a branch", "['null','string']", "['null','string','int']", 0,
          "MISSING_UNION_BRANCH at /2: reader union lacking writer type: int" },
        { "union of records by name",
          "['null',{'type':'record','name':'A','fields':[{'name':'x','type':'long'}]}]",
          "['null',{'type':'record','name':'A','fields':[{'name':'x','type':'int'}]}]", 1,
          NULL },
        { "union field in a record",
          REC("{'name':'a','type':['null','int'],'default':null}"),
          REC("{'name':'a','type':['null','string'],'default':null}"), 0,
          "MISSING_UNION_BRANCH at /fields/0/type/1" },
        /* recursion */
        { "recursive list, same", LIST(""), LIST(""), 1, NULL },
        { "recursive list, reader adds defaulted field",
          LIST(",{'name':'w','type':'int','default':0}"), LIST(""), 1, NULL },
        { "recursive list, reader adds field without default",
          LIST(",{'name':'w','type':'int'}"), LIST(""), 0,
          "READER_FIELD_MISSING_DEFAULT_VALUE at /fields/2 (field 'w')" },
        { "recursive list, writer's payload widened", LIST(""),
          "{'type':'record','name':'Node','fields':[{'name':'v','type':'long'},"
          "{'name':'next','type':['null','Node'],'default':null}]}",
          0, "TYPE_MISMATCH at /fields/0/type" },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

START_TEST(test_reader_writer_rules_table)
{
        const compat_case_t *tc = &cases[_i];
        kafkit_avro_schema_t *r = schema(tc->reader), *w = schema(tc->writer);
        kafkit_avro_compat_reasons_t *why = kafkit_avro_compat_reasons_new();
        kafkit_error_t err;
        int ok = -1;

        ck_assert_ptr_nonnull(why);
        ck_assert_int_eq(kafkit_avro_compat_check(r, w, &ok, why, &err), KAFKIT_OK);
        ck_assert_msg(ok == tc->compatible, "%s: compatible=%d, expected %d (%s)", tc->name,
                      ok, tc->compatible,
                      kafkit_avro_compat_reasons_count(why)
                              ? kafkit_avro_compat_reasons_get(why, 0) : "no reason");
        if (tc->compatible) {
                ck_assert_msg(kafkit_avro_compat_reasons_count(why) == 0,
                              "%s: reasons for a compatible pair: %s", tc->name,
                              kafkit_avro_compat_reasons_get(why, 0));
        } else {
                ck_assert_msg(kafkit_avro_compat_reasons_count(why) >= 1, "%s: no reason",
                              tc->name);
                ck_assert_msg(strstr(kafkit_avro_compat_reasons_get(why, 0), tc->reason),
                              "%s: reason \"%s\" lacks \"%s\"", tc->name,
                              kafkit_avro_compat_reasons_get(why, 0), tc->reason);
        }
        /* The verdict does not depend on collecting reasons. */
        ck_assert_int_eq(kafkit_avro_compat_check(r, w, &ok, NULL, &err), KAFKIT_OK);
        ck_assert_int_eq(ok, tc->compatible);
        kafkit_avro_compat_reasons_destroy(why);
        kafkit_avro_schema_destroy(r);
        kafkit_avro_schema_destroy(w);
}
END_TEST

START_TEST(test_every_problem_is_reported)
{
        kafkit_avro_schema_t *r = schema(REC("{'name':'a','type':'int'},"
                                             "{'name':'b','type':'string'},"
                                             "{'name':'c','type':'int'}"));
        kafkit_avro_schema_t *w = schema(REC("{'name':'a','type':'long'}"));
        kafkit_avro_compat_reasons_t *why = kafkit_avro_compat_reasons_new();
        int ok = 1;

        ck_assert_int_eq(kafkit_avro_compat_check(r, w, &ok, why, NULL), KAFKIT_OK);
        ck_assert_int_eq(ok, 0);
        ck_assert_uint_eq(kafkit_avro_compat_reasons_count(why), 3);
        ck_assert_ptr_nonnull(strstr(kafkit_avro_compat_reasons_get(why, 0), "/fields/0/type"));
        ck_assert_ptr_nonnull(strstr(kafkit_avro_compat_reasons_get(why, 1), "(field 'b')"));
        ck_assert_ptr_nonnull(strstr(kafkit_avro_compat_reasons_get(why, 2), "(field 'c')"));
        ck_assert_ptr_null(kafkit_avro_compat_reasons_get(why, 3));
        kafkit_avro_compat_reasons_destroy(why);
        kafkit_avro_schema_destroy(r);
        kafkit_avro_schema_destroy(w);
}
END_TEST

START_TEST(test_null_arguments_are_errors)
{
        kafkit_avro_schema_t *s = schema("'int'");
        kafkit_error_t err;
        int ok = 1;

        ck_assert_int_eq(kafkit_avro_compat_check(s, NULL, &ok, NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_int_eq(ok, 0);
        ck_assert_ptr_nonnull(strstr(err.message, "writer"));
        ck_assert_int_eq(kafkit_avro_compat_check_level(KAFKIT_AVRO_COMPAT__COUNT, s, NULL,
                                                        NULL, 0, &ok, NULL, &err),
                         KAFKIT_ERR_INVALID_ARG);
        kafkit_avro_schema_destroy(s);
}
END_TEST

/* ------------------------------------------------------------------ levels */

typedef struct level_case_s {
        const char *name;
        const char *v1, *v2, *candidate;       /* existing: v1, v2 (latest) */
        int ok[KAFKIT_AVRO_COMPAT__COUNT];      /* per level, enum order */
        const char *transitive_reason;          /* in a _TRANSITIVE failure */
} level_case_t;

#define A "{'name':'a','type':'int'}"
#define B_NODEF "{'name':'b','type':'string'}"
#define B_DEF "{'name':'b','type':'string','default':'x'}"

/* ok[] order: NONE, BACKWARD, BACKWARD_T, FORWARD, FORWARD_T, FULL, FULL_T */
static const level_case_t level_cases[] = {
        { "adds a field with a default", REC(A), REC(A), REC(A "," B_DEF),
          { 1, 1, 1, 1, 1, 1, 1 }, NULL },
        { "adds a field without default", REC(A), REC(A), REC(A "," B_NODEF),
          { 1, 0, 0, 1, 1, 0, 0 }, NULL },
        { "removes a field without default", REC(A "," B_NODEF), REC(A "," B_NODEF), REC(A),
          { 1, 1, 1, 0, 0, 0, 0 }, NULL },
        /* Readable with the latest, not with the first: only transitive fails. */
        { "backward only with the latest", REC(A), REC(A "," B_DEF), REC(A "," B_NODEF),
          { 1, 1, 0, 1, 1, 1, 0 }, "(new schema reading version 1)" },
        { "forward only with the latest", REC(A "," B_NODEF), REC(A "," B_DEF), REC(A),
          { 1, 1, 1, 1, 0, 1, 0 }, "(version 1 reading new schema)" },
        { "type change", "'int'", "'int'", "'string'", { 1, 0, 0, 0, 0, 0, 0 }, NULL },
        { "promotion is one-way", "'int'", "'int'", "'long'", { 1, 1, 1, 0, 0, 0, 0 }, NULL },
};

START_TEST(test_levels_table)
{
        const level_case_t *tc = &level_cases[_i];
        kafkit_avro_schema_t *old[2] = { schema(tc->v1), schema(tc->v2) };
        kafkit_avro_schema_t *cand = schema(tc->candidate);
        const char *labels[2] = { "version 1", "version 2" };
        int lvl;

        for (lvl = 0; lvl < KAFKIT_AVRO_COMPAT__COUNT; lvl++) {
                kafkit_avro_compat_reasons_t *why = kafkit_avro_compat_reasons_new();
                kafkit_error_t err;
                int ok = -1;

                ck_assert_int_eq(kafkit_avro_compat_check_level(
                                         (kafkit_avro_compat_level_t)lvl, cand,
                                         (const kafkit_avro_schema_t *const *)old, labels, 2,
                                         &ok, why, &err),
                                 KAFKIT_OK);
                ck_assert_msg(ok == tc->ok[lvl], "%s under %s: %d, expected %d (%s)",
                              tc->name, kafkit_avro_compat_level_name(lvl), ok, tc->ok[lvl],
                              kafkit_avro_compat_reasons_count(why)
                                      ? kafkit_avro_compat_reasons_get(why, 0) : "-");
                ck_assert_int_eq(kafkit_avro_compat_reasons_count(why) == 0, ok);
                if (!ok && tc->transitive_reason && lvl % 2 == 0 && tc->ok[lvl - 1]) {
                        /* failed only as transitive: says which version */
                        ck_assert_msg(strstr(kafkit_avro_compat_reasons_get(why, 0),
                                             tc->transitive_reason),
                                      "%s: \"%s\" lacks \"%s\"", tc->name,
                                      kafkit_avro_compat_reasons_get(why, 0),
                                      tc->transitive_reason);
                }
                kafkit_avro_compat_reasons_destroy(why);
        }
        kafkit_avro_schema_destroy(old[0]);
        kafkit_avro_schema_destroy(old[1]);
        kafkit_avro_schema_destroy(cand);
}
END_TEST

START_TEST(test_no_existing_schema_is_compatible)
{
        kafkit_avro_schema_t *cand = schema("'string'");
        int ok = 0;

        ck_assert_int_eq(kafkit_avro_compat_check_level(KAFKIT_AVRO_COMPAT_FULL_TRANSITIVE,
                                                        cand, NULL, NULL, 0, &ok, NULL, NULL),
                         KAFKIT_OK);
        ck_assert_int_eq(ok, 1);
        kafkit_avro_schema_destroy(cand);
}
END_TEST

START_TEST(test_default_labels_name_the_index)
{
        kafkit_avro_schema_t *old = schema("'int'"), *cand = schema("'string'");
        const kafkit_avro_schema_t *existing[1] = { old };
        kafkit_avro_compat_reasons_t *why = kafkit_avro_compat_reasons_new();
        int ok = 1;

        ck_assert_int_eq(kafkit_avro_compat_check_level(KAFKIT_AVRO_COMPAT_FORWARD, cand,
                                                        existing, NULL, 1, &ok, why, NULL),
                         KAFKIT_OK);
        ck_assert_int_eq(ok, 0);
        ck_assert_str_eq(kafkit_avro_compat_reasons_get(why, 0),
                         "TYPE_MISMATCH at /: reader type: int not compatible with writer "
                         "type: string (existing[0] reading new schema)");
        kafkit_avro_compat_reasons_destroy(why);
        kafkit_avro_schema_destroy(old);
        kafkit_avro_schema_destroy(cand);
}
END_TEST

START_TEST(test_level_names_round_trip)
{
        kafkit_avro_compat_level_t got;
        kafkit_error_t err;
        int lvl;

        for (lvl = 0; lvl < KAFKIT_AVRO_COMPAT__COUNT; lvl++) {
                ck_assert_int_eq(kafkit_avro_compat_level_parse(
                                         kafkit_avro_compat_level_name(lvl), &got, &err),
                                 KAFKIT_OK);
                ck_assert_int_eq(got, lvl);
        }
        ck_assert_str_eq(kafkit_avro_compat_level_name(KAFKIT_AVRO_COMPAT_FULL_TRANSITIVE),
                         "FULL_TRANSITIVE");
        ck_assert_int_eq(kafkit_avro_compat_level_parse("SIDEWAYS", &got, &err),
                         KAFKIT_ERR_INVALID_ARG);
        ck_assert_ptr_nonnull(strstr(err.message, "SIDEWAYS"));
        ck_assert_str_eq(kafkit_avro_compat_level_name(KAFKIT_AVRO_COMPAT__COUNT), "?");
}
END_TEST

/* -------------------------------------------------------------- references */

START_TEST(test_schema_with_references)
{
        const char *addr = "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"shop\","
                           "\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
        const char *money = "{\"type\":\"fixed\",\"name\":\"shop.Money\",\"size\":8}";
        const char *order = "{\"type\":\"record\",\"name\":\"Order\",\"namespace\":\"shop\","
                            "\"fields\":[{\"name\":\"to\",\"type\":\"Address\"},"
                            "{\"name\":\"total\",\"type\":\"shop.Money\"}]}";
        const char *refs[2] = { addr, money };
        kafkit_avro_schema_t *s;
        kafkit_error_t err;

        /* Without the references the names are unknown. */
        ck_assert_ptr_null(kafkit_avro_schema_new(order, (size_t)-1, &err));
        ck_assert_ptr_nonnull(strstr(err.message, "Address"));

        s = kafkit_avro_schema_new_with_refs(order, (size_t)-1, refs, 2, &err);
        if (!s)
                ck_abort_msg("with refs: %s", err.message);
        ck_assert_str_eq(kafkit_avro_schema_text(s), order);
        ck_assert_str_eq(kafkit_avro_schema_full_name(s), "shop.Order");
        /* The canonical form writes the referenced types out. */
        ck_assert_ptr_nonnull(strstr(kafkit_avro_schema_canonical(s), "\"city\""));
        ck_assert_ptr_nonnull(strstr(kafkit_avro_schema_canonical(s), "\"size\":8"));
        kafkit_avro_schema_destroy(s);

        /* A bad reference is named. */
        refs[1] = "{\"type\":\"fixed\",\"name\":\"Money\"}";
        ck_assert_ptr_null(kafkit_avro_schema_new_with_refs(order, (size_t)-1, refs, 2, &err));
        ck_assert_ptr_nonnull(strstr(err.message, "reference [1]"));
        /* A type defined again by the schema itself is an error. */
        ck_assert_ptr_null(kafkit_avro_schema_new_with_refs(addr, (size_t)-1, refs, 1, &err));
        ck_assert_ptr_nonnull(strstr(err.message, "defined twice"));
}
END_TEST

static Suite *compat_suite(void)
{
        Suite *s = suite_create("avro_compat");
        TCase *tc = tcase_create("core");

        tcase_add_loop_test(tc, test_reader_writer_rules_table, 0, (int)N_CASES);
        tcase_add_test(tc, test_every_problem_is_reported);
        tcase_add_test(tc, test_null_arguments_are_errors);
        tcase_add_loop_test(tc, test_levels_table, 0,
                            (int)(sizeof(level_cases) / sizeof(level_cases[0])));
        tcase_add_test(tc, test_no_existing_schema_is_compatible);
        tcase_add_test(tc, test_default_labels_name_the_index);
        tcase_add_test(tc, test_level_names_round_trip);
        tcase_add_test(tc, test_schema_with_references);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return tu_run(compat_suite());
}
