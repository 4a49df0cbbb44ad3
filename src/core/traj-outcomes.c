/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "traj-outcomes"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "traj-outcomes.h"

/* Everything one computation needs, built once: the records sorted and
 * filtered by @now, so each rule below reads plain arrays. */
typedef struct {
  const TrajPatientRecords *r;
  const TrajThresholds *t;
  gint64 now;
  gint64 patient_id;
  GPtrArray *courses;       /* const TrajCourse*, by start day */
  GPtrArray *infusions;     /* const TrajInfusion*, by started_at, all */
  GPtrArray *assessments;   /* const TrajAssessment*, by taken_at, all */
  GPtrArray *outcomes;
  GPtrArray *findings;
  gboolean bare;            /* no sentences: traj_outcomes_compute_bare() */
} Ctx;

/* One course: its visible infusions and the days an unattached assessment
 * must fall between to count for it. */
typedef struct {
  const TrajCourse *course;
  GPtrArray *infusions;     /* const TrajInfusion*, visible, by started_at */
  int induction_length;
  gint32 span_start;        /* TRAJ_DAY_NONE: nothing attributed by date */
  gint32 span_end;          /* inclusive; TRAJ_DAY_NONE: open */
} CourseCtx;

/* One evaluation of the booster rule with L = series[l] (CLINICAL.md §3). */
typedef struct {
  gboolean fires;
  guint l;
  guint p;
  int n;                    /* index of the nadir, -1 when undefined */
  const TrajInfusion *last; /* the course's most recent infusion as of L */
} BoosterEval;

typedef struct {
  const char *code;
  const char *label;
} Pair;

static const Pair finding_kinds[] = {
  { "safety", N_("Safety") },
  { "booster", N_("A booster might be discussed") },
  { "no_response", N_("No response after induction") },
  { "monitoring", N_("Monitoring event") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (finding_kinds) == TRAJ_N_FINDING_KINDS);

static const Pair decisions[] = {
  { TRAJ_DECISION_BOOSTER_BOOKED, N_("Booster booked") },
  { TRAJ_DECISION_DECLINED, N_("Declined") },
  { TRAJ_DECISION_NOT_INDICATED, N_("Not indicated") },
  { TRAJ_DECISION_PLAN_REVIEWED, N_("Plan reviewed") },
  { TRAJ_DECISION_ACKNOWLEDGED, N_("Acknowledged") },
};

static const char * const booster_decisions[] = {
  TRAJ_DECISION_BOOSTER_BOOKED, TRAJ_DECISION_DECLINED, TRAJ_DECISION_NOT_INDICATED, NULL,
};
static const char * const no_response_decisions[] = { TRAJ_DECISION_PLAN_REVIEWED, NULL };
static const char * const acknowledge_decisions[] = { TRAJ_DECISION_ACKNOWLEDGED, NULL };
static const char * const no_decisions[] = { NULL };

/* ---- thresholds ---------------------------------------------------------- */

void
traj_thresholds_init_defaults (TrajThresholds *t)
{
  g_return_if_fail (t != NULL);

  memset (t, 0, sizeof *t);
  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      t->response_fraction[s->id] = s->response_fraction;
      t->mcid[s->id] = s->mcid;
      t->remission_max[s->id] = s->remission_max;
    }
  t->induction_length = 6;
  t->worsening_gap_days = 2;
  t->baseline_window_days = 14;
  t->systolic_max = 180;
  t->diastolic_max = 110;
  t->spo2_min = 92;
  t->heart_rate_max = 120;
  t->systolic_min = 90;
  t->heart_rate_min = 50;
  t->resp_rate_min = 10;
}

/* Reads a number whatever integer or double type the schema gives the key;
 * FALSE when the schema has no such key. */
static gboolean
settings_get_number (GSettings       *settings,
                     GSettingsSchema *schema,
                     const char      *key,
                     double          *out,
                     gboolean        *is_double)
{
  g_autoptr(GVariant) v = NULL;

  if (schema == NULL || !g_settings_schema_has_key (schema, key))
    return FALSE;
  v = g_settings_get_value (settings, key);
  *is_double = FALSE;
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE))
    {
      *out = g_variant_get_double (v);
      *is_double = TRUE;
    }
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32))
    *out = g_variant_get_int32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    *out = g_variant_get_uint32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    *out = (double) g_variant_get_int64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT64))
    *out = (double) g_variant_get_uint64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT16))
    *out = g_variant_get_int16 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16))
    *out = g_variant_get_uint16 (v);
  else
    {
      g_warning ("Setting %s has type %s, expected a number; using the default",
                 key, g_variant_get_type_string (v));
      return FALSE;
    }
  return TRUE;
}

/* The clinic's thresholds as clinic_setting keeps them (the text
 * g_variant_print gives, as traj-clinic-settings.c writes it), when no
 * GSettings is at hand: the store maintaining needs-attention in a write. */
static gboolean
values_get_number (GHashTable *values, const char *key, double *out, gboolean *is_double)
{
  const char *text = g_hash_table_lookup (values, key);
  g_autoptr(GVariant) v = NULL;

  if (text == NULL || (v = g_variant_parse (NULL, text, NULL, NULL, NULL)) == NULL)
    return FALSE;
  *is_double = g_variant_is_of_type (v, G_VARIANT_TYPE_DOUBLE);
  if (*is_double)
    *out = g_variant_get_double (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT32))
    *out = g_variant_get_int32 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_INT64))
    *out = (double) g_variant_get_int64 (v);
  else if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT32))
    *out = g_variant_get_uint32 (v);
  else
    return FALSE;
  return TRUE;
}

/* One source of threshold values: GSettings, or the clinic's own keys. */
typedef struct {
  GSettings *settings;
  GSettingsSchema *schema;
  GHashTable *values;
} Source;

static gboolean
source_get_number (const Source *src, const char *key, double *out, gboolean *is_double)
{
  if (src->values)
    return values_get_number (src->values, key, out, is_double);
  return settings_get_number (src->settings, src->schema, key, out, is_double);
}

static void
source_load_int (const Source *src, const char *key, int min, int max, int *field)
{
  double v;
  gboolean is_double;

  if (!source_get_number (src, key, &v, &is_double))
    return;
  if (v >= min && v <= max && v == floor (v))
    *field = (int) v;
  else
    g_warning ("Setting %s = %g is outside %d–%d; using %d", key, v, min, max, *field);
}

static void
thresholds_load (TrajThresholds *t, const Source *src)
{
  double v;
  gboolean is_double;

  traj_thresholds_init_defaults (t);

  for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
    {
      if (s->response_key && source_get_number (src, s->response_key, &v, &is_double))
        {
          /* An integer key holds whole per cent. */
          if (!is_double || v > 1.0)
            v /= 100.0;
          if (v > 0.0 && v <= 1.0)
            t->response_fraction[s->id] = v;
          else
            g_warning ("Setting %s is outside 0–1; using %g", s->response_key, t->response_fraction[s->id]);
        }
      if (s->mcid_key)
        source_load_int (src, s->mcid_key, 1, s->total_max, &t->mcid[s->id]);
      if (s->remission_key)
        source_load_int (src, s->remission_key, s->total_min, s->total_max, &t->remission_max[s->id]);
    }

  source_load_int (src, "induction-length", 1, 24, &t->induction_length);
  source_load_int (src, "worsening-gap-days", 0, 365, &t->worsening_gap_days);
  source_load_int (src, "baseline-window-days", 0, 365, &t->baseline_window_days);
  source_load_int (src, "vitals-systolic-max", 50, 300, &t->systolic_max);
  source_load_int (src, "vitals-diastolic-max", 20, 200, &t->diastolic_max);
  source_load_int (src, "vitals-spo2-min", 50, 100, &t->spo2_min);
  source_load_int (src, "vitals-heart-rate-max", 20, 250, &t->heart_rate_max);
  source_load_int (src, "vitals-systolic-min", 50, 300, &t->systolic_min);
  source_load_int (src, "vitals-heart-rate-min", 20, 250, &t->heart_rate_min);
  source_load_int (src, "vitals-resp-rate-min", 4, 60, &t->resp_rate_min);
}

void
traj_thresholds_load (TrajThresholds *t,
                      GSettings      *settings)
{
  g_autoptr(GSettingsSchema) schema = NULL;
  Source src = { settings, NULL, NULL };

  g_return_if_fail (t != NULL);
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_object_get (settings, "settings-schema", &schema, NULL);
  src.schema = schema;
  thresholds_load (t, &src);
}

