/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A bounded, seeded mutation fuzzer for the CSV import (issue 16 §1).
 *
 * It exports a small clinic (demo patients plus one whose text looks like
 * spreadsheet formulas), then, case after case, mutates one or two places
 * of one of the seven files — a field replaced by a tricky token, bytes
 * inserted, deleted or changed inside a field or anywhere in the file,
 * fields or rows doubled or dropped — and imports the folder into an empty
 * clinic. Every case ends one of three ways:
 *
 *   refused              the import failed and the clinic is still empty;
 *   accepted-identical   the import succeeded and exporting again gives
 *                        back, field by field, what the file said (the
 *                        documented defaults for empty fields aside);
 *   accepted-changed     anything else: stored something the file did not
 *                        say, or a refusal that left rows behind. Must be 0.
 *
 * Cases run in child processes, a batch each, so a crash is counted (and
 * its case number printed) rather than ending the run. The last line is
 *   cases N, refused N, accepted-identical N, accepted-changed N, crashes N
 * and the exit status is non-zero when accepted-changed or crashes is not 0.
 *
 *   fuzz-import [--cases N] [--seed S] [--batch B] [--show N] [--first K]
 * (--show: how many accepted-changed cases each child prints in full)
 *
 * A short run is in the suite; `./dev fuzz` runs a long one. */

#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "traj-csv.h"
#include "traj-demo.h"
#include "traj-store.h"
#include "traj-table.h"

typedef enum { T_UID, T_REF, T_TEXT, T_INT, T_DEC, T_TIME, T_DAY, T_CODE, T_CODES, T_BOOL } ColType;

typedef struct {
  const char *name;
  ColType type;
  gboolean defaulted;      /* an empty field is filled in by the import */
} Column;

/* What docs/csv-format.md says each column is, written out again here so
 * that the comparison does not lean on the importer's own tables. */
