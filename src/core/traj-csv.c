/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-csv"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixinputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traj-bulk.h"
#include "traj-csv.h"
#include "traj-medication.h"
#include "traj-outcomes.h"
#include "traj-safe-file.h"
#include "traj-store-private.h"
#include "traj-table.h"
#include "traj-validate.h"

/* ==== reader ================================================================ */

#define READ_CHUNK 65536

typedef enum {
  ST_START_FIELD,
  ST_UNQUOTED,
  ST_QUOTED,
  ST_QUOTE_SEEN,          /* a quote inside a quoted field: closing, or the first of "" */
  ST_SKIP,                /* a bad record: skip to the end of its physical line */
} ReadState;

struct _TrajCsvReader
{
  GInputStream *stream;
  guchar *buf;
  gsize len;
  gsize pos;
  gboolean eof;
  gboolean bom_checked;
  gboolean skip_lf;           /* the last line ended in CR: a following LF belongs to it */
  guint line;                 /* physical line of the next byte */
  guint64 bytes;

  char *rec;                  /* the record's fields, each NUL-terminated */
  gsize rec_len;
  gsize rec_alloc;
  GArray *starts;             /* gsize: where each field starts in rec */
  GPtrArray *fields;          /* const char*, into rec */
};

/* Bytes that end a run of ordinary field text. */
static const guchar special[256] = {
  ['\0'] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1, ['"'] = 1,
};

TrajCsvReader *
traj_csv_reader_new (GInputStream *stream)
{
  TrajCsvReader *r;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  r = g_new0 (TrajCsvReader, 1);
  r->stream = g_object_ref (stream);
  r->buf = g_malloc (READ_CHUNK);
  r->line = 1;
  r->rec_alloc = 1024;
  r->rec = g_malloc (r->rec_alloc);
  r->starts = g_array_new (FALSE, FALSE, sizeof (gsize));
  r->fields = g_ptr_array_new ();
  return r;
}

void
traj_csv_reader_free (TrajCsvReader *r)
{
  if (r == NULL)
    return;
  g_object_unref (r->stream);
  g_free (r->buf);
  g_free (r->rec);
  g_array_unref (r->starts);
  g_ptr_array_unref (r->fields);
  g_free (r);
}

guint64
traj_csv_reader_bytes_read (TrajCsvReader *r)
{
  return r->bytes;
}

static void
rec_append (TrajCsvReader *r, const guchar *p, gsize n)
{
  if (r->rec_len + n + 1 > r->rec_alloc)
    {
      while (r->rec_len + n + 1 > r->rec_alloc)
        r->rec_alloc *= 2;
      r->rec = g_realloc (r->rec, r->rec_alloc);
    }
  memcpy (r->rec + r->rec_len, p, n);
  r->rec_len += n;
}

static void
rec_end_field (TrajCsvReader *r, gsize *field_start)
{
  const guchar nul = 0;

  g_array_append_val (r->starts, *field_start);
  rec_append (r, &nul, 1);
  *field_start = r->rec_len;
}

/* FALSE at the end of the input or on a read error (@error set). */
static gboolean
fill (TrajCsvReader *r, GError **error)
{
  gssize n;

  if (r->eof)
    return FALSE;
  n = g_input_stream_read (r->stream, r->buf, READ_CHUNK, NULL, error);
  if (n <= 0)
    {
      r->eof = TRUE;
      return FALSE;
    }
  r->len = (gsize) n;
  r->pos = 0;
  if (!r->bom_checked)
    {
      r->bom_checked = TRUE;
      /* A BOM split across reads would need a 1-byte first read: GLib's
       * streams never return fewer bytes than the file has. */
      if (r->len >= 3 && memcmp (r->buf, "\xEF\xBB\xBF", 3) == 0)
        {
          r->pos = 3;
          r->bytes += 3;
        }
    }
  return TRUE;
}

/* A bad record still shows the fields read before the fault, so that the
 * caller can tell which record it was (its uid, usually). */
static TrajCsvStatus
bad_record (TrajCsvReader       *r,
            const char * const **fields,
            guint               *n_fields,
            guint                start_line,
            guint               *line,
            const char          *why,
            GError             **error)
{
  g_ptr_array_set_size (r->fields, 0);
  for (guint k = 0; k < r->starts->len; k++)
    {
      const char *f = r->rec + g_array_index (r->starts, gsize, k);

      if (!g_utf8_validate (f, -1, NULL))
        break;
      g_ptr_array_add (r->fields, (gpointer) f);
    }
  *n_fields = r->fields->len;
  g_ptr_array_add (r->fields, NULL);
  *fields = (const char * const *) r->fields->pdata;
  *line = start_line;
  g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_INVALID, why);
  return TRAJ_CSV_BAD_RECORD;
}

static TrajCsvStatus
finish_record (TrajCsvReader       *r,
               const char * const **fields,
               guint               *n_fields,
               guint                start_line,
               guint               *line,
               GError             **error)
{
  g_ptr_array_set_size (r->fields, 0);
  for (guint k = 0; k < r->starts->len; k++)
    {
      gsize start = g_array_index (r->starts, gsize, k);
      const char *f = r->rec + start;

      g_ptr_array_add (r->fields, (gpointer) f);
      if (!g_utf8_validate (f, -1, NULL))
        {
          g_autofree char *why = g_strdup_printf (_("field %u is not valid UTF-8 text"), k + 1);
          return bad_record (r, fields, n_fields, start_line, line, why, error);
        }
    }
  g_ptr_array_add (r->fields, NULL);
  *fields = (const char * const *) r->fields->pdata;
  *n_fields = r->starts->len;
  *line = start_line;
  return TRAJ_CSV_RECORD;
}