void
traj_thresholds_load_values (TrajThresholds *t,
                             GHashTable     *values)
{
  Source src = { NULL, NULL, values };

  g_return_if_fail (t != NULL);
  g_return_if_fail (values != NULL);
  thresholds_load (t, &src);
}

/* Every field in a fixed text form: equal thresholds, equal fingerprint,
 * whatever the struct's padding holds. */
gint64
traj_thresholds_fingerprint (const TrajThresholds *t)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize len = sizeof digest;
  guint64 v = 0;

  for (guint k = 0; k < TRAJ_N_SCALES; k++)
    g_string_append_printf (text, "%.17g/%d/%d;", t->response_fraction[k], t->mcid[k], t->remission_max[k]);
  g_string_append_printf (text, "%d/%d/%d/%d/%d/%d/%d/%d/%d/%d", t->induction_length, t->worsening_gap_days,
                          t->baseline_window_days, t->systolic_max, t->diastolic_max, t->spo2_min,
                          t->heart_rate_max, t->systolic_min, t->heart_rate_min, t->resp_rate_min);
  g_checksum_update (sum, (const guchar *) text->str, (gssize) text->len);
  g_checksum_get_digest (sum, digest, &len);
  for (guint k = 0; k < 8; k++)
    v = (v << 8) | digest[k];
  /* Positive, so it fits a signed column on either engine. */
  return (gint64) (v >> 1);
}

/* ---- kinds and decisions ------------------------------------------------- */

const char *
traj_finding_kind_to_string (TrajFindingKind kind)
{
  return (guint) kind < TRAJ_N_FINDING_KINDS ? finding_kinds[kind].code : NULL;
}

gboolean
traj_finding_kind_from_string (const char *s, TrajFindingKind *out)
{
  if (s == NULL)
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (finding_kinds); k++)
    if (g_str_equal (s, finding_kinds[k].code))
      {
        if (out)
          *out = (TrajFindingKind) k;
        return TRUE;
      }
  return FALSE;
}

const char *
traj_finding_kind_label (TrajFindingKind kind)
{
  return (guint) kind < TRAJ_N_FINDING_KINDS ? _(finding_kinds[kind].label) : "";
}

const char *
traj_decision_label (const char *code)
{
  if (code == NULL)
    return "";
  for (guint k = 0; k < G_N_ELEMENTS (decisions); k++)
    if (g_str_equal (code, decisions[k].code))
      return _(decisions[k].label);
  return code;
}

const char * const *
traj_finding_kind_decisions (TrajFindingKind kind)
{
  switch (kind)
    {
    case TRAJ_FINDING_BOOSTER:
      return booster_decisions;
    case TRAJ_FINDING_NO_RESPONSE:
      return no_response_decisions;
    case TRAJ_FINDING_SAFETY:
    case TRAJ_FINDING_MONITORING:
      return acknowledge_decisions;
    case TRAJ_N_FINDING_KINDS:
    default:
      return no_decisions;
    }
}

gboolean
traj_decision_closes (TrajFindingKind kind, const char *code)
{
  return code != NULL && g_strv_contains (traj_finding_kind_decisions (kind), code);
}

/* ---- findings and outcomes ---------------------------------------------- */

TrajFinding *
traj_finding_copy (const TrajFinding *f)
{
  TrajFinding *n;

  g_return_val_if_fail (f != NULL, NULL);

  n = g_memdup2 (f, sizeof *f);
  n->key = g_strdup (f->key);
  n->record_uids = g_strdupv (f->record_uids);
  n->sentence = g_strdup (f->sentence);
  n->decision = f->decision ? traj_flag_decision_copy (f->decision) : NULL;
  return n;
}

void
traj_finding_free (TrajFinding *f)
{
  if (f == NULL)
    return;
  g_free (f->key);
  g_strfreev (f->record_uids);
  g_free (f->sentence);
  g_clear_pointer (&f->decision, traj_flag_decision_free);
  g_free (f);
}

TrajFlagDecision *
traj_finding_new_decision (const TrajFinding *f,
                           const char        *decision,
                           const char        *note)
{
  TrajFlagDecision *d;

  g_return_val_if_fail (f != NULL, NULL);
  g_return_val_if_fail (decision != NULL, NULL);

  d = traj_flag_decision_new ();
  d->patient_id = f->patient_id;
  d->course_id = f->course_id;
  d->kind = g_strdup (traj_finding_kind_to_string (f->kind));
  d->finding_key = g_strdup (f->key);
  d->fired_at = f->fired_at;
  d->decision = g_strdup (decision);
  d->note = g_strdup (note ? note : "");
  return d;
}

char *
traj_finding_describe_closed (const TrajFinding *f)
{
  g_autofree char *when = NULL;

  g_return_val_if_fail (f != NULL, NULL);

  if (f->open)
    return NULL;
  when = f->closed_at != 0 ? traj_day_format (traj_day_from_time (f->closed_at)) : g_strdup ("—");
  switch (f->closed_by)
    {
    case TRAJ_CLOSED_BY_DECISION:
      {
        const TrajFlagDecision *d = f->decision;
        const char *label = d ? traj_decision_label (d->decision) : _("Decided");
        g_autofree char *head = NULL;

        if (d && d->decided_by && *d->decided_by)
          /* Translators: how a finding was closed: "Booster booked by Dr Ana Silva on 6 Dec 2026" */
          head = g_strdup_printf (_("%s by %s on %s"), label, d->decided_by, when);
        else
          /* Translators: how a finding was closed: "Booster booked on 6 Dec 2026" */
          head = g_strdup_printf (_("%s on %s"), label, when);
        if (d && d->note && *d->note)
          /* Translators: a decision and the clinician's note: "Declined by Dr X on 6 Dec 2026: travelling" */
          return g_strdup_printf (_("%s: %s"), head, d->note);
        return g_steal_pointer (&head);
      }
    case TRAJ_CLOSED_BY_INFUSION:
      return g_strdup_printf (_("Closed by an infusion on %s"), when);
    case TRAJ_CLOSED_BY_SCORES:
      if (f->kind == TRAJ_FINDING_NO_RESPONSE)
        return g_strdup_printf (_("Response reached on %s"), when);
      return g_strdup_printf (_("No longer met by later scores on %s"), when);
    case TRAJ_CLOSED_NOT:
    default:
      return g_strdup (_("Closed"));
    }
}

void
traj_outcome_free (TrajOutcome *o)
{
  if (o == NULL)
    return;
  g_free (o->no_baseline_reason);
  g_free (o);
}

void
traj_outcomes_free (TrajOutcomes *o)
{
  if (o == NULL)
    return;
  g_ptr_array_unref (o->outcomes);
  g_ptr_array_unref (o->findings);
  g_free (o);
}

/* ---- helpers ------------------------------------------------------------- */

static gboolean
visible (const Ctx *ctx, gint64 at)
{
  return ctx->now == TRAJ_TIME_NONE || at <= ctx->now;
}

static gint32
day_of (gint64 at)
{
  return traj_day_from_time (at);
}

static char *
format_day (gint64 at)
{
  return traj_day_format (day_of (at));
}

/* A record's uid, or a stand-in for records built in memory without one. */
static char *
ref_of (const char *uid, gint64 id)
{
  if (uid != NULL && *uid != '\0')
    return g_strdup (uid);
  return g_strdup_printf ("id-%" G_GINT64_FORMAT, id);
}

static char *
format_percent (double fraction)
{
  return g_strdup_printf ("%g", round (fraction * 1000.0) / 10.0);
}

/* Integer scores: "score <= R × B" compared without floating error. */
static gboolean
at_or_below_fraction (int score, double fraction, int baseline)
{
  return (double) score <= fraction * (double) baseline + 1e-9;
}

static int
response_cutoff (double fraction, int baseline)
{
  return traj_response_max_score (fraction * (double) baseline);
}

int
traj_response_max_score (double threshold)
{
  return (int) floor (threshold + 1e-9);
}

static const char *
scale_name (TrajScaleId scale)
{
  const TrajScale *s = traj_scale_get (scale);
  return s ? _(s->name) : "";
}

