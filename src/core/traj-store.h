/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "traj-error.h"
#include "traj-records.h"
#include "traj-secret.h"

G_BEGIN_DECLS

#define TRAJ_SCHEMA_VERSION 30
/* PRAGMA application_id of every Trajectory file: "TRJ1". */
#define TRAJ_APPLICATION_ID 0x54524A31

#define TRAJ_TYPE_STORE (traj_store_get_type ())
G_DECLARE_FINAL_TYPE (TrajStore, traj_store, TRAJ, STORE, GObject)

/* One row of the patient list: what the sidebar shows without loading a
 * patient's records. */
typedef struct {
  gint64 id;
  char *uid;
  char *mrn;
  char *name;
  gint32 birth_day;
  TrajSex sex;
  TrajIndication indication;
  gboolean has_course;
  TrajCourseStatus course_status;   /* of the current course */
  TrajScaleId primary_scale;        /* of the current course, or from indication */
  int latest_score;                 /* latest complete primary-scale total, or -1 */
  int previous_score;               /* the one before it, or -1 */
  gint64 latest_score_at;
  int infusion_count;               /* in the current course */
  gint64 last_infusion_at;          /* TRAJ_TIME_NONE when none */
  int open_findings;                /* filled by the outcomes engine; -1 = not computed */
  gboolean safety_open;             /* an unacknowledged safety finding */
  gint64 oldest_open_at;            /* when the oldest open finding fired; TRAJ_TIME_NONE when none */
  gboolean risk_flag;               /* the suicidal-ideation risk flag is set (counted in the two above) */
  gint64 attention_rules;           /* the state's thresholds (traj_thresholds_fingerprint), 0: none */
  gint64 attention_valid_until;     /* the state holds until then; TRAJ_TIME_NONE: for good */
  /* lower-case, for search as you type */
  char *search_key;
} TrajPatientSummary;

void traj_patient_summary_free (TrajPatientSummary *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajPatientSummary, traj_patient_summary_free)

/* Opens (creating if needed, mode 0600) and migrates a clinic file. A file
 * that is not a Trajectory database, is corrupt, or was written by a newer
 * Trajectory fails with a message naming the file and is left untouched.
 * A new file is made whole beside @path and renamed into place; a 0-byte
 * file is refused (TRAJ_ERROR_NOT_A_DATABASE), never made into a new
 * clinic, and so is one an interrupted restore left with a journal. */
TrajStore   *traj_store_open             (const char    *path,
                                          GError       **error);
/* traj_store_open () without creating: a missing file is
 * TRAJ_ERROR_NOT_FOUND. Only "demo", "import", "restore" and the first
 * start at the default place make a clinic. */
TrajStore   *traj_store_open_existing    (const char    *path,
                                          GError       **error);
/* A new clinic file for a command that fills it (an import, a demo): made
 * and filled beside @path under a name of its own, and put under @path by
 * traj_store_publish_new () only once it is whole. A refusal, a kill or a
 * full disk leaves nothing under @path, no other program ever sees the
 * clinic half-filled, and no other program's records can be in it: a
 * refused import never removes a file another program wrote into.
 * SQLite only; @path must not exist. */
typedef struct _TrajNewClinic TrajNewClinic;

TrajStore   *traj_store_open_new         (const char     *path,
                                          TrajNewClinic **new_clinic,
                                          GError        **error);
/* Closes @store (the caller's last reference: every connection of it goes)
 * and puts the clinic under its name. If another program made a clinic
 * file there meanwhile, that file is kept as it is, this clinic is dropped
 * and FALSE returned with TRAJ_ERROR_BUSY. */
gboolean     traj_store_publish_new      (TrajNewClinic  *new_clinic,
                                          TrajStore      *store,
                                          GError        **error);
/* The name the new clinic takes when published. */
const char  *traj_new_clinic_get_path    (TrajNewClinic  *new_clinic);
/* Drops the new clinic with its journal and lock files unless published.
 * NULL-safe. */
void         traj_new_clinic_free        (TrajNewClinic  *new_clinic);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajNewClinic, traj_new_clinic_free)
/* The same on a clinic server: @location is a PostgreSQL connection (a
 * postgresql:// or postgres:// URI, "service=NAME", or libpq key=value
 * settings) instead of a path; a server database with no clinic yet is
 * refused (see traj_store_server_init ()). */
