/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <sqlite3.h>

#include "traj-db.h"
#include "traj-outcomes.h"
#include "traj-store.h"
#include "traj-validate.h"

G_BEGIN_DECLS

/* The store is split by record kind (traj-store-patient.c, -course.c,
 * -infusion.c, -assessment.c, -decision.c, -checkin.c, -cohortdef.c,
 * -records.c for the streamed reads) around traj-store.c (open, migrations,
 * transactions, audit). Nothing outside src/core may include this header. */
struct _TrajStore
{
  GObject parent_instance;

  TrajDb *db;
  char *location;            /* the file's path, or the server's conninfo */
  char *os_user;
  char *clinician;
  int tx_depth;
  gboolean bulk;
  gboolean bulk_failed;
  gint64 bulk_cache_size;               /* the page cache size to restore after a bulk write (SQLite) */
  struct _TrajBulkDeferred *deferred;   /* a server import's buffered rows (traj-store-bulk.c) */
  struct _TrajStoreWatch *watch;        /* a window's live updates (traj-store-watch.c) */
  gint64 data_version;
  char *device;                         /* who counts wrong secrets (traj-store-secret.c) */
  gboolean kiosk;
  /* A kiosk login on a server (traj-store-kiosk.c): its check-in session. */
  gboolean kiosk_remote;
  /* A login that may not read the staff PIN's hash (a kiosk's, a lead's):
   * it checks the PIN through the server's kiosk functions. */
  gboolean pin_remote;
  /* traj_store_can_read_identities (): 0 not asked yet, 1 yes, 2 no. */
  int identities;
  /* traj_store_audit_source (): 0 not asked yet, 1 audit_event, 2 the lead's view. */
  int audit_source;
  char *kiosk_session;
  /* The check-in whose session this store holds (either engine), and on a
   * clinic file the token that says so (traj-store-checkin.c). */
  gint64 kiosk_checkin_id;
  char *kiosk_holder;
  TrajPatientRecords *kiosk_records;
  char *bulk_action;                    /* the bulk write's audit action ("import", …) */
  gint64 bulk_before[7];                /* the highest record ids before it (traj-store.c) */
  /* A bulk write on a clinic file in hidden chunks (traj-store.c): */
  gint64 bulk_marker;                   /* its patients' deleted_at until the end; 0: one transaction */
  gint64 bulk_first_patient;            /* the highest patient id before it */
  gint64 bulk_first[7];                 /* bulk_before at its start */
  gboolean bulk_hid_records;            /* it hid records of patients already in the clinic */
  gboolean bulk_hold;                   /* holds its transaction to the end */
  gint64 bulk_chunk_ms;
  gint64 bulk_chunk_started;            /* monotonic µs */
  guint bulk_chunk_rows;                /* rows written in this chunk (traj_bulk_yield ()) */
  guint bulk_chunk_min_rows;
  gint64 bulk_counts[7];                /* records written, per table of bulk_before */
  guint bulk_events;                    /* "records" events written */
  guint bulk_chunks;                    /* transactions committed hidden */
  gint64 bulk_longest_hold;             /* µs: the longest of its transactions, to the end of its commit */
  int bulk_lock_fd;                     /* shared flock on "<clinic>-import.lock" */
  void (*bulk_pause_func) (gpointer);  /* traj_bulk_set_pause_func () */
  gpointer bulk_pause_data;
  GHashTable *attention_dirty;          /* gint64* patient ids whose needs-attention state to redo */
  gboolean attention_all;               /* every patient's */
  /* Secondary connections to a server (traj_store_open_secondary ()):
   * each knows the store it came from (weakly); that one keeps a few
   * released ones for the next reader, saving a sign-in each. */
  GWeakRef root;
  gboolean secondary;
  GMutex idle_lock;
  GPtrArray *idle;                      /* TrajStore*, released, idle */
};