static int
compare_courses (gconstpointer a, gconstpointer b)
{
  const TrajCourse *x = *(const TrajCourse * const *) a;
  const TrajCourse *y = *(const TrajCourse * const *) b;

  if (x->start_day != y->start_day)
    return x->start_day < y->start_day ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int
compare_infusions (gconstpointer a, gconstpointer b)
{
  const TrajInfusion *x = *(const TrajInfusion * const *) a;
  const TrajInfusion *y = *(const TrajInfusion * const *) b;

  if (x->started_at != y->started_at)
    return x->started_at < y->started_at ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int
compare_assessments (gconstpointer a, gconstpointer b)
{
  const TrajAssessment *x = *(const TrajAssessment * const *) a;
  const TrajAssessment *y = *(const TrajAssessment * const *) b;

  if (x->taken_at != y->taken_at)
    return x->taken_at < y->taken_at ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static int
compare_findings (gconstpointer a, gconstpointer b)
{
  const TrajFinding *x = *(const TrajFinding * const *) a;
  const TrajFinding *y = *(const TrajFinding * const *) b;
  gboolean xs = x->kind == TRAJ_FINDING_SAFETY;
  gboolean ys = y->kind == TRAJ_FINDING_SAFETY;

  if (x->open != y->open)
    return x->open ? -1 : 1;
  if (xs != ys)
    return xs ? -1 : 1;
  if (x->fired_at != y->fired_at)
    return x->fired_at > y->fired_at ? -1 : 1;
  return strcmp (x->key, y->key);
}

static GPtrArray *
sorted_copy (GPtrArray *in, GCompareFunc compare)
{
  GPtrArray *out = g_ptr_array_sized_new (in ? in->len : 0);

  for (guint k = 0; in && k < in->len; k++)
    g_ptr_array_add (out, g_ptr_array_index (in, k));
  traj_records_sort (out, compare);
  return out;
}

/* The first visible patient infusion (any course) started after @after and
 * no later than @until (TRAJ_TIME_NONE: no limit). */
static const TrajInfusion *
infusion_after (const Ctx *ctx, gint64 after, gint64 until)
{
  for (guint k = 0; k < ctx->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (ctx->infusions, k);
      if (!visible (ctx, i->started_at) || i->started_at <= after)
        continue;
      if (until != TRAJ_TIME_NONE && i->started_at > until)
        break;
      return i;
    }
  return NULL;
}

/* The earliest visible decision that closes the finding @key of @kind. */
static const TrajFlagDecision *
find_decision (const Ctx *ctx, TrajFindingKind kind, const char *key)
{
  const TrajFlagDecision *best = NULL;

  for (guint k = 0; ctx->r->decisions && k < ctx->r->decisions->len; k++)
    {
      const TrajFlagDecision *d = g_ptr_array_index (ctx->r->decisions, k);

      if (d->deleted_at != 0 || !visible (ctx, d->decided_at) ||
          g_strcmp0 (d->finding_key, key) != 0 || !traj_decision_closes (kind, d->decision))
        continue;
      if (best == NULL || d->decided_at < best->decided_at)
        best = d;
    }
  return best;
}

static TrajFinding *
finding_new (const Ctx        *ctx,
             TrajFindingKind   kind,
             char             *key,
             gint64            course_id,
             TrajScaleId       scale,
             gint64            fired_at,
             GPtrArray        *uids,
             char             *sentence)
{
  TrajFinding *f = g_new0 (TrajFinding, 1);

  f->kind = kind;
  f->key = key;
  f->patient_id = ctx->patient_id;
  f->course_id = course_id;
  f->scale = scale;
  f->fired_at = fired_at;
  g_ptr_array_add (uids, NULL);
  f->record_uids = (char **) g_ptr_array_free (uids, FALSE);
  f->sentence = sentence;
  f->open = TRUE;
  f->closed_by = TRAJ_CLOSED_NOT;
  return f;
}

/* Applies a closing decision, when there is one; TRUE when it closed @f. */
static gboolean
close_by_decision (const Ctx *ctx, TrajFinding *f)
{
  const TrajFlagDecision *d = find_decision (ctx, f->kind, f->key);

  if (d == NULL)
    return FALSE;
  f->open = FALSE;
  f->closed_by = TRAJ_CLOSED_BY_DECISION;
  f->closed_at = d->decided_at;
  f->decision = traj_flag_decision_copy (d);
  return TRUE;
}

static void
close_by (TrajFinding *f, TrajClosedBy how, gint64 at)
{
  f->open = FALSE;
  f->closed_by = how;
  f->closed_by_infusion = how == TRAJ_CLOSED_BY_INFUSION;
  f->closed_at = at;
}

/* ---- courses and attribution --------------------------------------------- */

static int compare_courses (gconstpointer a, gconstpointer b);

/* The course that starts next after @c (in the engine's course order). */
static const TrajCourse *
next_course (const TrajPatientRecords *r, const TrajCourse *c)
{
  const TrajCourse *best = NULL;

  for (guint k = 0; k < r->courses->len; k++)
    {
      const TrajCourse *x = g_ptr_array_index (r->courses, k);
      if (compare_courses (&x, &c) > 0 && (best == NULL || compare_courses (&x, &best) < 0))
        best = x;
    }
  return best;
}

void
traj_outcomes_course_span (const TrajPatientRecords *r,
                           const TrajThresholds     *t,
                           gint64                    now,
                           const TrajCourse         *c,
                           gint32                   *span_start,
                           gint32                   *span_end)
{
  gint32 start = c->start_day;
  gint64 first = G_MAXINT64;
  const TrajCourse *next = next_course (r, c);

  for (guint k = 0; k < r->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
      if (i->course_id == c->id && (now == TRAJ_TIME_NONE || i->started_at <= now) && i->started_at < first)
        first = i->started_at;
    }
  if (first != G_MAXINT64)
    {
      gint32 first_day = day_of (first);
      if (start == TRAJ_DAY_NONE || first_day < start)
        start = first_day;
    }
  *span_start = start == TRAJ_DAY_NONE ? TRAJ_DAY_NONE : start - MAX (t->baseline_window_days, 0);
  *span_end = c->end_day;
  if (next != NULL && next->start_day != TRAJ_DAY_NONE &&
      (*span_end == TRAJ_DAY_NONE || next->start_day - 1 < *span_end))
    *span_end = next->start_day - 1;
}

gboolean
traj_outcomes_counts_for_course (const TrajPatientRecords *r,
                                 const TrajCourse         *c,
                                 gint32                    span_start,
                                 gint32                    span_end,
                                 const TrajAssessment     *a)
{
  gint32 day;

  if (a->course_id != 0)
    return a->course_id == c->id;
  if (a->infusion_id != 0)
    {
      for (guint k = 0; k < r->infusions->len; k++)
        {
          const TrajInfusion *i = g_ptr_array_index (r->infusions, k);
          if (i->id == a->infusion_id)
            {
              if (i->course_id != 0)
                return i->course_id == c->id;
              break;
            }
        }
    }
  if (span_start == TRAJ_DAY_NONE)
    return FALSE;
  day = day_of (a->taken_at);
  return day >= span_start && (span_end == TRAJ_DAY_NONE || day <= span_end);
}

static void
course_ctx_init (const Ctx *ctx, guint index_in_courses, CourseCtx *cc)
{
  const TrajCourse *c = g_ptr_array_index (ctx->courses, index_in_courses);

  cc->course = c;
  cc->infusions = g_ptr_array_new ();
  for (guint k = 0; k < ctx->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (ctx->infusions, k);
      if (i->course_id == c->id && visible (ctx, i->started_at))
        g_ptr_array_add (cc->infusions, (gpointer) i);
    }
  cc->induction_length = c->induction_length > 0 ? c->induction_length : ctx->t->induction_length;

  traj_outcomes_course_span (ctx->r, ctx->t, ctx->now, c, &cc->span_start, &cc->span_end);
}

static void
course_ctx_clear (CourseCtx *cc)
{
  g_clear_pointer (&cc->infusions, g_ptr_array_unref);
}

static const TrajInfusion *
first_infusion (const CourseCtx *cc)
{
  return cc->infusions->len ? g_ptr_array_index (cc->infusions, 0) : NULL;
}

static gboolean
attributed (const Ctx *ctx, const CourseCtx *cc, const TrajAssessment *a)
{
  return traj_outcomes_counts_for_course (ctx->r, cc->course, cc->span_start, cc->span_end, a);
}

/* Complete, visible assessments of @scale attributed to the course, in time
 * order: the only ones that enter outcome maths (drafts never do). */
static GPtrArray *
course_series (const Ctx *ctx, const CourseCtx *cc, TrajScaleId scale)
{
  GPtrArray *series = g_ptr_array_new ();

  for (guint k = 0; k < ctx->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (ctx->assessments, k);
      if (a->scale == scale && a->complete && a->total >= 0 &&
          visible (ctx, a->taken_at) && attributed (ctx, cc, a))
        g_ptr_array_add (series, (gpointer) a);
    }
  return series;
}

#define SERIES(s, k) ((const TrajAssessment *) g_ptr_array_index ((s), (k)))

/* CLINICAL.md §2: the last complete assessment taken on or before the start
 * of the first infusion and no more than the window's days before it. */
static int
find_baseline (const Ctx *ctx, const CourseCtx *cc, GPtrArray *series)
{
  const TrajInfusion *first = first_infusion (cc);
  gint32 first_day;
  int found = -1;

  if (first == NULL)
    return -1;
  first_day = day_of (first->started_at);
  for (guint k = 0; k < series->len; k++)
    {
      const TrajAssessment *a = SERIES (series, k);
      if (a->taken_at > first->started_at)
        break;
      if (first_day - day_of (a->taken_at) <= ctx->t->baseline_window_days)
        found = (int) k;
    }
  return found;
}

/* ---- outcomes ------------------------------------------------------------ */

static TrajOutcome *
compute_outcome (const Ctx *ctx, const CourseCtx *cc, TrajScaleId scale, GPtrArray *series)
{
  TrajOutcome *o = g_new0 (TrajOutcome, 1);
  const TrajInfusion *first = first_infusion (cc);
  double r = ctx->t->response_fraction[scale];
  int b = find_baseline (ctx, cc, series);

  o->course_id = cc->course->id;
  o->scale = scale;
  o->is_primary = scale == cc->course->primary_scale;
  o->n_assessments = (int) series->len;
  o->change_percent = NAN;
  o->remission_max = ctx->t->remission_max[scale];
  o->n_infusions = (int) cc->infusions->len;
  o->induction_length = cc->induction_length;
  o->induction_end_day = TRAJ_DAY_NONE;
  if (cc->induction_length > 0 && cc->infusions->len >= (guint) cc->induction_length)
    {
      const TrajInfusion *nth = g_ptr_array_index (cc->infusions, cc->induction_length - 1);
      o->induction_end_day = day_of (nth->started_at);
    }
  if (first != NULL)
    {
      const TrajInfusion *last = g_ptr_array_index (cc->infusions, cc->infusions->len - 1);
      o->first_infusion_at = first->started_at;
      o->last_infusion_at = last->started_at;
    }

  if (series->len > 0)
    {
      const TrajAssessment *latest = SERIES (series, series->len - 1);
      o->has_latest = TRUE;
      o->latest = latest->total;
      o->latest_at = latest->taken_at;
    }

  if (first == NULL)
    o->no_baseline_reason = g_strdup_printf (_("No infusion yet: the baseline is the last complete %s "
                                               "on or before the first infusion."),
                                             scale_name (scale));
  else if (b < 0)
    {
      g_autofree char *first_day = format_day (first->started_at);
      o->no_baseline_reason =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "No baseline: no complete %s within %d day before the first infusion (%s).",
                                      "No baseline: no complete %s within %d days before the first infusion (%s).",
                                      (gulong) ctx->t->baseline_window_days),
                         scale_name (scale), ctx->t->baseline_window_days, first_day);
    }
  else
    {
      const TrajAssessment *base = SERIES (series, b);
      o->has_baseline = TRUE;
      o->baseline = base->total;
      o->baseline_at = base->taken_at;
      o->remission_computable = TRUE;
      o->response_computable = base->total > 0;
      if (!o->response_computable)
        o->no_baseline_reason = g_strdup_printf (_("The %s baseline is 0, so the change in per cent and "
                                                   "response cannot be computed."),
                                                 scale_name (scale));
      if (o->has_latest)
        {
          o->has_change = TRUE;
          o->change_points = o->latest - o->baseline;
          if (o->baseline > 0)
            o->change_percent = 100.0 * (double) o->change_points / (double) o->baseline;
        }
      if (o->response_computable)
        o->response_threshold = r * (double) o->baseline;
    }

  for (guint k = 0; first != NULL && k < series->len; k++)
    {
      const TrajAssessment *a = SERIES (series, k);

      if (a->taken_at <= first->started_at)
        continue;
      if (!o->has_nadir || a->total < o->nadir)
        {
          o->has_nadir = TRUE;
          o->nadir = a->total;
          o->nadir_at = a->taken_at;
        }
      if (o->response_computable && !o->response_reached &&
          at_or_below_fraction (a->total, r, o->baseline))
        {
          o->response_reached = TRUE;
          o->response_at = a->taken_at;
        }
      if (o->remission_computable && !o->remission_reached && a->total <= o->remission_max)
        {
          o->remission_reached = TRUE;
          o->remission_at = a->taken_at;
        }
    }
  if (o->response_computable && o->has_latest)
    o->response_held = at_or_below_fraction (o->latest, r, o->baseline);
  return o;
}

/* ---- booster (CLINICAL.md §3) --------------------------------------------- */

static gboolean
worsening (const Ctx *ctx, TrajScaleId scale, int x, int nadir, int b)
{
  return (nadir >= 0 && x >= nadir + ctx->t->mcid[scale]) ||
         !at_or_below_fraction (x, ctx->t->response_fraction[scale], b);
}

static void
booster_eval (const Ctx        *ctx,
              const CourseCtx  *cc,
              GPtrArray        *series,
              int               b,
              guint             l,
              BoosterEval      *ev)
{
  const TrajAssessment *la = SERIES (series, l);
  const TrajInfusion *first = first_infusion (cc);
  TrajScaleId scale = cc->course->primary_scale;
  int base = SERIES (series, b)->total;
  gboolean responded = FALSE;
  int p = -1;
  int nadir = -1;

  memset (ev, 0, sizeof *ev);
  ev->l = l;
  ev->n = -1;
  if (first == NULL || la->taken_at <= first->started_at)
    return;

  /* The course's most recent infusion as of L; L must be after it. */
  for (guint k = 0; k < cc->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (cc->infusions, k);
      if (i->started_at > la->taken_at)
        break;
      ev->last = i;
    }
  if (ev->last == NULL || la->taken_at <= ev->last->started_at)
    return;

  for (guint k = 0; k <= l; k++)
    {
      const TrajAssessment *a = SERIES (series, k);
      if (a->taken_at > first->started_at &&
          at_or_below_fraction (a->total, ctx->t->response_fraction[scale], base))
        {
          responded = TRUE;
          break;
        }
    }
  if (!responded)
    return;

  /* P: the most recent assessment at least G days before L and after the
   * most recent infusion (those between P and L are ignored). */
  for (guint k = l; k > 0; k--)
    {
      const TrajAssessment *a = SERIES (series, k - 1);
      if (a->taken_at <= ev->last->started_at)
        break;
      if (day_of (la->taken_at) - day_of (a->taken_at) >= ctx->t->worsening_gap_days)
        {
          p = (int) (k - 1);
          break;
        }
    }
  if (p < 0)
    return;
  ev->p = (guint) p;

  /* N: the lowest score after the first infusion and before P. */
  for (int k = 0; k < p; k++)
    {
      const TrajAssessment *a = SERIES (series, k);
      if (a->taken_at <= first->started_at || a->taken_at >= SERIES (series, p)->taken_at)
        continue;
      if (ev->n < 0 || a->total < nadir)
        {
          ev->n = k;
          nadir = a->total;
        }
    }

  ev->fires = worsening (ctx, scale, SERIES (series, p)->total, nadir, base) &&
              worsening (ctx, scale, la->total, nadir, base);
}

static char *
booster_sentence (const Ctx *ctx, const CourseCtx *cc, GPtrArray *series, int b, const BoosterEval *ev)
{
  TrajScaleId scale = cc->course->primary_scale;
  const TrajAssessment *pa = SERIES (series, ev->p);
  const TrajAssessment *la = SERIES (series, ev->l);
  const TrajAssessment *base = SERIES (series, b);
  g_autofree char *p_day = format_day (pa->taken_at);
  g_autofree char *l_day = format_day (la->taken_at);
  g_autofree char *b_day = format_day (base->taken_at);
  g_autofree char *rise = NULL;
  g_autofree char *since = NULL;
  g_autofree char *points = NULL;
  g_autofree char *percent = format_percent (ctx->t->response_fraction[scale]);
  g_autofree char *rule = NULL;
  int days = day_of (la->taken_at) - day_of (ev->last->started_at);
  int m = ctx->t->mcid[scale];
  int g = ctx->t->worsening_gap_days;

  if (ev->n >= 0)
    {
      const TrajAssessment *na = SERIES (series, ev->n);
      g_autofree char *n_day = format_day (na->taken_at);
      /* Translators: "PHQ-9 rose from 6 (lowest, 3 Mar 2026) to 13 and 14 on 24 Mar 2026 and 28 Mar 2026" */
      rise = g_strdup_printf (_("%s rose from %d (lowest, %s) to %d and %d on %s and %s"),
                              scale_name (scale), na->total, n_day, pa->total, la->total, p_day, l_day);
    }
  else
    {
      /* Translators: "PHQ-9 rose to 12 and 13 on 3 Apr 2026 and 7 Apr 2026" */
      rise = g_strdup_printf (_("%s rose to %d and %d on %s and %s"),
                              scale_name (scale), pa->total, la->total, p_day, l_day);
    }
  {
    g_autofree char *inf_day = format_day (ev->last->started_at);

    /* Counted to the day of the later score, not to today (the page header
     * counts to today): the sentence names both days so the two never read
     * as a contradiction. */
    if (ev->last->route == TRAJ_ROUTE_INTRANASAL)
      /* Esketamine nasal spray is given in sessions, as the editor and
       * the patient page say. */
      /* Translators: "12 Mar 2026 was 11 days after the last session (1 Mar 2026)." */
      since = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%s was %d day after the last session (%s).",
                                            "%s was %d days after the last session (%s).", (gulong) ABS (days)),
                               l_day, days, inf_day);
    else
      /* Translators: "12 Mar 2026 was 11 days after the last infusion (1 Mar 2026)." */
      since = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                            "%s was %d day after the last infusion (%s).",
                                            "%s was %d days after the last infusion (%s).", (gulong) ABS (days)),
                               l_day, days, inf_day);
  }
  points = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d point", "%d points", (gulong) m), m);
  rule = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "A booster might be discussed (the app’s rule: a rise of at least %s "
                                       "from the lowest score, or above %s %% of the baseline of %d on %s, "
                                       "on two assessments at least %d day apart).",
                                       "A booster might be discussed (the app’s rule: a rise of at least %s "
                                       "from the lowest score, or above %s %% of the baseline of %d on %s, "
                                       "on two assessments at least %d days apart).",
                                       (gulong) g),
                          points, percent, base->total, b_day, g);
  /* Translators: the clauses of a booster finding: "<rise>; <days since>. <rule>" */
  return g_strdup_printf (_("%s; %s %s"), rise, since, rule);
}