gboolean     traj_store_location_is_server (const char *location);
char        *traj_store_location_canonicalize (const char *location);
/* Creates the clinic in an empty PostgreSQL database (schema, the group
 * roles trajectory_clinician, trajectory_lead and trajectory_kiosk, their
 * grants), or upgrades it; run with the administrator's login. */
TrajStore   *traj_store_server_init      (const char    *conninfo,
                                          GError       **error);
/* On a clinic server, who read what (HIPAA access log): an audit row
 * "read" for the patient @patient_id (0: the whole clinic, as in an
 * export), @what saying how ("patient page", "report", "CSV export", …).
 * Nothing on a file. */
gboolean     traj_store_record_read      (TrajStore   *store,
                                          gint64       patient_id,
                                          const char  *what,
                                          GError     **error);
/* Whether @store is on a clinic server rather than a file. */
gboolean     traj_store_is_server        (TrajStore     *store);

/* What a person's login may do on a clinic server. */
typedef enum {
  TRAJ_SERVER_ROLE_CLINICIAN,   /* read and write clinical records, decide */
  TRAJ_SERVER_ROLE_LEAD,        /* read for cohorts and reports, no writes */
  TRAJ_SERVER_ROLE_KIOSK,       /* only the tablet's check-in functions */
} TrajServerRole;

/* "clinician", "lead", "kiosk". */
gboolean     traj_server_role_from_string (const char *name, TrajServerRole *role);
/* The server's group role for @role (trajectory_clinician, …). */
const char  *traj_server_role_group      (TrajServerRole role);
/* Creates (or updates) a person's login with @role and @password (hashed
 * with SCRAM-SHA-256 here; the server never sees it) and lets it connect to
 * this clinic's database. Run with the administrator's login. Audited. */
gboolean     traj_store_server_add_login (TrajStore      *store,
                                          const char     *login,
                                          TrajServerRole  role,
                                          const char     *password,
                                          GError        **error);
/* A second connection to the same file, for another thread (DESIGN.md:
 * never share a connection across threads). */
TrajStore   *traj_store_open_secondary   (TrajStore     *store,
                                          GError       **error);
/* Done with a secondary store (instead of g_object_unref ()): a server's
 * connection is kept, idle, for the next traj_store_open_secondary () of
 * the same store; anything else is closed. Any thread. */
void         traj_store_release_secondary (TrajStore    *secondary);
const char  *traj_store_get_path         (TrajStore     *store);
/* The default clinic file: $XDG_DATA_HOME/trajectory/clinic.db */
char        *traj_store_default_path     (void);
/* The demo clinic file, kept apart from the real one. */
char        *traj_store_demo_path        (void);

/* Who is making changes, for the audit trail. os_user defaults to the login.
 * On a server the clinician is the database login and cannot be changed. */
void         traj_store_set_clinician    (TrajStore     *store,
                                          const char    *clinician);
const char  *traj_store_get_clinician    (TrajStore     *store);

/* Bulk writes (demo, import): one transaction, one audit event for the whole
 * batch instead of one per row. Nothing is visible until commit; rollback
 * leaves the file as it was. */
gboolean     traj_store_bulk_begin       (TrajStore     *store,
                                          const char    *action,
                                          const char    *summary,
                                          GError       **error);
gboolean     traj_store_bulk_commit      (TrajStore     *store,
                                          GError       **error);
void         traj_store_bulk_rollback    (TrajStore     *store);

/* Writes: each validates with traj-validate.h first and is one transaction
 * with its audit event. On insert, id and uid (when empty) are set. */
gboolean     traj_store_insert_patient   (TrajStore *store, TrajPatient *p, GError **error);
gboolean     traj_store_update_patient   (TrajStore *store, const TrajPatient *p, GError **error);
/* Clearing the suicidal-ideation flag takes a person (@cleared_by, or the
 * store's clinician when NULL or empty) and a reason; both go into the
 * audit event's summary. traj_store_update_patient refuses to clear it. */
gboolean     traj_store_update_patient_why (TrajStore *store, const TrajPatient *p, const char *cleared_by,
                                            const char *cleared_why, GError **error);