/* Needs attention per patient (traj-store-attention.c): a write marks each
 * patient whose findings it may change; the outermost commit computes and
 * writes their state in the same transaction; a rollback forgets them. */
void          traj_store_attention_touch     (TrajStore *self, gint64 patient_id);
void          traj_store_attention_touch_all (TrajStore *self);
void          traj_store_attention_forget    (TrajStore *self);
/* Marked patients at most this many: each read on its own; more: one pass
 * over the clinic's narrow read, keeping the marked ones (a second or more
 * on a big clinic). */
#define TRAJ_ATTENTION_FEW_PATIENTS 200
gboolean      traj_store_attention_flush     (TrajStore *self, GError **error);
/* Marks the patient record @id of @kind belongs to now. */
gboolean      traj_store_attention_touch_record (TrajStore *self, TrajRecordKind kind, gint64 id, GError **error);

/* The clinic's time zone (traj-store-setting.c). */
void          traj_store_apply_time_zone   (TrajStore *self);
gboolean      traj_store_default_time_zone (TrajStore *self, GError **error);

typedef struct _TrajStoreWatch TrajStoreWatch;
void          traj_store_watch_free       (TrajStoreWatch *w);
void          traj_store_notify_connected (TrajStore *self);

/* For core modules that run their own SQL (exchange, backup): the store's
 * connection, and a cached statement on it (traj-db.h). */
TrajDb       *traj_store_get_connection   (TrajStore *self);
TrajDbStmt   *traj_store_prepare          (TrajStore *self, const char *sql, GError **error);
/* The SQLite handle, for what only SQLite does (backups, query plans);
 * NULL on a server. */
sqlite3      *traj_store_get_db           (TrajStore *self);

/* Transactions: nested calls become savepoints. A write transaction. */
gboolean      traj_store_tx_begin         (TrajStore *self, GError **error);
gboolean      traj_store_tx_commit        (TrajStore *self, GError **error);
void          traj_store_tx_rollback      (TrajStore *self);
/* A read transaction (one snapshot) unless one is open already; pair with
 * traj_store_read_end (). */
gboolean      traj_store_read_begin       (TrajStore *self, gboolean *began, GError **error);
void          traj_store_read_end         (TrajStore *self, gboolean began);

/* One audit row (not in bulk mode for traj_store_audit_record). */
gboolean      traj_store_audit            (TrajStore *self, const char *action, const char *record_kind,
                                           const char *record_uid, const char *summary, GError **error);
/* The same with the patient's uid (or NULL) and a detail text (previous
 * values of an edit, the records a batch wrote, where an output went). */
gboolean      traj_store_audit_full       (TrajStore *self, const char *action, const char *record_kind,
                                           const char *record_uid, const char *patient_uid,
                                           const char *summary, const char *detail, GError **error);
gboolean      traj_store_audit_record_detail (TrajStore *self, const char *action, TrajRecordKind kind,
                                              const char *uid, const char *summary, const char *detail,
                                              GError **error);
/* Edits keep their previous values (traj-store-audit.c): a record's
 * fields (and an infusion's vital signs, an assessment's items) as
 * name/value pairs, taken before the change inside its transaction; then
 * the "update" event whose detail says "field: before → after" for each
 * field that changed. */
/* TrajAuditEvent* from a statement selecting id, at, os_user, clinician,
 * action, record_kind, record_uid, summary, patient_uid, detail; resets it. */
GPtrArray    *traj_store_audit_read_events (TrajDbStmt *stmt, GError **error);
GPtrArray    *traj_store_audit_snapshot   (TrajStore *self, TrajRecordKind kind, gint64 id, GError **error);
char         *traj_store_audit_changes    (GPtrArray *before, GPtrArray *after);
gboolean      traj_store_audit_update     (TrajStore *self, TrajRecordKind kind, gint64 id, const char *uid,
                                           GPtrArray *before, const char *summary, GError **error);
gboolean      traj_store_audit_record     (TrajStore *self, const char *action, TrajRecordKind kind,
                                           const char *uid, const char *summary, GError **error);