typedef struct {
  GArray *evals;            /* BoosterEval, every firing one of the episode */
  gboolean again;           /* it began by firing again after a decision (§7) */
} Episode;

/* The episode's key: the P of its first firing; an episode that fires again
 * after a decision adds the L of its first firing, since its P may be the P
 * the decided episode was keyed by. */
static char *
episode_key (const CourseCtx *cc, GPtrArray *series, const Episode *ep)
{
  const BoosterEval *first_ev = &g_array_index (ep->evals, BoosterEval, 0);
  const TrajAssessment *pa = SERIES (series, first_ev->p);
  const TrajAssessment *la = SERIES (series, first_ev->l);
  g_autofree char *course_ref = ref_of (cc->course->uid, cc->course->id);
  g_autofree char *p_ref = ref_of (pa->uid, pa->id);
  g_autofree char *l_ref = NULL;

  if (!ep->again)
    return g_strdup_printf ("booster:%s:%s", course_ref, p_ref);
  l_ref = ref_of (la->uid, la->id);
  return g_strdup_printf ("booster:%s:%s:%s", course_ref, p_ref, l_ref);
}

/* The firing the clinician saw when deciding: the last L of the episode
 * taken at or before the decision. */
static const BoosterEval *
decided_eval (GPtrArray *series, const Episode *ep, const TrajFlagDecision *d)
{
  const BoosterEval *shown = &g_array_index (ep->evals, BoosterEval, 0);

  for (guint k = 0; k < ep->evals->len; k++)
    {
      const BoosterEval *e = &g_array_index (ep->evals, BoosterEval, k);
      if (SERIES (series, e->l)->taken_at <= d->decided_at)
        shown = e;
    }
  return shown;
}