gboolean     traj_store_insert_course    (TrajStore *store, TrajCourse *c, GError **error);
gboolean     traj_store_update_course    (TrajStore *store, const TrajCourse *c, GError **error);
gboolean     traj_store_insert_infusion  (TrajStore *store, TrajInfusion *i, GError **error);
gboolean     traj_store_update_infusion  (TrajStore *store, TrajInfusion *i, GError **error);
gboolean     traj_store_insert_assessment (TrajStore *store, TrajAssessment *a, GError **error);
gboolean     traj_store_update_assessment (TrajStore *store, TrajAssessment *a, GError **error);
gboolean     traj_store_insert_flag_decision (TrajStore *store, TrajFlagDecision *d, GError **error);
/* A medicine on the patient's list (CLINICAL.md §8). Stopping one is an
 * update setting its stop day; traj_store_delete () hides one entered in
 * error. */
gboolean     traj_store_insert_medication (TrajStore *store, TrajMedication *m, GError **error);
gboolean     traj_store_update_medication (TrajStore *store, const TrajMedication *m, GError **error);
TrajMedication *traj_store_get_medication (TrajStore *store, gint64 id, GError **error);

/* CLINICAL.md §7 "Plausible dates", against what the clinic holds now (the
 * rules are traj-validate.h's; the store applies them to every write).
 * An infusion dated before the patient's birth is refused
 * (TRAJ_ERROR_BEFORE_BIRTH). Otherwise TRUE, with *warnings set to every
 * TrajDateWarning that applies and *message (optional) to the sentences,
 * naming the dates, of those not in i->date_confirmed (NULL when none).
 * An insert or update with a warning not in i->date_confirmed fails with
 * TRAJ_ERROR_NEEDS_CONFIRMATION; one carrying confirmed warnings keeps
 * them on the record and adds a "confirm" audit event naming them. */
gboolean     traj_store_check_infusion_dates  (TrajStore           *store,
                                               const TrajInfusion  *i,
                                               guint               *warnings,
                                               char               **message,
                                               GError             **error);
/* Refuses an assessment dated before the patient's birth
 * (TRAJ_ERROR_BEFORE_BIRTH), and a complete one in the same minute as
 * another complete assessment of its scale for the patient
 * (TRAJ_ERROR_DUPLICATE_ASSESSMENT, CLINICAL.md §7 "Ties"): what the
 * store's insert and update would refuse for its date. */
gboolean     traj_store_check_assessment_dates (TrajStore            *store,
                                                const TrajAssessment *a,
                                                GError              **error);

/* Soft delete and undo. Deleting a patient hides the patient only; their
 * records come back with them. */
gboolean     traj_store_delete           (TrajStore      *store,
                                          TrajRecordKind  kind,
                                          gint64          id,
                                          GError        **error);
gboolean     traj_store_undelete         (TrajStore      *store,
                                          TrajRecordKind  kind,
                                          gint64          id,
                                          GError        **error);

/* Reads. */
TrajPatient *traj_store_get_patient      (TrajStore *store, gint64 id, GError **error);
TrajPatient *traj_store_find_patient_by_mrn (TrajStore *store, const char *mrn, GError **error);
/* A live patient other than @except_id born on @birth_day whose name is
 * @name up to case, accents and punctuation ("Jose Muller-Pena" is
 * "José Müller-Peña"): the likely duplicate a new patient would be. NULL
 * with @error unset when there is none. */
TrajPatient *traj_store_find_same_person (TrajStore  *store,
                                          const char *name,
                                          gint32      birth_day,
                                          gint64      except_id,
                                          GError    **error);
TrajCourse  *traj_store_get_course       (TrajStore *store, gint64 id, GError **error);
TrajInfusion *traj_store_get_infusion    (TrajStore *store, gint64 id, GError **error);
/* The live infusion with @uid; TRAJ_ERROR_NOT_FOUND naming it otherwise. */
TrajInfusion *traj_store_find_infusion_by_uid (TrajStore *store, const char *uid, GError **error);
TrajAssessment *traj_store_get_assessment (TrajStore *store, gint64 id, GError **error);
/* All live patients, ordered by name, as TrajPatientSummary*, with the
 * needs-attention state the clinic keeps for each (open_findings -1 when it
 * has none; traj_attention_is_current () says whether one still holds). */