void          traj_store_emit_changed     (TrajStore *self, TrajRecordKind kind, gint64 patient_id);
/* Who a decision or a check-in is by: the clinician's name, or the login. */
const char   *traj_store_actor            (TrajStore *self);

void          traj_store_ensure_uid       (char **uid);
gboolean      traj_store_patient_exists   (TrajStore *self, gint64 patient_id, GError **error);
gboolean      traj_store_course_of_patient (TrajStore *self, gint64 course_id, gint64 patient_id, GError **error);
/* FALSE with TRAJ_ERROR_NOT_FOUND unless the last statement changed one row. */
gboolean      traj_store_expect_one_change (TrajStore *self, TrajRecordKind kind, GError **error);

/* ---- row writers, shared by single saves and bulk imports ----
 * Each writes its record's row(s) and sets the ids; no validation, no audit,
 * no transaction of its own. A uid (or MRN) already in the clinic fails with
 * TRAJ_ERROR_INVALID (TRAJ_ERROR_MRN_DUPLICATE) and writes nothing. */
gboolean      traj_store_write_patient_row    (TrajStore *self, TrajPatient *p, GError **error);
gboolean      traj_store_write_course_row     (TrajStore *self, TrajCourse *c, GError **error);
/* The infusion and its vitals. */
gboolean      traj_store_write_infusion_row   (TrajStore *self, TrajInfusion *i, GError **error);
gboolean      traj_store_write_vital_row      (TrajStore *self, TrajVitalSign *v, GError **error);
/* The assessment and its items; @a is scored already. */
gboolean      traj_store_write_assessment_row (TrajStore *self, TrajAssessment *a, GError **error);
gboolean      traj_store_write_assessment_items (TrajStore *self, TrajAssessment *a, GError **error);
/* decided_by and decided_at as given (the caller fills them). */
gboolean      traj_store_write_decision_row   (TrajStore *self, TrajFlagDecision *d, GError **error);
gboolean      traj_store_write_medication_row (TrajStore *self, TrajMedication *m, GError **error);

/* The columns each writer fills, in order (the id is the database's). */
#define TRAJ_PATIENT_INSERT_COLS "uid, mrn, name, birth_date, sex, indication, notes, created_at, updated_at, " \
  "indication_detail, risk_si_at, risk_si_by, substance_use"
#define TRAJ_COURSE_INSERT_COLS "uid, patient_id, indication, primary_scale, protocol, induction_length, " \
  "start_date, end_date, status, notes, indication_detail"
#define TRAJ_INFUSION_INSERT_COLS "uid, patient_id, course_id, started_at, duration_min, route, medicine, lot, " \
  "phase, weight_kg, dose_mg_per_kg, total_mg, side_effects, side_effect_note, concomitant, " \
  "monitoring_min, ready_at, clinician, notes, date_confirmed, cadss_total, moaas_lowest, " \
  TRAJ_REMS_COLS_BARE
/* The esketamine monitoring record's answers (020), in the order of every
 * infusion read and write. */
#define TRAJ_REMS_COLS_BARE "rems_first_session, rems_patient_id, rems_monitored_by, rems_vitals_ok_before, " \
  "rems_vitals_ok_leaving, rems_sedation, rems_dissociation, rems_resp_depression, rems_adverse, rems_adverse_note"
#define TRAJ_VITAL_INSERT_COLS "uid, infusion_id, minute, systolic, diastolic, heart_rate, spo2, resp_rate"
#define TRAJ_ASSESSMENT_INSERT_COLS "uid, patient_id, course_id, infusion_id, scale, taken_at, source, timing, " \
  "complete, total, difficulty, clinician, notes, safety_highest"
#define TRAJ_ITEM_INSERT_COLS "assessment_id, item, value"
#define TRAJ_DECISION_INSERT_COLS "uid, patient_id, course_id, kind, finding_key, fired_at, decision, note, " \
  "decided_by, decided_at"