/* CLINICAL.md §7: after a decision the rule fires again as a new finding when
 * a later score is at least M above the score decided on, or when it still
 * fires TRAJ_BOOSTER_REMIND_DAYS after "declined" or "not indicated". */
static gboolean
fires_again (const Ctx *ctx, const CourseCtx *cc, GPtrArray *series, const Episode *ep,
             const BoosterEval *ev)
{
  g_autofree char *key = episode_key (cc, series, ep);
  const TrajFlagDecision *d = find_decision (ctx, TRAJ_FINDING_BOOSTER, key);
  const TrajAssessment *la = SERIES (series, ev->l);
  const TrajAssessment *decided_on;

  if (d == NULL || la->taken_at <= d->decided_at)
    return FALSE;
  decided_on = SERIES (series, decided_eval (series, ep, d)->l);
  if (la->total >= decided_on->total + ctx->t->mcid[cc->course->primary_scale])
    return TRUE;
  return g_strcmp0 (d->decision, TRAJ_DECISION_BOOSTER_BOOKED) != 0 &&
         day_of (la->taken_at) - day_of (d->decided_at) >= TRAJ_BOOSTER_REMIND_DAYS;
}

static void
episode_finish (Ctx              *ctx,
                const CourseCtx  *cc,
                GPtrArray        *series,
                int               b,
                Episode          *ep,
                int               ended_at)  /* index of the first non-firing L, or -1 */
{
  const BoosterEval *last_ev = &g_array_index (ep->evals, BoosterEval, ep->evals->len - 1);
  const BoosterEval *shown = last_ev;
  const TrajAssessment *last_l = SERIES (series, last_ev->l);
  gint64 until = ended_at >= 0 ? SERIES (series, ended_at)->taken_at : TRAJ_TIME_NONE;
  const TrajInfusion *later = infusion_after (ctx, last_l->taken_at, until);
  GPtrArray *uids = g_ptr_array_new ();
  char *key = episode_key (cc, series, ep);
  TrajFinding *f;

  /* A decided episode reads as it was when the clinician decided. */
  {
    const TrajFlagDecision *d = find_decision (ctx, TRAJ_FINDING_BOOSTER, key);
    if (d != NULL)
      shown = decided_eval (series, ep, d);
  }

  g_ptr_array_add (uids, ref_of (SERIES (series, b)->uid, SERIES (series, b)->id));
  if (shown->n >= 0)
    g_ptr_array_add (uids, ref_of (SERIES (series, shown->n)->uid, SERIES (series, shown->n)->id));
  g_ptr_array_add (uids, ref_of (SERIES (series, shown->p)->uid, SERIES (series, shown->p)->id));
  g_ptr_array_add (uids, ref_of (SERIES (series, shown->l)->uid, SERIES (series, shown->l)->id));
  g_ptr_array_add (uids, ref_of (shown->last->uid, shown->last->id));

  f = finding_new (ctx, TRAJ_FINDING_BOOSTER, key, cc->course->id, cc->course->primary_scale,
                   SERIES (series, shown->l)->taken_at, uids,
                   ctx->bare ? NULL : booster_sentence (ctx, cc, series, b, shown));

  if (!close_by_decision (ctx, f))
    {
      if (later != NULL)
        close_by (f, TRAJ_CLOSED_BY_INFUSION, later->started_at);
      else if (ended_at >= 0)
        close_by (f, TRAJ_CLOSED_BY_SCORES, SERIES (series, ended_at)->taken_at);
    }
  g_ptr_array_add (ctx->findings, f);
  g_array_set_size (ep->evals, 0);
  ep->again = FALSE;
}

/* Replays the rule at every assessment of the primary scale, so episodes that
 * an infusion, a decision or better scores closed stay in the history. */