GPtrArray   *traj_store_list_patients    (TrajStore *store, GError **error);
/* The same without infusion_count and last_infusion_at (0 and as for a
 * patient with no infusions), which the window's list does not show:
 * counting every patient's infusions was two thirds of the read at start. */
GPtrArray   *traj_store_list_patients_brief (TrajStore *store, GError **error);
/* Recomputes and writes every stored needs-attention state that is missing,
 * was computed with other thresholds than the clinic's, or no longer holds
 * now, a few hundred patients per write transaction; *n_refreshed (optional)
 * receives how many. */
gboolean     traj_store_refresh_attention (TrajStore     *store,
                                           guint         *n_refreshed,
                                           GCancellable  *cancellable,
                                           GError       **error);
TrajPatientSummary *traj_store_get_patient_summary (TrajStore *store, gint64 id, GError **error);
/* A patient's live records in time order (what outcomes and charts read). */
TrajPatientRecords *traj_store_load_patient_records (TrajStore *store, gint64 patient_id, GError **error);
/* Every live patient's records, one callback each, streamed (cohorts, export).
 * Returning FALSE from @func stops early. */
typedef gboolean (*TrajRecordsFunc) (TrajPatientRecords *records, gpointer user_data);
gboolean     traj_store_foreach_patient_records (TrajStore      *store,
                                                 TrajRecordsFunc func,
                                                 gpointer        user_data,
                                                 GCancellable   *cancellable,
                                                 GError        **error);
/* The same for patients whose id is in [@first_id, @last_id] (@last_id 0:
 * no upper bound): several threads, each on its own connection, can read
 * disjoint ranges of one clinic at once. */
gboolean     traj_store_foreach_patient_records_range (TrajStore      *store,
                                                       gint64          first_id,
                                                       gint64          last_id,
                                                       TrajRecordsFunc func,
                                                       gpointer        user_data,
                                                       GCancellable   *cancellable,
                                                       GError        **error);
/* traj_store_foreach_cohort_records (): see traj-outcomes.h. */
/* The lowest and highest live patient id (both 0 when there are none). */
gboolean     traj_store_patient_id_range (TrajStore *store, gint64 *min_id, gint64 *max_id, GError **error);
/* Audit events, newest first; @record_uid NULL for all. */
GPtrArray   *traj_store_list_audit       (TrajStore *store, const char *record_uid, GError **error);

/* ---- the audit trail (traj-store-audit.c) ---------------------------------- */

/* Which events to list; a NULL or TRAJ_TIME_NONE member does not filter. */
typedef struct {
  const char *patient_uid;        /* events about this patient */
  const char *person;             /* clinician or OS user, exactly */
  const char *action;             /* "insert", "update", "export", … */
  gint64 from;                    /* at ≥ from */
  gint64 to;                      /* at < to */
  guint limit;                    /* at most this many, newest first; 0: all */
  gint64 before_id;               /* id < before_id (the next page); 0: any */
} TrajAuditFilter;

/* TrajAuditEvent*, newest first. */
GPtrArray   *traj_store_list_audit_filtered (TrajStore *store, const TrajAuditFilter *filter,
                                             GError **error);
/* How many events @filter matches (its limit and before_id ignored); -1 on
 * failure. */
gint64       traj_store_count_audit_filtered (TrajStore *store, const TrajAuditFilter *filter,
                                              GError **error);
/* The distinct actions and people (clinician and OS user) in the trail,
 * sorted: what the Audit Trail window offers to filter by. */
GStrv        traj_store_audit_actions    (TrajStore *store, GError **error);
GStrv        traj_store_audit_people     (TrajStore *store, GError **error);

/* Checks the audit trail's hash chain (docs/DESIGN.md "Audit trail"): the
 * tables and triggers are there, every event is linked to the one before
 * it from the clinic's own id, none was changed, removed, or inserted out
 * of order or by another program, and the seal names the last event.
 * Fails with TRAJ_ERROR_AUDIT_BROKEN naming the first broken link.
 * @n_events (optional) receives how many events were checked. */
gboolean     traj_store_audit_verify     (TrajStore *store, gint64 *n_events, GError **error);