#define TRAJ_MEDICATION_INSERT_COLS "uid, patient_id, name, class, dose, start_date, stop_date"

/* ---- a server import's deferred rows (traj-store-bulk.c) ----
 * While an importer asked for it (traj_bulk_defer ()), on PostgreSQL the
 * row writers hand their values here instead of inserting them. */
typedef enum {
  TRAJ_DB_TABLE_PATIENT,
  TRAJ_DB_TABLE_COURSE,
  TRAJ_DB_TABLE_INFUSION,
  TRAJ_DB_TABLE_VITAL_SIGN,
  TRAJ_DB_TABLE_ASSESSMENT,
  TRAJ_DB_TABLE_ASSESSMENT_ITEM,
  TRAJ_DB_TABLE_FLAG_DECISION,
  TRAJ_DB_TABLE_MEDICATION,
  TRAJ_DB_N_TABLES
} TrajDbTable;

typedef struct _TrajBulkDeferred TrajBulkDeferred;
gboolean      traj_store_deferred         (TrajStore *self);
void          traj_store_deferred_free    (TrajBulkDeferred *d);
/* Buffers a row of @table (@v in the order of its _INSERT_COLS); *@id
 * receives the id reserved for it. @parent: the id its row refers to. */
gboolean      traj_store_defer_row        (TrajStore *self, TrajDbTable table, const TrajDbValues *v,
                                           const char *uid, const char *mrn, gint64 parent,
                                           gint64 *id, GError **error);
/* What the date rules need, kept for the patients of the import. */
void          traj_store_deferred_note_patient    (TrajStore *self, const TrajPatient *p);
void          traj_store_deferred_note_course     (TrajStore *self, const TrajCourse *c);
void          traj_store_deferred_note_infusion   (TrajStore *self, const TrajInfusion *i);
void          traj_store_deferred_note_assessment (TrajStore *self, const TrajAssessment *a);
gboolean      traj_store_deferred_infusion_context   (TrajStore *self, const TrajInfusion *i,
                                                      TrajInfusionContext *ctx, TrajCourse *course,
                                                      GError **error);
gboolean      traj_store_deferred_birth_day          (TrajStore *self, gint64 patient_id, gint32 *birth_day,
                                                      GError **error);
gboolean      traj_store_deferred_assessment_context (TrajStore *self, const TrajAssessment *a,
                                                      gint64 minute, gint32 *birth_day,
                                                      TrajAssessment **other, GError **error);

/* Statements opened (bound, not stepped yet) in the caller's read
 * transaction, walked side by side one patient at a time
 * (traj-store-records.c); each is reset at the end. @vital NULL: the vital
 * signs are joined to the infusion rows (TRAJ_VITAL_COLS after the
 * infusion's); otherwise their own stream of patient id, infusion id and
 * TRAJ_VITAL_COLS, in the infusions' order. @assessment_read NULL: the items
 * are joined to the assessment rows; otherwise it fills in each one's. */
typedef void (*TrajStoreAssessmentFunc) (TrajAssessment *a, gpointer data);
typedef struct {
  TrajDbStmt *patient, *course, *infusion, *assessment, *decision, *medication, *vital;
  gboolean course_age;                  /* the course rows end with the age at start */
  TrajStoreAssessmentFunc assessment_read;
  gpointer assessment_data;
} TrajStoreStreams;
gboolean      traj_store_walk_streams (const TrajStoreStreams *streams, TrajRecordsFunc func, gpointer user_data,
                                       GCancellable *cancellable, GError **error);
/* traj_store_foreach_cohort_records () on a server (traj-store-cohort-pg.c);
 * @lead: a login that may not read identities
 * (traj_store_can_read_identities ()). */