static void
booster_findings (Ctx *ctx, const CourseCtx *cc, GPtrArray *series, int b)
{
  Episode ep = { g_array_new (FALSE, TRUE, sizeof (BoosterEval)), FALSE };

  if (b < 0 || SERIES (series, b)->total <= 0)
    {
      g_array_unref (ep.evals);
      return;
    }

  for (guint l = 0; l < series->len; l++)
    {
      BoosterEval ev;

      booster_eval (ctx, cc, series, b, l, &ev);
      if (ev.fires)
        {
          if (ep.evals->len > 0)
            {
              const BoosterEval *prev = &g_array_index (ep.evals, BoosterEval, ep.evals->len - 1);
              /* An infusion in between (even of another course) ends the episode. */
              if (infusion_after (ctx, SERIES (series, prev->l)->taken_at,
                                  SERIES (series, l)->taken_at) != NULL)
                episode_finish (ctx, cc, series, b, &ep, (int) l);
              else if (fires_again (ctx, cc, series, &ep, &ev))
                {
                  episode_finish (ctx, cc, series, b, &ep, (int) l);
                  ep.again = TRUE;
                }
            }
          g_array_append_val (ep.evals, ev);
        }
      else if (ep.evals->len > 0)
        episode_finish (ctx, cc, series, b, &ep, (int) l);
    }
  if (ep.evals->len > 0)
    episode_finish (ctx, cc, series, b, &ep, -1);
  g_array_unref (ep.evals);
}

/* ---- no response after induction (CLINICAL.md §3) -------------------------- */

static void
no_response_finding (Ctx *ctx, const CourseCtx *cc, GPtrArray *series, int b)
{
  TrajScaleId scale = cc->course->primary_scale;
  const TrajInfusion *first = first_infusion (cc);
  const TrajInfusion *nth;
  const TrajAssessment *base;
  const TrajAssessment *dated = NULL;
  const TrajAssessment *lowest = NULL;
  const TrajAssessment *reached_later = NULL;
  double r = ctx->t->response_fraction[scale];
  int n = cc->induction_length;
  GPtrArray *uids;
  TrajFinding *f;
  g_autofree char *b_day = NULL;
  g_autofree char *d_day = NULL;
  g_autofree char *nth_day = NULL;
  g_autofree char *low_day = NULL;
  g_autofree char *head = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *percent = NULL;
  g_autofree char *rule = NULL;
  g_autofree char *course_ref = NULL;

  if (b < 0 || SERIES (series, b)->total <= 0 || n < 1 || cc->infusions->len < (guint) n)
    return;
  base = SERIES (series, b);
  nth = g_ptr_array_index (cc->infusions, n - 1);

  for (guint k = 0; k < series->len; k++)
    {
      const TrajAssessment *a = SERIES (series, k);

      if (a->taken_at <= first->started_at)
        continue;
      if (dated == NULL)
        {
          if (at_or_below_fraction (a->total, r, base->total))
            return;           /* responded by the end of induction: no finding */
          if (lowest == NULL || a->total < lowest->total)
            lowest = a;
          if (a->taken_at > nth->started_at)
            dated = a;
        }
      else if (at_or_below_fraction (a->total, r, base->total))
        {
          reached_later = a;
          break;
        }
    }
  if (dated == NULL)
    return;

  if (!ctx->bare)
    {
      b_day = format_day (base->taken_at);
      d_day = format_day (dated->taken_at);
      nth_day = format_day (nth->started_at);
      low_day = format_day (lowest->taken_at);
      percent = format_percent (r);
      head = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "No response after %d infusion: the treatment plan might be reviewed.",
                                           "No response after %d infusions: the treatment plan might be reviewed.",
                                           (gulong) n),
                              n);
      detail = g_strdup_printf (_("%s was %d at baseline (%s) and %d on %s, after the last induction "
                                  "infusion on %s; the lowest since the first infusion was %d (%s)."),
                                scale_name (scale), base->total, b_day, dated->total, d_day, nth_day,
                                lowest->total, low_day);
      rule = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "(The app’s rule: response is a score of %d or less, %s %% of baseline; "
                                           "induction is %d infusion.)",
                                           "(The app’s rule: response is a score of %d or less, %s %% of baseline; "
                                           "induction is %d infusions.)",
                                           (gulong) n),
                              response_cutoff (r, base->total), percent, n);
    }

  uids = g_ptr_array_new ();
  g_ptr_array_add (uids, ref_of (base->uid, base->id));
  g_ptr_array_add (uids, ref_of (nth->uid, nth->id));
  g_ptr_array_add (uids, ref_of (dated->uid, dated->id));
  course_ref = ref_of (cc->course->uid, cc->course->id);
  f = finding_new (ctx, TRAJ_FINDING_NO_RESPONSE,
                   g_strdup_printf ("no_response:%s", course_ref),
                   cc->course->id, scale, dated->taken_at, uids,
                   ctx->bare ? NULL : g_strdup_printf ("%s %s %s", head, detail, rule));
  if (!close_by_decision (ctx, f) && reached_later != NULL)
    close_by (f, TRAJ_CLOSED_BY_SCORES, reached_later->taken_at);
  g_ptr_array_add (ctx->findings, f);
}

/* ---- safety and monitoring (CLINICAL.md §4) ------------------------------- */

guint
traj_vital_sign_monitoring_events (const TrajVitalSign  *v,
                                   const TrajThresholds *t)
{
  guint over = 0;

  if (v->systolic >= 0 && v->systolic >= t->systolic_max)
    over |= TRAJ_VITAL_OVER_SYSTOLIC;
  if (v->diastolic >= 0 && v->diastolic >= t->diastolic_max)
    over |= TRAJ_VITAL_OVER_DIASTOLIC;
  if (v->heart_rate >= 0 && v->heart_rate > t->heart_rate_max)
    over |= TRAJ_VITAL_OVER_HEART_RATE;
  if (v->spo2 >= 0 && v->spo2 < t->spo2_min)
    over |= TRAJ_VITAL_UNDER_SPO2;
  if (v->systolic >= 0 && v->systolic < t->systolic_min)
    over |= TRAJ_VITAL_UNDER_SYSTOLIC;
  if (v->heart_rate >= 0 && v->heart_rate < t->heart_rate_min)
    over |= TRAJ_VITAL_UNDER_HEART_RATE;
  if (v->resp_rate >= 0 && v->resp_rate < t->resp_rate_min)
    over |= TRAJ_VITAL_UNDER_RESP_RATE;
  return over;
}

static void
safety_findings (Ctx *ctx)
{
  /* Always on, whatever the thresholds or @now: a draft counts too. */
  for (guint k = 0; k < ctx->assessments->len; k++)
    {
      const TrajAssessment *a = g_ptr_array_index (ctx->assessments, k);
      const TrajScale *scale = traj_scale_get (a->scale);
      /* The highest answer the patient gave, even if changed later. */
      int v = traj_assessment_safety_answer (a);
      int last = traj_scale_safety_answer (a->scale, a->items);
      const TrajItem *item;
      const char *answer;
      g_autofree char *day = NULL;
      g_autofree char *what = NULL;
      g_autofree char *ref = NULL;
      GPtrArray *uids;
      TrajFinding *f;

      if (v < 1)
        continue;
      ref = ref_of (a->uid, a->id);
      uids = g_ptr_array_new ();
      g_ptr_array_add (uids, g_strdup (ref));
      f = finding_new (ctx, TRAJ_FINDING_SAFETY, g_strdup_printf ("safety:%s", ref), 0,
                       a->scale, a->taken_at, uids, NULL);
      close_by_decision (ctx, f);
      g_ptr_array_add (ctx->findings, f);
      if (ctx->bare)
        continue;
      item = &scale->items[scale->safety_item - 1];
      answer = traj_scale_answer_label (scale, v);
      day = format_day (a->taken_at);
      if (a->complete)
        /* Translators: "PHQ-9 item 9 (“Thoughts that…”) was answered “Several days” (1) on 3 Mar 2026." */
        what = g_strdup_printf (_("%s item %u (“%s”) was answered “%s” (%d) on %s."),
                                _(scale->name), scale->safety_item, _(item->text), answer ? answer : "", v, day);
      else
        what = g_strdup_printf (_("%s item %u (“%s”) was answered “%s” (%d) on %s, in an incomplete "
                                  "questionnaire."),
                                _(scale->name), scale->safety_item, _(item->text), answer ? answer : "", v, day);
      if (last < v)
        {
          const char *now = traj_scale_answer_label (scale, last);
          char *with_change;

          /* Translators: follows "… was answered “Several days” (1) on 3 Mar 2026." */
          with_change = g_strdup_printf (_("%s The answer was later changed to “%s” (%d)."), what, now ? now : "",
                                         last);
          g_free (what);
          what = with_change;
        }
      f->sentence = g_strdup_printf ("%s %s", what,
                                     _("A clinician should talk with the patient and acknowledge "
                                       "this finding (any answer above 0 on item 9 is a safety finding)."));
    }
}