static const Column patient_cols[] = {
  { "uid", T_UID, TRUE }, { "mrn", T_TEXT }, { "name", T_TEXT }, { "birth_date", T_DAY }, { "sex", T_CODE },
  { "indication", T_CODE }, { "notes", T_TEXT }, { "created_at", T_TIME, TRUE }, { "updated_at", T_TIME, TRUE },
  { "indication_detail", T_CODE }, { "risk_si_at", T_TIME }, { "risk_si_by", T_TEXT },
  { "substance_use", T_CODE, TRUE }, { NULL }
};
static const Column course_cols[] = {
  { "uid", T_UID, TRUE }, { "patient_uid", T_REF }, { "indication", T_CODE }, { "primary_scale", T_CODE },
  { "protocol", T_TEXT }, { "induction_length", T_INT }, { "start_date", T_DAY }, { "end_date", T_DAY },
  { "status", T_CODE }, { "notes", T_TEXT }, { "indication_detail", T_CODE }, { NULL }
};
static const Column infusion_cols[] = {
  { "uid", T_UID, TRUE }, { "patient_uid", T_REF }, { "course_uid", T_REF }, { "started_at", T_TIME },
  { "duration_min", T_INT }, { "route", T_CODE }, { "medicine", T_CODE }, { "lot", T_TEXT }, { "phase", T_CODE },
  { "weight_kg", T_DEC }, { "dose_mg_per_kg", T_DEC }, { "total_mg", T_DEC }, { "side_effects", T_CODES },
  { "side_effect_note", T_TEXT }, { "concomitant", T_CODES }, { "monitoring_min", T_INT, TRUE },
  { "ready_at", T_TIME }, { "clinician", T_TEXT }, { "notes", T_TEXT }, { "date_confirmed", T_CODES },
  { "cadss_total", T_INT }, { "moaas_lowest", T_INT }, { "rems_first_session", T_BOOL },
  { "rems_patient_id", T_TEXT }, { "rems_monitored_by", T_TEXT }, { "rems_vitals_ok_before", T_BOOL },
  { "rems_vitals_ok_leaving", T_BOOL }, { "rems_sedation", T_BOOL }, { "rems_dissociation", T_BOOL },
  { "rems_resp_depression", T_BOOL }, { "rems_adverse", T_BOOL }, { "rems_adverse_note", T_TEXT }, { NULL }
};
static const Column vital_cols[] = {
  { "uid", T_UID, TRUE }, { "infusion_uid", T_REF }, { "minute", T_INT }, { "systolic", T_INT },
  { "diastolic", T_INT }, { "heart_rate", T_INT }, { "spo2", T_INT }, { "resp_rate", T_INT }, { NULL }
};
static const Column assessment_cols[] = {
  { "uid", T_UID, TRUE }, { "patient_uid", T_REF }, { "course_uid", T_REF }, { "infusion_uid", T_REF },
  { "scale", T_CODE }, { "taken_at", T_TIME }, { "source", T_CODE, TRUE }, { "timing", T_CODE },
  { "complete", T_BOOL, TRUE }, { "total", T_INT, TRUE }, { "difficulty", T_INT }, { "clinician", T_TEXT },
  { "notes", T_TEXT },
  { "item_1", T_INT }, { "item_2", T_INT }, { "item_3", T_INT }, { "item_4", T_INT }, { "item_5", T_INT },
  { "item_6", T_INT }, { "item_7", T_INT }, { "item_8", T_INT }, { "item_9", T_INT }, { "item_10", T_INT },
  { "item_11", T_INT }, { "item_12", T_INT }, { "item_13", T_INT }, { "item_14", T_INT }, { "item_15", T_INT },
  { "item_16", T_INT }, { "item_17", T_INT }, { "item_18", T_INT }, { "item_19", T_INT }, { "item_20", T_INT },
  { "safety_highest", T_INT }, { NULL }
};
static const Column decision_cols[] = {
  { "uid", T_UID, TRUE }, { "patient_uid", T_REF }, { "course_uid", T_REF }, { "kind", T_CODE },
  { "finding_key", T_TEXT }, { "fired_at", T_TIME }, { "decision", T_CODE }, { "note", T_TEXT },
  { "decided_by", T_TEXT, TRUE }, { "decided_at", T_TIME, TRUE }, { NULL }
};
static const Column medication_cols[] = {
  { "uid", T_UID, TRUE }, { "patient_uid", T_REF }, { "name", T_TEXT }, { "class", T_CODE }, { "dose", T_TEXT },
  { "start_date", T_DAY }, { "stop_date", T_DAY }, { NULL }
};
static const Column *columns_of[TRAJ_CSV_N_FILES] = {
  patient_cols, course_cols, infusion_cols, vital_cols, assessment_cols, decision_cols, medication_cols,
};

/* Tokens a careless or hostile file might hold. */
static const char *tokens[] = {
  "", "-1", "-0", "0", "00", "07", "+1", " 1", "1 ", "1e2", "0x50", "1.", ".5", "1.0000001", "70.30",
  "1.1234567", "NaN", "inf", "-inf", "9999999999", "2147483648", "-2147483649", "1,5", "true", "false",
  "TRUE", "1", "yes", "Female", "FEMALE", " female", "female ", "phq-9", "PHQ9", "pcl\t\t5", "iv ", "IV",
  "nausea, dissociation", "nausea,,dissociation", "nausea,nausea", "dissociation,nausea", ",nausea",
  "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z", "2026-01-10T09:00:00",
  "2026-01-10T09:00:00.5Z", "2026-01-10 09:00:00Z", "2026-01-10t09:00:00z", "2026-02-30T09:00:00Z",
  "2026-01-10T24:00:00Z", "2026-01-10T09:00:00+14:01", "2026-01-10T10:00:00+01:00", "2026-01-10T09:00:60Z",
  "0001-01-01", "9999-12-31", "2026-02-29", "2024-02-29", "1980-01-01", "1979-12-31", " 2026-01-10",
  "2026-1-10", "=1+1", "'=1+1", "''", "'", "@SUM(A1)", "-2+3", "+cmd", "\x1b[31m", "a\x1f" "b", "\x07",
  "\x7f", "\xc2\x9b", "\xff", "\xc0\xaf", "\xed\xa0\x80", "\t", "\r\n", "\n", "\"", "a\"b", ",", "é",
  "\xe2\x80\x8b", "booster_booked", "acknowledged", "declined", "not_indicated", "plan_reviewed", "safety:",
  "other", "ended", "maintenance", "esketamine", "intranasal", "oral", "28", "56", "84", "600", "601",
  "1440", "-120", "-121", "300", "20", "19", "4", "61", "0.05", "0.049", "5", "5.000001", "pre", "post",
  "between", "tablet", "import", "madrs", "gad7", "pain_nrs", "before_course", "after_course_end",
  "near_infusion", "before_course,near_infusion", "benzodiazepine", "lamotrigine", "z_drug",
};