gboolean      traj_store_pg_foreach_cohort_records (TrajStore *self, const TrajThresholds *t, gboolean lead,
                                                    gint64 first_id, gint64 last_id,
                                                    TrajRecordsFunc func, gpointer user_data,
                                                    GCancellable *cancellable, GError **error);

/* The audit trail's table for this login's reads: "audit_event", or on a
 * server for a login that may not read it (a lead's), "audit_event_lead",
 * the view without the words that may name a patient (postgres/021). */
const char   *traj_store_audit_source      (TrajStore *self);

/* ---- row readers, shared by single reads and streams ---- */
#define TRAJ_PATIENT_COLS "id, uid, mrn, name, birth_date, sex, indication, notes, created_at, updated_at, deleted_at, " \
  "indication_detail, risk_si_at, risk_si_by, substance_use"
#define TRAJ_COURSE_COLS "id, uid, patient_id, indication, primary_scale, protocol, induction_length, start_date, " \
  "end_date, status, notes, deleted_at, indication_detail"
#define TRAJ_INFUSION_COLS "i.id, i.uid, i.patient_id, i.course_id, i.started_at, i.duration_min, i.route, i.medicine, " \
  "i.lot, i.phase, i.weight_kg, i.dose_mg_per_kg, i.total_mg, i.side_effects, i.side_effect_note, i.concomitant, " \
  "i.monitoring_min, i.ready_at, i.clinician, i.notes, i.deleted_at, i.date_confirmed, i.cadss_total, i.moaas_lowest, " \
  "i.rems_first_session, i.rems_patient_id, i.rems_monitored_by, i.rems_vitals_ok_before, i.rems_vitals_ok_leaving, " \
  "i.rems_sedation, i.rems_dissociation, i.rems_resp_depression, i.rems_adverse, i.rems_adverse_note"
#define TRAJ_N_INFUSION_COLS 34
#define TRAJ_VITAL_COLS "v.id, v.uid, v.minute, v.systolic, v.diastolic, v.heart_rate, v.spo2, v.resp_rate"
#define TRAJ_ASSESSMENT_COLS "a.id, a.uid, a.patient_id, a.course_id, a.infusion_id, a.scale, a.taken_at, a.source, " \
  "a.timing, a.complete, a.total, a.difficulty, a.clinician, a.notes, a.deleted_at, a.safety_highest"
#define TRAJ_N_ASSESSMENT_COLS 16
#define TRAJ_DECISION_COLS "id, uid, patient_id, course_id, kind, finding_key, fired_at, decision, note, decided_by, " \
  "decided_at, deleted_at"
#define TRAJ_MEDICATION_COLS "id, uid, patient_id, name, class, dose, start_date, stop_date, deleted_at"

/* The cohort's own read (traj_store_foreach_cohort_records): the streams
 * with only the columns and rows the cohort and the outcome engine
 * behind it use. Free text neither reads is NULL in its place (the row
 * readers stay the same, so every column keeps its position); of the
 * questionnaire items, only each scale's safety item is read (the engine's
 * item 9 rule), which leaves out nine rows in ten of the largest table.
 * A metric that needs more: put the column's name back here (the cohort
 * tests compare this read with the full one). */
#define TRAJ_COHORT_PATIENT_COLS "id, uid, mrn, NULL, birth_date, sex, indication, NULL, created_at, updated_at, deleted_at, " \
  "indication_detail, risk_si_at, NULL, substance_use"
#define TRAJ_COHORT_COURSE_COLS "id, uid, patient_id, indication, primary_scale, protocol, induction_length, start_date, " \
  "end_date, status, NULL, deleted_at, indication_detail"
#define TRAJ_COHORT_INFUSION_COLS "i.id, i.uid, i.patient_id, i.course_id, i.started_at, i.duration_min, i.route, " \
  "i.medicine, NULL, i.phase, i.weight_kg, i.dose_mg_per_kg, i.total_mg, NULL, NULL, NULL, " \
  "i.monitoring_min, i.ready_at, i.clinician, NULL, i.deleted_at, NULL, i.cadss_total, i.moaas_lowest, " \
  "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