static void
monitoring_findings (Ctx *ctx)
{
  const TrajThresholds *t = ctx->t;

  for (guint k = 0; k < ctx->infusions->len; k++)
    {
      const TrajInfusion *i = g_ptr_array_index (ctx->infusions, k);
      const TrajVitalSign *sys = NULL, *dia = NULL, *spo2 = NULL, *hr = NULL;
      const TrajVitalSign *sys_low = NULL, *hr_low = NULL, *rr_low = NULL;
      g_autoptr(GPtrArray) parts = NULL;
      g_autofree char *joined = NULL;
      g_autofree char *day = NULL;
      g_autofree char *ref = NULL;
      GPtrArray *uids;
      TrajFinding *f;

      /* The most extreme reading of each kind that crossed its limit. */
      for (guint j = 0; i->vitals && j < i->vitals->len; j++)
        {
          const TrajVitalSign *v = g_ptr_array_index (i->vitals, j);
          guint over = traj_vital_sign_monitoring_events (v, t);

          if ((over & TRAJ_VITAL_OVER_SYSTOLIC) && (sys == NULL || v->systolic > sys->systolic))
            sys = v;
          if ((over & TRAJ_VITAL_OVER_DIASTOLIC) && (dia == NULL || v->diastolic > dia->diastolic))
            dia = v;
          if ((over & TRAJ_VITAL_UNDER_SPO2) && (spo2 == NULL || v->spo2 < spo2->spo2))
            spo2 = v;
          if ((over & TRAJ_VITAL_OVER_HEART_RATE) && (hr == NULL || v->heart_rate > hr->heart_rate))
            hr = v;
          if ((over & TRAJ_VITAL_UNDER_SYSTOLIC) && (sys_low == NULL || v->systolic < sys_low->systolic))
            sys_low = v;
          if ((over & TRAJ_VITAL_UNDER_HEART_RATE) && (hr_low == NULL || v->heart_rate < hr_low->heart_rate))
            hr_low = v;
          if ((over & TRAJ_VITAL_UNDER_RESP_RATE) && (rr_low == NULL || v->resp_rate < rr_low->resp_rate))
            rr_low = v;
        }
      /* CLINICAL.md §8: a lowest MOAA/S of 0 (no response) is a monitoring
       * event; 1–3 is sedation, summarised, not an event. */
      if (sys == NULL && dia == NULL && spo2 == NULL && hr == NULL &&
          sys_low == NULL && hr_low == NULL && rr_low == NULL && i->moaas_lowest != 0)
        continue;

      parts = g_ptr_array_new_with_free_func (g_free);
      uids = g_ptr_array_new ();
      ref = ref_of (i->uid, i->id);
      g_ptr_array_add (uids, g_strdup (ref));
      if (sys)
        g_ptr_array_add (parts, g_strdup_printf (_("systolic blood pressure %d mmHg at minute %d (limit: %d or higher)"),
                                                 sys->systolic, sys->minute, t->systolic_max));
      if (dia)
        g_ptr_array_add (parts, g_strdup_printf (_("diastolic blood pressure %d mmHg at minute %d (limit: %d or higher)"),
                                                 dia->diastolic, dia->minute, t->diastolic_max));
      if (spo2)
        g_ptr_array_add (parts, g_strdup_printf (_("SpO₂ %d %% at minute %d (limit: below %d %%)"),
                                                 spo2->spo2, spo2->minute, t->spo2_min));
      if (hr)
        g_ptr_array_add (parts, g_strdup_printf (_("heart rate %d/min at minute %d (limit: above %d/min)"),
                                                 hr->heart_rate, hr->minute, t->heart_rate_max));
      if (sys_low)
        g_ptr_array_add (parts, g_strdup_printf (_("low systolic blood pressure %d mmHg at minute %d (limit: below %d)"),
                                                 sys_low->systolic, sys_low->minute, t->systolic_min));
      if (hr_low)
        g_ptr_array_add (parts, g_strdup_printf (_("low heart rate %d/min at minute %d (limit: below %d/min)"),
                                                 hr_low->heart_rate, hr_low->minute, t->heart_rate_min));
      if (rr_low)
        g_ptr_array_add (parts, g_strdup_printf (_("respiratory depression: respiratory rate %d/min at minute %d "
                                                   "(limit: below %d/min)"),
                                                 rr_low->resp_rate, rr_low->minute, t->resp_rate_min));
      if (i->moaas_lowest == 0)
        g_ptr_array_add (parts, g_strdup (_("no response to stimulation (lowest MOAA/S 0)")));
      {
        const TrajVitalSign *crossed[] = { sys, dia, spo2, hr, sys_low, hr_low, rr_low };
        for (guint j = 0; j < G_N_ELEMENTS (crossed); j++)
          {
            gboolean seen = FALSE;
            if (crossed[j] == NULL || crossed[j]->uid == NULL)
              continue;
            for (guint m = 0; m < uids->len; m++)
              seen |= g_strcmp0 (g_ptr_array_index (uids, m), crossed[j]->uid) == 0;
            if (!seen)
              g_ptr_array_add (uids, g_strdup (crossed[j]->uid));
          }
      }
      g_ptr_array_add (parts, NULL);
      /* Translators: joins the vital signs that crossed a limit */
      joined = g_strjoinv (_("; "), (char **) parts->pdata);
      day = format_day (i->started_at);
      f = finding_new (ctx, TRAJ_FINDING_MONITORING, g_strdup_printf ("monitoring:%s", ref),
                       i->course_id, TRAJ_SCALE_NONE, i->started_at, uids,
                       ctx->bare ? NULL
                                 : g_strdup_printf (_("Monitoring event during the infusion on %s: %s."), day, joined));
      close_by_decision (ctx, f);
      g_ptr_array_add (ctx->findings, f);
    }
}

/* ---- public API ----------------------------------------------------------- */

static TrajOutcomes *
compute (const TrajPatientRecords *r,
         const TrajThresholds     *t,
         gint64                    now,
         gboolean                  bare)
{
  TrajOutcomes *out;
  Ctx ctx = { 0 };

  g_return_val_if_fail (r != NULL, NULL);
  g_return_val_if_fail (t != NULL, NULL);

  ctx.bare = bare;
  ctx.r = r;
  ctx.t = t;
  ctx.now = now;
  ctx.patient_id = r->patient ? r->patient->id : 0;
  ctx.courses = sorted_copy (r->courses, compare_courses);
  ctx.infusions = sorted_copy (r->infusions, compare_infusions);
  ctx.assessments = sorted_copy (r->assessments, compare_assessments);
  ctx.outcomes = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_outcome_free);
  ctx.findings = g_ptr_array_new_with_free_func ((GDestroyNotify) traj_finding_free);

  for (guint k = 0; k < ctx.courses->len; k++)
    {
      CourseCtx cc;
      TrajScaleId primary;

      course_ctx_init (&ctx, k, &cc);
      primary = cc.course->primary_scale;
      if (!traj_scale_is_outcome (primary))
        primary = TRAJ_SCALE_NONE;

      if (primary != TRAJ_SCALE_NONE)
        {
          g_autoptr(GPtrArray) series = course_series (&ctx, &cc, primary);
          int b = find_baseline (&ctx, &cc, series);

          g_ptr_array_add (ctx.outcomes, compute_outcome (&ctx, &cc, primary, series));
          booster_findings (&ctx, &cc, series, b);
          no_response_finding (&ctx, &cc, series, b);
        }
      for (const TrajScale *s = traj_scale_next_outcome (NULL); s; s = traj_scale_next_outcome (s))
        {
          g_autoptr(GPtrArray) series = NULL;

          if (s->id == primary)
            continue;
          series = course_series (&ctx, &cc, s->id);
          if (series->len > 0)
            g_ptr_array_add (ctx.outcomes, compute_outcome (&ctx, &cc, s->id, series));
        }
      course_ctx_clear (&cc);
    }

  safety_findings (&ctx);
  monitoring_findings (&ctx);
  g_ptr_array_sort (ctx.findings, compare_findings);

  g_ptr_array_unref (ctx.courses);
  g_ptr_array_unref (ctx.infusions);
  g_ptr_array_unref (ctx.assessments);

  out = g_new0 (TrajOutcomes, 1);
  out->outcomes = ctx.outcomes;
  out->findings = ctx.findings;
  return out;
}