/* Bytes worth inserting. */
static const guchar bytes[] = {
  0x00, 0x01, 0x07, 0x09, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0xc2, 0xe2, 0xff,
  ' ', '"', ',', '\'', '-', '+', '.', 'e', 'x', 'Z', 'T', ':', '0', '1', '9', 'a', '=', '@',
};

typedef struct {
  GPtrArray *rows;         /* GPtrArray of char* fields; row 0 is the header */
} Table;

static Table base[TRAJ_CSV_N_FILES];

/* ---- reading and writing files --------------------------------------------------- */

/* Fields by row, with the reader under test (it is also what the comparison
 * reads the export with). Bad records come back as NULL rows. */
static GPtrArray *
read_rows (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, NULL);
  g_autoptr(TrajCsvReader) reader = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  if (in == NULL)
    return rows;
  reader = traj_csv_reader_new (G_INPUT_STREAM (in));
  for (;;)
    {
      const char * const *fields;
      guint n, line;
      GError *error = NULL;
      TrajCsvStatus st = traj_csv_reader_next (reader, &fields, &n, &line, &error);
      GPtrArray *row;

      g_clear_error (&error);
      if (st == TRAJ_CSV_END || st == TRAJ_CSV_FAILED)
        break;
      if (st == TRAJ_CSV_BAD_RECORD)
        {
          g_ptr_array_add (rows, NULL);
          continue;
        }
      row = g_ptr_array_new_with_free_func (g_free);
      for (guint k = 0; k < n; k++)
        g_ptr_array_add (row, g_strdup (fields[k]));
      g_ptr_array_add (rows, row);
    }
  return rows;
}

static GString *
serialize (GPtrArray *rows)
{
  GString *out = g_string_new (NULL);

  for (guint r = 0; r < rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < row->len; c++)
        {
          if (c)
            g_string_append_c (out, ',');
          traj_csv_append_field (out, g_ptr_array_index (row, c));
        }
      g_string_append (out, "\r\n");
    }
  return out;
}

static GPtrArray *
copy_rows (GPtrArray *rows)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint r = 0; r < rows->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (rows, r);
      GPtrArray *c = g_ptr_array_new_with_free_func (g_free);

      for (guint k = 0; k < row->len; k++)
        g_ptr_array_add (c, g_strdup (g_ptr_array_index (row, k)));
      g_ptr_array_add (copy, c);
    }
  return copy;
}

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

/* ---- mutations -------------------------------------------------------------------- */

static char *
mutate_bytes (GRand *rand, const char *s)
{
  GString *out = g_string_new (s);
  guint pos = out->len ? (guint) g_rand_int_range (rand, 0, (gint32) out->len + 1) : 0;
  guchar b = bytes[g_rand_int_range (rand, 0, G_N_ELEMENTS (bytes))];

  switch (g_rand_int_range (rand, 0, 3))
    {
    case 0:
      g_string_insert_len (out, pos, (const char *) &b, 1);
      break;
    case 1:
      if (out->len)
        g_string_erase (out, MIN (pos, out->len - 1), 1);
      break;
    default:
      if (out->len)
        out->str[MIN (pos, out->len - 1)] = (char) b;
      else
        g_string_append_len (out, (const char *) &b, 1);
      break;
    }
  return g_string_free (out, FALSE);
}

/* One mutation of @rows (a copy of a file), or of its bytes in @raw (set
 * when the mutation works on the serialized file). */