TrajCsvStatus
traj_csv_reader_next (TrajCsvReader       *r,
                      const char * const **fields,
                      guint               *n_fields,
                      guint               *line,
                      GError             **error)
{
  ReadState state = ST_START_FIELD;
  gsize field_start = 0;
  gboolean any = FALSE;           /* the record has begun (blank lines are skipped) */
  guint start_line = r->line;
  guint64 start_bytes = r->bytes;
  const char *bad = NULL;
  GError *read_error = NULL;

  g_return_val_if_fail (r != NULL, TRAJ_CSV_FAILED);

  r->rec_len = 0;
  g_array_set_size (r->starts, 0);

  for (;;)
    {
      guchar c;

      if (r->bytes - start_bytes > TRAJ_CSV_RECORD_MAX)
        {
          *line = start_line;
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_TEXT_LONG,
                       /* Translators: %d is a size in MiB */
                       _("the record is longer than %d MiB, which no Trajectory record is; reading stopped"),
                       TRAJ_CSV_RECORD_MAX / (1024 * 1024));
          return TRAJ_CSV_FAILED;
        }
      if (r->pos == r->len && !fill (r, &read_error))
        {
          if (read_error)
            {
              g_propagate_error (error, read_error);
              return TRAJ_CSV_FAILED;
            }
          /* End of input. */
          if (state == ST_QUOTED)
            return bad_record (r, fields, n_fields, start_line, line,
                               _("a quoted field is not closed before the end of the file"), error);
          if (state == ST_SKIP)
            return bad_record (r, fields, n_fields, start_line, line, bad, error);
          if (!any)
            return TRAJ_CSV_END;
          rec_end_field (r, &field_start);
          return finish_record (r, fields, n_fields, start_line, line, error);
        }

      /* Runs of ordinary text are copied whole. */
      if (state == ST_UNQUOTED || state == ST_QUOTED)
        {
          const guchar *p = r->buf + r->pos, *end = r->buf + r->len, *q = p;

          while (q < end && !special[*q])
            q++;
          if (q > p)
            {
              rec_append (r, p, (gsize) (q - p));
              r->bytes += (guint64) (q - p);
              r->pos += (gsize) (q - p);
              continue;
            }
        }

      c = r->buf[r->pos++];
      r->bytes++;
      if (r->skip_lf)
        {
          r->skip_lf = FALSE;
          if (c == '\n')
            continue;
        }

      /* A NUL would end the field early as a C string: the record is
       * refused rather than stored cut short. */
      if (c == '\0' && state != ST_SKIP)
        {
          bad = _("the record holds a NUL byte (0x00), which cannot be stored");
          state = ST_SKIP;
          any = TRUE;
          continue;
        }

      switch (state)
        {
        case ST_START_FIELD:
          if (c == '"')
            {
              state = ST_QUOTED;
              any = TRUE;
            }
          else if (c == ',')
            {
              rec_end_field (r, &field_start);
              any = TRUE;
            }
          else if (c == '\n' || c == '\r')
            {
              r->skip_lf = c == '\r';
              r->line++;
              if (!any)
                {
                  start_line = r->line;
                  continue;
                }
              rec_end_field (r, &field_start);
              return finish_record (r, fields, n_fields, start_line, line, error);
            }
          else
            {
              rec_append (r, &c, 1);
              state = ST_UNQUOTED;
              any = TRUE;
            }
          break;

        case ST_UNQUOTED:
          if (c == ',')
            {
              rec_end_field (r, &field_start);
              state = ST_START_FIELD;
            }
          else if (c == '\n' || c == '\r')
            {
              r->skip_lf = c == '\r';
              r->line++;
              rec_end_field (r, &field_start);
              return finish_record (r, fields, n_fields, start_line, line, error);
            }
          else
            {
              bad = _("a quote inside a field that does not start with a quote");
              state = ST_SKIP;
            }
          break;

        case ST_QUOTED:
          if (c == '"')
            state = ST_QUOTE_SEEN;
          else
            {
              if (c == '\n')
                r->line++;
              rec_append (r, &c, 1);
            }
          break;

        case ST_QUOTE_SEEN:
          if (c == '"')
            {
              rec_append (r, &c, 1);
              state = ST_QUOTED;
            }
          else if (c == ',')
            {
              rec_end_field (r, &field_start);
              state = ST_START_FIELD;
            }
          else if (c == '\n' || c == '\r')
            {
              r->skip_lf = c == '\r';
              r->line++;
              rec_end_field (r, &field_start);
              return finish_record (r, fields, n_fields, start_line, line, error);
            }
          else
            {
              bad = _("text after the closing quote of a field");
              state = ST_SKIP;
            }
          break;

        case ST_SKIP:
          if (c == '\n' || c == '\r')
            {
              r->skip_lf = c == '\r';
              r->line++;
              return bad_record (r, fields, n_fields, start_line, line, bad, error);
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

/* ==== files and columns ======================================================= */

enum {
  P_UID, P_MRN, P_NAME, P_BIRTH, P_SEX, P_INDICATION, P_NOTES, P_CREATED, P_UPDATED, P_DETAIL, P_RISK_SI_AT,
  P_RISK_SI_BY, P_SUBSTANCE_USE, P_N
};
enum {
  C_UID, C_PATIENT, C_INDICATION, C_SCALE, C_PROTOCOL, C_INDUCTION, C_START, C_END, C_STATUS, C_NOTES, C_DETAIL,
  C_N
};
enum {
  I_UID, I_PATIENT, I_COURSE, I_STARTED, I_DURATION, I_ROUTE, I_MEDICINE, I_LOT, I_PHASE, I_WEIGHT,
  I_DOSE, I_TOTAL, I_SIDE, I_SIDE_NOTE, I_CONCOMITANT, I_MONITORING, I_READY, I_CLINICIAN, I_NOTES,
  I_DATE_CONFIRMED, I_CADSS, I_MOAAS,
  /* CLINICAL.md §8 esketamine monitoring record (traj-rems.h) */
  I_REMS_FIRST, I_REMS_ID, I_REMS_BY, I_REMS_OK_BEFORE, I_REMS_OK_LEAVING, I_REMS_SEDATION,
  I_REMS_DISSOCIATION, I_REMS_RESP_DEPRESSION, I_REMS_ADVERSE, I_REMS_ADVERSE_NOTE, I_N
};
enum { V_UID, V_INFUSION, V_MINUTE, V_SYSTOLIC, V_DIASTOLIC, V_HEART_RATE, V_SPO2, V_RESP_RATE, V_N };
enum {
  A_UID, A_PATIENT, A_COURSE, A_INFUSION, A_SCALE, A_TAKEN, A_SOURCE, A_TIMING, A_COMPLETE, A_TOTAL,
  A_DIFFICULTY, A_CLINICIAN, A_NOTES, A_ITEM1, A_SAFETY_HIGHEST = A_ITEM1 + TRAJ_MAX_ITEMS, A_N
};
enum { D_UID, D_PATIENT, D_COURSE, D_KIND, D_KEY, D_FIRED, D_DECISION, D_NOTE, D_BY, D_AT, D_N };
/* CLINICAL.md §8 "Medicines": the patient's medication list. */
enum { M_UID, M_PATIENT, M_NAME, M_CLASS, M_DOSE, M_START, M_STOP, M_N };

#define MAX_COLUMNS A_N

static const char * const patient_columns[P_N + 1] = {
  "uid", "mrn", "name", "birth_date", "sex", "indication", "notes", "created_at", "updated_at",
  "indication_detail", "risk_si_at", "risk_si_by", "substance_use", NULL
};
static const char * const course_columns[C_N + 1] = {
  "uid", "patient_uid", "indication", "primary_scale", "protocol", "induction_length", "start_date",
  "end_date", "status", "notes", "indication_detail", NULL
};
static const char * const infusion_columns[I_N + 1] = {
  "uid", "patient_uid", "course_uid", "started_at", "duration_min", "route", "medicine", "lot", "phase",
  "weight_kg", "dose_mg_per_kg", "total_mg", "side_effects", "side_effect_note", "concomitant",
  "monitoring_min", "ready_at", "clinician", "notes", "date_confirmed", "cadss_total", "moaas_lowest",
  "rems_first_session", "rems_patient_id", "rems_monitored_by", "rems_vitals_ok_before", "rems_vitals_ok_leaving",
  "rems_sedation", "rems_dissociation", "rems_resp_depression", "rems_adverse", "rems_adverse_note", NULL
};

/* Columns added after the first version: a file without them (written by an
 * older Trajectory) is still read, as if they were empty. */
static gboolean
column_optional (TrajCsvFile kind, guint column)
{
  return (kind == TRAJ_CSV_INFUSIONS && column >= I_DATE_CONFIRMED) ||
         (kind == TRAJ_CSV_PATIENTS && column >= P_DETAIL) ||
         (kind == TRAJ_CSV_COURSES && column == C_DETAIL) ||
         (kind == TRAJ_CSV_ASSESSMENTS && column == A_SAFETY_HIGHEST);
}
static const char * const vital_columns[V_N + 1] = {
  "uid", "infusion_uid", "minute", "systolic", "diastolic", "heart_rate", "spo2", "resp_rate", NULL
};
static const char * const assessment_columns[A_N + 1] = {
  "uid", "patient_uid", "course_uid", "infusion_uid", "scale", "taken_at", "source", "timing", "complete",
  "total", "difficulty", "clinician", "notes",
  "item_1", "item_2", "item_3", "item_4", "item_5", "item_6", "item_7", "item_8", "item_9", "item_10",
  "item_11", "item_12", "item_13", "item_14", "item_15", "item_16", "item_17", "item_18", "item_19", "item_20",
  "safety_highest", NULL
};
static const char * const medication_columns[M_N + 1] = {
  "uid", "patient_uid", "name", "class", "dose", "start_date", "stop_date", NULL
};
static const char * const decision_columns[D_N + 1] = {
  "uid", "patient_uid", "course_uid", "kind", "finding_key", "fired_at", "decision", "note", "decided_by",
  "decided_at", NULL
};

G_STATIC_ASSERT (TRAJ_MAX_ITEMS == 20);

static const struct {
  const char *name;
  const char * const *columns;
  guint n_columns;
} files[TRAJ_CSV_N_FILES] = {
  [TRAJ_CSV_PATIENTS] = { "patients.csv", patient_columns, P_N },
  [TRAJ_CSV_COURSES] = { "courses.csv", course_columns, C_N },
  [TRAJ_CSV_INFUSIONS] = { "infusions.csv", infusion_columns, I_N },
  [TRAJ_CSV_VITAL_SIGNS] = { "vital_signs.csv", vital_columns, V_N },
  [TRAJ_CSV_ASSESSMENTS] = { "assessments.csv", assessment_columns, A_N },
  [TRAJ_CSV_FLAG_DECISIONS] = { "flag_decisions.csv", decision_columns, D_N },
  [TRAJ_CSV_MEDICATIONS] = { "medications.csv", medication_columns, M_N },
};

const char *
traj_csv_file_name (TrajCsvFile file)
{
  g_return_val_if_fail ((guint) file < TRAJ_CSV_N_FILES, NULL);
  return files[file].name;
}

const char * const *
traj_csv_file_columns (TrajCsvFile file)
{
  g_return_val_if_fail ((guint) file < TRAJ_CSV_N_FILES, NULL);
  return files[file].columns;
}

/* ==== report ================================================================== */

void
traj_csv_problem_free (TrajCsvProblem *p)
{
  if (p == NULL)
    return;
  g_free (p->file);
  g_free (p->reason);
  g_free (p);
}

char *
traj_csv_problem_to_string (const TrajCsvProblem *p)
{
  if (p->line == 0)
    return g_strdup_printf ("%s: %s", p->file, p->reason);
  return g_strdup_printf ("%s:%u: %s", p->file, p->line, p->reason);
}

TrajCsvReport *
traj_csv_report_new (void)
{
  TrajCsvReport *r = g_new0 (TrajCsvReport, 1);
  r->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_csv_problem_free);
  return r;
}

void
traj_csv_report_free (TrajCsvReport *r)
{
  if (r == NULL)
    return;
  g_ptr_array_unref (r->problems);
  g_free (r);
}

guint
traj_csv_report_total_rows (const TrajCsvReport *r)
{
  guint n = 0;

  for (guint k = 0; k < TRAJ_CSV_N_FILES; k++)
    n += r->rows[k];
  return n;
}

static void
report_reset (TrajCsvReport *r)
{
  memset (r->rows, 0, sizeof r->rows);
  r->n_problems = 0;
  g_ptr_array_set_size (r->problems, 0);
}

/* ==== times and numbers ======================================================= */

/* Howard Hinnant's days_from_civil / civil_from_days: exact for any
 * proleptic Gregorian date, no time zone, no allocation. */
static gint64
days_from_civil (gint64 y, int m, int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64 z, int *year, int *month, int *day)
{
  gint64 era, doe, yoe, y, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = (int) (y + (*month <= 2));
}

/* Numbers are written digit by digit, not through printf: an export
 * writes millions of them, and printf was a quarter of its time. */

/* @v in decimal, zero-padded to @width digits, at @end (backwards);
 * returns the first byte written. */
static char *
digits_before (char *end, guint64 v, int width)
{
  char *p = end;

  do
    {
      *--p = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  while (end - p < width)
    *--p = '0';
  return p;
}

static void
append_int (GString *out, gint64 v)
{
  char buf[24];
  char *end = buf + sizeof buf;
  char *p = digits_before (end, v < 0 ? (guint64) 0 - (guint64) v : (guint64) v, 1);

  if (v < 0)
    *--p = '-';
  g_string_append_len (out, p, end - p);
}

/* "YYYY-MM-DD" as "%04d-%02d-%02d" writes it (a year before 1 too). */
static void
append_ymd (GString *out, int y, int m, int d)
{
  char buf[32];
  char *end = buf + sizeof buf;
  char *p;

  if (G_UNLIKELY (y < 0))
    {
      g_string_append_printf (out, "%04d-%02d-%02d", y, m, d);
      return;
    }
  p = digits_before (end, (guint64) d, 2);
  *--p = '-';
  p = digits_before (p, (guint64) m, 2);
  *--p = '-';
  p = digits_before (p, (guint64) y, 4);
  g_string_append_len (out, p, end - p);
}

/* "YYYY-MM-DDTHH:MM:SSZ", UTC. */
static void
append_time (GString *out, gint64 t)
{
  gint64 days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
  gint64 secs = t - days * 86400;
  char buf[10];
  char *end = buf + sizeof buf;
  char *p;
  int y, m, d;

  civil_from_days (days, &y, &m, &d);
  append_ymd (out, y, m, d);
  *--end = 'Z';
  p = digits_before (end, (guint64) (secs % 60), 2);
  *--p = ':';
  p = digits_before (p, (guint64) (secs / 60 % 60), 2);
  *--p = ':';
  p = digits_before (p, (guint64) (secs / 3600), 2);
  *--p = 'T';
  g_string_append_len (out, p, buf + sizeof buf - p);
}

static int
digits (const char *s, int n)
{
  int v = 0;

  for (int k = 0; k < n; k++)
    {
      if (!g_ascii_isdigit (s[k]))
        return -1;
      v = v * 10 + (s[k] - '0');
    }
  return v;
}

/* Exactly "YYYY-MM-DDTHH:MM:SSZ" (what export writes) or
 * "YYYY-MM-DDTHH:MM:SS+HH:MM" / "-HH:MM" (an offset up to 14 hours): no
 * fractional seconds (they would be dropped), no time without a zone. */
static gboolean
parse_time (const char *s, gint64 *out)
{
  gsize n = strlen (s);
  int y, mo, d, h, mi, se, offset = 0;

  if ((n != 20 && n != 25) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
    return FALSE;
  y = digits (s, 4), mo = digits (s + 5, 2), d = digits (s + 8, 2);
  h = digits (s + 11, 2), mi = digits (s + 14, 2), se = digits (s + 17, 2);
  if (y < 1 || mo < 1 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 59 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) mo, (GDateYear) y))
    return FALSE;
  if (n == 20 && s[19] != 'Z')
    return FALSE;
  if (n == 25)
    {
      int oh = digits (s + 20, 2), om = digits (s + 23, 2);

      if ((s[19] != '+' && s[19] != '-') || s[22] != ':' || oh < 0 || oh > 14 || om < 0 || om > 59 ||
          (oh == 14 && om > 0))
        return FALSE;
      offset = (s[19] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }
  *out = days_from_civil (y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  return TRUE;
}

/* The shortest text that reads back as the same double. */
static void
append_double (GString *out, double v)
{
  static const char *formats[] = { "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* A whole number below 10^15 is its digits under "%.15g" too (not -0). */
  if (v == (double) (gint64) v && v > -1e15 && v < 1e15 && !(v == 0 && signbit (v)))
    {
      append_int (out, (gint64) v);
      return;
    }
  for (guint k = 0; k < G_N_ELEMENTS (formats); k++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[k], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (out, buf);
}

/* ==== export ================================================================== */

typedef struct {
  TrajSafeFile *file;            /* owned by the Export's TrajSafeDir */
  GString *buf;
} OutFile;

typedef struct {
  OutFile out[TRAJ_CSV_N_FILES];
  TrajCsvReport *report;
  GHashTable *infusion_uids;     /* id → uid of the current patient's live infusions */
  gint64 n_patients;
  gint64 done;
  TrajProgressFunc progress;
  gpointer progress_data;
  GError *error;
} Export;

#define FLUSH_AT (256 * 1024)

static gboolean
out_flush (OutFile *f, GError **error)
{
  gboolean ok = traj_safe_file_write (f->file, f->buf->str, f->buf->len, error);

  g_string_truncate (f->buf, 0);
  return ok;
}

static void
put_sep (GString *b)
{
  g_string_append_c (b, ',');
}

/* Text goes through the formula rule (traj_csv_append_text_field): a
 * spreadsheet opening the file runs nothing, and import undoes it. */
static void
put_text (GString *b, const char *s)
{
  traj_csv_append_text_field (b, s ? s : "");
}

static void
put_int (GString *b, gint64 v)
{
  append_int (b, v);
}

static void
put_int_or_empty (GString *b, int v)
{
  if (v >= 0)
    append_int (b, v);
}

static void
put_day (GString *b, gint32 day)
{
  int y, m, d;

  if (day != TRAJ_DAY_NONE && traj_day_to_ymd (day, &y, &m, &d))
    append_ymd (b, y, m, d);
}

static void
put_time_or_empty (GString *b, gint64 t)
{
  if (t != TRAJ_TIME_NONE)
    append_time (b, t);
}

static void
end_row (Export *ex, TrajCsvFile file)
{
  g_string_append (ex->out[file].buf, "\r\n");
  ex->report->rows[file]++;
}

static const char *
course_uid (const TrajPatientRecords *r, gint64 course_id)
{
  const TrajCourse *c;

  if (course_id == 0)
    return NULL;
  /* A live record of a hidden course loses the link rather than point at a
   * row the files do not hold. */
  c = traj_patient_records_find_course (r, course_id);
  return c ? c->uid : NULL;
}

static void
write_patient (Export *ex, const TrajPatientRecords *r)
{
  GString *b = ex->out[TRAJ_CSV_PATIENTS].buf;
  const TrajPatient *p = r->patient;

  put_text (b, p->uid); put_sep (b);
  put_text (b, p->mrn); put_sep (b);
  put_text (b, p->name); put_sep (b);
  put_day (b, p->birth_day); put_sep (b);
  put_text (b, traj_sex_to_string (p->sex)); put_sep (b);
  put_text (b, traj_indication_to_string (p->indication)); put_sep (b);
  put_text (b, p->notes); put_sep (b);
  put_time_or_empty (b, p->created_at); put_sep (b);
  put_time_or_empty (b, p->updated_at); put_sep (b);
  put_text (b, p->indication_detail); put_sep (b);
  put_time_or_empty (b, p->risk_si_at); put_sep (b);
  put_text (b, p->risk_si_at != TRAJ_TIME_NONE ? p->risk_si_by : ""); put_sep (b);
  put_text (b, traj_substance_use_to_string (p->substance_use));
  end_row (ex, TRAJ_CSV_PATIENTS);

  for (guint k = 0; k < r->courses->len; k++)
    {
      const TrajCourse *c = g_ptr_array_index (r->courses, k);

      b = ex->out[TRAJ_CSV_COURSES].buf;
      put_text (b, c->uid); put_sep (b);
      put_text (b, p->uid); put_sep (b);
      put_text (b, traj_indication_to_string (c->indication)); put_sep (b);
      put_text (b, traj_scale_code (c->primary_scale)); put_sep (b);
      put_text (b, c->protocol); put_sep (b);
      put_int (b, c->induction_length); put_sep (b);
      put_day (b, c->start_day); put_sep (b);
      put_day (b, c->end_day); put_sep (b);
      put_text (b, traj_course_status_to_string (c->status)); put_sep (b);
      put_text (b, c->notes); put_sep (b);
      put_text (b, c->indication_detail);
      end_row (ex, TRAJ_CSV_COURSES);
    }
}

static void
put_answer (GString *b, int answer)
{
  put_sep (b);
  if (answer >= 0)
    g_string_append (b, answer ? "true" : "false");
}

/* The esketamine monitoring record's answers: true/false, or empty when
 * not answered (CLINICAL.md §8). */
static void
put_rems (GString *b, const TrajInfusion *i)
{
  put_answer (b, i->rems_first_session);
  put_sep (b); put_text (b, i->rems_patient_id);
  put_sep (b); put_text (b, i->rems_monitored_by);
  put_answer (b, i->rems_vitals_ok_before);
  put_answer (b, i->rems_vitals_ok_leaving);
  put_answer (b, i->rems_sedation);
  put_answer (b, i->rems_dissociation);
  put_answer (b, i->rems_resp_depression);
  put_answer (b, i->rems_adverse);
  put_sep (b); put_text (b, i->rems_adverse_note);
}

static void
write_infusions (Export *ex, const TrajPatientRecords *r)
{
  g_hash_table_remove_all (ex->infusion_uids);
  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      GString *b = ex->out[TRAJ_CSV_INFUSIONS].buf;
      g_autofree char *side = traj_side_effects_to_codes (i->side_effects);
      g_autofree char *conc = traj_concomitant_to_codes (i->concomitant);
      g_autofree char *confirmed = traj_date_warnings_to_codes (i->date_confirmed);

      g_hash_table_insert (ex->infusion_uids, (gpointer) &i->id, i->uid);
      put_text (b, i->uid); put_sep (b);
      put_text (b, r->patient->uid); put_sep (b);
      put_text (b, course_uid (r, i->course_id)); put_sep (b);
      put_time_or_empty (b, i->started_at); put_sep (b);
      put_int (b, i->duration_min); put_sep (b);
      put_text (b, traj_route_to_string (i->route)); put_sep (b);
      put_text (b, traj_medicine_to_string (i->medicine)); put_sep (b);
      put_text (b, i->lot); put_sep (b);
      put_text (b, traj_phase_to_string (i->phase)); put_sep (b);
      append_double (b, i->weight_kg); put_sep (b);
      append_double (b, i->dose_mg_per_kg); put_sep (b);
      append_double (b, i->total_mg); put_sep (b);
      put_text (b, side); put_sep (b);
      put_text (b, i->side_effect_note); put_sep (b);
      put_text (b, conc); put_sep (b);
      put_int (b, i->monitoring_min); put_sep (b);
      put_time_or_empty (b, i->ready_at); put_sep (b);
      put_text (b, i->clinician); put_sep (b);
      put_text (b, i->notes); put_sep (b);
      put_text (b, confirmed); put_sep (b);
      put_int_or_empty (b, i->cadss_total); put_sep (b);
      put_int_or_empty (b, i->moaas_lowest);
      put_rems (b, i);
      end_row (ex, TRAJ_CSV_INFUSIONS);

      for (guint v = 0; v < i->vitals->len; v++)
        {
          const TrajVitalSign *vs = g_ptr_array_index (i->vitals, v);

          b = ex->out[TRAJ_CSV_VITAL_SIGNS].buf;
          put_text (b, vs->uid); put_sep (b);
          put_text (b, i->uid); put_sep (b);
          put_int (b, vs->minute); put_sep (b);
          put_int_or_empty (b, vs->systolic); put_sep (b);
          put_int_or_empty (b, vs->diastolic); put_sep (b);
          put_int_or_empty (b, vs->heart_rate); put_sep (b);
          put_int_or_empty (b, vs->spo2); put_sep (b);
          put_int_or_empty (b, vs->resp_rate);
          end_row (ex, TRAJ_CSV_VITAL_SIGNS);
        }
    }
}

static void
write_assessments (Export *ex, const TrajPatientRecords *r)
{
  for (guint k = 0; k < r->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (r->assessments, k);
      GString *b = ex->out[TRAJ_CSV_ASSESSMENTS].buf;

      put_text (b, a->uid); put_sep (b);
      put_text (b, r->patient->uid); put_sep (b);
      put_text (b, course_uid (r, a->course_id)); put_sep (b);
      put_text (b, a->infusion_id ? g_hash_table_lookup (ex->infusion_uids, &a->infusion_id) : NULL); put_sep (b);
      put_text (b, traj_scale_code (a->scale)); put_sep (b);
      put_time_or_empty (b, a->taken_at); put_sep (b);
      put_text (b, traj_source_to_string (a->source)); put_sep (b);
      put_text (b, traj_timing_to_string (a->timing)); put_sep (b);
      put_text (b, a->complete ? "true" : "false"); put_sep (b);
      put_int_or_empty (b, a->total); put_sep (b);
      put_int_or_empty (b, a->difficulty); put_sep (b);
      put_text (b, a->clinician); put_sep (b);
      put_text (b, a->notes);
      for (guint item = 0; item < TRAJ_MAX_ITEMS; item++)
        {
          put_sep (b);
          put_int_or_empty (b, a->items[item]);
        }
      put_sep (b);
      put_int_or_empty (b, a->safety_highest >= 1 ? a->safety_highest : -1);
      end_row (ex, TRAJ_CSV_ASSESSMENTS);
    }

  for (guint k = 0; k < r->decisions->len; k++)
    {
      const TrajFlagDecision *d = g_ptr_array_index (r->decisions, k);
      GString *b = ex->out[TRAJ_CSV_FLAG_DECISIONS].buf;

      put_text (b, d->uid); put_sep (b);
      put_text (b, r->patient->uid); put_sep (b);
      put_text (b, course_uid (r, d->course_id)); put_sep (b);
      put_text (b, d->kind); put_sep (b);
      put_text (b, d->finding_key); put_sep (b);
      put_time_or_empty (b, d->fired_at); put_sep (b);
      put_text (b, d->decision); put_sep (b);
      put_text (b, d->note); put_sep (b);
      put_text (b, d->decided_by); put_sep (b);
      put_time_or_empty (b, d->decided_at);
      end_row (ex, TRAJ_CSV_FLAG_DECISIONS);
    }
}

/* CLINICAL.md §8: the medication list, start and stop days empty when not
 * known or still taken. */
static void
write_medications (Export *ex, const TrajPatientRecords *r)
{
  for (guint k = 0; k < r->medications->len; k++)
    {
      const TrajMedication *m = g_ptr_array_index (r->medications, k);
      GString *b = ex->out[TRAJ_CSV_MEDICATIONS].buf;

      put_text (b, m->uid); put_sep (b);
      put_text (b, r->patient->uid); put_sep (b);
      put_text (b, m->name); put_sep (b);
      put_text (b, traj_med_class_to_string (m->klass)); put_sep (b);
      put_text (b, m->dose); put_sep (b);
      put_day (b, m->start_day); put_sep (b);
      put_day (b, m->stop_day);
      end_row (ex, TRAJ_CSV_MEDICATIONS);
    }
}

static gboolean
export_patient (TrajPatientRecords *r, gpointer user_data)
{
  Export *ex = user_data;

  write_patient (ex, r);
  write_infusions (ex, r);
  write_assessments (ex, r);
  write_medications (ex, r);
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    if (ex->out[f].buf->len >= FLUSH_AT && !out_flush (&ex->out[f], &ex->error))
      return FALSE;
  ex->done++;
  if (ex->progress && (ex->done % 64 == 0 || ex->done == ex->n_patients))
    ex->progress (ex->n_patients > 0 ? (double) ex->done / (double) ex->n_patients : 1.0, ex->progress_data);
  return TRUE;
}

char *
traj_csv_export_target (const char *chosen)
{
  g_autoptr(GDir) d = g_dir_open (chosen, 0, NULL);
  g_autofree char *day = traj_day_to_iso (traj_day_today ());
  gboolean ours = TRUE;
  const char *entry;

  g_return_val_if_fail (chosen != NULL, NULL);

  if (d == NULL)
    return g_strdup (chosen);
  while (ours && (entry = g_dir_read_name (d)) != NULL)
    {
      ours = FALSE;
      for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
        ours |= g_str_equal (entry, files[f].name);
    }
  if (ours)
    return g_strdup (chosen);
  for (guint k = 1;; k++)
    {
      g_autofree char *name = k == 1 ? g_strdup_printf ("trajectory-csv-%s", day)
                                     : g_strdup_printf ("trajectory-csv-%s-%u", day, k);
      char *path = g_build_filename (chosen, name, NULL);

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return path;
      g_free (path);
    }
}

gboolean
traj_csv_export (TrajStore         *store,
                 const char        *dir,
                 TrajCsvReport     *report,
                 TrajProgressFunc   progress,
                 gpointer           progress_data,
                 GCancellable      *cancellable,
                 GError           **error)
{
  g_autoptr(TrajCsvReport) own_report = NULL;
  TrajSafeDir *set = NULL;
  Export ex = { 0 };
  gboolean ok = TRUE;

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (dir != NULL, FALSE);

  /* On a clinic server every export is in the access log first. */
  if (!traj_store_record_read (store, 0, "CSV export", error))
    return FALSE;
  if (report == NULL)
    report = own_report = traj_csv_report_new ();
  report_reset (report);
  ex.report = report;
  ex.progress = progress;
  ex.progress_data = progress_data;

  ex.n_patients = traj_store_count (store, TRAJ_KIND_PATIENT, error);
  if (ex.n_patients < 0)
    return FALSE;

  /* The files are written into a new folder beside @dir that takes its
   * place when all are complete: they appear together or not at all, and
   * a failure leaves nothing behind (traj-safe-file.h). */
  {
    const char *names[TRAJ_CSV_N_FILES + 1];

    for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
      names[f] = files[f].name;
    names[TRAJ_CSV_N_FILES] = NULL;
    set = traj_safe_dir_new (dir, names, &ex.error);
    ok = set != NULL;
  }
  for (guint f = 0; f < TRAJ_CSV_N_FILES && ok; f++)
    {
      ex.out[f].file = traj_safe_dir_add_file (set, files[f].name, &ex.error);
      ex.out[f].buf = g_string_sized_new (FLUSH_AT + 4096);
      if (ex.out[f].file == NULL)
        {
          ok = FALSE;
          break;
        }
      for (guint c = 0; c < files[f].n_columns; c++)
        {
          if (c)
            put_sep (ex.out[f].buf);
          put_text (ex.out[f].buf, files[f].columns[c]);
        }
      g_string_append (ex.out[f].buf, "\r\n");
    }

  if (ok)
    {
      ex.infusion_uids = g_hash_table_new (g_int64_hash, g_int64_equal);
      if (!traj_store_foreach_patient_records (store, export_patient, &ex, cancellable,
                                               ex.error ? NULL : &ex.error))
        ok = FALSE;
      if (ex.error)
        ok = FALSE;
      g_hash_table_destroy (ex.infusion_uids);
    }

  for (guint f = 0; f < TRAJ_CSV_N_FILES && ok; f++)
    ok = out_flush (&ex.out[f], &ex.error) && traj_safe_file_commit (ex.out[f].file, &ex.error);
  if (ok)
    ok = traj_safe_dir_commit (set, &ex.error);
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    if (ex.out[f].buf)
      g_string_free (ex.out[f].buf, TRUE);
  /* Unless committed, this removes every file written. */
  g_clear_pointer (&set, traj_safe_dir_free);

  if (!ok)
    {
      if (ex.error)
        g_propagate_error (error, ex.error);
      else
        g_set_error_literal (error, TRAJ_ERROR, TRAJ_ERROR_FAILED, _("The export failed."));
      return FALSE;
    }
  /* Who exported the clinic, and where to (issue 16 §3). */
  {
    g_autofree char *where = g_canonicalize_filename (dir, NULL);

    if (!traj_store_audit_output (store, "export", "CSV export", NULL, where, error))
      return FALSE;
  }
  if (progress)
    progress (1.0, progress_data);
  return TRUE;
}

/* ==== import ================================================================== */

typedef struct {
  gint64 id;
  gint64 patient_id;
} Ref;

/* One record of a set keyed by its uid, in one allocation: an import of
 * 50,000 patients names half a million of them. */
typedef struct {
  Ref ref;
  char uid[];
} RefEntry;

static guint
ref_entry_hash (gconstpointer e)
{
  return g_str_hash (((const RefEntry *) e)->uid);
}

static gboolean
ref_entry_equal (gconstpointer a, gconstpointer b)
{
  return strcmp (((const RefEntry *) a)->uid, ((const RefEntry *) b)->uid) == 0;
}

/* The entry of @uid in @set, or NULL. */
static RefEntry *
ref_lookup (GHashTable *set, const char *uid)
{
  gsize n = strlen (uid);
  RefEntry *key = g_alloca (sizeof (RefEntry) + n + 1);

  memcpy (key->uid, uid, n + 1);
  return g_hash_table_lookup (set, key);
}

typedef enum {
  REF_PATIENT,
  REF_COURSE,
  REF_INFUSION,
  N_REFS
} RefKind;

typedef struct {
  TrajStore *store;
  TrajCsvReport *report;
  gint32 today;
  gint64 now;
  GHashTable *refs[N_REFS];      /* RefEntry set: records of this import and ones looked up */
  GHashTable *bad_uids[N_REFS];  /* uids of rejected rows: references to them are not reported again */
  gboolean unreadable[N_REFS];   /* a file whose rows could not be read at all */
  char *last_uid[N_REFS];        /* rows come grouped by parent: the last one resolved, */
  Ref last_ref[N_REFS];          /* without hashing */
  GPtrArray *no_vitals;          /* an empty array for infusion rows */
  const char *file;              /* base name of the file being read */
  guint line;
  TrajCsvFile kind;
  int map[MAX_COLUMNS];          /* column → field index */
  const char *col[MAX_COLUMNS];  /* the current row's fields by column */
  guint64 bytes_before;          /* bytes of the files already read */
  guint64 bytes_total;
  TrajCsvReader *reader;
  TrajProgressFunc progress;
  gpointer progress_data;
  GError *fatal;                 /* a database error: stop at once */
  gboolean writing;              /* the second reading, which writes each row */
  guint n_written;
  GArray *ids;                   /* gint64: placeholder -(k + 1) of a row the checking named; 0 when
                                  * the writing could not write it */
  GArray *seen;                  /* FileSeen: what the checking read of each file */
  guint file_index;
} Import;

/* A file as the checking read it: the writing must read the same. */
typedef struct {
  guint64 bytes;
  guint rows;
  gint64 mtime_usec;
  guint64 size;
} FileSeen;

/* A row to write. An import reads its files twice (issue 16 §2): first to
 * check every row, holding no lock and keeping only the uids rows name
 * each other by, under placeholder ids (negative); then, when nothing was
 * wrong, again inside one write transaction, writing each row as it is
 * read. Memory stays the same whatever the files' size. */
typedef struct {
  TrajCsvFile kind;
  guint line;
  const char *file;              /* interned base name */
  gpointer record;               /* TrajPatient*, TrajCourse*, … by kind */
} Pending;

static const char *ref_names[N_REFS] = { "patient_uid", "course_uid", "infusion_uid" };

/* A field's value as messages show it: control characters as \xNN, at most
 * 60 characters, so that a bad file cannot write escape sequences to a
 * terminal through a problem report. */
static char *
shown (const char *s)
{
  GString *out = g_string_new (NULL);
  guint n = 0;

  for (const char *p = s; *p && n < 60; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F))
        g_string_append_printf (out, "\\x%02X", c);
      else
        g_string_append_unichar (out, c);
    }
  if (*s && n == 60 && g_utf8_strlen (s, -1) > 60)
    g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

static void
problem (Import *im, guint line, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
problem (Import *im, guint line, const char *format, ...)
{
  va_list args;
  TrajCsvProblem *p;

  im->report->n_problems++;
  if (im->report->problems->len >= TRAJ_CSV_MAX_PROBLEMS)
    return;
  p = g_new0 (TrajCsvProblem, 1);
  p->file = g_strdup (im->file);
  p->line = line;
  va_start (args, format);
  p->reason = g_strdup_vprintf (format, args);
  va_end (args);
  g_ptr_array_add (im->report->problems, p);
}

static gboolean
is_fatal (const GError *e)
{
  if (e->domain != TRAJ_ERROR)
    return TRUE;
  switch (e->code)
    {
    case TRAJ_ERROR_FAILED:
    case TRAJ_ERROR_NOT_A_DATABASE:
    case TRAJ_ERROR_CORRUPT:
    case TRAJ_ERROR_IO:
    case TRAJ_ERROR_DISK_FULL:
    case TRAJ_ERROR_READ_ONLY:
    case TRAJ_ERROR_BUSY:
    case TRAJ_ERROR_CONNECTION:
    case TRAJ_ERROR_SIGN_IN:
    case TRAJ_ERROR_PERMISSION:
      return TRUE;
    default:
      return FALSE;
    }
}

/* A write failed: a rule becomes a problem of this row, anything else stops. */
static void
write_failed (Import *im, GError *e)
{
  if (is_fatal (e))
    {
      if (im->fatal == NULL)
        im->fatal = e;
      else
        g_error_free (e);
      return;
    }
  problem (im, im->line, "%s", e->message);
  g_error_free (e);
}

/* uids become FHIR ids and file names' neighbours: letters, digits, '-' and
 * '.', starting with a letter or digit (a spreadsheet reads "-A1" as a
 * formula). */
static gboolean
uid_ok (const char *s)
{
  gsize n = 0;

  if (!g_ascii_isalnum (*s))
    return FALSE;

  for (; *s; s++, n++)
    if (!g_ascii_isalnum (*s) && *s != '-' && *s != '.')
      return FALSE;
  return n >= 1 && n <= 64;
}

static gboolean
get_uid (Import *im, guint column, char **owned, const char **out)
{
  const char *s = im->col[column];

  if (*s == '\0')
    {
      /* A hand-made row may leave it to us. */
      *owned = traj_uuid_new ();
      *out = *owned;
      return TRUE;
    }
  if (!uid_ok (s))
    {
      g_autofree char *value = shown (s);

      problem (im, im->line, _("%s “%s” is not a uid (1–64 letters, digits, “-” or “.”, starting with a letter or digit)"),
               files[im->kind].columns[column], value);
      return FALSE;
    }
  *out = s;
  return TRUE;
}

static void
mark_bad (Import *im, RefKind kind, const char *uid)
{
  if (uid && *uid)
    g_hash_table_add (im->bad_uids[kind], g_strdup (uid));
}

static void
remember (Import *im, RefKind kind, const char *uid, gint64 id, gint64 patient_id)
{
  gsize n = strlen (uid);
  RefEntry *e;

  /* While writing a clinic file, the rows written are found in it by uid
   * (rows come grouped by parent: one look-up per parent); only a row that
   * could not be written is kept, as bad. A clinic server is asked as
   * seldom as can be. */
  if (im->writing && !traj_store_is_server (im->store))
    {
      if (id <= 0)
        mark_bad (im, kind, uid);
      return;
    }
  e = g_malloc (sizeof (RefEntry) + n + 1);
  e->ref.id = id;
  e->ref.patient_id = patient_id;
  memcpy (e->uid, uid, n + 1);
  g_hash_table_add (im->refs[kind], e);
}

typedef enum {
  RESOLVED,
  UNKNOWN,
  PARENT_BAD,        /* names a row already reported */
} Resolution;

static Resolution
resolve (Import *im, RefKind kind, const char *uid, Ref *out)
{
  static const char *sql[N_REFS] = {
    /* ?2: a record this import wrote in an earlier chunk, still hidden
     * (traj_bulk_yield ()). */
    "SELECT id, id FROM patient WHERE uid = ?1 AND (deleted_at IS NULL OR deleted_at = ?2)",
    "SELECT id, patient_id FROM course WHERE uid = ?1 AND (deleted_at IS NULL OR deleted_at = ?2)",
    "SELECT id, patient_id FROM infusion WHERE uid = ?1 AND (deleted_at IS NULL OR deleted_at = ?2)",
  };
  RefEntry *entry;
  TrajDbStmt *stmt;
  gboolean found = FALSE;

  if (im->last_uid[kind] && strcmp (im->last_uid[kind], uid) == 0)
    {
      *out = im->last_ref[kind];
      return RESOLVED;
    }
  if (g_hash_table_size (im->bad_uids[kind]) > 0 && g_hash_table_contains (im->bad_uids[kind], uid))
    return PARENT_BAD;
  entry = ref_lookup (im->refs[kind], uid);
  if (entry)
    {
      *out = entry->ref;
      g_free (im->last_uid[kind]);
      im->last_uid[kind] = g_strdup (uid);
      im->last_ref[kind] = entry->ref;
      return RESOLVED;
    }
  /* A record already in the clinic. */
  stmt = traj_store_prepare (im->store, sql[kind], im->fatal ? NULL : &im->fatal);
  if (stmt == NULL)
    return PARENT_BAD;
  traj_db_bind_text (stmt, 1, uid);
  traj_db_bind_int64 (stmt, 2, traj_store_bulk_hidden_marker (im->store));
  if (!traj_db_step_row (stmt, &found, im->fatal ? NULL : &im->fatal))
    return PARENT_BAD;
  if (found)
    {
      out->id = traj_db_column_int64 (stmt, 0);
      out->patient_id = traj_db_column_int64 (stmt, 1);
    }
  traj_db_reset (stmt);
  if (!found)
    return im->unreadable[kind] ? PARENT_BAD : UNKNOWN;
  remember (im, kind, uid, out->id, out->patient_id);
  return RESOLVED;
}

/* Resolves an optional (@optional) or required reference column. *ok is
 * cleared when the row cannot be written; a problem is reported only when
 * the reference is the row's own fault. */
static gint64
reference (Import *im, guint column, RefKind kind, gboolean optional, gint64 patient_id,
           gint64 *ref_patient, gboolean *ok)
{
  const char *uid = im->col[column];
  Ref ref = { 0, 0 };

  if (*uid == '\0')
    {
      if (!optional)
        {
          problem (im, im->line, _("%s is empty"), ref_names[kind]);
          *ok = FALSE;
        }
      return 0;
    }
  switch (resolve (im, kind, uid, &ref))
    {
    case RESOLVED:
      if (patient_id != 0 && ref.patient_id != patient_id)
        {
          problem (im, im->line, _("%s %s belongs to another patient"), ref_names[kind], uid);
          *ok = FALSE;
          return 0;
        }
      if (ref_patient)
        *ref_patient = ref.patient_id;
      return ref.id;
    case PARENT_BAD:
      *ok = FALSE;
      return 0;
    case UNKNOWN:
    default:
      {
        g_autofree char *value = shown (uid);
        problem (im, im->line, _("%s %s is neither in the import nor in the clinic"), ref_names[kind], value);
      }
      *ok = FALSE;
      return 0;
    }
}

static const char *
column_name (Import *im, guint column)
{
  return files[im->kind].columns[column];
}

/* "column “value” is not <what>", what saying the form expected. */
static void
not_a (Import *im, guint column, const char *what)
{
  g_autofree char *value = shown (im->col[column]);

  /* Translators: "systolic “-120” is not a whole number (digits only, e.g. 72)" */
  problem (im, im->line, _("%s “%s” is not %s"), column_name (im, column), value, what);
}

static gboolean
empty_field (Import *im, guint column, gboolean required, gboolean *ok)
{
  if (*im->col[column] != '\0')
    return FALSE;
  if (required)
    {
      problem (im, im->line, _("%s is empty"), column_name (im, column));
      *ok = FALSE;
    }
  return TRUE;
}

/* Integer column: digits only (with a leading "-" when @negative), no
 * sign, space or leading zero; only an empty field means not recorded and
 * gives @empty (G_MININT: required). */
static int
get_int_full (Import *im, guint column, int empty, gboolean negative, gboolean *ok)
{
  const char *s = im->col[column], *d;
  gint64 v = 0;
  gsize n;

  if (empty_field (im, column, empty == G_MININT, ok))
    return empty;
  d = negative && *s == '-' ? s + 1 : s;
  n = strlen (d);
  for (gsize k = 0; k < n && v <= G_MAXINT; k++)
    v = g_ascii_isdigit (d[k]) ? v * 10 + (d[k] - '0') : G_MAXINT64;
  if (n == 0 || n > 10 || (d[0] == '0' && n > 1) || v > G_MAXINT || (d != s && v == 0))
    {
      not_a (im, column, negative ? _("a whole number (digits with an optional leading “-”, e.g. -15)")
                                  : _("a whole number (digits only, e.g. 72)"));
      *ok = FALSE;
      return empty == G_MININT ? 0 : empty;
    }
  return (int) (d != s ? -v : v);
}

static int
get_int (Import *im, guint column, int empty, gboolean *ok)
{
  return get_int_full (im, column, empty, FALSE, ok);
}

/* Decimal column: digits, optionally "." and 1–6 more digits; no sign,
 * exponent, space or leading zero, no trailing zero after the point. Such
 * a number reads back exactly, and export writes it back the same. */
static double
get_double (Import *im, guint column, gboolean *ok)
{
  const char *s = im->col[column];
  gsize whole = 0, fraction = 0;
  const char *p = s;

  if (empty_field (im, column, TRUE, ok))
    return 0;
  while (g_ascii_isdigit (*p))
    p++, whole++;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      fraction++;
  if (*p != '\0' || whole == 0 || whole > 6 || (s[0] == '0' && whole > 1) ||
      (s[whole] == '.' && (fraction == 0 || fraction > 6)))
    {
      not_a (im, column, _("a decimal number (digits, optionally “.” and up to 6 more, e.g. 72.5)"));
      *ok = FALSE;
      return 0;
    }
  if (fraction > 0 && s[whole + fraction] == '0')
    {
      g_autofree char *value = shown (s);
      g_autofree char *canonical = g_strndup (s, whole + 1 + fraction);
      gsize end = whole + fraction;

      while (canonical[end] == '0')
        canonical[end--] = '\0';
      if (canonical[end] == '.')
        canonical[end] = '\0';
      /* Translators: 1: a column, 2: the value read, 3: the same number as export writes it */
      problem (im, im->line, _("%1$s “%2$s” ends in a zero after the point; write it as %3$s (the import keeps "
                               "exactly what a field says, and export writes it so)"),
               column_name (im, column), value, canonical);
      *ok = FALSE;
      return 0;
    }
  return g_ascii_strtod (s, NULL);
}

static gint64
get_time (Import *im, guint column, gboolean required, gboolean *ok)
{
  gint64 t = TRAJ_TIME_NONE;

  if (empty_field (im, column, required, ok))
    return TRAJ_TIME_NONE;
  if (!parse_time (im->col[column], &t))
    {
      not_a (im, column, _("a date and time (YYYY-MM-DDTHH:MM:SSZ, or with an offset: YYYY-MM-DDTHH:MM:SS+01:00)"));
      *ok = FALSE;
      return TRAJ_TIME_NONE;
    }
  /* The same floor as the store's (and 1970-01-01T00:00:00Z is never read
   * as "none"). */
  {
    g_autofree char *value = shown (im->col[column]);
    g_autofree char *what = g_strdup_printf ("%s “%s”", column_name (im, column), value);
    g_autoptr(GError) e = NULL;

    if (!traj_validate_record_time (what, t, G_MAXINT64, &e))
      {
        problem (im, im->line, "%s", e->message);
        *ok = FALSE;
        return TRAJ_TIME_NONE;
      }
  }
  return t;
}

static gint32
get_day (Import *im, guint column, gboolean required, gboolean *ok)
{
  const char *s = im->col[column];
  int y, m, d;

  if (empty_field (im, column, required, ok))
    return TRAJ_DAY_NONE;
  if (strlen (s) != 10 || s[4] != '-' || s[7] != '-' ||
      (y = digits (s, 4)) < 1 || (m = digits (s + 5, 2)) < 1 || (d = digits (s + 8, 2)) < 1 ||
      !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    {
      not_a (im, column, _("a date (YYYY-MM-DD)"));
      *ok = FALSE;
      return TRAJ_DAY_NONE;
    }
  return traj_day_from_ymd (y, m, d);
}

/* A code column: exactly one of the lower-case codes to_string (0…n-1)
 * gives. The message lists them. */
static gboolean
code_index (const char *s, const char *(*to_string) (guint), guint n, guint *out)
{
  for (guint k = 0; k < n; k++)
    if (g_strcmp0 (s, to_string (k)) == 0)
      {
        *out = k;
        return TRUE;
      }
  return FALSE;
}

static void
unknown_code (Import *im, guint column, const char *(*to_string) (guint), guint n)
{
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *value = shown (im->col[column]);

  for (guint k = 0; k < n; k++)
    g_string_append_printf (list, "%s%s", k ? ", " : "", to_string (k));
  /* Translators: "unknown sex “Female” (one of: unknown, female, male, other)" */
  problem (im, im->line, _("unknown %s “%s” (one of: %s)"), column_name (im, column), value, list->str);
}

/* The code lists of the enum columns, as to_string (guint) functions. */
#define CODES_OF(name, fn, type) \
  static const char *name (guint k) { return fn ((type) k); }
CODES_OF (sex_code, traj_sex_to_string, TrajSex)
CODES_OF (indication_code, traj_indication_to_string, TrajIndication)
CODES_OF (route_code, traj_route_to_string, TrajRoute)
CODES_OF (medicine_code, traj_medicine_to_string, TrajMedicine)
CODES_OF (phase_code, traj_phase_to_string, TrajPhase)
CODES_OF (status_code, traj_course_status_to_string, TrajCourseStatus)
CODES_OF (source_code, traj_source_to_string, TrajSource)
CODES_OF (timing_code, traj_timing_to_string, TrajTiming)
CODES_OF (substance_use_code, traj_substance_use_to_string, TrajSubstanceUse)
CODES_OF (finding_code, traj_finding_kind_to_string, TrajFindingKind)

static guint
get_code (Import *im, guint column, const char *(*to_string) (guint), guint n, gboolean *ok)
{
  guint k = 0;

  if (code_index (im->col[column], to_string, n, &k))
    return k;
  unknown_code (im, column, to_string, n);
  *ok = FALSE;
  return 0;
}

/* The outcome scales of the table, in its order: what a scores row or a
 * course's primary scale may name. */
static const char *
scale_code_of (guint k)
{
  return traj_scale_code (traj_scale_outcome_at (k));
}

static guint
n_scale_codes (void)
{
  guint n = 0;

  while (traj_scale_outcome_at (n) != TRAJ_SCALE_NONE)
    n++;
  return n;
}

static TrajScaleId
get_scale (Import *im, guint column, gboolean *ok)
{
  guint k;

  if (code_index (im->col[column], scale_code_of, n_scale_codes (), &k))
    return traj_scale_outcome_at (k);
  unknown_code (im, column, scale_code_of, n_scale_codes ());
  *ok = FALSE;
  return TRAJ_SCALE_NONE;
}

/* Comma-separated codes, each once, no spaces; any order. */
static char *
bits_in_order (guint bits, const char *(*to_string) (guint), guint n)
{
  GString *s = g_string_new (NULL);

  for (guint c = 0; c < n; c++)
    if (bits & (1u << c))
      g_string_append_printf (s, "%s%s", s->len ? "," : "", to_string (c));
  return g_string_free (s, FALSE);
}

static guint
get_codes (Import *im, guint column, const char *(*to_string) (guint), guint n, gboolean *ok)
{
  g_auto(GStrv) parts = NULL;
  guint bits = 0;

  if (*im->col[column] == '\0')
    return 0;
  parts = g_strsplit (im->col[column], ",", -1);
  for (guint p = 0; parts[p]; p++)
    {
      guint k;

      if (code_index (parts[p], to_string, n, &k) && !(bits & (1u << k)) && bits >> k != 0)
        {
          g_autofree char *value = shown (im->col[column]);
          g_autofree char *canonical = NULL;
          guint all = 0, j;

          for (guint q = 0; parts[q]; q++)
            if (code_index (parts[q], to_string, n, &j))
              all |= 1u << j;
          canonical = bits_in_order (all, to_string, n);

          /* Translators: 1: a column, 2: the codes read, 3: the same codes in the order export writes */
          problem (im, im->line, _("%1$s “%2$s” lists its codes out of order; write them as “%3$s” (the import "
                                   "keeps exactly what a field says, and export writes them so)"),
                   column_name (im, column), value, canonical);
          *ok = FALSE;
          return 0;
        }
      if (!code_index (parts[p], to_string, n, &k) || (bits & (1u << k)))
        {
          g_autoptr(GString) list = g_string_new (NULL);
          g_autofree char *value = shown (im->col[column]);

          for (guint c = 0; c < n; c++)
            g_string_append_printf (list, "%s%s", c ? ", " : "", to_string (c));
          problem (im, im->line, _("%s “%s” is not a list of codes, each once, separated by “,” without spaces (codes: %s)"),
                   column_name (im, column), value, list->str);
          *ok = FALSE;
          return 0;
        }
      bits |= 1u << k;
    }
  return bits;
}

/* Text column: stored as written, except the one leading apostrophe that
 * export puts before text a spreadsheet would take for a formula (see
 * traj_csv_text_needs_apostrophe ()). @one_line fields (MRN, name) may not
 * start or end with white space: it would be stripped on saving. */
static char *
get_text (Import *im, guint column, gboolean one_line, gboolean *ok)
{
  const char *s = im->col[column];
  gsize n;

  if (s[0] == '\'' && s[1] != '\0' && traj_csv_text_needs_apostrophe (s + 1))
    s++;
  n = strlen (s);
  if (one_line && n > 0 && (g_ascii_isspace (s[0]) || g_ascii_isspace (s[n - 1])))
    {
      g_autofree char *value = shown (im->col[column]);

      problem (im, im->line, _("%s “%s” starts or ends with a space; remove it"), column_name (im, column), value);
      *ok = FALSE;
    }
  return (char *) s;
}

/* A rule broken by a row: reported, and the row is not written. */
static void
pending_free (Pending *p)
{
  static const GDestroyNotify free_record[TRAJ_CSV_N_FILES] = {
    [TRAJ_CSV_PATIENTS] = (GDestroyNotify) traj_patient_free,
    [TRAJ_CSV_COURSES] = (GDestroyNotify) traj_course_free,
    [TRAJ_CSV_INFUSIONS] = (GDestroyNotify) traj_infusion_free,
    [TRAJ_CSV_VITAL_SIGNS] = (GDestroyNotify) traj_vital_sign_free,
    [TRAJ_CSV_ASSESSMENTS] = (GDestroyNotify) traj_assessment_free,
    [TRAJ_CSV_FLAG_DECISIONS] = (GDestroyNotify) traj_flag_decision_free,
    [TRAJ_CSV_MEDICATIONS] = (GDestroyNotify) traj_medication_free,
  };

  free_record[p->kind] (p->record);
}

static gboolean write_row (Import *im, Pending *p, GError **e);

static gint64
record_id (TrajCsvFile kind, gpointer record)
{
  switch (kind)
    {
    case TRAJ_CSV_PATIENTS:
      return ((TrajPatient *) record)->id;
    case TRAJ_CSV_COURSES:
      return ((TrajCourse *) record)->id;
    case TRAJ_CSV_INFUSIONS:
      return ((TrajInfusion *) record)->id;
    case TRAJ_CSV_VITAL_SIGNS:
    case TRAJ_CSV_ASSESSMENTS:
    case TRAJ_CSV_FLAG_DECISIONS:
    case TRAJ_CSV_MEDICATIONS:
    case TRAJ_CSV_N_FILES:
    default:
      return 0;
    }
}

/* Takes @record (a copy of the row). While checking, it is dropped; while
 * writing, it is written. Returns the id other rows of this import name it
 * by (@named: others can name it): a placeholder while checking, or when
 * the writing failed (the placeholder then names no row), else its id. */
static gint64
queue (Import *im, gpointer record, gboolean named)
{
  Pending p = { .kind = im->kind, .line = im->line, .file = im->file, .record = record };
  gint64 id = 0, none = 0;

  if (im->writing)
    {
      GError *e = NULL;

      if (write_row (im, &p, &e))
        {
          id = record_id (im->kind, record);
          im->n_written++;
        }
      else if (e)
        write_failed (im, e);
    }
  pending_free (&p);
  if (!named || id > 0)
    return id;
  g_array_append_val (im->ids, none);
  return -(gint64) im->ids->len;
}

static gboolean
check (Import *im, gboolean passed, GError **e)
{
  /* @e, not *e: the arguments are evaluated before the call that sets it. */
  if (!passed)
    write_failed (im, g_steal_pointer (e));
  return passed;
}

static void
import_patient (Import *im)
{
  TrajPatient p = { 0 };
  g_autofree char *new_uid = NULL;
  const char *uid = NULL;
  gboolean ok = TRUE;

  if (!get_uid (im, P_UID, &new_uid, &uid))
    return;
  p.uid = (char *) uid;
  p.mrn = get_text (im, P_MRN, TRUE, &ok);
  p.name = get_text (im, P_NAME, TRUE, &ok);
  p.birth_day = get_day (im, P_BIRTH, TRUE, &ok);
  p.sex = get_code (im, P_SEX, sex_code, TRAJ_N_SEXES, &ok);
  p.indication = get_code (im, P_INDICATION, indication_code, TRAJ_N_INDICATIONS, &ok);
  p.notes = get_text (im, P_NOTES, FALSE, &ok);
  p.created_at = get_time (im, P_CREATED, FALSE, &ok);
  p.updated_at = get_time (im, P_UPDATED, FALSE, &ok);
  p.indication_detail = get_text (im, P_DETAIL, TRUE, &ok);
  p.risk_si_at = get_time (im, P_RISK_SI_AT, FALSE, &ok);
  p.risk_si_by = get_text (im, P_RISK_SI_BY, TRUE, &ok);
  /* Empty (or a file from before the column): not recorded. */
  if (*im->col[P_SUBSTANCE_USE] != '\0')
    p.substance_use = get_code (im, P_SUBSTANCE_USE, substance_use_code, TRAJ_N_SUBSTANCE_USES, &ok);
  if (ok && p.risk_si_at == TRAJ_TIME_NONE && *p.risk_si_by != '\0')
    {
      problem (im, im->line, _("risk_si_by is given but risk_si_at is empty: give when the flag was set, "
                               "or leave both empty"));
      ok = FALSE;
    }
  /* The store's rules, checked while reading (the writing checks again). */
  if (ok)
    {
      TrajPatient row = p;
      GError *e = NULL;

      if (row.created_at == 0)
        row.created_at = im->now;
      if (row.updated_at == 0)
        row.updated_at = row.created_at;
      ok = check (im, traj_validate_patient (&row, im->today, &e), &e);
    }
  if (!ok)
    {
      mark_bad (im, REF_PATIENT, uid);
      return;
    }
  p.id = queue (im, traj_patient_copy (&p), TRUE);
  remember (im, REF_PATIENT, uid, p.id, p.id);
}

/* In each row below, @linked is cleared when a reference cannot be
 * followed: the row's own values are still checked, so that every bad row
 * is reported, but it is not written. */

static void
import_course (Import *im)
{
  TrajCourse c = { 0 };
  g_autofree char *new_uid = NULL;
  const char *uid = NULL;
  gboolean ok = TRUE, linked = TRUE;
  GError *e = NULL;

  if (!get_uid (im, C_UID, &new_uid, &uid))
    return;
  c.uid = (char *) uid;
  c.patient_id = reference (im, C_PATIENT, REF_PATIENT, FALSE, 0, NULL, &linked);
  c.indication = get_code (im, C_INDICATION, indication_code, TRAJ_N_INDICATIONS, &ok);
  c.primary_scale = get_scale (im, C_SCALE, &ok);
  c.protocol = get_text (im, C_PROTOCOL, FALSE, &ok);
  c.induction_length = get_int (im, C_INDUCTION, G_MININT, &ok);
  c.start_day = get_day (im, C_START, TRUE, &ok);
  c.end_day = get_day (im, C_END, FALSE, &ok);
  c.status = get_code (im, C_STATUS, status_code, TRAJ_N_COURSE_STATUSES, &ok);
  c.notes = get_text (im, C_NOTES, FALSE, &ok);
  c.indication_detail = get_text (im, C_DETAIL, TRUE, &ok);
  if (ok)
    ok = check (im, traj_validate_course (&c, im->today, &e), &e);
  if (!ok || !linked)
    {
      mark_bad (im, REF_COURSE, uid);
      return;
    }
  c.id = queue (im, traj_course_copy (&c), TRUE);
  remember (im, REF_COURSE, uid, c.id, c.patient_id);
}

/* Rewrites @e for a row whose date warnings are not all confirmed: the
 * sentences, then the codes that would confirm them. */
static void
unconfirmed_date (Import *im, const TrajInfusion *i, GError **e)
{
  g_autofree char *message = NULL;
  g_autofree char *codes = NULL;
  guint warnings = 0;

  if (!traj_store_check_infusion_dates (im->store, i, &warnings, &message, NULL) || message == NULL)
    return;
  codes = traj_date_warnings_to_codes (warnings);
  g_clear_error (e);
  g_set_error (e, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION,
               _("%s If the date is right, confirm it with date_confirmed “%s”; otherwise correct started_at."),
               message, codes);
}

static gboolean get_bool (Import *im, guint column, int *out);

/* A text answer of the monitoring record: empty is "not answered". */
static char *
get_answer_text (Import *im, guint column, gboolean *ok)
{
  const char *s = get_text (im, column, TRUE, ok);

  return (char *) (*s ? s : NULL);
}

/* The esketamine monitoring record's answers (CLINICAL.md §8). */
static void
get_rems (Import *im, TrajInfusion *i, gboolean *ok)
{
  const struct { guint column; int *answer; } answers[] = {
    { I_REMS_FIRST, &i->rems_first_session }, { I_REMS_OK_BEFORE, &i->rems_vitals_ok_before },
    { I_REMS_OK_LEAVING, &i->rems_vitals_ok_leaving }, { I_REMS_SEDATION, &i->rems_sedation },
    { I_REMS_DISSOCIATION, &i->rems_dissociation }, { I_REMS_RESP_DEPRESSION, &i->rems_resp_depression },
    { I_REMS_ADVERSE, &i->rems_adverse },
  };

  for (guint k = 0; k < G_N_ELEMENTS (answers); k++)
    if (!get_bool (im, answers[k].column, answers[k].answer))
      *ok = FALSE;
  i->rems_patient_id = get_answer_text (im, I_REMS_ID, ok);
  i->rems_monitored_by = get_answer_text (im, I_REMS_BY, ok);
  i->rems_adverse_note = get_text (im, I_REMS_ADVERSE_NOTE, FALSE, ok);
  if (*ok && *i->rems_adverse_note != '\0' && i->rems_adverse != 1)
    {
      problem (im, im->line, _("rems_adverse_note is given but rems_adverse is not true: say what happened only "
                               "with rems_adverse true, or leave the note empty"));
      *ok = FALSE;
    }
}

static void
import_infusion (Import *im)
{
  TrajInfusion i = { 0 };
  g_autofree char *new_uid = NULL;
  const char *uid = NULL;
  gboolean ok = TRUE, linked = TRUE;
  GError *e = NULL;

  if (!get_uid (im, I_UID, &new_uid, &uid))
    return;
  i.uid = (char *) uid;
  i.patient_id = reference (im, I_PATIENT, REF_PATIENT, FALSE, 0, NULL, &linked);
  if (linked)
    i.course_id = reference (im, I_COURSE, REF_COURSE, TRUE, i.patient_id, NULL, &linked);
  i.started_at = get_time (im, I_STARTED, TRUE, &ok);
  i.duration_min = get_int (im, I_DURATION, G_MININT, &ok);
  i.route = get_code (im, I_ROUTE, route_code, TRAJ_N_ROUTES, &ok);
  i.medicine = get_code (im, I_MEDICINE, medicine_code, TRAJ_N_MEDICINES, &ok);
  i.lot = get_text (im, I_LOT, FALSE, &ok);
  i.phase = get_code (im, I_PHASE, phase_code, TRAJ_N_PHASES, &ok);
  i.weight_kg = get_double (im, I_WEIGHT, &ok);
  i.dose_mg_per_kg = get_double (im, I_DOSE, &ok);
  i.total_mg = get_double (im, I_TOTAL, &ok);
  i.side_effects = get_codes (im, I_SIDE, traj_side_effect_to_string, TRAJ_N_SIDE_EFFECTS, &ok);
  i.side_effect_note = get_text (im, I_SIDE_NOTE, FALSE, &ok);
  i.concomitant = get_codes (im, I_CONCOMITANT, traj_concomitant_to_string, TRAJ_N_CONCOMITANTS, &ok);
  i.monitoring_min = get_int (im, I_MONITORING, 0, &ok);
  i.ready_at = get_time (im, I_READY, FALSE, &ok);
  i.clinician = get_text (im, I_CLINICIAN, FALSE, &ok);
  i.notes = get_text (im, I_NOTES, FALSE, &ok);
  i.date_confirmed = get_codes (im, I_DATE_CONFIRMED, traj_date_warning_to_string, TRAJ_N_DATE_WARNINGS, &ok);
  i.cadss_total = get_int (im, I_CADSS, -1, &ok);
  i.moaas_lowest = get_int (im, I_MOAAS, -1, &ok);
  get_rems (im, &i, &ok);
  i.vitals = im->no_vitals;
  if (ok)
    ok = check (im, traj_validate_infusion (&i, im->now, &e), &e);
  if (!ok || !linked)
    {
      mark_bad (im, REF_INFUSION, uid);
      return;
    }
  i.id = queue (im, traj_infusion_copy (&i), TRUE);
  remember (im, REF_INFUSION, uid, i.id, i.patient_id);
}

static void
import_vital_sign (Import *im)
{
  TrajVitalSign v = { 0 };
  g_autofree char *new_uid = NULL;
  const char *uid = NULL;
  gboolean ok = TRUE, linked = TRUE;
  GError *e = NULL;

  if (!get_uid (im, V_UID, &new_uid, &uid))
    return;
  v.uid = (char *) uid;
  v.infusion_id = reference (im, V_INFUSION, REF_INFUSION, FALSE, 0, NULL, &linked);
  v.minute = get_int_full (im, V_MINUTE, G_MININT, TRUE, &ok);
  v.systolic = get_int (im, V_SYSTOLIC, -1, &ok);
  v.diastolic = get_int (im, V_DIASTOLIC, -1, &ok);
  v.heart_rate = get_int (im, V_HEART_RATE, -1, &ok);
  v.spo2 = get_int (im, V_SPO2, -1, &ok);
  v.resp_rate = get_int (im, V_RESP_RATE, -1, &ok);
  if (ok)
    ok = check (im, traj_validate_vital_sign (&v, &e), &e);
  if (ok && linked)
    queue (im, traj_vital_sign_copy (&v), FALSE);
}

static gboolean
get_bool (Import *im, guint column, int *out)
{
  const char *s = im->col[column];

  if (*s == '\0')
    *out = -1;
  else if (g_str_equal (s, "true"))
    *out = 1;
  else if (g_str_equal (s, "false"))
    *out = 0;
  else
    {
      not_a (im, column, _("true or false"));
      return FALSE;
    }
  return TRUE;
}

static void
import_assessment (Import *im)
{
  TrajAssessment a = { 0 }, scored;
  g_autofree char *new_uid = NULL;
  const char *uid = NULL;
  gboolean ok = TRUE, linked = TRUE;
  int complete = -1, total;
  GError *e = NULL;

  if (!get_uid (im, A_UID, &new_uid, &uid))
    return;
  a.uid = (char *) uid;
  a.patient_id = reference (im, A_PATIENT, REF_PATIENT, FALSE, 0, NULL, &linked);
  if (linked)
    a.course_id = reference (im, A_COURSE, REF_COURSE, TRUE, a.patient_id, NULL, &linked);
  if (linked)
    a.infusion_id = reference (im, A_INFUSION, REF_INFUSION, TRUE, a.patient_id, NULL, &linked);
  a.scale = get_scale (im, A_SCALE, &ok);
  a.taken_at = get_time (im, A_TAKEN, TRUE, &ok);
  if (*im->col[A_SOURCE] == '\0')
    a.source = TRAJ_SOURCE_IMPORT;
  else
    a.source = get_code (im, A_SOURCE, source_code, TRAJ_N_SOURCES, &ok);
  a.timing = get_code (im, A_TIMING, timing_code, TRAJ_N_TIMINGS, &ok);
  ok &= get_bool (im, A_COMPLETE, &complete);
  total = get_int (im, A_TOTAL, -1, &ok);
  a.total = total;
  a.difficulty = get_int (im, A_DIFFICULTY, -1, &ok);
  a.clinician = get_text (im, A_CLINICIAN, FALSE, &ok);
  a.notes = get_text (im, A_NOTES, FALSE, &ok);
  for (guint k = 0; k < TRAJ_MAX_ITEMS; k++)
    a.items[k] = get_int (im, A_ITEM1 + k, -1, &ok);
  a.safety_highest = get_int (im, A_SAFETY_HIGHEST, -1, &ok);
  if (!ok)
    return;
  /* The highest answer to the safety item a patient gave on the tablet
   * before changing it (CLINICAL.md §4): only a tablet questionnaire with a
   * safety item has one, within that item's range. */
  if (a.safety_highest != -1)
    {
      const TrajScale *scale = traj_scale_get (a.scale);

      if (scale->safety_item == 0)
        {
          problem (im, im->line, _("safety_highest is given, but %s has no safety item; leave it empty"),
                   traj_scale_code (a.scale));
          return;
        }
      if (a.source != TRAJ_SOURCE_TABLET)
        {
          problem (im, im->line, _("safety_highest is kept only for questionnaires answered on the tablet "
                                   "(source tablet); leave it empty"));
          return;
        }
      if (a.safety_highest < 1 || a.safety_highest > scale->item_max)
        {
          problem (im, im->line, _("safety_highest must be empty or 1–%d, the highest answer to item %u"),
                   scale->item_max, scale->safety_item);
          return;
        }
    }
  else
    a.safety_highest = 0;

  /* total and complete follow from the items (MADRS: from total); when the
   * file states them they must agree. */
  scored = a;
  if (!check (im, traj_validate_assessment (&scored, im->now, &e), &e))
    return;
  traj_assessment_rescore (&scored);
  if (complete == 0 && scored.complete)
    {
      /* Every item answered but never submitted: a tablet questionnaire the
       * patient answered to the end and left is kept as a draft (CLINICAL.md
       * §1), and an export writes it so. Keep it a draft, unscored. */
      if (total >= 0)
        {
          problem (im, im->line, _("total %d is given but complete is false; a questionnaire that was "
                                   "not submitted has no total, so leave total empty"), total);
          return;
        }
      a.draft = TRUE;
      scored = a;
      traj_assessment_rescore (&scored);
    }
  if (traj_scale_get (a.scale)->n_items > 0 && total >= 0 && total != scored.total)
    {
      if (scored.complete)
        problem (im, im->line, _("total %d does not match the items, which add up to %d"), total, scored.total);
      else
        problem (im, im->line, _("total %d is given but not every item is answered"), total);
      return;
    }
  if (complete >= 0 && (complete != 0) != scored.complete)
    {
      problem (im, im->line, complete ? _("complete is true but not every item is answered")
                                      : _("complete is false but every item is answered"));
      return;
    }
  if (linked)
    queue (im, traj_assessment_copy (&a), FALSE);
}

static void
import_decision (Import *im)
{
  TrajFlagDecision d = { 0 };
  g_autofree char *new_uid = NULL;
  const char *uid = NULL;
  gboolean ok = TRUE, linked = TRUE;

  if (!get_uid (im, D_UID, &new_uid, &uid))
    return;
  d.uid = (char *) uid;
  d.patient_id = reference (im, D_PATIENT, REF_PATIENT, FALSE, 0, NULL, &linked);
  if (linked)
    d.course_id = reference (im, D_COURSE, REF_COURSE, TRUE, d.patient_id, NULL, &linked);
  get_code (im, D_KIND, finding_code, TRAJ_N_FINDING_KINDS, &ok);
  d.kind = (char *) im->col[D_KIND];
  d.finding_key = get_text (im, D_KEY, FALSE, &ok);
  d.fired_at = get_time (im, D_FIRED, TRUE, &ok);
  d.decision = (char *) im->col[D_DECISION];
  d.note = get_text (im, D_NOTE, FALSE, &ok);
  d.decided_by = get_text (im, D_BY, FALSE, &ok);
  d.decided_at = get_time (im, D_AT, FALSE, &ok);
  if (ok)
    {
      TrajFlagDecision row = d;
      GError *e = NULL;

      if (row.decided_by == NULL || *row.decided_by == '\0')
        row.decided_by = (char *) traj_store_actor (im->store);
      if (row.decided_at == 0)
        row.decided_at = im->now;
      ok = check (im, traj_validate_flag_decision (&row, im->now, &e), &e);
    }
  if (ok && linked)
    queue (im, traj_flag_decision_copy (&d), FALSE);
}

CODES_OF (med_class_code, traj_med_class_to_string, TrajMedClass)

/* CLINICAL.md §8: a medicine of the patient's list, checked as one typed
 * into the app (a name, a start no later than today, a stop not before
 * the start). */
static void
import_medication (Import *im)
{
  TrajMedication m = { 0 };
  g_autofree char *new_uid = NULL;
  const char *uid = NULL;
  gboolean ok = TRUE, linked = TRUE;
  GError *e = NULL;

  if (!get_uid (im, M_UID, &new_uid, &uid))
    return;
  m.uid = (char *) uid;
  m.patient_id = reference (im, M_PATIENT, REF_PATIENT, FALSE, 0, NULL, &linked);
  m.name = get_text (im, M_NAME, TRUE, &ok);
  m.klass = get_code (im, M_CLASS, med_class_code, TRAJ_N_MED_CLASSES, &ok);
  m.dose = get_text (im, M_DOSE, TRUE, &ok);
  m.start_day = get_day (im, M_START, FALSE, &ok);
  m.stop_day = get_day (im, M_STOP, FALSE, &ok);
  if (ok)
    ok = check (im, traj_validate_medication (&m, im->today, &e), &e);
  if (ok && linked)
    queue (im, traj_medication_copy (&m), FALSE);
}

static void (* const importers[TRAJ_CSV_N_FILES]) (Import *im) = {
  [TRAJ_CSV_PATIENTS] = import_patient,
  [TRAJ_CSV_COURSES] = import_course,
  [TRAJ_CSV_INFUSIONS] = import_infusion,
  [TRAJ_CSV_VITAL_SIGNS] = import_vital_sign,
  [TRAJ_CSV_ASSESSMENTS] = import_assessment,
  [TRAJ_CSV_FLAG_DECISIONS] = import_decision,
  [TRAJ_CSV_MEDICATIONS] = import_medication,
};

static int
column_index (TrajCsvFile kind, const char *name)
{
  for (guint c = 0; c < files[kind].n_columns; c++)
    if (g_str_equal (files[kind].columns[c], name))
      return (int) c;
  return -1;
}

/* The file whose columns are exactly the header's, in any order. */
static gboolean
kind_from_header (const char * const *fields, guint n, TrajCsvFile *out)
{
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    {
      guint n_optional = 0;
      gboolean all;

      for (guint c = 0; c < files[f].n_columns; c++)
        n_optional += column_optional (f, c);
      all = n <= files[f].n_columns && n + n_optional >= files[f].n_columns;
      for (guint k = 0; all && k < n; k++)
        all = column_index (f, fields[k]) >= 0;
      if (all)
        {
          *out = f;
          return TRUE;
        }
    }
  return FALSE;
}

/* Maps the header's columns; reports what is missing, unknown or doubled. */
static gboolean
map_header (Import *im, const char * const *fields, guint n)
{
  gboolean ok = TRUE;

  for (guint c = 0; c < files[im->kind].n_columns; c++)
    im->map[c] = -1;
  for (guint k = 0; k < n; k++)
    {
      int c = column_index (im->kind, fields[k]);

      if (c < 0)
        {
          problem (im, im->line, _("unknown column “%s”"), fields[k]);
          ok = FALSE;
        }
      else if (im->map[c] >= 0)
        {
          problem (im, im->line, _("the column “%s” appears twice"), fields[k]);
          ok = FALSE;
        }
      else
        im->map[c] = (int) k;
    }
  for (guint c = 0; c < files[im->kind].n_columns; c++)
    if (im->map[c] < 0 && !column_optional (im->kind, c))
      {
        problem (im, im->line, _("the column “%s” is missing"), files[im->kind].columns[c]);
        ok = FALSE;
      }
  return ok;
}

static void
report_progress (Import *im)
{
  /* The checking is the first half, the writing the second. */
  if (im->progress && im->bytes_total > 0)
    im->progress (MIN (1.0, ((im->writing ? 1.0 : 0.0) +
                             (double) (im->bytes_before + traj_csv_reader_bytes_read (im->reader)) /
                             (double) im->bytes_total) / 2.0), im->progress_data);
}

static RefKind
ref_of_file (TrajCsvFile kind)
{
  switch (kind)
    {
    case TRAJ_CSV_PATIENTS:
      return REF_PATIENT;
    case TRAJ_CSV_COURSES:
      return REF_COURSE;
    case TRAJ_CSV_INFUSIONS:
      return REF_INFUSION;
    case TRAJ_CSV_VITAL_SIGNS:
    case TRAJ_CSV_ASSESSMENTS:
    case TRAJ_CSV_FLAG_DECISIONS:
    case TRAJ_CSV_MEDICATIONS:
    case TRAJ_CSV_N_FILES:
    default:
      return N_REFS;
    }
}

/* FALSE stops the whole import (read error, database error, cancelled). */
static int
compare_problems (gconstpointer a, gconstpointer b)
{
  const TrajCsvProblem *pa = *(TrajCsvProblem * const *) a;
  const TrajCsvProblem *pb = *(TrajCsvProblem * const *) b;

  return (pa->line > pb->line) - (pa->line < pb->line);
}

/* Problems [first, end) by line; a row's own problems keep their order. */
static void
sort_problems (GPtrArray *problems, guint first)
{
  g_autoptr(GPtrArray) tail = NULL;

  if (problems->len - first < 2)
    return;
  tail = g_ptr_array_new ();
  for (guint k = first; k < problems->len; k++)
    g_ptr_array_add (tail, g_ptr_array_index (problems, k));
  /* g_ptr_array_sort is not stable: index order breaks ties. */
  for (guint k = 1; k < tail->len; k++)
    {
      gpointer p = g_ptr_array_index (tail, k);
      guint j = k;

      while (j > 0 && compare_problems (&g_ptr_array_index (tail, j - 1), &p) > 0)
        {
          tail->pdata[j] = tail->pdata[j - 1];
          j--;
        }
      tail->pdata[j] = p;
    }
  for (guint k = 0; k < tail->len; k++)
    problems->pdata[first + k] = tail->pdata[k];
}

static void note_kept_risk_flag (Import *im, const char *uid, const char *mrn, GError *e);

/* A clash a clinic server found when it wrote a row (traj_bulk_defer ()):
 * the row's problem, and rows naming it are not written either. */
static void
deferred_problem (gint64 tag, const char *uid, const GError *error, gpointer user_data)
{
  Import *im = user_data;
  RefKind kind = ref_of_file (im->kind);
  g_autoptr(GError) e = g_error_copy (error);

  if (im->kind == TRAJ_CSV_PATIENTS)
    note_kept_risk_flag (im, uid, NULL, e);
  problem (im, (guint) tag, "%s", e->message);
  if (kind < N_REFS && uid)
    {
      RefEntry *entry = ref_lookup (im->refs[kind], uid);

      /* Rows naming it, written after this flush, are not written either. */
      if (entry && entry->ref.id < 0)
        g_array_index (im->ids, gint64, -entry->ref.id - 1) = 0;
      if (entry)
        g_hash_table_remove (im->refs[kind], entry);
      if (g_strcmp0 (im->last_uid[kind], uid) == 0)
        g_clear_pointer (&im->last_uid[kind], g_free);
      mark_bad (im, kind, uid);
    }
}

/* The checking notes what it read of each file; the writing must read the
 * same, or the file changed in between and nothing is imported. */
static gboolean
same_as_checked (Import *im, const char *path, const char *base, guint64 bytes, guint rows, GError **error)
{
  GStatBuf st;
  FileSeen now = { bytes, rows, 0, 0 };

  if (g_stat (path, &st) == 0)
    {
      now.mtime_usec = (gint64) st.st_mtim.tv_sec * G_USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
      now.size = (guint64) st.st_size;
    }
  if (!im->writing)
    {
      g_array_append_val (im->seen, now);
      return TRUE;
    }
  if (im->file_index < im->seen->len)
    {
      const FileSeen *was = &g_array_index (im->seen, FileSeen, im->file_index);

      if (was->bytes == now.bytes && was->rows == now.rows && was->mtime_usec == now.mtime_usec &&
          was->size == now.size)
        return TRUE;
    }
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
               _("%s changed while it was being imported; nothing was imported. Import it again."), base);
  return FALSE;
}

static void
not_regular (const char *path, GError **error)
{
  g_autofree char *base = g_path_get_basename (path);

  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
               _("%s is not a regular file: copy it into a file and import that."), base);
}

/* An import reads its files twice, and only a regular file reads the same
 * the second time; a pipe would block the open itself. The file is told by
 * the descriptor read, never by its name alone (it could be swapped). */
static GInputStream *
open_regular (const char *path, const char *base, GError **error)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, 0);
  int saved;

  if (fd < 0)
    {
      saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot open %s: %s"), base,
                   g_strerror (saved));
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) ||
      fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK) != 0)
    {
      close (fd);
      not_regular (path, error);
      return NULL;
    }
  return g_unix_input_stream_new (fd, TRUE);
}