/* Neither reads who entered a questionnaire, how or when in the course it
 * was taken, nor how hard it was; of an infusion, neither reads the side
 * effects, concomitant medicines or date warnings (codes parsed per row). */
#define TRAJ_COHORT_ASSESSMENT_COLS "a.id, a.uid, a.patient_id, a.course_id, a.infusion_id, a.scale, a.taken_at, NULL, " \
  "NULL, a.complete, a.total, NULL, NULL, NULL, a.deleted_at, a.safety_highest"
#define TRAJ_COHORT_DECISION_COLS "id, uid, patient_id, course_id, kind, finding_key, fired_at, decision, NULL, NULL, " \
  "decided_at, deleted_at"
/* The class and days of each medicine ("benzodiazepine at course start"),
 * not its name or dose. */
#define TRAJ_COHORT_MEDICATION_COLS "id, uid, patient_id, NULL, class, NULL, start_date, stop_date, deleted_at"

/* The same for a login that may not read who the patients are (a lead's
 * on a server, postgres/011): no MRN and no birth date; the courses come
 * from course_cohort, with the age on their start day. */
#define TRAJ_LEAD_PATIENT_COLS "id, uid, NULL, NULL, NULL, sex, indication, NULL, created_at, updated_at, deleted_at, " \
  "indication_detail, risk_si_at, NULL, substance_use"

/* The medications' order in every read. */
#define TRAJ_MEDICATION_ORDER " ORDER BY patient_id, coalesce (start_date, ''), id"

TrajPatient      *traj_store_read_patient    (TrajDbStmt *stmt);
/* Only the fields the cohort and the outcome engine read (the cohort's
 * narrow read); the text of the others stays NULL. */
TrajInfusion     *traj_store_read_infusion_narrow   (TrajDbStmt *stmt);
TrajAssessment   *traj_store_read_assessment_narrow (TrajDbStmt *stmt);
TrajCourse       *traj_store_read_course     (TrajDbStmt *stmt);
TrajInfusion     *traj_store_read_infusion   (TrajDbStmt *stmt);
/* The vital of a row joined to its infusion (none when the join is empty). */
void              traj_store_read_vital_into (TrajDbStmt *stmt, int base, TrajInfusion *i);
TrajAssessment   *traj_store_read_assessment (TrajDbStmt *stmt);
void              traj_store_read_item_into  (TrajDbStmt *stmt, int base, TrajAssessment *a);
TrajFlagDecision *traj_store_read_decision   (TrajDbStmt *stmt);
TrajMedication   *traj_store_read_medication (TrajDbStmt *stmt);

/* SQL the hot-query test needs (traj-store-patient.c, -records.c). */
extern const char traj_store_patient_by_mrn_sql[];
extern const char traj_store_latest_scores_sql[];
const char   *traj_store_patient_list_sql (TrajDbEngine engine);
const char  **traj_store_one_patient_sql  (void);
const char  **traj_store_all_patients_sql (void);
/* The cohort read with the default limits (CLINICAL.md §7), the whole
 * clinic: for the query-plan test and the benchmarks' floors. */
const char  **traj_store_cohort_sql       (void);
/* The cohort's read on a server (traj-store-cohort-pg.c), for a lead's
 * login or not: its seven streams, each for the patient id range ?1..?2 (the
 * vital signs' with the limits as ?3..?9), then the query of the safety
 * answers above 0 (no parameters). */
const char  **traj_store_cohort_pg_sql    (gboolean lead);

char         *traj_side_effects_to_codes  (guint bits);
char         *traj_concomitant_to_codes   (guint bits);
char         *traj_date_warnings_to_codes (guint bits);
guint         traj_codes_to_bits          (const char *codes,
                                           const char *(*to_string) (guint),
                                           guint n, gboolean *ok);