static void
mutate (GRand *rand, GPtrArray *rows, GString **raw, GString *what)
{
  guint r = rows->len > 1 ? (guint) g_rand_int_range (rand, g_rand_int_range (rand, 0, 20) == 0 ? 0 : 1, (gint32) rows->len) : 0;
  GPtrArray *row = g_ptr_array_index (rows, r);
  guint c = (guint) g_rand_int_range (rand, 0, (gint32) row->len);
  int op = g_rand_int_range (rand, 0, 100);

  if (*raw)
    op = 90;                            /* already serialized: bytes only */
  if (op < 40)
    {
      const char *t = tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))];
      g_string_append_printf (what, " row %u col %u := token", r, c);
      g_free (g_ptr_array_index (row, c));
      g_ptr_array_index (row, c) = g_strdup (t);
    }
  else if (op < 50 && rows->len > 2)
    {
      /* The same column of another row: often valid, sometimes a duplicate. */
      guint other = (guint) g_rand_int_range (rand, 1, (gint32) rows->len);
      GPtrArray *o = g_ptr_array_index (rows, other);
      g_string_append_printf (what, " row %u col %u := row %u", r, c, other);
      if (c < o->len)
        {
          /* Copied before the old value goes: @other may be this row. */
          char *copy = g_strdup (g_ptr_array_index (o, c));
          g_free (g_ptr_array_index (row, c));
          g_ptr_array_index (row, c) = copy;
        }
    }
  else if (op < 70)
    {
      char *m = mutate_bytes (rand, g_ptr_array_index (row, c));
      g_string_append_printf (what, " row %u col %u bytes", r, c);
      g_free (g_ptr_array_index (row, c));
      g_ptr_array_index (row, c) = m;
    }
  else if (op < 75)
    {
      g_string_append_printf (what, " row %u col %u emptied", r, c);
      g_free (g_ptr_array_index (row, c));
      g_ptr_array_index (row, c) = g_strdup ("");
    }
  else if (op < 80)
    {
      g_string_append_printf (what, " row %u col %u dropped/doubled", r, c);
      if (g_rand_boolean (rand))
        g_ptr_array_remove_index (row, c);
      else
        g_ptr_array_insert (row, (gint) c, g_strdup (g_ptr_array_index (row, c)));
    }
  else if (op < 85 && r > 0)
    {
      g_string_append_printf (what, " row %u dropped/doubled", r);
      if (g_rand_boolean (rand))
        g_ptr_array_remove_index (rows, r);
      else
        {
          GPtrArray *one = g_ptr_array_new ();
          g_autoptr(GPtrArray) copy = NULL;

          g_ptr_array_add (one, row);
          copy = copy_rows (one);
          g_ptr_array_insert (rows, (gint) r, g_ptr_array_ref (g_ptr_array_index (copy, 0)));
          g_ptr_array_free (one, TRUE);
        }
    }
  else
    {
      guint pos;
      guchar b = bytes[g_rand_int_range (rand, 0, G_N_ELEMENTS (bytes))];

      if (*raw == NULL)
        *raw = serialize (rows);
      pos = (guint) g_rand_int_range (rand, 0, (gint32) (*raw)->len);
      g_string_append_printf (what, " byte %u", pos);
      switch (g_rand_int_range (rand, 0, 3))
        {
        case 0: g_string_insert_len (*raw, pos, (const char *) &b, 1); break;
        case 1: g_string_erase (*raw, pos, 1); break;
        default: (*raw)->str[pos] = (char) b; break;
        }
    }
}

/* ---- comparison ------------------------------------------------------------------- */

static gboolean
digits_only (const char *s, gsize n)
{
  for (gsize k = 0; k < n; k++)
    if (!g_ascii_isdigit (s[k]))
      return FALSE;
  return TRUE;
}