static gboolean
import_file (Import *im, const char *path, gboolean by_name, TrajCsvFile kind,
             GCancellable *cancellable, GError **error)
{
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(TrajCsvReader) reader = NULL;
  g_autofree char *base = g_path_get_basename (path);
  const char * const *fields;
  guint n, n_columns = 0, rows = 0;
  gboolean header = TRUE, unreadable = FALSE;

  im->file = base;
  stream = open_regular (path, base, error);
  if (stream == NULL)
    return FALSE;
  reader = traj_csv_reader_new (stream);
  im->reader = reader;

  for (;;)
    {
      GError *e = NULL;
      TrajCsvStatus status = traj_csv_reader_next (reader, &fields, &n, &im->line, &e);

      if (status == TRAJ_CSV_END)
        break;
      if (status == TRAJ_CSV_FAILED)
        {
          if (g_error_matches (e, TRAJ_ERROR, TRAJ_ERROR_TEXT_LONG))
            g_propagate_prefixed_error (error, e, "%s:%u: ", base, im->line);
          else
            g_propagate_prefixed_error (error, e, "%s: ", base);
          im->reader = NULL;
          return FALSE;
        }
      if (status == TRAJ_CSV_BAD_RECORD)
        {
          problem (im, im->line, "%s", e->message);
          g_error_free (e);
          if (header)
            {
              unreadable = TRUE;
              break;
            }
          rows++;
          im->report->rows[kind]++;
          /* Rows naming this one are not reported again. */
          if (ref_of_file (kind) < N_REFS && im->map[0] >= 0 && (guint) im->map[0] < n &&
              uid_ok (fields[im->map[0]]))
            mark_bad (im, ref_of_file (kind), fields[im->map[0]]);
          continue;
        }

      if (header)
        {
          header = FALSE;
          if (!by_name && !kind_from_header (fields, n, &kind))
            {
              /* Which records it held cannot be told: say so once. */
              problem (im, im->line, _("the header does not match any Trajectory CSV file (see docs/csv-format.md)"));
              break;
            }
          im->kind = kind;
          n_columns = n;
          if (!map_header (im, fields, n))
            {
              unreadable = TRUE;
              break;
            }
          continue;
        }

      rows++;
      im->report->rows[kind]++;
      if (n != n_columns)
        problem (im, im->line, _("the row has %u fields; the header has %u"), n, n_columns);
      else
        {
          for (guint c = 0; c < files[kind].n_columns; c++)
            im->col[c] = im->map[c] >= 0 ? fields[im->map[c]] : "";
          /* A clinic server may tell a row's clash later: by its line. */
          traj_bulk_set_tag (im->store, im->line);
          importers[kind] (im);
        }

      /* Others' saves get the lock between chunks of the writing, also
       * after a problem (the rest is read for its problems, and what was
       * written is removed at the end). */
      if (im->writing && im->fatal == NULL)
        traj_bulk_yield (im->store, 1, &im->fatal);
      if (im->fatal)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&im->fatal), "%s:%u: ", base, im->line);
          im->reader = NULL;
          return FALSE;
        }
      if (im->report->problems->len >= TRAJ_CSV_MAX_PROBLEMS)
        break;
      if ((rows & 1023) == 0)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              im->reader = NULL;
              return FALSE;
            }
          report_progress (im);
        }
    }
  /* The rows a clinic server still holds back are written before the next
   * file names them; their clashes are this file's problems, in line
   * order with the others. */
  {
    guint first = im->report->problems->len;
    GError *e = NULL;

    for (guint k = 0; k < im->report->problems->len; k++)
      if (g_strcmp0 (((TrajCsvProblem *) g_ptr_array_index (im->report->problems, k))->file, base) == 0)
        {
          first = k;
          break;
        }
    if (!traj_bulk_flush (im->store, &e))
      {
        g_propagate_prefixed_error (error, e, "%s: ", base);
        im->reader = NULL;
        return FALSE;
      }
    sort_problems (im->report->problems, first);
  }
  if (header && !unreadable)
    {
      problem (im, 0, _("the file is empty (not even a header)"));
      unreadable = TRUE;
    }
  if (unreadable && ref_of_file (kind) < N_REFS)
    im->unreadable[ref_of_file (kind)] = TRUE;
  im->bytes_before += traj_csv_reader_bytes_read (reader);
  im->reader = NULL;
  return same_as_checked (im, path, base, traj_csv_reader_bytes_read (reader), rows, error);
}

