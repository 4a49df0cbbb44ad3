/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Table writers: RFC 4180 CSV (quoting, CRLF), JSON with real types, and
 * aligned text with a header line. */

#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "traj-table.h"

static TrajTable *
sample_table (void)
{
  TrajTable *t = traj_table_new ();

  traj_table_add_column (t, "mrn", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "name", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "score", TRAJ_COLUMN_INT);
  traj_table_add_column (t, "dose", TRAJ_COLUMN_NUMBER);
  traj_table_add_column (t, "active", TRAJ_COLUMN_BOOL);

  traj_table_add_row (t);
  traj_table_set (t, 0, "MRN-1");
  traj_table_set (t, 1, "Abbott, Ada");
  traj_table_set_int (t, 2, 14);
  traj_table_set_number (t, 3, 0.5, 2);
  traj_table_set_bool (t, 4, TRUE);

  traj_table_add_row (t);
  traj_table_set (t, 0, "MRN-2");
  traj_table_set (t, 1, "Ben \"Benny\" Bianchi");
  /* score left empty */
  traj_table_set_number (t, 3, 0.75, 2);
  traj_table_set_bool (t, 4, FALSE);

  traj_table_add_row (t);
  traj_table_set (t, 0, "MRN-3");
  traj_table_set (t, 1, "Line one\nline two");
  traj_table_set_int (t, 2, -3);
  traj_table_set (t, 3, "");
  /* active left empty */
  return t;
}

static void
test_csv (void)
{
  g_autoptr(TrajTable) t = sample_table ();
  g_autofree char *csv = traj_table_to_string (t, TRAJ_FORMAT_CSV);

  g_assert_cmpuint (traj_table_n_rows (t), ==, 3);
  g_assert_cmpstr (csv, ==,
                   "mrn,name,score,dose,active\r\n"
                   "MRN-1,\"Abbott, Ada\",14,0.50,true\r\n"
                   "MRN-2,\"Ben \"\"Benny\"\" Bianchi\",,0.75,false\r\n"
                   "MRN-3,\"Line one\nline two\",-3,,\r\n");
}

static void
test_csv_field (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "plain", "plain" },
    { "", "" },
    { "a,b", "\"a,b\"" },
    { "say \"hi\"", "\"say \"\"hi\"\"\"" },
    { "\"", "\"\"\"\"" },
    { "two\nlines", "\"two\nlines\"" },
    { "cr\rhere", "\"cr\rhere\"" },
    { "crlf\r\n", "\"crlf\r\n\"" },
    { " spaced ", " spaced " },
    { "semi;colon", "semi;colon" },
    { "Åsberg — “quotes”", "Åsberg — “quotes”" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GString) s = g_string_new ("x");
      traj_csv_append_field (s, cases[k].in);
      g_assert_cmpstr (s->str + 1, ==, cases[k].out);
    }
  {
    g_autoptr(GString) s = g_string_new ("x");
    traj_csv_append_field (s, NULL);
    g_assert_cmpstr (s->str, ==, "x");
  }
}

/* Header names are quoted like any other field. */
static void
test_csv_header_quoting (void)
{
  g_autoptr(TrajTable) t = traj_table_new ();
  g_autofree char *csv = NULL;

  traj_table_add_column (t, "a,b", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "c", TRAJ_COLUMN_INT);
  csv = traj_table_to_string (t, TRAJ_FORMAT_CSV);
  g_assert_cmpstr (csv, ==, "\"a,b\",c\r\n");
}