/* The store's date rules for a write (traj-plausible.c): the infusion's
 * warnings must all be confirmed; *warnings receives what applies and
 * *confirmed (optional) the sentences of the confirmed ones that apply, for
 * the audit trail. The assessment must be scored; *other_uid (optional)
 * names the assessment it would duplicate. */
gboolean      traj_store_require_infusion_dates   (TrajStore *self, const TrajInfusion *i, guint *warnings,
                                                   char **confirmed, GError **error);
/* The marker of the records a hidden bulk write of this connection has
 * written (their deleted_at), or 0: readers inside the write count them. */
gint64        traj_store_bulk_hidden_marker (TrajStore *self);
gboolean      traj_store_require_assessment_dates (TrajStore *self, const TrajAssessment *a,
                                                   char **other_uid, GError **error);
/* A course starts on or after its patient's birth date. */
gboolean      traj_store_require_course_dates     (TrajStore *self, const TrajCourse *c, GError **error);

/* What those rules read (in traj_store_hot_queries): the patient's birth
 * date, the course's dates, and the patient's other infusions just before
 * and just after ?4 within ?5 seconds; or a complete assessment of the
 * scale ?4 in the minute starting at ?3. Records hidden by the import
 * writing them (deleted_at = its marker, ?7 and ?5: 0 otherwise) count:
 * they are the clinic's once it ends (traj_bulk_yield ()). */
#define TRAJ_INFUSION_CONTEXT_SQL \
  "SELECT p.birth_date, c.id, c.start_date, c.end_date, c.status, " \
  "  (SELECT o.started_at FROM infusion o WHERE o.patient_id = ?1 AND o.started_at BETWEEN ?4 - ?5 AND ?4 " \
  "     AND o.id <> ?3 AND (o.deleted_at IS NULL OR o.deleted_at = ?7) ORDER BY o.started_at DESC LIMIT 1), " \
  "  (SELECT o.started_at FROM infusion o WHERE o.patient_id = ?1 AND o.started_at BETWEEN ?4 AND ?4 + ?5 " \
  "     AND o.id <> ?3 AND (o.deleted_at IS NULL OR o.deleted_at = ?7) ORDER BY o.started_at LIMIT 1), " \
  "  (SELECT o.medicine FROM infusion o WHERE o.course_id = ?2 AND o.id <> ?3 AND o.medicine <> ?6 " \
  "     AND (o.deleted_at IS NULL OR o.deleted_at = ?7) ORDER BY o.started_at LIMIT 1) " \
  "FROM patient p LEFT JOIN course c ON c.id = ?2 AND c.patient_id = p.id WHERE p.id = ?1"
#define TRAJ_SAME_MINUTE_SQL \
  "SELECT p.birth_date, o.uid, o.taken_at, o.total FROM patient p " \
  "LEFT JOIN assessment o ON o.id = " \
  "  (SELECT a.id FROM assessment a WHERE a.patient_id = ?1 AND a.taken_at BETWEEN ?3 AND ?3 + 59 " \
  "     AND a.id <> ?2 AND a.scale = ?4 AND a.complete = 1 AND (a.deleted_at IS NULL OR a.deleted_at = ?5) ORDER BY a.taken_at LIMIT 1) " \
  "WHERE p.id = ?1"

/* Clinic settings in the caller's transaction (traj-store-setting.c),
 * secret keys included: only the store's own checks read those. */
gboolean      traj_store_read_setting     (TrajStore *self, const char *key, char **value, GError **error);
gboolean      traj_store_write_setting    (TrajStore *self, const char *key, const char *value, GError **error);

/* The limits on wrong secrets (per device, and the clinic-wide ceiling for
 * kiosks: traj-store-secret.c), in the caller's transaction. check_open: FALSE with TRAJ_ERROR_LOCKED_OUT while
 * attempts wait. fail: counts a wrong attempt (audited), COMMITS the
 * caller's transaction (it must count even though the check fails) and
 * returns FALSE with the error for the person (@wrong_message, or the wait). */