/* An output of patient data, in the audit trail: @action ("export",
 * "report", "chart", "print", "backup", "audit-export"…), @what it was,
 * @patient_uids (NULL-terminated; NULL or empty: the whole clinic) and
 * where it went (@target, a path or printer). One transaction. */
gboolean     traj_store_audit_output     (TrajStore          *store,
                                          const char         *action,
                                          const char         *what,
                                          const char * const *patient_uids,
                                          const char         *target,
                                          GError            **error);
gint64       traj_store_count            (TrajStore *store, TrajRecordKind kind, GError **error);

/* ---- secrets: the staff PIN and tablet check-in codes (traj-secret.h) ----
 * Each check derives one Argon2id hash from what was typed, with a salt that
 * is not secret, and lets the store compare it and count the attempt
 * against the device's limit and, for kiosks, a clinic-wide ceiling (kept
 * in the clinic, so restarting a tablet resets nothing); every wrong attempt
 * is in the audit trail. */

/* The device that makes attempts at secrets through this store:
 * @device_id (kept by the installation, never typed by a patient; NULL for
 * this computer's host name) and whether it is a kiosk. Wrong attempts count
 * per device, and a kiosk's also against the clinic-wide ceiling that only
 * kiosks are held to (traj-secret.h). A store is a workstation until told. */
void         traj_store_set_device       (TrajStore   *store,
                                          const char  *device_id,
                                          gboolean     kiosk);
gboolean     traj_store_get_device_is_kiosk (TrajStore *store);

/* A tablet check-in code for @patient_id: 6 digits, valid once, until
 * @valid_seconds from now. Only the Argon2id hash of the code (with the
 * patient's birth date when the clinic asks for it) is stored. */
char        *traj_store_create_checkin   (TrajStore   *store,
                                          gint64       patient_id,
                                          const char  *scales,
                                          gint64       valid_seconds,
                                          gint64      *checkin_id,
                                          GError     **error);
/* The open check-in for @code and @birth_day (what the patient typed;
 * TRAJ_DAY_NONE when the clinic does not ask for it), marked used. A code
 * that matches none counts against the clinic's limit: TRAJ_ERROR_WRONG_SECRET,
 * or TRAJ_ERROR_LOCKED_OUT with *@locked_until (Unix time, optional) while
 * attempts wait. A used, cancelled or expired code: TRAJ_ERROR_INVALID. */
TrajKioskCheckin *traj_store_redeem_checkin (TrajStore   *store,
                                             const char  *code,
                                             gint32       birth_day,
                                             gint64      *locked_until,
                                             GError     **error);
/* The same, from a hash the caller derived (traj_secret_derive () of the
 * check-in secret with traj_store_get_checkin_salt ()), e.g. in a thread. */
TrajKioskCheckin *traj_store_redeem_checkin_hash (TrajStore   *store,
                                                  const char  *hash,
                                                  gint64      *locked_until,
                                                  GError     **error);
/* What a check-in hash is derived from: the code, and the birth date when
 * the clinic asks for it (TRAJ_DAY_NONE otherwise). */
char        *traj_store_checkin_secret   (const char  *code,
                                          gint32       birth_day);
/* The clinic's check-in salt (not secret); NULL before the first code. */
char        *traj_store_get_checkin_salt (TrajStore   *store,
                                          GError     **error);
/* A redeemed check-in given back unused ("Not you?" on the tablet); the
 * drafts its session saved are removed (they are not the patient's). */
gboolean     traj_store_release_checkin  (TrajStore   *store,
                                          gint64       checkin_id,
                                          GError     **error);
/* The tablet's session of a check-in is over (submitted, put away when
 * idle, closed by staff). Until then the device that redeemed the code may
 * redeem it again and carry on: a tablet killed or switched off mid-way
 * loses nothing (schema 12; within the bounds of traj_store_hold_checkin ()). */
gboolean     traj_store_end_checkin      (TrajStore   *store,
                                          gint64       checkin_id,
                                          GError     **error);