/* The documented instant forms, parsed here independently. */
static gboolean
parse_instant (const char *s, gint64 *out)
{
  g_autoptr(GDateTime) dt = NULL;
  gsize n = strlen (s);

  if (n != 20 && n != 25)
    return FALSE;
  if (!digits_only (s, 4) || s[4] != '-' || !digits_only (s + 5, 2) || s[7] != '-' || !digits_only (s + 8, 2) ||
      s[10] != 'T' || !digits_only (s + 11, 2) || s[13] != ':' || !digits_only (s + 14, 2) || s[16] != ':' ||
      !digits_only (s + 17, 2))
    return FALSE;
  if (n == 20 ? s[19] != 'Z'
              : ((s[19] != '+' && s[19] != '-') || !digits_only (s + 20, 2) || s[22] != ':' || !digits_only (s + 23, 2)))
    return FALSE;
  dt = g_date_time_new_from_iso8601 (s, NULL);
  if (dt == NULL)
    return FALSE;
  *out = g_date_time_to_unix (dt);
  return TRUE;
}

static gboolean
decimal_form (const char *s)
{
  const char *p = s;

  while (g_ascii_isdigit (*p))
    p++;
  if (p == s)
    return FALSE;
  if (*p == '.')
    {
      const char *f = ++p;
      while (g_ascii_isdigit (*p))
        p++;
      if (p == f)
        return FALSE;
    }
  return *p == '\0';
}

/* docs/csv-format.md: one leading apostrophe is dropped when the next
 * character is one of = + - @ TAB CR or another apostrophe. */
static const char *
decoded (const char *s)
{
  return s[0] == '\'' && s[1] != '\0' && strchr ("=+-@\t\r'", s[1]) ? s + 1 : s;
}

/* Whether the import stored exactly what @in says (@out is the export). */
static gboolean
same_value (const Column *col, const char *in, const char *out)
{
  if (*in == '\0' && col->defaulted)
    return TRUE;
  switch (col->type)
    {
    case T_TEXT:
      return g_str_equal (decoded (in), decoded (out));
    case T_DEC:
      /* Only the form export writes is accepted (no trailing zero). */
      return decimal_form (in) && g_str_equal (in, out);
    case T_TIME:
      {
        gint64 a, b;
        if (*in == '\0' || *out == '\0')
          return *in == *out;
        return parse_instant (in, &a) && parse_instant (out, &b) && a == b;
      }
    case T_CODES:     /* in the order export writes them, or refused */
    case T_UID:
    case T_REF:
    case T_INT:
    case T_DAY:
    case T_CODE:
    case T_BOOL:
    default:
      return g_str_equal (in, out);
    }
}

static const Column *
column_named (const Column *cols, const char *name)
{
  for (guint k = 0; cols[k].name; k++)
    if (g_str_equal (cols[k].name, name))
      return &cols[k];
  return NULL;
}

/* Compares one file as imported (@in) with its export (@out); appends what
 * differs to @diff. */