/* A placeholder id (of a row of this import) as the id it was written
 * with; FALSE when that row was not written (its problem is reported). */
static gboolean
real_id (Import *im, gint64 *id)
{
  gint64 real;

  if (*id >= 0)
    return TRUE;
  real = g_array_index (im->ids, gint64, -*id - 1);
  if (real == 0)
    return FALSE;
  *id = real;
  return TRUE;
}

/* A patients.csv row that clashes (uid or MRN) with a patient of the
 * clinic who has the suicidal-ideation risk flag: an import never changes
 * a patient, so the flag stays; the problem says so, and where it is
 * cleared (Edit Patient asks who and why, CLINICAL.md §8). */
static void
note_kept_risk_flag (Import *im, const char *uid, const char *mrn, GError *e)
{
  static const char sql[] =
    "SELECT mrn FROM patient WHERE (uid = ?1 OR mrn = ?2) AND risk_si_at IS NOT NULL";
  TrajDbStmt *stmt;
  gboolean found = FALSE;
  g_autofree char *clinic_mrn = NULL;
  char *message;

  if (e == NULL || e->domain != TRAJ_ERROR ||
      (e->code != TRAJ_ERROR_MRN_DUPLICATE && e->code != TRAJ_ERROR_INVALID))
    return;
  stmt = traj_store_prepare (im->store, sql, NULL);
  if (stmt == NULL)
    return;
  traj_db_bind_text (stmt, 1, uid ? uid : "");
  traj_db_bind_text (stmt, 2, mrn ? mrn : "");
  if (traj_db_step_row (stmt, &found, NULL) && found)
    clinic_mrn = traj_db_column_dup (stmt, 0);
  traj_db_reset (stmt);
  if (clinic_mrn == NULL)
    return;
  /* Translators: the first %s is the store's reason ("MRN 1000066 is
   * already used by another patient."), the second the clinic patient's MRN. */
  message = g_strdup_printf (_("%s The clinic’s patient with MRN %s has the suicidal-ideation risk flag set, "
                               "and an import never changes a patient or clears the flag: clear it in "
                               "Edit Patient, which asks who and why."), e->message, clinic_mrn);
  g_free (e->message);
  e->message = message;
}