/* One running kiosk program per session (schema 18): the store that
 * redeemed a check-in holds its session, and says so at every answer and
 * with this call every TRAJ_KIOSK_HOLD_SECONDS while the session lasts.
 * Another program (the same device) takes a session up only when its holder
 * was silent for over TRAJ_KIOSK_LEASE_SECONDS (then refused with "in use"
 * before), and not after TRAJ_KIOSK_RESUME_SECONDS. FALSE with
 * TRAJ_ERROR_PERMISSION when this store no longer holds it (taken up
 * elsewhere, ended, cancelled): its answers are then not saved. */
#define TRAJ_KIOSK_HOLD_SECONDS 30
#define TRAJ_KIOSK_LEASE_SECONDS 120
#define TRAJ_KIOSK_RESUME_SECONDS 1800
gboolean     traj_store_hold_checkin     (TrajStore   *store,
                                          gint64       checkin_id,
                                          GError     **error);
/* What a check-in's session answered so far (TrajAssessment*, items
 * included: the questionnaires submitted and the drafts saved answer by
 * answer), oldest first. */
GPtrArray   *traj_store_checkin_answers  (TrajStore   *store,
                                          gint64       checkin_id,
                                          GError     **error);
/* Words the drafts in @records that a tablet is still answering (its
 * session not ended and held within TRAJ_KIOSK_LEASE_SECONDS) as in
 * progress, not as interrupted (the note each draft is saved with), for a
 * report or page made while the patient is at the tablet. */
gboolean     traj_store_note_tablet_in_progress (TrajStore          *store,
                                                 TrajPatientRecords *records,
                                                 GError            **error);
/* A patient's open codes (not used, cancelled or expired), newest first,
 * as TrajKioskCheckin*; and cancelling one (audited). */
GPtrArray   *traj_store_list_open_checkins (TrajStore *store,
                                            gint64     patient_id,
                                            GError   **error);
gboolean     traj_store_revoke_checkin   (TrajStore   *store,
                                          gint64       checkin_id,
                                          GError     **error);
/* Whether the tablet asks for the birth date as well as the code
 * (clinic-wide; asked unless turned off). Changing it cancels every open
 * code, since none would match any more. */
gboolean     traj_store_get_checkin_birth_date (TrajStore *store,
                                                gboolean  *asked,
                                                GError   **error);
gboolean     traj_store_set_checkin_birth_date (TrajStore *store,
                                                gboolean   asked,
                                                GError   **error);

/* The clinic's staff PIN. */
gboolean     traj_store_has_staff_pin    (TrajStore   *store,
                                          gboolean    *has_pin,
                                          GError     **error);
/* The PIN's salt (not secret); NULL when no PIN is set. */
char        *traj_store_get_staff_pin_salt (TrajStore *store,
                                            GError   **error);
/* Whether @pin is the staff PIN. A wrong one counts against the clinic's
 * limit: TRAJ_ERROR_WRONG_SECRET, or TRAJ_ERROR_LOCKED_OUT with
 * *@locked_until (Unix time, optional) while attempts wait; TRAJ_ERROR_NO_PIN
 * when none is set. */
gboolean     traj_store_verify_staff_pin (TrajStore   *store,
                                          const char  *pin,
                                          gint64      *locked_until,
                                          GError     **error);
/* The same, from a hash the caller derived with the PIN's salt. */
gboolean     traj_store_verify_staff_pin_hash (TrajStore   *store,
                                               const char  *hash,
                                               gint64      *locked_until,
                                               GError     **error);
/* Sets the staff PIN to @new_pin (traj_secret_check_new_pin ()). When one
 * is set, @old_pin must be it (a wrong one counts like any wrong PIN). One
 * transaction, audited without the PIN. */
gboolean     traj_store_set_staff_pin    (TrajStore   *store,
                                          const char  *old_pin,
                                          const char  *new_pin,
                                          GError     **error);
/* Until when this store's device's attempts at @kind wait (Unix time); 0
 * when they do not, -1 with @error set when the clinic cannot be read. */
gint64       traj_store_secret_locked_until (TrajStore      *store,
                                             TrajSecretKind  kind,
                                             GError        **error);
/* How long attempts from one device wait after @failures wrong ones in a
 * row (traj_secret_attempt_delay () for a device). */
gint64       traj_store_secret_delay     (TrajSecretKind  kind,
                                          guint           failures);

/* ---- clinic-wide settings (clinic_setting) ---- */