static gboolean
same_file (TrajCsvFile f, GPtrArray *in, GPtrArray *out, GString *diff)
{
  GPtrArray *in_head, *out_head;
  g_autoptr(GHashTable) by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) unmatched_in = g_ptr_array_new ();
  g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);
  int in_uid = -1, out_uid = -1;
  guint in_rows = 0;
  gboolean ok = TRUE;

  if (in->len == 0)
    return out->len <= 1;
  in_head = g_ptr_array_index (in, 0);
  out_head = out->len ? g_ptr_array_index (out, 0) : NULL;
  if (in_head == NULL || out_head == NULL)
    {
      g_string_append_printf (diff, "%s: no header\n", traj_csv_file_name (f));
      return FALSE;
    }
  for (guint c = 0; c < in_head->len; c++)
    if (g_str_equal (g_ptr_array_index (in_head, c), "uid"))
      in_uid = (int) c;
  for (guint c = 0; c < out_head->len; c++)
    if (g_str_equal (g_ptr_array_index (out_head, c), "uid"))
      out_uid = (int) c;
  g_assert (in_uid >= 0 && out_uid >= 0);
  for (guint r = 1; r < out->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (out, r);
      g_hash_table_insert (by_uid, g_ptr_array_index (row, out_uid), row);
    }

  for (guint r = 1; r < in->len; r++)
    {
      GPtrArray *row = g_ptr_array_index (in, r);
      const char *uid = g_ptr_array_index (row, in_uid);
      GPtrArray *match;

      in_rows++;
      if (*uid == '\0')
        {
          g_ptr_array_add (unmatched_in, row);
          continue;
        }
      match = g_hash_table_lookup (by_uid, uid);
      if (match == NULL)
        {
          g_string_append_printf (diff, "%s: row uid %s missing from the export\n", traj_csv_file_name (f), uid);
          ok = FALSE;
          continue;
        }
      g_hash_table_add (used, match);
      for (guint c = 0; c < in_head->len; c++)
        {
          const char *name = g_ptr_array_index (in_head, c);
          const Column *col = column_named (columns_of[f], name);
          int oc = -1;

          for (guint k = 0; k < out_head->len; k++)
            if (g_str_equal (g_ptr_array_index (out_head, k), name))
              oc = (int) k;
          if (col == NULL || oc < 0)
            {
              g_string_append_printf (diff, "%s: column %s unknown\n", traj_csv_file_name (f), name);
              ok = FALSE;
              continue;
            }
          if (!same_value (col, g_ptr_array_index (row, c), g_ptr_array_index (match, oc)))
            {
              g_autofree char *a = g_strescape (g_ptr_array_index (row, c), NULL);
              g_autofree char *b = g_strescape (g_ptr_array_index (match, oc), NULL);
              g_string_append_printf (diff, "%s: %s %s: file “%s”, stored “%s”\n", traj_csv_file_name (f), uid, name, a, b);
              ok = FALSE;
            }
        }
    }
  /* Rows without a uid got a new one: they must match a row of the export
   * no uid above named, field for field. */
  for (guint k = 0; k < unmatched_in->len; k++)
    {
      GPtrArray *row = g_ptr_array_index (unmatched_in, k);
      gboolean found = FALSE;

      for (guint r = 1; r < out->len && !found; r++)
        {
          GPtrArray *cand = g_ptr_array_index (out, r);
          gboolean all = TRUE;

          if (g_hash_table_contains (used, cand))
            continue;
          for (guint c = 0; c < in_head->len && all; c++)
            {
              const char *name = g_ptr_array_index (in_head, c);
              const Column *col = column_named (columns_of[f], name);

              for (guint oc = 0; oc < out_head->len; oc++)
                if (col && g_str_equal (g_ptr_array_index (out_head, oc), name))
                  all = same_value (col, g_ptr_array_index (row, c), g_ptr_array_index (cand, oc));
            }
          if (all)
            {
              found = TRUE;
              g_hash_table_add (used, cand);
            }
        }
      if (!found)
        {
          g_string_append_printf (diff, "%s: a row without uid is not in the export as written\n", traj_csv_file_name (f));
          ok = FALSE;
        }
    }
  if (out->len - 1 != in_rows)
    {
      g_string_append_printf (diff, "%s: %u rows in the file, %u exported\n", traj_csv_file_name (f), in_rows, out->len - 1);
      ok = FALSE;
    }
  return ok;
}

/* ---- one case --------------------------------------------------------------------- */

typedef enum { REFUSED, IDENTICAL, CHANGED } Outcome;

typedef struct {
  char *work;             /* this process's folder */
  char *db_path;
  TrajStore *store;       /* empty, reused while imports are refused */
  guint n_db;
} Runner;

static void
runner_new_store (Runner *run)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&run->store);
  if (run->db_path)
    {
      g_autofree char *wal = g_strconcat (run->db_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (run->db_path, "-shm", NULL);
      g_remove (run->db_path);
      g_remove (wal);
      g_remove (shm);
      g_free (run->db_path);
    }
  run->db_path = g_strdup_printf ("%s/clinic-%u.db", run->work, run->n_db++);
  run->store = traj_store_open (run->db_path, &error);
  if (run->store == NULL)
    g_error ("%s", error->message);
}