/* Writes one row read earlier; FALSE when it names a row not written. */
static gboolean
write_row (Import *im, Pending *p, GError **e)
{
  switch (p->kind)
    {
    case TRAJ_CSV_PATIENTS:
      {
        TrajPatient *patient = p->record;

        if (traj_bulk_insert_patient (im->store, patient, im->today, e))
          return TRUE;
        note_kept_risk_flag (im, patient->uid, patient->mrn, *e);
        return FALSE;
      }
    case TRAJ_CSV_COURSES:
      {
        TrajCourse *c = p->record;
        return real_id (im, &c->patient_id) && traj_bulk_insert_course (im->store, c, im->today, e);
      }
    case TRAJ_CSV_INFUSIONS:
      {
        TrajInfusion *i = p->record;

        if (!real_id (im, &i->patient_id) || !real_id (im, &i->course_id))
          return FALSE;
        if (traj_bulk_insert_infusion (im->store, i, im->now, e))
          return TRUE;
        /* A file cannot be asked: a date warning (CLINICAL.md §7) passes
         * only when the row's date_confirmed names it. */
        if (g_error_matches (*e, TRAJ_ERROR, TRAJ_ERROR_NEEDS_CONFIRMATION))
          unconfirmed_date (im, i, e);
        return FALSE;
      }
    case TRAJ_CSV_VITAL_SIGNS:
      {
        TrajVitalSign *v = p->record;
        return real_id (im, &v->infusion_id) && traj_bulk_insert_vital_sign (im->store, v, e);
      }
    case TRAJ_CSV_ASSESSMENTS:
      {
        TrajAssessment *a = p->record;
        return real_id (im, &a->patient_id) && real_id (im, &a->course_id) && real_id (im, &a->infusion_id) &&
               traj_bulk_insert_assessment (im->store, a, im->now, e);
      }
    case TRAJ_CSV_MEDICATIONS:
      {
        TrajMedication *m = p->record;
        return real_id (im, &m->patient_id) && traj_bulk_insert_medication (im->store, m, im->today, e);
      }
    case TRAJ_CSV_FLAG_DECISIONS:
    default:
      {
        TrajFlagDecision *d = p->record;
        return real_id (im, &d->patient_id) && real_id (im, &d->course_id) &&
               traj_bulk_insert_flag_decision (im->store, d, im->now, e);
      }
    }
}