/* Settings every workstation and tablet on one clinic share (per-user
 * preferences stay in GSettings). Keys are short lower-case names; a key
 * ending in "-hash" is secret: it is never returned by
 * traj_store_get_setting() (TRAJ_ERROR_INVALID) and its value never reaches
 * the audit trail. */
gboolean     traj_store_setting_is_secret (const char *key);
/* The value of @key, or NULL without error when it is unset. */
char        *traj_store_get_setting      (TrajStore   *store,
                                          const char  *key,
                                          GError     **error);
/* Sets @key to @value: one transaction with an "update" audit event
 * (record kind "clinic_setting", record uid @key). */
gboolean     traj_store_set_setting      (TrajStore   *store,
                                          const char  *key,
                                          const char  *value,
                                          GError     **error);

/* Whether this login may change clinic settings (a lead's and a kiosk's
 * may not; always on a file). */
gboolean     traj_store_can_write_settings (TrajStore *store);
/* Whether this login may read who the patients are: names, MRNs, birth
 * dates, notes (a lead's on a server may not: its cohorts read patients
 * by uid and age, and the patient list and pages are not for it; always
 * on a file). */
gboolean     traj_store_can_read_identities (TrajStore *store);

/* Whether another connection (another program: the tablet kiosk, the CLI,
 * a second workstation) committed since the last call; when it did, emits
 * "changed" (TRAJ_N_KINDS, 0) so views reload. Cheap (PRAGMA data_version):
 * windows poll it every few seconds. */
gboolean     traj_store_poll_external_changes (TrajStore *store);

/* On a clinic server: follow other devices' changes as they commit
 * (LISTEN/NOTIFY through the main loop of the calling thread: "changed"
 * within moments, no polling), and connect again in the background when
 * the server goes away (the "connected" property). Nothing on a file,
 * whose windows poll traj_store_poll_external_changes (). */
gboolean     traj_store_watch_changes    (TrajStore *store, GError **error);
/* FALSE while a clinic server cannot be reached. */
gboolean     traj_store_get_connected    (TrajStore *store);

/* The SQLite file's own consistency check. */
gboolean     traj_store_check_integrity  (TrajStore *store, GError **error);
/* PRAGMA quick_check (seconds on a large clinic: call it off the main
 * thread): TRAJ_ERROR_CORRUPT with SQLite's first finding when the file is
 * damaged. Always TRUE on a clinic server. */
gboolean     traj_store_quick_check      (TrajStore *store, GError **error);

/* ---- cohort definitions ---- */

/* A saved cohort definition; @definition is the JSON of traj-cohort.h, kept
 * opaque here. Names are unique among live (not deleted) definitions. */
typedef struct {
  gint64 id;
  char *uid;
  char *name;
  char *definition;
  gint64 created_at;
  gint64 updated_at;
} TrajSavedCohort;

void             traj_saved_cohort_free      (TrajSavedCohort *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TrajSavedCohort, traj_saved_cohort_free)

/* Saves @definition under @name (trimmed, not empty): a new row, or, when a
 * live definition has that name and @replace is set, that row updated;
 * without @replace an existing name fails with TRAJ_ERROR_INVALID. One
 * transaction with its audit event. @id (optional) receives the row's id. */
gboolean         traj_store_save_cohort      (TrajStore   *store,
                                              const char  *name,
                                              const char  *definition,
                                              gboolean     replace,
                                              gint64      *id,
                                              GError     **error);
/* Live definitions as TrajSavedCohort*, by name. */
GPtrArray       *traj_store_list_cohorts     (TrajStore   *store,
                                              GError     **error);
/* The live definition named @name; TRAJ_ERROR_NOT_FOUND when none. */
TrajSavedCohort *traj_store_find_cohort      (TrajStore   *store,
                                              const char  *name,
                                              GError     **error);
/* Hides a definition, and brings it back (undo). Undelete fails with
 * TRAJ_ERROR_INVALID when a live definition has taken its name meanwhile. */
gboolean         traj_store_delete_cohort    (TrajStore   *store,
                                              gint64       id,
                                              GError     **error);
gboolean         traj_store_undelete_cohort  (TrajStore   *store,
                                              gint64       id,
                                              GError     **error);

G_END_DECLS
