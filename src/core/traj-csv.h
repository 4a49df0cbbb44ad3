/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-demo.h"
#include "traj-store.h"

G_BEGIN_DECLS

/* ---- A streaming RFC 4180 reader ------------------------------------------
 *
 * Reads one record at a time from any GInputStream, without holding the
 * file in memory: fields separated by commas, quoted fields holding commas,
 * doubled quotes and line breaks, records ending in CRLF, LF or CR, a UTF-8
 * byte-order mark at the very start skipped, blank lines skipped. */

typedef struct _TrajCsvReader TrajCsvReader;

/* Far above the longest record the store accepts (TRAJ_TEXT_NOTE_MAX
 * characters in each note, quotes doubled). */
#define TRAJ_CSV_RECORD_MAX (1024 * 1024)

typedef enum {
  TRAJ_CSV_END,            /* no more records */
  TRAJ_CSV_RECORD,         /* a record was read */
  TRAJ_CSV_BAD_RECORD,     /* a malformed record (error says why); reading may go on */
  TRAJ_CSV_FAILED,         /* the stream could not be read (error set); stop */
} TrajCsvStatus;

TrajCsvReader *traj_csv_reader_new        (GInputStream   *stream);
void           traj_csv_reader_free       (TrajCsvReader  *reader);
/* @fields (NUL-terminated UTF-8 strings, @n_fields of them) stay valid until
 * the next call. @line is the physical line (from 1) where the record
 * starts, for TRAJ_CSV_BAD_RECORD too, when @fields holds the fields read
 * before the fault (its uid, usually). A bad record is a quote inside an
 * unquoted field, text after a closing quote, a quoted field still open at
 * the end of the input, or bytes that are not UTF-8. A record longer than
 * TRAJ_CSV_RECORD_MAX bytes (an endless line, /dev/zero) stops the reading:
 * TRAJ_CSV_FAILED with TRAJ_ERROR_TEXT_LONG and @line set. */
TrajCsvStatus  traj_csv_reader_next       (TrajCsvReader       *reader,
                                           const char * const **fields,
                                           guint               *n_fields,
                                           guint               *line,
                                           GError             **error);
guint64        traj_csv_reader_bytes_read (TrajCsvReader  *reader);

/* ---- Trajectory's exchange files (docs/csv-format.md) ----------------------- */

typedef enum {
  TRAJ_CSV_PATIENTS,
  TRAJ_CSV_COURSES,
  TRAJ_CSV_INFUSIONS,
  TRAJ_CSV_VITAL_SIGNS,
  TRAJ_CSV_ASSESSMENTS,
  TRAJ_CSV_FLAG_DECISIONS,
  TRAJ_CSV_MEDICATIONS,
  TRAJ_CSV_N_FILES
} TrajCsvFile;

/* "patients.csv", "courses.csv", "infusions.csv", "vital_signs.csv",
 * "assessments.csv", "flag_decisions.csv", "medications.csv" */
const char         *traj_csv_file_name    (TrajCsvFile file);
/* The header's column names, in the order export writes them, NULL-terminated. */
const char * const *traj_csv_file_columns (TrajCsvFile file);

typedef struct {
  char *file;              /* base name of the file */
  guint line;              /* physical line where the record starts; 0 = the file as a whole */
  char *reason;            /* translated sentence */
} TrajCsvProblem;

void  traj_csv_problem_free      (TrajCsvProblem *problem);
/* "file:line: reason" (or "file: reason" for line 0). */
char *traj_csv_problem_to_string (const TrajCsvProblem *problem);

/* What an export wrote or an import read. */
typedef struct {
  guint rows[TRAJ_CSV_N_FILES];   /* data rows per file (header not counted) */
  guint n_problems;               /* every bad row, including those not kept */
  GPtrArray *problems;            /* TrajCsvProblem*, the first TRAJ_CSV_MAX_PROBLEMS */
} TrajCsvReport;

#define TRAJ_CSV_MAX_PROBLEMS 1000

TrajCsvReport *traj_csv_report_new  (void);
void           traj_csv_report_free (TrajCsvReport *report);
guint          traj_csv_report_total_rows (const TrajCsvReport *report);

/* Writes every live record of @store into the folder @dir as the six files
 * above, mode 0600, through traj_safe_dir_new (): they appear together or
 * not at all, replacing an earlier export in @dir as a whole; @dir must not
 * exist, be empty, or hold only those six files. Reads one patient at a
 * time; @progress gets 0…1. Meant for a GTask thread with its own
 * connection (traj_store_open_secondary). */
/* Where an export into the folder a person chose goes: @chosen itself when
 * it is missing, empty or an earlier export, else a new folder
 * "trajectory-csv-YYYY-MM-DD" (or "-2", "-3"…) inside it, so that the
 * files of a folder like Documents are never in the way. */
char    *traj_csv_export_target (const char *chosen);

gboolean traj_csv_export (TrajStore         *store,
                          const char        *dir,
                          TrajCsvReport     *report,
                          TrajProgressFunc   progress,
                          gpointer           progress_data,
                          GCancellable      *cancellable,
                          GError           **error);

/* Whether @path can be imported at all: the file, or a folder holding
 * Trajectory's CSV files, each a regular file (never a pipe or a device),
 * checked before a clinic file is made for the import. */
gboolean traj_csv_import_check (const char *path, GError **error);

/* Reads what traj_csv_export wrote: a folder holding any of the six files
 * (read in the order above), or one file (recognised by its name or its
 * header). References between files are by uid (patient_uid, course_uid,
 * infusion_uid) and may also name records already in @store.
 *
 * Every row is checked with the store's rules; a bad row — including a uid
 * or MRN already in @store or earlier in the import — is added to
 * @report->problems with its file and line, and the import goes on checking.
 * Nothing is written unless every row is good: the whole import is one bulk
 * transaction with one audit event. Fails with TRAJ_ERROR_INVALID when any
 * row was bad, G_IO_ERROR_CANCELLED when cancelled. */
gboolean traj_csv_import (TrajStore         *store,
                          const char        *path,
                          TrajCsvReport     *report,
                          TrajProgressFunc   progress,
                          gpointer           progress_data,
                          GCancellable      *cancellable,
                          GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCsvReader, traj_csv_reader_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCsvProblem, traj_csv_problem_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajCsvReport, traj_csv_report_free)

G_END_DECLS