static Outcome
run_case (Runner *run, guint64 seed, guint64 k, GString *diff)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed ((guint32) (seed * 1000003u + k));
  g_autofree char *in_dir = g_build_filename (run->work, "in", NULL);
  g_autofree char *out_dir = g_build_filename (run->work, "out", NULL);
  g_autoptr(GString) what = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *files[TRAJ_CSV_N_FILES] = { 0 };
  GString *raw = NULL;
  TrajCsvFile target;
  int n_mut = g_rand_int_range (rand, 1, 3);
  Outcome outcome;
  gboolean ok;

  remove_tree (in_dir);
  remove_tree (out_dir);
  g_mkdir_with_parents (in_dir, 0700);

  /* Rows-heavy files are hit more often. */
  target = (TrajCsvFile) g_rand_int_range (rand, 0, TRAJ_CSV_N_FILES);
  g_string_append_printf (what, "case %" G_GUINT64_FORMAT ": %s", k, traj_csv_file_name (target));
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    files[f] = copy_rows (base[f].rows);
  for (int m = 0; m < n_mut; m++)
    mutate (rand, files[target], &raw, what);

  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    {
      g_autofree char *path = g_build_filename (in_dir, traj_csv_file_name (f), NULL);
      GString *text = (f == target && raw) ? raw : serialize (files[f]);

      if (!g_file_set_contents (path, text->str, (gssize) text->len, &error))
        g_error ("%s", error->message);
      g_string_free (text, TRUE);
    }
  raw = NULL;

  ok = traj_csv_import (run->store, in_dir, NULL, NULL, NULL, NULL, &error);
  if (!ok)
    {
      /* A refusal writes nothing. */
      if (traj_store_count (run->store, TRAJ_KIND_PATIENT, NULL) != 0)
        {
          g_string_append_printf (diff, "%s\nrefused (%s) but rows were written\n", what->str, error->message);
          outcome = CHANGED;
          runner_new_store (run);
        }
      else
        outcome = REFUSED;
      for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
        g_ptr_array_unref (files[f]);
      return outcome;
    }

  outcome = IDENTICAL;
  if (!traj_csv_export (run->store, out_dir, NULL, NULL, NULL, NULL, &error))
    g_error ("export: %s", error->message);
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    {
      g_autofree char *ip = g_build_filename (in_dir, traj_csv_file_name (f), NULL);
      g_autofree char *op = g_build_filename (out_dir, traj_csv_file_name (f), NULL);
      g_autoptr(GPtrArray) in = read_rows (ip);
      g_autoptr(GPtrArray) out = read_rows (op);
      g_autoptr(GString) d = g_string_new (NULL);

      if (!same_file (f, in, out, d))
        {
          if (outcome != CHANGED)
            g_string_append_printf (diff, "%s\n", what->str);
          g_string_append (diff, d->str);
          outcome = CHANGED;
        }
      g_ptr_array_unref (files[f]);
    }
  runner_new_store (run);
  return outcome;
}

/* ---- the run ---------------------------------------------------------------------- */

static void
make_base (const char *work)
{
  g_autofree char *db = g_build_filename (work, "base.db", NULL);
  g_autofree char *dir = g_build_filename (work, "base", NULL);
  g_autoptr(TrajStore) store = NULL;
  g_autoptr(TrajPatient) p = traj_patient_new ();
  g_autoptr(GError) error = NULL;

  store = traj_store_open (db, &error);
  if (store == NULL || !traj_demo_generate (store, 7, 4, traj_day_today () - 7, NULL, NULL, NULL, NULL, &error))
    g_error ("base clinic: %s", error->message);
  /* Text the formula rule must carry through. */
  p->mrn = g_strdup ("-FZ1");
  p->name = g_strdup ("=HYPERLINK(\"x\",\"y\")");
  p->notes = g_strdup ("'quoted'\r\nsecond line, with a comma");
  p->birth_day = traj_day_from_ymd (1985, 6, 7);
  p->sex = TRAJ_SEX_OTHER;
  p->indication = TRAJ_INDICATION_PTSD;
  if (!traj_store_insert_patient (store, p, &error) ||
      !traj_csv_export (store, dir, NULL, NULL, NULL, NULL, &error))
    g_error ("base files: %s", error->message);
  for (guint f = 0; f < TRAJ_CSV_N_FILES; f++)
    {
      g_autofree char *path = g_build_filename (dir, traj_csv_file_name (f), NULL);
      base[f].rows = read_rows (path);
    }
}