/* Problems in the order of the files, then by line (each step reports in
 * its own order). */
static void
sort_all_problems (GPtrArray *problems, GPtrArray *paths)
{
  for (guint k = 1; k < problems->len; k++)
    {
      TrajCsvProblem *p = g_ptr_array_index (problems, k);
      guint j = k;

      for (; j > 0; j--)
        {
          TrajCsvProblem *q = g_ptr_array_index (problems, j - 1);
          guint rank_p = G_MAXUINT, rank_q = G_MAXUINT;

          for (guint f = 0; f < paths->len; f++)
            {
              g_autofree char *base = g_path_get_basename (g_ptr_array_index (paths, f));

              if (rank_p == G_MAXUINT && g_strcmp0 (base, p->file) == 0)
                rank_p = f;
              if (rank_q == G_MAXUINT && g_strcmp0 (base, q->file) == 0)
                rank_q = f;
            }
          if (rank_q < rank_p || (rank_q == rank_p && q->line <= p->line))
            break;
          problems->pdata[j] = q;
        }
      problems->pdata[j] = p;
    }
}

static gboolean
read_files (Import *im, GPtrArray *paths, GArray *kinds, gboolean by_name, GCancellable *cancellable,
            GError **error)
{
  gboolean ok = TRUE;

  im->bytes_before = 0;
  for (guint k = 0; ok && k < paths->len && im->report->problems->len < TRAJ_CSV_MAX_PROBLEMS; k++)
    {
      im->file_index = k;
      ok = import_file (im, g_ptr_array_index (paths, k), by_name, g_array_index (kinds, TrajCsvFile, k),
                        cancellable, error);
    }
  return ok;
}