static void
test_json (void)
{
  g_autoptr(TrajTable) t = sample_table ();
  g_autofree char *json = traj_table_to_string (t, TRAJ_FORMAT_JSON);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GError *error = NULL;
  JsonArray *rows;
  JsonObject *o;

  g_assert_true (g_str_has_suffix (json, "\n"));
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  rows = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (rows), ==, 3);

  o = json_array_get_object_element (rows, 0);
  g_assert_cmpuint (json_object_get_size (o), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (o, "mrn"), ==, "MRN-1");
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Abbott, Ada");
  /* An int column is a JSON integer, not a string. */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "score")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (o, "score"), ==, 14);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "dose")), ==, G_TYPE_DOUBLE);
  g_assert_cmpfloat (json_object_get_double_member (o, "dose"), ==, 0.5);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (o, "active")), ==, G_TYPE_BOOLEAN);
  g_assert_true (json_object_get_boolean_member (o, "active"));

  o = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Ben \"Benny\" Bianchi");
  /* An empty int is null, not 0 and not "". */
  g_assert_true (json_object_has_member (o, "score"));
  g_assert_true (json_object_get_null_member (o, "score"));
  g_assert_false (json_object_get_boolean_member (o, "active"));

  o = json_array_get_object_element (rows, 2);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "Line one\nline two");
  g_assert_cmpint (json_object_get_int_member (o, "score"), ==, -3);
  g_assert_true (json_object_get_null_member (o, "dose"));
  g_assert_true (json_object_get_null_member (o, "active"));

  /* A column's order is the order the keys are written in. */
  {
    const char *mrn = strstr (json, "\"mrn\""), *name = strstr (json, "\"name\""), *score = strstr (json, "\"score\"");
    g_assert_true (mrn < name && name < score);
  }
}

static void
test_json_empty_string (void)
{
  g_autoptr(TrajTable) t = traj_table_new ();
  g_autofree char *json = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  traj_table_add_column (t, "note", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "n", TRAJ_COLUMN_INT);
  traj_table_add_row (t);
  json = traj_table_to_string (t, TRAJ_FORMAT_JSON);
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  o = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  /* An empty string column stays a string. */
  g_assert_cmpstr (json_object_get_string_member (o, "note"), ==, "");
  g_assert_true (json_object_get_null_member (o, "n"));

  /* No rows: an empty array. */
  {
    g_autoptr(TrajTable) e = traj_table_new ();
    g_autofree char *ej = NULL;
    g_autoptr(JsonParser) p2 = json_parser_new ();
    traj_table_add_column (e, "x", TRAJ_COLUMN_INT);
    ej = traj_table_to_string (e, TRAJ_FORMAT_JSON);
    g_assert_true (json_parser_load_from_data (p2, ej, -1, NULL));
    g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (p2))), ==, 0);
  }
}

static void
test_text (void)
{
  g_autoptr(TrajTable) t = traj_table_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  traj_table_add_column (t, "mrn", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "name", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "score", TRAJ_COLUMN_INT);
  traj_table_add_row (t);
  traj_table_set (t, 0, "MRN-100");
  traj_table_set (t, 1, "Ada");
  traj_table_set_int (t, 2, 7);
  traj_table_add_row (t);
  traj_table_set (t, 0, "M2");
  traj_table_set (t, 1, "Zoë Åberg");
  text = traj_table_to_string (t, TRAJ_FORMAT_TEXT);
  lines = g_strsplit (text, "\n", -1);

  /* Header first, then one line per row, columns aligned (two spaces after
   * the widest cell), an empty cell shown as a dash. */
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "mrn      name       score");
  g_assert_cmpstr (lines[1], ==, "MRN-100  Ada        7");
  g_assert_cmpstr (lines[2], ==, "M2       Zoë Åberg  —");
  g_assert_cmpstr (lines[3], ==, "");
}

static void
test_format_parse (void)
{
  TrajFormat f = TRAJ_FORMAT_TEXT;

  g_assert_true (traj_format_parse ("csv", &f));
  g_assert_cmpint (f, ==, TRAJ_FORMAT_CSV);
  g_assert_true (traj_format_parse ("json", &f));
  g_assert_cmpint (f, ==, TRAJ_FORMAT_JSON);
  g_assert_true (traj_format_parse ("text", &f));
  g_assert_cmpint (f, ==, TRAJ_FORMAT_TEXT);
  g_assert_false (traj_format_parse ("xml", &f));
  g_assert_false (traj_format_parse (NULL, &f));
  g_assert_cmpint (f, ==, TRAJ_FORMAT_TEXT);
}