int
main (int argc, char **argv)
{
  gint64 cases = 300, seed = 1, batch = 200, show = 10, first_case = 0;
  GOptionEntry entries[] = {
    { "cases", 0, 0, G_OPTION_ARG_INT64, &cases, "Number of cases", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed of the first case", "S" },
    { "batch", 0, 0, G_OPTION_ARG_INT64, &batch, "Cases per child process", "B" },
    { "show", 0, 0, G_OPTION_ARG_INT64, &show, "Changed cases to print in full", "N" },
    { "first", 0, 0, G_OPTION_ARG_INT64, &first_case, "Start at case K (to repeat one)", "K" },
    { NULL }
  };
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— mutation fuzzer for the CSV import");
  g_autoptr(GError) error = NULL;
  g_autofree char *work = NULL;
  guint64 counts[3] = { 0, 0, 0 }, crashes = 0, shown = 0;
  gint64 start = g_get_monotonic_time ();

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "%s\n", error->message);
      return 2;
    }
  work = g_dir_make_tmp ("traj-fuzz-XXXXXX", &error);
  if (work == NULL)
    g_error ("%s", error->message);
  make_base (work);

  for (gint64 first = first_case; first < first_case + cases;)
    {
      gint64 last = MIN (first + batch, first_case + cases);
      int fds[2];
      pid_t pid;
      FILE *from;
      char line[64];
      gint64 next = first;
      int status = 0;

      fflush (stdout);
      fflush (stderr);
      if (pipe (fds) != 0)
        g_error ("pipe: %s", g_strerror (errno));
      pid = fork ();
      if (pid < 0)
        g_error ("fork: %s", g_strerror (errno));
      if (pid == 0)
        {
          Runner run = { 0 };
          FILE *to = fdopen (fds[1], "w");

          close (fds[0]);
          run.work = g_strdup_printf ("%s/child-%" G_GINT64_FORMAT, work, first);
          g_mkdir_with_parents (run.work, 0700);
          runner_new_store (&run);
          for (gint64 k = first; k < last; k++)
            {
              g_autoptr(GString) diff = g_string_new (NULL);
              Outcome o = run_case (&run, (guint64) seed, (guint64) k, diff);

              if (o == CHANGED && shown++ < (guint64) show)
                fprintf (stderr, "accepted-changed (seed %" G_GINT64_FORMAT ") %s", seed, diff->str);
              fprintf (to, "%" G_GINT64_FORMAT " %d\n", k, (int) o);
              fflush (to);
            }
          g_clear_object (&run.store);
          remove_tree (run.work);
          _exit (0);
        }
      close (fds[1]);
      from = fdopen (fds[0], "r");
      while (fgets (line, sizeof line, from))
        {
          gint64 k;
          int o;

          if (sscanf (line, "%" G_GINT64_FORMAT " %d", &k, &o) == 2 && o >= 0 && o < 3)
            {
              counts[o]++;
              next = k + 1;
            }
        }
      fclose (from);
      waitpid (pid, &status, 0);
      if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
        {
          /* The case after the last one reported crashed the child. */
          fprintf (stderr, "crash in case %" G_GINT64_FORMAT " (seed %" G_GINT64_FORMAT "): %s %d\n", next, seed,
                   WIFSIGNALED (status) ? "signal" : "exit", WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status));
          crashes++;
          next++;
        }
      first = next;
    }

  remove_tree (work);
  printf ("cases %" G_GINT64_FORMAT ", refused %" G_GUINT64_FORMAT ", accepted-identical %" G_GUINT64_FORMAT
          ", accepted-changed %" G_GUINT64_FORMAT ", crashes %" G_GUINT64_FORMAT " (seed %" G_GINT64_FORMAT ", %.1f s)\n",
          cases, counts[REFUSED], counts[IDENTICAL], counts[CHANGED], crashes, seed,
          (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  return counts[CHANGED] == 0 && crashes == 0 ? 0 : 1;
}