static gboolean
no_import (TrajCsvReport *report, GError **error)
{
  g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_INVALID,
               g_dngettext (GETTEXT_PACKAGE, "%u problem in the import; nothing was imported.",
                            "%u problems in the import; nothing was imported.", report->n_problems),
               report->n_problems);
  return FALSE;
}

static void
clear_refs (Import *im)
{
  for (guint k = 0; k < N_REFS; k++)
    {
      g_hash_table_remove_all (im->refs[k]);
      g_hash_table_remove_all (im->bad_uids[k]);
      g_clear_pointer (&im->last_uid[k], g_free);
      im->unreadable[k] = FALSE;
    }
}

/* The second reading writes: the uids now name real rows. */
static void
start_writing (Import *im, TrajCsvReport *report)
{
  clear_refs (im);
  g_array_set_size (im->ids, 0);
  memset (report->rows, 0, sizeof report->rows);
  im->writing = TRUE;
  im->n_written = 0;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

/* The files an import of @path reads (a folder's CSV files, or the one
 * file), each a regular file: refused before anything is read or made. */
static gboolean
import_sources (const char *path, GPtrArray *paths, GArray *kinds, gboolean *by_name, GError **error)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _("Cannot open “%s”: %s"), path,
                   g_strerror (saved));
      return FALSE;
    }
  *by_name = TRUE;
  if (S_ISDIR (st.st_mode))
    {
      for (TrajCsvFile f = 0; f < TRAJ_CSV_N_FILES; f++)
        {
          g_autofree char *p = g_build_filename (path, files[f].name, NULL);

          if (g_stat (p, &st) != 0)
            continue;
          if (!S_ISREG (st.st_mode))
            {
              not_regular (p, error);
              return FALSE;
            }
          g_ptr_array_add (paths, g_steal_pointer (&p));
          g_array_append_val (kinds, f);
        }
      if (paths->len == 0)
        {
          g_set_error (error, TRAJ_ERROR, TRAJ_ERROR_NOT_FOUND,
                       _("“%s” holds none of Trajectory’s CSV files (patients.csv, courses.csv, …)."), path);
          return FALSE;
        }
    }
  else
    {
      g_autofree char *base = g_path_get_basename (path);
      TrajCsvFile f = TRAJ_CSV_PATIENTS;

      if (!S_ISREG (st.st_mode))
        {
          not_regular (path, error);
          return FALSE;
        }
      while (f < TRAJ_CSV_N_FILES && !g_str_equal (base, files[f].name))
        f++;
      *by_name = f < TRAJ_CSV_N_FILES;
      g_ptr_array_add (paths, g_strdup (path));
      g_array_append_val (kinds, f);
    }
  return TRUE;
}

