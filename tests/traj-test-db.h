/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* One test, either engine. With TRAJ_TEST_ENGINE=postgres (meson's
 * "postgres" suite) a test's clinic is a fresh database on the throwaway
 * server whose administrator conninfo is in TRAJ_TEST_POSTGRES (`./dev
 * test` starts that server); otherwise it is the SQLite file at the path
 * the test chose. The store is opened as the clinician login "Dr. Test", a
 * member of trajectory_clinician: on a server every test also checks that
 * a clinician's grants suffice. */

#include "traj-store.h"

G_BEGIN_DECLS

#define TRAJ_TEST_LOGIN "Dr. Test"

/* Whether this run is against PostgreSQL. */
gboolean    traj_test_postgres        (void);
/* Marks the current test skipped on PostgreSQL (what only a clinic file
 * has: its bytes, its mode, its backups) and returns TRUE there. */
gboolean    traj_test_skip_on_postgres (const char *why);
/* Where the clinic of @path lives on this run's engine: @path itself, or
 * the conninfo of a database made for @path (fresh, with the clinic's
 * schema) the first time it is asked for. */
const char *traj_test_location        (const char *path);
/* traj_store_open () on traj_test_location (@path). */
TrajStore  *traj_test_open            (const char *path, GError **error);
/* As the clinic's owner (the file; the server's administrator): SQL the
 * store itself never runs, to look at or tamper with what is stored. @path
 * may also be a store's location (traj_store_get_path ()). */
gint64      traj_test_query_int       (const char *path, const char *sql);
char       *traj_test_query_text      (const char *path, const char *sql);
gboolean    traj_test_exec            (const char *path, const char *sql, GError **error);
gboolean    traj_test_exec_audited    (const char *path, const char *sql, GError **error);
/* The administrator's conninfo for the database of @path (PostgreSQL). */
char       *traj_test_admin_conninfo  (const char *path);
/* A conninfo to the database of @path as @login (made a member of
 * @group, with password "secret-password" for scram tests). */
char       *traj_test_login_conninfo  (const char *path, const char *login, const char *group);

/* traj_demo_generate () into the clinic of @path, which @store has open.
 * On a server the demo is made in a file beside @path and moved there with
 * traj_migrate () (COPY, the same rows and ids): the demo's own writes cost
 * a round trip each, minutes for a few hundred patients on a loaded
 * machine. */
gboolean    traj_test_demo            (TrajStore *store, const char *path, guint32 seed, guint n_patients,
                                       gint32 anchor_day, GError **error);

/* Removes @path and everything below it. */
void          traj_test_remove_tree  (const char *path);
/* A valid IV ketamine infusion (0.5 mg/kg at 70 kg, 40 minutes) with no
 * vital signs; and a reading with normal values besides the pressures. */
TrajInfusion *traj_test_infusion_new (gint64 patient_id, gint64 course_id, gint64 started_at);
TrajVitalSign *traj_test_vital_new   (int minute, int systolic, int diastolic);

/* Schema 28 (the patient's history of substance use), undone before 027. */
#define TRAJ_TEST_UNDO_028 "ALTER TABLE patient DROP COLUMN substance_use; "
/* Schema 22 (the esketamine monitoring record's answers) and later, undone before 021. */
#define TRAJ_TEST_UNDO_022 TRAJ_TEST_UNDO_028 \
  "ALTER TABLE infusion DROP COLUMN rems_first_session; ALTER TABLE infusion DROP COLUMN rems_patient_id; " \
  "ALTER TABLE infusion DROP COLUMN rems_monitored_by; ALTER TABLE infusion DROP COLUMN rems_vitals_ok_before; " \
  "ALTER TABLE infusion DROP COLUMN rems_vitals_ok_leaving; ALTER TABLE infusion DROP COLUMN rems_sedation; " \
  "ALTER TABLE infusion DROP COLUMN rems_dissociation; ALTER TABLE infusion DROP COLUMN rems_resp_depression; " \
  "ALTER TABLE infusion DROP COLUMN rems_adverse; ALTER TABLE infusion DROP COLUMN rems_adverse_note; "
/* Schema 18 (the program holding a kiosk session) and later, undone before 017. */
#define TRAJ_TEST_UNDO_018 TRAJ_TEST_UNDO_022 "ALTER TABLE kiosk_checkin DROP COLUMN holder; ALTER TABLE kiosk_checkin DROP COLUMN held_at; "
/* Schema 17 (the medication list) and later, undone before 016. */
#define TRAJ_TEST_UNDO_017 TRAJ_TEST_UNDO_018 "DROP TABLE medication; "
/* Schema 16 (the highest answer a tablet saved to item 9) and later, undone before 014. */
#define TRAJ_TEST_UNDO_016 TRAJ_TEST_UNDO_017 "ALTER TABLE assessment DROP COLUMN safety_highest; "
/* Schema 14 (CADSS and MOAA/S per infusion) and later, undone before 013. */
#define TRAJ_TEST_UNDO_014 TRAJ_TEST_UNDO_016 \
  "ALTER TABLE infusion DROP COLUMN cadss_total; ALTER TABLE infusion DROP COLUMN moaas_lowest; "
/* Schema 13 (needs attention per patient) and later, undone before 012. */
#define TRAJ_TEST_UNDO_013 TRAJ_TEST_UNDO_014 "DROP TABLE patient_attention; "
/* Schema 12 (kiosk sessions taken up again) and later, undone before 009
 * (010 and 011 changed the PostgreSQL schema only). */
#define TRAJ_TEST_UNDO_012 TRAJ_TEST_UNDO_013 \
  "ALTER TABLE kiosk_checkin DROP COLUMN used_by; ALTER TABLE kiosk_checkin DROP COLUMN ended_at; "
/* What migration 009 (the audit chain) added, taken out again: for tests
 * that rebuild an older clinic file. */
#define TRAJ_TEST_UNDO_009 \
  "DROP TRIGGER audit_event_chain; DROP TABLE audit_chain; DROP TABLE audit_seal; " \
  "DROP INDEX audit_event_patient; DROP INDEX audit_event_at; " \
  "ALTER TABLE audit_event DROP COLUMN detail; ALTER TABLE audit_event DROP COLUMN patient_uid; " \
  "DELETE FROM trajectory_meta WHERE key = 'clinic_id'; "

G_END_DECLS
