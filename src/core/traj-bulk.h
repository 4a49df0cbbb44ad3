/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "traj-store.h"

G_BEGIN_DECLS

/* Row inserts for imports, called between traj_store_bulk_begin () and
 * traj_store_bulk_commit (). Each row is checked with the same rules as the
 * store's own inserts (traj-validate.h) and written with one cached prepared
 * statement, without the per-record savepoint, copy and audit event that make
 * the ordinary inserts too slow for a whole clinic.
 *
 * The caller resolves references (patient_id, course_id, infusion_id) to
 * live records of the same patient; foreign keys catch what it misses. Every
 * record must come with its uid. On success the record's id is set. A uid
 * already in the database fails with TRAJ_ERROR_INVALID, an MRN already used
 * with TRAJ_ERROR_MRN_DUPLICATE; a rule with its own TRAJ_ERROR code.
 * @today and @now are the day and instant the "not in the future" rules
 * compare with. Strings of @p (MRN, name) are stripped in place. */
gboolean traj_bulk_insert_patient       (TrajStore        *store,
                                         TrajPatient      *p,
                                         gint32            today,
                                         GError          **error);
gboolean traj_bulk_insert_course        (TrajStore        *store,
                                         TrajCourse       *c,
                                         gint32            today,
                                         GError          **error);
/* Also inserts i->vitals, when there are any. */
gboolean traj_bulk_insert_infusion      (TrajStore        *store,
                                         TrajInfusion     *i,
                                         gint64            now,
                                         GError          **error);
/* v->infusion_id names the infusion. */
gboolean traj_bulk_insert_vital_sign    (TrajStore        *store,
                                         TrajVitalSign    *v,
                                         GError          **error);
/* Rescores @a (complete and total follow from the items, as in the store). */
gboolean traj_bulk_insert_assessment    (TrajStore        *store,
                                         TrajAssessment   *a,
                                         gint64            now,
                                         GError          **error);
/* An empty decided_by is written as the store's clinician (or the login),
 * a zero decided_at as @now; @d itself is left as it is. */
gboolean traj_bulk_insert_flag_decision (TrajStore        *store,
                                         TrajFlagDecision *d,
                                         gint64            now,
                                         GError          **error);
/* A medicine of the patient's list (CLINICAL.md §8), checked as
 * traj_store_insert_medication () checks it. */
gboolean traj_bulk_insert_medication    (TrajStore        *store,
                                         TrajMedication   *m,
                                         gint32            today,
                                         GError          **error);

/* Between two records of a bulk write on a clinic file, @rows rows after
 * the last call: after about 100 ms of writing (and at least 256 rows, so
 * a small write stays one transaction), commits what was written (hidden
 * from every reader until traj_store_bulk_commit ()) and pauses, so that
 * others' saves do not wait for the whole write. Nothing on a clinic
 * server (whose writers do not wait for each other). FALSE when the
 * commit failed: roll back. */
gboolean traj_bulk_yield                (TrajStore        *store,
                                         guint             rows,
                                         GError          **error);
/* Called in each pause of traj_bulk_yield (), when the write holds no
 * lock (tests: a save or a read of another program meanwhile). */
typedef void (*TrajBulkPauseFunc)       (gpointer          user_data);
void     traj_bulk_set_pause_func       (TrajStore        *store,
                                         TrajBulkPauseFunc func,
                                         gpointer          user_data);

/* On a clinic server, checking and writing an import row by row would cost
 * a round trip each: an importer that can hear about a row's problem later
 * asks for that with traj_bulk_defer () after traj_store_bulk_begin (). The
 * rows are then checked by the rules at once but written in batches, and a
 * clash with what the clinic holds (a uid, an MRN) is reported through
 * @func at the latest by traj_bulk_flush () or traj_store_bulk_commit (),
 * with the tag given by traj_bulk_set_tag () before the row (a line
 * number) and the row's uid. Nothing changes on SQLite, where each insert
 * is checked at once. */
typedef void (*TrajBulkProblemFunc) (gint64       tag,
                                     const char  *uid,
                                     const GError *error,
                                     gpointer     user_data);
void     traj_bulk_defer                (TrajStore           *store,
                                         TrajBulkProblemFunc  func,
                                         gpointer             user_data);
void     traj_bulk_set_tag              (TrajStore           *store,
                                         gint64               tag);
/* Writes the buffered rows (reporting clashes); TRUE without a server. */
gboolean traj_bulk_flush                (TrajStore           *store,
                                         GError             **error);

G_END_DECLS