gboolean
traj_csv_import_check (const char *path, GError **error)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (TrajCsvFile));
  gboolean by_name;

  g_return_val_if_fail (path != NULL, FALSE);
  return import_sources (path, paths, kinds, &by_name, error);
}

gboolean
traj_csv_import (TrajStore         *store,
                 const char        *path,
                 TrajCsvReport     *report,
                 TrajProgressFunc   progress,
                 gpointer           progress_data,
                 GCancellable      *cancellable,
                 GError           **error)
{
  g_autoptr(TrajCsvReport) own_report = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) kinds = g_array_new (FALSE, FALSE, sizeof (TrajCsvFile));
  g_autofree char *summary = NULL;
  gboolean by_name = TRUE, ok = TRUE;
  gint64 read_started, write_started;
  Import im = { 0 };

  g_return_val_if_fail (TRAJ_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (report == NULL)
    report = own_report = traj_csv_report_new ();
  report_reset (report);

  if (!import_sources (path, paths, kinds, &by_name, error))
    return FALSE;

  im.store = store;
  im.report = report;
  im.today = traj_day_today ();
  im.now = traj_time_now ();
  im.progress = progress;
  im.progress_data = progress_data;
  im.no_vitals = g_ptr_array_new ();
  im.ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  im.seen = g_array_new (FALSE, FALSE, sizeof (FileSeen));
  for (guint k = 0; k < N_REFS; k++)
    {
      im.refs[k] = g_hash_table_new_full (ref_entry_hash, ref_entry_equal, g_free, NULL);
      im.bad_uids[k] = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  for (guint k = 0; k < paths->len; k++)
    im.bytes_total += file_size (g_ptr_array_index (paths, k));

  /* First every file is read and every row checked, holding no lock and
   * keeping no row (others save meanwhile, and a file with problems never
   * takes the lock); then, when nothing was wrong, the files are read
   * again inside one transaction that writes each row: all or none. */
  read_started = g_get_monotonic_time ();
  ok = read_files (&im, paths, kinds, by_name, cancellable, error);
  sort_all_problems (report->problems, paths);
  if (ok && report->n_problems > 0)
    ok = no_import (report, error);
  summary = g_strdup_printf ("CSV import from %s", path);
  /* The page cache for the import is the store's bulk cache
   * (traj_store_bulk_begin ()). */
  write_started = g_get_monotonic_time ();
  if (ok && traj_store_bulk_begin (store, "import", summary, error))
    {
      start_writing (&im, report);
      traj_bulk_defer (store, deferred_problem, &im);
      ok = read_files (&im, paths, kinds, by_name, cancellable, error);
      sort_all_problems (report->problems, paths);
      if (ok && report->n_problems > 0)
        ok = no_import (report, error);
      if (ok)
        ok = traj_store_bulk_commit (store, error);
      else
        traj_store_bulk_rollback (store);
      /* How long others' saves could have waited (G_MESSAGES_DEBUG=traj-csv):
       * about as long as the longest transaction of the writing. */
      g_debug ("import: %u rows checked in %.3f s, then read again and written in %.3f s, in %u transactions "
               "(the longest held the write lock %.3f s)",
               im.n_written, (write_started - read_started) / 1e6, (g_get_monotonic_time () - write_started) / 1e6,
               store->bulk_chunks + 1, store->bulk_longest_hold / 1e6);
    }
  else
    ok = FALSE;

  g_ptr_array_unref (im.no_vitals);
  g_array_unref (im.ids);
  g_array_unref (im.seen);
  clear_refs (&im);
  for (guint k = 0; k < N_REFS; k++)
    {
      g_hash_table_destroy (im.refs[k]);
      g_hash_table_destroy (im.bad_uids[k]);
    }
  if (ok && progress)
    progress (1.0, progress_data);
  return ok;
}