TrajOutcomes *
traj_outcomes_compute (const TrajPatientRecords *r,
                       const TrajThresholds     *t,
                       gint64                    now)
{
  return compute (r, t, now, FALSE);
}

TrajOutcomes *
traj_outcomes_compute_bare (const TrajPatientRecords *r,
                            const TrajThresholds     *t,
                            gint64                    now)
{
  return compute (r, t, now, TRUE);
}

guint
traj_outcomes_n_open (const TrajOutcomes *o)
{
  guint n = 0;

  g_return_val_if_fail (o != NULL, 0);

  for (guint k = 0; k < o->findings->len; k++)
    n += ((const TrajFinding *) g_ptr_array_index (o->findings, k))->open ? 1 : 0;
  return n;
}

gboolean
traj_outcomes_has_open_safety (const TrajOutcomes *o)
{
  g_return_val_if_fail (o != NULL, FALSE);

  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (f->open && f->kind == TRAJ_FINDING_SAFETY)
        return TRUE;
    }
  return FALSE;
}

const TrajOutcome *
traj_outcomes_find (const TrajOutcomes *o, gint64 course_id, TrajScaleId scale)
{
  g_return_val_if_fail (o != NULL, NULL);

  for (guint k = 0; k < o->outcomes->len; k++)
    {
      const TrajOutcome *x = g_ptr_array_index (o->outcomes, k);
      if (x->course_id == course_id && x->scale == scale)
        return x;
    }
  return NULL;
}

const TrajFinding *
traj_outcomes_find_finding (const TrajOutcomes *o, const char *key)
{
  g_return_val_if_fail (o != NULL, NULL);

  for (guint k = 0; key && k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (g_str_equal (f->key, key))
        return f;
    }
  return NULL;
}

/* ---- attention for the patient list ------------------------------------ */

typedef struct {
  GHashTable *by_id;              /* gint64* → TrajPatientSummary* */
  const TrajThresholds *t;
  gint64 now;
} FillData;

/* The first time after @now a record of @r becomes visible to the engine
 * (an infusion's start, an assessment's time, a decision's): until then the
 * findings at any later moment equal those at @now. */
static gint64
next_visible_after (const TrajPatientRecords *r, gint64 now)
{
  gint64 next = TRAJ_TIME_NONE;

#define CONSIDER(at) \
  G_STMT_START { gint64 at_ = (at); \
    if (at_ != TRAJ_TIME_NONE && at_ > now && (next == TRAJ_TIME_NONE || at_ < next)) next = at_; } G_STMT_END
  for (guint k = 0; r->infusions && k < r->infusions->len; k++)
    CONSIDER (((const TrajInfusion *) g_ptr_array_index (r->infusions, k))->started_at);
  for (guint k = 0; r->assessments && k < r->assessments->len; k++)
    CONSIDER (((const TrajAssessment *) g_ptr_array_index (r->assessments, k))->taken_at);
  for (guint k = 0; r->decisions && k < r->decisions->len; k++)
    CONSIDER (((const TrajFlagDecision *) g_ptr_array_index (r->decisions, k))->decided_at);
#undef CONSIDER
  return next;
}

static void
attention_from (const TrajPatientRecords *r, const TrajOutcomes *o, gint64 now, TrajAttention *out)
{
  gint64 risk_at = r->patient ? r->patient->risk_si_at : TRAJ_TIME_NONE;

  out->open_findings = (int) traj_outcomes_n_open (o);
  out->safety_open = traj_outcomes_has_open_safety (o);
  out->risk_flag = risk_at != TRAJ_TIME_NONE;
  out->oldest_open_at = TRAJ_TIME_NONE;
  for (guint k = 0; k < o->findings->len; k++)
    {
      const TrajFinding *f = g_ptr_array_index (o->findings, k);
      if (f->open && (out->oldest_open_at == TRAJ_TIME_NONE || f->fired_at < out->oldest_open_at))
        out->oldest_open_at = f->fired_at;
    }
  /* The suicidal-ideation risk flag (CLINICAL.md §8) is safety, and open
   * for as long as it is set: it counts as one item on the work list. */
  if (out->risk_flag)
    {
      out->open_findings++;
      out->safety_open = TRUE;
      if (out->oldest_open_at == TRAJ_TIME_NONE || risk_at < out->oldest_open_at)
        out->oldest_open_at = risk_at;
    }
  out->valid_until = now == TRAJ_TIME_NONE ? TRAJ_TIME_NONE : next_visible_after (r, now);
}

void
traj_outcomes_attention (const TrajPatientRecords *r,
                         const TrajThresholds     *t,
                         gint64                    now,
                         TrajAttention            *out)
{
  g_autoptr(TrajOutcomes) o = NULL;

  g_return_if_fail (r != NULL && t != NULL && out != NULL);

  o = traj_outcomes_compute (r, t, now);
  attention_from (r, o, now, out);
  out->rules = traj_thresholds_fingerprint (t);
}

void
traj_attention_apply (const TrajAttention *a, TrajPatientSummary *s)
{
  s->open_findings = a->open_findings;
  s->safety_open = a->safety_open;
  s->risk_flag = a->risk_flag;
  s->oldest_open_at = a->oldest_open_at;
  s->attention_rules = a->rules;
  s->attention_valid_until = a->valid_until;
}

gboolean
traj_attention_is_current (const TrajPatientSummary *s, gint64 rules, gint64 now)
{
  return s->open_findings >= 0 && s->attention_rules == rules &&
         (s->attention_valid_until == TRAJ_TIME_NONE || s->attention_valid_until > now);
}

static gboolean
fill_one (TrajPatientRecords *r, gpointer user_data)
{
  FillData *d = user_data;
  TrajPatientSummary *s = g_hash_table_lookup (d->by_id, &r->patient->id);

  if (s)
    {
      TrajAttention a;
      traj_outcomes_attention (r, d->t, d->now, &a);
      traj_attention_apply (&a, s);
    }
  return TRUE;
}

/* Patients at most this many stale: each read on its own; more: one pass
 * over the clinic's narrow read. */
#define FEW_STALE 200

gboolean
traj_outcomes_fill_summaries (TrajStore            *store,
                              GPtrArray            *summaries,
                              const TrajThresholds *t,
                              gint64                now,
                              GCancellable         *cancellable,
                              GError              **error)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  FillData d = { by_id, t, now };
  gint64 rules = traj_thresholds_fingerprint (t);

  for (guint k = 0; k < summaries->len; k++)
    {
      TrajPatientSummary *s = g_ptr_array_index (summaries, k);
      if (!traj_attention_is_current (s, rules, now))
        g_hash_table_insert (by_id, &s->id, s);
    }
  if (g_hash_table_size (by_id) == 0)
    return TRUE;
  if (g_hash_table_size (by_id) <= FEW_STALE)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, by_id);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
              !traj_outcomes_fill_summary (store, value, t, now, error))
            return FALSE;
        }
      return TRUE;
    }
  /* The engine reads no free text and of the items only the safety item:
   * the cohort's narrow read holds all it needs, in half the time. */
  return traj_store_foreach_cohort_records (store, t, 0, 0, fill_one, &d, cancellable, error);
}

gboolean
traj_outcomes_fill_summary (TrajStore            *store,
                            TrajPatientSummary   *summary,
                            const TrajThresholds *t,
                            gint64                now,
                            GError              **error)
{
  g_autoptr(TrajPatientRecords) r = traj_store_load_patient_records (store, summary->id, error);
  TrajAttention a;

  if (r == NULL)
    return FALSE;
  traj_outcomes_attention (r, t, now, &a);
  traj_attention_apply (&a, summary);
  return TRUE;
}