static void
test_numbers_locale_free (void)
{
  g_autoptr(TrajTable) t = traj_table_new ();
  g_autofree char *csv = NULL;

  traj_table_add_column (t, "v", TRAJ_COLUMN_NUMBER);
  traj_table_add_row (t);
  traj_table_set_number (t, 0, 1234.5678, 1);
  traj_table_add_row (t);
  traj_table_set_number (t, 0, 2, 0);
  csv = traj_table_to_string (t, TRAJ_FORMAT_CSV);
  /* A dot, whatever the locale, and the asked decimals. */
  g_assert_cmpstr (csv, ==, "v\r\n1234.6\r\n2\r\n");
}

/* Issue 16 §2: cells a spreadsheet would run as formulas (OWASP CSV
 * injection) get an apostrophe; numbers, even negative, stay numbers. */
static void
test_csv_formula_injection (void)
{
  g_autoptr(TrajTable) t = traj_table_new ();
  g_autofree char *csv = NULL;

  traj_table_add_column (t, "name", TRAJ_COLUMN_STRING);
  traj_table_add_column (t, "change", TRAJ_COLUMN_NUMBER);
  traj_table_add_column (t, "n", TRAJ_COLUMN_INT);
  const char *cells[] = { "=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "\rCR", "'x", "plain", "a=b" };
  const char *expect[] = { "'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tTAB", "\"'\rCR\"", "''x", "plain", "a=b" };

  for (guint k = 0; k < G_N_ELEMENTS (cells); k++)
    {
      traj_table_add_row (t);
      traj_table_set (t, 0, cells[k]);
      traj_table_set_number (t, 1, -3.5, 1);
      traj_table_set_int (t, 2, -4);
    }
  csv = traj_table_to_string (t, TRAJ_FORMAT_CSV);
  {
    g_auto(GStrv) lines = g_strsplit (csv, "\r\n", -1);

    g_assert_cmpstr (lines[0], ==, "name,change,n");
    for (guint k = 0; k < G_N_ELEMENTS (cells); k++)
      {
        g_autofree char *row = g_strdup_printf ("%s,-3.5,-4", expect[k]);
        g_assert_cmpstr (lines[k + 1], ==, row);
      }
  }
}

/* json-glib 1.6 leaves U+001F raw, which made --format json (and the FHIR
 * bundle) invalid JSON; text output shows no control character raw. */
static void
test_control_characters (void)
{
  g_autoptr(TrajTable) t = traj_table_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL, *text = NULL;
  JsonObject *o;

  traj_table_add_column (t, "name", TRAJ_COLUMN_STRING);
  traj_table_add_row (t);
  traj_table_set (t, 0, "a\x1f" "b\x1b[31mc\x07\x7f");
  json = traj_table_to_string (t, TRAJ_FORMAT_JSON);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  o = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, "a\x1f" "b\x1b[31mc\x07\x7f");
  g_assert_null (strchr (json, '\x1f'));

  text = traj_table_to_string (t, TRAJ_FORMAT_TEXT);
  for (const char *p = text; *p; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  g_assert_nonnull (strstr (text, "a\xEF\xBF\xBD" "b\xEF\xBF\xBD[31mc"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/table/csv", test_csv);
  g_test_add_func ("/table/csv-field", test_csv_field);
  g_test_add_func ("/table/csv-header-quoting", test_csv_header_quoting);
  g_test_add_func ("/table/json", test_json);
  g_test_add_func ("/table/json-empty", test_json_empty_string);
  g_test_add_func ("/table/text", test_text);
  g_test_add_func ("/table/format-parse", test_format_parse);
  g_test_add_func ("/table/numbers", test_numbers_locale_free);
  g_test_add_func ("/table/csv-formula-injection", test_csv_formula_injection);
  g_test_add_func ("/table/control-characters", test_control_characters);

  return g_test_run ();
}