gboolean      traj_store_secret_check_open (TrajStore *self, TrajSecretKind kind, gint64 now,
                                            gint64 *locked_until, GError **error);
gboolean      traj_store_secret_fail       (TrajStore *self, TrajSecretKind kind, gint64 now,
                                            gint64 *locked_until, const char *wrong_message, GError **error);
void          traj_store_secret_locked_error (GError **error, TrajSecretKind kind, gint64 locked_until);
/* The person's message for the outcome @status of a check ("wrong",
 * "locked" until @until, "no-pin"; a check-in code "used", "revoked",
 * "expired"; @asked: whether the birth date was asked too). Returns FALSE. */
gboolean      traj_store_secret_error        (const char *status, TrajSecretKind kind, gint64 until,
                                              gboolean asked, GError **error);

/* ---- a kiosk login on a server (traj-store-kiosk.c) ----
 * Every call below goes through the kiosk functions of postgres/007. */
typedef struct {
  char *pin_salt;                       /* NULL: no staff PIN is set */
  char *checkin_salt;                   /* NULL: no code was ever made */
  gboolean birth_date_asked;
  gint64 locked_until[TRAJ_N_SECRETS];  /* this device's waits (0: none) */
} TrajKioskState;

/* Fills kiosk_scale from the scale table (run by the administrator's store
 * with the migration that makes it). */
gboolean      traj_store_kiosk_fill_scales (TrajStore *self, GError **error);
const char   *traj_store_safety_answer_kept_message (void);
gboolean      traj_store_kiosk_remote      (TrajStore *self);
/* Forgets the session (its key is wiped). */
void          traj_store_kiosk_clear       (TrajStore *self);
gboolean      traj_store_kiosk_state       (TrajStore *self, TrajKioskState *state, GError **error);
void          traj_kiosk_state_clear       (TrajKioskState *state);
/* The staff PIN's or the check-in codes' salt (NULL: none yet). */
char         *traj_store_kiosk_salt        (TrajStore *self, TrajSecretKind kind, GError **error);
gboolean      traj_store_kiosk_verify_pin_hash (TrajStore *self, const char *hash, gint64 *locked_until,
                                                GError **error);
TrajKioskCheckin *traj_store_kiosk_redeem_hash (TrajStore *self, const char *hash, gboolean asked,
                                                gint64 *locked_until, GError **error);
gboolean      traj_store_kiosk_release     (TrajStore *self, gint64 checkin_id, GError **error);
TrajPatientRecords *traj_store_kiosk_session_records (TrajStore *self, gint64 patient_id, GError **error);
/* Inserts @a (a draft, or complete) for the session's patient. */
gboolean      traj_store_kiosk_write_assessment (TrajStore *self, TrajAssessment *a, GError **error);
gboolean      traj_store_kiosk_end         (TrajStore *self, gint64 checkin_id, GError **error);
gboolean      traj_store_kiosk_hold        (TrajStore *self, gint64 checkin_id, GError **error);
/* On a clinic file, in the caller's transaction: a tablet questionnaire
 * written while this store holds a kiosk session is written only while it
 * still holds it, and amends only a draft of that session. */
gboolean      traj_store_checkin_check_hold (TrajStore *self, const TrajAssessment *a, gboolean insert,
                                             GError **error);
GPtrArray    *traj_store_kiosk_answers     (TrajStore *self, gint64 checkin_id, GError **error);
/* "kiosk:NAME" or "workstation:NAME": the device's name in attempt counts
 * and in a check-in's used_by. */
char         *traj_store_device_key        (TrajStore *self);

/* The statements that must stay on indexes as a clinic grows: name + SQL,
 * ending with { NULL, NULL }. Tests run EXPLAIN QUERY PLAN on them. */
typedef struct {
  const char *name;
  const char *sql;
} TrajHotQuery;
const TrajHotQuery *traj_store_hot_queries (void);

G_END_DECLS
